/**
 * The operator's controls of the YSK feed (permission `feed:admin`; every call audited by the
 * server): pause and resume, the poll interval and the rate cap, a resweep of a province.
 */
import { ApiError } from './api';
import { clearSession, readToken, refresh } from './auth';

async function send<T>(method: string, path: string, body: unknown): Promise<T> {
  const go = () => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    const token = readToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    return fetch(path, { method, headers, body: JSON.stringify(body) });
  };
  let res = await go();
  if (res.status === 401) {
    const renewed = await refresh().catch(() => null);
    if (renewed) res = await go();
    if (!renewed || res.status === 401) clearSession();
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    const m = parsed && typeof parsed === 'object' && 'message' in parsed ? String((parsed as { message: unknown }).message) : '';
    throw new ApiError(res.status, m || `HTTP ${res.status}`, parsed);
  }
  return parsed as T;
}

export const feedApi = {
  pause: (reason: string | null) => send<unknown>('POST', '/api/feed/pause', reason ? { reason } : {}),
  resume: () => send<unknown>('POST', '/api/feed/resume', {}),
  settings: (patch: { pollIntervalMs?: number; maxRps?: number }) => send<unknown>('PUT', '/api/feed/settings', patch),
  resweep: (province: number) => send<unknown>('POST', '/api/feed/resweep', { province }),
};

/** Seconds (as typed by an operator, comma or point) → ms for the poll interval; null when not a sensible value. */
export function intervalMsOf(text: string): number | null {
  const n = Number(text.trim().replace(',', '.'));
  return Number.isFinite(n) && n >= 0.2 && n <= 3600 ? Math.round(n * 1000) : null;
}

/** Requests per second as typed; null when not a sensible value. */
export function rpsOf(text: string): number | null {
  const n = Number(text.trim().replace(',', '.'));
  return Number.isFinite(n) && n > 0 && n <= 10_000 ? n : null;
}
