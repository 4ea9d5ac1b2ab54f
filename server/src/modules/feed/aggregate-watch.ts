/**
 * Cheap change detection from YSK's aggregates (YSK-API.md, "Aggregates as a change signal").
 *
 * `getSecimSonucList` with `ilId` and no `ilceId` answers one row per district: its figures and
 * vote columns summed over the boxes opened so far, `acilan_SANDIK_SAYISI`, `versiyon` and
 * `son_ISLEM_TARIHI`. Any newly published or revised box moves its district's row. So the
 * poller reads one small payload per province and interval, and fetches box rows only for the
 * districts that moved — and within a district only what can explain the move:
 *
 * - more boxes opened than we hold → the box-number ranges of the boxes we have not seen yet
 *   (a few ranges, merged across short runs of boxes we already have);
 * - as many boxes as we hold but other figures → a revision of a box we hold: bisect with
 *   aggregates of box-number ranges (one small row each) down to a handful of boxes, fetch those.
 *
 * After each fetch the district's sums over what we store are compared with the aggregate; only
 * when they agree is the district settled (its aggregate row is remembered as explained). When
 * the aggregate and the boxes never agree (an aggregate whose semantics differ from a plain sum),
 * the district falls back to fetching its whole box list whenever its aggregate moves. A quiet
 * district is fetched whole now and then (FEED_QUIET_CHECK_MS), to bound what an aggregate could
 * hide. Nothing here depends on conditional requests.
 *
 * Pure apart from the injected I/O (DistrictIO), so the whole algorithm is unit-tested against a
 * fake feed.
 */

/** The figures compared, summed over a district's (or a range's) opened boxes. */
export const FP_FIELDS = [
  'oy_KULLANAN_SECMEN_SAYISI',
  'itirazsiz_GECERLI_OY_SAYISI',
  'itirazli_GECERLI_OY_SAYISI',
  'gecerli_OY_TOPLAMI',
  'gecersiz_OY_TOPLAMI',
] as const;
/**
 * FP_FIELDS, then Σ votes, then Σ votes × a per-column weight (catches votes moving between
 * columns), then `versiyon` (a revision that leaves every figure as it was still bumps it). The
 * figures are plain sums on any feed; whether an aggregate's `versiyon` is the sum of its boxes'
 * is not known, so each district finds out (DistrictWatch.versionSums) before relying on it.
 */
export const FP_LEN = FP_FIELDS.length + 3;
/** the position of `versiyon` in a fingerprint */
export const FP_VERSION = FP_FIELDS.length + 2;
export type Fingerprint = Float64Array;

/** Individual vote columns (`bagimsiz_TOPLAM_OY` is a derived total and left out). */
const VOTE_COLUMN = /^(?:parti|bagimsiz|ittifak)\d+_ALDIGI_OY$/;
const weights = new Map<string, number>();

/** A stable weight per vote column (FNV-1a of its name, 1…65521). */
export function columnWeight(column: string): number {
  let w = weights.get(column);
  if (w === undefined) {
    let h = 0x811c9dc5;
    for (let i = 0; i < column.length; i++) h = Math.imul(h ^ column.charCodeAt(i), 0x01000193) >>> 0;
    w = 1 + (h % 65521);
    weights.set(column, w);
  }
  return w;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The fingerprint of one YSK row (a box row or an aggregate row): missing or null figures count 0. */
export function fingerprintOf(row: Readonly<Record<string, unknown>>): Fingerprint {
  const fp = new Float64Array(FP_LEN);
  for (let i = 0; i < FP_FIELDS.length; i++) fp[i] = num(row[FP_FIELDS[i]!]);
  let votes = 0;
  let weighted = 0;
  for (const key in row) {
    if (!VOTE_COLUMN.test(key)) continue;
    const n = num(row[key]);
    votes += n;
    weighted += n * columnWeight(key);
  }
  fp[FP_FIELDS.length] = votes;
  fp[FP_FIELDS.length + 1] = weighted;
  fp[FP_VERSION] = num(row['versiyon']);
  return fp;
}

/** Equal figures (and equal `versiyon` too, unless told to leave it out). */
export function sameFingerprint(a: Fingerprint, b: Fingerprint, withVersion = true): boolean {
  const n = withVersion ? FP_LEN : FP_VERSION;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function minus(a: Fingerprint, b: Fingerprint): Fingerprint {
  const out = new Float64Array(FP_LEN);
  for (let i = 0; i < FP_LEN; i++) out[i] = a[i]! - b[i]!;
  return out;
}

/** One aggregate row as the watcher keeps it. */
export interface Aggregate {
  /** boxes opened (`acilan_SANDIK_SAYISI`) */
  opened: number;
  /** boxes in the unit (`toplam_SANDIK_SAYISI`), when sent */
  total: number | null;
  fp: Fingerprint;
  /** everything that identifies this state of the aggregate (opaque: versiyon, time, counters, figures) */
  sig: string;
  /** when it was fetched (epoch ms) */
  at: number;
}

/** Reads an aggregate row; null when it has no opened-box counter (not an aggregate we can use). */
export function readAggregate(row: Readonly<Record<string, unknown>>, at: number): Aggregate | null {
  const opened = row['acilan_SANDIK_SAYISI'];
  if (typeof opened !== 'number' || !Number.isInteger(opened) || opened < 0) return null;
  const total = typeof row['toplam_SANDIK_SAYISI'] === 'number' ? (row['toplam_SANDIK_SAYISI'] as number) : null;
  const fp = fingerprintOf(row);
  const sig = [row['versiyon'] ?? '', row['son_ISLEM_TARIHI'] ?? '', opened, total ?? '', ...fp].join('|');
  return { opened, total, fp, sig, at };
}

/** [first box number, last box number], inclusive: what `sandikNoIlk`/`sandikNoSon` ask for. */
export type BoxRange = readonly [number, number];

/**
 * What we hold of one district's boxes: the register (every box number, from the neighbourhood
 * lists) and, per box we have seen, the fingerprint of its latest row. Typed arrays: a national
 * night is ~200,000 boxes.
 */
export class DistrictBoxes {
  private register: Int32Array;
  private seenFlags: Uint8Array;
  private fps: Float64Array;
  /** boxes outside the register (it was incomplete), by number */
  private readonly extra = new Map<number, Fingerprint>();
  private seen = 0;

  constructor(register: readonly number[] = []) {
    this.register = Int32Array.from([...new Set(register)].sort((a, b) => a - b));
    this.seenFlags = new Uint8Array(this.register.length);
    this.fps = new Float64Array(this.register.length * FP_LEN);
  }

  get registerSize(): number {
    return this.register.length;
  }
  get seenCount(): number {
    return this.seen;
  }

  /** Replaces the register, keeping what was seen. */
  setRegister(register: readonly number[]): void {
    const old = new Map<number, Fingerprint>();
    this.forEachSeen((no, fp) => old.set(no, fp.slice()));
    this.register = Int32Array.from([...new Set(register)].sort((a, b) => a - b));
    this.seenFlags = new Uint8Array(this.register.length);
    this.fps = new Float64Array(this.register.length * FP_LEN);
    this.extra.clear();
    this.seen = 0;
    for (const [no, fp] of old) this.observe(no, fp);
  }

  /** Position of a box number in the register, or -1. */
  private pos(boxNo: number): number {
    let lo = 0;
    let hi = this.register.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.register[mid]!;
      if (v === boxNo) return mid;
      if (v < boxNo) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** First position whose box number is ≥ n. */
  private lowerBound(n: number): number {
    let lo = 0;
    let hi = this.register.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.register[mid]! < n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(boxNo: number): boolean {
    const p = this.pos(boxNo);
    return p >= 0 ? this.seenFlags[p] === 1 : this.extra.has(boxNo);
  }

  /** Records a box's latest row; answers whether it is new, changed or the same as held. */
  observe(boxNo: number, fp: Fingerprint): 'new' | 'changed' | 'same' {
    const p = this.pos(boxNo);
    if (p < 0) {
      const old = this.extra.get(boxNo);
      this.extra.set(boxNo, fp.slice());
      if (!old) this.seen++;
      return !old ? 'new' : sameFingerprint(old, fp) ? 'same' : 'changed';
    }
    const at = p * FP_LEN;
    if (!this.seenFlags[p]) {
      this.seenFlags[p] = 1;
      this.fps.set(fp, at);
      this.seen++;
      return 'new';
    }
    const same = sameFingerprint(this.fps.subarray(at, at + FP_LEN), fp);
    if (!same) this.fps.set(fp, at);
    return same ? 'same' : 'changed';
  }

  private forEachSeen(fn: (boxNo: number, fp: Fingerprint) => void): void {
    for (let p = 0; p < this.register.length; p++) if (this.seenFlags[p]) fn(this.register[p]!, this.fps.subarray(p * FP_LEN, (p + 1) * FP_LEN));
    for (const [no, fp] of this.extra) fn(no, fp);
  }

  /** Σ fingerprints of the boxes we hold with numbers in [from, to] (all when no range). */
  sum(range?: BoxRange): Fingerprint {
    const out = new Float64Array(FP_LEN);
    const [from, to] = range ?? [-Infinity, Infinity];
    const start = range ? this.lowerBound(from) : 0;
    for (let p = start; p < this.register.length && this.register[p]! <= to; p++) {
      if (!this.seenFlags[p]) continue;
      const at = p * FP_LEN;
      for (let i = 0; i < FP_LEN; i++) out[i]! += this.fps[at + i]!;
    }
    for (const [no, fp] of this.extra) if (no >= from && no <= to) for (let i = 0; i < FP_LEN; i++) out[i]! += fp[i]!;
    return out;
  }

  /** How many boxes we hold with numbers in [from, to]. */
  seenIn(range: BoxRange): number {
    let n = 0;
    for (let p = this.lowerBound(range[0]); p < this.register.length && this.register[p]! <= range[1]; p++) n += this.seenFlags[p]!;
    for (const no of this.extra.keys()) if (no >= range[0] && no <= range[1]) n++;
    return n;
  }

  /** Registered box numbers in [from, to], in order. */
  registered(range: BoxRange): number[] {
    const out: number[] = [];
    for (let p = this.lowerBound(range[0]); p < this.register.length && this.register[p]! <= range[1]; p++) out.push(this.register[p]!);
    return out;
  }

  get bounds(): BoxRange | null {
    if (!this.register.length && !this.extra.size) return null;
    const nos = [...this.extra.keys()];
    const lo = Math.min(...nos, this.register.length ? this.register[0]! : Infinity);
    const hi = Math.max(...nos, this.register.length ? this.register[this.register.length - 1]! : -Infinity);
    return [lo, hi];
  }

  /**
   * Box-number ranges covering every registered box we have not seen: runs of unseen boxes,
   * merged when at most `gap` seen boxes lie between them (a range costs a request and an
   * aggregate row; a seen box inside a range costs one row), then the closest runs merged until
   * at most `maxRanges` remain. Empty when every registered box has been seen.
   */
  unseenRanges(maxRanges: number, gap: number): BoxRange[] {
    const runs: Array<{ from: number; to: number; gapBefore: number }> = [];
    let seenSince = 0;
    for (let p = 0; p < this.register.length; p++) {
      if (this.seenFlags[p]) {
        seenSince++;
        continue;
      }
      const last = runs[runs.length - 1];
      if (last && last.to === p - 1) last.to = p;
      else if (last && seenSince <= gap) last.to = p;
      else runs.push({ from: p, to: p, gapBefore: seenSince });
      seenSince = 0;
    }
    while (runs.length > Math.max(1, maxRanges)) {
      let best = 1;
      for (let i = 2; i < runs.length; i++) if (runs[i]!.gapBefore < runs[best]!.gapBefore) best = i;
      runs[best - 1]!.to = runs[best]!.to;
      runs.splice(best, 1);
    }
    return runs.map((r) => [this.register[r.from]!, this.register[r.to]!] as const);
  }
}

/** What the watcher needs from the feed for one district (implemented over the YSK client and ingest). */
export interface DistrictIO {
  /** Fetches and ingests the box rows of a range (null = the whole district); answers each row's number and fingerprint. */
  fetchBoxes(range: BoxRange | null): Promise<Array<{ boxNo: number; fp: Fingerprint }>>;
  /** The aggregate of a box-number range of the district (null when the feed gave none). */
  probe(range: BoxRange): Promise<Aggregate | null>;
  /** Rows YSK sent in this refresh's fetches that could not be read (rejected as incidents). */
  unreadRows?(): number;
}

export interface RefreshOptions {
  /** box-list requests at most per refresh for unseen boxes */
  maxRanges: number;
  /** runs of unseen boxes closer than this many seen boxes are fetched as one range */
  gap: number;
  /** a range with at most this many held boxes is fetched instead of bisected further */
  leaf: number;
  /** aggregate probes at most per refresh (then the rest is fetched) */
  maxProbes: number;
}

export const DEFAULT_REFRESH: RefreshOptions = { maxRanges: 4, gap: 3, leaf: 8, maxProbes: 16 };

/** Everything the poller keeps per (ballot type, district). */
export class DistrictWatch {
  readonly boxes: DistrictBoxes;
  /** the newest aggregate row seen */
  agg: Aggregate | null = null;
  /** the aggregate state our stored boxes were last found to match */
  settledSig: string | null = null;
  /** when its aggregate moved past what we hold (null = nothing outstanding) */
  dueSince: number | null = null;
  lastFetchAt: number | null = null;
  lastFullAt: number | null = null;
  lastMovedAt: number | null = null;
  /** when our data was last known to equal YSK's (a settled aggregate, or a fetch) */
  lastVerifiedAt: number;
  /** refreshes in a row whose sums did not come out equal */
  mismatches = 0;
  /** false once the aggregate and the boxes never agree: then every move fetches the whole list */
  trustSums = true;
  /** fetch the whole list next time (a resweep, a quiet check, an unexplained mismatch) */
  forceFull = false;
  /**
   * Whether this district's aggregate `versiyon` is the sum of its boxes' (null: not known yet).
   * Learnt after a whole list whose figures sum to the aggregate; when true, a revision that
   * changes no figure is found by its version alone.
   */
  versionSums: boolean | null = null;
  /** legacy cadence when no aggregate is available: polls in a row that found nothing new, and the sweep of the last */
  unchangedPolls = 0;
  lastPolledSweep = 0;

  constructor(register: readonly number[], now: number) {
    this.boxes = new DistrictBoxes(register);
    this.lastVerifiedAt = now;
  }

  /** Boxes opened that we have not fetched, plus one for an unexplained change of figures. */
  get unseen(): number {
    if (!this.agg) return 1;
    const missing = Math.max(0, this.agg.opened - this.boxes.seenCount);
    return missing + (missing === 0 && this.agg.sig !== this.settledSig ? 1 : 0);
  }

  /**
   * A new aggregate row from a sweep: settled when it is the state we already match (or an
   * empty district we hold nothing of), else the district is due. Answers which.
   */
  noteAggregate(agg: Aggregate): 'settled' | 'due' {
    this.agg = agg;
    const explained =
      agg.sig === this.settledSig ||
      (agg.opened === 0 && this.boxes.seenCount === 0) ||
      // what we fetched since already sums to it (our rows were newer than the last aggregate)
      (this.trustSums && agg.opened === this.boxes.seenCount && sameFingerprint(this.boxes.sum(), agg.fp, this.versionSums === true));
    if (explained) {
      this.settle(agg);
      return 'settled';
    }
    this.lastMovedAt = agg.at;
    this.dueSince ??= agg.at;
    return 'due';
  }

  settle(agg: Aggregate): void {
    this.settledSig = agg.sig;
    // a newer aggregate that arrived meanwhile keeps the district due
    if (!this.agg || this.agg.sig === agg.sig) this.dueSince = null;
    this.mismatches = 0;
    this.lastVerifiedAt = Math.max(this.lastVerifiedAt, agg.at);
  }

  /** A newer aggregate than `used` arrived and is not explained yet: refresh again now rather than a sweep later. */
  movedSince(used: Aggregate | null): boolean {
    return !!this.agg && this.agg !== used && this.agg.sig !== this.settledSig;
  }

  /** Due for a routine whole-list check: quiet for `quietMs` and not fetched whole for as long. */
  quietCheckDue(now: number, quietMs: number): boolean {
    if (this.dueSince !== null || this.boxes.seenCount === 0) return false;
    return now - (this.lastMovedAt ?? 0) >= quietMs && now - (this.lastFullAt ?? 0) >= quietMs;
  }
}

export interface RefreshOutcome {
  settled: boolean;
  /** the aggregate moved again while this refresh ran: refresh once more */
  again: boolean;
  /** box-list requests and aggregate probes made */
  fetches: number;
  probes: number;
  /** whole-district fetch */
  full: boolean;
  reason: string;
}

/**
 * Brings one district up to its newest aggregate with as few rows as it can (see the top of
 * this file). `full` forces a whole-list fetch.
 */
export async function refreshDistrict(w: DistrictWatch, io: DistrictIO, opts: RefreshOptions, now: number, full = false): Promise<RefreshOutcome> {
  const agg = w.agg;
  let fetches = 0;
  let probes = 0;
  const take = (rows: Array<{ boxNo: number; fp: Fingerprint }>) => {
    for (const r of rows) w.boxes.observe(r.boxNo, r.fp);
  };
  const whole = full || !agg || !w.trustSums || w.forceFull || w.boxes.registerSize === 0;
  if (whole) {
    take(await io.fetchBoxes(null));
    fetches++;
    w.lastFullAt = now;
    w.forceFull = false;
  } else if (agg.opened > w.boxes.seenCount) {
    const ranges = w.boxes.unseenRanges(opts.maxRanges, opts.gap);
    if (!ranges.length) {
      // every registered box is held, yet more are open: the register is incomplete
      take(await io.fetchBoxes(null));
      fetches++;
      w.lastFullAt = now;
    } else {
      for (const r of ranges) {
        take(await io.fetchBoxes(r));
        fetches++;
      }
    }
  }
  w.lastFetchAt = now;
  const done = (settled: boolean, reason: string): RefreshOutcome => ({ settled, again: w.movedSince(agg), fetches, probes, full: whole, reason });
  if (!agg) {
    w.lastVerifiedAt = now;
    w.dueSince = null;
    return done(true, 'no aggregate: whole list fetched');
  }
  const unread = io.unreadRows?.() ?? 0;
  if (unread > 0) {
    // a row we could not read is why the sums differ, not the aggregate: the district stays due
    // (a whole list each sweep) until YSK sends the row right; the sums stay trusted
    w.forceFull = true;
    return done(false, `${unread} row(s) YSK sent could not be read: fetched again next sweep`);
  }
  if (!w.trustSums) {
    // the aggregate only says "moved": the whole list was fetched, which is all we can do
    w.settle(agg);
    w.lastVerifiedAt = now;
    return done(true, 'whole list fetched (aggregate sums not comparable)');
  }
  const held = w.boxes.seenCount;
  if (held > agg.opened)
    return done(false, `we hold ${held} boxes, the aggregate counts ${agg.opened}: it is older than our rows, the next sweep compares again`);
  if (held < agg.opened) {
    if (whole) return unexplained(w, done, `the aggregate counts ${agg.opened} open boxes, the whole list has ${held}`);
    w.forceFull = true;
    return done(false, `${agg.opened - held} open boxes not found in the ranges fetched: whole list next`);
  }
  const withVersion = w.versionSums === true;
  if (sameFingerprint(w.boxes.sum(), agg.fp, false)) {
    const versionsAgree = sameFingerprint(w.boxes.sum(), agg.fp, true);
    // versions that add up are evidence enough; that they do not, only a whole list can show
    if (versionsAgree && w.versionSums === null) w.versionSums = true;
    if (!versionsAgree && whole && w.versionSums === null) w.versionSums = false;
    if (versionsAgree || w.versionSums === false) {
      w.settle(agg);
      return done(true, 'sums equal the aggregate');
    }
    if (w.versionSums === null) {
      // figures agree, versions do not, and we do not know yet whether they should: look at the whole list
      w.forceFull = true;
      return done(false, 'figures equal the aggregate, versions not: whole list next');
    }
  }
  if (!whole) {
    // as many boxes as the aggregate, other figures (or versions): a box we hold was revised. Find it.
    const bounds = w.boxes.bounds;
    if (bounds) {
      const budget = { probes: opts.maxProbes };
      const counters = { fetches: 0, probes: 0 };
      await locate(w, io, opts, bounds, { fp: agg.fp, opened: agg.opened }, budget, counters, take, withVersion);
      fetches += counters.fetches;
      probes += counters.probes;
      if (w.boxes.seenCount === agg.opened && sameFingerprint(w.boxes.sum(), agg.fp, withVersion)) {
        w.settle(agg);
        return done(true, `revision located with ${counters.probes} aggregate probes`);
      }
    }
  }
  if (whole) return unexplained(w, done, 'the whole list does not sum to the aggregate');
  w.mismatches++;
  w.forceFull = true;
  return done(false, 'sums differ after locating: whole list next');
}

function unexplained(w: DistrictWatch, done: (settled: boolean, reason: string) => RefreshOutcome, reason: string): RefreshOutcome {
  w.mismatches++;
  if (w.mismatches >= 2) {
    // twice in a row after a whole-list fetch: this feed's aggregates are not plain sums of its rows
    w.trustSums = false;
    w.settle(w.agg!);
    return done(true, `${reason}; aggregate sums no longer trusted for this district`);
  }
  return done(false, reason);
}

/** Bisects [lo, hi] with range aggregates until the ranges whose sums differ are small, then fetches them. */
async function locate(
  w: DistrictWatch,
  io: DistrictIO,
  opts: RefreshOptions,
  range: BoxRange,
  target: { fp: Fingerprint; opened: number },
  budget: { probes: number },
  counters: { fetches: number; probes: number },
  take: (rows: Array<{ boxNo: number; fp: Fingerprint }>) => void,
  withVersion: boolean,
): Promise<void> {
  const numbers = w.boxes.registered(range);
  if (w.boxes.seenIn(range) <= opts.leaf || numbers.length < 2 || budget.probes <= 0) {
    take(await io.fetchBoxes(range));
    counters.fetches++;
    return;
  }
  const mid = numbers[(numbers.length >> 1) - 1]!;
  const left: BoxRange = [range[0], mid];
  const right: BoxRange = [mid + 1, range[1]];
  budget.probes--;
  counters.probes++;
  const leftAgg = await io.probe(left);
  if (!leftAgg) {
    take(await io.fetchBoxes(range));
    counters.fetches++;
    return;
  }
  const rightTarget = { fp: minus(target.fp, leftAgg.fp), opened: target.opened - leftAgg.opened };
  const differs = (r: BoxRange, t: { fp: Fingerprint; opened: number }) =>
    w.boxes.seenIn(r) !== t.opened || !sameFingerprint(w.boxes.sum(r), t.fp, withVersion);
  if (differs(left, leftAgg)) await locate(w, io, opts, left, leftAgg, budget, counters, take, withVersion);
  if (differs(right, rightTarget)) await locate(w, io, opts, right, rightTarget, budget, counters, take, withVersion);
}
