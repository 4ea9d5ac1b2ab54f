import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ChangeBus, type ChangeEvents } from '../../infra/events';
import { SEVERITY } from '../feed/feed-health';
import { MetricsService } from './metrics.service';

/**
 * The feed's Prometheus metrics, written from its events: YSK calls (latency, requests, bytes),
 * versions stored, and each state change. These events are this node's own (never replicated),
 * so a node counts only what it did itself.
 */
@Injectable()
export class FeedMetrics implements OnModuleInit, OnModuleDestroy {
  private offs: Array<() => void> = [];

  constructor(
    private readonly bus: ChangeBus,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.offs = [
      this.bus.on('ysk.call', (e) => this.call(e)),
      this.bus.on('versions.stored', (e) => this.stored(e)),
      this.bus.on('feed.state', (e) => this.metrics.feedState.set({ endpoint: e.endpoint ?? '' }, SEVERITY[e.state])),
    ];
  }

  onModuleDestroy(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  private call(e: ChangeEvents['ysk.call']): void {
    const failed = e.outcome !== 'ok' && e.outcome !== 'not_modified';
    this.metrics.yskLatency.observe({ endpoint: e.endpoint, outcome: failed ? 'error' : 'ok' }, e.latencyMs / 1000);
    this.metrics.yskRequests.inc({ endpoint: e.endpoint, outcome: e.outcome });
    this.metrics.yskBytes.inc({ endpoint: e.endpoint }, e.bytes);
  }

  private stored(e: ChangeEvents['versions.stored']): void {
    this.metrics.versionsStored.inc({ kind: 'first' }, e.first);
    if (e.revised) this.metrics.versionsStored.inc({ kind: 'revised' }, e.revised);
  }
}
