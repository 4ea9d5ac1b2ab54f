import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The Prometheus registry and every metric Gozcu exports at GET /metrics. Other modules only write to it (the feed's through its events: FeedMetrics). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  /**
   * Metrics derived from YSK's figures (boxes published, versions stored): never on the
   * unauthenticated scrape, and during the embargo only for callers who see YSK's figures.
   */
  readonly yskRegistry = new Registry();

  readonly yskLatency = new Histogram({
    name: 'gozcu_ysk_request_duration_seconds',
    help: 'Latency of requests to YSK, per endpoint and outcome',
    labelNames: ['endpoint', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60],
    registers: [this.registry],
  });
  readonly yskRequests = new Counter({
    name: 'gozcu_ysk_requests_total',
    help: 'Requests to YSK by endpoint and outcome class (ok, not_modified, timeout, connect, http_4xx, http_429, http_5xx, parse, schema)',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly yskBytes = new Counter({
    name: 'gozcu_ysk_response_bytes_total',
    help: 'Bytes received from YSK per endpoint',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });
  /** Set by the feed: the lag per (ballot, province) at the moment of a scrape. */
  pollLagSource: (() => Promise<Array<{ ballot: string; province: string; seconds: number }>>) | null = null;
  readonly pollLag = new Gauge({
    name: 'gozcu_poll_lag_seconds',
    help: 'Per ballot type and province: now minus when its oldest district was last known current (a settled aggregate or a box-list fetch), computed at scrape time',
    labelNames: ['ballot', 'province'] as const,
    registers: [this.registry],
    collect: async () => {
      const source = this.pollLagSource;
      if (!source) return;
      const lags = await source().catch(() => []);
      this.pollLag.reset();
      for (const l of lags) this.pollLag.set({ ballot: l.ballot, province: l.province }, Math.round(l.seconds * 10) / 10);
    },
  });
  readonly boxesPublished = new Gauge({
    name: 'gozcu_boxes_published',
    help: 'Box-results YSK has published, per ballot type',
    labelNames: ['ballot'] as const,
    registers: [this.yskRegistry],
  });
  readonly versionsStored = new Counter({
    name: 'gozcu_versions_stored_total',
    help: 'YSK versions stored, by kind (first, revised)',
    labelNames: ['kind'] as const,
    registers: [this.yskRegistry],
  });
  readonly queueDepth = new Gauge({
    name: 'gozcu_queue_depth',
    help: 'Jobs waiting or delayed in the poll queue',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly feedState = new Gauge({
    name: 'gozcu_feed_state',
    help: 'Feed health per endpoint: 0 healthy, 1 slow, 2 failing, 3 paused (endpoint="" is overall)',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gozcu_' });
  }

  /** The scrape: operational metrics, plus the YSK-derived ones when `withYsk`. */
  async scrape(withYsk: boolean): Promise<string> {
    return withYsk ? Registry.merge([this.registry, this.yskRegistry]).metrics() : this.registry.metrics();
  }
}
