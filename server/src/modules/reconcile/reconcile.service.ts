import { BadRequestException, Inject, Injectable, Logger, NotFoundException, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  ReconciliationState,
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
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ChangeBus } from '../../infra/events';
import type { AppendOutcome, Escalation } from '../store/store.port';
import { STORE, type EntriesRepository, type EscalationsRepository, type GeographyRepository, type VersionsRepository } from '../store/store.port';

/** rows per page of the rebuild's reads (small enough that a page dies young: larger ones cost more in GC) */
const REBUILD_PAGE = 2000;
/** escalations written per store call at start-up */
const ESCALATE_BATCH = 5000;
const TICK_MS = 5000;

/**
 * Keeps the live reconciliation of the configured election: rebuilt from the store at start,
 * then updated per committed YSK version or entry, emitting one change event per batch.
 */
@Injectable()
export class ReconcileService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReconcileService.name);
  readonly state: ReconciliationState;
  private timer: NodeJS.Timeout | undefined;
  private ready = false;
  /** district id → province plate, for queries that name only a district */
  private readonly districts = new Map<number, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: EntriesRepository & EscalationsRepository & GeographyRepository & VersionsRepository,
    private readonly bus: ChangeBus,
  ) {
    this.state = new ReconciliationState({
      election: config.YSK_ELECTION_ID,
      staleAfterMs: config.STALE_AFTER_MINUTES * 60_000,
      confirmations: config.ENTRY_CONFIRMATIONS,
      now: Date.now,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.rebuild();
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Rebuilds every box-result's state from the store (the source of truth). */
  async rebuild(): Promise<{ boxes: number; entries: number; ms: number }> {
    const t0 = Date.now();
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
    this.state.tick(Date.now());
    await this.escalateStale(Date.now());
    this.ready = true;
    const ms = Date.now() - t0;
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
      const change = this.state.applyYsk(ref, { ...yskInput(o.version, o.version.fetchedAt, first), kind: kinds?.get(o.version.key) });
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
      const change = this.state.applyEntry(ref, entryInput(entry));
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
    const changes: BoxChange[] = [];
    for (const key of keys) {
      const [found, entries] = await Promise.all([this.store.box(key), this.store.entries(key)]);
      if (!found) continue;
      const ref = refOf(key);
      this.districts.set(ref.district, ref.province);
      // a box registered on another node (reference data) counts here too
      this.state.registerBox(found.box);
      const before = this.state.summary(key);
      let last: BoxChange | null = null;
      if (found.latest) last = this.state.applyYsk(ref, { ...yskInput(found.latest, found.firstPublishedAt, found.first), kind: found.box.kind });
      for (const e of entries) last = this.state.applyEntry(ref, entryInput(e));
      if (last && (last.changed || JSON.stringify(before) !== JSON.stringify(this.state.summary(key)))) changes.push({ ...last, changed: true });
    }
    if (changes.length) this.bus.emit('boxes.changed', { changes, cause: 'replica' });
    return changes;
  }

  /** Turns boxes stale as time passes; records an escalation for each, then emits. */
  /** Boxes that went stale while the server was down get their escalation too (idempotent per box). */
  private async escalateStale(now: number): Promise<void> {
    const at = new Date(now).toISOString();
    // district by district, in the list's order (province, district, then box): one pass over
    // the state in all, where country-wide pages would each pass over every box-result
    const districts = [...this.districts].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    let batch: Omit<Escalation, 'id'>[] = [];
    for (const [district, province] of districts) {
      for (let cursor: string | null = null; ;) {
        const page = this.state.list({ province, district, flag: 'stale', limit: 1000, cursor });
        for (const b of page.items) batch.push({ key: b.key, province: b.province, district: b.district, reason: 'stale', at });
        if (batch.length >= ESCALATE_BATCH) {
          await this.store.escalateMany(batch);
          batch = [];
        }
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
    }
    await this.store.escalateMany(batch);
  }

  async tick(now = Date.now()): Promise<BoxChange[]> {
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
