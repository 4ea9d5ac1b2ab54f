import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FeedHealthEvent } from '@gozcu/shared';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ChangeBus } from '../../infra/events';
import { REDIS } from '../../infra/redis.module';
import { ReconcileService } from '../reconcile/reconcile.service';

type Message = { node: string; kind: 'boxes'; keys: string[] } | { node: string; kind: 'feed.health'; event: unknown };

/**
 * Multi-node: every committed change is announced on a Redis channel; the other nodes re-read
 * those boxes from the store (the source of truth), apply them to their own state and fan
 * them out to their own sockets, so a change ingested on any node reaches every dashboard.
 */
@Injectable()
export class ChangeReplicator implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ChangeReplicator.name);
  readonly node = randomUUID();
  private subscriber: Redis | null = null;
  private readonly channel: string;
  private off: (() => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly bus: ChangeBus,
    private readonly reconcile: ReconcileService,
  ) {
    this.channel = `gozcu:changes:${config.YSK_ELECTION_ID}`;
  }

  onModuleInit(): void {
    this.subscriber = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.subscriber.on('error', (e) => this.logger.warn(`change subscriber: ${e.message}`));
    this.subscriber.on('message', (_channel, raw: string) => this.receive(raw));
    // not awaited: a Redis that is down must not hold up start-up; ioredis re-subscribes on reconnect
    this.subscriber.subscribe(this.channel).catch((e: Error) => this.logger.warn(`cannot subscribe to ${this.channel}: ${e.message}`));
    this.off.push(
      this.bus.on('boxes.changed', (e) => {
        if (e.cause !== 'replica') this.publish({ node: this.node, kind: 'boxes', keys: e.changes.map((c) => c.key) });
      }),
      this.bus.on('feed.health', (e) => {
        if (!e.replica) this.publish({ node: this.node, kind: 'feed.health', event: e });
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.off.forEach((f) => f());
    this.subscriber?.disconnect();
  }

  private publish(message: Message): void {
    this.redis.publish(this.channel, JSON.stringify(message)).catch((e: Error) => this.logger.warn(`cannot announce a change: ${e.message}`));
  }

  private receive(raw: string): void {
    let message: Message;
    try {
      message = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    if (message.node === this.node) return;
    if (message.kind === 'feed.health') {
      this.bus.emit('feed.health', { ...(message.event as FeedHealthEvent), replica: true });
      return;
    }
    // one refresh at a time keeps the order in which changes were announced
    this.queue = this.queue.then(() => this.reconcile.refresh(message.keys)).catch((e: Error) => this.logger.error(`replica refresh failed: ${e.message}`));
  }
}
