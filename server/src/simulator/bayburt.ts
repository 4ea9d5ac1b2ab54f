import { readFileSync } from 'node:fs';
import path from 'node:path';
import { partiColumn, type BallotCode } from '@gozcu/shared';
import { nightFractionAt, NIGHT_MS } from './curve';
import { hash01, hash32, Prng } from './prng';
import type { SimColumnRow, SimDistrict, SimProvince, SimSheet, SimVersion, SimWorld } from './world';

export const BAYBURT_FILE = path.join('real', 'yerel2014_il69_bayburt.utf8.tsv');
/** `versiyon` of the Bayburt 2014 rows in real captures (YSK-API.md, "JSON types"). */
export const BAYBURT_VERSIYON = 2671;

/** One TSV row of the real 2014 Bayburt results. */
export interface BayburtRow {
  plate: number;
  district: number;
  neighbourhood: number;
  province: string;
  municipality: string;
  neighbourhoodName: string;
  boxNo: number;
  registered: number;
  voted: number;
  validUncontested: number;
  validAfterObjection: number;
  valid: number;
  invalid: number;
  /** By the TSV's own party labels (AK PARTİ … DBP, Diger). */
  votes: Record<string, number>;
}

export function readBayburt(dataDir: string): { parties: string[]; rows: BayburtRow[] } {
  const [header, ...lines] = readFileSync(path.join(dataDir, BAYBURT_FILE), 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const cols = header!.split('\t');
  const parties = cols.slice(13).map((c) => c.trim());
  const rows = lines.map((line) => {
    const f = line.split('\t');
    const n = (i: number) => Number(f[i]);
    return {
      plate: n(0),
      district: n(1),
      neighbourhood: n(2),
      province: f[3]!,
      municipality: f[4]!,
      neighbourhoodName: f[5]!,
      boxNo: n(6),
      registered: n(7),
      voted: n(8),
      validUncontested: n(9),
      validAfterObjection: n(10),
      valid: n(11),
      invalid: n(12),
      votes: Object.fromEntries(parties.map((p, i) => [p, n(13 + i)])),
    };
  });
  return { parties, rows };
}

/**
 * The real 30 March 2014 Bayburt results served in YSK's shape: 105 boxes in two districts,
 * one ballot type, each box once (no revisions), publishing along the usual curve.
 */
export class BayburtWorld implements SimWorld {
  readonly provinces: readonly SimProvince[];
  readonly boxCount: number;
  readonly nightMs: number;
  readonly ballots: readonly BallotCode[];
  private readonly districts: SimDistrict[] = [];
  private readonly rowsByDistrict = new Map<number, BayburtRow[]>();
  private readonly map: SimColumnRow[];
  private readonly columnOf = new Map<string, string>();

  constructor(
    dataDir: string,
    readonly electionId: string,
    private readonly ballot: BallotCode,
    readonly nightStart: number,
    private readonly seed: number,
    nightMs = NIGHT_MS,
  ) {
    this.nightMs = nightMs;
    this.ballots = [ballot];
    const { parties, rows } = readBayburt(dataDir);
    this.provinces = [{ plate: 69, name: rows[0]?.province ?? 'BAYBURT', metropolitan: false }];
    this.boxCount = rows.length;
    const columns = new Prng(hash32(seed, 51)).shuffle(Array.from({ length: 39 }, (_, i) => i + 1));
    this.map = [{ sira_NO: 0, ad: 'ÇEKİLEN ADAY', column_NAME: partiColumn(40) }];
    parties.forEach((p, i) => {
      this.columnOf.set(p, partiColumn(columns[i]!));
      this.map.push({ sira_NO: i + 1, ad: p, column_NAME: partiColumn(columns[i]!) });
    });
    for (const row of rows) {
      const list = this.rowsByDistrict.get(row.district) ?? [];
      list.push(row);
      this.rowsByDistrict.set(row.district, list);
    }
    let boxBase = 0;
    for (const [id, list] of this.rowsByDistrict) {
      const hoods: { id: number; name: string; minBox: number; maxBox: number }[] = [];
      const boxNeighbourhood = new Int32Array(list.length);
      list.forEach((row, k) => {
        let h = hoods.findIndex((x) => x.id === row.neighbourhood);
        if (h < 0) h = hoods.push({ id: row.neighbourhood, name: row.neighbourhoodName, minBox: row.boxNo, maxBox: row.boxNo }) - 1;
        const hood = hoods[h]!;
        hood.minBox = Math.min(hood.minBox, row.boxNo);
        hood.maxBox = Math.max(hood.maxBox, row.boxNo);
        boxNeighbourhood[k] = h;
      });
      const name = list.find((r) => !r.municipality.includes('-'))?.municipality ?? list[0]!.municipality;
      this.districts.push({
        id,
        plate: 69,
        name: name.replace(/^BAYBURT /, ''),
        neighbourhoods: hoods,
        boxNos: Int32Array.from(list.map((r) => r.boxNo)),
        boxNeighbourhood,
        boxBase,
      });
      boxBase += list.length;
    }
  }

  districtsOf(plate: number): readonly SimDistrict[] {
    return plate === 69 ? this.districts : [];
  }
  district(id: number): SimDistrict | undefined {
    return this.districts.find((d) => d.id === id);
  }
  ballotsOf(plate: number): readonly BallotCode[] {
    return plate === 69 ? this.ballots : [];
  }
  columnMap(ballot: BallotCode, plate: number): SimColumnRow[] {
    return ballot === this.ballot && plate === 69 ? this.map.map((r) => ({ ...r })) : [];
  }
  /** The TSV row behind box `k` of a district. */
  row(district: SimDistrict, k: number): BayburtRow {
    return this.rowsByDistrict.get(district.id)![k]!;
  }
  private sheet(row: BayburtRow): SimSheet {
    const votes: Record<string, number> = {};
    for (const [party, n] of Object.entries(row.votes)) votes[this.columnOf.get(party)!] = n;
    const { registered, voted, validUncontested, validAfterObjection, valid, invalid } = row;
    return { registered, voted, validUncontested, validAfterObjection, valid, invalid, votes };
  }
  versions(district: SimDistrict, k: number, ballot: BallotCode): SimVersion[] {
    if (ballot !== this.ballot) return [];
    const at = this.nightStart + Math.round(nightFractionAt(hash01(this.seed, 41, district.boxBase + k)) * this.nightMs);
    return [{ versiyon: BAYBURT_VERSIYON, at, reason: 0, sheet: this.sheet(this.row(district, k)) }];
  }
  testSheet(district: SimDistrict, k: number): SimSheet {
    const s = this.sheet(this.row(district, k));
    const votes = Object.fromEntries(Object.keys(s.votes).map((c, i) => [c, i === 0 ? s.valid : 0]));
    return { ...s, votes };
  }
}
