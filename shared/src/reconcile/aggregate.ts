import type { BoxCounters } from '../api/contracts';
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
