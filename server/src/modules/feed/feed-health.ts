import type { FeedFailureClass, FeedHealthState, FeedLatencyStats } from '@gozcu/shared';

export type FailureClass = FeedFailureClass;

export interface HealthThresholds {
  /** p95 latency over the last minute at or above this is `slow` */
  slowP95Ms: number;
  /** error rate over the last minute at or above this is `slow` */
  slowErrorRate: number;
  /** error rate over the last minute at or above this is `failing` */
  failingErrorRate: number;
  /** no successful request for this long (while we keep trying, or YSK told us to wait) is `paused` */
  pausedAfterMs: number;
  /** fewer samples than this in the window cannot make the state worse than `slow` */
  minSamples: number;
  /** the window the state is judged over */
  windowMs: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = {
  slowP95Ms: 2_000,
  slowErrorRate: 0.1,
  failingErrorRate: 0.5,
  pausedAfterMs: 120_000,
  minSamples: 5,
  windowMs: 60_000,
};

interface Sample {
  at: number;
  ms: number;
  bytes: number;
  failure: FailureClass | null;
}

/** One window's figures: the contract's (`GET /api/feed/health`). */
export type LatencyStats = FeedLatencyStats;

export interface Transition {
  endpoint: string | null;
  from: FeedHealthState;
  to: FeedHealthState;
  at: number;
  cause: string;
  /** the rule of the table that decided the new state */
  rule: string;
  figures: LatencyStats;
}

const WINDOWS = { '1m': 60_000, '5m': 300_000, '15m': 900_000 } as const;
export type WindowName = keyof typeof WINDOWS;
/** How bad a state is: the higher, the worse. */
export const SEVERITY: Record<FeedHealthState, number> = { healthy: 0, slow: 1, failing: 2, paused: 3 };

function percentile(sorted: ArrayLike<number>, p: number): number | null {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : null;
}

/** Samples of one endpoint over the last 15 minutes. */
class EndpointWindow {
  private samples: Sample[] = [];
  lastSuccessAt: number | null = null;
  lastFailureAt: number | null = null;
  firstAttemptAt: number | null = null;
  state: FeedHealthState = 'healthy';
  cause = '';

  /** since when it has been called without a pause longer than the window (a call after an idle spell starts anew) */
  activeSince: number | null = null;
  lastAttemptAt: number | null = null;

  add(sample: Sample, windowMs: number): void {
    this.samples.push(sample);
    this.firstAttemptAt ??= sample.at;
    if (this.lastAttemptAt === null || sample.at - this.lastAttemptAt > windowMs) this.activeSince = sample.at;
    this.lastAttemptAt = sample.at;
    if (!sample.failure) this.lastSuccessAt = sample.at;
    else this.lastFailureAt = sample.at;
  }

  prune(now: number): void {
    const i = this.startIndex(now - WINDOWS['15m']);
    if (i > 1024 || (i > 0 && i * 4 > this.samples.length)) this.samples.splice(0, i);
  }

  /** The first sample at or after `from` (samples are in time order). */
  private startIndex(from: number): number {
    let lo = 0;
    let hi = this.samples.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.samples[mid]!.at < from) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  stats(now: number, windowMs: number): LatencyStats {
    const from = now - windowMs;
    const start = this.startIndex(from);
    const n = this.samples.length - start;
    const ok = new Float64Array(n);
    let okCount = 0;
    let bytes = 0;
    const errors: LatencyStats['errors'] = {};
    for (let i = start; i < this.samples.length; i++) {
      const s = this.samples[i]!;
      bytes += s.bytes;
      if (s.failure) errors[s.failure] = (errors[s.failure] ?? 0) + 1;
      else ok[okCount++] = s.ms;
    }
    const sorted = ok.subarray(0, okCount).sort();
    const failed = n - okCount;
    return {
      count: n,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      errorRate: n ? failed / n : 0,
      errors,
      bytes,
    };
  }
}

/** What the state of one endpoint is judged on. */
export interface EndpointFacts {
  now: number;
  t: HealthThresholds;
  /** window stats */
  s: LatencyStats;
  /** the last success, or when we started asking (again, after an idle spell) */
  since: number;
  /** the newest answer was a failure */
  failingNow: boolean;
  /** the endpoint was called within the window (an endpoint we stopped calling is idle, not paused) */
  active: boolean;
  /** enough samples in the window to call it failing */
  enough: boolean;
  /** the commonest failure class in the window */
  top: string | undefined;
}

/** Signals from outside the request stream: the operator, the queue, Redis, the schedulers. */
export interface FeedSignals {
  /** an operator paused the feed (who, why) */
  operatorPaused: { by: string | null; reason: string | null } | null;
  /** BullMQ's queue is paused (whatever paused it) */
  queuePaused: boolean;
  /** the queue's Redis answers */
  redisReachable: boolean;
  /** sweeps that should be scheduled and are not (Redis lost them) */
  schedulersMissing: number;
}

export const NO_SIGNALS: FeedSignals = { operatorPaused: null, queuePaused: false, redisReachable: true, schedulersMissing: 0 };

/** What the overall state is judged on. */
export interface OverallFacts {
  now: number;
  t: HealthThresholds;
  signals: FeedSignals;
  /** when health started being judged (the feed started) */
  startedAt: number;
  /** the last successful poll (an aggregate sweep or a box list) */
  lastPollSuccessAt: number | null;
  /** Retry-After or our own backoff in force until then, since when */
  holdUntil: number;
  holdSince: number;
  /** when the overall state last left `paused` */
  leftPausedAt: number | null;
  /** the worst endpoint */
  worst: { endpoint: string | null; state: FeedHealthState; cause: string };
}

export interface HealthRule<F> {
  id: string;
  state: FeedHealthState;
  /** what the rule says, for people (README, operator view) */
  says: string;
  when: (f: F) => boolean;
  cause: (f: F) => string;
}

const secs = (ms: number) => Math.round(ms / 1000);
/** While healthy, successes are judged at most this often (the timer judges the rest). */
const EVALUATE_EVERY_MS = 250;

/**
 * The state of one endpoint: the first rule that holds decides. (Table, top to bottom.)
 */
export const ENDPOINT_RULES: readonly HealthRule<EndpointFacts>[] = [
  {
    id: 'no_answer',
    state: 'paused',
    says: 'we keep asking (a call within the window) and nothing has succeeded for FEED_PAUSED_AFTER_MS (an endpoint called rarely, or no longer, is not paused for it)',
    when: (f) => f.failingNow && f.active && f.now - f.since >= f.t.pausedAfterMs,
    cause: (f) => `no successful answer for ${secs(f.now - f.since)} s`,
  },
  {
    id: 'error_rate_failing',
    state: 'failing',
    says: 'at least FEED_FAILING_ERROR_RATE of the requests in the window failed (with enough samples)',
    when: (f) => f.enough && f.s.errorRate >= f.t.failingErrorRate,
    cause: (f) => `${Math.round(f.s.errorRate * 100)} % of requests failed (mostly ${f.top})`,
  },
  {
    id: 'error_rate_slow',
    state: 'slow',
    says: 'at least FEED_SLOW_ERROR_RATE of the requests failed (or a failing rate on too few samples)',
    when: (f) => f.s.errorRate >= f.t.slowErrorRate && f.s.count > 0 && (f.enough || f.s.errorRate >= f.t.failingErrorRate),
    cause: (f) => `${Math.round(f.s.errorRate * 100)} % of requests failed (mostly ${f.top})`,
  },
  {
    id: 'latency',
    state: 'slow',
    says: 'p95 latency of the successful requests in the window is at least FEED_SLOW_P95_MS',
    when: (f) => f.s.p95 !== null && f.s.p95 >= f.t.slowP95Ms,
    cause: (f) => `p95 latency ${f.s.p95} ms over the last ${secs(f.t.windowMs)} s`,
  },
  { id: 'ok', state: 'healthy', says: 'none of the rules above holds', when: () => true, cause: () => 'latency and error rate back within thresholds' },
];

/** Since when "no successful poll" is counted: the last success, else the start; never before a pause ended. */
function quietSince(f: OverallFacts): number {
  return Math.max(f.lastPollSuccessAt ?? f.startedAt, f.leftPausedAt ?? -Infinity);
}

/**
 * The overall state of the feed: the first rule that holds decides. "Healthy" needs a recent
 * successful poll; a pause (by an operator, by the queue, by a long Retry-After) holds the state
 * at `paused` for as long as it lasts, and after it the feed is `slow` until a poll succeeds.
 */
export const OVERALL_RULES: readonly HealthRule<OverallFacts>[] = [
  {
    id: 'operator_paused',
    state: 'paused',
    says: 'an operator paused the feed (POST /api/feed/pause)',
    when: (f) => f.signals.operatorPaused !== null,
    cause: (f) =>
      `paused by an operator${f.signals.operatorPaused?.by ? ` (${f.signals.operatorPaused.by})` : ''}${f.signals.operatorPaused?.reason ? `: ${f.signals.operatorPaused.reason}` : ''}`,
  },
  { id: 'queue_paused', state: 'paused', says: 'the poll queue is paused', when: (f) => f.signals.queuePaused, cause: () => 'the poll queue is paused' },
  {
    id: 'retry_after',
    state: 'paused',
    says: 'YSK told us to wait (Retry-After), or we back off the whole feed, for at least FEED_PAUSED_AFTER_MS — until that wait is over',
    when: (f) => f.holdUntil > f.now && f.holdUntil - f.holdSince >= f.t.pausedAfterMs,
    cause: (f) => `YSK asked us to wait ${secs(f.holdUntil - f.now)} s more`,
  },
  {
    id: 'endpoint_paused',
    state: 'paused',
    says: 'an endpoint is paused (no successful answer for FEED_PAUSED_AFTER_MS)',
    when: (f) => f.worst.state === 'paused',
    cause: (f) => `${f.worst.endpoint}: ${f.worst.cause}`,
  },
  {
    id: 'redis_unreachable',
    state: 'failing',
    says: "the queue's Redis does not answer: no poll job runs",
    when: (f) => !f.signals.redisReachable,
    cause: () => 'Redis unreachable: no poll jobs run',
  },
  {
    id: 'schedulers_missing',
    state: 'failing',
    says: 'sweeps that should be scheduled are not (Redis lost them); they are rebuilt within a poll interval',
    when: (f) => f.signals.schedulersMissing > 0,
    cause: (f) => `${f.signals.schedulersMissing} province sweeps missing from the queue`,
  },
  {
    id: 'no_recent_success',
    state: 'failing',
    says: 'no successful poll for FEED_WINDOW_MS (counted from the start, or from the end of a pause)',
    when: (f) => f.now - quietSince(f) >= f.t.windowMs,
    cause: (f) =>
      f.lastPollSuccessAt === null
        ? `no successful poll since the feed started ${secs(f.now - f.startedAt)} s ago`
        : `no successful poll for ${secs(f.now - f.lastPollSuccessAt)} s`,
  },
  {
    id: 'endpoint_failing',
    state: 'failing',
    says: 'an endpoint is failing',
    when: (f) => f.worst.state === 'failing',
    cause: (f) => `${f.worst.endpoint}: ${f.worst.cause}`,
  },
  {
    id: 'no_success_yet',
    state: 'slow',
    says: 'no poll has succeeded yet (within the first window)',
    when: (f) => f.lastPollSuccessAt === null,
    cause: () => 'no successful poll yet',
  },
  {
    id: 'backing_off',
    state: 'slow',
    says: 'a shorter Retry-After or backoff is in force',
    when: (f) => f.holdUntil > f.now,
    cause: (f) => `backing off, ${Math.max(1, secs(f.holdUntil - f.now))} s left`,
  },
  {
    id: 'recovering',
    state: 'slow',
    says: 'the feed left `paused` and no poll has succeeded since',
    when: (f) => f.leftPausedAt !== null && (f.lastPollSuccessAt ?? -Infinity) < f.leftPausedAt,
    cause: () => 'no successful poll since the pause ended',
  },
  {
    id: 'endpoint_slow',
    state: 'slow',
    says: 'an endpoint is slow',
    when: (f) => f.worst.state === 'slow',
    cause: (f) => `${f.worst.endpoint}: ${f.worst.cause}`,
  },
  {
    id: 'ok',
    state: 'healthy',
    says: 'a poll succeeded within the window and nothing above holds',
    when: () => true,
    cause: () => 'polls succeed, latency and error rate within thresholds',
  },
];

export function decide<F>(rules: readonly HealthRule<F>[], facts: F): { state: FeedHealthState; rule: string; cause: string } {
  for (const r of rules) if (r.when(facts)) return { state: r.state, rule: r.id, cause: r.cause(facts) };
  throw new Error('a health rule table must end with a rule that always holds');
}

/**
 * The feed-health state machine, per endpoint and overall: each state is decided by the tables
 * above from the request samples and the outside signals. Pure: the caller passes the time.
 * Every transition is returned so the caller can store it as an incident and emit it.
 */
export class FeedHealth {
  private readonly endpoints = new Map<string, EndpointWindow>();
  private overall: FeedHealthState = 'slow';
  private overallRule = 'no_success_yet';
  private overallCause = 'no successful poll yet';
  private holdUntil = 0;
  private holdSince = 0;
  private lastPollSuccess: number | null = null;
  private leftPausedAt: number | null = null;
  private signals: FeedSignals = NO_SIGNALS;
  private readonly startedAt: number;
  private lastEvaluatedAt = -Infinity;

  constructor(
    private readonly thresholds: HealthThresholds = DEFAULT_THRESHOLDS,
    startedAt: number,
  ) {
    this.startedAt = startedAt;
  }

  /**
   * Records one request's outcome; returns the transitions it caused. While everything is
   * healthy a success is only judged every EVALUATE_EVERY_MS (the feed makes 100+ requests a
   * second; the one-second timer judges the rest); a failure, or anything not healthy, at once.
   */
  record(endpoint: string, at: number, ms: number, bytes: number, failure: FailureClass | null): Transition[] {
    const w = this.window(endpoint);
    w.add({ at, ms, bytes, failure }, this.thresholds.windowMs);
    w.prune(at);
    if (!failure && this.quiet(at) && w.state === 'healthy') return [];
    return this.evaluate(at);
  }

  /** A poll (an aggregate sweep or a box list) succeeded: what "healthy" needs recently. */
  pollSucceeded(at: number): Transition[] {
    this.lastPollSuccess = Math.max(this.lastPollSuccess ?? 0, at);
    if (this.quiet(at)) return [];
    return this.evaluate(at);
  }

  /** Healthy and judged a moment ago: nothing a success could change. */
  private quiet(at: number): boolean {
    return this.overall === 'healthy' && at - this.lastEvaluatedAt < EVALUATE_EVERY_MS && at >= this.lastEvaluatedAt;
  }

  /** YSK told us to wait (Retry-After) or we are backing off: `paused` while a long wait lasts. */
  hold(until: number, now: number): Transition[] {
    if (this.holdUntil <= now) this.holdSince = now;
    this.holdUntil = Math.max(this.holdUntil, until);
    return this.evaluate(now);
  }

  /** New outside signals (operator pause, queue paused, Redis, schedulers). */
  setSignals(signals: Partial<FeedSignals>, now: number): Transition[] {
    this.signals = { ...this.signals, ...signals };
    return this.evaluate(now);
  }

  /** Re-evaluates with the passing of time alone (no success for a while → failing, paused). */
  evaluate(now: number): Transition[] {
    this.lastEvaluatedAt = now;
    const transitions: Transition[] = [];
    for (const [name, w] of this.endpoints) {
      const next = this.classify(w, now);
      w.cause = next.cause;
      if (next.state !== w.state) {
        transitions.push({
          endpoint: name,
          from: w.state,
          to: next.state,
          at: now,
          cause: next.cause,
          rule: next.rule,
          figures: w.stats(now, this.thresholds.windowMs),
        });
        w.state = next.state;
      }
    }
    let worst: OverallFacts['worst'] = { endpoint: null, state: 'healthy', cause: '' };
    for (const [name, w] of this.endpoints) if (SEVERITY[w.state] > SEVERITY[worst.state]) worst = { endpoint: name, state: w.state, cause: w.cause };
    // judged as if a pause ended now: once it does, the window of "no successful poll" restarts
    const leaving = this.overall === 'paused';
    const next = decide(OVERALL_RULES, this.facts(now, worst, leaving ? now : this.leftPausedAt));
    this.overallRule = next.rule;
    this.overallCause = next.cause;
    if (next.state !== this.overall) {
      if (leaving) this.leftPausedAt = now;
      transitions.push({
        endpoint: null,
        from: this.overall,
        to: next.state,
        at: now,
        cause: next.cause,
        rule: next.rule,
        figures: this.overallStats(now, '1m'),
      });
      this.overall = next.state;
    }
    return transitions;
  }

  private facts(now: number, worst: OverallFacts['worst'], leftPausedAt: number | null): OverallFacts {
    return {
      now,
      t: this.thresholds,
      signals: this.signals,
      startedAt: this.startedAt,
      lastPollSuccessAt: this.lastPollSuccess,
      holdUntil: this.holdUntil,
      holdSince: this.holdSince,
      leftPausedAt,
      worst,
    };
  }

  state(endpoint?: string): FeedHealthState {
    return endpoint ? (this.endpoints.get(endpoint)?.state ?? 'healthy') : this.overall;
  }

  /** Why the overall state is what it is: the rule of the table, and its cause. */
  reason(): { rule: string; cause: string } {
    return { rule: this.overallRule, cause: this.overallCause };
  }

  get lastPollSuccessAt(): number | null {
    return this.lastPollSuccess;
  }

  get currentSignals(): FeedSignals {
    return this.signals;
  }

  stats(endpoint: string, now: number, window: WindowName): LatencyStats {
    return this.window(endpoint).stats(now, WINDOWS[window]);
  }

  overallStats(now: number, window: WindowName): LatencyStats {
    const all = [...this.endpoints.values()].map((w) => w.stats(now, WINDOWS[window]));
    const count = all.reduce((s, x) => s + x.count, 0);
    const errors: LatencyStats['errors'] = {};
    for (const x of all) for (const [k, v] of Object.entries(x.errors)) errors[k as FailureClass] = (errors[k as FailureClass] ?? 0) + v!;
    const failed = Object.values(errors).reduce((s, v) => s + v!, 0);
    const worst = (key: 'p50' | 'p95' | 'p99') => all.reduce<number | null>((m, x) => (x[key] !== null && (m === null || x[key]! > m) ? x[key] : m), null);
    return {
      count,
      p50: worst('p50'),
      p95: worst('p95'),
      p99: worst('p99'),
      errorRate: count ? failed / count : 0,
      errors,
      bytes: all.reduce((s, x) => s + x.bytes, 0),
    };
  }

  endpointNames(): string[] {
    return [...this.endpoints.keys()];
  }

  lastSuccessAt(endpoint: string): number | null {
    return this.endpoints.get(endpoint)?.lastSuccessAt ?? null;
  }

  private window(endpoint: string): EndpointWindow {
    let w = this.endpoints.get(endpoint);
    if (!w) this.endpoints.set(endpoint, (w = new EndpointWindow()));
    return w;
  }

  private classify(w: EndpointWindow, now: number): { state: FeedHealthState; rule: string; cause: string } {
    const t = this.thresholds;
    const s = w.stats(now, t.windowMs);
    return decide(ENDPOINT_RULES, {
      now,
      t,
      s,
      since: Math.max(w.lastSuccessAt ?? -Infinity, w.activeSince ?? w.firstAttemptAt ?? now),
      failingNow: w.lastFailureAt !== null && (w.lastSuccessAt === null || w.lastFailureAt > w.lastSuccessAt),
      active: (w.lastAttemptAt ?? -Infinity) >= now - t.windowMs,
      enough: s.count >= t.minSamples,
      top: Object.entries(s.errors).sort((a, b) => b[1]! - a[1]!)[0]?.[0],
    });
  }
}
