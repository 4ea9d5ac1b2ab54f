import type { FeedHealthState } from '@gozcu/shared';

export type FailureClass = 'timeout' | 'connect' | 'http_4xx' | 'http_429' | 'http_5xx' | 'parse' | 'schema';

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

export interface LatencyStats {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  errorRate: number;
  errors: Partial<Record<FailureClass, number>>;
  bytes: number;
}

export interface Transition {
  endpoint: string | null;
  from: FeedHealthState;
  to: FeedHealthState;
  at: number;
  cause: string;
  figures: LatencyStats;
}

const WINDOWS = { '1m': 60_000, '5m': 300_000, '15m': 900_000 } as const;
export type WindowName = keyof typeof WINDOWS;
const SEVERITY: Record<FeedHealthState, number> = { healthy: 0, slow: 1, failing: 2, paused: 3 };

function percentile(sorted: number[], p: number): number | null {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null;
}

/** Samples of one endpoint over the last 15 minutes. */
class EndpointWindow {
  private samples: Sample[] = [];
  lastSuccessAt: number | null = null;
  lastFailureAt: number | null = null;
  firstAttemptAt: number | null = null;
  state: FeedHealthState = 'healthy';

  add(sample: Sample): void {
    this.samples.push(sample);
    this.firstAttemptAt ??= sample.at;
    if (!sample.failure) this.lastSuccessAt = sample.at;
    else this.lastFailureAt = sample.at;
  }

  prune(now: number): void {
    const cutoff = now - WINDOWS['15m'];
    let i = 0;
    while (i < this.samples.length && this.samples[i].at < cutoff) i++;
    if (i) this.samples.splice(0, i);
  }

  stats(now: number, windowMs: number): LatencyStats {
    const from = now - windowMs;
    const recent = this.samples.filter((s) => s.at >= from);
    const ok = recent.filter((s) => !s.failure).map((s) => s.ms).sort((a, b) => a - b);
    const errors: LatencyStats['errors'] = {};
    for (const s of recent) if (s.failure) errors[s.failure] = (errors[s.failure] ?? 0) + 1;
    const failed = recent.length - ok.length;
    return {
      count: recent.length,
      p50: percentile(ok, 50),
      p95: percentile(ok, 95),
      p99: percentile(ok, 99),
      errorRate: recent.length ? failed / recent.length : 0,
      errors,
      bytes: recent.reduce((sum, s) => sum + s.bytes, 0),
    };
  }
}

/**
 * The feed-health state machine, per endpoint and overall: healthy → slow → failing → paused
 * and back. Pure: the caller passes the time. Every transition is returned so the caller can
 * store it as an incident and emit it.
 */
export class FeedHealth {
  private readonly endpoints = new Map<string, EndpointWindow>();
  private overall: FeedHealthState = 'healthy';
  private holdUntil = 0;

  constructor(private readonly thresholds: HealthThresholds = DEFAULT_THRESHOLDS) {}

  /** Records one request's outcome; returns the transitions it caused. */
  record(endpoint: string, at: number, ms: number, bytes: number, failure: FailureClass | null): Transition[] {
    const w = this.window(endpoint);
    w.add({ at, ms, bytes, failure });
    w.prune(at);
    return this.evaluate(at);
  }

  /** YSK told us to wait (Retry-After) or we are backing off: treated as paused while it lasts past the threshold. */
  hold(until: number, now: number): Transition[] {
    this.holdUntil = Math.max(this.holdUntil, until);
    return this.evaluate(now);
  }

  /** Re-evaluates with the passing of time alone (no success for a while → paused). */
  evaluate(now: number): Transition[] {
    const transitions: Transition[] = [];
    for (const [name, w] of this.endpoints) {
      const next = this.classify(w, now);
      if (next.state !== w.state) {
        transitions.push({ endpoint: name, from: w.state, to: next.state, at: now, cause: next.cause, figures: w.stats(now, this.thresholds.windowMs) });
        w.state = next.state;
      }
    }
    const worst = [...this.endpoints.values()].reduce<FeedHealthState>((acc, w) => (SEVERITY[w.state] > SEVERITY[acc] ? w.state : acc), 'healthy');
    const held = this.holdUntil - now >= this.thresholds.pausedAfterMs ? 'paused' : worst;
    if (held !== this.overall) {
      const cause = held === 'paused' && worst !== 'paused' ? `YSK asked us to wait ${Math.round((this.holdUntil - now) / 1000)} s` : transitions.find((t) => t.to === held)?.cause ?? `worst endpoint is ${worst}`;
      transitions.push({ endpoint: null, from: this.overall, to: held, at: now, cause, figures: this.overallStats(now, '1m') });
      this.overall = held;
    }
    return transitions;
  }

  state(endpoint?: string): FeedHealthState {
    return endpoint ? this.endpoints.get(endpoint)?.state ?? 'healthy' : this.overall;
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
    return { count, p50: worst('p50'), p95: worst('p95'), p99: worst('p99'), errorRate: count ? failed / count : 0, errors, bytes: all.reduce((s, x) => s + x.bytes, 0) };
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

  private classify(w: EndpointWindow, now: number): { state: FeedHealthState; cause: string } {
    const t = this.thresholds;
    // paused: we keep asking and nothing has succeeded for that long (an endpoint merely called
    // rarely, like the province list, is not paused while its last answer was a success)
    const since = w.lastSuccessAt ?? w.firstAttemptAt ?? now;
    const failingSince = w.lastFailureAt !== null && (w.lastSuccessAt === null || w.lastFailureAt > w.lastSuccessAt);
    if (failingSince && now - since >= t.pausedAfterMs) return { state: 'paused', cause: `no successful answer for ${Math.round((now - since) / 1000)} s` };
    const s = w.stats(now, t.windowMs);
    const enough = s.count >= t.minSamples;
    const top = Object.entries(s.errors).sort((a, b) => b[1]! - a[1]!)[0]?.[0];
    if (enough && s.errorRate >= t.failingErrorRate) return { state: 'failing', cause: `${Math.round(s.errorRate * 100)} % of requests failed (mostly ${top})` };
    if (s.errorRate >= t.slowErrorRate && s.count > 0 && (enough || s.errorRate >= t.failingErrorRate)) return { state: 'slow', cause: `${Math.round(s.errorRate * 100)} % of requests failed (mostly ${top})` };
    if (s.p95 !== null && s.p95 >= t.slowP95Ms) return { state: 'slow', cause: `p95 latency ${s.p95} ms over the last ${Math.round(t.windowMs / 1000)} s` };
    return { state: 'healthy', cause: 'latency and error rate back within thresholds' };
  }
}
