import type { BoxCounters } from '../api/contracts';
import { BOX_KINDS } from '../domain/box';
import { COUNTER_FIELDS, emptyCounters } from './types';

const NONE = new Float64Array(0);

/** Running totals of one (region, ballot type): counters, YSK header sums, vote sums per party index. */
export class Aggregate {
  readonly counters: BoxCounters = emptyCounters();
  /** the counters per kind of box (index into BOX_KINDS), made on first use */
  readonly kinds: (BoxCounters | undefined)[] = [];
  registered = 0;
  voted = 0;
  valid = 0;
  invalid = 0;
  /** YSK votes per party index of the ballot's dictionary (use `sums` to add) */
  yskVotes = NONE;
  /** the organisation's votes per party index */
  orgVotes = NONE;
  /** YSK's votes per party index over the box-results both sides have (YSK and an entry) */
  bothYskVotes = NONE;
  /** the organisation's votes per party index over the same box-results */
  bothOrgVotes = NONE;
  /**
   * The list heads, best first, as box-result indices: [stale, altered, mismatch]. Null when a
   * box-result that is or was on one of the lists changed since they were taken.
   */
  heads: number[][] | null = null;

  /** The counters of one kind of box (index into BOX_KINDS). */
  kindCounters(kind: number): BoxCounters {
    return (this.kinds[kind] ??= emptyCounters());
  }

  /** The YSK (org: the organisation's) vote sums, with room for party indices below `span`. */
  sums(org: boolean, span: number): Float64Array {
    const sums = org ? this.orgVotes : this.yskVotes;
    if (sums.length >= span) return sums;
    const grown = new Float64Array(Math.max(span, 2 * sums.length));
    grown.set(sums);
    if (org) this.orgVotes = grown;
    else this.yskVotes = grown;
    return grown;
  }

  /** The both-sides vote sums (YSK's, or with `org` the organisation's), with room for party indices below `span`. */
  bothSums(org: boolean, span: number): Float64Array {
    const sums = org ? this.bothOrgVotes : this.bothYskVotes;
    if (sums.length >= span) return sums;
    const grown = new Float64Array(Math.max(span, 2 * sums.length));
    grown.set(sums);
    if (org) this.bothOrgVotes = grown;
    else this.bothYskVotes = grown;
    return grown;
  }

  reset(): void {
    for (const field of COUNTER_FIELDS) this.counters[field] = 0;
    for (const c of this.kinds) if (c) for (const field of COUNTER_FIELDS) c[field] = 0;
    this.registered = this.voted = this.valid = this.invalid = 0;
    this.yskVotes.fill(0);
    this.orgVotes.fill(0);
    this.bothYskVotes.fill(0);
    this.bothOrgVotes.fill(0);
    this.heads = null;
  }

  /**
   * Completes a district's aggregate as `recount` fills it: the counters are the sum of the
   * per-kind counters, and the YSK (organisation) vote sums get the both-sides sums added, the
   * box-results with both sides having been summed into those only.
   */
  completeRecount(): void {
    const counters = this.counters;
    for (const c of this.kinds) if (c) for (const field of COUNTER_FIELDS) counters[field] += c[field];
    const bothYsk = this.bothYskVotes;
    const ysk = this.sums(false, bothYsk.length);
    for (let p = 0; p < bothYsk.length; p++) ysk[p]! += bothYsk[p]!;
    const bothOrg = this.bothOrgVotes;
    const org = this.sums(true, bothOrg.length);
    for (let p = 0; p < bothOrg.length; p++) org[p]! += bothOrg[p]!;
  }

  /** Adds this aggregate's totals to `into` (a parent region's). */
  addTo(into: Aggregate): void {
    for (const field of COUNTER_FIELDS) into.counters[field] += this.counters[field];
    this.kinds.forEach((c, k) => {
      if (!c) return;
      const target = into.kindCounters(k);
      for (const field of COUNTER_FIELDS) target[field] += c[field];
    });
    into.registered += this.registered;
    into.voted += this.voted;
    into.valid += this.valid;
    into.invalid += this.invalid;
    const ysk = into.sums(false, this.yskVotes.length);
    for (let p = 0; p < this.yskVotes.length; p++) ysk[p]! += this.yskVotes[p]!;
    const org = into.sums(true, this.orgVotes.length);
    for (let p = 0; p < this.orgVotes.length; p++) org[p]! += this.orgVotes[p]!;
    const bothYsk = into.bothSums(false, this.bothYskVotes.length);
    for (let p = 0; p < this.bothYskVotes.length; p++) bothYsk[p]! += this.bothYskVotes[p]!;
    const bothOrg = into.bothSums(true, this.bothOrgVotes.length);
    for (let p = 0; p < this.bothOrgVotes.length; p++) bothOrg[p]! += this.bothOrgVotes[p]!;
  }
}

/** An Aggregate's fields, as `packAggregates` writes them: a field added to the class and not to the packing is refused. */
const PACKED_FIELDS = ['counters', 'kinds', 'registered', 'voted', 'valid', 'invalid', 'yskVotes', 'orgVotes', 'bothYskVotes', 'bothOrgVotes', 'heads'];
/** the counters of an aggregate in `PackedAggregates.counters`: its own, then one set per kind of box */
const COUNTER_SETS = 1 + BOX_KINDS.length;

/**
 * The aggregates of a state as a few flat arrays (its image's `aggregates`, IMAGE_FORMAT 3).
 * Imaged one by one, the national state's ~7,400 aggregates were ~235,000 values in a
 * snapshot's header, which took longer to write and read back than all of the box columns.
 */
export interface PackedAggregates {
  count: number;
  /** per aggregate, COUNTER_FIELDS in order: its counters, then those of each kind of box (zero when not made) */
  counters: Float64Array;
  /** per aggregate: bit k set when the counters of kind k are made */
  kinds: Uint8Array;
  /** per aggregate: registered, voted, valid, invalid */
  header: Float64Array;
  /** per aggregate: the lengths of yskVotes, orgVotes, bothYskVotes and bothOrgVotes */
  spans: Int32Array;
  /** those sums, one after another */
  votes: Float64Array<ArrayBuffer>;
  /** per aggregate: −1 when its heads are not taken, else the number of lists, then each list's length and its indices */
  heads: Int32Array;
}

/** `aggregates` as flat arrays (see `PackedAggregates`). */
export function packAggregates(aggregates: readonly (Aggregate | undefined)[]): PackedAggregates {
  const count = aggregates.length;
  const fields = count > 0 ? Object.keys(aggregates[0]!) : PACKED_FIELDS;
  if (fields.join() !== PACKED_FIELDS.join()) throw new TypeError(`cannot pack an aggregate of fields ${fields.join(', ')}`);
  const C = COUNTER_FIELDS.length;
  const counters = new Float64Array(count * COUNTER_SETS * C);
  const kinds = new Uint8Array(count);
  const header = new Float64Array(count * 4);
  const spans = new Int32Array(count * 4);
  let length = 0;
  for (const agg of aggregates) length += agg!.yskVotes.length + agg!.orgVotes.length + agg!.bothYskVotes.length + agg!.bothOrgVotes.length;
  const votes = new Float64Array(length);
  const heads: number[] = [];
  let at = 0;
  const put = (from: BoxCounters, into: number) => {
    for (let f = 0; f < C; f++) counters[into + f] = from[COUNTER_FIELDS[f]!];
  };
  aggregates.forEach((agg, a) => {
    const base = a * COUNTER_SETS * C;
    put(agg!.counters, base);
    agg!.kinds.forEach((c, k) => {
      if (!c) return;
      kinds[a]! |= 1 << k;
      put(c, base + (1 + k) * C);
    });
    header.set([agg!.registered, agg!.voted, agg!.valid, agg!.invalid], a * 4);
    [agg!.yskVotes, agg!.orgVotes, agg!.bothYskVotes, agg!.bothOrgVotes].forEach((sums, s) => {
      spans[a * 4 + s] = sums.length;
      votes.set(sums, at);
      at += sums.length;
    });
    if (!agg!.heads) heads.push(-1);
    else {
      heads.push(agg!.heads.length);
      for (const list of agg!.heads) heads.push(list.length, ...list);
    }
  });
  return { count, counters, kinds, header, spans, votes, heads: Int32Array.from(heads) };
}

/** Aggregates back from `packAggregates`; their vote sums are views of `packed.votes`. */
export function unpackAggregates(packed: PackedAggregates): Aggregate[] {
  const { count, counters, kinds, header, spans, votes, heads } = packed;
  const C = COUNTER_FIELDS.length;
  if (counters.length !== count * COUNTER_SETS * C || kinds.length !== count || header.length !== count * 4 || spans.length !== count * 4)
    throw new Error('the packed aggregates do not fit together');
  const out: Aggregate[] = [];
  let at = 0;
  let h = 0;
  const sums = (s: number): Float64Array<ArrayBuffer> => {
    const n = spans[s]!;
    if (at + n > votes.length) throw new Error('the packed aggregates do not fit together');
    at += n;
    return n === 0 ? NONE : votes.subarray(at - n, at);
  };
  const take = (into: BoxCounters, from: number) => {
    for (let f = 0; f < C; f++) into[COUNTER_FIELDS[f]!] = counters[from + f]!;
  };
  for (let a = 0; a < count; a++) {
    // filled in place: the shape `new Aggregate()` makes, so the hot paths' inline caches see one kind of aggregate
    const agg = new Aggregate();
    const base = a * COUNTER_SETS * C;
    take(agg.counters, base);
    for (let k = 0; k < BOX_KINDS.length; k++) if ((kinds[a]! & (1 << k)) !== 0) take(agg.kindCounters(k), base + (1 + k) * C);
    agg.registered = header[a * 4]!;
    agg.voted = header[a * 4 + 1]!;
    agg.valid = header[a * 4 + 2]!;
    agg.invalid = header[a * 4 + 3]!;
    agg.yskVotes = sums(a * 4);
    agg.orgVotes = sums(a * 4 + 1);
    agg.bothYskVotes = sums(a * 4 + 2);
    agg.bothOrgVotes = sums(a * 4 + 3);
    const lists = heads[h++];
    if (lists === undefined) throw new Error('the packed aggregates do not fit together');
    if (lists >= 0) {
      const taken: number[][] = [];
      for (let l = 0; l < lists; l++) {
        const n = heads[h++]!;
        if (h + n > heads.length) throw new Error('the packed aggregates do not fit together');
        taken.push(Array.from(heads.subarray(h, (h += n))));
      }
      agg.heads = taken;
    }
    out.push(agg);
  }
  if (at !== votes.length || h !== heads.length) throw new Error('the packed aggregates do not fit together');
  return out;
}
