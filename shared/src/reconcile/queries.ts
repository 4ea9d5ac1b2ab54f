import type { BoxCounters, BoxSummary, Coverage, Page, Scope } from '../api/contracts';
import type { ListHeads, RegionCounters } from '../api/live';
import { BALLOT_CODES, type BallotCode } from '../domain/ballot';
import { BOX_KINDS, boxKey, parseBoxKey, type BoxKind, type BoxRef } from '../domain/box';
import type { BoxStatus } from '../domain/status';
import type { Aggregate } from './aggregate';
import type { RegionAggregates } from './aggregates';
import { CONFLICTING, EQUAL, HAS_ORG, HAS_YSK, STALE, UNCONFIRMED, type BoxColumns } from './columns';
import { sheetDifferences } from './compare';
import { sideWarnings } from './reconcile-box';
import { BALLOT_SLOTS, ballotSlotOf, type Region, type Regions } from './regions';
import { emptyCounters } from './types';

export type ListSort = 'key' | 'ysk_age' | 'difference' | 'altered';
export const LIST_SORTS: readonly ListSort[] = ['key', 'ysk_age', 'difference', 'altered'];
export type ListFlag = 'stale' | 'altered' | 'conflicting' | 'unconfirmed';

/** Most list heads `heads` returns per list. */
export const MAX_HEADS = 1000;
export const DEFAULT_HEADS = 20;

export interface ListQuery {
  province?: number;
  district?: number;
  ballot?: BallotCode;
  status?: BoxStatus;
  flag?: ListFlag;
  sort?: ListSort;
  /** 1…1000, default 50 */
  limit?: number;
  cursor?: string | null;
}

/**
 * What the readers ask of the state, read-only over the columns and the aggregates: counters,
 * coverage and child regions of a scope, the list heads (cached per aggregate), box summaries
 * (those on the heads cached) and list pages.
 */
export class StateQueries {
  /** the fields an image of the state leaves out (see `ReconciliationState.image`) */
  static readonly NOT_IMAGED: ReadonlySet<string> = new Set(['columns', 'regions', 'aggregates', 'clock', 'summaries', 'byAge', 'byAltered', 'byDifference']);

  /** how many of each list the cached heads hold */
  private headCap = DEFAULT_HEADS;
  private readonly byAge = (a: number, b: number) => this.compare('ysk_age', a, b);
  private readonly byAltered = (a: number, b: number) => this.compare('altered', a, b);
  private readonly byDifference = (a: number, b: number) => this.compare('difference', a, b);

  /**
   * @param summaries summaries of box-results on the list heads, dropped (by the aggregates) when the box-result changes
   */
  constructor(
    private readonly columns: BoxColumns,
    private readonly regions: Regions,
    private readonly aggregates: RegionAggregates,
    private readonly summaries: Map<number, BoxSummary>,
    private readonly clock: () => number,
  ) {}

  private aggregatesOf(region: Region, ballot: BallotCode | null): Aggregate[] {
    if (ballot !== null) return [this.aggregates.at(region.slot, ballotSlotOf.get(ballot)!)];
    return Array.from({ length: BALLOT_SLOTS }, (_, b) => this.aggregates.at(region.slot, b));
  }

  /** Box counters of a scope; ballot null sums every ballot type (total counts box-results). */
  counters(scope: Scope, ballot: BallotCode | null): BoxCounters {
    const region = this.regions.scopeRegion(scope);
    const sum = emptyCounters();
    if (!region) return sum;
    for (const agg of this.aggregatesOf(region, ballot)) {
      for (const field of Object.keys(sum) as (keyof BoxCounters)[]) sum[field] += agg.counters[field];
    }
    return sum;
  }

  /** Box counters of a scope per kind of box (they add up to `counters`). */
  kindCounters(scope: Scope, ballot: BallotCode | null): Record<BoxKind, BoxCounters> {
    const out = Object.fromEntries(BOX_KINDS.map((k) => [k, emptyCounters()])) as Record<BoxKind, BoxCounters>;
    const region = this.regions.scopeRegion(scope);
    if (!region) return out;
    for (const agg of this.aggregatesOf(region, ballot)) {
      BOX_KINDS.forEach((kind, k) => {
        const c = agg.kinds[k];
        if (!c) return;
        const into = out[kind];
        for (const field of Object.keys(into) as (keyof BoxCounters)[]) into[field] += c[field];
      });
    }
    return out;
  }

  coverage(scope: Scope, ballot: BallotCode | null): Coverage {
    const region = this.regions.scopeRegion(scope);
    const coverage: Coverage = {
      scope,
      ballot,
      asOf: new Date(this.clock()).toISOString(),
      boxes: this.counters(scope, ballot),
      kinds: this.kindCounters(scope, ballot),
      votes: { ysk: {}, org: {}, both: { boxes: 0, ysk: {}, org: {} } },
      registered: 0,
      voted: 0,
      valid: 0,
      invalid: 0,
    };
    if (!region) return coverage;
    const figures = this.columns.figures;
    for (let b = 0; b < BALLOT_SLOTS; b++) {
      if (ballot !== null && BALLOT_CODES[b] !== ballot) continue;
      const agg = this.aggregates.at(region.slot, b);
      coverage.registered += agg.registered;
      coverage.voted += agg.voted;
      coverage.valid += agg.valid;
      coverage.invalid += agg.invalid;
      const both = (coverage.votes.both ??= { boxes: 0, ysk: {}, org: {} });
      both.boxes += agg.counters.match + agg.counters.mismatch;
      for (const [sums, into] of [
        [agg.yskVotes, coverage.votes.ysk],
        [agg.orgVotes, coverage.votes.org],
        [agg.bothYskVotes, both.ysk],
        [agg.bothOrgVotes, both.org],
      ] as const) {
        for (let p = 0; p < sums.length; p++) {
          if (sums[p] === 0) continue;
          const name = figures.partyName(b, p);
          into[name] = (into[name] ?? 0) + sums[p]!;
        }
      }
    }
    return coverage;
  }

  /** Counters of the child regions: provinces (by plate) of the country, districts (by id) of a province. */
  childRegions(scope: Scope, ballot: BallotCode | null): RegionCounters {
    const out: RegionCounters = {};
    const region = this.regions.scopeRegion(scope);
    if (!region || region.level === 'district') return out;
    for (const child of region.children) {
      const r = this.regions.at(child);
      const scopeOfChild: Scope =
        r.level === 'province' ? { level: 'province', province: r.province } : { level: 'district', province: r.province, district: r.district };
      out[String(r.level === 'province' ? r.province : r.district)] = this.counters(scopeOfChild, ballot);
    }
    return out;
  }

  /** See `ReconciliationState.heads`. */
  heads(scope: Scope, ballot: BallotCode | null, limit = DEFAULT_HEADS): ListHeads {
    const region = this.regions.scopeRegion(scope);
    if (!region) return { stale: [], altered: [], mismatches: [], waiting: [] };
    const n = limit >= 1 ? Math.min(MAX_HEADS, Math.floor(limit)) : 0;
    if (n > this.headCap) {
      this.headCap = n;
      this.aggregates.forgetHeads();
    }
    const lists: number[][][] = [];
    for (let b = 0; b < BALLOT_SLOTS; b++) if (ballot === null || BALLOT_CODES[b] === ballot) lists.push(this.headsOf(region.slot, b));
    const pick = (list: number, compare: (a: number, b: number) => number) => {
      let items: number[];
      if (lists.length === 1) items = lists[0]![list]!.slice(0, n);
      else {
        const top = new TopN(n, compare);
        for (const heads of lists) for (const i of heads[list]!) if (!top.offer(i)) break;
        items = top.items();
      }
      return items.map((i) => this.headSummary(i));
    };
    return { stale: pick(0, this.byAge), altered: pick(1, this.byAltered), mismatches: pick(2, this.byDifference), waiting: pick(3, this.byAge) };
  }

  /**
   * The summary of a box-result on the heads: built once per change of the box-result (the
   * heads go out with every live batch), its age brought up to now. Treat it as read-only:
   * its sheets are shared with the cached one.
   */
  private headSummary(i: number): BoxSummary {
    let summary = this.summaries.get(i);
    if (!summary) {
      if (this.summaries.size >= 4 * MAX_HEADS) this.summaries.clear();
      summary = this.summaryAt(i);
      this.summaries.set(i, summary);
      return summary;
    }
    const c = this.columns;
    return { ...summary, yskAgeMs: c.flags[i]! & HAS_YSK ? Math.max(0, this.clock() - c.publishedAt[i]!) : null };
  }

  /** The cached heads [stale, altered, mismatch, waiting] of a (region, ballot slot), taken again when forgotten. */
  private headsOf(slot: number, b: number): number[][] {
    const agg = this.aggregates.at(slot, b);
    if (agg.heads) return agg.heads;
    const stale = new TopN(this.headCap, this.byAge);
    const altered = new TopN(this.headCap, this.byAltered);
    const mismatch = new TopN(this.headCap, this.byDifference);
    const waiting = new TopN(this.headCap, this.byAge);
    const c = agg.counters;
    const region = this.regions.at(slot);
    const columns = this.columns;
    if (c.stale + c.altered + c.mismatch + c.yskOnly > 0) {
      if (region.level === 'district') {
        for (let i = region.firstMember[b]!; i >= 0; i = columns.nextMember[i]!) {
          const f = columns.flags[i]!;
          if (f & STALE) stale.offer(i);
          if (columns.isAltered(i)) altered.offer(i);
          if ((f & (HAS_YSK | HAS_ORG | EQUAL)) === (HAS_YSK | HAS_ORG)) mismatch.offer(i);
          if ((f & (HAS_YSK | HAS_ORG)) === HAS_YSK) waiting.offer(i);
        }
      } else {
        for (const child of region.children) {
          const [s, a, m, w] = this.headsOf(child, b) as [number[], number[], number[], number[]];
          // each child's heads are sorted: the first one that does not make it ends that child
          for (const i of s) if (!stale.offer(i)) break;
          for (const i of a) if (!altered.offer(i)) break;
          for (const i of m) if (!mismatch.offer(i)) break;
          for (const i of w) if (!waiting.offer(i)) break;
        }
      }
    }
    return (agg.heads = [stale.items(), altered.items(), mismatch.items(), waiting.items()]);
  }

  summary(key: string): BoxSummary | null {
    const i = this.columns.lookupKey(key);
    return i < 0 ? null : this.summaryAt(i);
  }

  private summaryAt(i: number): BoxSummary {
    const c = this.columns;
    const ref = c.refOf(i);
    const flags = c.flagsAt(i);
    const f = c.flags[i]!;
    const ysk = c.readSide(i, 'ysk');
    const org = c.readSide(i, 'org');
    const now = this.clock();
    return {
      key: boxKey(ref),
      ...ref,
      kind: BOX_KINDS[c.kind[i]!]!,
      status: flags.status,
      altered: flags.altered,
      alteredBeforeSeen: c.alteredBeforeSeen(i),
      conflicting: flags.conflicting,
      unconfirmed: flags.unconfirmed,
      stale: flags.stale,
      yskAgeMs: f & HAS_YSK ? Math.max(0, now - c.publishedAt[i]!) : null,
      yskPublishedAt: f & HAS_YSK ? new Date(c.publishedAt[i]!).toISOString() : null,
      enteredAt: f & HAS_ORG ? new Date(c.enteredAt[i]!).toISOString() : null,
      ysk,
      org,
      differences: ysk && org ? sheetDifferences(ysk, org).differences : {},
      totalAbsDifference: flags.totalAbsDifference,
      versions: flags.versions,
      warnings: sideWarnings(ysk, org),
    };
  }

  /** The sort's primary value: ascending order puts the interesting boxes first. */
  private primary(sort: ListSort, i: number): number {
    const c = this.columns;
    const published = (c.flags[i]! & HAS_YSK) !== 0;
    switch (sort) {
      case 'key':
        return 0;
      case 'ysk_age':
        return published ? c.publishedAt[i]! : Infinity;
      case 'difference':
        return -c.totalAbs[i]!;
      case 'altered':
        return published ? -c.changedAt[i]! : Infinity;
    }
  }

  /** Every stale box-result's ref in the lists' key order (province, district, box, ballot): `list` without its summaries. */
  staleRefs(): BoxRef[] {
    const c = this.columns;
    const stale: number[] = [];
    for (let i = 0; i < c.count; i++) if (c.flags[i]! & STALE) stale.push(i);
    return stale.sort((a, b) => this.compareTuple(a, b)).map((i) => c.refOf(i));
  }

  private compareTuple(a: number, b: number): number {
    const c = this.columns;
    const ra = this.regions.at(c.districtRegion[a]!);
    const rb = this.regions.at(c.districtRegion[b]!);
    return (
      ra.province - rb.province ||
      ra.district - rb.district ||
      c.boxNo[a]! - c.boxNo[b]! ||
      compareText(c.rumuzAt(a), c.rumuzAt(b)) ||
      c.ballotSlot[a]! - c.ballotSlot[b]!
    );
  }

  private compare(sort: ListSort, a: number, b: number): number {
    return this.primary(sort, a) - this.primary(sort, b) || this.compareTuple(a, b);
  }

  /** A page of box summaries in a scope, filtered and sorted; `cursor` continues after the last row. */
  list(query: ListQuery): Page<BoxSummary> {
    const c = this.columns;
    const sort = query.sort ?? 'key';
    const limit = Math.min(1000, Math.max(1, Math.floor(query.limit ?? 50)));
    const ballotSlot = query.ballot === undefined ? -1 : (ballotSlotOf.get(query.ballot) ?? -2);
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !after) throw new RangeError(`invalid cursor ${JSON.stringify(query.cursor)}`);
    const top = new TopN(limit + 1, (a, b) => this.compare(sort, a, b));
    let total = 0;
    const consider = (i: number) => {
      if (query.status && c.statusAt(i) !== query.status) return;
      if (query.flag) {
        const f = c.flags[i]!;
        if (query.flag === 'stale' && !(f & STALE)) return;
        if (query.flag === 'conflicting' && !(f & CONFLICTING)) return;
        if (query.flag === 'unconfirmed' && !(f & UNCONFIRMED)) return;
        if (query.flag === 'altered' && !c.isAltered(i)) return;
      }
      total++;
      if (after && !this.isAfter(sort, i, after)) return;
      top.offer(i);
    };
    for (const district of this.regions.districtsOf(query)) {
      for (let b = 0; b < BALLOT_SLOTS; b++)
        if (ballotSlot === -1 || ballotSlot === b) for (let i = district.firstMember[b]!; i >= 0; i = c.nextMember[i]!) consider(i);
    }
    const rows = top.items();
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((i) => this.summaryAt(i)),
      nextCursor: more && last !== undefined ? encodeCursor(this.primary(sort, last), boxKey(c.refOf(last))) : null,
      total,
    };
  }

  private isAfter(sort: ListSort, i: number, cursor: { primary: number; ref: BoxRef }): boolean {
    const p = this.primary(sort, i);
    if (p !== cursor.primary) return p > cursor.primary;
    const c = this.columns;
    const region = this.regions.at(c.districtRegion[i]!);
    const ref = cursor.ref;
    const d =
      region.province - ref.province ||
      region.district - ref.district ||
      c.boxNo[i]! - ref.boxNo ||
      compareText(c.rumuzAt(i), ref.rumuz ?? '') ||
      c.ballotSlot[i]! - ballotSlotOf.get(ref.ballot)!;
    return d > 0;
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeCursor(primary: number, key: string): string {
  return `${primary}~${key}`;
}

function decodeCursor(cursor: string): { primary: number; ref: BoxRef } | null {
  const at = cursor.indexOf('~');
  if (at < 0) return null;
  const primary = Number(cursor.slice(0, at));
  const ref = parseBoxKey(cursor.slice(at + 1));
  return Number.isNaN(primary) || !ref ? null : { primary, ref };
}

/** Keeps the `limit` smallest of the offered items under `compare`, sorted. */
class TopN {
  private readonly buffer: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly compare: (a: number, b: number) => number,
  ) {}

  /** False when the item is not among the `limit` smallest so far. */
  offer(item: number): boolean {
    const buffer = this.buffer;
    if (buffer.length >= this.limit && (this.limit <= 0 || this.compare(item, buffer[buffer.length - 1]!) >= 0)) return false;
    let lo = 0;
    let hi = buffer.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(buffer[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    buffer.splice(lo, 0, item);
    if (buffer.length > this.limit) buffer.pop();
    return true;
  }

  items(): number[] {
    return this.buffer;
  }
}
