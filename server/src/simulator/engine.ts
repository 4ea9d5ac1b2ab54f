import {
  boxKey,
  emptyResultRow,
  formatYskTime,
  parseColumnMap,
  YSK_VOTE_COLUMNS,
  type BallotCode,
  type BoxKind,
  type BoxRef,
  type Column,
  type Sheet,
} from '@gozcu/shared';
import type { SimClock } from './clock';
import { unitRowIds } from './special';
import { SANDIK_ID_BASE, type SimDistrict, type SimSheet, type SimVersion, type SimWorld, type SpecialUnit } from './world';

export interface PauseWindow {
  from: number;
  until: number;
}

/** A filter on the boxes of one call (`getSecimSandikSonucList` / `getSecimSonucList`). */
export interface BoxScope {
  plate?: number;
  district?: number;
  neighbourhood?: number;
  boxNoFrom?: number;
  boxNoTo?: number;
  sandikId?: number;
}

export interface TruthVersion {
  versiyon: number;
  /** ISO UTC, as the client will read `son_ISLEM_TARIHI`. */
  at: string;
  /** `degisiklik_NEDENI` (0 unchanged) */
  reason: number;
  sheet: Sheet;
}

export interface TruthBox {
  key: string;
  ref: BoxRef;
  kind: BoxKind;
  sandikId: number;
  neighbourhood: number;
  /** the published versions (a version YSK revised before publishing it is not one) */
  versions: TruthVersion[];
  /** YSK revised it before it was first published: its first published version is a revision */
  alteredBeforeSeen: boolean;
}

const BAGIMSIZ_INDIVIDUAL = /^bagimsiz\d+_ALDIGI_OY$/;
/** Box-results whose versions are memoised (a national night with two ballot types fits). */
const VERSION_CACHE_MAX = 500_000;

/**
 * What is published when: the world's versions seen through the clock and any pause window,
 * turned into YSK rows and into the truth the tests compare against.
 */
export class SimEngine {
  private readonly pauses: PauseWindow[] = [];
  private readonly truthMaps = new Map<string, Column[]>();
  private readonly versionCache = new Map<number, SimVersion[]>();

  constructor(
    readonly world: SimWorld,
    readonly clock: SimClock,
  ) {}

  /** No publications inside [from, until): what falls there arrives in a burst right after. */
  addPause(from: number, until: number): PauseWindow {
    const window = { from: Math.max(from, this.clock.now()), until };
    if (!(window.until > window.from)) throw new Error('a pause needs until > from (and from not in the past)');
    this.pauses.push(window);
    this.pauses.sort((a, b) => a.from - b.from);
    return window;
  }
  get pauseWindows(): readonly PauseWindow[] {
    return this.pauses;
  }

  /** When a version is published (after any pause), to the whole second: YSK's times carry `.000`. */
  effectiveAt(at: number): number {
    let t = at;
    for (const p of this.pauses) if (t >= p.from && t < p.until) t = p.until + Math.round((t - p.from) * 0.05);
    return Math.ceil(t / 1000) * 1000;
  }

  /**
   * The world's versions of a box, memoised: the world computes them from seeds on every call,
   * and a national night asks for every box of a province on each aggregate call. Includes a
   * version YSK revised before publishing it (`hidden`).
   */
  versionsOf(district: SimDistrict, k: number, ballot: BallotCode): SimVersion[] {
    const key = (district.boxBase + k) * 16 + ballot;
    let list = this.versionCache.get(key);
    if (!list) {
      if (this.versionCache.size >= VERSION_CACHE_MAX) this.versionCache.clear();
      list = this.world.versions(district, k, ballot);
      this.versionCache.set(key, list);
    }
    return list;
  }

  /** Versions published by `now` (times after pauses), oldest first; never one revised before publication. */
  visible(district: SimDistrict, k: number, ballot: BallotCode, now: number): SimVersion[] {
    const out: SimVersion[] = [];
    for (const v of this.versionsOf(district, k, ballot)) {
      if (v.hidden) continue;
      const at = this.effectiveAt(v.at);
      if (at <= now) out.push({ ...v, at });
    }
    return out;
  }

  /** Every version that is ever published (times after pauses). */
  published(district: SimDistrict, k: number, ballot: BallotCode): SimVersion[] {
    return this.versionsOf(district, k, ballot)
      .filter((v) => !v.hidden)
      .map((v) => ({ ...v, at: this.effectiveAt(v.at) }));
  }

  /** Prison, customs and abroad units. */
  get specialUnits(): readonly SpecialUnit[] {
    return this.world.specialUnits?.() ?? [];
  }

  /** Districts in scope, then box indexes inside each. */
  *boxes(scope: BoxScope): Generator<[SimDistrict, number]> {
    let districts: readonly SimDistrict[];
    if (scope.district !== undefined) {
      const d = this.world.district(scope.district);
      districts = d && (scope.plate === undefined || d.plate === scope.plate) ? [d] : [];
    } else if (scope.plate !== undefined) districts = this.world.districtsOf(scope.plate);
    else districts = this.world.provinces.flatMap((p) => this.world.districtsOf(p.plate));
    for (const d of districts) {
      for (let k = 0; k < d.boxNos.length; k++) {
        const boxNo = d.boxNos[k]!;
        if (scope.boxNoFrom !== undefined && boxNo < scope.boxNoFrom) continue;
        if (scope.boxNoTo !== undefined && boxNo > scope.boxNoTo) continue;
        if (scope.sandikId !== undefined && SANDIK_ID_BASE + d.boxBase + k !== scope.sandikId) continue;
        if (scope.neighbourhood !== undefined && d.neighbourhoods[d.boxNeighbourhood[k]!]!.id !== scope.neighbourhood) continue;
        yield [d, k];
      }
    }
  }

  private provinceName(plate: number): string {
    return this.world.provinces.find((p) => p.plate === plate)?.name ?? '';
  }

  private secimId(): string | number {
    return /^\d+$/.test(this.world.electionId) ? Number(this.world.electionId) : this.world.electionId;
  }

  /** One box row in YSK's shape (~130 keys). */
  resultRow(district: SimDistrict, k: number, ballot: BallotCode, version: SimVersion, now: number): Record<string, unknown> {
    const hood = district.neighbourhoods[district.boxNeighbourhood[k]!]!;
    const index = district.boxBase + k;
    const row = emptyResultRow();
    Object.assign(row, {
      il_ID: district.plate,
      il_ADI: this.provinceName(district.plate),
      ilce_ID: district.id,
      ilce_ADI: district.name,
      muhtarlik_ID: hood.id,
      muhtarlik_ADI: hood.name,
      sandik_ID: SANDIK_ID_BASE + index,
      sandik_NO: district.boxNos[k],
      sandik_SONUC_ID: index * 16 + (version.versiyon % 16),
      secim_ID: this.secimId(),
      secim_TURU: ballot,
    });
    this.fillSheet(row, version.sheet);
    const imageLater = version.at + Math.round(this.world.nightMs * 0.05);
    Object.assign(row, {
      sandik_SONUC_TUTANAGI: now >= imageLater ? 1 : 0,
      sandik_DOKUM_CETVELI: 0,
      denetim_TUTANAGI: 0,
      birlestirme_TUTANAGI_1: 0,
      birlestirme_TUTANAGI_2: 0,
      versiyon: version.versiyon,
      son_ISLEM_TARIHI: formatYskTime(version.at),
      degisiklik_NEDENI: version.reason,
    });
    return row;
  }

  /** One box row of a prison, customs or abroad unit. */
  specialRow(unit: SpecialUnit, k: number, ballot: BallotCode, version: SimVersion, now: number): Record<string, unknown> {
    const index = unit.sim.boxBase + k;
    const row = emptyResultRow();
    Object.assign(row, unitRowIds(unit), {
      il_ADI: unit.plate !== null ? this.provinceName(unit.plate) : null,
      sandik_ID: SANDIK_ID_BASE + index,
      sandik_NO: unit.sim.boxNos[k],
      sandik_SONUC_ID: index * 16 + (version.versiyon % 16),
      secim_ID: this.secimId(),
      secim_TURU: ballot,
    });
    this.fillSheet(row, version.sheet);
    Object.assign(row, {
      sandik_SONUC_TUTANAGI: now >= version.at + Math.round(this.world.nightMs * 0.05) ? 1 : 0,
      sandik_DOKUM_CETVELI: 0,
      denetim_TUTANAGI: 0,
      birlestirme_TUTANAGI_1: 0,
      birlestirme_TUTANAGI_2: 0,
      versiyon: version.versiyon,
      son_ISLEM_TARIHI: formatYskTime(version.at),
      degisiklik_NEDENI: version.reason,
    });
    return row;
  }

  /** The current rows of some special units: published boxes, then one aggregate row (sandik_NO null). */
  specialRows(units: readonly SpecialUnit[], ballot: BallotCode, now: number, testData = false): Record<string, unknown>[] {
    const rows: Record<string, unknown>[] = [];
    for (const u of units) {
      if (!u.ballots.includes(ballot)) continue;
      for (let k = 0; k < u.sim.boxNos.length; k++) {
        if (testData) {
          const at = this.world.nightStart - 3 * 3_600_000;
          rows.push(this.specialRow(u, k, ballot, { versiyon: 0, at, reason: 0, sheet: this.world.testSheet(u.sim, k, ballot) }, now));
          continue;
        }
        const seen = this.visible(u.sim, k, ballot, now);
        const last = seen[seen.length - 1];
        if (last) rows.push(this.specialRow(u, k, ballot, last, now));
      }
    }
    if (rows.length > 0) {
      const agg = this.aggregateRow(rows, {});
      for (const key of ['il_ID', 'il_ADI']) agg[key] = rows.every((r) => r[key] === rows[0]![key]) ? rows[0]![key] : null;
      rows.push(agg);
    }
    return rows;
  }

  fillSheet(row: Record<string, unknown>, sheet: SimSheet): void {
    row['secmen_SAYISI'] = sheet.registered;
    row['oy_KULLANAN_SECMEN_SAYISI'] = sheet.voted;
    row['itirazsiz_GECERLI_OY_SAYISI'] = sheet.validUncontested;
    row['itirazli_GECERLI_OY_SAYISI'] = sheet.validAfterObjection;
    row['gecerli_OY_TOPLAMI'] = sheet.valid;
    row['gecersiz_OY_TOPLAMI'] = sheet.invalid;
    let independents: number | null = null;
    for (const [column, n] of Object.entries(sheet.votes)) {
      row[column] = n;
      if (BAGIMSIZ_INDIVIDUAL.test(column)) independents = (independents ?? 0) + n;
    }
    if (independents !== null) row['bagimsiz_TOPLAM_OY'] = independents;
    if (Object.keys(sheet.votes).some((c) => c.startsWith('parti')) && row['parti40_ALDIGI_OY'] === null) row['parti40_ALDIGI_OY'] = 0;
  }

  /** The current rows of a scope: published boxes, then one aggregate row (sandik_NO null). */
  resultRows(ballot: BallotCode, scope: BoxScope, now: number, testData = false): Record<string, unknown>[] {
    const rows: Record<string, unknown>[] = [];
    for (const [d, k] of this.boxes(scope)) {
      if (testData) {
        const at = this.world.nightStart - 3 * 3_600_000;
        rows.push(this.resultRow(d, k, ballot, { versiyon: 0, at, reason: 0, sheet: this.world.testSheet(d, k, ballot) }, now));
        continue;
      }
      const seen = this.visible(d, k, ballot, now);
      const last = seen[seen.length - 1];
      if (last) rows.push(this.resultRow(d, k, ballot, last, now));
    }
    if (rows.length > 0) rows.push(this.aggregateRow(rows, scope));
    return rows;
  }

  aggregateRow(rows: Record<string, unknown>[], scope: BoxScope): Record<string, unknown> {
    const row = emptyResultRow();
    const first = rows[0]!;
    for (const key of ['il_ID', 'il_ADI', 'secim_ID', 'secim_TURU']) row[key] = first[key];
    if (scope.district !== undefined) {
      row['ilce_ID'] = first['ilce_ID'];
      row['ilce_ADI'] = first['ilce_ADI'];
    }
    const sum = [
      'secmen_SAYISI',
      'oy_KULLANAN_SECMEN_SAYISI',
      'itirazsiz_GECERLI_OY_SAYISI',
      'itirazli_GECERLI_OY_SAYISI',
      'gecerli_OY_TOPLAMI',
      'gecersiz_OY_TOPLAMI',
      ...YSK_VOTE_COLUMNS,
    ];
    for (const key of sum) {
      let total: number | null = null;
      for (const r of rows) if (typeof r[key] === 'number') total = (total ?? 0) + (r[key] as number);
      row[key] = total;
    }
    return row;
  }

  /**
   * `getSecimSonucList`, in the real shape (a result row with `sandik_NO: null`, numbers for
   * every count and `versiyon`, a string `son_ISLEM_TARIHI`, plus the opened-box counters):
   * with `ilId` and no `ilceId`, one row per district of the province; with neither, one row
   * per province (inferred by analogy); otherwise one row for the scope asked for (a district,
   * a neighbourhood, a box-number range of a district). Vote columns and figures are sums over
   * the boxes opened by `now`; `versiyon` is the sum of their versions and `son_ISLEM_TARIHI`
   * the newest of their times (what the real values mean is not known: the watcher treats
   * both as opaque change signals).
   */
  summaryRows(ballot: BallotCode, scope: BoxScope, now: number): Record<string, unknown>[] {
    const narrowed = scope.neighbourhood !== undefined || scope.boxNoFrom !== undefined || scope.boxNoTo !== undefined || scope.sandikId !== undefined;
    if (scope.district === undefined && !narrowed) {
      if (scope.plate !== undefined) {
        return this.world
          .districtsOf(scope.plate)
          .map((d) => this.summaryRow(ballot, { plate: scope.plate, district: d.id }, now, 'district'))
          .filter((r): r is Record<string, unknown> => r !== null);
      }
      return this.world.provinces
        .map((p) => this.summaryRow(ballot, { plate: p.plate }, now, 'province'))
        .filter((r): r is Record<string, unknown> => r !== null);
    }
    const row = this.summaryRow(ballot, scope, now, scope.district !== undefined ? 'district' : 'province');
    return row ? [row] : [];
  }

  private summaryRow(ballot: BallotCode, scope: BoxScope, now: number, unit: 'district' | 'province'): Record<string, unknown> | null {
    if (scope.plate !== undefined && !this.world.ballotsOf(scope.plate).includes(ballot)) return null;
    let total = 0;
    let opened = 0;
    let openedRegistered = 0;
    let versiyon = 0;
    let lastAt = -Infinity;
    const sums: Record<string, number> = {
      secmen_SAYISI: 0,
      oy_KULLANAN_SECMEN_SAYISI: 0,
      itirazsiz_GECERLI_OY_SAYISI: 0,
      itirazli_GECERLI_OY_SAYISI: 0,
      gecerli_OY_TOPLAMI: 0,
      gecersiz_OY_TOPLAMI: 0,
    };
    const votes: Record<string, number> = {};
    let firstDistrict: SimDistrict | undefined;
    for (const [d, k] of this.boxes(scope)) {
      if (!this.world.ballotsOf(d.plate).includes(ballot)) continue;
      firstDistrict ??= d;
      total++;
      const seen = this.visible(d, k, ballot, now);
      const last = seen[seen.length - 1];
      if (!last) continue;
      opened++;
      versiyon += last.versiyon;
      if (last.at > lastAt) lastAt = last.at;
      const s = last.sheet;
      openedRegistered += s.registered;
      sums['oy_KULLANAN_SECMEN_SAYISI']! += s.voted;
      sums['itirazsiz_GECERLI_OY_SAYISI']! += s.validUncontested;
      sums['itirazli_GECERLI_OY_SAYISI']! += s.validAfterObjection;
      sums['gecerli_OY_TOPLAMI']! += s.valid;
      sums['gecersiz_OY_TOPLAMI']! += s.invalid;
      for (const [c, n] of Object.entries(s.votes)) votes[c] = (votes[c] ?? 0) + n;
    }
    if (total === 0) return null;
    sums['secmen_SAYISI'] = openedRegistered;
    const plate = scope.plate ?? firstDistrict?.plate;
    const row = emptyResultRow();
    let independents: number | null = null;
    for (const [c, n] of Object.entries(votes)) {
      row[c] = n;
      if (BAGIMSIZ_INDIVIDUAL.test(c)) independents = (independents ?? 0) + n;
    }
    if (independents !== null) row['bagimsiz_TOPLAM_OY'] = independents;
    Object.assign(row, {
      il_ID: plate ?? null,
      il_ADI: plate ? this.provinceName(plate) : null,
      ilce_ID: unit === 'district' ? (scope.district ?? firstDistrict?.id ?? null) : null,
      ilce_ADI: unit === 'district' ? (firstDistrict?.name ?? null) : null,
      sandik_NO: null,
      muhtarlik_ADI: null,
      secim_ID: this.secimId(),
      secim_TURU: ballot,
      ...sums,
      versiyon: opened ? versiyon : 0,
      son_ISLEM_TARIHI: opened ? formatYskTime(lastAt) : null,
      // a number, as in the real aggregates (0: unchanged)
      degisiklik_NEDENI: 0,
      toplam_SANDIK_SAYISI: total,
      acilan_SANDIK_SAYISI: opened,
      acilan_SECMEN_SAYISI: openedRegistered,
    });
    return row;
  }

  /** The ballot's columns as the client will read them (individual independents listed). */
  truthColumns(ballot: BallotCode, plate: number): Column[] {
    const key = `${ballot}:${plate}`;
    let cols = this.truthMaps.get(key);
    if (!cols) {
      cols = parseColumnMap(this.world.columnMap(ballot, plate, true));
      this.truthMaps.set(key, cols);
    }
    return cols;
  }

  toDomainSheet(sheet: SimSheet, columns: readonly Column[]): Sheet {
    const votes: Record<string, number> = {};
    for (const c of columns) votes[c.name] = sheet.votes[c.column] ?? 0;
    const { registered, voted, validUncontested, validAfterObjection, valid, invalid } = sheet;
    return { registered, voted, validUncontested, validAfterObjection, valid, invalid, votes };
  }

  /** Every box result with its versions: all of them, or only those published by `asOf`. */
  *truth(opts: { asOf?: number; plate?: number; district?: number; ballot?: BallotCode } = {}): Generator<TruthBox> {
    for (const [d, k] of this.boxes({ plate: opts.plate, district: opts.district })) {
      for (const ballot of this.world.ballotsOf(d.plate)) {
        if (opts.ballot !== undefined && ballot !== opts.ballot) continue;
        const versions = opts.asOf === undefined ? this.published(d, k, ballot) : this.visible(d, k, ballot, opts.asOf);
        if (versions.length === 0 && opts.asOf !== undefined) continue;
        const columns = this.truthColumns(ballot, d.plate);
        const ref: BoxRef = { election: this.world.electionId, ballot, province: d.plate, district: d.id, boxNo: d.boxNos[k]! };
        yield this.truthBox(ref, 'domestic', SANDIK_ID_BASE + d.boxBase + k, d.neighbourhoods[d.boxNeighbourhood[k]!]!.id, versions, columns, d, k, ballot);
      }
    }
    for (const u of this.specialUnits) {
      if (opts.plate !== undefined && u.place.province !== opts.plate) continue;
      if (opts.district !== undefined && u.place.district !== opts.district) continue;
      for (const ballot of u.ballots) {
        if (opts.ballot !== undefined && ballot !== opts.ballot) continue;
        for (let k = 0; k < u.sim.boxNos.length; k++) {
          const versions = opts.asOf === undefined ? this.published(u.sim, k, ballot) : this.visible(u.sim, k, ballot, opts.asOf);
          if (versions.length === 0 && opts.asOf !== undefined) continue;
          const ref: BoxRef = { election: this.world.electionId, ballot, province: u.place.province, district: u.place.district, boxNo: u.sim.boxNos[k]! };
          if (u.rumuz) ref.rumuz = u.rumuz;
          yield this.truthBox(
            ref,
            u.kind,
            SANDIK_ID_BASE + u.sim.boxBase + k,
            u.muhtarlikId,
            versions,
            this.truthColumns(ballot, u.sim.plate),
            u.sim,
            k,
            ballot,
          );
        }
      }
    }
  }

  private truthBox(
    ref: BoxRef,
    kind: BoxKind,
    sandikId: number,
    neighbourhood: number,
    versions: SimVersion[],
    columns: readonly Column[],
    d: SimDistrict,
    k: number,
    ballot: BallotCode,
  ): TruthBox {
    return {
      key: boxKey(ref),
      ref,
      kind,
      sandikId,
      neighbourhood,
      versions: versions.map((v) => ({
        versiyon: v.versiyon,
        at: new Date(v.at).toISOString(),
        reason: v.reason,
        sheet: this.toDomainSheet(v.sheet, columns),
      })),
      alteredBeforeSeen: this.versionsOf(d, k, ballot)[0]?.hidden === true,
    };
  }

  /** Counts of box results: in total, published by `now`, revised by `now`. */
  stats(now: number): { boxResults: number; published: number; revised: number; versions: number; publishedShare: number } {
    let boxResults = 0;
    let published = 0;
    let revised = 0;
    let versions = 0;
    const count = (d: SimDistrict, k: number, ballot: BallotCode) => {
      boxResults++;
      const seen = this.visible(d, k, ballot, now);
      if (seen.length > 0) published++;
      if (seen.length > 1 || (seen.length > 0 && this.versionsOf(d, k, ballot)[0]?.hidden)) revised++;
      versions += seen.length;
    };
    for (const [d, k] of this.boxes({})) for (const ballot of this.world.ballotsOf(d.plate)) count(d, k, ballot);
    for (const u of this.specialUnits) for (const ballot of u.ballots) for (let k = 0; k < u.sim.boxNos.length; k++) count(u.sim, k, ballot);
    return { boxResults, published, revised, versions, publishedShare: boxResults ? published / boxResults : 0 };
  }
}
