import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { REDIS } from '../../infra/redis.module';
import { WindowCounters } from '../../infra/counters';

/**
 * Fixed-window counters per client in Redis, shared by every API node. When Redis does not
 * answer they count in this process (the limits hold per node until Redis is back).
 */
@Injectable()
export class RateLimitRepository {
  private readonly counters: WindowCounters;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.counters = new WindowCounters(redis, 'CitizenRateLimit');
  }

  private key(name: string, client: string): string {
    return `gozcu:citizen:${this.config.YSK_ELECTION_ID}:${name}:${client}`;
  }

  /** Counts one hit; answers the count in the window and the ms until it ends. */
  hit(name: string, client: string, windowMs: number): Promise<{ hits: number; resetMs: number }> {
    return this.counters.hit(this.key(name, client), windowMs);
  }

  /** The count in the window without adding to it. */
  peek(name: string, client: string, windowMs = 3_600_000): Promise<{ hits: number; resetMs: number }> {
    return this.counters.hit(this.key(name, client), windowMs, 0);
  }
}
