import type { BoxCounters, BoxSummary, Coverage, Page, Scope } from '../api/contracts';
import type { ListHeads, RegionCounters } from '../api/live';
import { isBallotCode, type BallotCode } from '../domain/ballot';
import { boxKey, kindOfPlace, type BoxKind, type BoxRef } from '../domain/box';
import type { Sheet } from '../domain/sheet';
import { PART_COUNTERS, PART_ORG, PART_YSK, RegionAggregates } from './aggregates';
import { BoxGroup } from './box-index';
import { BoxColumns, CONFIRMED, CONFLICTING, EQUAL, HAS_ORG, HAS_YSK, KIND_SLOT, PENDING, QUEUED, STALE, UNCONFIRMED } from './columns';
import { DeferredEntries } from './deferred-entries';
import { FigureStore } from './figure-store';
import { ImageCodec, type ImageHooks } from './image';
import { ObserverEntries } from './observers';
import { DEFAULT_HEADS, StateQueries, type ListQuery } from './queries';
import { Regions, slotOfBallot } from './regions';
import { DueQueue } from './stale-queue';
import type { BoxChange, BoxFlags, EntryInput, YskVersionInput } from './types';
import { VersionBaseline } from './version-baseline';

export { LIST_SORTS, MAX_HEADS, type ListFlag, type ListQuery, type ListSort } from './queries';

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

/** A state as plain data (`ReconciliationState.image`). */
export interface StateImage {
  format: number;
  fields: Record<string, unknown>;
}

/** Bumped whenever the state's fields change meaning: an image of another format is refused (3: the aggregates and the observers' entries packed). */
const IMAGE_FORMAT = 3;
/** The state's own fields an image leaves out: the clock, the open bulk load, and its parts (imaged field by field, see `parts`). */
const NOT_IMAGED = new Set(['now', 'deferred', 'regionTree', 'columns', 'totals', 'observerEntries', 'queries']);

/** A part that images some of its fields itself, as a few flat arrays (see `ReconciliationState.packed`). */
interface Packable {
  pack(): unknown;
  unpack(packed: never): void;
}

/** An entry as putEntry/putConfirmation take it: its sheet as given, or already in the arena. */
interface EntryFacts {
  observer: number;
  createdAt: number;
  sheet: Sheet | null;
  /** when `sheet` is null: the sheet's cells and layout id in the figure arena */
  at: number;
  layout: number;
}

/** One part of the state as its image holds it: its fields, less those it leaves out. */
interface Part {
  object: object;
  skip: ReadonlySet<string>;
}

/**
 * The live reconciliation of one election: every box-result's state in typed columns
 * (`BoxColumns`, over `Regions`), and counters + sums per (region, ballot type) kept
 * incrementally (`RegionAggregates`). Each apply subtracts the box-result's old contribution
 * from its district, province and country and adds the new one: O(parties) per change, no
 * re-scans. The observers' entries of a box several observers entered are `ObserverEntries`;
 * what readers ask is `StateQueries`. This class applies the updates (live, or as a bulk
 * load), turns boxes stale, and images the whole. Pure: the clock is injected, no I/O.
 */
export class ReconciliationState {
  readonly election: string;
  readonly staleAfterMs: number;
  /** ENTRY_CONFIRMATIONS */
  readonly confirmations: number;
  private readonly now: () => number;

  private readonly regionTree: Regions;
  private readonly columns: BoxColumns;
  private readonly totals: RegionAggregates;
  private readonly observerEntries: ObserverEntries;
  private readonly queries: StateQueries;
  /** the ysk_only box-results waiting to turn stale */
  private readonly queue = new DueQueue();
  /** entries of the open bulk load (null when none is open) */
  private deferred: DeferredEntries | null = null;

  constructor(options: ReconciliationStateOptions) {
    this.election = options.election;
    this.staleAfterMs = options.staleAfterMs;
    this.confirmations = Math.max(1, Math.floor(options.confirmations ?? 1));
    this.now = options.now;
    const summaries = new Map<number, BoxSummary>();
    this.regionTree = new Regions();
    this.columns = new BoxColumns(this.election, this.regionTree, Math.max(16, options.expectedBoxResults ?? 1024));
    this.totals = new RegionAggregates(this.columns, this.regionTree, summaries);
    this.observerEntries = new ObserverEntries();
    // through the field: a clock swapped on the state is the one the queries read
    this.queries = new StateQueries(this.columns, this.regionTree, this.totals, summaries, () => this.now());
  }

  /** Number of known box-results. */
  get size(): number {
    return this.columns.count;
  }

  has(ref: BoxRef | string): boolean {
    return (typeof ref === 'string' ? this.columns.lookupKey(ref) : this.columns.lookup(ref)) >= 0;
  }

  // ---------------------------------------------------------------- registration

  /** Makes a box-result known (from reference data, or on first sight); returns its index. */
  registerBox(ref: BoxRef, kind?: BoxKind): number {
    const known = this.columns.lookup(ref);
    if (known < 0) return this.addBox(ref, true, kind);
    if (kind !== undefined) this.setKind(known, kind, true);
    return known;
  }

  /** The kind of a box-result; live, its share of the counters moves to the new kind. */
  private setKind(i: number, kind: BoxKind, live: boolean): void {
    const slot = KIND_SLOT.get(kind);
    const c = this.columns;
    if (slot === undefined || c.kind[i] === slot) return;
    if (live && !(c.flags[i]! & PENDING)) {
      this.totals.contribute(i, PART_COUNTERS, -1);
      c.kind[i] = slot;
      this.totals.contribute(i, PART_COUNTERS, 1);
    } else c.kind[i] = slot;
  }

  private addBox(ref: BoxRef, live: boolean, kind?: BoxKind): number {
    if (ref.election !== this.election) throw new Error(`box ${boxKey(ref)} is not of election ${this.election}`);
    if (!isBallotCode(ref.ballot)) throw new Error(`box ${boxKey(ref)}: unknown ballot type ${String(ref.ballot)}`);
    if ((ref.boxNo | 0) !== ref.boxNo) throw new RangeError(`box ${boxKey(ref)}: box number out of range`);
    const regions = this.regionTree;
    let district = regions.findDistrict(ref.province, ref.district);
    if (district < 0) {
      district = regions.districtSlot(ref.province, ref.district);
      this.columns.cover();
      this.totals.cover();
    }
    const i = this.columns.add(ref, district, KIND_SLOT.get(kind ?? kindOfPlace(ref))!);
    if (live) this.totals.addBox(i);
    else this.columns.flags[i] = PENDING;
    return i;
  }

  /** The election's first versiyon of a ballot type as learned so far (null while unknown or untrusted). */
  versionBaselineOf(ballot: BallotCode): number | null {
    return this.columns.versionBaselineOf(ballot);
  }

  /** The flags of box-result `i`. */
  flagsAt(i: number): BoxFlags {
    return this.columns.flagsAt(i);
  }

  // ---------------------------------------------------------------- flags

  /** Recomputes equality, difference and staleness of `i` after its figures changed. */
  private refresh(i: number, now: number): void {
    const f = this.columns.flags[i]!;
    this.refreshWith(i, now, f & HAS_YSK && f & HAS_ORG ? this.columns.difference(i) : 0);
  }

  /** `refresh` with the difference (`difference(i)`, when both sides are in) known already. */
  private refreshWith(i: number, now: number, total: number): void {
    const c = this.columns;
    let f = c.flags[i]! & ~(EQUAL | STALE);
    if (f & HAS_YSK && f & HAS_ORG) {
      c.totalAbs[i] = total;
      if (total === 0) f |= EQUAL;
    } else {
      c.totalAbs[i] = 0;
    }
    if (f & HAS_YSK && !(f & (HAS_ORG | UNCONFIRMED))) {
      const due = c.publishedAt[i]! + this.staleAfterMs;
      if (now > due) f |= STALE;
      else if (!(f & QUEUED)) {
        this.queue.push(due, i);
        f |= QUEUED;
      }
    }
    c.flags[i] = f;
  }

  private change(i: number, before: BoxFlags | null, changed: boolean): BoxChange {
    const after = this.columns.flagsAt(i);
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
    const ref = this.columns.refOf(i);
    return { key: boxKey(ref), ref, before, after, changed };
  }

  private indexOf(ref: BoxRef, kind?: BoxKind): { i: number; known: boolean } {
    const i = this.columns.lookup(ref);
    return i < 0 ? { i: this.addBox(ref, true, kind), known: false } : { i, known: true };
  }

  // ---------------------------------------------------------------- updates

  /** A YSK version of a box arrived. Versions older than the one held are ignored. */
  applyYsk(ref: BoxRef, version: YskVersionInput): BoxChange {
    this.flushDeferred();
    const { i, known } = this.indexOf(ref, version.kind);
    const before = known ? this.columns.flagsAt(i) : null;
    const changed = this.putYsk(i, version, true);
    // the election's first versiyon moved: altered flags elsewhere may have changed, recount
    if (this.columns.takeBaseline()) this.recount();
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
    const before = known ? this.columns.flagsAt(i) : null;
    const changed = this.putEntry(i, this.factsOf(entry), true);
    return this.change(i, before, changed === null ? false : changed || !known);
  }

  /** A confirmed sheet (legal officer): in force from now on, resolves any conflict. */
  confirm(ref: BoxRef, entry: EntryInput): BoxChange {
    this.flushDeferred();
    const { i, known } = this.indexOf(ref);
    const before = known ? this.columns.flagsAt(i) : null;
    const changed = this.putConfirmation(i, this.factsOf(entry), true);
    return this.change(i, before, changed === null ? false : changed || !known);
  }

  // ---------------------------------------------------------------- images

  /**
   * The parts whose many small objects go into the image packed into a few flat arrays, by the
   * image field that holds them: what is left of those parts is imaged field by field.
   */
  private packed(): Record<string, Packable> {
    return { aggregates: this.totals, observerEntries: this.observerEntries };
  }

  /** The state's own fields, then each part's: one flat set of fields (as before the parts), the packed ones apart (`packed`). */
  private parts(): Part[] {
    return [
      { object: this, skip: NOT_IMAGED },
      { object: this.regionTree, skip: new Set() },
      { object: this.columns, skip: BoxColumns.NOT_IMAGED },
      { object: this.totals, skip: RegionAggregates.NOT_IMAGED },
      { object: this.observerEntries, skip: ObserverEntries.NOT_IMAGED },
      { object: this.queries, skip: StateQueries.NOT_IMAGED },
    ];
  }

  /**
   * The whole state as plain data (see image.ts): what `fromImage` restores, e.g. from a
   * snapshot file. The clock and the summary cache stay out. `hooks.replace` may swap typed
   * arrays for stand-ins (a file's binary sections).
   */
  image(hooks: ImageHooks = {}): StateImage {
    if (this.deferred) throw new Error('a bulk load is in progress: no image of a half-loaded state');
    const fields: Record<string, unknown> = {};
    for (const { object, skip } of this.parts()) {
      for (const [name, value] of Object.entries(IMAGE_CODEC.encodeFields(object, hooks, skip))) {
        if (name in fields) throw new Error(`two parts of the state image a field ${name}`);
        fields[name] = value;
      }
    }
    for (const [name, part] of Object.entries(this.packed())) {
      if (name in fields) throw new Error(`two parts of the state image a field ${name}`);
      fields[name] = IMAGE_CODEC.encode(part.pack(), hooks, name);
    }
    return { format: IMAGE_FORMAT, fields };
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
    // each field to the part that has it (a field none has goes to the state itself, as before the parts)
    const owner = new Map<string, object>();
    for (const { object, skip } of state.parts()) for (const name of Object.keys(object)) if (!skip.has(name)) owner.set(name, object);
    const packed = state.packed();
    for (const name of Object.keys(fields)) if (!(name in packed)) IMAGE_CODEC.decodeFields(owner.get(name) ?? state, { [name]: fields[name] }, hooks);
    for (const [name, part] of Object.entries(packed)) {
      if (!fields[name]) throw new Error(`a state image without its ${name}`);
      part.unpack(IMAGE_CODEC.decode(fields[name], hooks) as never);
    }
    return state;
  }

  // ---------------------------------------------------------------- bulk load

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
      const i = this.columns.lookup(ref);
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
        const figures = this.columns.figures;
        const at = figures.storeFresh(slotOfBallot(ref.ballot), entry.sheet);
        deferred.push(i, at, figures.freshLayout!.id, this.observerEntries.intern(entry.observer), entry.createdAt, entry.source === 'confirmation');
      },
      end: () => {
        if (!open) throw new Error('the bulk load has ended');
        open = false;
        this.flushDeferred();
        this.deferred = null;
        this.columns.takeBaseline();
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
    for (const k of deferred.byBox(this.columns.count)) {
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
    const c = this.columns;
    if (Array.isArray(items) && c.count + items.length > c.capacity) c.growColumns(c.count + items.length);
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

  /** Every aggregate taken again from the columns; the box-results a bulk load wrote are refreshed on the way. */
  private recount(): void {
    const now = this.now();
    this.totals.recount((i, total) => this.refreshWith(i, now, total));
  }

  // ---------------------------------------------------------------- column writes

  /**
   * The column writes of a YSK version; null when it is older than the one held. Live, the
   * box-result's share of the aggregates is taken out before and put back after; in a bulk
   * load it is marked PENDING for `recount`.
   */
  private putYsk(i: number, version: YskVersionInput, live: boolean): boolean | null {
    const c = this.columns;
    if (version.seq < c.versions[i]!) return null;
    if (live && c.flags[i]! & HAS_YSK) return this.reviseYsk(i, version);
    if (live) this.totals.contribute(i, PART_COUNTERS | PART_YSK, -1);
    const first = !(c.flags[i]! & HAS_YSK);
    if (version.kind !== undefined) this.setKind(i, version.kind, false);
    const sighting = first ? (version.first ?? null) : null;
    const changed = c.writeSide(i, 'ysk', version.sheet) || first;
    if (first) c.publishedAt[i] = version.publishedAt;
    if (sighting) c.noteFirstSighting(i, sighting);
    this.noteRevision(i, version);
    c.flags[i]! |= HAS_YSK;
    this.settle(i, PART_COUNTERS | PART_YSK, live);
    return changed;
  }

  /**
   * `putYsk` live of a box-result that has a YSK version already (a revision): the counters go
   * out and back in as usual, the sums move by new − old (`rewriteLive`).
   */
  private reviseYsk(i: number, version: YskVersionInput): boolean {
    const c = this.columns;
    const f = c.flags[i]!;
    const altered = c.isAltered(i);
    const kind = c.kind[i]!;
    const listed = c.listed(i);
    if (version.kind !== undefined) this.setKind(i, version.kind, false);
    const changed = this.totals.rewriteLive(i, 'ysk', version.sheet);
    this.noteRevision(i, version);
    this.refresh(i, this.now());
    this.totals.recountFlags(i, f, altered, kind, listed);
    return changed;
  }

  private noteRevision(i: number, version: YskVersionInput): void {
    this.columns.changedAt[i] = version.changedAt ?? version.publishedAt;
    this.columns.versions[i] = Math.min(0xffff, version.seq);
  }

  /** The column writes of an observer entry (see `applyEntry`); null when it changes nothing. */
  private putEntry(i: number, entry: EntryFacts, live: boolean): boolean | null {
    const c = this.columns;
    const f = c.flags[i]!;
    if (f & CONFIRMED) return null;
    const observer = entry.observer;
    const entries = this.observerEntries;
    const seq = entries.nextSeq();
    let multi = entries.has(i);
    if (!multi && c.observer[i] !== -1 && c.observer[i] !== observer) {
      // a second observer: the first one's latest entry is what the org cells hold
      entries.open(i, c.observer[i]!, c.readCells(i), c.enteredAt[i]!);
      multi = true;
    }
    if (!multi) {
      // one observer so far: the cells hold their latest entry, the figure once one observer suffices
      if (c.observer[i] !== -1 && entry.createdAt < c.enteredAt[i]!) return null;
      const agreed = this.confirmations <= 1;
      if (live && agreed && f & HAS_ORG && entry.sheet) {
        // a correction of the figure in force: the sums move by new − old
        const altered = c.isAltered(i);
        const listed = c.listed(i);
        const wrote = this.totals.rewriteLive(i, 'org', entry.sheet);
        c.enteredAt[i] = entry.createdAt;
        c.observer[i] = observer;
        c.flags[i] = (c.flags[i]! | HAS_ORG) & ~UNCONFIRMED;
        this.refresh(i, this.now());
        this.totals.recountFlags(i, f, altered, c.kind[i]!, listed);
        return wrote;
      }
      if (live) this.totals.contribute(i, PART_COUNTERS | PART_ORG, -1);
      const wrote = this.writeOrg(i, entry);
      c.enteredAt[i] = entry.createdAt;
      c.observer[i] = observer;
      c.flags[i] = agreed ? (c.flags[i]! | HAS_ORG) & ~UNCONFIRMED : (c.flags[i]! | UNCONFIRMED) & ~HAS_ORG;
      this.settle(i, PART_COUNTERS | PART_ORG, live);
      return agreed ? wrote || !(f & HAS_ORG) : !(f & UNCONFIRMED);
    }
    // an older entry of an observer whose later one is held: superseded already
    if (entries.superseded(i, observer, entry.createdAt)) return null;
    const verdict = entries.record(i, observer, this.sheetOf(entry), entry.createdAt, seq, this.confirmations);
    const agreed = verdict.agreed;
    if (live) this.totals.contribute(i, PART_COUNTERS | PART_ORG, -1);
    let changed: boolean;
    if (agreed) {
      const wrote = agreed.content === verdict.content ? this.writeOrg(i, entry) : c.writeSide(i, 'org', entries.sheetOfContent(agreed.content));
      changed = wrote || !(f & HAS_ORG);
      c.enteredAt[i] = agreed.at;
      c.observer[i] = agreed.observer;
      c.flags[i] = (c.flags[i]! | HAS_ORG) & ~UNCONFIRMED;
    } else {
      // no figure agreed (any more): the cells are not read until one is
      changed = (f & HAS_ORG) !== 0;
      c.flags[i] = (c.flags[i]! | UNCONFIRMED) & ~HAS_ORG;
    }
    c.flags[i] = verdict.conflicting ? c.flags[i]! | CONFLICTING : c.flags[i]! & ~CONFLICTING;
    this.settle(i, PART_COUNTERS | PART_ORG, live);
    return changed;
  }

  /** The column writes of a confirmation (see `confirm`); null when an older one. */
  private putConfirmation(i: number, entry: EntryFacts, live: boolean): boolean | null {
    const c = this.columns;
    const f = c.flags[i]!;
    if (f & CONFIRMED && entry.createdAt < c.enteredAt[i]!) return null;
    if (live) this.totals.contribute(i, PART_COUNTERS | PART_ORG, -1);
    const changed = this.writeOrg(i, entry) || !(f & HAS_ORG);
    c.enteredAt[i] = entry.createdAt;
    c.observer[i] = entry.observer;
    this.observerEntries.drop(i);
    c.flags[i] = (c.flags[i]! | HAS_ORG | CONFIRMED) & ~(CONFLICTING | UNCONFIRMED);
    this.settle(i, PART_COUNTERS | PART_ORG, live);
    return changed;
  }

  private factsOf(entry: EntryInput): EntryFacts {
    return { observer: this.observerEntries.intern(entry.observer), createdAt: entry.createdAt, sheet: entry.sheet, at: -1, layout: -1 };
  }

  private sheetOf(entry: EntryFacts): Sheet {
    const figures = this.columns.figures;
    return entry.sheet ?? figures.read(entry.at, figures.layout(entry.layout));
  }

  /** The entry's sheet becomes the organisation's side; true when a figure changed. */
  private writeOrg(i: number, entry: EntryFacts): boolean {
    if (entry.sheet) return this.columns.writeSide(i, 'org', entry.sheet);
    // a deferred entry's cells are in the arena already: point at them
    return this.columns.pointOrg(i, entry.at, entry.layout);
  }

  private settle(i: number, parts: number, live: boolean): void {
    if (live) {
      this.refresh(i, this.now());
      this.totals.contribute(i, parts, 1);
    } else {
      this.columns.flags[i]! |= PENDING;
    }
  }

  /** Turns the ysk_only boxes past the threshold stale; returns them. Cost: O(k log n) for k due boxes. */
  tick(now: number = this.now()): BoxChange[] {
    const changes: BoxChange[] = [];
    const c = this.columns;
    while (this.queue.size && this.queue.peekDue() < now) {
      const i = this.queue.pop();
      c.flags[i]! &= ~QUEUED;
      const f = c.flags[i]!;
      if (!(f & HAS_YSK) || f & (HAS_ORG | UNCONFIRMED | STALE)) continue;
      const before = c.flagsAt(i);
      this.totals.contribute(i, PART_COUNTERS, -1);
      this.refresh(i, now);
      this.totals.contribute(i, PART_COUNTERS, 1);
      const change = this.change(i, before, false);
      if (change.changed) changes.push(change);
    }
    return changes;
  }

  // ---------------------------------------------------------------- queries (see StateQueries)

  /** Box counters of a scope; ballot null sums every ballot type (total counts box-results). */
  counters(scope: Scope, ballot: BallotCode | null): BoxCounters {
    return this.queries.counters(scope, ballot);
  }

  /** Box counters of a scope per kind of box (they add up to `counters`). */
  kindCounters(scope: Scope, ballot: BallotCode | null): Record<BoxKind, BoxCounters> {
    return this.queries.kindCounters(scope, ballot);
  }

  coverage(scope: Scope, ballot: BallotCode | null): Coverage {
    return this.queries.coverage(scope, ballot);
  }

  /** Counters of the child regions: provinces (by plate) of the country, districts (by id) of a province. */
  regions(scope: Scope, ballot: BallotCode | null): RegionCounters {
    return this.queries.childRegions(scope, ballot);
  }

  /**
   * Oldest stale, newest altered and biggest mismatches of a scope, `limit` (0…MAX_HEADS) of
   * each. The heads of every (region, ballot type) are cached and taken again only after a
   * box-result on one of the lists changed: a district from its members, a province from its
   * districts' heads, the country from the provinces'. The summaries are cached likewise:
   * treat them as read-only.
   */
  heads(scope: Scope, ballot: BallotCode | null, limit = DEFAULT_HEADS): ListHeads {
    return this.queries.heads(scope, ballot, limit);
  }

  summary(key: string): BoxSummary | null {
    return this.queries.summary(key);
  }

  /** Every stale box-result's ref in the lists' key order (province, district, box, ballot): `list` without its summaries. */
  staleRefs(): BoxRef[] {
    return this.queries.staleRefs();
  }

  /** A page of box summaries in a scope, filtered and sorted; `cursor` continues after the last row. */
  list(query: ListQuery): Page<BoxSummary> {
    return this.queries.list(query);
  }
}

/** The classes a state's image holds instances of. */
const IMAGE_CODEC = new ImageCodec({ BoxGroup, DueQueue, FigureStore, VersionBaseline });
