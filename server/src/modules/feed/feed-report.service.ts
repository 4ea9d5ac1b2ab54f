import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  feedWorkerReportSchema,
  type BallotCode,
  type FeedHealthReport,
  type FeedHealthState,
  type FeedIncident,
  type FeedStatus,
  type FeedWorkerReport,
} from '@gozcu/shared';
import { Clock } from '../../infra/clock';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { REDIS, type RedisClient } from '../../infra/redis.module';
import { MetricsService } from '../metrics/metrics.service';
import { STORE, type FeedRepository, type SettingsRepository } from '../store/store.port';
import { publicView } from './feed-controls';
import { SEVERITY } from './feed-health';
import { FeedPoller } from './feed-poller.service';
import { FeedService, withTimeout, type FeedSnapshot } from './feed.service';
import type { ProvinceLag } from './poll-priority';

/**
 * What the feed reports: this worker's snapshot (published to Redis and the store for every node)
 * and, on any node, `GET /api/feed/health` and the brief status of `/healthz`, judged again for
 * the snapshot's age on a node that does not poll. Its time is the wall clock (`Clock.wall()`), as
 * the feed's own health windows are: a report compares its time with theirs.
 */
@Injectable()
export class FeedReport {
  private readonly logger = new Logger(FeedReport.name);
  /** the worker whose unreadable report was last logged (once per worker, not at every health read) */
  private unreadFrom: string | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: FeedRepository & SettingsRepository,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly feed: FeedService,
    private readonly poller: FeedPoller,
    private readonly clock: Clock,
    metrics: MetricsService,
  ) {
    metrics.pollLagSource = () => this.pollLagSeconds();
  }

  /** `gozcu_poll_lag_seconds`: this node's own figures when it polls, else the newest worker snapshot's, aged. */
  private async pollLagSeconds(): Promise<Array<{ ballot: string; province: string; seconds: number }>> {
    const now = this.clock.wall();
    let lags: Array<ProvinceLag & { ballot: BallotCode }>;
    if (this.feed.pollsHere) lags = this.poller.lags(now);
    else {
      const snap = (await this.readSnapshot()).snapshot;
      lags = snap ? snap.lags.map((l) => ({ ...l, lagSeconds: l.lagSeconds + Math.max(0, now - snap.at) / 1000 })) : [];
    }
    return lags.map((l) => ({ ballot: String(l.ballot), province: String(l.province), seconds: l.lagSeconds }));
  }

  private get snapshotKey(): string {
    return `gozcu:${this.feed.election}:feed:health`;
  }

  /** What this worker knows, for every node to report (`publishSnapshot`). */
  async snapshot(): Promise<FeedSnapshot> {
    const now = this.clock.wall();
    const { rule, cause } = this.feed.health.reason();
    return {
      node: this.feed.node,
      at: now,
      startedAt: this.feed.startedAt,
      overall: this.feed.health.state(),
      rule,
      cause,
      lastPollSuccessAt: this.feed.health.lastPollSuccessAt,
      signals: this.feed.health.currentSignals,
      report: this.localReport(now),
      lags: this.poller.lags(now),
    };
  }

  /** Publishes this worker's snapshot to Redis (every call) and the store (when asked: less often). */
  async publishSnapshot(toStore: boolean): Promise<void> {
    const snap = await this.snapshot();
    const json = JSON.stringify(snap);
    await withTimeout(
      this.redis
        .multi()
        .hset(this.snapshotKey, this.feed.node, json)
        .pexpire(this.snapshotKey, Math.max(60_000, this.config.FEED_WINDOW_MS * 5))
        .exec(),
      500,
    ).catch(() => undefined);
    if (toStore)
      await this.store
        .putSetting(`feed.health:${this.feed.election}`, snap)
        .catch((e: Error) => this.logger.warn(`feed health snapshot not stored: ${e.message}`));
  }

  /** The newest worker snapshot: from Redis, or from the store when Redis does not answer. */
  async readSnapshot(): Promise<{ snapshot: FeedSnapshot | null; source: 'redis' | 'store' | 'none'; redis: 'ok' | 'unreachable' }> {
    try {
      const all = await withTimeout(this.redis.hgetall(this.snapshotKey), 500);
      const snaps = Object.values(all)
        .map((v) => JSON.parse(v) as FeedSnapshot)
        .sort((a, b) => b.at - a.at);
      if (snaps[0]) return { snapshot: snaps[0], source: 'redis', redis: 'ok' };
      const stored = await this.store.setting<FeedSnapshot>(`feed.health:${this.feed.election}`).catch(() => null);
      return { snapshot: stored, source: stored ? 'store' : 'none', redis: 'ok' };
    } catch {
      const stored = await this.store.setting<FeedSnapshot>(`feed.health:${this.feed.election}`).catch(() => null);
      return { snapshot: stored, source: stored ? 'store' : 'none', redis: 'unreachable' };
    }
  }

  /** The overall state in brief (for `/healthz`): this node's own, or the newest worker snapshot judged for its age. */
  async status(): Promise<FeedStatus> {
    const now = this.clock.wall();
    if (!this.feed.client)
      return { enabled: false, overall: 'paused', rule: 'disabled', cause: 'YSK_BASE_URL is not set: the feed is off', maxLagSeconds: null, source: 'local' };
    if (this.feed.pollsHere) {
      const lags = this.poller.lags(now);
      return {
        enabled: true,
        overall: this.feed.health.state(),
        ...this.feed.health.reason(),
        maxLagSeconds: lags.length ? Math.max(...lags.map((l) => l.lagSeconds)) : null,
        source: 'local',
      };
    }
    const { snapshot, source, redis } = await this.readSnapshot();
    const judged = this.judge(snapshot, now, redis);
    return { enabled: true, ...judged, maxLagSeconds: judged.lags.length ? Math.max(...judged.lags.map((l) => l.lagSeconds)) : null, source };
  }

  /** A worker's snapshot as seen from another node now: too old, or no poll success in the window, is at least failing. */
  private judge(
    snapshot: FeedSnapshot | null,
    now: number,
    redis: 'ok' | 'unreachable',
  ): { overall: FeedHealthState; rule: string; cause: string; lags: Array<ProvinceLag & { ballot: BallotCode }> } {
    if (!snapshot) return { overall: 'failing', rule: 'no_worker_report', cause: 'no worker has reported the feed', lags: [] };
    // poll jobs live in Redis: when this node cannot reach it, the workers most likely cannot either
    if (redis === 'unreachable' && SEVERITY[snapshot.overall] < SEVERITY.failing) {
      const age = Math.max(0, now - snapshot.at);
      return {
        overall: 'failing',
        rule: 'redis_unreachable',
        cause: 'Redis unreachable: no poll jobs run',
        lags: snapshot.lags.map((l) => ({ ...l, lagSeconds: l.lagSeconds + age / 1000 })),
      };
    }
    const age = Math.max(0, now - snapshot.at);
    const window = this.config.FEED_WINDOW_MS;
    const lags = snapshot.lags.map((l) => ({ ...l, lagSeconds: l.lagSeconds + age / 1000 }));
    const sinceSuccess = now - (snapshot.lastPollSuccessAt ?? snapshot.startedAt);
    if (age >= window && SEVERITY[snapshot.overall] < SEVERITY.failing)
      return { overall: 'failing', rule: 'no_worker_report', cause: `no worker has reported for ${Math.round(age / 1000)} s`, lags };
    if (sinceSuccess >= window && SEVERITY[snapshot.overall] < SEVERITY.failing)
      return { overall: 'failing', rule: 'no_recent_success', cause: `no successful poll for ${Math.round(sinceSuccess / 1000)} s`, lags };
    return { overall: snapshot.overall, rule: snapshot.rule, cause: snapshot.cause, lags };
  }

  /**
   * `GET /api/feed/health`. On a node that polls: its own state. On an API-only node: the newest
   * worker snapshot (Redis, else the store), judged again for its age — a snapshot older than the
   * window, or no successful poll in the window, is at least `failing`. Answers while Redis is down.
   */
  async healthReport(): Promise<FeedHealthReport> {
    const now = this.clock.wall();
    if (this.feed.pollsHere) {
      const incidents = await this.incidents();
      return {
        ...this.localReport(now),
        incidents,
        source: 'local',
        redis: this.redis.status === 'ready' ? 'ok' : 'unreachable',
        reportedBy: null,
        reportedAt: null,
      };
    }
    const [{ snapshot, source, redis }, incidents] = await Promise.all([this.readSnapshot(), this.incidents()]);
    const { overall, rule, cause, lags } = this.judge(snapshot, now, redis);
    // this node's own view of the controls and the time; the worker's figures, judged again for their age
    const here = {
      enabled: !!this.feed.client,
      baseUrl: this.config.YSK_BASE_URL ?? null,
      overall,
      rule,
      cause,
      asOf: new Date(now).toISOString(),
      lags,
      controls: publicView(this.feed.controls.current),
      incidents,
      source,
      redis,
    };
    const unknown = {
      lastPollSuccessAt: null,
      '1m': null,
      '5m': null,
      '15m': null,
      endpoints: {},
      backoffUntil: null,
      backoffMs: null,
      lastSuccessByProvince: {},
      rateCap: null,
      cap: null,
      totals: null,
    };
    if (!snapshot) return { ...here, ...unknown, reportedBy: null, reportedAt: null };
    const by = { reportedBy: snapshot.node, reportedAt: new Date(snapshot.at).toISOString() };
    // a worker of another release (a rolling deploy) may report in another shape: its state is judged, its figures are unknown
    const parsed = feedWorkerReportSchema.safeParse(snapshot.report);
    if (!parsed.success) {
      if (this.unreadFrom !== snapshot.node)
        this.logger.warn(
          `the feed report of worker ${snapshot.node} does not read: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
        );
      this.unreadFrom = snapshot.node;
      return { ...here, ...unknown, ...by };
    }
    const r = parsed.data;
    return {
      ...here,
      lastPollSuccessAt: r.lastPollSuccessAt,
      '1m': r['1m'],
      '5m': r['5m'],
      '15m': r['15m'],
      endpoints: r.endpoints,
      backoffUntil: r.backoffUntil,
      backoffMs: r.backoffMs,
      lastSuccessByProvince: r.lastSuccessByProvince,
      rateCap: r.rateCap,
      cap: r.cap,
      totals: r.totals,
      ...by,
    };
  }

  private async incidents(): Promise<{ open: FeedIncident[]; recent: FeedIncident[] }> {
    const [open, recent] = await Promise.all([this.store.incidents({ open: true, limit: 50 }), this.store.incidents({ limit: 50 })]);
    return { open, recent };
  }

  private localReport(now: number): FeedWorkerReport {
    const health = this.feed.health;
    const endpoints = Object.fromEntries(
      health.endpointNames().map((name) => [
        name,
        {
          state: health.state(name),
          lastSuccessAt: iso(health.lastSuccessAt(name)),
          '1m': health.stats(name, now, '1m'),
          '5m': health.stats(name, now, '5m'),
          '15m': health.stats(name, now, '15m'),
        },
      ]),
    );
    const { rule, cause } = health.reason();
    return {
      enabled: !!this.feed.client,
      baseUrl: this.config.YSK_BASE_URL ?? null,
      overall: health.state(),
      rule,
      cause,
      asOf: new Date(now).toISOString(),
      lastPollSuccessAt: iso(health.lastPollSuccessAt),
      '1m': health.overallStats(now, '1m'),
      '5m': health.overallStats(now, '5m'),
      '15m': health.overallStats(now, '15m'),
      endpoints,
      backoffUntil: this.feed.heldUntil > now ? new Date(this.feed.heldUntil).toISOString() : null,
      backoffMs: Math.max(0, this.feed.heldUntil - now),
      lastSuccessByProvince: Object.fromEntries([...this.feed.lastSuccessByProvince].map(([p, t]) => [p, new Date(t).toISOString()])),
      lags: this.poller.lags(now),
      rateCap: { rps: this.feed.controls.current.maxRps, gate: this.feed.gate.mode },
      cap: this.feed.controls.current.maxRps,
      controls: publicView(this.feed.controls.current),
      totals: { ...this.feed.totals },
    };
  }
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
