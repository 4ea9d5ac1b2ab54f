/**
 * `GET /api/feed/health`, read defensively (its shape may still move):
 * `{ overall, endpoints: {[name]: {state, p50, p95, p99, errorRate, backoffMs}}, lastSuccessByProvince, incidents }`.
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
}

export interface Incident {
  at: string | null;
  state: HealthState | null;
  previous: HealthState | null;
  endpoint: string | null;
  text: string;
}

export interface FeedHealth {
  overall: HealthState;
  endpoints: EndpointHealth[];
  /** oldest success first; `at` null = never */
  lastSuccess: Array<{ plate: number; at: string | null }>;
  incidents: Incident[];
  rps: number | null;
  cap: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
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
  return {
    at: str(o.at) ?? str(o.time) ?? str(o.startedAt) ?? str(o.since) ?? null,
    state: o.state != null ? healthState(o.state) : null,
    previous: o.previous != null ? healthState(o.previous) : null,
    endpoint: str(o.endpoint),
    text,
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
      if (plate != null) out.push({ plate, at: typeof at === 'number' ? new Date(at).toISOString() : str(at) ?? str(obj(at)?.at) });
    }
  }
  const t = (at: string | null) => (at ? Date.parse(at) || 0 : -Infinity);
  return out.sort((a, b) => t(a.at) - t(b.at) || a.plate - b.plate);
}

export function normalizeHealth(raw: unknown): FeedHealth {
  const o = obj(raw) ?? {};
  const eps = o.endpoints;
  const endpoints: EndpointHealth[] = [];
  const addEndpoint = (name: string, v: unknown) => {
    const e = obj(v) ?? {};
    const lat = obj(e.latency) ?? e;
    endpoints.push({
      name,
      state: healthState(e.state),
      p50: num(lat.p50),
      p95: num(lat.p95),
      p99: num(lat.p99),
      errorRate: num(e.errorRate),
      backoffMs: num(e.backoffMs),
      rps: num(e.rps ?? e.requestsPerSecond),
    });
  };
  if (Array.isArray(eps)) for (const e of eps) addEndpoint(str(obj(e)?.name) ?? str(obj(e)?.endpoint) ?? '?', e);
  else for (const [name, v] of Object.entries(obj(eps) ?? {})) addEndpoint(name, v);
  endpoints.sort((a, b) => a.name.localeCompare(b.name));
  const overall = o.overall != null ? healthState(obj(o.overall)?.state ?? o.overall) : worstState(endpoints.map((e) => e.state));
  const incidents = (Array.isArray(o.incidents) ? o.incidents : []).map(incidentOf).filter((i): i is Incident => i != null);
  const rpsSum = endpoints.reduce((s, e) => (e.rps != null ? s + e.rps : s), 0);
  return {
    overall,
    endpoints,
    lastSuccess: lastSuccessOf(o.lastSuccessByProvince),
    incidents,
    rps: num(o.rps ?? o.requestsPerSecond) ?? (endpoints.some((e) => e.rps != null) ? rpsSum : null),
    cap: num(o.cap ?? o.rpsCap ?? o.requestsPerSecondCap),
  };
}

export function incidentFromEvent(e: FeedHealthEvent): Incident {
  return { at: e.at ?? null, state: healthState(e.state), previous: healthState(e.previous), endpoint: e.endpoint ?? null, text: e.cause ?? '' };
}

/** The strip's one-line summary: the worst p95, the mean error rate, the newest success. */
export function healthSummary(h: FeedHealth | null): { state: HealthState; p95: number | null; errorRate: number | null; rps: number | null; lastSuccessAt: string | null } {
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
