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
  /** YSK's `versiyon`, on the real feed's scale: the election's first (e.g. 2671), then +1 per revision. */
  versiyon: number;
  /** Simulated epoch ms of publication, before any pause window. */
  at: number;
  /** `degisiklik_NEDENI`: 0 for a first publication, a small code for a revision (0 when YSK gave none). */
  reason: number;
  sheet: SimSheet;
  /**
   * Revised inside YSK before it was ever published: never served. The box's first published
   * version is then already a revision ("changed before we saw it").
   */
  hidden?: boolean;
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
  /** Prison, customs and abroad boxes (general elections only); none when absent. */
  specialUnits?(): readonly SpecialUnit[];
}

/**
 * A unit of prison, customs or abroad boxes as the simulator serves it: a prison of a district,
 * a customs gate of a border province, or one box series (one `sandik_RUMUZ`) of a foreign
 * mission. `sim` carries its boxes for the sheet generator (its `plate` is the ballot the
 * boxes vote on: the province's for a prison, the abroad ballot for customs and missions).
 */
export interface SpecialUnit {
  kind: 'prison' | 'customs' | 'abroad';
  /** the `getMuhtarlikList` row id of the unit */
  muhtarlikId: number;
  name: string;
  /** `il_ID` as the feed sends it (null abroad) */
  plate: number | null;
  /** `ilce_ID` as the feed sends it: the prison's district; null for customs and abroad */
  ilceId: number | null;
  cezaeviId: number | null;
  gumrukId: number | null;
  ulkeId: number | null;
  ulkeName: string | null;
  misyonId: number | null;
  misyonName: string | null;
  rumuz: string | null;
  /** where Gözcü files it: province and (pseudo-)district */
  place: { province: number; district: number };
  /** ballot types it votes in */
  ballots: readonly BallotCode[];
  sim: SimDistrict;
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
