import type { BoxCounters, BoxSummary, Coverage, Page, Scope } from '../api/contracts';
import type { ListHeads, RegionCounters } from '../api/live';
import { BALLOT_CODES, isBallotCode, type BallotCode } from '../domain/ballot';
import { BOX_KINDS, boxKey, kindOfPlace, parseBoxKey, refOfKey, type BoxKind, type BoxRef } from '../domain/box';
import { sortedVoteNames } from '../domain/hash';
import { SHEET_FIGURES, type Sheet } from '../domain/sheet';
import type { BoxStatus } from '../domain/status';
import { Aggregate } from './aggregate';
import { sheetDifferences } from './compare';
import { BoxGroup } from './box-index';
import { DeferredEntries } from './deferred-entries';
import { FigureStore, HEADER_FIGURES } from './figure-store';
import { sideWarnings, statusOf } from './reconcile-box';
import { DueQueue } from './stale-queue';
import { emptyCounters, type BoxChange, type BoxFlags, type EntryInput, type FirstSighting, type YskVersionInput } from './types';
import { VersionBaseline } from './version-baseline';
import { ImageCodec, type ImageHooks } from './image';
import { isRevisionCode } from '../ysk/change-reasons';

const HAS_YSK = 1;
const HAS_ORG = 2;
const STALE = 4;
const CONFLICTING = 8;
const CONFIRMED = 16;
const EQUAL = 32;
const QUEUED = 64;
/** written by a bulk load, not yet refreshed nor counted */
const PENDING = 128;
/**
 * entries exist but no figures are agreed by `confirmations` observers nor confirmed: HAS_ORG is
 * off (no organisation figure) while the org cells hold the single observer's latest entry
 */
const UNCONFIRMED = 256;
/** the first version we saw carried a non-zero change code (YSK had revised it already) */
const REASON_FIRST = 512;
/** the flags `countInto` reads */
const COUNTED = HAS_YSK | HAS_ORG | EQUAL | STALE | CONFLICTING | UNCONFIRMED;

const KIND_SLOT = new Map<BoxKind, number>(BOX_KINDS.map((k, i) => [k, i]));

const PART_COUNTERS = 1;
const PART_YSK = 2;
const PART_ORG = 4;

const BALLOT_SLOTS = BALLOT_CODES.length;
const ballotSlotOf = new Map<number, number>(BALLOT_CODES.map((code, slot) => [code, slot]));
/** ballot slot by ballot code (`ballotSlotOf` as an array, for the hot paths) */
const BALLOT_SLOT_OF_CODE: number[] = [];
for (let code = 0; code <= Math.max(...BALLOT_CODES); code++) BALLOT_SLOT_OF_CODE.push(ballotSlotOf.get(code) ?? -1);

/** The ballot slot of a ballot code, −1 when it is none. */
function slotOfBallot(code: number): number {
  const slot = typeof code === 'number' ? BALLOT_SLOT_OF_CODE[code] : undefined;
  return slot === undefined ? -1 : slot;
}

export type ListSort = 'key' | 'ysk_age' | 'difference' | 'altered';
export const LIST_SORTS: readonly ListSort[] = ['key', 'ysk_age', 'difference', 'altered'];
export type ListFlag = 'stale' | 'altered' | 'conflicting' | 'unconfirmed';

/** Most list heads `heads` returns per list. */
export const MAX_HEADS = 1000;
const DEFAULT_HEADS = 20;

/** One box-result for `load`: what the store holds about it. */
export interface LoadItem {
  ref: BoxRef;
  /** default domestic */
  kind?: BoxKind;
  /** its latest YSK version, `publishedAt` being the first publication's time */
  ysk?: YskVersionInput | null;
  /** its entries (confirmations included) in the order they were committed */
  entries?: readonly EntryInput[];
}

/**
 * A cold load in progress (`beginBulk`): box-results, YSK versions and entries go into the
 * columns only; `end` then computes flags, differences, aggregates and the stale queue in one
 * linear pass. The result is the state that registerBox/applyYsk/applyEntry in the same order
 * would have built. Until `end`, counters, coverage and heads are not up to date.
 */
export interface BulkLoad {
  /** registerBox, then applyYsk when a version is given */
  box(ref: BoxRef, ysk?: YskVersionInput | null, kind?: BoxKind): void;
  /** applyEntry (a confirmation goes to confirm) */
  entry(ref: BoxRef, entry: EntryInput): void;
  end(): void;
}

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
  /**
   * ENTRY_CONFIRMATIONS (default 1): the organisation's figure of a box is a sheet this many
   * different observers entered identically (each one's latest entry counts once), or a
   * confirmation; until then the box is `unconfirmed`
   */
  confirmations?: number;
}

interface Region {
  slot: number;
  level: Scope['level'];
  province: number;
  district: number;
  parent: number;
  children: number[];
  /** per ballot slot, the first box-result of the district's member chain (`nextMember`), −1 when none */
  firstMember: Int32Array;
}

interface ObserverLatest {
  /** the sheet as `contentOf` writes it: equal exactly when the sheets are (as `canonicalSheet`) */
  content: string;
  at: number;
  /** arrival order: breaks ties of `at` (the later arrival wins) */
  seq: number;
}

/** A state as plain data (`ReconciliationState.image`). */
export interface StateImage {
  format: number;
  fields: Record<string, unknown>;
}

/** Bumped whenever the state's fields change meaning: an image of another format is refused. */
const IMAGE_FORMAT = 2;
/** The state's fields an image leaves out: the clock, the comparators bound to it, the summary cache, the open bulk load. */
const NOT_IMAGED = new Set(['now', 'byAge', 'byAltered', 'byDifference', 'summaries', 'deferred']);

/** An entry as putEntry/putConfirmation take it: its sheet as given, or already in the arena. */
interface EntryFacts {
  observer: number;
  createdAt: number;
  sheet: Sheet | null;
  /** when `sheet` is null: the sheet's cells and layout id in the figure arena */
  at: number;
  layout: number;
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
  /** ENTRY_CONFIRMATIONS */
  readonly confirmations: number;
  private readonly now: () => number;
  /** entries applied so far (the arrival order of `ObserverLatest.seq`) */
  private arrivals = 0;

  private count = 0;
  private capacity: number;
  /** (district, box number, ballot) → box-result: one group per district slot × BALLOT_SLOTS + ballot slot */
  private readonly groups: (BoxGroup | undefined)[] = [];
  /** the district `findDistrict` found last (NaN: none) */
  private lastProvince = NaN;
  private lastDistrict = NaN;
  private lastDistrictSlot = -1;

  // columns, one cell per box-result
  private ballotSlot: Uint8Array;
  private flags: Uint16Array;
  /** index into BOX_KINDS */
  private kind: Uint8Array;
  /** YSK's versiyon on the first version seen, 0 when none */
  private firstVersion: Int32Array;
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
  /** the next box-result of the same district and ballot type, −1 at the end */
  private nextMember: Int32Array;

  private readonly figures: FigureStore;
  /** box-results whose number carries letters (abroad, customs): key → index, index → rumuz */
  private readonly rumuzIndex = new Map<string, number>();
  private readonly rumuzOf = new Map<number, string>();
  /** per ballot slot, the election's first versiyon learned from first sightings (see VersionBaseline) */
  private readonly baselines = Array.from({ length: BALLOT_SLOTS }, () => new VersionBaseline());
  private readonly firstVersionBaselines: (number | null)[] = new Array<number | null>(BALLOT_SLOTS).fill(null);
  private readonly observers = new Map<string, number>();
  /** per-observer latest entries (and the sheet of each), only for boxes that two or more observers entered */
  private readonly multi = new Map<number, Map<number, ObserverLatest>>();
  /**
   * The sorted vote-name lists of `ObserverLatest.content`, interned: a content names its list by
   * id and holds only figures (a national night holds ~640,000 of them; with the names each was
   * ~500 bytes, most of the state's heap and of its snapshot)
   */
  private readonly nameListIds = new Map<string, number>();
  private readonly nameLists: string[][] = [];
  private readonly queue = new DueQueue();
  private readonly regionList: Region[] = [];
  private readonly regionIndex = new Map<string, number>();
  private readonly aggregates: (Aggregate | undefined)[] = [];
  /** how many of each list the cached heads hold */
  private headCap = DEFAULT_HEADS;
  /** summaries of box-results on the list heads, dropped when the box-result changes */
  private readonly summaries = new Map<number, BoxSummary>();
  /** entries of the open bulk load (null when none is open) */
  private deferred: DeferredEntries | null = null;
  /** new − old per figure of a revised sheet (`reviseYsk`) */
  private delta: Float64Array = new Float64Array(64);
  /** a first sighting was counted into a baseline since `takeBaseline` last looked */
  private baselineNoted = false;
  private readonly byAge = (a: number, b: number) => this.compare('ysk_age', a, b);
  private readonly byAltered = (a: number, b: number) => this.compare('altered', a, b);
  private readonly byDifference = (a: number, b: number) => this.compare('difference', a, b);

  constructor(options: ReconciliationStateOptions) {
    this.election = options.election;
    this.staleAfterMs = options.staleAfterMs;
    this.confirmations = Math.max(1, Math.floor(options.confirmations ?? 1));
    this.now = options.now;
    const n = (this.capacity = Math.max(16, options.expectedBoxResults ?? 1024));
    this.ballotSlot = new Uint8Array(n);
    this.flags = new Uint16Array(n);
    this.kind = new Uint8Array(n);
    this.firstVersion = new Int32Array(n);
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
    this.nextMember = new Int32Array(n);
    this.figures = new FigureStore();
    this.region('country', 0, 0, -1);
  }

  /** Number of known box-results. */
  get size(): number {
    return this.count;
  }

  has(ref: BoxRef | string): boolean {
    return (typeof ref === 'string' ? this.lookupKey(ref) : this.lookup(ref)) >= 0;
  }

  /** The index of a known box-result, else −1. */
  private lookup(ref: BoxRef): number {
    if (ref.election !== this.election) return -1;
    if (ref.rumuz) return this.rumuzIndex.get(boxKey(ref)) ?? -1;
    const district = this.findDistrict(ref.province, ref.district);
    const b = slotOfBallot(ref.ballot);
    if (district < 0 || b < 0) return -1;
    const group = this.groups[district * BALLOT_SLOTS + b];
    return group === undefined ? -1 : group.get(ref.boxNo);
  }

  /** The slot of a known district, else −1; the last one found is remembered (a rebuild reads in key order). */
  private findDistrict(province: number, district: number): number {
    if (province === this.lastProvince && district === this.lastDistrict) return this.lastDistrictSlot;
    const slot = this.districtSlots.get(districtId(province, district));
    if (slot === undefined) return -1;
    this.lastProvince = province;
    this.lastDistrict = district;
    return (this.lastDistrictSlot = slot);
  }

  /** The index of a box-result by its canonical key (`boxKey`), else −1. */
  private lookupKey(key: string): number {
    const parts = key.split(':');
    if ((parts.length !== 5 && parts.length !== 6) || parts[0] !== this.election) return -1;
    const ref = refOfKey(key);
    return boxKey(ref) === key ? this.lookup(ref) : -1;
  }

  // ---------------------------------------------------------------- regions

  private region(level: Scope['level'], province: number, district: number, parent: number): number {
    const id = `${level}:${province}:${district}`;
    let slot = this.regionIndex.get(id);
    if (slot === undefined) {
      slot = this.regionList.length;
      const firstMember = new Int32Array(level === 'district' ? BALLOT_SLOTS : 0).fill(-1);
      this.regionList.push({ slot, level, province, district, parent, children: [], firstMember });
      this.regionIndex.set(id, slot);
      if (parent >= 0) this.regionList[parent]!.children.push(slot);
      for (let b = 0; b < BALLOT_SLOTS; b++) {
        this.aggregates[slot * BALLOT_SLOTS + b] = new Aggregate();
        this.groups[slot * BALLOT_SLOTS + b] = undefined;
      }
    }
    return slot;
  }

  private readonly districtSlots = new Map<number | string, number>();

  private districtSlot(province: number, district: number): number {
    const id = districtId(province, district);
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
  registerBox(ref: BoxRef, kind?: BoxKind): number {
    const known = this.lookup(ref);
    if (known < 0) return this.addBox(ref, true, kind);
    if (kind !== undefined) this.setKind(known, kind, true);
    return known;
  }

  /** The kind of a box-result; live, its share of the counters moves to the new kind. */
  private setKind(i: number, kind: BoxKind, live: boolean): void {
    const slot = KIND_SLOT.get(kind);
    if (slot === undefined || this.kind[i] === slot) return;
    if (live && !(this.flags[i]! & PENDING)) {
      this.contribute(i, PART_COUNTERS, -1);
      this.kind[i] = slot;
      this.contribute(i, PART_COUNTERS, 1);
    } else this.kind[i] = slot;
  }

  private addBox(ref: BoxRef, live: boolean, kind?: BoxKind): number {
    if (ref.election !== this.election) throw new Error(`box ${boxKey(ref)} is not of election ${this.election}`);
    if (!isBallotCode(ref.ballot)) throw new Error(`box ${boxKey(ref)}: unknown ballot type ${String(ref.ballot)}`);
    if ((ref.boxNo | 0) !== ref.boxNo) throw new RangeError(`box ${boxKey(ref)}: box number out of range`);
    if (this.count === this.capacity) this.growColumns(this.capacity * 2);
    const i = this.count++;
    let district = this.findDistrict(ref.province, ref.district);
    if (district < 0) district = this.districtSlot(ref.province, ref.district);
    const b = slotOfBallot(ref.ballot);
    this.ballotSlot[i] = b;
    this.districtRegion[i] = district;
    this.boxNo[i] = ref.boxNo;
    this.kind[i] = KIND_SLOT.get(kind ?? kindOfPlace(ref))!;
    this.yskLayout[i] = -1;
    this.orgLayout[i] = -1;
    this.observer[i] = -1;
    const region = this.regionList[district]!;
    if (ref.rumuz) {
      this.rumuzIndex.set(boxKey(ref), i);
      this.rumuzOf.set(i, ref.rumuz);
    } else {
      const group = district * BALLOT_SLOTS + b;
      (this.groups[group] ??= new BoxGroup()).set(ref.boxNo, i);
    }
    this.nextMember[i] = region.firstMember[b]!;
    region.firstMember[b] = i;
    if (live) {
      const k = this.kind[i]!;
      for (const slot of [district, region.parent, 0]) {
        const agg = this.aggregate(slot, b);
        agg.counters.total++;
        agg.kindCounters(k).total++;
      }
    } else {
      this.flags[i] = PENDING;
    }
    return i;
  }

  private growColumns(n: number): void {
    this.capacity = n;
    this.ballotSlot = grow(this.ballotSlot, n);
    this.flags = grow(this.flags, n);
    this.kind = grow(this.kind, n);
    this.firstVersion = grow(this.firstVersion, n);
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
    this.nextMember = grow(this.nextMember, n);
  }

  private refOf(i: number): BoxRef {
    const region = this.regionList[this.districtRegion[i]!]!;
    const ref: BoxRef = {
      election: this.election,
      ballot: BALLOT_CODES[this.ballotSlot[i]!]!,
      province: region.province,
      district: region.district,
      boxNo: this.boxNo[i]!,
    };
    const rumuz = this.rumuzOf.get(i);
    if (rumuz !== undefined) ref.rumuz = rumuz;
    return ref;
  }

  private rumuzAt(i: number): string {
    return this.rumuzOf.get(i) ?? '';
  }

  /** First seen already revised: a non-zero change code, or a versiyon above the election's first. */
  private alteredBeforeSeen(i: number): boolean {
    if (this.flags[i]! & REASON_FIRST) return true;
    const baseline = this.firstVersionBaselines[this.ballotSlot[i]!]!;
    return baseline !== null && this.firstVersion[i]! > baseline;
  }

  /** Revised since we first saw it, or first seen already revised. */
  private isAltered(i: number): boolean {
    return this.versions[i]! > 1 || this.alteredBeforeSeen(i);
  }

  /** The election's first versiyon of a ballot type as learned so far (null while unknown or untrusted). */
  versionBaselineOf(ballot: BallotCode): number | null {
    const slot = ballotSlotOf.get(ballot);
    return slot === undefined ? null : this.firstVersionBaselines[slot]!;
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
      altered: this.isAltered(i),
      conflicting: (f & CONFLICTING) !== 0,
      unconfirmed: (f & UNCONFIRMED) !== 0,
      stale: (f & STALE) !== 0,
      versions: this.versions[i]!,
      totalAbsDifference: this.totalAbs[i]!,
    };
  }

  /** On the stale, altered or mismatch list: a change to it can change the list heads. */
  private listed(i: number): boolean {
    const f = this.flags[i]!;
    return (f & STALE) !== 0 || this.isAltered(i) || (f & (HAS_YSK | HAS_ORG | EQUAL)) === (HAS_YSK | HAS_ORG) || (f & (HAS_YSK | HAS_ORG)) === HAS_YSK;
  }

  /** Adds (sign 1) or removes (sign −1) box-result `i`'s share of its three aggregates. */
  private contribute(i: number, parts: number, sign: 1 | -1): void {
    const b = this.ballotSlot[i]!;
    const district = this.districtRegion[i]!;
    const province = this.regionList[district]!.parent;
    const forgetHeads = (parts & PART_COUNTERS) !== 0 && this.listed(i);
    this.summaries.delete(i);
    for (let level = 0; level < 3; level++) {
      const agg = this.aggregate(level === 0 ? district : level === 1 ? province : 0, b);
      this.accumulate(agg, i, parts, sign);
      if (forgetHeads) agg.heads = null;
    }
  }

  /** Adds (sign 1) or removes (sign −1) box-result `i`'s share of one aggregate. */
  private accumulate(agg: Aggregate, i: number, parts: number, sign: 1 | -1): void {
    const f = this.flags[i]!;
    if (parts & PART_COUNTERS) {
      const altered = this.isAltered(i);
      countInto(agg.counters, f, altered, sign);
      countInto(agg.kindCounters(this.kind[i]!), f, altered, sign);
    }
    const store = this.figures;
    if (f & HAS_YSK && parts & PART_YSK) {
      const o = this.yskOffset[i]!;
      agg.registered += sign * store.get(o);
      agg.voted += sign * store.get(o + 1);
      agg.valid += sign * store.get(o + 4);
      agg.invalid += sign * store.get(o + 5);
      const layout = store.layout(this.yskLayout[i]!);
      store.addVotes(agg.sums(false, layout.partySpan), o, layout, sign);
    }
    if (f & HAS_ORG && parts & PART_ORG) {
      const layout = store.layout(this.orgLayout[i]!);
      store.addVotes(agg.sums(true, layout.partySpan), this.orgOffset[i]!, layout, sign);
    }
    // the both-sides sums change with either sheet, and with either side's arrival (which
    // always comes with that side's part): like with like for the vote panel
    if ((f & (HAS_YSK | HAS_ORG)) === (HAS_YSK | HAS_ORG) && parts & (PART_YSK | PART_ORG)) {
      const yskLayout = store.layout(this.yskLayout[i]!);
      store.addVotes(agg.bothSums(false, yskLayout.partySpan), this.yskOffset[i]!, yskLayout, sign);
      const orgLayout = store.layout(this.orgLayout[i]!);
      store.addVotes(agg.bothSums(true, orgLayout.partySpan), this.orgOffset[i]!, orgLayout, sign);
    }
  }

  /** Σ|ysk − org| over figures and parties (a party absent on one side counts 0 there). */
  private difference(i: number): number {
    const store = this.figures;
    return store.absDifference(this.yskOffset[i]!, store.layout(this.yskLayout[i]!), this.orgOffset[i]!, store.layout(this.orgLayout[i]!));
  }

  /** Recomputes equality, difference and staleness of `i` after its figures changed. */
  private refresh(i: number, now: number): void {
    const f = this.flags[i]!;
    this.refreshWith(i, now, f & HAS_YSK && f & HAS_ORG ? this.difference(i) : 0);
  }

  /** `refresh` with the difference (`difference(i)`, when both sides are in) known already. */
  private refreshWith(i: number, now: number, total: number): void {
    let f = this.flags[i]! & ~(EQUAL | STALE);
    if (f & HAS_YSK && f & HAS_ORG) {
      this.totalAbs[i] = total;
      if (total === 0) f |= EQUAL;
    } else {
      this.totalAbs[i] = 0;
    }
    if (f & HAS_YSK && !(f & (HAS_ORG | UNCONFIRMED))) {
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
        before.unconfirmed !== after.unconfirmed ||
        before.stale !== after.stale ||
        before.versions !== after.versions ||
        before.totalAbsDifference !== after.totalAbsDifference;
    }
    const ref = this.refOf(i);
    return { key: boxKey(ref), ref, before, after, changed };
  }

  private indexOf(ref: BoxRef, kind?: BoxKind): { i: number; known: boolean } {
    const i = this.lookup(ref);
    return i < 0 ? { i: this.addBox(ref, true, kind), known: false } : { i, known: true };
  }

  private writeSide(i: number, side: 'ysk' | 'org', sheet: Sheet): boolean {
    const offsets = side === 'ysk' ? this.yskOffset : this.orgOffset;
    const layouts = side === 'ysk' ? this.yskLayout : this.orgLayout;
    const caps = side === 'ysk' ? this.yskCap : this.orgCap;
    if (caps[i] === 0) {
      // never written (a bulk load's boxes): into fresh cells in one go
      offsets[i] = this.figures.storeFresh(this.ballotSlot[i]!, sheet);
      const fresh = this.figures.freshLayout!;
      layouts[i] = fresh.id;
      caps[i] = fresh.size;
      return true;
    }
    const layout = this.figures.stage(this.ballotSlot[i]!, sheet);
    const relaid = layouts[i] !== layout.id;
    layouts[i] = layout.id;
    if (caps[i]! < layout.size) {
      offsets[i] = this.figures.alloc(layout.size);
      caps[i] = layout.size;
      this.figures.commitFresh(offsets[i]!, layout.size);
      return true;
    }
    return this.figures.commit(offsets[i]!, layout.size) || relaid;
  }

  /** What the org cells hold (the figure, or an unconfirmed box's single observer's latest entry). */
  private readCells(i: number): Sheet {
    return this.figures.read(this.orgOffset[i]!, this.figures.layout(this.orgLayout[i]!));
  }

  private readSide(i: number, side: 'ysk' | 'org'): Sheet | null {
    const f = this.flags[i]!;
    if (side === 'ysk') return f & HAS_YSK ? this.figures.read(this.yskOffset[i]!, this.figures.layout(this.yskLayout[i]!)) : null;
    return f & HAS_ORG ? this.figures.read(this.orgOffset[i]!, this.figures.layout(this.orgLayout[i]!)) : null;
  }

  // ---------------------------------------------------------------- updates

  /** A YSK version of a box arrived. Versions older than the one held are ignored. */
  applyYsk(ref: BoxRef, version: YskVersionInput): BoxChange {
    this.flushDeferred();
    const { i, known } = this.indexOf(ref, version.kind);
    const before = known ? this.flagsAt(i) : null;
    const changed = this.putYsk(i, version, true);
    // the election's first versiyon moved: altered flags elsewhere may have changed, recount
    if (this.takeBaseline()) this.recount();
    return this.change(i, before, changed === null ? false : changed || !known);
  }

  /**
   * An observer's entry. Without a confirmation, the figures `confirmations` different
   * observers hold identically are in force (each observer's latest entry counting once; the
   * latest-agreed when several are; with 1, the latest entry); until then the box is
   * unconfirmed. It is conflicting while the latest entries of two or more observers disagree.
   * A `confirmation` entry goes to `confirm`.
   */
  applyEntry(ref: BoxRef, entry: EntryInput): BoxChange {
    if (entry.source === 'confirmation') return this.confirm(ref, entry);
    this.flushDeferred();
    const { i, known } = this.indexOf(ref);
    const before = known ? this.flagsAt(i) : null;
    const changed = this.putEntry(i, this.factsOf(entry), true);
    return this.change(i, before, changed === null ? false : changed || !known);
  }

  /** A confirmed sheet (legal officer): in force from now on, resolves any conflict. */
  confirm(ref: BoxRef, entry: EntryInput): BoxChange {
    this.flushDeferred();
    const { i, known } = this.indexOf(ref);
    const before = known ? this.flagsAt(i) : null;
    const changed = this.putConfirmation(i, this.factsOf(entry), true);
    return this.change(i, before, changed === null ? false : changed || !known);
  }

  /**
   * The whole state as plain data (see image.ts): what `fromImage` restores, e.g. from a
   * snapshot file. The clock and the summary cache stay out. `hooks.replace` may swap typed
   * arrays for stand-ins (a file's binary sections).
   */
  image(hooks: ImageHooks = {}): StateImage {
    if (this.deferred) throw new Error('a bulk load is in progress: no image of a half-loaded state');
    return { format: IMAGE_FORMAT, fields: IMAGE_CODEC.encodeFields(this, hooks, NOT_IMAGED) };
  }

  /**
   * A state back from `image` (given as decoded by the structured-clone algorithm). Throws when
   * the image is of another format, election, stale threshold or confirmation rule.
   */
  static fromImage(options: ReconciliationStateOptions, image: StateImage, hooks: ImageHooks = {}): ReconciliationState {
    const state = new ReconciliationState({ ...options, expectedBoxResults: 16 });
    if (image.format !== IMAGE_FORMAT) throw new Error(`a state image of format ${String(image.format)}, not ${IMAGE_FORMAT}`);
    const fields = image.fields;
    for (const [name, want] of [
      ['election', state.election],
      ['staleAfterMs', state.staleAfterMs],
      ['confirmations', state.confirmations],
    ] as const) {
      if (fields[name] !== want) throw new Error(`a state image of ${name} ${String(fields[name])}, not ${String(want)}`);
    }
    return IMAGE_CODEC.decodeFields(state, fields, hooks);
  }

  /**
   * Starts a cold load (the rebuild from the store at start-up): see `BulkLoad`. Box-results
   * already held stay; `end` recounts every aggregate from the columns.
   */
  beginBulk(): BulkLoad {
    if (this.deferred) throw new Error('a bulk load is already in progress');
    const deferred = (this.deferred = new DeferredEntries());
    let open = true;
    const indexOf = (ref: BoxRef, kind?: BoxKind) => {
      if (!open) throw new Error('the bulk load has ended');
      const i = this.lookup(ref);
      if (i < 0) return this.addBox(ref, false, kind);
      if (kind !== undefined) this.setKind(i, kind, false);
      return i;
    };
    return {
      box: (ref, ysk, kind) => {
        const i = indexOf(ref, kind ?? ysk?.kind);
        if (ysk) this.putYsk(i, ysk, false);
      },
      entry: (ref, entry) => {
        const i = indexOf(ref);
        // the ballot slot from the ref: entries come in commit order, so column reads are cache misses
        const at = this.figures.storeFresh(slotOfBallot(ref.ballot), entry.sheet);
        deferred.push(i, at, this.figures.freshLayout!.id, this.internObserver(entry.observer), entry.createdAt, entry.source === 'confirmation');
      },
      end: () => {
        if (!open) throw new Error('the bulk load has ended');
        open = false;
        this.flushDeferred();
        this.deferred = null;
        this.takeBaseline();
        this.recount();
      },
    };
  }

  /**
   * Applies the entries of the open bulk load, box-result by box-result: each box-result's
   * entries in the order they came, which is all that order means (box-results are independent).
   */
  private flushDeferred(): void {
    const deferred = this.deferred;
    if (!deferred?.length) return;
    const facts: EntryFacts = { observer: 0, createdAt: 0, sheet: null, at: 0, layout: 0 };
    for (const k of deferred.byBox(this.count)) {
      facts.observer = deferred.observer(k);
      facts.createdAt = deferred.createdAt(k);
      facts.at = deferred.at(k);
      facts.layout = deferred.layout(k);
      if (deferred.confirmation(k)) this.putConfirmation(deferred.index(k), facts, false);
      else this.putEntry(deferred.index(k), facts, false);
    }
    deferred.length = 0;
  }

  /** A cold load of `items` in one go (`beginBulk`, every item, `end`). */
  load(items: Iterable<LoadItem>): void {
    if (Array.isArray(items) && this.count + items.length > this.capacity) this.growColumns(this.count + items.length);
    const bulk = this.beginBulk();
    try {
      for (const { ref, ysk, entries, kind } of items) {
        bulk.box(ref, ysk, kind);
        if (entries) for (const entry of entries) bulk.entry(ref, entry);
      }
    } finally {
      bulk.end();
    }
  }

  /**
   * After a bulk load: refreshes the box-results it wrote, then recounts every aggregate in
   * one pass over the columns (each box-result into its district, districts into provinces
   * and the country). The list heads are taken again on demand.
   *
   * One walk per box-result: a box-result with both sides of one layout has its difference and
   * its both-sides sums taken in the same walk over its two sheets (`addPair`), and adds to the
   * district's YSK and organisation sums through those (`completeRecount`); its flags count
   * into the district's per-kind counters only, the district's counters being their sum.
   */
  private recount(): void {
    const now = this.now();
    for (const agg of this.aggregates) agg!.reset();
    this.summaries.clear();
    const store = this.figures;
    const flags = this.flags;
    for (let i = 0; i < this.count; i++) {
      const f = flags[i]!;
      const pending = (f & PENDING) !== 0;
      const agg = this.aggregates[this.districtRegion[i]! * BALLOT_SLOTS + this.ballotSlot[i]!]!;
      let total = 0;
      if (f & HAS_YSK) {
        const o = this.yskOffset[i]!;
        agg.registered += store.get(o);
        agg.voted += store.get(o + 1);
        agg.valid += store.get(o + 4);
        agg.invalid += store.get(o + 5);
        const yskLayout = store.layout(this.yskLayout[i]!);
        if (f & HAS_ORG) {
          const orgLayout = store.layout(this.orgLayout[i]!);
          if (yskLayout === orgLayout) {
            const span = yskLayout.partySpan;
            total = store.addPair(o, this.orgOffset[i]!, yskLayout, agg.bothSums(false, span), agg.bothSums(true, span));
          } else {
            store.addVotes(agg.bothSums(false, yskLayout.partySpan), o, yskLayout, 1);
            store.addVotes(agg.bothSums(true, orgLayout.partySpan), this.orgOffset[i]!, orgLayout, 1);
            if (pending) total = this.difference(i);
          }
        } else store.addVotes(agg.sums(false, yskLayout.partySpan), o, yskLayout, 1);
      } else if (f & HAS_ORG) {
        const orgLayout = store.layout(this.orgLayout[i]!);
        store.addVotes(agg.sums(true, orgLayout.partySpan), this.orgOffset[i]!, orgLayout, 1);
      }
      if (pending) {
        flags[i] = f & ~PENDING;
        this.refreshWith(i, now, total);
      }
      countInto(agg.kindCounters(this.kind[i]!), flags[i]!, this.isAltered(i), 1);
    }
    for (const region of this.regionList) {
      if (region.level !== 'district') continue;
      for (let b = 0; b < BALLOT_SLOTS; b++) {
        const agg = this.aggregate(region.slot, b);
        agg.completeRecount();
        agg.addTo(this.aggregate(region.parent, b));
        agg.addTo(this.aggregate(0, b));
      }
    }
  }

  /**
   * The column writes of a YSK version; null when it is older than the one held. Live, the
   * box-result's share of the aggregates is taken out before and put back after; in a bulk
   * load it is marked PENDING for `recount`.
   */
  private putYsk(i: number, version: YskVersionInput, live: boolean): boolean | null {
    if (version.seq < this.versions[i]!) return null;
    if (live && this.flags[i]! & HAS_YSK) return this.reviseYsk(i, version);
    if (live) this.contribute(i, PART_COUNTERS | PART_YSK, -1);
    const first = !(this.flags[i]! & HAS_YSK);
    if (version.kind !== undefined) this.setKind(i, version.kind, false);
    const sighting = first ? (version.first ?? null) : null;
    const changed = this.writeSide(i, 'ysk', version.sheet) || first;
    if (first) this.publishedAt[i] = version.publishedAt;
    if (sighting) this.noteFirstSighting(i, sighting);
    this.changedAt[i] = version.changedAt ?? version.publishedAt;
    this.versions[i] = Math.min(0xffff, version.seq);
    this.flags[i]! |= HAS_YSK;
    this.settle(i, PART_COUNTERS | PART_YSK, live);
    return changed;
  }

  /**
   * `putYsk` live of a box-result that has a YSK version already (a revision): the counters go
   * out and back in as usual, the sums move by new − old (`rewriteLive`).
   */
  private reviseYsk(i: number, version: YskVersionInput): boolean {
    const f = this.flags[i]!;
    const altered = this.isAltered(i);
    const kind = this.kind[i]!;
    const listed = this.listed(i);
    if (version.kind !== undefined) this.setKind(i, version.kind, false);
    const changed = this.rewriteLive(i, 'ysk', version.sheet);
    this.noteRevision(i, version);
    this.refresh(i, this.now());
    this.recountFlags(i, f, altered, kind, listed);
    return changed;
  }

  /**
   * `contribute(i, PART_COUNTERS, −1)` with what box-result `i` was (flags `f`, `altered`,
   * `kind`, on a list or not) and `contribute(i, PART_COUNTERS, 1)` with what it is, in one
   * pass over the three levels; nothing to count when what the counters read did not change.
   */
  private recountFlags(i: number, f: number, altered: boolean, kind: number, listed: boolean): void {
    this.summaries.delete(i);
    const g = this.flags[i]!;
    const alteredNow = this.isAltered(i);
    const kindNow = this.kind[i]!;
    const forgetHeads = listed || this.listed(i);
    const same = (f & COUNTED) === (g & COUNTED) && altered === alteredNow && kind === kindNow;
    if (same && !forgetHeads) return;
    const b = this.ballotSlot[i]!;
    const district = this.districtRegion[i]!;
    for (let level = 0; level < 3; level++) {
      const agg = this.aggregates[(level === 0 ? district : level === 1 ? this.regionList[district]!.parent : 0) * BALLOT_SLOTS + b]!;
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
  private rewriteLive(i: number, side: 'ysk' | 'org', sheet: Sheet): boolean {
    const store = this.figures;
    const ysk = side === 'ysk';
    const layout = store.stage(this.ballotSlot[i]!, sheet);
    if (layout.id !== (ysk ? this.yskLayout : this.orgLayout)[i] || (ysk ? this.yskCap : this.orgCap)[i]! < layout.size) {
      const part = ysk ? PART_YSK : PART_ORG;
      this.contribute(i, part, -1);
      const changed = this.writeSide(i, side, sheet);
      this.contribute(i, part, 1);
      return changed;
    }
    const delta = (this.delta = store.deltaBuffer(this.delta, layout.size));
    if (!store.commitDelta((ysk ? this.yskOffset : this.orgOffset)[i]!, layout.size, delta)) return false;
    this.summaries.delete(i);
    const b = this.ballotSlot[i]!;
    const district = this.districtRegion[i]!;
    const both = (this.flags[i]! & (HAS_YSK | HAS_ORG)) === (HAS_YSK | HAS_ORG);
    const parties = layout.parties;
    const n = parties.length;
    const span = layout.partySpan;
    for (let level = 0; level < 3; level++) {
      const agg = this.aggregates[(level === 0 ? district : level === 1 ? this.regionList[district]!.parent : 0) * BALLOT_SLOTS + b]!;
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

  /** The columns of a YSK version of a box-result that has one already (see `putYsk`). */
  /** A sheet as a short string: the id of its sorted vote names, then the header figures and the votes in that order. */
  private contentOf(sheet: Sheet): string {
    const names = sortedVoteNames(sheet.votes);
    const key = JSON.stringify(names);
    let id = this.nameListIds.get(key);
    if (id === undefined) {
      id = this.nameLists.push(names) - 1;
      this.nameListIds.set(key, id);
    }
    let content = String(id);
    for (const figure of SHEET_FIGURES) content += `,${sheet[figure]}`;
    for (const name of names) content += `,${sheet.votes[name]}`;
    return content;
  }

  /** A sheet back from `contentOf`. */
  private sheetOfContent(content: string): Sheet {
    const [id, registered, voted, validUncontested, validAfterObjection, valid, invalid, ...votes] = content.split(',').map(Number) as number[];
    const names = this.nameLists[id!]!;
    const sheet: Sheet = {
      registered: registered!,
      voted: voted!,
      validUncontested: validUncontested!,
      validAfterObjection: validAfterObjection!,
      valid: valid!,
      invalid: invalid!,
      votes: {},
    };
    names.forEach((name, k) => (sheet.votes[name] = votes[k]!));
    return sheet;
  }

  private noteRevision(i: number, version: YskVersionInput): void {
    this.changedAt[i] = version.changedAt ?? version.publishedAt;
    this.versions[i] = Math.min(0xffff, version.seq);
  }

  /** The column writes of an observer entry (see `applyEntry`); null when it changes nothing. */
  private putEntry(i: number, entry: EntryFacts, live: boolean): boolean | null {
    const f = this.flags[i]!;
    if (f & CONFIRMED) return null;
    const observer = entry.observer;
    const seq = this.arrivals++;
    let multi = this.multi.get(i);
    if (!multi && this.observer[i] !== -1 && this.observer[i] !== observer) {
      // a second observer: the first one's latest entry is what the org cells hold
      multi = new Map([[this.observer[i]!, { content: this.contentOf(this.readCells(i)), at: this.enteredAt[i]!, seq: -1 }]]);
      this.multi.set(i, multi);
    }
    if (!multi) {
      // one observer so far: the cells hold their latest entry, the figure once one observer suffices
      if (this.observer[i] !== -1 && entry.createdAt < this.enteredAt[i]!) return null;
      const agreed = this.confirmations <= 1;
      if (live && agreed && f & HAS_ORG && entry.sheet) {
        // a correction of the figure in force: the sums move by new − old
        const altered = this.isAltered(i);
        const listed = this.listed(i);
        const wrote = this.rewriteLive(i, 'org', entry.sheet);
        this.enteredAt[i] = entry.createdAt;
        this.observer[i] = observer;
        this.flags[i] = (this.flags[i]! | HAS_ORG) & ~UNCONFIRMED;
        this.refresh(i, this.now());
        this.recountFlags(i, f, altered, this.kind[i]!, listed);
        return wrote;
      }
      if (live) this.contribute(i, PART_COUNTERS | PART_ORG, -1);
      const wrote = this.writeOrg(i, entry);
      this.enteredAt[i] = entry.createdAt;
      this.observer[i] = observer;
      this.flags[i] = agreed ? (this.flags[i]! | HAS_ORG) & ~UNCONFIRMED : (this.flags[i]! | UNCONFIRMED) & ~HAS_ORG;
      this.settle(i, PART_COUNTERS | PART_ORG, live);
      return agreed ? wrote || !(f & HAS_ORG) : !(f & UNCONFIRMED);
    }
    const held = multi.get(observer);
    // an older entry of an observer whose later one is held: superseded already
    if (held && entry.createdAt < held.at) return null;
    const content = this.contentOf(this.sheetOf(entry));
    multi.set(observer, { content, at: entry.createdAt, seq });
    // group the observers' latest entries by content; the latest-agreed group of ≥ N is in force
    const groups = new Map<string, { count: number; at: number; seq: number; observer: number }>();
    for (const [who, o] of multi) {
      const g = groups.get(o.content);
      if (!g) groups.set(o.content, { count: 1, at: o.at, seq: o.seq, observer: who });
      else {
        g.count++;
        if (o.at > g.at || (o.at === g.at && o.seq > g.seq)) Object.assign(g, { at: o.at, seq: o.seq, observer: who });
      }
    }
    let agreed: { content: string; at: number; seq: number; observer: number } | null = null;
    for (const [c, g] of groups) {
      if (g.count >= this.confirmations && (!agreed || g.at > agreed.at || (g.at === agreed.at && g.seq > agreed.seq))) agreed = { content: c, ...g };
    }
    const conflicting = groups.size > 1;
    if (live) this.contribute(i, PART_COUNTERS | PART_ORG, -1);
    let changed: boolean;
    if (agreed) {
      const wrote = agreed.content === content ? this.writeOrg(i, entry) : this.writeSide(i, 'org', this.sheetOfContent(agreed.content));
      changed = wrote || !(f & HAS_ORG);
      this.enteredAt[i] = agreed.at;
      this.observer[i] = agreed.observer;
      this.flags[i] = (this.flags[i]! | HAS_ORG) & ~UNCONFIRMED;
    } else {
      // no figure agreed (any more): the cells are not read until one is
      changed = (f & HAS_ORG) !== 0;
      this.flags[i] = (this.flags[i]! | UNCONFIRMED) & ~HAS_ORG;
    }
    this.flags[i] = conflicting ? this.flags[i]! | CONFLICTING : this.flags[i]! & ~CONFLICTING;
    this.settle(i, PART_COUNTERS | PART_ORG, live);
    return changed;
  }

  /** The column writes of a confirmation (see `confirm`); null when an older one. */
  private putConfirmation(i: number, entry: EntryFacts, live: boolean): boolean | null {
    const f = this.flags[i]!;
    if (f & CONFIRMED && entry.createdAt < this.enteredAt[i]!) return null;
    if (live) this.contribute(i, PART_COUNTERS | PART_ORG, -1);
    const changed = this.writeOrg(i, entry) || !(f & HAS_ORG);
    this.enteredAt[i] = entry.createdAt;
    this.observer[i] = entry.observer;
    this.multi.delete(i);
    this.flags[i] = (this.flags[i]! | HAS_ORG | CONFIRMED) & ~(CONFLICTING | UNCONFIRMED);
    this.settle(i, PART_COUNTERS | PART_ORG, live);
    return changed;
  }

  /** What the first version we saw of box-result `i` said of itself. */
  private noteFirstSighting(i: number, sighting: FirstSighting): void {
    if (isRevisionCode(sighting.changeReason)) this.flags[i]! |= REASON_FIRST;
    const v = sighting.yskVersion;
    if (typeof v === 'number' && v > 0 && v <= 0x7fffffff) {
      this.firstVersion[i] = v;
      this.baselines[this.ballotSlot[i]!]!.add(v);
      this.baselineNoted = true;
    }
  }

  /** Takes the learned baselines; true when one moved (the altered flags of its ballot type may have changed). */
  private takeBaseline(): boolean {
    if (!this.baselineNoted) return false;
    this.baselineNoted = false;
    let moved = false;
    for (let slot = 0; slot < BALLOT_SLOTS; slot++) {
      const value = this.baselines[slot]!.value();
      if (value === this.firstVersionBaselines[slot]) continue;
      this.firstVersionBaselines[slot] = value;
      moved = true;
    }
    return moved;
  }

  private factsOf(entry: EntryInput): EntryFacts {
    return { observer: this.internObserver(entry.observer), createdAt: entry.createdAt, sheet: entry.sheet, at: -1, layout: -1 };
  }

  private sheetOf(entry: EntryFacts): Sheet {
    return entry.sheet ?? this.figures.read(entry.at, this.figures.layout(entry.layout));
  }

  /** The entry's sheet becomes the organisation's side; true when a figure changed. */
  private writeOrg(i: number, entry: EntryFacts): boolean {
    if (entry.sheet) return this.writeSide(i, 'org', entry.sheet);
    // a deferred entry's cells are in the arena already: point at them
    const layout = this.figures.layout(entry.layout);
    const changed = !(this.flags[i]! & HAS_ORG) || this.orgLayout[i] !== entry.layout || !this.figures.same(this.orgOffset[i]!, entry.at, layout.size);
    this.orgOffset[i] = entry.at;
    this.orgLayout[i] = entry.layout;
    this.orgCap[i] = layout.size;
    return changed;
  }

  private settle(i: number, parts: number, live: boolean): void {
    if (live) {
      this.refresh(i, this.now());
      this.contribute(i, parts, 1);
    } else {
      this.flags[i]! |= PENDING;
    }
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
      if (!(f & HAS_YSK) || f & (HAS_ORG | UNCONFIRMED | STALE)) continue;
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

  /** Box counters of a scope per kind of box (they add up to `counters`). */
  kindCounters(scope: Scope, ballot: BallotCode | null): Record<BoxKind, BoxCounters> {
    const out = Object.fromEntries(BOX_KINDS.map((k) => [k, emptyCounters()])) as Record<BoxKind, BoxCounters>;
    const region = this.scopeRegion(scope);
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
    const region = this.scopeRegion(scope);
    const coverage: Coverage = {
      scope,
      ballot,
      asOf: new Date(this.now()).toISOString(),
      boxes: this.counters(scope, ballot),
      kinds: this.kindCounters(scope, ballot),
      votes: { ysk: {}, org: {}, both: { boxes: 0, ysk: {}, org: {} } },
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
      const scopeOfChild: Scope =
        r.level === 'province' ? { level: 'province', province: r.province } : { level: 'district', province: r.province, district: r.district };
      out[String(r.level === 'province' ? r.province : r.district)] = this.counters(scopeOfChild, ballot);
    }
    return out;
  }

  /**
   * Oldest stale, newest altered and biggest mismatches of a scope, `limit` (0…MAX_HEADS) of
   * each. The heads of every (region, ballot type) are cached and taken again only after a
   * box-result on one of the lists changed: a district from its members, a province from its
   * districts' heads, the country from the provinces'. The summaries are cached likewise
   * (see `headSummary`): treat them as read-only.
   */
  heads(scope: Scope, ballot: BallotCode | null, limit = DEFAULT_HEADS): ListHeads {
    const region = this.scopeRegion(scope);
    if (!region) return { stale: [], altered: [], mismatches: [], waiting: [] };
    const n = limit >= 1 ? Math.min(MAX_HEADS, Math.floor(limit)) : 0;
    if (n > this.headCap) {
      this.headCap = n;
      for (const agg of this.aggregates) agg!.heads = null;
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
    return { ...summary, yskAgeMs: this.flags[i]! & HAS_YSK ? Math.max(0, this.now() - this.publishedAt[i]!) : null };
  }

  /** The cached heads [stale, altered, mismatch] of a (region, ballot slot), taken again when forgotten. */
  private headsOf(slot: number, b: number): number[][] {
    const agg = this.aggregate(slot, b);
    if (agg.heads) return agg.heads;
    const stale = new TopN(this.headCap, this.byAge);
    const altered = new TopN(this.headCap, this.byAltered);
    const mismatch = new TopN(this.headCap, this.byDifference);
    const waiting = new TopN(this.headCap, this.byAge);
    const c = agg.counters;
    const region = this.regionList[slot]!;
    if (c.stale + c.altered + c.mismatch + c.yskOnly > 0) {
      if (region.level === 'district') {
        for (let i = region.firstMember[b]!; i >= 0; i = this.nextMember[i]!) {
          const f = this.flags[i]!;
          if (f & STALE) stale.offer(i);
          if (this.isAltered(i)) altered.offer(i);
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
    const i = this.lookupKey(key);
    return i < 0 ? null : this.summaryAt(i);
  }

  private summaryAt(i: number): BoxSummary {
    const ref = this.refOf(i);
    const flags = this.flagsAt(i);
    const f = this.flags[i]!;
    const ysk = this.readSide(i, 'ysk');
    const org = this.readSide(i, 'org');
    const now = this.now();
    return {
      key: boxKey(ref),
      ...ref,
      kind: BOX_KINDS[this.kind[i]!]!,
      status: flags.status,
      altered: flags.altered,
      alteredBeforeSeen: this.alteredBeforeSeen(i),
      conflicting: flags.conflicting,
      unconfirmed: flags.unconfirmed,
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

  /** Every stale box-result's ref in the lists' key order (province, district, box, ballot): `list` without its summaries. */
  staleRefs(): BoxRef[] {
    const stale: number[] = [];
    for (let i = 0; i < this.count; i++) if (this.flags[i]! & STALE) stale.push(i);
    return stale.sort((a, b) => this.compareTuple(a, b)).map((i) => this.refOf(i));
  }

  private compareTuple(a: number, b: number): number {
    const ra = this.regionList[this.districtRegion[a]!]!;
    const rb = this.regionList[this.districtRegion[b]!]!;
    return (
      ra.province - rb.province ||
      ra.district - rb.district ||
      this.boxNo[a]! - this.boxNo[b]! ||
      compareText(this.rumuzAt(a), this.rumuzAt(b)) ||
      this.ballotSlot[a]! - this.ballotSlot[b]!
    );
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
      if (query.status && this.statusAt(i) !== query.status) return;
      if (query.flag) {
        const f = this.flags[i]!;
        if (query.flag === 'stale' && !(f & STALE)) return;
        if (query.flag === 'conflicting' && !(f & CONFLICTING)) return;
        if (query.flag === 'unconfirmed' && !(f & UNCONFIRMED)) return;
        if (query.flag === 'altered' && !this.isAltered(i)) return;
      }
      total++;
      if (after && !this.isAfter(sort, i, after)) return;
      top.offer(i);
    };
    for (const district of this.districtsOf(query)) {
      for (let b = 0; b < BALLOT_SLOTS; b++)
        if (ballotSlot === -1 || ballotSlot === b) for (let i = district.firstMember[b]!; i >= 0; i = this.nextMember[i]!) consider(i);
    }
    const rows = top.items();
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((i) => this.summaryAt(i)),
      nextCursor: more && last !== undefined ? encodeCursor(this.primary(sort, last), boxKey(this.refOf(last))) : null,
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
      compareText(this.rumuzAt(i), c.rumuz ?? '') ||
      this.ballotSlot[i]! - ballotSlotOf.get(c.ballot)!;
    return d > 0;
  }

  private districtsOf(query: { province?: number; district?: number }): Region[] {
    const regions = this.regionList.filter((r) => r.level === 'district');
    return regions.filter(
      (r) => (query.province === undefined || r.province === query.province) && (query.district === undefined || r.district === query.district),
    );
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

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function districtId(province: number, district: number): number | string {
  return district < 1_000_000 ? province * 1_000_000 + district : `${province}:${district}`;
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

/** The classes a state's image holds instances of. */
const IMAGE_CODEC = new ImageCodec({ Aggregate, BoxGroup, DueQueue, FigureStore, VersionBaseline });
