/**
 * `GET /api/feed/health` (FeedReport.healthReport + the queue depth, parsed with its contract
 * `feedHealthResponse` from shared/) as the operator's view reads it: the endpoints by name with
 * their 1-minute figures, the incidents newest first, the provinces' last successes oldest first.
 */
import type { FeedControlsView, FeedHealthEvent, FeedHealthResponse, FeedHealthState, FeedIncident, FeedLatencyStats } from '@gozcu/shared';

export type HealthState = FeedHealthState | 'unknown';

/** One endpoint's figures over the last minute. */
export interface EndpointHealth {
  name: string;
  state: FeedHealthState;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  errorRate: number;
  /** the backoff in force now (the feed's, one for every endpoint), ms */
  backoffMs: number | null;
  rps: number;
  /** requests in the last minute, and failures by class */
  count: number;
  errors: FeedLatencyStats['errors'];
  lastSuccessAt: string | null;
}

export interface Incident {
  at: string;
  state: FeedHealthState | null;
  previous: FeedHealthState | null;
  endpoint: string | null;
  text: string;
}

/** Per (province, ballot type): now − when its oldest district was last known current (`lags`). */
export interface ProvinceLag {
  plate: number;
  ballot: number;
  lagSeconds: number;
  /** districts whose aggregate moved past what is stored */
  due: number;
  districts: number;
}

export interface FeedHealth {
  overall: HealthState;
  /** why: the rule of the server's table, and its cause */
  rule: string;
  cause: string;
  /** Redis as the server sees it */
  redis: FeedHealthResponse['redis'];
  lags: ProvinceLag[];
  controls: FeedControlsView;
  endpoints: EndpointHealth[];
  /** the provinces polled successfully, oldest success first */
  lastSuccess: Array<{ plate: number; at: string }>;
  incidents: Incident[];
  rps: number | null;
  cap: number | null;
  /** the backoff in force now (YSK asked us to wait, or we back off), ms; 0 = none */
  backoffMs: number | null;
  backoffUntil: string | null;
  /** BullMQ job counts: waiting, delayed, active, prioritized, failed */
  queue: Record<string, number> | null;
  /** incidents still open */
  openIncidents: number;
  enabled: boolean;
  asOf: string;
}

/** A stored incident: kind `health_<state>` (scope: an endpoint or 'overall', details {from, to}), or a row problem. */
function incidentOf(i: FeedIncident): Incident {
  const kindState = i.kind.startsWith('health_') ? stateOf(i.kind.slice(7)) : null;
  return {
    at: i.startedAt,
    state: stateOf(i.details.to) ?? kindState,
    previous: stateOf(i.details.from),
    endpoint: i.scope !== 'overall' ? i.scope : null,
    text: kindState ? i.cause : `${i.kind}: ${i.cause}`,
  };
}

const FEED_STATES: readonly unknown[] = ['healthy', 'slow', 'failing', 'paused'] satisfies FeedHealthState[];
/** `details` are free-form (and withheld from narrower scopes): a state there, or null. */
function stateOf(v: unknown): FeedHealthState | null {
  return FEED_STATES.includes(v) ? (v as FeedHealthState) : null;
}

/**
 * One row per province for the operator's lag table, the worst first: the largest lag over its
 * ballot types, due districts summed, with the last successful poll beside it.
 */
export function provinceLagRows(
  h: FeedHealth | null,
): Array<{ plate: number; lagSeconds: number | null; due: number; districts: number; lastSuccessAt: string | null }> {
  if (!h) return [];
  const rows = new Map<number, { plate: number; lagSeconds: number | null; due: number; districts: number; lastSuccessAt: string | null }>();
  for (const l of h.lags) {
    const r = rows.get(l.plate) ?? { plate: l.plate, lagSeconds: null, due: 0, districts: 0, lastSuccessAt: null };
    r.lagSeconds = Math.max(r.lagSeconds ?? 0, l.lagSeconds);
    r.due += l.due;
    r.districts += l.districts;
    rows.set(l.plate, r);
  }
  for (const s of h.lastSuccess) {
    const r = rows.get(s.plate) ?? { plate: s.plate, lagSeconds: null, due: 0, districts: 0, lastSuccessAt: null };
    r.lastSuccessAt = s.at;
    rows.set(s.plate, r);
  }
  return [...rows.values()].sort((a, b) => (b.lagSeconds ?? -1) - (a.lagSeconds ?? -1) || a.plate - b.plate);
}

export function normalizeHealth(h: FeedHealthResponse): FeedHealth {
  const endpoints: EndpointHealth[] = Object.entries(h.endpoints)
    .map(([name, e]) => ({
      name,
      state: e.state,
      p50: e['1m'].p50,
      p95: e['1m'].p95,
      p99: e['1m'].p99,
      errorRate: e['1m'].errorRate,
      backoffMs: h.backoffMs,
      rps: e['1m'].count / 60,
      count: e['1m'].count,
      errors: e['1m'].errors,
      lastSuccessAt: e.lastSuccessAt,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  // `recent` includes the open ones (newest first); an open one older than the recent 50 is added after
  const seen = new Set<string>();
  const incidents = [...h.incidents.recent, ...h.incidents.open]
    .filter((i) => {
      if (seen.has(i.id)) return false;
      seen.add(i.id);
      return true;
    })
    .map(incidentOf);
  const lastSuccess = Object.entries(h.lastSuccessByProvince)
    .map(([plate, at]) => ({ plate: Number(plate), at }))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.plate - b.plate);
  return {
    overall: h.overall,
    rule: h.rule,
    cause: h.cause,
    redis: h.redis,
    lags: h.lags.map((l) => ({ plate: l.province, ballot: l.ballot, lagSeconds: l.lagSeconds, due: l.due, districts: l.districts })),
    controls: h.controls,
    endpoints,
    lastSuccess,
    incidents,
    rps: endpoints.length ? endpoints.reduce((s, e) => s + e.rps, 0) : h['1m'] ? h['1m'].count / 60 : null,
    cap: h.cap ?? h.controls.maxRps,
    backoffMs: h.backoffMs,
    backoffUntil: h.backoffUntil,
    queue: h.queue,
    openIncidents: h.incidents.open.length,
    enabled: h.enabled,
    asOf: h.asOf,
  };
}

export function incidentFromEvent(e: FeedHealthEvent): Incident {
  return { at: e.at, state: e.state, previous: e.previous, endpoint: e.endpoint, text: e.cause };
}

/** The strip's one-line summary: the worst p95, the mean error rate, the newest success. */
export function healthSummary(h: FeedHealth | null): {
  state: HealthState;
  p95: number | null;
  errorRate: number | null;
  rps: number | null;
  lastSuccessAt: string | null;
} {
  if (!h) return { state: 'unknown', p95: null, errorRate: null, rps: null, lastSuccessAt: null };
  const p95s = h.endpoints.map((e) => e.p95).filter((v): v is number => v != null);
  const errs = h.endpoints.map((e) => e.errorRate);
  const times = h.lastSuccess.map((l) => Date.parse(l.at));
  return {
    state: h.overall,
    p95: p95s.length ? Math.max(...p95s) : null,
    errorRate: errs.length ? errs.reduce((a, b) => a + b, 0) / errs.length : null,
    rps: h.rps,
    lastSuccessAt: times.length ? new Date(Math.max(...times)).toISOString() : null,
  };
}

export interface HealthSample {
  t: number;
  state: HealthState;
  endpoints: Record<string, { p50: number | null; p95: number | null; p99: number | null; errorRate: number | null }>;
}

/** Appends a sample and keeps only the last `windowMs` (and at most `max` samples). */
export function appendSample(history: readonly HealthSample[], sample: HealthSample, windowMs = 3_600_000, max = 2_000): HealthSample[] {
  const from = sample.t - windowMs;
  const kept = history.filter((s) => s.t >= from && s.t <= sample.t);
  kept.push(sample);
  return kept.length > max ? kept.slice(kept.length - max) : kept;
}

export function sampleOf(h: FeedHealth, t: number): HealthSample {
  const endpoints: HealthSample['endpoints'] = {};
  for (const e of h.endpoints) endpoints[e.name] = { p50: e.p50, p95: e.p95, p99: e.p99, errorRate: e.errorRate };
  return { t, state: h.overall, endpoints };
}

/** Runs of equal state over time, for the state band. */
export function stateRuns(history: readonly HealthSample[]): Array<{ state: HealthState; from: number; to: number }> {
  const runs: Array<{ state: HealthState; from: number; to: number }> = [];
  for (const s of history) {
    const last = runs[runs.length - 1];
    if (last && last.state === s.state) last.to = s.t;
    else {
      if (last) last.to = s.t;
      runs.push({ state: s.state, from: s.t, to: s.t });
    }
  }
  return runs;
}
