import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { WindowCounters } from '../../infra/counters';

/**
 * Login rate-limit counters in Redis, so every API node counts the same attempts. When Redis
 * does not answer they count in this process: the limit holds (per node) until Redis is back.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly counters: WindowCounters;

  /** `namespace` keeps deployments (elections) sharing one Redis apart */
  constructor(
    redis: Redis,
    private readonly namespace: string,
  ) {
    this.counters = new WindowCounters(redis, 'LoginRateLimit');
  }

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, name: string) {
    const { hits, resetMs } = await this.counters.hit(`gozcu:throttle:${this.namespace}:${name}:${key}`, ttl);
    const timeToExpire = Math.max(0, Math.ceil(resetMs / 1000));
    const isBlocked = hits > limit;
    return { totalHits: hits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
  }
}
