import type { RedisClient } from '../../infra/redis.module';

/**
 * The requests-per-second cap toward YSK (`YSK_MAX_RPS`, changeable at run time), counted per
 * request — a district refresh may make several — and shared by every worker through Redis: a
 * GCRA (generic cell rate algorithm) on Redis' own clock, one EVAL per request. A Retry-After
 * from YSK holds every worker (`hold`). When Redis does not answer within COMMAND_TIMEOUT_MS the
 * gate falls back to the same algorithm in this process, so requests stay capped without Redis.
 * An operator's pause blocks requests until resumed.
 */
const GCRA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local hold = tonumber(redis.call('GET', KEYS[2]) or '0')
if hold > now then return hold - now end
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if tat - now > tolerance then return math.ceil(tat - now - tolerance) end
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', 60000)
return 0`;

const HOLD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > cur then redis.call('SET', KEYS[1], tostring(untilMs), 'PX', tonumber(ARGV[1]) + 1000) end
return 0`;

const COMMAND_TIMEOUT_MS = 500;

export interface RateGateOptions {
  /** null: in-process only */
  redis: RedisClient | null;
  /** key prefix (one gate per election) */
  prefix: string;
  /** the cap now, requests per second */
  rps: () => number;
  /** requests that may go out back to back before the cap spaces them (default 2) */
  burst?: number;
  /** why requests must wait now (an operator's pause), or null */
  blocked?: () => string | null;
  now?: () => number;
}

export class GateClosedError extends Error {
  constructor() {
    super('the YSK rate gate is closed (shutting down)');
  }
}

export class RateGate {
  private tat = 0;
  private holdUntil = 0;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  private readonly now: () => number;
  /** where the last decision was made: Redis (shared) or this process */
  mode: 'redis' | 'local' = 'redis';

  constructor(private readonly opts: RateGateOptions) {
    this.now = opts.now ?? Date.now;
  }

  private get intervalMs(): number {
    return 1000 / Math.max(0.001, this.opts.rps());
  }
  private get toleranceMs(): number {
    return (Math.max(1, this.opts.burst ?? 2) - 1) * this.intervalMs;
  }

  /** Waits until one more request may go out. */
  async acquire(): Promise<void> {
    for (;;) {
      if (this.closed) throw new GateClosedError();
      if (this.opts.blocked?.()) {
        await this.sleep(250);
        continue;
      }
      const wait = await this.take();
      if (wait <= 0) return;
      await this.sleep(Math.min(wait, 1000));
    }
  }

  /** Every worker waits `ms` (YSK's Retry-After, or our backoff of the whole feed). */
  async hold(ms: number): Promise<void> {
    this.holdUntil = Math.max(this.holdUntil, this.now() + ms);
    if (!this.opts.redis) return;
    await withTimeout(this.opts.redis.eval(HOLD, 1, `${this.opts.prefix}:hold`, String(Math.ceil(ms)))).catch(() => undefined);
  }

  /** Wakes every waiter with GateClosedError (shutdown). */
  close(): void {
    this.closed = true;
    for (const wake of this.waiters) wake();
  }

  private async take(): Promise<number> {
    if (this.opts.redis && this.opts.redis.status === 'ready') {
      try {
        const wait = Number(
          await withTimeout(
            this.opts.redis.eval(GCRA, 2, `${this.opts.prefix}:tat`, `${this.opts.prefix}:hold`, String(this.intervalMs), String(this.toleranceMs)),
          ),
        );
        this.mode = 'redis';
        // a hold known here (set while Redis was away) still applies
        return Math.max(wait, this.holdUntil - this.now());
      } catch {
        // fall through to the in-process gate
      }
    }
    this.mode = 'local';
    return this.takeLocal();
  }

  private takeLocal(): number {
    const now = this.now();
    if (this.holdUntil > now) return this.holdUntil - now;
    const tat = Math.max(this.tat, now);
    if (tat - now > this.toleranceMs) return Math.ceil(tat - now - this.toleranceMs);
    this.tat = tat + this.intervalMs;
    return 0;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}
