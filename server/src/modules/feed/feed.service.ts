import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  YURT_ICI,
  SANDIK_TURU,
  boxBounds,
  boxKey,
  unmappedVoteColumns,
  type BallotCode,
  type Column,
  type FeedHealthState,
  type BoxInfo,
  type YskMuhtarlikRow,
  type YskObservation,
} from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ChangeBus } from '../../infra/events';
import { versionHash } from '../../infra/hash';
import { REDIS } from '../../infra/redis.module';
import { MetricsService } from '../metrics/metrics.service';
import { ReconcileService } from '../reconcile/reconcile.service';
import { ReferenceService } from '../reference/reference.service';
import { STORE, type NewVersion, type FeedRepository, type GeographyRepository, type SettingsRepository, type VersionsRepository } from '../store/store.port';
import {
  DistrictWatch,
  fingerprintOf,
  readAggregate,
  refreshDistrict,
  type Aggregate,
  type BoxRange,
  type DistrictIO,
  type Fingerprint,
  type RefreshOptions,
} from './aggregate-watch';
import { FeedControls } from './feed-controls';
import { FeedHealth, type FailureClass, type FeedSignals, type Transition } from './feed-health';
import { readBoxRows, RowProblems } from './feed-rows';
import { priorityOf, provinceLags, type DueDistrict, type ProvinceLag } from './poll-priority';
import { RateGate } from './rate-gate';
import { YskClient, type YskCallEvent } from './ysk.client';
import { YskFetchError } from './ysk.errors';
import { recorderForDir, type JsonlRecorder } from './ysk.recorder';

const SEVERITY: Record<FeedHealthState, number> = { healthy: 0, slow: 1, failing: 2, paused: 3 };
/** Without aggregates (legacy cadence): after this many unchanged polls a district is only re-checked every SLOW_EVERY sweeps. */
const SLOW_EVERY = 4;
/** Aggregate calls of a province refused or unreadable in a row before its districts are polled the legacy way meanwhile. */
const AGGREGATE_FAILURES_BEFORE_FALLBACK = 3;

export interface DistrictJob {
  ballot: BallotCode;
  province: number;
  district: number;
  /** why it is due: its aggregate moved, a routine whole-list check, an operator's resweep, or no aggregate (legacy) */
  kind?: DueDistrict['kind'] | 'legacy';
}

export interface SweepJob {
  ballot: BallotCode;
  province: number;
}

/** A district the sweep found due, with its BullMQ priority. */
export interface DueJob {
  district: number;
  kind: NonNullable<DistrictJob['kind']>;
  priority: number;
}

export interface PollResult {
  requests: number;
  observations: number;
  stored: number;
  revised: number;
  unchanged: boolean;
  settled: boolean;
  /** its aggregate moved again while it was refreshed: queue it again at once */
  again: boolean;
  reason: string;
}

/** What a worker publishes about the feed (Redis, and the store as the fallback) for every node to report. */
export interface FeedSnapshot {
  node: string;
  /** epoch ms */
  at: number;
  startedAt: number;
  overall: FeedHealthState;
  rule: string;
  cause: string;
  lastPollSuccessAt: number | null;
  signals: FeedSignals;
  report: Record<string, unknown>;
  lags: Array<ProvinceLag & { ballot: BallotCode }>;
}

/**
 * The YSK pipeline: discovery of provinces and districts, column maps, the aggregate sweep of a
 * province (what moved), the refresh of a district (only the rows that explain the move), and
 * ingesting what changed (content hash → append-only versions → reconciliation). Feed health,
 * latency metrics, per-province lag and incidents are kept here; scheduling lives in
 * FeedScheduler, the change detection itself in aggregate-watch.ts and poll-priority.ts.
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
  readonly gate: RateGate;
  readonly node = `${hostname()}:${process.pid}`;
  readonly startedAt = Date.now();
  private readonly columns = new Map<string, Column[]>();
  private readonly districts = new Map<string, number[]>();
  private readonly watches = new Map<string, DistrictWatch>();
  private readonly watchProvince = new Map<string, { ballot: BallotCode; province: number }>();
  private readonly sweeps = new Map<string, number>();
  private readonly aggregateFailures = new Map<string, number>();
  private readonly lastSuccess = new Map<number, number>();
  private readonly openIncidents = new Map<string, string>();
  private readonly registered = new Set<string>();
  private readonly neighbourhoods = new Map<number, YskMuhtarlikRow[]>();
  private readonly registers = new Map<number, number[]>();
  private backoffUntil = 0;
  private readonly timer: NodeJS.Timeout;
  /** requests and bytes spent, and changes found (the politeness figures) */
  readonly totals = {
    requests: 0,
    bytes: 0,
    notModified: 0,
    changes: 0,
    versions: 0,
    sweeps: 0,
    districtsDue: 0,
    districtsSwept: 0,
    aggregateCalls: 0,
    boxListCalls: 0,
    probeCalls: 0,
    refreshes: 0,
    wholeLists: 0,
    quietChecks: 0,
    settled: 0,
  };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: FeedRepository & GeographyRepository & SettingsRepository & VersionsRepository,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly reconcile: ReconcileService,
    private readonly reference: ReferenceService,
    private readonly metrics: MetricsService,
    private readonly bus: ChangeBus,
    readonly controls: FeedControls,
  ) {
    this.health = new FeedHealth(
      {
        slowP95Ms: config.FEED_SLOW_P95_MS,
        slowErrorRate: config.FEED_SLOW_ERROR_RATE,
        failingErrorRate: config.FEED_FAILING_ERROR_RATE,
        pausedAfterMs: config.FEED_PAUSED_AFTER_MS,
        minSamples: 5,
        windowMs: config.FEED_WINDOW_MS,
      },
      this.startedAt,
    );
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
    this.gate = new RateGate({
      redis,
      prefix: `gozcu:${config.YSK_ELECTION_ID}:ratecap`,
      rps: () => this.controls.current.maxRps,
      blocked: () => (this.controls.current.paused ? 'paused by an operator' : null),
    });
    this.timer = setInterval(() => void this.transitions(this.health.evaluate(Date.now())), Math.min(1_000, config.FEED_WINDOW_MS / 4));
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.gate.close();
    await this.recorder?.close();
  }

  get election(): string {
    return this.config.YSK_ELECTION_ID;
  }

  private get intervalMs(): number {
    return this.controls.current.pollIntervalMs;
  }

  private yskClient(): YskClient {
    if (!this.client) throw new Error('YSK_BASE_URL is not set: the feed is off');
    return this.client;
  }

  /** Every YSK request goes through the rate gate (the cap, shared by the workers; a pause): the special boxes' too. */
  async ysk<T>(call: (client: YskClient) => Promise<T>): Promise<T> {
    const client = this.yskClient();
    await this.gate.acquire();
    return call(client);
  }

  /** Provinces to watch, per ballot type: YSK_PROVINCES, or every province YSK lists. */
  async discoverProvinces(ballot: BallotCode): Promise<number[]> {
    const res = await this.ysk((c) =>
      c.getIlList({ secimId: this.election, secimTuru: ballot, sandikTuru: SANDIK_TURU.ordinary, yurtIciDisi: YURT_ICI }, { conditional: false }),
    );
    if (res.notModified) return [];
    const listed = [...new Set(res.rows.map((r) => r.il_ID))].filter((p) => p >= 1 && p <= 81);
    const wanted = this.config.YSK_PROVINCES;
    return wanted.length ? listed.filter((p) => wanted.includes(p)) : listed.sort((a, b) => a - b);
  }

  /** Districts of a province from `getIlceList` (YSK's own ids), linked to the catalog names and stored. */
  async discoverDistricts(ballot: BallotCode, province: number): Promise<number[]> {
    const res = await this.ysk((c) =>
      c.getIlceList(
        { secimId: this.election, secimTuru: ballot, ilId: province, secimCevresiId: '', sandikTuru: SANDIK_TURU.ordinary, yurtIciDisi: YURT_ICI },
        { conditional: false },
      ),
    );
    if (res.notModified) return this.districts.get(`${ballot}:${province}`) ?? [];
    const rows = res.rows.filter((r) => r.il_ID === province);
    const unmatched = await this.reference.learnDistricts(
      province,
      rows.map((r) => ({ yskId: r.ilce_ID, name: r.ilce_ADI ?? `#${r.ilce_ID}` })),
    );
    if (unmatched.length) this.logger.warn(`YSK districts of ${province} not in the catalog: ${unmatched.map((u) => `${u.yskId} ${u.name}`).join(', ')}`);
    const ids = [...new Set(rows.map((r) => r.ilce_ID))];
    this.districts.set(`${ballot}:${province}`, ids);
    return ids;
  }

  /** The column map of (ballot, province), fetched fresh and stored. */
  async refreshColumns(ballot: BallotCode, province: number): Promise<Column[]> {
    const columns = await this.ysk((c) =>
      c.getColumnMap({ secimId: this.election, secimCevresiId: '', ilId: province, bagimsiz: '', secimTuru: ballot, yurtIciDisi: YURT_ICI }),
    );
    this.columns.set(`${ballot}:${province}`, columns);
    const changed = await this.store.putColumnMap({ election: this.election, ballot, province, columns, fetchedAt: new Date().toISOString() });
    if (changed) this.logger.log(`column map of ballot ${ballot}, province ${province}: ${columns.map((c) => c.name).join(', ')}`);
    return columns;
  }

  async columnsOf(ballot: BallotCode, province: number): Promise<Column[]> {
    return this.columns.get(`${ballot}:${province}`) ?? this.refreshColumns(ballot, province);
  }

  /** The watch state of (ballot, district), created on first use. */
  watch(ballot: BallotCode, province: number, district: number): DistrictWatch {
    const key = `${ballot}:${district}`;
    let w = this.watches.get(key);
    if (!w) {
      w = new DistrictWatch(this.registers.get(district) ?? [], Date.now());
      this.watches.set(key, w);
      this.watchProvince.set(key, { ballot, province });
    }
    return w;
  }

  /**
   * How precisely a refresh may fetch: more box-number ranges cost requests and save rows. The
   * ceiling FEED_MAX_RANGES is scaled by the spare share of the rate cap over the last minute, so
   * under the cap's pressure a refresh makes one request and, with room to spare, several.
   */
  private refreshOptions(): RefreshOptions {
    const now = Date.now();
    const rps = this.health.overallStats(now, '1m').count / 60;
    const spare = Math.max(0, 1 - rps / Math.max(0.001, this.controls.current.maxRps));
    const maxRanges = Math.max(1, Math.round(this.config.FEED_MAX_RANGES * spare));
    return { maxRanges, gap: this.config.FEED_RANGE_GAP, leaf: 8, maxProbes: 16 };
  }

  /**
   * One sweep of a province: its aggregates (`getSecimSonucList` with `ilId`, no `ilceId`: one
   * row per district) say which districts moved past what we hold; those are due, with the most
   * unseen change first. A quiet district is due for a whole-list check now and then. Without
   * aggregates (refused or unreadable three times in a row, or a district has no row) districts are
   * due the legacy way: every sweep while arriving, every fourth once quiet.
   */
  async sweep(job: SweepJob): Promise<DueJob[]> {
    if (this.controls.current.paused) return [];
    const key = `${job.ballot}:${job.province}`;
    const sweep = (this.sweeps.get(key) ?? 0) + 1;
    this.sweeps.set(key, sweep);
    let districts = this.districts.get(key);
    if (!districts) districts = await this.discoverDistricts(job.ballot, job.province);
    if (sweep % 10 === 1) await this.refreshColumns(job.ballot, job.province);
    // every box is registered before YSK publishes anything (observers enter their boxes, coverage
    // counts them): a district is only fetched once its aggregate moves, which may be hours later
    for (const d of districts) {
      if (this.registered.has(`${job.ballot}:${d}`)) continue;
      await this.registerDistrictBoxes({ ballot: job.ballot, province: job.province, district: d }).catch((err: unknown) =>
        // its first refresh, or the next sweep, tries again; a YSK failure is recorded by the client
        this.logger.warn(`boxes of district ${d} not registered yet: ${(err as Error).message}`),
      );
    }
    this.totals.sweeps++;
    this.totals.districtsSwept += districts.length;
    const now = Date.now();
    let rows: Map<number, Record<string, unknown>> | null = null;
    let notModified = false;
    try {
      this.totals.aggregateCalls++;
      const res = await this.ysk((c) =>
        c.getSecimSonucList({
          secimId: this.election,
          secimTuru: job.ballot,
          ilId: job.province,
          sandikTuru: SANDIK_TURU.ordinary,
          yurtIciDisi: YURT_ICI,
        }),
      );
      this.aggregateFailures.set(key, 0);
      if (res.notModified) notModified = true;
      else {
        rows = new Map();
        for (const r of res.rows as unknown as Record<string, unknown>[]) {
          const d = r['ilce_ID'];
          if (typeof d === 'number' && (r['sandik_NO'] === null || r['sandik_NO'] === undefined)) rows.set(d, r);
        }
      }
      this.markSuccess(job.province);
    } catch (err) {
      // a refusal or a shape we cannot read, again and again, means this feed has no usable
      // aggregates: poll the province without them meanwhile. Outages (5xx, timeouts, 429) only retry.
      const unusable = err instanceof YskFetchError && (err.kind === 'http_4xx' || err.kind === 'schema' || err.kind === 'parse');
      const failures = unusable ? (this.aggregateFailures.get(key) ?? 0) + 1 : 0;
      this.aggregateFailures.set(key, failures);
      if (!unusable || failures < AGGREGATE_FAILURES_BEFORE_FALLBACK) throw err;
      await this.recordFailure(err, `sweep ${key} (aggregates unavailable ${failures} times in a row: districts polled without them)`);
    }
    const due: DueJob[] = [];
    let quietPicked = false;
    const quietMs = this.config.FEED_QUIET_CHECK_MS;
    for (const d of districts) {
      const w = this.watch(job.ballot, job.province, d);
      let agg: Aggregate | null = null;
      if (notModified && w.agg) agg = { ...w.agg, at: now };
      else if (rows?.has(d)) agg = readAggregate(rows.get(d)!, now);
      if (agg) {
        if (w.noteAggregate(agg) === 'due') {
          due.push({ district: d, kind: 'change', priority: priorityOf({ dueSince: w.dueSince!, unseen: w.unseen, kind: 'change' }, this.intervalMs) });
        } else if (!quietPicked && w.quietCheckDue(now, quietMs)) {
          quietPicked = true;
          due.push({ district: d, kind: 'quiet', priority: priorityOf({ dueSince: now, unseen: 0, kind: 'quiet' }, this.intervalMs) });
        }
        continue;
      }
      // no aggregate for this district: the legacy cadence, a whole list each time
      w.agg = null;
      const quiet = w.unchangedPolls >= 3;
      if (!quiet || sweep - (w.lastPolledSweep ?? 0) >= SLOW_EVERY) {
        w.dueSince ??= now;
        w.lastPolledSweep = sweep;
        due.push({ district: d, kind: 'legacy', priority: priorityOf({ dueSince: w.dueSince, unseen: 1, kind: 'change' }, this.intervalMs) });
      }
    }
    this.totals.districtsDue += due.length;
    return due;
  }

  /** The district as a due job again (its aggregate moved while it was being refreshed). */
  dueAgain(job: DistrictJob): DueJob | null {
    const w = this.watches.get(`${job.ballot}:${job.district}`);
    if (!w || w.dueSince === null) return null;
    return { district: job.district, kind: 'change', priority: priorityOf({ dueSince: w.dueSince, unseen: w.unseen, kind: 'change' }, this.intervalMs) };
  }

  /**
   * An operator's resweep: every district of the province is fetched whole again, first in line,
   * and its column map re-read. Answers the districts to queue (per ballot type watched).
   */
  async resweep(province: number, ballot: BallotCode | null): Promise<Array<{ ballot: BallotCode; jobs: DueJob[] }>> {
    const out: Array<{ ballot: BallotCode; jobs: DueJob[] }> = [];
    const now = Date.now();
    for (const b of this.config.YSK_BALLOT_TYPES) {
      if (ballot !== null && b !== ballot) continue;
      const key = `${b}:${province}`;
      const districts = this.districts.get(key) ?? (await this.discoverDistricts(b, province).catch(() => []));
      if (!districts.length) continue;
      this.columns.delete(key);
      const jobs = districts.map((d) => {
        const w = this.watch(b, province, d);
        w.forceFull = true;
        w.dueSince ??= now;
        return { district: d, kind: 'resweep' as const, priority: priorityOf({ dueSince: now, unseen: 0, kind: 'resweep' }, this.intervalMs) };
      });
      out.push({ ballot: b, jobs });
    }
    return out;
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
      const res = await this.ysk((c) =>
        c.getMuhtarlikList(
          {
            secimId: this.election,
            secimTuru: job.ballot,
            ilceId: job.district,
            sandikTuru: SANDIK_TURU.ordinary,
            yurtIciDisi: YURT_ICI,
          },
          { conditional: false },
        ),
      );
      rows = res.notModified ? [] : res.rows.filter((r) => r.ilce_ID === job.district);
      this.neighbourhoods.set(job.district, rows);
      await this.store.upsertNeighbourhoods(
        rows.map((r) => ({
          yskId: r.muhtarlik_ID,
          district: job.district,
          province: job.province,
          name: r.muhtarlik_ADI ?? `#${r.muhtarlik_ID}`,
          minBox: r.min_SANDIK_NO,
          maxBox: r.max_SANDIK_NO,
        })),
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
    const register = boxes.map((b) => b.boxNo);
    this.registers.set(job.district, register);
    const w = this.watches.get(key);
    if (w && w.boxes.registerSize !== register.length) w.boxes.setRegister(register);
    return boxes.length;
  }

  /**
   * Brings one district up to its newest aggregate: the box-number ranges of boxes not seen yet,
   * or the few boxes a bisection with range aggregates points at, or the whole list (no
   * aggregate, a quiet check, a resweep, an aggregate that never matches). See aggregate-watch.ts.
   */
  async pollDistrict(job: DistrictJob): Promise<PollResult> {
    await this.registerDistrictBoxes(job);
    const w = this.watch(job.ballot, job.province, job.district);
    let requests = 0;
    let observations = 0;
    let stored = 0;
    let revised = 0;
    let unread = 0;
    const io: DistrictIO = {
      fetchBoxes: async (range) => {
        requests++;
        const got = await this.fetchBoxList(job, range);
        observations += got.observations;
        stored += got.stored;
        revised += got.revised;
        unread += got.unread;
        return got.rows;
      },
      unreadRows: () => unread,
      probe: (range) => {
        requests++;
        return this.probeAggregate(job, range);
      },
    };
    const full = job.kind === 'quiet' || job.kind === 'resweep' || job.kind === 'legacy';
    if (job.kind === 'legacy') w.agg = null;
    const out = await refreshDistrict(w, io, this.refreshOptions(), Date.now(), full);
    this.totals.refreshes++;
    if (out.full) this.totals.wholeLists++;
    if (job.kind === 'quiet') this.totals.quietChecks++;
    if (out.settled) this.totals.settled++;
    w.unchangedPolls = stored ? 0 : w.unchangedPolls + 1;
    this.markSuccess(job.province);
    return { requests, observations, stored, revised, unchanged: stored === 0, settled: out.settled, again: out.again, reason: out.reason };
  }

  /** One `getSecimSandikSonucList` call of a district (or a box-number range of it), ingested. */
  private async fetchBoxList(
    job: DistrictJob,
    range: BoxRange | null,
  ): Promise<{ rows: Array<{ boxNo: number; fp: Fingerprint }>; observations: number; stored: number; revised: number; unread: number }> {
    // the parameters left out are sent empty, in YSK's order (buildQuery)
    const params = {
      secimId: this.election,
      secimTuru: job.ballot,
      ilId: job.province,
      ilceId: job.district,
      sandikTuru: SANDIK_TURU.ordinary,
      sandikNoIlk: range ? range[0] : '',
      sandikNoSon: range ? range[1] : '',
      yurtIciDisi: YURT_ICI,
    };
    const ctx = { election: this.election, ballot: job.ballot };
    let columns = await this.columnsOf(job.ballot, job.province);
    this.totals.boxListCalls++;
    const res = await this.ysk((c) => c.getSecimSandikSonucList(params));
    if (res.notModified) return { rows: [], observations: 0, stored: 0, revised: 0, unread: 0 };
    // votes in a column the cached map does not know: re-fetch the map rather than lose a party
    if (res.rows.some((row) => unmappedVoteColumns(row, columns).length > 0)) columns = await this.refreshColumns(job.ballot, job.province);
    let observations: YskObservation[];
    try {
      observations = await readBoxRows(res.rows, columns, { ...ctx, fetchedAt: res.fetchedAt, kind: 'domestic' }, `district ${job.district}`, this.rowProblems);
    } catch (e) {
      if (e instanceof YskFetchError) this.yskClient().forget('getSecimSandikSonucList', params);
      throw e;
    }
    const result = await this.ingest(observations);
    // test data (versiyon 0) is an incident, not data, and says nothing about YSK's real figures:
    // this answer cannot settle the district, so the job retries (after its real rows are stored)
    if (observations.some((o) => o.yskVersion === 0)) throw new Error(`district ${job.district}: YSK served test data (versiyon 0); retrying`);
    // what the watcher holds: the rows stored. A row readBoxRows rejected (an incident) is not
    // held, so the district's sums do not match its aggregate and it is fetched whole again.
    const read = new Set(observations.map((o) => o.ref.boxNo));
    const rows: Array<{ boxNo: number; fp: Fingerprint }> = [];
    // rows YSK sent that we could not read: rejected by the schema, or box rows not normalised
    let unread = res.rejected.length;
    for (const row of res.rows as unknown as Record<string, unknown>[]) {
      const no = row['sandik_NO'];
      if (no === null || no === undefined) continue;
      const n = typeof no === 'number' ? no : Number(no);
      if (Number.isInteger(n) && read.has(n)) rows.push({ boxNo: n, fp: fingerprintOf(row) });
      else unread++;
    }
    // an answer with rows we could not read is not one to be told "unchanged" about: the next
    // call gets it whole again, so its unread rows are counted again until YSK sends them right
    if (unread > 0) this.yskClient().forget('getSecimSandikSonucList', params);
    return { rows, observations: observations.length, ...result, unread };
  }

  /** The aggregate of a box-number range of a district (one small row). */
  private async probeAggregate(job: DistrictJob, range: BoxRange): Promise<Aggregate | null> {
    this.totals.probeCalls++;
    const res = await this.ysk((c) =>
      c.getSecimSonucList(
        {
          secimId: this.election,
          secimTuru: job.ballot,
          ilId: job.province,
          ilceId: job.district,
          sandikTuru: SANDIK_TURU.ordinary,
          sandikNoIlk: range[0],
          sandikNoSon: range[1],
          yurtIciDisi: YURT_ICI,
        },
        { conditional: false },
      ),
    );
    if (res.notModified || res.rows.length !== 1) return null;
    return readAggregate(res.rows[0] as unknown as Record<string, unknown>, Date.now());
  }

  /**
   * Stores new versions (idempotent on content hash) and reconciles them. Test data served
   * before the real data (versiyon 0) and regressions to an older version are incidents, not data.
   */
  async ingest(observations: YskObservation[]): Promise<{ stored: number; revised: number }> {
    const real = observations.filter((o) => o.yskVersion !== 0);
    if (real.length < observations.length) {
      await this.incident(
        'test_data',
        'getSecimSandikSonucList',
        `${observations.length - real.length} rows with versiyon 0 (test data) ignored`,
        {
          keys: observations
            .filter((o) => o.yskVersion === 0)
            .slice(0, 20)
            .map((o) => boxKey(o.ref)),
        },
        null,
        true,
      );
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
      await this.incident(
        'regression',
        'getSecimSandikSonucList',
        `${stale.length} boxes served an older version than the one stored`,
        { keys: stale.slice(0, 20).map((o) => o.key) },
        null,
        true,
      );
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
    await this.incident(
      err.kind,
      err.endpoint,
      `${scope}: ${err.message}`,
      { status: err.status, retryAfterMs: err.retryAfterMs, issues: err.details.issues ?? null },
      err.body,
      false,
    );
  }

  /** YSK asked us to wait (Retry-After), or we back off: reflected in health and the API. */
  async holdUntil(until: number): Promise<void> {
    this.backoffUntil = Math.max(this.backoffUntil, until);
    await this.transitions(this.health.hold(until, Date.now()));
  }

  /** A poll of the province succeeded (its aggregates, or a district's boxes). */
  markSuccess(province: number): void {
    const now = Date.now();
    this.lastSuccess.set(province, now);
    void this.transitions(this.health.pollSucceeded(now));
  }

  /** Outside signals for the health state (the scheduler samples the queue and Redis). */
  setSignals(signals: Partial<FeedSignals>): void {
    void this.transitions(this.health.setSignals(signals, Date.now()));
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
      try {
        if (open && t.to === 'healthy') {
          await this.store.closeIncident(open, at);
          this.openIncidents.delete(scope);
        } else if (t.to !== 'healthy' && SEVERITY[t.to] > SEVERITY[t.from]) {
          if (open) await this.store.closeIncident(open, at);
          const inc = await this.store.openIncident({
            kind: `health_${t.to}`,
            scope,
            startedAt: at,
            cause: t.cause,
            details: { from: t.from, to: t.to, rule: t.rule, figures: t.figures },
            raw: null,
          });
          this.openIncidents.set(scope, inc.id);
        }
      } catch (e) {
        this.logger.warn(`health incident not stored: ${(e as Error).message}`);
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

  /** Per (ballot type, province): now − when its oldest district was last known current. */
  lags(now = Date.now()): Array<ProvinceLag & { ballot: BallotCode }> {
    const byBallot = new Map<BallotCode, Array<{ province: number; lastVerifiedAt: number; dueSince: number | null }>>();
    for (const [key, w] of this.watches) {
      const where = this.watchProvince.get(key)!;
      const list = byBallot.get(where.ballot) ?? [];
      list.push({ province: where.province, lastVerifiedAt: w.lastVerifiedAt, dueSince: w.dueSince });
      byBallot.set(where.ballot, list);
    }
    return [...byBallot].flatMap(([ballot, list]) => provinceLags(list, now).map((l) => ({ ...l, ballot })));
  }

  /** This node runs poll jobs. */
  get pollsHere(): boolean {
    return !!this.client && this.config.YSK_WORKER;
  }

  /** Until when this node holds its calls off (ms since epoch; 0: not held). */
  get heldUntil(): number {
    return this.backoffUntil;
  }

  /** When each province last answered a poll (ms since epoch). */
  get lastSuccessByProvince(): ReadonlyMap<number, number> {
    return this.lastSuccess;
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
