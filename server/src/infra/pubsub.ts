import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

export const PUBSUB = Symbol('PUBSUB');

/** Fire-and-forget messages between the nodes (Redis pub/sub): what a node misses while Redis is down is lost. */
export interface PubSub {
  /** Rejects when Redis does not take it (the caller decides how loud that is). */
  publish(channel: string, text: string): Promise<void>;
  /**
   * Calls `handler` with every message on `channel` from now on. Never throws and does not wait
   * for Redis: a Redis that is down is warned about and the subscription is made once it is back
   * (ioredis re-subscribes on reconnect). Returns the unsubscribe.
   */
  subscribe(channel: string, handler: (text: string) => void): () => void;
}

/**
 * Publishes on the shared command connection and listens on one dedicated subscriber connection
 * (a connection in subscriber mode can do nothing else), made at the first subscribe and closed
 * at shutdown. Both connections reconnect on their own (see RedisModule).
 */
export class RedisPubSub implements PubSub {
  private readonly logger = new Logger('PubSub');
  private subscriber: Redis | null = null;
  private readonly handlers = new Map<string, Set<(text: string) => void>>();

  constructor(private readonly redis: Redis) {}

  async publish(channel: string, text: string): Promise<void> {
    await this.redis.publish(channel, text);
  }

  subscribe(channel: string, handler: (text: string) => void): () => void {
    const subscriber = this.connection();
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      // not awaited: a Redis that is down must not hold up start-up
      subscriber.subscribe(channel).catch((e: Error) => this.logger.warn(`cannot subscribe to ${channel}: ${e.message}`));
    }
    set.add(handler);
    return () => {
      const current = this.handlers.get(channel);
      if (!current?.delete(handler) || current.size) return;
      this.handlers.delete(channel);
      subscriber.unsubscribe(channel).catch(() => undefined);
    };
  }

  close(): void {
    this.subscriber?.disconnect();
    this.subscriber = null;
    this.handlers.clear();
  }

  private connection(): Redis {
    if (this.subscriber) return this.subscriber;
    const subscriber = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    subscriber.on('error', (e: Error) => this.logger.warn(`subscriber: ${e.message}`));
    subscriber.on('message', (channel: string, text: string) => {
      for (const handler of this.handlers.get(channel) ?? []) handler(text);
    });
    this.subscriber = subscriber;
    return subscriber;
  }
}
