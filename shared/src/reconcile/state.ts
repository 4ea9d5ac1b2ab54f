import type { BoxCounters, BoxSummary, Coverage, Page, Scope } from '../api/contracts';
import type { ListHeads, RegionCounters } from '../api/live';
import { BALLOT_CODES, isBallotCode, type BallotCode } from '../domain/ballot';
import { boxKey, parseBoxKey, type BoxRef } from '../domain/box';
import { canonicalSheet } from '../domain/hash';
import type { Sheet } from '../domain/sheet';
import type { BoxStatus } from '../domain/status';
import { Aggregate, addVotes } from './aggregate';
import { sheetDifferences } from './compare';
import { FigureStore, HEADER_FIGURES, type Layout } from './figure-store';
import { sideWarnings, statusOf } from './reconcile-box';
import { DueQueue } from './stale-queue';
import { emptyCounters, type BoxChange, type BoxFlags, type EntryInput, type YskVersionInput } from './types';

const HAS_YSK = 1;
const HAS_ORG = 2;
const STALE = 4;
const CONFLICTING = 8;
const CONFIRMED = 16;
const EQUAL = 32;
const QUEUED = 64;

const PART_COUNTERS = 1;
const PART_YSK = 2;
const PART_ORG = 4;

const BALLOT_SLOTS = BALLOT_CODES.length;
const ballotSlotOf = new Map<number, number>(BALLOT_CODES.map((code, slot) => [code, slot]));

export type ListSort = 'key' | 'ysk_age' | 'difference' | 'altered';
export const LIST_SORTS: readonly ListSort[] = ['key', 'ysk_age', 'difference', 'altered'];
export type ListFlag = 'stale' | 'altered' | 'conflicting';

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

export interface ReconciliationStateOptions {
  election: string;
  /** a ysk_only box older than this (since first publication) is stale */
  staleAfterMs: number;
  /** the clock (ms since epoch) */
  now: () => number;
  /** capacity hint: how many box-results to size the columns for */
  expectedBoxResults?: number;
}

interface Region {
  slot: number;
  level: Scope['level'];
  province: number;
  district: number;
  parent: number;
  children: number[];
  /** box-result indices (districts only) */
  members: number[];
}

interface ObserverLatest {
  content: string;
  at: number;
}

function grow<T extends Float64Array | Int32Array | Uint16Array | Uint8Array>(array: T, length: number): T {
  const grown = new (array.constructor as new (n: number) => T)(length);
  grown.set(array);
  return grown;
}

/**
 * The live reconciliation of one election: every box-result's state in typed columns, and
 * counters + sums per (region, ballot type) kept incrementally. Each apply subtracts the
 * box-result's old contribution from its district, province and country and adds the new
 * one: O(parties) per change, no re-scans. Pure: the clock is injected, no I/O.
 */
export class ReconciliationState {
  readonly election: string;
  readonly staleAfterMs: number;
  private readonly now: () => number;

  private readonly keyIndex = new Map<string, number>();
  private readonly keys: string[] = [];
  private count = 0;
  private capacity: number;

  // columns, one cell per box-result
  private ballotSlot: Uint8Array;
  private flags: Uint8Array;
  private districtRegion: Int32Array;
  private boxNo: Int32Array;
  private versions: Uint16Array;
  private publishedAt: Float64Array;
  private changedAt: Float64Array;
  private enteredAt: Float64Array;
  private totalAbs: Int32Array;
  private yskOffset: Int32Array;
  private yskLayout: Int32Array;
  private yskCap: Uint16Array;
  private orgOffset: Int32Array;
  private orgLayout: Int32Array;
  private orgCap: Uint16Array;
  private observer: Int32Array;

  private readonly figures: FigureStore;
  private readonly observers = new Map<string, number>();
  /** per-observer latest entries, only for boxes that two or more observers entered */
  private readonly multi = new Map<number, Map<number, ObserverLatest>>();
  private readonly queue = new DueQueue();
  private readonly regionList: Region[] = [];
  private readonly regionIndex = new Map<string, number>();
  private readonly aggregates: (Aggregate | undefined)[] = [];
  private scratch = new Float64Array(64);

  constructor(options: ReconciliationStateOptions) {
    this.election = options.election;
    this.staleAfterMs = options.staleAfterMs;
    this.now = options.now;
    const n = (this.capacity = Math.max(16, options.expectedBoxResults ?? 1024));
    this.ballotSlot = new Uint8Array(n);
    this.flags = new Uint8Array(n);
    this.districtRegion = new Int32Array(n);
    this.boxNo = new Int32Array(n);
    this.versions = new Uint16Array(n);
    this.publishedAt = new Float64Array(n);
    this.changedAt = new Float64Array(n);
    this.enteredAt = new Float64Array(n);
    this.totalAbs = new Int32Array(n);
    this.yskOffset = new Int32Array(n);
    this.yskLayout = new Int32Array(n);
    this.yskCap = new Uint16Array(n);
    this.orgOffset = new Int32Array(n);
    this.orgLayout = new Int32Array(n);
    this.orgCap = new Uint16Array(n);
    this.observer = new Int32Array(n);
    this.figures = new FigureStore(n * 24);
    this.region('country', 0, 0, -1);
  }

  /** Number of known box-results. */
  get size(): number {
    return this.count;
  }

  has(ref: BoxRef | string): boolean {
    return this.keyIndex.has(typeof ref === 'string' ? ref : boxKey(ref));
  }

  // ---------------------------------------------------------------- regions

  private region(level: Scope['level'], province: number, district: number, parent: number): number {
    const id = `${level}:${province}:${district}`;
    let slot = this.regionIndex.get(id);
    if (slot === undefined) {
      slot = this.regionList.length;
      this.regionList.push({ slot, level, province, district, parent, children: [], members: [] });
      this.regionIndex.set(id, slot);
      if (parent >= 0) this.regionList[parent]!.children.push(slot);
      for (let b = 0; b < BALLOT_SLOTS; b++) this.aggregates[slot * BALLOT_SLOTS + b] = new Aggregate();
    }
    return slot;
  }

  private readonly districtSlots = new Map<number | string, number>();

  private districtSlot(province: number, district: number): number {
    const id = district < 1_000_000 ? province * 1_000_000 + district : `${province}:${district}`;
    let slot = this.districtSlots.get(id);
    if (slot === undefined) {
      const parent = this.region('province', province, 0, 0);
      slot = this.region('district', province, district, parent);
      this.districtSlots.set(id, slot);
    }
    return slot;
  }

  private scopeRegion(scope: Scope): Region | undefined {
    const id =
      scope.level === 'country' ? 'country:0:0' : scope.level === 'province' ? `province:${scope.province}:0` : `district:${scope.province}:${scope.district}`;
    const slot = this.regionIndex.get(id);
    return slot === undefined ? undefined : this.regionList[slot];
  }

  private aggregate(regionSlot: number, ballotSlot: number): Aggregate {
    return this.aggregates[regionSlot * BALLOT_SLOTS + ballotSlot]!;
  }

  // ---------------------------------------------------------------- registration

  /** Makes a box-result known (from reference data, or on first sight); returns its index. */
  registerBox(ref: BoxRef): number {
    const key = boxKey(ref);
    const known = this.keyIndex.get(key);
    if (known !== undefined) return known;
    if (ref.election !== this.election) throw new Error(`box ${key} is not of election ${this.election}`);
    if (!isBallotCode(ref.ballot)) throw new Error(`box ${key}: unknown ballot type ${String(ref.ballot)}`);
    if (this.count === this.capacity) this.growColumns(this.capacity * 2);
    const i = this.count++;
    const district = this.districtSlot(ref.province, ref.district);
    this.keys.push(key);
    this.keyIndex.set(key, i);
    this.ballotSlot[i] = ballotSlotOf.get(ref.ballot)!;
    this.districtRegion[i] = district;
    this.boxNo[i] = ref.boxNo;
    this.yskLayout[i] = -1;
    this.orgLayout[i] = -1;
    this.observer[i] = -1;
    const region = this.regionList[district]!;
    region.members.push(i);
    const b = this.ballotSlot[i]!;
    this.aggregate(district, b).counters.total++;
    this.aggregate(region.parent, b).counters.total++;
    this.aggregate(0, b).counters.total++;
    return i;
  }

  private growColumns(n: number): void {
    this.capacity = n;
    this.ballotSlot = grow(this.ballotSlot, n);
    this.flags = grow(this.flags, n);
    this.districtRegion = grow(this.districtRegion, n);
    this.boxNo = grow(this.boxNo, n);
    this.versions = grow(this.versions, n);
    this.publishedAt = grow(this.publishedAt, n);
    this.changedAt = grow(this.changedAt, n);
    this.enteredAt = grow(this.enteredAt, n);
    this.totalAbs = grow(this.totalAbs, n);
    this.yskOffset = grow(this.yskOffset, n);
    this.yskLayout = grow(this.yskLayout, n);
    this.yskCap = grow(this.yskCap, n);
    this.orgOffset = grow(this.orgOffset, n);
    this.orgLayout = grow(this.orgLayout, n);
    this.orgCap = grow(this.orgCap, n);
    this.observer = grow(this.observer, n);
  }

  private refOf(i: number): BoxRef {
    const region = this.regionList[this.districtRegion[i]!]!;
    return {
      election: this.election,
      ballot: BALLOT_CODES[this.ballotSlot[i]!]!,
      province: region.province,
      district: region.district,
      boxNo: this.boxNo[i]!,
    };
  }

  // ---------------------------------------------------------------- flags and contributions

  private statusAt(i: number): BoxStatus {
    const f = this.flags[i]!;
    return statusOf((f & HAS_YSK) !== 0, (f & HAS_ORG) !== 0, (f & EQUAL) !== 0);
  }

  /** The flags of box-result `i`. */
  flagsAt(i: number): BoxFlags {
    const f = this.flags[i]!;
    return {
      status: this.statusAt(i),
      altered: this.versions[i]! > 1,
      conflicting: (f & CONFLICTING) !== 0,
      stale: (f & STALE) !== 0,
      versions: this.versions[i]!,
      totalAbsDifference: this.totalAbs[i]!,
    };
  }

  /** Adds (sign 1) or removes (sign −1) box-result `i`'s share of its three aggregates. */
  private contribute(i: number, parts: number, sign: 1 | -1): void {
    const b = this.ballotSlot[i]!;
    const district = this.districtRegion[i]!;
    const province = this.regionList[district]!.parent;
    const f = this.flags[i]!;
    const status = this.statusAt(i);
    const altered = this.versions[i]! > 1;
    const yskLayout = f & HAS_YSK && parts & PART_YSK ? this.figures.layout(this.yskLayout[i]!) : null;
    const orgLayout = f & HAS_ORG && parts & PART_ORG ? this.figures.layout(this.orgLayout[i]!) : null;
    for (let level = 0; level < 3; level++) {
      const agg = this.aggregate(level === 0 ? district : level === 1 ? province : 0, b);
      if (parts & PART_COUNTERS) {
        const c = agg.counters;
        c.total += sign;
        if (f & HAS_YSK) c.yskPublished += sign;
        if (f & HAS_ORG) c.entered += sign;
        if (status === 'match') c.match += sign;
        else if (status === 'mismatch') c.mismatch += sign;
        else if (status === 'ysk_only') c.yskOnly += sign;
        else if (status === 'org_only') c.orgOnly += sign;
        if (f & STALE) c.stale += sign;
        if (altered) c.altered += sign;
        if (f & CONFLICTING) c.conflicting += sign;
        if (sign > 0) {
          if (f & STALE) agg.stale.add(i);
          if (altered) agg.altered.add(i);
          if (status === 'mismatch') agg.mismatch.add(i);
        } else {
          if (f & STALE) agg.stale.delete(i);
          if (altered) agg.altered.delete(i);
          if (status === 'mismatch') agg.mismatch.delete(i);
        }
      }
      if (yskLayout) {
        const o = this.yskOffset[i]!;
        agg.registered += sign * this.figures.get(o);
        agg.voted += sign * this.figures.get(o + 1);
        agg.valid += sign * this.figures.get(o + 4);
        agg.invalid += sign * this.figures.get(o + 5);
        const parties = yskLayout.parties;
        for (let k = 0; k < parties.length; k++) addVotes(agg.yskVotes, parties[k]!, sign * this.figures.get(o + HEADER_FIGURES + k));
      }
      if (orgLayout) {
        const o = this.orgOffset[i]!;
        const parties = orgLayout.parties;
        for (let k = 0; k < parties.length; k++) addVotes(agg.orgVotes, parties[k]!, sign * this.figures.get(o + HEADER_FIGURES + k));
      }
    }
  }

  /** Σ|ysk − org| over figures and parties (a party absent on one side counts 0 there). */
  private difference(i: number): number {
    const store = this.figures;
    const yo = this.yskOffset[i]!;
    const oo = this.orgOffset[i]!;
    let total = 0;
    for (let f = 0; f < HEADER_FIGURES; f++) total += Math.abs(store.get(yo + f) - store.get(oo + f));
    const yl = store.layout(this.yskLayout[i]!);
    const ol = store.layout(this.orgLayout[i]!);
    if (yl === ol) {
      for (let k = HEADER_FIGURES; k < yl.size; k++) total += Math.abs(store.get(yo + k) - store.get(oo + k));
      return total;
    }
    const parties = store.partyCount(yl.ballotSlot);
    if (this.scratch.length < parties) this.scratch = new Float64Array(Math.max(parties, this.scratch.length * 2));
    const s = this.scratch;
    for (let k = 0; k < yl.parties.length; k++) s[yl.parties[k]!]! += store.get(yo + HEADER_FIGURES + k);
    for (let k = 0; k < ol.parties.length; k++) s[ol.parties[k]!]! -= store.get(oo + HEADER_FIGURES + k);
    for (const p of yl.parties) {
      total += Math.abs(s[p]!);
      s[p] = 0;
    }
    for (const p of ol.parties) {
      total += Math.abs(s[p]!);
      s[p] = 0;
    }
    return total;
  }

  /** Recomputes equality, difference and staleness of `i` after its figures changed. */
  private refresh(i: number, now: number): void {
    let f = this.flags[i]! & ~(EQUAL | STALE);
    if (f & HAS_YSK && f & HAS_ORG) {
      const total = this.difference(i);
      this.totalAbs[i] = total;
      if (total === 0) f |= EQUAL;
    } else {
      this.totalAbs[i] = 0;
    }
    if (f & HAS_YSK && !(f & HAS_ORG)) {
      const due = this.publishedAt[i]! + this.staleAfterMs;
      if (now > due) f |= STALE;
      else if (!(f & QUEUED)) {
        this.queue.push(due, i);
        f |= QUEUED;
      }
    }
    this.flags[i] = f;
  }

  private change(i: number, before: BoxFlags | null, changed: boolean): BoxChange {
    const after = this.flagsAt(i);
    if (!changed && before) {
      changed =
        before.status !== after.status ||
        before.altered !== after.altered ||
        before.conflicting !== after.conflicting ||
        before.stale !== after.stale ||
        before.versions !== after.versions ||
        before.totalAbsDifference !== after.totalAbsDifference;
    }
    return { key: this.keys[i]!, ref: this.refOf(i), before, after, changed };
  }

  private indexOf(ref: BoxRef): { i: number; known: boolean } {
    const i = this.keyIndex.get(boxKey(ref));
    return i === undefined ? { i: this.registerBox(ref), known: false } : { i, known: true };
  }

  private writeSide(i: number, side: 'ysk' | 'org', sheet: Sheet): boolean {
    const layout = this.figures.layoutOf(this.ballotSlot[i]!, sheet.votes);
    const offsets = side === 'ysk' ? this.yskOffset : this.orgOffset;
    const layouts = side === 'ysk' ? this.yskLayout : this.orgLayout;
    const caps = side === 'ysk' ? this.yskCap : this.orgCap;
    let fresh = layouts[i] !== layout.id;
    if (caps[i]! < layout.size) {
      offsets[i] = this.figures.alloc(layout.size);
      caps[i] = layout.size;
      fresh = true;
    }
    layouts[i] = layout.id;
    return this.figures.write(offsets[i]!, layout, sheet) || fresh;
  }

  private readSide(i: number, side: 'ysk' | 'org'): Sheet | null {
    const f = this.flags[i]!;
    if (side === 'ysk') return f & HAS_YSK ? this.figures.read(this.yskOffset[i]!, this.figures.layout(this.yskLayout[i]!)) : null;
    return f & HAS_ORG ? this.figures.read(this.orgOffset[i]!, this.figures.layout(this.orgLayout[i]!)) : null;
  }

  // ---------------------------------------------------------------- updates

  /** A YSK version of a box arrived. Versions older than the one held are ignored. */
  applyYsk(ref: BoxRef, version: YskVersionInput): BoxChange {
    const { i, known } = this.indexOf(ref);
    const before = known ? this.flagsAt(i) : null;
    if (version.seq < this.versions[i]!) return this.change(i, before, false);
    this.contribute(i, PART_COUNTERS | PART_YSK, -1);
    const first = !(this.flags[i]! & HAS_YSK);
    let changed = this.writeSide(i, 'ysk', version.sheet) || first;
    if (first) this.publishedAt[i] = version.publishedAt;
    this.changedAt[i] = version.changedAt ?? version.publishedAt;
    this.versions[i] = Math.min(0xffff, version.seq);
    this.flags[i]! |= HAS_YSK;
    this.refresh(i, this.now());
    this.contribute(i, PART_COUNTERS | PART_YSK, 1);
    return this.change(i, before, changed || !known);
  }

  /**
   * An observer's entry. Without a confirmation the latest entry is in force, and the box is
   * conflicting while the latest entries of two or more observers disagree. A `confirmation`
   * entry goes to `confirm`.
   */
  applyEntry(ref: BoxRef, entry: EntryInput): BoxChange {
    if (entry.source === 'confirmation') return this.confirm(ref, entry);
    const { i, known } = this.indexOf(ref);
    const before = known ? this.flagsAt(i) : null;
    const f = this.flags[i]!;
    if (f & CONFIRMED) return this.change(i, before, false);
    const observer = this.internObserver(entry.observer);
    const latest = !(f & HAS_ORG) || entry.createdAt >= this.enteredAt[i]!;
    let conflicting = (f & CONFLICTING) !== 0;
    let multi = this.multi.get(i);
    if (!multi && this.observer[i] !== -1 && this.observer[i] !== observer) {
      multi = new Map([[this.observer[i]!, { content: canonicalSheet(this.readSide(i, 'org')!), at: this.enteredAt[i]! }]]);
      this.multi.set(i, multi);
    }
    if (multi) {
      const held = multi.get(observer);
      if (!held || entry.createdAt >= held.at) multi.set(observer, { content: canonicalSheet(entry.sheet), at: entry.createdAt });
      conflicting = new Set([...multi.values()].map((o) => o.content)).size > 1;
    } else if (!latest) {
      return this.change(i, before, false);
    }
    this.contribute(i, latest ? PART_COUNTERS | PART_ORG : PART_COUNTERS, -1);
    let changed = false;
    if (latest) {
      changed = this.writeSide(i, 'org', entry.sheet) || !(f & HAS_ORG);
      this.enteredAt[i] = entry.createdAt;
      this.observer[i] = observer;
      this.flags[i]! |= HAS_ORG;
    }
    this.flags[i] = conflicting ? this.flags[i]! | CONFLICTING : this.flags[i]! & ~CONFLICTING;
    this.refresh(i, this.now());
    this.contribute(i, latest ? PART_COUNTERS | PART_ORG : PART_COUNTERS, 1);
    return this.change(i, before, changed || !known);
  }

  /** A confirmed sheet (legal officer): in force from now on, resolves any conflict. */
  confirm(ref: BoxRef, entry: EntryInput): BoxChange {
    const { i, known } = this.indexOf(ref);
    const before = known ? this.flagsAt(i) : null;
    const f = this.flags[i]!;
    if (f & CONFIRMED && entry.createdAt < this.enteredAt[i]!) return this.change(i, before, false);
    this.contribute(i, PART_COUNTERS | PART_ORG, -1);
    const changed = this.writeSide(i, 'org', entry.sheet) || !(f & HAS_ORG);
    this.enteredAt[i] = entry.createdAt;
    this.observer[i] = this.internObserver(entry.observer);
    this.multi.delete(i);
    this.flags[i] = (f | HAS_ORG | CONFIRMED) & ~CONFLICTING;
    this.refresh(i, this.now());
    this.contribute(i, PART_COUNTERS | PART_ORG, 1);
    return this.change(i, before, changed || !known);
  }

  private internObserver(name: string): number {
    let id = this.observers.get(name);
    if (id === undefined) {
      id = this.observers.size;
      this.observers.set(name, id);
    }
    return id;
  }

  /** Turns the ysk_only boxes past the threshold stale; returns them. Cost: O(k log n) for k due boxes. */
  tick(now: number = this.now()): BoxChange[] {
    const changes: BoxChange[] = [];
    while (this.queue.size && this.queue.peekDue() < now) {
      const i = this.queue.pop();
      this.flags[i]! &= ~QUEUED;
      const f = this.flags[i]!;
      if (!(f & HAS_YSK) || f & HAS_ORG || f & STALE) continue;
      const before = this.flagsAt(i);
      this.contribute(i, PART_COUNTERS, -1);
      this.refresh(i, now);
      this.contribute(i, PART_COUNTERS, 1);
      const change = this.change(i, before, false);
      if (change.changed) changes.push(change);
    }
    return changes;
  }

  // ---------------------------------------------------------------- queries

  private aggregatesOf(region: Region, ballot: BallotCode | null): Aggregate[] {
    if (ballot !== null) return [this.aggregate(region.slot, ballotSlotOf.get(ballot)!)];
    return Array.from({ length: BALLOT_SLOTS }, (_, b) => this.aggregate(region.slot, b));
  }

  /** Box counters of a scope; ballot null sums every ballot type (total counts box-results). */
  counters(scope: Scope, ballot: BallotCode | null): BoxCounters {
    const region = this.scopeRegion(scope);
    const sum = emptyCounters();
    if (!region) return sum;
    for (const agg of this.aggregatesOf(region, ballot)) {
      for (const field of Object.keys(sum) as (keyof BoxCounters)[]) sum[field] += agg.counters[field];
    }
    return sum;
  }

  coverage(scope: Scope, ballot: BallotCode | null): Coverage {
    const region = this.scopeRegion(scope);
    const coverage: Coverage = {
      scope,
      ballot,
      asOf: new Date(this.now()).toISOString(),
      boxes: this.counters(scope, ballot),
      votes: { ysk: {}, org: {} },
      registered: 0,
      voted: 0,
      valid: 0,
      invalid: 0,
    };
    if (!region) return coverage;
    for (let b = 0; b < BALLOT_SLOTS; b++) {
      if (ballot !== null && BALLOT_CODES[b] !== ballot) continue;
      const agg = this.aggregate(region.slot, b);
      coverage.registered += agg.registered;
      coverage.voted += agg.voted;
      coverage.valid += agg.valid;
      coverage.invalid += agg.invalid;
      for (const [sums, into] of [
        [agg.yskVotes, coverage.votes.ysk],
        [agg.orgVotes, coverage.votes.org],
      ] as const) {
        for (let p = 0; p < sums.length; p++) {
          if (sums[p] === 0) continue;
          const name = this.figures.partyName(b, p);
          into[name] = (into[name] ?? 0) + sums[p]!;
        }
      }
    }
    return coverage;
  }

  /** Counters of the child regions: provinces (by plate) of the country, districts (by id) of a province. */
  regions(scope: Scope, ballot: BallotCode | null): RegionCounters {
    const out: RegionCounters = {};
    const region = this.scopeRegion(scope);
    if (!region || region.level === 'district') return out;
    for (const child of region.children) {
      const r = this.regionList[child]!;
      const scopeOfChild: Scope = r.level === 'province' ? { level: 'province', province: r.province } : { level: 'district', province: r.province, district: r.district };
      out[String(r.level === 'province' ? r.province : r.district)] = this.counters(scopeOfChild, ballot);
    }
    return out;
  }

  /** Oldest stale, newest altered and biggest mismatches of a scope, `limit` of each. */
  heads(scope: Scope, ballot: BallotCode | null, limit = 20): ListHeads {
    const region = this.scopeRegion(scope);
    if (!region) return { stale: [], altered: [], mismatches: [] };
    const aggs = this.aggregatesOf(region, ballot);
    const pick = (set: (a: Aggregate) => Set<number>, sort: ListSort) => {
      const top = new TopN(limit, (a, b) => this.compare(sort, a, b));
      for (const agg of aggs) for (const i of set(agg)) top.offer(i);
      return top.items().map((i) => this.summaryAt(i));
    };
    return {
      stale: pick((a) => a.stale, 'ysk_age'),
      altered: pick((a) => a.altered, 'altered'),
      mismatches: pick((a) => a.mismatch, 'difference'),
    };
  }

  summary(key: string): BoxSummary | null {
    const i = this.keyIndex.get(key);
    return i === undefined ? null : this.summaryAt(i);
  }

  private summaryAt(i: number): BoxSummary {
    const ref = this.refOf(i);
    const flags = this.flagsAt(i);
    const f = this.flags[i]!;
    const ysk = this.readSide(i, 'ysk');
    const org = this.readSide(i, 'org');
    const now = this.now();
    return {
      key: this.keys[i]!,
      ...ref,
      status: flags.status,
      altered: flags.altered,
      conflicting: flags.conflicting,
      stale: flags.stale,
      yskAgeMs: f & HAS_YSK ? Math.max(0, now - this.publishedAt[i]!) : null,
      yskPublishedAt: f & HAS_YSK ? new Date(this.publishedAt[i]!).toISOString() : null,
      enteredAt: f & HAS_ORG ? new Date(this.enteredAt[i]!).toISOString() : null,
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
    const published = (this.flags[i]! & HAS_YSK) !== 0;
    switch (sort) {
      case 'key':
        return 0;
      case 'ysk_age':
        return published ? this.publishedAt[i]! : Infinity;
      case 'difference':
        return -this.totalAbs[i]!;
      case 'altered':
        return published ? -this.changedAt[i]! : Infinity;
    }
  }

  private compareTuple(a: number, b: number): number {
    const ra = this.regionList[this.districtRegion[a]!]!;
    const rb = this.regionList[this.districtRegion[b]!]!;
    return ra.province - rb.province || ra.district - rb.district || this.boxNo[a]! - this.boxNo[b]! || this.ballotSlot[a]! - this.ballotSlot[b]!;
  }

  private compare(sort: ListSort, a: number, b: number): number {
    return this.primary(sort, a) - this.primary(sort, b) || this.compareTuple(a, b);
  }

  /** A page of box summaries in a scope, filtered and sorted; `cursor` continues after the last row. */
  list(query: ListQuery): Page<BoxSummary> {
    const sort = query.sort ?? 'key';
    const limit = Math.min(1000, Math.max(1, Math.floor(query.limit ?? 50)));
    const ballotSlot = query.ballot === undefined ? -1 : (ballotSlotOf.get(query.ballot) ?? -2);
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !after) throw new RangeError(`invalid cursor ${JSON.stringify(query.cursor)}`);
    const top = new TopN(limit + 1, (a, b) => this.compare(sort, a, b));
    let total = 0;
    const consider = (i: number) => {
      if (ballotSlot !== -1 && this.ballotSlot[i] !== ballotSlot) return;
      if (query.status && this.statusAt(i) !== query.status) return;
      if (query.flag) {
        const f = this.flags[i]!;
        if (query.flag === 'stale' && !(f & STALE)) return;
        if (query.flag === 'conflicting' && !(f & CONFLICTING)) return;
        if (query.flag === 'altered' && this.versions[i]! <= 1) return;
      }
      total++;
      if (after && !this.isAfter(sort, i, after)) return;
      top.offer(i);
    };
    for (const district of this.districtsOf(query)) for (const i of district.members) consider(i);
    const rows = top.items();
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((i) => this.summaryAt(i)),
      nextCursor: more && last !== undefined ? encodeCursor(this.primary(sort, last), this.keys[last]!) : null,
      total,
    };
  }

  private isAfter(sort: ListSort, i: number, cursor: { primary: number; ref: BoxRef }): boolean {
    const p = this.primary(sort, i);
    if (p !== cursor.primary) return p > cursor.primary;
    const region = this.regionList[this.districtRegion[i]!]!;
    const c = cursor.ref;
    const d =
      region.province - c.province ||
      region.district - c.district ||
      this.boxNo[i]! - c.boxNo ||
      this.ballotSlot[i]! - ballotSlotOf.get(c.ballot)!;
    return d > 0;
  }

  private districtsOf(query: { province?: number; district?: number }): Region[] {
    const regions = this.regionList.filter((r) => r.level === 'district');
    return regions.filter((r) => (query.province === undefined || r.province === query.province) && (query.district === undefined || r.district === query.district));
  }
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

  offer(item: number): void {
    const buffer = this.buffer;
    if (buffer.length === this.limit && this.compare(item, buffer[buffer.length - 1]!) >= 0) return;
    let lo = 0;
    let hi = buffer.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(buffer[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    buffer.splice(lo, 0, item);
    if (buffer.length > this.limit) buffer.pop();
  }

  items(): number[] {
    return this.buffer;
  }
}
