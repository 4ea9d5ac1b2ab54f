import type { BallotCode } from '../domain/ballot';
import { BALLOT_CODES } from '../domain/ballot';
import { BOX_KINDS, boxKey, refOfKey, type BoxKind, type BoxRef } from '../domain/box';
import type { Sheet } from '../domain/sheet';
import type { BoxStatus } from '../domain/status';
import { isRevisionCode } from '../ysk/change-reasons';
import { BoxGroup } from './box-index';
import { FigureStore } from './figure-store';
import { statusOf } from './reconcile-box';
import { BALLOT_SLOTS, ballotSlotOf, slotOfBallot, type Regions } from './regions';
import type { BoxFlags, FirstSighting } from './types';
import { VersionBaseline } from './version-baseline';

// the bits of `BoxColumns.flags`
export const HAS_YSK = 1;
export const HAS_ORG = 2;
export const STALE = 4;
export const CONFLICTING = 8;
export const CONFIRMED = 16;
export const EQUAL = 32;
export const QUEUED = 64;
/** written by a bulk load, not yet refreshed nor counted */
export const PENDING = 128;
/**
 * entries exist but no figures are agreed by `confirmations` observers nor confirmed: HAS_ORG is
 * off (no organisation figure) while the org cells hold the single observer's latest entry
 */
export const UNCONFIRMED = 256;
/** the first version we saw carried a non-zero change code (YSK had revised it already) */
export const REASON_FIRST = 512;
/** the flags `countInto` reads */
export const COUNTED = HAS_YSK | HAS_ORG | EQUAL | STALE | CONFLICTING | UNCONFIRMED;

export const KIND_SLOT = new Map<BoxKind, number>(BOX_KINDS.map((k, i) => [k, i]));

function grow<T extends Float64Array | Int32Array | Uint16Array | Uint8Array>(array: T, length: number): T {
  const grown = new (array.constructor as new (n: number) => T)(length);
  grown.set(array);
  return grown;
}

/**
 * Every box-result as one cell of typed columns, and the index that finds it: (district, box
 * number, ballot) through a `BoxGroup` per (district, ballot slot), a lettered box number
 * (abroad, customs) through its key. The sheets of both sides sit in the figure arena, the
 * columns holding where. Also what a box-result's cells say of it: its status, its flags, and
 * whether it is altered (against the election's first versiyon learned per ballot type).
 */
export class BoxColumns {
  /** the fields an image of the state leaves out (see `ReconciliationState.image`) */
  static readonly NOT_IMAGED: ReadonlySet<string> = new Set(['election', 'regions']);

  count = 0;
  capacity: number;
  /** (district, box number, ballot) → box-result: one group per district slot × BALLOT_SLOTS + ballot slot */
  readonly groups: (BoxGroup | undefined)[] = [];

  // columns, one cell per box-result
  ballotSlot: Uint8Array;
  flags: Uint16Array;
  /** index into BOX_KINDS */
  kind: Uint8Array;
  /** YSK's versiyon on the first version seen, 0 when none */
  firstVersion: Int32Array;
  districtRegion: Int32Array;
  boxNo: Int32Array;
  versions: Uint16Array;
  publishedAt: Float64Array;
  changedAt: Float64Array;
  enteredAt: Float64Array;
  totalAbs: Int32Array;
  yskOffset: Int32Array;
  yskLayout: Int32Array;
  yskCap: Uint16Array;
  orgOffset: Int32Array;
  orgLayout: Int32Array;
  orgCap: Uint16Array;
  observer: Int32Array;
  /** the next box-result of the same district and ballot type, −1 at the end */
  nextMember: Int32Array;

  readonly figures = new FigureStore();
  /** box-results whose number carries letters (abroad, customs): key → index, index → rumuz */
  readonly rumuzIndex = new Map<string, number>();
  readonly rumuzOf = new Map<number, string>();
  /** per ballot slot, the election's first versiyon learned from first sightings (see VersionBaseline) */
  readonly baselines = Array.from({ length: BALLOT_SLOTS }, () => new VersionBaseline());
  readonly firstVersionBaselines: (number | null)[] = new Array<number | null>(BALLOT_SLOTS).fill(null);
  /** a first sighting was counted into a baseline since `takeBaseline` last looked */
  private baselineNoted = false;

  constructor(
    private readonly election: string,
    private readonly regions: Regions,
    expectedBoxResults: number,
  ) {
    const n = (this.capacity = expectedBoxResults);
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
    this.cover();
  }

  /** Makes room in the index for the regions made since (one group slot per region × ballot slot). */
  cover(): void {
    while (this.groups.length < this.regions.size * BALLOT_SLOTS) this.groups.push(undefined);
  }

  // ---------------------------------------------------------------- index

  /** The index of a known box-result, else −1. */
  lookup(ref: BoxRef): number {
    if (ref.election !== this.election) return -1;
    if (ref.rumuz) return this.rumuzIndex.get(boxKey(ref)) ?? -1;
    const district = this.regions.findDistrict(ref.province, ref.district);
    const b = slotOfBallot(ref.ballot);
    if (district < 0 || b < 0) return -1;
    const group = this.groups[district * BALLOT_SLOTS + b];
    return group === undefined ? -1 : group.get(ref.boxNo);
  }

  /** The index of a box-result by its canonical key (`boxKey`), else −1. */
  lookupKey(key: string): number {
    const parts = key.split(':');
    if ((parts.length !== 5 && parts.length !== 6) || parts[0] !== this.election) return -1;
    const ref = refOfKey(key);
    return boxKey(ref) === key ? this.lookup(ref) : -1;
  }

  /** A new box-result of district slot `district` (a valid ref, not held yet); returns its index. */
  add(ref: BoxRef, district: number, kindSlot: number): number {
    if (this.count === this.capacity) this.growColumns(this.capacity * 2);
    const i = this.count++;
    const b = slotOfBallot(ref.ballot);
    this.ballotSlot[i] = b;
    this.districtRegion[i] = district;
    this.boxNo[i] = ref.boxNo;
    this.kind[i] = kindSlot;
    this.yskLayout[i] = -1;
    this.orgLayout[i] = -1;
    this.observer[i] = -1;
    const region = this.regions.at(district);
    if (ref.rumuz) {
      this.rumuzIndex.set(boxKey(ref), i);
      this.rumuzOf.set(i, ref.rumuz);
    } else {
      const group = district * BALLOT_SLOTS + b;
      (this.groups[group] ??= new BoxGroup()).set(ref.boxNo, i);
    }
    this.nextMember[i] = region.firstMember[b]!;
    region.firstMember[b] = i;
    return i;
  }

  growColumns(n: number): void {
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

  refOf(i: number): BoxRef {
    const region = this.regions.at(this.districtRegion[i]!);
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

  rumuzAt(i: number): string {
    return this.rumuzOf.get(i) ?? '';
  }

  // ---------------------------------------------------------------- what the cells say

  statusAt(i: number): BoxStatus {
    const f = this.flags[i]!;
    return statusOf((f & HAS_YSK) !== 0, (f & HAS_ORG) !== 0, (f & EQUAL) !== 0);
  }

  /** First seen already revised: a non-zero change code, or a versiyon above the election's first. */
  alteredBeforeSeen(i: number): boolean {
    if (this.flags[i]! & REASON_FIRST) return true;
    const baseline = this.firstVersionBaselines[this.ballotSlot[i]!]!;
    return baseline !== null && this.firstVersion[i]! > baseline;
  }

  /** Revised since we first saw it, or first seen already revised. */
  isAltered(i: number): boolean {
    return this.versions[i]! > 1 || this.alteredBeforeSeen(i);
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
  listed(i: number): boolean {
    const f = this.flags[i]!;
    return (f & STALE) !== 0 || this.isAltered(i) || (f & (HAS_YSK | HAS_ORG | EQUAL)) === (HAS_YSK | HAS_ORG) || (f & (HAS_YSK | HAS_ORG)) === HAS_YSK;
  }

  // ---------------------------------------------------------------- versiyon baselines

  /** The election's first versiyon of a ballot type as learned so far (null while unknown or untrusted). */
  versionBaselineOf(ballot: BallotCode): number | null {
    const slot = ballotSlotOf.get(ballot);
    return slot === undefined ? null : this.firstVersionBaselines[slot]!;
  }

  /** What the first version we saw of box-result `i` said of itself. */
  noteFirstSighting(i: number, sighting: FirstSighting): void {
    if (isRevisionCode(sighting.changeReason)) this.flags[i]! |= REASON_FIRST;
    const v = sighting.yskVersion;
    if (typeof v === 'number' && v > 0 && v <= 0x7fffffff) {
      this.firstVersion[i] = v;
      this.baselines[this.ballotSlot[i]!]!.add(v);
      this.baselineNoted = true;
    }
  }

  /** Takes the learned baselines; true when one moved (the altered flags of its ballot type may have changed). */
  takeBaseline(): boolean {
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

  // ---------------------------------------------------------------- sheets

  /** Writes `sheet` as one side of box-result `i`; true when a figure (or the layout) changed. */
  writeSide(i: number, side: 'ysk' | 'org', sheet: Sheet): boolean {
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

  /** Points the org side of `i` at a sheet already in the arena (a bulk load's entry); true when a figure changed. */
  pointOrg(i: number, at: number, layoutId: number): boolean {
    const layout = this.figures.layout(layoutId);
    const changed = !(this.flags[i]! & HAS_ORG) || this.orgLayout[i] !== layoutId || !this.figures.same(this.orgOffset[i]!, at, layout.size);
    this.orgOffset[i] = at;
    this.orgLayout[i] = layoutId;
    this.orgCap[i] = layout.size;
    return changed;
  }

  /** What the org cells hold (the figure, or an unconfirmed box's single observer's latest entry). */
  readCells(i: number): Sheet {
    return this.figures.read(this.orgOffset[i]!, this.figures.layout(this.orgLayout[i]!));
  }

  readSide(i: number, side: 'ysk' | 'org'): Sheet | null {
    const f = this.flags[i]!;
    if (side === 'ysk') return f & HAS_YSK ? this.figures.read(this.yskOffset[i]!, this.figures.layout(this.yskLayout[i]!)) : null;
    return f & HAS_ORG ? this.readCells(i) : null;
  }

  /** Σ|ysk − org| over figures and parties (a party absent on one side counts 0 there). */
  difference(i: number): number {
    const store = this.figures;
    return store.absDifference(this.yskOffset[i]!, store.layout(this.yskLayout[i]!), this.orgOffset[i]!, store.layout(this.orgLayout[i]!));
  }
}
