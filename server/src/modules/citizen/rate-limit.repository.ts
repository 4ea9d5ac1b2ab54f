import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { REDIS } from '../../infra/redis.module';

const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

/**
 * Fixed-window counters per client in Redis, shared by every API node. When Redis does not
 * answer the count is skipped (the public pages keep working) and a warning is logged.
 */
@Injectable()
export class RateLimitRepository {
  private readonly logger = new Logger('CitizenRateLimit');

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(name: string, client: string): string {
    return `gozcu:citizen:${this.config.YSK_ELECTION_ID}:${name}:${client}`;
  }

  /** Counts one hit; answers the count in the window and the ms until it ends. */
  async hit(name: string, client: string, windowMs: number): Promise<{ hits: number; resetMs: number }> {
    try {
      const [hits, pttl] = (await this.redis.eval(INCREMENT, 1, this.key(name, client), String(windowMs))) as [number, number];
      return { hits, resetMs: Math.max(0, pttl) };
    } catch (e) {
      this.logger.warn(`rate limit skipped: ${(e as Error).message}`);
      return { hits: 0, resetMs: 0 };
    }
  }

  /** The count in the window without adding to it. */
  async peek(name: string, client: string): Promise<{ hits: number; resetMs: number }> {
    try {
      const [hits, pttl] = await Promise.all([this.redis.get(this.key(name, client)), this.redis.pttl(this.key(name, client))]);
      return { hits: Number(hits ?? 0), resetMs: Math.max(0, pttl) };
    } catch (e) {
      this.logger.warn(`rate limit skipped: ${(e as Error).message}`);
      return { hits: 0, resetMs: 0 };
    }
  }
}
