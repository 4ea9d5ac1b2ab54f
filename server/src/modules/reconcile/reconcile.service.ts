import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BadRequestException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  ReconciliationState,
  boxKey,
  type ReconciliationStateOptions,
  refOfKey,
  type BoxKind,
  type FirstSighting,
  type BoxChange,
  type BoxRef,
  type Entry,
  type BallotCode,
  type BoxInfo,
  type BoxStatus,
  type BoxSummary,
  type Coverage,
  type Page,
  type Scope,
  type SheetVersion,
} from '@gozcu/shared';
import type { BoxesQuery } from './reconcile.dto';
import { Clock } from '../../infra/clock';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ChangeBus } from '../../infra/events';
import type { AppendOutcome, StoreWatermark } from '../store/store.port';
import {
  STORE,
  type ChangesRepository,
  type EntriesRepository,
  type EscalationsRepository,
  type GeographyRepository,
  type VersionsRepository,
} from '../store/store.port';
import { readSnapshot, removeSnapshot, writeSnapshot } from '../../infra/reconcile-snapshot';

/** rows per page of the rebuild's reads (small enough that a page dies young: larger ones cost more in GC) */
const REBUILD_PAGE = 2000;
/** escalations written per store call at start-up */
const ESCALATE_BATCH = 5000;
const TICK_MS = 5000;
/** a restore re-reads at most this many changed boxes; with more changed since its snapshot, a full rebuild is quicker */
const CATCH_UP_LIMIT = 50_000;
/**
 * A snapshot reads the store's watermark, then waits this long before it takes the state: every
 * commit up to the watermark has reached the state by then (a commit is applied right after it),
 * so the state holds at least what the watermark says, and a restore re-reads the rest.
 */
const SNAPSHOT_SETTLE_MS = 2000;
/** the same at shutdown, where the feed's worker and the replicas have stopped already */
const SHUTDOWN_SETTLE_MS = 100;

/** What a snapshot file carries besides the state. */
interface SnapshotMeta {
  election: string;
  watermark: StoreWatermark;
  /** district id → province plate (`provinceOfDistrict`) */
  districts: [number, number][];
  writtenAt: string;
}

/**
 * Keeps the live reconciliation of the configured election: restored at start from its snapshot
 * (the boxes changed since re-read from the store) or else rebuilt from the whole store, then
 * updated per committed YSK version or entry, emitting one change event per batch.
 */
@Injectable()
export class ReconcileService implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReconcileService.name);
  private readonly options: ReconciliationStateOptions;
  private current: ReconciliationState;
  private timer: NodeJS.Timeout | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private writing = false;
  /** a committed change failed to apply: the state may lack what the store holds, so no snapshot may claim it */
  private diverged = false;
  private ready = false;
  /** how this node's state was built at start: from a snapshot (and how many boxes were re-read after it), or from the whole store */
  startedFrom: { from: 'snapshot'; reread: number } | { from: 'store' } | null = null;
  /** district id → province plate, for queries that name only a district */
  private readonly districts = new Map<number, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: ChangesRepository & EntriesRepository & EscalationsRepository & GeographyRepository & VersionsRepository,
    private readonly bus: ChangeBus,
    private readonly clock: Clock,
  ) {
    this.options = {
      election: config.YSK_ELECTION_ID,
      staleAfterMs: config.STALE_AFTER_MINUTES * 60_000,
      confirmations: config.ENTRY_CONFIRMATIONS,
      now: () => clock.wall(),
    };
    this.current = new ReconciliationState(this.options);
  }

  /** The live state (replaced once, when a restart restores it from a snapshot). */
  get state(): ReconciliationState {
    return this.current;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.restore())) await this.rebuild();
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
    const every = this.config.RECONCILE_SNAPSHOT_MINUTES * 60_000;
    if (every > 0) {
      this.snapshotTimer = setInterval(() => void this.snapshot(SNAPSHOT_SETTLE_MS), every);
      this.snapshotTimer.unref();
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    clearInterval(this.snapshotTimer);
  }

  /** After the other modules stopped writing, before the store closes: the snapshot the next start restores. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.config.RECONCILE_SNAPSHOT_MINUTES <= 0) return;
    // a state that missed a change must not be restored: the next start rebuilds from the store
    if (this.diverged) removeSnapshot(this.snapshotFile);
    else await this.snapshot(SHUTDOWN_SETTLE_MS);
  }

  /** Runs an update of the state; one that throws marks the state diverged from the store (see `diverged`). */
  private guarded<T>(update: () => T): T {
    try {
      return update();
    } catch (e) {
      if (!this.diverged) this.logger.error(`the reconciliation missed a committed change (${(e as Error).message}): no snapshot is written from now on`);
      this.diverged = true;
      throw e;
    }
  }

  private get snapshotFile(): string {
    return join(this.config.DATA_DIR, `reconcile-${this.config.YSK_ELECTION_ID}.snapshot`);
  }

  /**
   * Writes the state to the snapshot file with the store's watermark (read first, see
   * SNAPSHOT_SETTLE_MS). Nothing when the store keeps no change log, or before the state is built.
   */
  async snapshot(settleMs: number): Promise<{ bytes: number; ms: number } | null> {
    if (!this.ready || this.writing || this.diverged) return null;
    this.writing = true;
    try {
      const watermark = await this.store.watermark();
      if (!watermark) return null;
      await sleep(settleMs);
      const t0 = this.clock.wall();
      const meta: SnapshotMeta = {
        election: this.config.YSK_ELECTION_ID,
        watermark,
        districts: [...this.districts],
        writtenAt: new Date(this.clock.wall()).toISOString(),
      };
      const bytes = writeSnapshot(this.snapshotFile, meta, this.current);
      const ms = this.clock.wall() - t0;
      this.logger.log(`reconciliation snapshot written: ${this.current.size} box-results, ${(bytes / 1048576).toFixed(1)} MB in ${ms} ms`);
      return { bytes, ms };
    } catch (e) {
      this.logger.warn(`the reconciliation snapshot was not written: ${(e as Error).message}`);
      return null;
    } finally {
      this.writing = false;
    }
  }

  /**
   * Restores the state from the snapshot file and re-reads the boxes changed since its watermark.
   * False when there is no snapshot to use (none, another store's, too old, unreadable): the
   * caller rebuilds from the store, as without one.
   */
  private async restore(): Promise<boolean> {
    if (this.config.RECONCILE_SNAPSHOT_MINUTES <= 0) return false;
    const t0 = this.clock.wall();
    try {
      const snapshot = readSnapshot<SnapshotMeta>(this.snapshotFile, this.options);
      if (!snapshot) return false;
      const { meta, state } = snapshot;
      const keys = await this.store.changedSince(this.config.YSK_ELECTION_ID, meta.watermark, CATCH_UP_LIMIT);
      if (!keys) {
        this.logger.warn(
          `the reconciliation snapshot of ${meta.writtenAt} cannot be caught up from this store (another store, an older file, boxes registered since, or over ${CATCH_UP_LIMIT} boxes changed): rebuilding from the store`,
        );
        return false;
      }
      this.current = state;
      for (const [district, province] of meta.districts) this.districts.set(district, province);
      await this.reapply(keys);
      await this.settle();
      const ms = this.clock.wall() - t0;
      this.startedFrom = { from: 'snapshot', reread: keys.length };
      this.logger.log(`reconciliation restored from a snapshot: ${state.size} box-results, ${keys.length} boxes re-read from the store in ${ms} ms`);
      return true;
    } catch (e) {
      this.logger.warn(`the reconciliation snapshot is not used (${(e as Error).message}): rebuilding from the store`);
      this.current = new ReconciliationState(this.options);
      this.districts.clear();
      return false;
    }
  }

  /** Once the state holds the store: what went stale meanwhile turns stale and is escalated; then the node is ready. */
  private async settle(): Promise<void> {
    this.current.tick(this.clock.wall());
    await this.escalateStale(this.clock.wall());
    this.ready = true;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Rebuilds every box-result's state from the store (the source of truth). */
  async rebuild(): Promise<{ boxes: number; entries: number; ms: number }> {
    const t0 = this.clock.wall();
    const election = this.config.YSK_ELECTION_ID;
    const bulk = this.state.beginBulk();
    let boxes = 0;
    for (let after: string | undefined; ;) {
      const page = await this.store.rebuildBoxes(election, { after, limit: REBUILD_PAGE });
      if (!page.length) break;
      for (const b of page) {
        const ref = refOfKey(b.key);
        this.districts.set(ref.district, ref.province);
        bulk.box(ref, b.latest ? yskInput(b.latest, b.firstPublishedAt, b.first) : undefined, b.kind);
      }
      boxes += page.length;
      after = page[page.length - 1]!.key;
    }
    let entries = 0;
    for (let after: string | undefined; ;) {
      const page = await this.store.rebuildEntries(election, { after, limit: REBUILD_PAGE });
      if (!page.length) break;
      for (const e of page) bulk.entry(refOfKey(e.key), entryInput(e));
      entries += page.length;
      after = page[page.length - 1]!.id;
    }
    bulk.end();
    await this.settle();
    this.startedFrom = { from: 'store' };
    const ms = this.clock.wall() - t0;
    this.logger.log(`reconciliation rebuilt from the store: ${boxes} box-results, ${entries} entries in ${ms} ms`);
    return { boxes, entries, ms };
  }

  /** Registers boxes known from reference data (so coverage counts them before YSK publishes). */
  async registerBoxes(boxes: BoxInfo[]): Promise<void> {
    if (!boxes.length) return;
    await this.store.upsertBoxes(boxes);
    for (const b of boxes) {
      this.districts.set(b.district, b.province);
      this.state.registerBox(refOfKey(b.key), b.kind);
    }
    this.bus.emit('boxes.registered', { keys: boxes.map((b) => b.key) });
  }

  /**
   * Applies committed YSK appends and emits what changed. `kinds` (box key → kind) places boxes
   * first seen here, not registered before.
   */
  applyYsk(outcomes: AppendOutcome[], kinds?: ReadonlyMap<string, BoxKind>): BoxChange[] {
    const changes: BoxChange[] = [];
    for (const o of outcomes) {
      if (o.kind !== 'first' && o.kind !== 'revised') continue;
      // publishedAt only counts for a first publication; the state keeps the first one it saw
      const ref = refOf(o.version.key);
      this.districts.set(ref.district, ref.province);
      const first = o.kind === 'first' ? { yskVersion: o.version.yskVersion, changeReason: o.version.changeReason } : null;
      const change = this.guarded(() => this.state.applyYsk(ref, { ...yskInput(o.version, o.version.fetchedAt, first), kind: kinds?.get(o.version.key) }));
      if (change.changed) changes.push(change);
    }
    if (changes.length) this.bus.emit('boxes.changed', { changes, cause: 'ysk' });
    return changes;
  }

  /**
   * Applies committed entries, in order, and emits what changed as one batch (an import's
   * thousands of entries are one event for the live rooms, the alerts and the other nodes).
   */
  applyEntries(entries: readonly Entry[]): BoxChange[] {
    const changes: BoxChange[] = [];
    for (const entry of entries) {
      const ref = refOf(entry.key);
      this.districts.set(ref.district, ref.province);
      const change = this.guarded(() => this.state.applyEntry(ref, entryInput(entry)));
      if (change.changed) changes.push(change);
    }
    if (changes.length) this.bus.emit('boxes.changed', { changes, cause: 'entry' });
    return changes;
  }

  /** Coverage of a scope; without a ballot the primary ballot type (the first configured) is used. */
  coverage(q: { province?: number; district?: number; ballot?: BallotCode }): Coverage {
    const scope = this.scopeOf(q);
    if (!scope) throw new NotFoundException(unknownScope(q));
    return this.state.coverage(scope, q.ballot ?? this.config.YSK_BALLOT_TYPES[0]);
  }

  boxes(q: BoxesQuery): Page<BoxSummary> {
    if (q.district !== undefined && !this.scopeOf(q)) throw new NotFoundException(unknownScope(q));
    const flag = q.status === 'stale' || q.status === 'altered' || q.status === 'conflicting' || q.status === 'unconfirmed' ? q.status : undefined;
    const sort = q.sort === 'age' ? 'ysk_age' : q.sort;
    try {
      return this.state.list({
        province: q.province,
        district: q.district,
        ballot: q.ballot,
        status: flag ? undefined : (q.status as BoxStatus | undefined),
        flag,
        sort,
        limit: q.limit,
        cursor: q.cursor ?? null,
      });
    } catch (e) {
      if (e instanceof RangeError) throw new BadRequestException(e.message);
      throw e;
    }
  }

  provinceOfDistrict(district: number): number | undefined {
    return this.districts.get(district);
  }

  /** The scope of a query: a district implies its province. Null when the district is unknown. */
  scopeOf(q: { province?: number; district?: number }): Scope | null {
    if (q.district !== undefined) {
      const province = this.districts.get(q.district);
      if (province === undefined || (q.province !== undefined && q.province !== province)) return null;
      return { level: 'district', province, district: q.district };
    }
    return q.province !== undefined ? { level: 'province', province: q.province } : { level: 'country' };
  }

  /** Re-reads boxes another node changed and applies them (multi-node); emits as `replica`. */
  async refresh(keys: string[]): Promise<BoxChange[]> {
    const changes = await this.reapply(keys);
    if (changes.length) this.bus.emit('boxes.changed', { changes, cause: 'replica' });
    return changes;
  }

  /** Re-reads boxes from the store and applies what the state does not hold yet; the changes. */
  private async reapply(keys: string[]): Promise<BoxChange[]> {
    const changes: BoxChange[] = [];
    for (const key of keys) {
      const [found, entries] = await Promise.all([this.store.box(key), this.store.entries(key)]);
      if (!found) continue;
      const ref = refOf(key);
      this.districts.set(ref.district, ref.province);
      // a box registered on another node (reference data) counts here too
      this.guarded(() => this.state.registerBox(found.box));
      const before = this.state.summary(key);
      const last = this.guarded(() => {
        let change: BoxChange | null = null;
        if (found.latest) change = this.state.applyYsk(ref, { ...yskInput(found.latest, found.firstPublishedAt, found.first), kind: found.box.kind });
        for (const e of entries) change = this.state.applyEntry(ref, entryInput(e));
        return change;
      });
      if (last && (last.changed || JSON.stringify(before) !== JSON.stringify(this.state.summary(key)))) changes.push({ ...last, changed: true });
    }
    return changes;
  }

  /** Turns boxes stale as time passes; records an escalation for each, then emits. */
  /** Boxes that went stale while the server was down get their escalation too (idempotent per box). */
  private async escalateStale(now: number): Promise<void> {
    const at = new Date(now).toISOString();
    const stale = this.state.staleRefs();
    for (let from = 0; from < stale.length; from += ESCALATE_BATCH) {
      const batch = stale.slice(from, from + ESCALATE_BATCH);
      await this.store.escalateMany(batch.map((ref) => ({ key: boxKey(ref), province: ref.province, district: ref.district, reason: 'stale', at })));
    }
  }

  async tick(now = this.clock.wall()): Promise<BoxChange[]> {
    const changes = this.state.tick(now).filter((c) => c.after.stale && !c.before?.stale);
    if (!changes.length) return changes;
    const at = new Date(now).toISOString();
    for (const c of changes) await this.store.escalate({ key: c.key, province: c.ref.province, district: c.ref.district, reason: 'stale', at });
    this.bus.emit('boxes.changed', { changes, cause: 'stale' });
    return changes;
  }
}

function unknownScope(q: { province?: number; district?: number }): string {
  return q.province !== undefined ? `no district ${q.district} in province ${q.province}` : `no district ${q.district} is known`;
}

export function refOf(key: string): BoxRef {
  return refOfKey(key);
}

function yskInput(v: Pick<SheetVersion, 'sheet' | 'seq' | 'fetchedAt'>, firstPublishedAt: string | null, first: FirstSighting | null = null) {
  return { sheet: v.sheet, seq: v.seq, publishedAt: Date.parse(firstPublishedAt ?? v.fetchedAt), changedAt: Date.parse(v.fetchedAt), first };
}

function entryInput(e: Pick<Entry, 'id' | 'observer' | 'source' | 'sheet' | 'createdAt'>) {
  return { id: e.id, observer: e.observer, source: e.source, sheet: e.sheet, createdAt: Date.parse(e.createdAt) };
}
