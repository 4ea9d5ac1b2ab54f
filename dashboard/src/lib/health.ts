/**
 * `GET /api/feed/health` (FeedService.healthReport + the queue depth), read defensively:
 *   { enabled, overall, asOf, '1m'|'5m'|'15m': stats, backoffUntil, backoffMs,
 *     endpoints: {[name]: {state, lastSuccessAt, '1m'|'5m'|'15m': {count, p50, p95, p99, errorRate, errors, bytes}}},
 *     lastSuccessByProvince: {[plate]: iso}, totals, incidents: {open: Incident[], recent: Incident[]}, queue }
 * Latency figures are taken from the 1-minute window; flat `{p50, …}` and `latency: {…}` are read too.
 */
import type { FeedHealthEvent, FeedHealthState } from '@gozcu/shared';

export type HealthState = FeedHealthState | 'unknown';
export const HEALTH_STATES: readonly HealthState[] = ['healthy', 'slow', 'failing', 'paused', 'unknown'];

export interface EndpointHealth {
  name: string;
  state: HealthState;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  errorRate: number | null;
  backoffMs: number | null;
  rps: number | null;
  /** requests in the last minute, and failures by class */
  count: number | null;
  errors: Record<string, number>;
  lastSuccessAt: string | null;
}

export interface Incident {
  at: string | null;
  state: HealthState | null;
  previous: HealthState | null;
  endpoint: string | null;
  text: string;
}

/** Per (province, ballot type): now − when its oldest district was last known current (`lags`). */
export interface ProvinceLag {
  plate: number;
  ballot: number | null;
  lagSeconds: number;
  /** districts whose aggregate moved past what is stored */
  due: number;
  districts: number;
}

/** The operator's controls as the server reports them (`controls`). */
export interface FeedControls {
  paused: boolean;
  pausedBy: string | null;
  pausedAt: string | null;
  reason: string | null;
  pollIntervalMs: number | null;
  maxRps: number | null;
}

export interface FeedHealth {
  overall: HealthState;
  /** why: the rule of the server's table, and its cause */
  rule: string | null;
  cause: string | null;
  /** Redis as the server sees it ('ok' | 'unreachable') */
  redis: string | null;
  lags: ProvinceLag[];
  controls: FeedControls | null;
  endpoints: EndpointHealth[];
  /** oldest success first; `at` null = never */
  lastSuccess: Array<{ plate: number; at: string | null }>;
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
  enabled: boolean | null;
  asOf: string | null;
}

const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

export function healthState(v: unknown): HealthState {
  if (typeof v !== 'string') return 'unknown';
  const s = v.toLowerCase();
  if (s === 'healthy' || s === 'ok' || s === 'normal') return 'healthy';
  if (s === 'slow' || s === 'degraded') return 'slow';
  if (s === 'failing' || s === 'failed' || s === 'down' || s === 'error') return 'failing';
  if (s === 'paused' || s === 'stopped') return 'paused';
  return 'unknown';
}

const SEVERITY: Record<HealthState, number> = { healthy: 0, unknown: 1, slow: 2, paused: 3, failing: 4 };
export function worstState(states: readonly HealthState[]): HealthState {
  return states.reduce<HealthState>((w, s) => (SEVERITY[s] > SEVERITY[w] ? s : w), states.length ? 'healthy' : 'unknown');
}

function incidentOf(v: unknown): Incident | null {
  const o = obj(v);
  if (!o) return typeof v === 'string' ? { at: null, state: null, previous: null, endpoint: null, text: v } : null;
  const text = str(o.cause) ?? str(o.message) ?? str(o.msg) ?? str(o.reason) ?? str(o.kind) ?? str(o.type) ?? '';
  const details = obj(o.details);
  // a stored incident: kind `health_<state>`, scope = endpoint or 'overall', details {from, to}
  const kindState = typeof o.kind === 'string' && o.kind.startsWith('health_') ? o.kind.slice(7) : null;
  const scope = str(o.scope);
  return {
    at: str(o.at) ?? str(o.time) ?? str(o.startedAt) ?? str(o.since) ?? null,
    state: o.state != null ? healthState(o.state) : details?.to != null ? healthState(details.to) : kindState ? healthState(kindState) : null,
    previous: o.previous != null ? healthState(o.previous) : details?.from != null ? healthState(details.from) : null,
    endpoint: str(o.endpoint) ?? (scope && scope !== 'overall' ? scope : null),
    text: kindState || !str(o.kind) ? text : `${o.kind}: ${text}`,
  };
}

function lastSuccessOf(v: unknown): Array<{ plate: number; at: string | null }> {
  const out: Array<{ plate: number; at: string | null }> = [];
  if (Array.isArray(v)) {
    for (const e of v) {
      const o = obj(e);
      const plate = num(o?.province ?? o?.plate);
      if (plate != null) out.push({ plate, at: str(o?.at ?? o?.lastSuccess ?? o?.time) });
    }
  } else {
    for (const [k, at] of Object.entries(obj(v) ?? {})) {
      const plate = num(k);
      if (plate != null) out.push({ plate, at: typeof at === 'number' ? new Date(at).toISOString() : (str(at) ?? str(obj(at)?.at)) });
    }
  }
  const t = (at: string | null) => (at ? Date.parse(at) || 0 : -Infinity);
  return out.sort((a, b) => t(a.at) - t(b.at) || a.plate - b.plate);
}

function lagsOf(v: unknown): ProvinceLag[] {
  if (!Array.isArray(v)) return [];
  const out: ProvinceLag[] = [];
  for (const e of v) {
    const o = obj(e);
    const plate = num(o?.province ?? o?.plate);
    const lag = num(o?.lagSeconds);
    if (plate == null || lag == null) continue;
    out.push({ plate, ballot: num(o?.ballot), lagSeconds: lag, due: num(o?.due) ?? 0, districts: num(o?.districts) ?? 0 });
  }
  return out;
}

function controlsOf(v: unknown): FeedControls | null {
  const o = obj(v);
  if (!o || typeof o.paused !== 'boolean') return null;
  return {
    paused: o.paused,
    pausedBy: str(o.pausedBy),
    pausedAt: str(o.pausedAt),
    reason: str(o.reason),
    pollIntervalMs: num(o.pollIntervalMs),
    maxRps: num(o.maxRps),
  };
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

export function normalizeHealth(raw: unknown): FeedHealth {
  const o = obj(raw) ?? {};
  const eps = o.endpoints;
  const endpoints: EndpointHealth[] = [];
  const topBackoff = num(o.backoffMs);
  const addEndpoint = (name: string, v: unknown) => {
    const e = obj(v) ?? {};
    const win = obj(e['1m']);
    const lat = win ?? obj(e.latency) ?? e;
    const count = num(win?.count ?? e.count);
    const errors: Record<string, number> = {};
    for (const [k, n] of Object.entries(obj(win?.errors ?? e.errors) ?? {})) if (num(n) != null) errors[k] = num(n)!;
    endpoints.push({
      name,
      state: healthState(e.state),
      p50: num(lat.p50),
      p95: num(lat.p95),
      p99: num(lat.p99),
      errorRate: num(lat.errorRate ?? e.errorRate),
      backoffMs: num(e.backoffMs) ?? topBackoff,
      rps: num(e.rps ?? e.requestsPerSecond) ?? (win && count != null ? count / 60 : null),
      count,
      errors,
      lastSuccessAt: str(e.lastSuccessAt),
    });
  };
  if (Array.isArray(eps)) for (const e of eps) addEndpoint(str(obj(e)?.name) ?? str(obj(e)?.endpoint) ?? '?', e);
  else for (const [name, v] of Object.entries(obj(eps) ?? {})) addEndpoint(name, v);
  endpoints.sort((a, b) => a.name.localeCompare(b.name));
  const overall = o.overall != null ? healthState(obj(o.overall)?.state ?? o.overall) : worstState(endpoints.map((e) => e.state));
  // incidents: a list, or `{open, recent}` from the store (recent includes the open ones, newest first)
  const incObj = obj(o.incidents);
  const rawIncidents: unknown[] = Array.isArray(o.incidents)
    ? o.incidents
    : incObj
      ? [...(Array.isArray(incObj.recent) ? incObj.recent : []), ...(Array.isArray(incObj.open) ? incObj.open : [])]
      : [];
  const seen = new Set<string>();
  const incidents = rawIncidents
    .filter((r) => {
      const id = str(obj(r)?.id);
      if (!id) return true;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    })
    .map(incidentOf)
    .filter((i): i is Incident => i != null);
  const rpsSum = endpoints.reduce((s, e) => (e.rps != null ? s + e.rps : s), 0);
  const overallWin = obj(o['1m']);
  const queue: Record<string, number> = {};
  for (const [k, n] of Object.entries(obj(o.queue) ?? {})) if (num(n) != null) queue[k] = num(n)!;
  const controls = controlsOf(o.controls);
  return {
    overall,
    rule: str(o.rule),
    cause: str(o.cause),
    redis: str(o.redis),
    lags: lagsOf(o.lags),
    controls,
    endpoints,
    lastSuccess: lastSuccessOf(o.lastSuccessByProvince),
    incidents,
    rps:
      num(o.rps ?? o.requestsPerSecond) ??
      (endpoints.some((e) => e.rps != null) ? rpsSum : overallWin && num(overallWin.count) != null ? num(overallWin.count)! / 60 : null),
    cap: num(o.cap ?? o.rpsCap ?? o.requestsPerSecondCap ?? o.maxRps ?? controls?.maxRps),
    backoffMs: topBackoff,
    backoffUntil: str(o.backoffUntil),
    queue: obj(o.queue) ? queue : null,
    openIncidents: incObj && Array.isArray(incObj.open) ? incObj.open.length : 0,
    enabled: typeof o.enabled === 'boolean' ? o.enabled : null,
    asOf: str(o.asOf),
  };
}

export function incidentFromEvent(e: FeedHealthEvent): Incident {
  return { at: e.at ?? null, state: healthState(e.state), previous: healthState(e.previous), endpoint: e.endpoint ?? null, text: e.cause ?? '' };
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
  const errs = h.endpoints.map((e) => e.errorRate).filter((v): v is number => v != null);
  const times = h.lastSuccess.map((l) => (l.at ? Date.parse(l.at) : NaN)).filter((t) => Number.isFinite(t));
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
