import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';

const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

/**
 * Login rate-limit counters in Redis, so every API node counts the same attempts. When Redis
 * does not answer the limit is skipped (logins keep working; account lockout still holds).
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('LoginRateLimit');

  /** `namespace` keeps deployments (elections) sharing one Redis apart */
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
  ) {}

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, name: string) {
    try {
      const [hits, pttl] = (await this.redis.eval(INCREMENT, 1, `gozcu:throttle:${this.namespace}:${name}:${key}`, String(ttl))) as [number, number];
      const timeToExpire = Math.max(0, Math.ceil(pttl / 1000));
      const isBlocked = hits > limit;
      return { totalHits: hits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
    } catch (e) {
      this.logger.warn(`rate limit skipped: ${(e as Error).message}`);
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}
