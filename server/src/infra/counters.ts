import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

const INCREMENT = `
local hits = redis.call('INCRBY', KEYS[1], ARGV[2])
if tonumber(redis.call('PTTL', KEYS[1])) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

/** How long a counter waits for Redis before it counts in this process instead (a frozen Redis answers nothing). */
const REDIS_WAIT_MS = 500;
/** in-process windows kept at most (oldest dropped first) */
const LOCAL_MAX = 100_000;

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    t.unref();
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e)),
    );
  });
}

/**
 * Fixed-window counters (rate limits, failed logins) in Redis, so every API node counts the
 * same hits. When Redis is down or frozen they fail over to counting in this process: a limit
 * never switches off because Redis is gone, it only becomes per node until Redis is back.
 */
export class WindowCounters {
  private readonly logger: Logger;
  private readonly local = new Map<string, { hits: number; resetAt: number }>();
  private warned = 0;

  constructor(
    private readonly redis: Redis,
    name: string,
    private readonly now: () => number = Date.now,
  ) {
    this.logger = new Logger(name);
  }

  /** Adds `by` hits (1 by default; 0 only reads); answers the count in the window and the ms until it ends. */
  async hit(key: string, windowMs: number, by = 1): Promise<{ hits: number; resetMs: number }> {
    try {
      const [hits, pttl] = await within(this.redis.eval(INCREMENT, 1, key, String(windowMs), String(by)) as Promise<[number, number]>, REDIS_WAIT_MS);
      const local = this.local.get(key);
      // hits counted in this process while Redis was away still count
      return { hits: hits + (local && local.resetAt > this.now() ? local.hits : 0), resetMs: Math.max(0, pttl) };
    } catch (e) {
      if (this.now() - this.warned > 10_000) {
        this.warned = this.now();
        this.logger.warn(`Redis does not answer (${(e as Error).message}): counting in this process`);
      }
      return this.hitLocal(key, windowMs, by);
    }
  }

  /** Forgets a key (a successful login clears its failures). */
  async reset(key: string): Promise<void> {
    this.local.delete(key);
    await within(this.redis.del(key), REDIS_WAIT_MS).catch(() => undefined);
  }

  private hitLocal(key: string, windowMs: number, by: number): { hits: number; resetMs: number } {
    const now = this.now();
    let w = this.local.get(key);
    if (!w || w.resetAt <= now) {
      if (this.local.size >= LOCAL_MAX) {
        for (const [k, v] of this.local) if (v.resetAt <= now || this.local.size >= LOCAL_MAX) this.local.delete(k);
      }
      w = { hits: 0, resetAt: now + windowMs };
      this.local.set(key, w);
    }
    w.hits += by;
    return { hits: w.hits, resetMs: w.resetAt - now };
  }
}
