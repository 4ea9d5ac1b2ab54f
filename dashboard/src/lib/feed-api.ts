/**
 * The operator's controls of the YSK feed (permission `feed:admin`; every call audited by the
 * server): pause and resume, the poll interval and the rate cap, a resweep of a province.
 */
import { sendJson } from './api';

const send = <T>(method: string, path: string, body: unknown): Promise<T> => sendJson<T>(method, path, body);

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
