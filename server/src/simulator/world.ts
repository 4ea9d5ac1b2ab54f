import type { BallotCode } from '@gozcu/shared';

/** What the simulator serves, whatever made it (synthetic generator or real data). */
export interface SimProvince {
  plate: number;
  /** Upper-case, as YSK writes it (`İSTANBUL`). */
  name: string;
  metropolitan: boolean;
}

export interface SimNeighbourhood {
  id: number;
  name: string;
  minBox: number;
  maxBox: number;
}

export interface SimDistrict {
  /** YSK-style district id (not a plate code). */
  id: number;
  plate: number;
  name: string;
  neighbourhoods: SimNeighbourhood[];
  /** Box numbers, in order. */
  boxNos: Int32Array;
  /** Per box, index into `neighbourhoods`. */
  boxNeighbourhood: Int32Array;
  /** Global index of the district's first box (sandik_ID = SANDIK_ID_BASE + index). */
  boxBase: number;
}

/** One row of the column map, as YSK sends it. */
export interface SimColumnRow {
  sira_NO: number;
  ad: string;
  column_NAME: string;
}

/** A sheet with votes keyed by YSK column (`parti21_ALDIGI_OY`). */
export interface SimSheet {
  registered: number;
  voted: number;
  validUncontested: number;
  validAfterObjection: number;
  valid: number;
  invalid: number;
  votes: Record<string, number>;
}

export interface SimVersion {
  versiyon: number;
  /** Simulated epoch ms of publication, before any pause window. */
  at: number;
  reason: string | null;
  sheet: SimSheet;
}

export interface SimWorld {
  readonly electionId: string;
  readonly ballots: readonly BallotCode[];
  /** When the publication ban lifts (epoch ms, simulated). */
  readonly nightStart: number;
  readonly nightMs: number;
  readonly provinces: readonly SimProvince[];
  readonly boxCount: number;
  districtsOf(plate: number): readonly SimDistrict[];
  district(id: number): SimDistrict | undefined;
  ballotsOf(plate: number): readonly BallotCode[];
  /** The column map rows; `individualIndependents` false lists independents only by the 999 total. */
  columnMap(ballot: BallotCode, plate: number, individualIndependents: boolean): SimColumnRow[];
  /** Every version of box `k` of a district for a ballot, by time. */
  versions(district: SimDistrict, k: number, ballot: BallotCode): SimVersion[];
  /** A plausible but fake sheet: what a feed serving test data sends. */
  testSheet(district: SimDistrict, k: number, ballot: BallotCode): SimSheet;
}

export const SANDIK_ID_BASE = 5_000_000;

export const METROPOLITAN_PLATES: ReadonlySet<number> = new Set([
  1, 6, 7, 9, 10, 16, 20, 21, 25, 26, 27, 31, 33, 34, 35, 38, 41, 42, 44, 45, 46, 47, 48, 52, 54, 55, 59, 61, 63, 65,
]);

/** Local ballots per province: 4 only outside, 6 only in the 30 metropolitan provinces. */
export function ballotsForProvince(ballots: readonly BallotCode[], plate: number): BallotCode[] {
  const metro = METROPOLITAN_PLATES.has(plate);
  return ballots.filter((b) => (b === 4 ? !metro : b === 6 ? metro : true));
}

export function upperTr(name: string): string {
  return name.toLocaleUpperCase('tr-TR');
}
