import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { RedisClient as Redis } from '../../infra/redis.module';
import type { Assert, BallotCode, Equal, FeedHealthState, FeedProvinceLag, FeedTotals, FeedWorkerReport } from '@gozcu/shared';
import { Clock } from '../../infra/clock';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ChangeBus } from '../../infra/events';
import { REDIS } from '../../infra/redis.module';
import { YSK_CLIENT, YSK_RECORDER } from '../../infra/ysk.providers';
import { STORE, type FeedRepository } from '../store/store.port';
import { FeedControls } from './feed-controls';
import { FeedHealth, SEVERITY, type FailureClass, type FeedSignals, type Transition } from './feed-health';
import { RowProblems } from './feed-rows';
import type { ProvinceLag } from './poll-priority';
import { RateGate } from './rate-gate';
import { YskClient, type YskCallEvent } from './ysk.client';
import { YskFetchError } from './ysk.errors';
import type { YskRecorder } from './ysk.recorder';

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
  report: FeedWorkerReport;
  lags: Array<ProvinceLag & { ballot: BallotCode }>;
}

/** The poller's lag rows are the contract's. */
export type ProvinceLagMatches = Assert<Equal<ProvinceLag, Omit<FeedProvinceLag, 'ballot'>>>;

/**
 * The feed's link to YSK and its health: the client (every call through the rate gate), what
 * each call says of the feed's health (per-endpoint windows, transitions → incidents and
 * `feed.health` events), the incidents of rows that cannot become data, Retry-After holds, and the
 * politeness totals. What to poll is FeedDiscovery's, the poll jobs and the ingest FeedPoller's,
 * the reports FeedReport's, the scheduling FeedScheduler's.
 */
@Injectable()
export class FeedService implements OnModuleDestroy {
  private readonly logger = new Logger(FeedService.name);
  readonly health: FeedHealth;
  /** rows that could not become data and odd metadata, each reported once */
  readonly rowProblems = new RowProblems((kind, scope, cause, details, raw) => this.incident(kind, scope, cause, details, raw, true));
  readonly gate: RateGate;
  readonly node = `${hostname()}:${process.pid}`;
  readonly startedAt: number;
  private readonly lastSuccess = new Map<number, number>();
  private readonly openIncidents = new Map<string, string>();
  private backoffUntil = 0;
  private readonly timer: NodeJS.Timeout;
  /** requests and bytes spent, and changes found (the politeness figures) */
  readonly totals = zeroTotals();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: FeedRepository,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly bus: ChangeBus,
    readonly controls: FeedControls,
    private readonly clock: Clock,
    /** null: YSK_BASE_URL is not set, the feed is off */
    @Inject(YSK_CLIENT) readonly client: YskClient | null,
    /** YSK_RECORD_DIR: every raw answer, for replay */
    @Inject(YSK_RECORDER) private readonly recorder: YskRecorder | null,
  ) {
    this.startedAt = clock.wall();
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
    client?.observe({ onCall: (e) => this.onCall(e), onRows: (e) => void this.rowProblems.answer(e) });
    this.gate = new RateGate({
      redis,
      prefix: `gozcu:${config.YSK_ELECTION_ID}:ratecap`,
      rps: () => this.controls.current.maxRps,
      blocked: () => (this.controls.current.paused ? 'paused by an operator' : null),
    });
    this.timer = setInterval(() => void this.transitions(this.health.evaluate(this.clock.wall())), Math.min(1_000, config.FEED_WINDOW_MS / 4));
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.gate.close();
    await this.recorder?.close?.();
  }

  get election(): string {
    return this.config.YSK_ELECTION_ID;
  }

  /** The client, or an error when the feed is off. */
  yskClient(): YskClient {
    if (!this.client) throw new Error('YSK_BASE_URL is not set: the feed is off');
    return this.client;
  }

  /** Every YSK request goes through the rate gate (the cap, shared by the workers; a pause): the special boxes' too. */
  async ysk<T>(call: (client: YskClient) => Promise<T>): Promise<T> {
    const client = this.yskClient();
    await this.gate.acquire();
    return call(client);
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
    await this.transitions(this.health.hold(until, this.clock.wall()));
  }

  /** A poll of the province succeeded (its aggregates, or a district's boxes). */
  markSuccess(province: number): void {
    const now = this.clock.wall();
    this.lastSuccess.set(province, now);
    void this.transitions(this.health.pollSucceeded(now));
  }

  /** Outside signals for the health state (the scheduler samples the queue and Redis). */
  setSignals(signals: Partial<FeedSignals>): void {
    void this.transitions(this.health.setSignals(signals, this.clock.wall()));
  }

  private onCall(e: YskCallEvent): void {
    const failure = e.outcome === 'ok' || e.outcome === 'not_modified' ? null : (e.outcome as FailureClass);
    this.totals.requests++;
    this.totals.bytes += e.bytes;
    if (e.outcome === 'not_modified') this.totals.notModified++;
    this.bus.emit('ysk.call', { endpoint: e.endpoint, outcome: e.outcome, latencyMs: e.latencyMs, bytes: e.bytes });
    void this.transitions(this.health.record(e.endpoint, this.clock.wall(), e.latencyMs, e.bytes, failure));
  }

  private async transitions(list: Transition[]): Promise<void> {
    for (const t of list) {
      const at = new Date(t.at).toISOString();
      this.bus.emit('feed.state', { endpoint: t.endpoint, state: t.to, previous: t.from, at });
      const scope = t.endpoint ?? 'overall';
      const open = this.openIncidents.get(scope);
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
    const at = new Date(this.clock.wall()).toISOString();
    const inc = await this.store.openIncident({ kind, scope, startedAt: at, cause, details, raw: raw ? raw.slice(0, 64 * 1024) : null });
    if (closed) await this.store.closeIncident(inc.id, at);
    this.bus.emit('feed.incident', { id: inc.id, kind, scope, cause, at, open: !closed });
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

/** The politeness figures, all zero (a worker's start). */
export function zeroTotals(): Required<FeedTotals> {
  return {
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
