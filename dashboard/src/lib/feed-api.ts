/**
 * The operator's controls of the YSK feed (permission `feed:admin`; every call audited by the
 * server): pause and resume, the poll interval and the rate cap, a resweep of a province.
 */
import { feedControlsView as schema, feedResweepResponse } from '@gozcu/shared';
import { sendJson } from './api';

/** Each change answers the controls as they now are (the resweep: with the resweep queued). */
export const feedApi = {
  pause: (reason: string | null) => sendJson('POST', '/api/feed/pause', reason ? { reason } : {}, { schema }),
  resume: () => sendJson('POST', '/api/feed/resume', {}, { schema }),
  settings: (patch: { pollIntervalMs?: number; maxRps?: number }) => sendJson('PUT', '/api/feed/settings', patch, { schema }),
  resweep: (province: number) => sendJson('POST', '/api/feed/resweep', { province }, { schema: feedResweepResponse }),
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
