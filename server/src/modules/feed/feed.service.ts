import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  YURT_ICI,
  SANDIK_TURU,
  boxBounds,
  boxKey,
  unmappedVoteColumns,
  versionHash,
  type BallotCode,
  type Column,
  type FeedHealthState,
  type BoxInfo,
  type YskMuhtarlikRow,
  type YskObservation,
} from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ChangeBus } from '../../infra/events';
import { MetricsService } from '../metrics/metrics.service';
import { ReconcileService } from '../reconcile/reconcile.service';
import { ReferenceService } from '../reference/reference.service';
import { STORE, type NewVersion, type Store } from '../store/store.port';
import { FeedHealth, type FailureClass, type Transition } from './feed-health';
import { readBoxRows, RowProblems } from './feed-rows';
import { YskClient, type YskCallEvent } from './ysk.client';
import { YskFetchError } from './ysk.errors';
import { recorderForDir, type JsonlRecorder } from './ysk.recorder';

const SEVERITY: Record<FeedHealthState, number> = { healthy: 0, slow: 1, failing: 2, paused: 3 };
/** After this many unchanged sweeps a complete district is only re-checked every SLOW_EVERY sweeps. */
const SLOW_EVERY = 4;

export interface DistrictJob {
  ballot: BallotCode;
  province: number;
  district: number;
}

export interface SweepJob {
  ballot: BallotCode;
  province: number;
}

interface DistrictState {
  lastPolledSweep: number;
  unchangedPolls: number;
  boxes: number;
}

export interface PollResult {
  requests: number;
  observations: number;
  stored: number;
  revised: number;
  unchanged: boolean;
}

/**
 * The YSK pipeline: discovery of provinces and districts, column maps, polling a district,
 * and ingesting what changed (content hash → append-only versions → reconciliation). Feed
 * health, latency metrics and incidents are kept here; scheduling lives in FeedScheduler.
 */
@Injectable()
export class FeedService implements OnModuleDestroy {
  private readonly logger = new Logger(FeedService.name);
  readonly client: YskClient | null;
  readonly health: FeedHealth;
  /** rows that could not become data and odd metadata, each reported once */
  readonly rowProblems = new RowProblems((kind, scope, cause, details, raw) => this.incident(kind, scope, cause, details, raw, true));
  /** YSK_RECORD_DIR: every raw answer, for replay */
  readonly recorder: JsonlRecorder | null;
  private readonly columns = new Map<string, Column[]>();
  private readonly districts = new Map<string, number[]>();
  private readonly districtState = new Map<string, DistrictState>();
  private readonly sweeps = new Map<string, number>();
  private readonly lastSuccess = new Map<number, number>();
  private readonly openIncidents = new Map<string, string>();
  private readonly registered = new Set<string>();
  private readonly neighbourhoods = new Map<number, YskMuhtarlikRow[]>();
  private backoffUntil = 0;
  private readonly timer: NodeJS.Timeout;
  /** requests and bytes spent, and changes found (the politeness figures) */
  readonly totals = { requests: 0, bytes: 0, notModified: 0, changes: 0, versions: 0, sweeps: 0, districtsDue: 0, districtsSwept: 0 };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: Store,
    private readonly reconcile: ReconcileService,
    private readonly reference: ReferenceService,
    private readonly metrics: MetricsService,
    private readonly bus: ChangeBus,
  ) {
    this.health = new FeedHealth({
      slowP95Ms: config.FEED_SLOW_P95_MS,
      slowErrorRate: config.FEED_SLOW_ERROR_RATE,
      failingErrorRate: config.FEED_FAILING_ERROR_RATE,
      pausedAfterMs: config.FEED_PAUSED_AFTER_MS,
      minSamples: 5,
      windowMs: config.FEED_WINDOW_MS,
    });
    // only a node that polls records (an API-only node makes no calls)
    this.recorder = config.YSK_BASE_URL && config.YSK_RECORD_DIR && config.YSK_WORKER ? recorderForDir(config.YSK_RECORD_DIR) : null;
    this.client = config.YSK_BASE_URL
      ? new YskClient({
          baseUrl: config.YSK_BASE_URL,
          timeoutMs: config.YSK_TIMEOUT_MS,
          recorder: this.recorder ?? undefined,
          observer: { onCall: (e) => this.onCall(e), onRows: (e) => void this.rowProblems.answer(e) },
        })
      : null;
    this.timer = setInterval(() => void this.transitions(this.health.evaluate(Date.now())), Math.min(5_000, config.FEED_WINDOW_MS / 4));
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.recorder?.close();
  }

  get election(): string {
    return this.config.YSK_ELECTION_ID;
  }

  private yskClient(): YskClient {
    if (!this.client) throw new Error('YSK_BASE_URL is not set: the feed is off');
    return this.client;
  }

  /** Provinces to watch, per ballot type: YSK_PROVINCES, or every province YSK lists. */
  async discoverProvinces(ballot: BallotCode): Promise<number[]> {
    const res = await this.yskClient().getIlList({ secimId: this.election, secimTuru: ballot, sandikTuru: SANDIK_TURU.ordinary, yurtIciDisi: YURT_ICI }, { conditional: false });
    if (res.notModified) return [];
    const listed = [...new Set(res.rows.map((r) => r.il_ID))].filter((p) => p >= 1 && p <= 81);
    const wanted = this.config.YSK_PROVINCES;
    return wanted.length ? listed.filter((p) => wanted.includes(p)) : listed.sort((a, b) => a - b);
  }

  /** Districts of a province from `getIlceList` (YSK's own ids), linked to the catalog names and stored. */
  async discoverDistricts(ballot: BallotCode, province: number): Promise<number[]> {
    const res = await this.yskClient().getIlceList(
      { secimId: this.election, secimTuru: ballot, ilId: province, secimCevresiId: '', sandikTuru: SANDIK_TURU.ordinary, yurtIciDisi: YURT_ICI },
      { conditional: false },
    );
    if (res.notModified) return this.districts.get(`${ballot}:${province}`) ?? [];
    const rows = res.rows.filter((r) => r.il_ID === province);
    const unmatched = await this.reference.learnDistricts(province, rows.map((r) => ({ yskId: r.ilce_ID, name: r.ilce_ADI ?? `#${r.ilce_ID}` })));
    if (unmatched.length) this.logger.warn(`YSK districts of ${province} not in the catalog: ${unmatched.map((u) => `${u.yskId} ${u.name}`).join(', ')}`);
    const ids = [...new Set(rows.map((r) => r.ilce_ID))];
    this.districts.set(`${ballot}:${province}`, ids);
    return ids;
  }

  /** The column map of (ballot, province), fetched fresh and stored. */
  async refreshColumns(ballot: BallotCode, province: number): Promise<Column[]> {
    const columns = await this.yskClient().getColumnMap({ secimId: this.election, secimCevresiId: '', ilId: province, bagimsiz: '', secimTuru: ballot, yurtIciDisi: YURT_ICI });
    this.columns.set(`${ballot}:${province}`, columns);
    const changed = await this.store.putColumnMap({ election: this.election, ballot, province, columns, fetchedAt: new Date().toISOString() });
    if (changed) this.logger.log(`column map of ballot ${ballot}, province ${province}: ${columns.map((c) => c.name).join(', ')}`);
    return columns;
  }

  async columnsOf(ballot: BallotCode, province: number): Promise<Column[]> {
    return this.columns.get(`${ballot}:${province}`) ?? this.refreshColumns(ballot, province);
  }

  /**
   * One sweep of a province: the districts due now. Districts still arriving are due every
   * sweep; districts that stopped changing every SLOW_EVERY sweeps (revisions keep coming).
   */
  async dueDistricts(job: SweepJob): Promise<number[]> {
    const key = `${job.ballot}:${job.province}`;
    const sweep = (this.sweeps.get(key) ?? 0) + 1;
    this.sweeps.set(key, sweep);
    let districts = this.districts.get(key);
    if (!districts) districts = await this.discoverDistricts(job.ballot, job.province);
    if (sweep % 10 === 1) await this.refreshColumns(job.ballot, job.province);
    const due = districts.filter((d) => {
      const s = this.districtState.get(`${job.ballot}:${d}`);
      if (!s) return true;
      const quiet = s.unchangedPolls >= 3;
      return !quiet || sweep - s.lastPolledSweep >= SLOW_EVERY;
    });
    this.totals.sweeps++;
    this.totals.districtsSwept += districts.length;
    this.totals.districtsDue += due.length;
    return due;
  }

  /**
   * Learns a district's neighbourhoods and their box-number bounds (`getMuhtarlikList`, once per
   * district) and registers every box, so coverage counts boxes YSK has not published yet.
   */
  async registerDistrictBoxes(job: DistrictJob): Promise<number> {
    const key = `${job.ballot}:${job.district}`;
    if (this.registered.has(key)) return 0;
    let rows = this.neighbourhoods.get(job.district);
    if (!rows) {
      const res = await this.yskClient().getMuhtarlikList(
        { secimId: this.election, secimTuru: job.ballot, ilceId: job.district, beldeId: '', birimId: '', secimCevresiId: '', sandikTuru: SANDIK_TURU.ordinary, yurtIciDisi: YURT_ICI },
        { conditional: false },
      );
      rows = res.notModified ? [] : res.rows.filter((r) => r.ilce_ID === job.district);
      this.neighbourhoods.set(job.district, rows);
      await this.store.upsertNeighbourhoods(
        rows.map((r) => ({ yskId: r.muhtarlik_ID, district: job.district, province: job.province, name: r.muhtarlik_ADI ?? `#${r.muhtarlik_ID}`, minBox: r.min_SANDIK_NO, maxBox: r.max_SANDIK_NO })),
      );
    }
    const boxes: BoxInfo[] = [];
    for (const r of rows) {
      const bounds = boxBounds(r.min_SANDIK_NO, r.max_SANDIK_NO);
      if (!bounds || bounds.max - bounds.min > 5000) continue;
      for (let boxNo = bounds.min; boxNo <= bounds.max; boxNo++) {
        const ref = { election: this.election, ballot: job.ballot, province: job.province, district: job.district, boxNo };
        boxes.push({ ...ref, key: boxKey(ref), yskBoxId: null, neighbourhood: r.muhtarlik_ID, kind: 'domestic' });
      }
    }
    await this.reconcile.registerBoxes(boxes);
    this.registered.add(key);
    return boxes.length;
  }

  /** Polls one district's box results and ingests what changed. */
  async pollDistrict(job: DistrictJob): Promise<PollResult> {
    await this.registerDistrictBoxes(job);
    const params = {
      secimId: this.election, secimTuru: job.ballot, ilId: job.province, ilceId: job.district, beldeId: '', birimId: '', muhtarlikId: '', cezaeviId: '',
      sandikTuru: SANDIK_TURU.ordinary, sandikNoIlk: '', sandikNoSon: '', ulkeId: '', disTemsilcilikId: '', gumrukId: '', yurtIciDisi: YURT_ICI,
      sandikRumuzIlk: '', sandikRumuzSon: '', secimCevresiId: '', sandikId: '', sorguTuru: '',
    };
    const ctx = { election: this.election, ballot: job.ballot };
    const stateKey = `${job.ballot}:${job.district}`;
    const state = this.districtState.get(stateKey) ?? { lastPolledSweep: 0, unchangedPolls: 0, boxes: 0 };
    state.lastPolledSweep = this.sweeps.get(`${job.ballot}:${job.province}`) ?? 0;
    this.districtState.set(stateKey, state);
    let columns = await this.columnsOf(job.ballot, job.province);
    let requests = 1;
    const res = await this.yskClient().getSecimSandikSonucList(params);
    if (res.notModified) {
      state.unchangedPolls++;
      return { requests, observations: 0, stored: 0, revised: 0, unchanged: true };
    }
    // votes in a column the cached map does not know: re-fetch the map rather than lose a party
    if (res.rows.some((row) => unmappedVoteColumns(row, columns).length > 0)) {
      columns = await this.refreshColumns(job.ballot, job.province);
      requests++;
    }
    let observations: YskObservation[];
    try {
      observations = await readBoxRows(res.rows, columns, { ...ctx, fetchedAt: res.fetchedAt, kind: 'domestic' }, `district ${job.district}`, this.rowProblems);
    } catch (e) {
      if (e instanceof YskFetchError) this.yskClient().forget('getSecimSandikSonucList', params);
      throw e;
    }
    const result = await this.ingest(observations);
    state.unchangedPolls = result.stored ? 0 : state.unchangedPolls + 1;
    state.boxes = observations.length;
    this.markSuccess(job.province);
    return { requests, observations: observations.length, ...result, unchanged: result.stored === 0 };
  }

  /**
   * Stores new versions (idempotent on content hash) and reconciles them. Test data served
   * before the real data (versiyon 0) and regressions to an older version are incidents, not data.
   */
  async ingest(observations: YskObservation[]): Promise<{ stored: number; revised: number }> {
    const real = observations.filter((o) => o.yskVersion !== 0);
    if (real.length < observations.length) {
      await this.incident('test_data', 'getSecimSandikSonucList', `${observations.length - real.length} rows with versiyon 0 (test data) ignored`, { keys: observations.filter((o) => o.yskVersion === 0).slice(0, 20).map((o) => boxKey(o.ref)) }, null, true);
    }
    if (!real.length) return { stored: 0, revised: 0 };
    const versions: NewVersion[] = real.map((o) => {
      const key = boxKey(o.ref);
      return {
        box: { ...o.ref, key, yskBoxId: o.yskBoxId, neighbourhood: o.neighbourhood, kind: o.kind },
        key,
        hash: versionHash(o),
        sheet: o.sheet,
        yskVersion: o.yskVersion,
        yskChangedAt: o.yskChangedAt,
        changeReason: o.changeReason,
        fetchedAt: o.fetchedAt,
      };
    });
    const outcomes = await this.store.appendVersions(versions);
    const stale = outcomes.filter((o) => o.kind === 'stale');
    if (stale.length) {
      await this.incident('regression', 'getSecimSandikSonucList', `${stale.length} boxes served an older version than the one stored`, { keys: stale.slice(0, 20).map((o) => o.key) }, null, true);
    }
    const stored = outcomes.filter((o) => o.kind === 'first' || o.kind === 'revised');
    const revised = stored.filter((o) => o.kind === 'revised').length;
    this.metrics.versionsStored.inc({ kind: 'first' }, stored.length - revised);
    if (revised) this.metrics.versionsStored.inc({ kind: 'revised' }, revised);
    this.totals.versions += stored.length;
    this.totals.changes += stored.length;
    this.reconcile.applyYsk(outcomes, new Map(versions.map((v) => [v.key, v.box.kind!])));
    return { stored: stored.length, revised };
  }

  /** Records a failed call as an incident (with the raw payload) and feeds the health state. */
  async recordFailure(err: unknown, scope: string): Promise<void> {
    if (!(err instanceof YskFetchError)) return;
    await this.incident(err.kind, err.endpoint, `${scope}: ${err.message}`, { status: err.status, retryAfterMs: err.retryAfterMs, issues: err.details.issues ?? null }, err.body, false);
  }

  /** YSK asked us to wait (Retry-After), or we back off: reflected in health and the API. */
  async holdUntil(until: number): Promise<void> {
    this.backoffUntil = Math.max(this.backoffUntil, until);
    await this.transitions(this.health.hold(until, Date.now()));
  }

  markSuccess(province: number): void {
    this.lastSuccess.set(province, Date.now());
    this.metrics.pollLag.set({ ballot: 'all', province: String(province) }, 0);
  }

  private onCall(e: YskCallEvent): void {
    const failure = e.outcome === 'ok' || e.outcome === 'not_modified' ? null : (e.outcome as FailureClass);
    this.totals.requests++;
    this.totals.bytes += e.bytes;
    if (e.outcome === 'not_modified') this.totals.notModified++;
    this.metrics.yskLatency.observe({ endpoint: e.endpoint, outcome: failure ? 'error' : 'ok' }, e.latencyMs / 1000);
    this.metrics.yskRequests.inc({ endpoint: e.endpoint, outcome: e.outcome });
    this.metrics.yskBytes.inc({ endpoint: e.endpoint }, e.bytes);
    void this.transitions(this.health.record(e.endpoint, Date.now(), e.latencyMs, e.bytes, failure));
  }

  private async transitions(list: Transition[]): Promise<void> {
    for (const t of list) {
      this.metrics.feedState.set({ endpoint: t.endpoint ?? '' }, SEVERITY[t.to]);
      const scope = t.endpoint ?? 'overall';
      const open = this.openIncidents.get(scope);
      const at = new Date(t.at).toISOString();
      if (open && t.to === 'healthy') {
        await this.store.closeIncident(open, at);
        this.openIncidents.delete(scope);
      } else if (t.to !== 'healthy' && SEVERITY[t.to] > SEVERITY[t.from]) {
        if (open) await this.store.closeIncident(open, at);
        const inc = await this.store.openIncident({ kind: `health_${t.to}`, scope, startedAt: at, cause: t.cause, details: { from: t.from, to: t.to, figures: t.figures }, raw: null });
        this.openIncidents.set(scope, inc.id);
      }
      if (t.endpoint === null) {
        this.logger.warn(`YSK feed ${t.from} → ${t.to}: ${t.cause}`);
        this.bus.emit('feed.health', { state: t.to, previous: t.from, endpoint: null, at, cause: t.cause });
      }
    }
  }

  async incident(kind: string, scope: string, cause: string, details: Record<string, unknown>, raw: string | null, closed: boolean): Promise<void> {
    const at = new Date().toISOString();
    const inc = await this.store.openIncident({ kind, scope, startedAt: at, cause, details, raw: raw ? raw.slice(0, 64 * 1024) : null });
    if (closed) await this.store.closeIncident(inc.id, at);
    this.bus.emit('feed.incident', { id: inc.id, kind, scope, cause, at, open: !closed });
  }

  /** `GET /api/feed/health`. */
  async healthReport() {
    const now = Date.now();
    const windows = ['1m', '5m', '15m'] as const;
    const endpoints = Object.fromEntries(
      this.health.endpointNames().map((name) => [
        name,
        {
          state: this.health.state(name),
          lastSuccessAt: iso(this.health.lastSuccessAt(name)),
          ...Object.fromEntries(windows.map((w) => [w, this.health.stats(name, now, w)])),
        },
      ]),
    );
    const [open, recent] = await Promise.all([this.store.incidents({ open: true, limit: 50 }), this.store.incidents({ limit: 50 })]);
    return {
      enabled: !!this.client,
      baseUrl: this.config.YSK_BASE_URL ?? null,
      overall: this.health.state(),
      asOf: new Date(now).toISOString(),
      ...Object.fromEntries(windows.map((w) => [w, this.health.overallStats(now, w)])),
      endpoints,
      backoffUntil: this.backoffUntil > now ? new Date(this.backoffUntil).toISOString() : null,
      backoffMs: Math.max(0, this.backoffUntil - now),
      lastSuccessByProvince: Object.fromEntries([...this.lastSuccess].map(([p, t]) => [p, new Date(t).toISOString()])),
      totals: { ...this.totals },
      incidents: { open, recent },
    };
  }
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
