import type { BoxCounters, BoxSummary } from '../api/contracts';
import type { Sheet } from '../domain/sheet';
import { Aggregate, packAggregates, unpackAggregates, type PackedAggregates } from './aggregate';
import { COUNTED, HAS_ORG, HAS_YSK, PENDING, CONFLICTING, EQUAL, STALE, UNCONFIRMED, type BoxColumns } from './columns';
import { HEADER_FIGURES } from './figure-store';
import { BALLOT_SLOTS, type Regions } from './regions';

/** the parts of a box-result's share of an aggregate (`contribute`) */
export const PART_COUNTERS = 1;
export const PART_YSK = 2;
export const PART_ORG = 4;

/**
 * Counters and sums per (region, ballot slot), kept from the columns: each change takes the
 * box-result's old share out of its district, province and country and puts the new one in
 * (O(parties), no re-scans), or moves the sums by new − old of a rewritten sheet; `recount`
 * takes them all again in one pass over the columns.
 */
export class RegionAggregates {
  /** the fields an image of the state leaves out (see `ReconciliationState.image`); `aggregates` goes packed (`pack`) */
  static readonly NOT_IMAGED: ReadonlySet<string> = new Set(['columns', 'regions', 'summaries', 'aggregates']);

  /** one per region slot × BALLOT_SLOTS + ballot slot */
  readonly aggregates: (Aggregate | undefined)[] = [];
  /** new − old per figure of a rewritten sheet (`rewriteLive`) */
  private delta: Float64Array = new Float64Array(64);

  /**
   * @param summaries the query side's summary cache: a box-result's summary goes when its share changes
   */
  constructor(
    private readonly columns: BoxColumns,
    private readonly regions: Regions,
    private readonly summaries: Map<number, BoxSummary>,
  ) {
    this.cover();
  }

  /** Makes the aggregates of the regions made since. */
  cover(): void {
    while (this.aggregates.length < this.regions.size * BALLOT_SLOTS) this.aggregates.push(new Aggregate());
  }

  /** The aggregates as flat arrays, for a state image. */
  pack(): PackedAggregates {
    return packAggregates(this.aggregates);
  }

  /** Takes the aggregates back from `pack`. */
  unpack(packed: PackedAggregates): void {
    this.aggregates.length = 0;
    for (const agg of unpackAggregates(packed)) this.aggregates.push(agg);
  }

  at(regionSlot: number, ballotSlot: number): Aggregate {
    return this.aggregates[regionSlot * BALLOT_SLOTS + ballotSlot]!;
  }

  /** Drops every cached list head (see `Aggregate.heads`). */
  forgetHeads(): void {
    for (const agg of this.aggregates) agg!.heads = null;
  }

  /** Counts a new box-result (no sides yet) into its three aggregates. */
  addBox(i: number): void {
    const c = this.columns;
    const b = c.ballotSlot[i]!;
    const district = c.districtRegion[i]!;
    const k = c.kind[i]!;
    for (const slot of [district, this.regions.at(district).parent, 0]) {
      const agg = this.at(slot, b);
      agg.counters.total++;
      agg.kindCounters(k).total++;
    }
  }

  /** Adds (sign 1) or removes (sign −1) box-result `i`'s share of its three aggregates. */
  contribute(i: number, parts: number, sign: 1 | -1): void {
    const c = this.columns;
    const b = c.ballotSlot[i]!;
    const district = c.districtRegion[i]!;
    const province = this.regions.at(district).parent;
    const forgetHeads = (parts & PART_COUNTERS) !== 0 && c.listed(i);
    this.summaries.delete(i);
    for (let level = 0; level < 3; level++) {
      const agg = this.at(level === 0 ? district : level === 1 ? province : 0, b);
      this.accumulate(agg, i, parts, sign);
      if (forgetHeads) agg.heads = null;
    }
  }

  /** Adds (sign 1) or removes (sign −1) box-result `i`'s share of one aggregate. */
  private accumulate(agg: Aggregate, i: number, parts: number, sign: 1 | -1): void {
    const c = this.columns;
    const f = c.flags[i]!;
    if (parts & PART_COUNTERS) {
      const altered = c.isAltered(i);
      countInto(agg.counters, f, altered, sign);
      countInto(agg.kindCounters(c.kind[i]!), f, altered, sign);
    }
    const store = c.figures;
    if (f & HAS_YSK && parts & PART_YSK) {
      const o = c.yskOffset[i]!;
      agg.registered += sign * store.get(o);
      agg.voted += sign * store.get(o + 1);
      agg.valid += sign * store.get(o + 4);
      agg.invalid += sign * store.get(o + 5);
      const layout = store.layout(c.yskLayout[i]!);
      store.addVotes(agg.sums(false, layout.partySpan), o, layout, sign);
    }
    if (f & HAS_ORG && parts & PART_ORG) {
      const layout = store.layout(c.orgLayout[i]!);
      store.addVotes(agg.sums(true, layout.partySpan), c.orgOffset[i]!, layout, sign);
    }
    // the both-sides sums change with either sheet, and with either side's arrival (which
    // always comes with that side's part): like with like for the vote panel
    if ((f & (HAS_YSK | HAS_ORG)) === (HAS_YSK | HAS_ORG) && parts & (PART_YSK | PART_ORG)) {
      const yskLayout = store.layout(c.yskLayout[i]!);
      store.addVotes(agg.bothSums(false, yskLayout.partySpan), c.yskOffset[i]!, yskLayout, sign);
      const orgLayout = store.layout(c.orgLayout[i]!);
      store.addVotes(agg.bothSums(true, orgLayout.partySpan), c.orgOffset[i]!, orgLayout, sign);
    }
  }

  /**
   * `contribute(i, PART_COUNTERS, −1)` with what box-result `i` was (flags `f`, `altered`,
   * `kind`, on a list or not) and `contribute(i, PART_COUNTERS, 1)` with what it is, in one
   * pass over the three levels; nothing to count when what the counters read did not change.
   */
  recountFlags(i: number, f: number, altered: boolean, kind: number, listed: boolean): void {
    const c = this.columns;
    this.summaries.delete(i);
    const g = c.flags[i]!;
    const alteredNow = c.isAltered(i);
    const kindNow = c.kind[i]!;
    const forgetHeads = listed || c.listed(i);
    const same = (f & COUNTED) === (g & COUNTED) && altered === alteredNow && kind === kindNow;
    if (same && !forgetHeads) return;
    const b = c.ballotSlot[i]!;
    const district = c.districtRegion[i]!;
    for (let level = 0; level < 3; level++) {
      const agg = this.aggregates[(level === 0 ? district : level === 1 ? this.regions.at(district).parent : 0) * BALLOT_SLOTS + b]!;
      if (!same) {
        countInto(agg.counters, f, altered, -1);
        countInto(agg.kindCounters(kind), f, altered, -1);
        countInto(agg.counters, g, alteredNow, 1);
        countInto(agg.kindCounters(kindNow), g, alteredNow, 1);
      }
      if (forgetHeads) agg.heads = null;
    }
  }

  /**
   * Writes `sheet` as one side of a live box-result whose sums hold that side before and after
   * (its flags do not change here), and moves its district's, province's and country's sums:
   * in the layout held, by new − old of each figure in one pass over the three levels; in
   * another, by the old sheet's share out and the new one's in. True when a figure changed.
   */
  rewriteLive(i: number, side: 'ysk' | 'org', sheet: Sheet): boolean {
    const c = this.columns;
    const store = c.figures;
    const ysk = side === 'ysk';
    const layout = store.stage(c.ballotSlot[i]!, sheet);
    if (layout.id !== (ysk ? c.yskLayout : c.orgLayout)[i] || (ysk ? c.yskCap : c.orgCap)[i]! < layout.size) {
      const part = ysk ? PART_YSK : PART_ORG;
      this.contribute(i, part, -1);
      const changed = c.writeSide(i, side, sheet);
      this.contribute(i, part, 1);
      return changed;
    }
    const delta = (this.delta = store.deltaBuffer(this.delta, layout.size));
    if (!store.commitDelta((ysk ? c.yskOffset : c.orgOffset)[i]!, layout.size, delta)) return false;
    this.summaries.delete(i);
    const b = c.ballotSlot[i]!;
    const district = c.districtRegion[i]!;
    const both = (c.flags[i]! & (HAS_YSK | HAS_ORG)) === (HAS_YSK | HAS_ORG);
    const parties = layout.parties;
    const n = parties.length;
    const span = layout.partySpan;
    for (let level = 0; level < 3; level++) {
      const agg = this.aggregates[(level === 0 ? district : level === 1 ? this.regions.at(district).parent : 0) * BALLOT_SLOTS + b]!;
      if (ysk) {
        agg.registered += delta[0]!;
        agg.voted += delta[1]!;
        agg.valid += delta[4]!;
        agg.invalid += delta[5]!;
      }
      const sums = agg.sums(!ysk, span);
      if (both) {
        const bothSums = agg.bothSums(!ysk, span);
        for (let k = 0; k < n; k++) {
          const d = delta[HEADER_FIGURES + k]!;
          sums[parties[k]!]! += d;
          bothSums[parties[k]!]! += d;
        }
      } else for (let k = 0; k < n; k++) sums[parties[k]!]! += delta[HEADER_FIGURES + k]!;
    }
    return true;
  }

  /**
   * Recounts every aggregate in one pass over the columns (each box-result into its district,
   * districts into provinces and the country); a box-result a bulk load wrote (PENDING) is
   * handed to `settle` with its difference first, which sets its flags. The list heads are
   * taken again on demand.
   *
   * One walk per box-result: a box-result with both sides of one layout has its difference and
   * its both-sides sums taken in the same walk over its two sheets (`addPair`), and adds to the
   * district's YSK and organisation sums through those (`completeRecount`); its flags count
   * into the district's per-kind counters only, the district's counters being their sum.
   */
  recount(settle: (i: number, total: number) => void): void {
    for (const agg of this.aggregates) agg!.reset();
    this.summaries.clear();
    const c = this.columns;
    const store = c.figures;
    const flags = c.flags;
    for (let i = 0; i < c.count; i++) {
      const f = flags[i]!;
      const pending = (f & PENDING) !== 0;
      const agg = this.aggregates[c.districtRegion[i]! * BALLOT_SLOTS + c.ballotSlot[i]!]!;
      let total = 0;
      if (f & HAS_YSK) {
        const o = c.yskOffset[i]!;
        agg.registered += store.get(o);
        agg.voted += store.get(o + 1);
        agg.valid += store.get(o + 4);
        agg.invalid += store.get(o + 5);
        const yskLayout = store.layout(c.yskLayout[i]!);
        if (f & HAS_ORG) {
          const orgLayout = store.layout(c.orgLayout[i]!);
          if (yskLayout === orgLayout) {
            const span = yskLayout.partySpan;
            total = store.addPair(o, c.orgOffset[i]!, yskLayout, agg.bothSums(false, span), agg.bothSums(true, span));
          } else {
            store.addVotes(agg.bothSums(false, yskLayout.partySpan), o, yskLayout, 1);
            store.addVotes(agg.bothSums(true, orgLayout.partySpan), c.orgOffset[i]!, orgLayout, 1);
            if (pending) total = c.difference(i);
          }
        } else store.addVotes(agg.sums(false, yskLayout.partySpan), o, yskLayout, 1);
      } else if (f & HAS_ORG) {
        const orgLayout = store.layout(c.orgLayout[i]!);
        store.addVotes(agg.sums(true, orgLayout.partySpan), c.orgOffset[i]!, orgLayout, 1);
      }
      if (pending) {
        flags[i] = f & ~PENDING;
        settle(i, total);
      }
      countInto(agg.kindCounters(c.kind[i]!), flags[i]!, c.isAltered(i), 1);
    }
    for (const region of this.regions.regionList) {
      if (region.level !== 'district') continue;
      for (let b = 0; b < BALLOT_SLOTS; b++) {
        const agg = this.at(region.slot, b);
        agg.completeRecount();
        agg.addTo(this.at(region.parent, b));
        agg.addTo(this.at(0, b));
      }
    }
  }
}

/** Counts one box-result's flags into `c` (sign −1 takes them out). */
function countInto(c: BoxCounters, f: number, altered: boolean, sign: 1 | -1): void {
  c.total += sign;
  if (f & HAS_YSK) {
    c.yskPublished += sign;
    if (f & HAS_ORG) {
      if (f & EQUAL) c.match += sign;
      else c.mismatch += sign;
    } else c.yskOnly += sign;
  } else if (f & HAS_ORG) c.orgOnly += sign;
  if (f & HAS_ORG) c.entered += sign;
  if (f & STALE) c.stale += sign;
  if (altered) c.altered += sign;
  if (f & CONFLICTING) c.conflicting += sign;
  if (f & UNCONFIRMED) c.unconfirmed += sign;
}
