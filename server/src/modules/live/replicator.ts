import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FeedHealthEvent } from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ChangeBus } from '../../infra/events';
import { PUBSUB, type PubSub } from '../../infra/pubsub';
import { STREAM_LOG, type StreamLog, type StreamReader } from '../../infra/stream-log';
import { ReconcileService } from '../reconcile/reconcile.service';
import { STORE, type VersionsRepository } from '../store/store.port';

type Message = { node: string; kind: 'feed.health'; event: unknown };

/** Entries kept in the change stream (approximately): hours of a national night at poll rate. */
const STREAM_MAXLEN = 200_000;
/** Boxes re-read from the store per refresh call during a catch-up. */
const REFRESH_PAGE = 500;
const BLOCK_MS = 2_000;

/** Stream ids are `<ms>-<n>`; compares two of them. */
function compareIds(a: string, b: string): number {
  const [am, an] = a.split('-').map(Number);
  const [bm, bn] = b.split('-').map(Number);
  return am !== bm ? am - bm : an - bn;
}

/**
 * Multi-node without drift. Every committed change is appended to a Redis stream
 * (`gozcu:changes:<election>`): ordered, sequenced by Redis, kept (Redis persistence). Each node
 * reads it from the id it last saw, re-reads those boxes from the store (the source of truth),
 * applies them and fans them out to its own sockets. A node that missed announcements (a Redis
 * blip, a restart of the node) resumes from its last seen id, so it catches up with nothing lost;
 * an announcement that could not be written (Redis down at commit time) waits in an outbox and
 * is written when Redis is back. When the stream cannot cover the gap (trimmed, or Redis lost
 * its data), the node re-reads every box of the election from the store.
 * Feed health transitions are fire-and-forget pub/sub (the next transition supersedes them).
 */
@Injectable()
export class ChangeReplicator implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ChangeReplicator.name);
  readonly node = randomUUID();
  private reader: StreamReader | null = null;
  private readonly channel: string;
  private readonly stream: string;
  private off: (() => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private outbox: string[][] = [];
  private flushing = false;
  private outboxTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** the last stream id this node has applied (or written itself) */
  private lastId: string | null = null;
  /** catch-up figures, for tests and metrics */
  readonly stats = { applied: 0, fullResyncs: 0, outboxRetries: 0 };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(STREAM_LOG) private readonly streams: StreamLog,
    private readonly bus: ChangeBus,
    private readonly reconcile: ReconcileService,
    @Inject(STORE) private readonly store: VersionsRepository,
  ) {
    this.channel = `gozcu:changes:${config.YSK_ELECTION_ID}`;
    this.stream = `gozcu:changelog:${config.YSK_ELECTION_ID}`;
  }

  async onModuleInit(): Promise<void> {
    // does not wait for Redis: a Redis that is down must not hold up start-up
    this.off.push(this.pubsub.subscribe(this.channel, (raw) => this.receive(raw)));
    this.reader = this.streams.reader('change reader');
    // the state was just rebuilt from the store: what is in the stream now is already in it
    this.lastId = await this.streams.latestId(this.stream).catch(() => null);
    this.off.push(
      this.bus.on('boxes.changed', (e) => {
        if (e.cause !== 'replica') this.announce(e.changes.map((c) => c.key));
      }),
      this.bus.on('boxes.registered', (e) => this.announce(e.keys)),
      this.bus.on('feed.health', (e) => {
        if (!e.replica) this.publish({ node: this.node, kind: 'feed.health', event: e });
      }),
    );
    this.outboxTimer = setInterval(() => void this.flushOutbox(), 500);
    this.outboxTimer.unref();
    void this.readLoop();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.off.forEach((f) => f());
    clearInterval(this.outboxTimer);
    await this.flushOutbox();
    this.reader?.close();
  }

  /** Waits until this node has applied everything announced so far (tests). */
  async drained(): Promise<void> {
    await this.queue;
  }

  private announce(keys: string[]): void {
    if (!keys.length) return;
    this.outbox.push(keys);
    void this.flushOutbox();
  }

  /** Writes pending announcements in commit order; what Redis refuses stays for the next try. */
  private async flushOutbox(): Promise<void> {
    if (this.flushing || !this.outbox.length) return;
    this.flushing = true;
    try {
      while (this.outbox.length) {
        const keys = this.outbox[0];
        try {
          await this.streams.append(this.stream, { node: this.node, keys: keys.join(',') }, STREAM_MAXLEN);
        } catch (e) {
          this.stats.outboxRetries++;
          this.logger.warn(`cannot announce ${keys.length} changed boxes yet (${(e as Error).message}); kept to retry`);
          return;
        }
        this.outbox.shift();
      }
    } finally {
      this.flushing = false;
    }
  }

  private async readLoop(): Promise<void> {
    // applied only on top of the rebuilt state (what was announced since start-up is read again)
    while (!this.stopped && !this.reconcile.isReady) await new Promise((r) => setTimeout(r, 50));
    while (!this.stopped && this.reader) {
      try {
        if (this.lastId === null) this.lastId = (await this.reader.latestId(this.stream)) ?? '0-0';
        else await this.checkCoverage();
        const entries = await this.reader.read(this.stream, this.lastId, 1000, BLOCK_MS);
        if (!entries) continue;
        const keys = new Set<string>();
        for (const { id, fields: f } of entries) {
          this.lastId = id;
          if (f.node === this.node || !f.keys) continue;
          for (const k of f.keys.split(',')) keys.add(k);
        }
        if (keys.size) await this.apply([...keys]);
      } catch (e) {
        if (this.stopped) return;
        this.logger.warn(`change stream: ${(e as Error).message}; resuming from ${this.lastId}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /**
   * The stream must still hold what follows lastId: when its first entry is newer than that
   * (trimmed) or it is gone (Redis lost its data), some announcements are lost; every box is
   * then re-read from the store.
   */
  private async checkCoverage(): Promise<void> {
    if (!this.reader || this.lastId === null || this.lastId === '0-0') return;
    const first = await this.reader.firstId(this.stream);
    const last = first ? await this.reader.latestId(this.stream) : null;
    const lost = !first || compareIds(first, this.lastId) > 0 || (last !== null && compareIds(last, this.lastId) < 0);
    if (!lost) return;
    this.logger.warn(`change stream no longer covers ${this.lastId}: re-reading every box from the store`);
    this.stats.fullResyncs++;
    this.lastId = last ?? '0-0';
    await this.apply(null);
  }

  /** Re-reads the boxes (all of the election when null) from the store, in announcement order. */
  private apply(keys: string[] | null): Promise<unknown> {
    const run = async () => {
      if (keys) {
        for (let i = 0; i < keys.length; i += REFRESH_PAGE) await this.reconcile.refresh(keys.slice(i, i + REFRESH_PAGE));
        this.stats.applied += keys.length;
        return;
      }
      for (let after: string | undefined; ;) {
        const page = await this.store.boxes({ election: this.config.YSK_ELECTION_ID }, { after, limit: REFRESH_PAGE });
        if (!page.length) break;
        await this.reconcile.refresh(page.map((p) => p.box.key));
        after = page[page.length - 1].box.key;
      }
    };
    this.queue = this.queue.then(run).catch((e: Error) => this.logger.error(`replica refresh failed: ${e.message}`));
    return this.queue;
  }

  private publish(message: Message): void {
    this.pubsub.publish(this.channel, JSON.stringify(message)).catch((e: Error) => this.logger.warn(`cannot announce feed health: ${e.message}`));
  }

  private receive(raw: string): void {
    let message: Message;
    try {
      message = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    if (message.node === this.node || message.kind !== 'feed.health') return;
    this.bus.emit('feed.health', { ...(message.event as FeedHealthEvent), replica: true });
  }
}
