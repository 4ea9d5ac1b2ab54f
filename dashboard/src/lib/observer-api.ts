/**
 * The observer's requests (issue 12): "my boxes", an entry, a sheet photo. Unlike the wall's
 * reads, a weak network is normal here: a request that gets no answer in time is "network"
 * (the outbox tries again later), and a refresh that cannot reach the server keeps the session.
 */
import { entryResultResponse, myBoxesResponse, sheetPhotosResponse, type EntryBody, type MyBoxesResponse } from '@gozcu/shared';
import { AuthError, clearSession, readToken, refresh } from './auth';
import { ApiError, parseAnswer, serverMessage } from './http';
import type { OutboxItem, SendResult, Transport } from './outbox';

/** How long one request may take on a weak network before it counts as no answer. */
const TIMEOUT_MS = 20_000;

class NoNetwork extends Error {}

async function attempt(path: string, init: RequestInit): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = readToken();
  if (token) headers.set('Authorization', `Bearer ${token}`);
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), TIMEOUT_MS);
  try {
    return await fetch(path, { ...init, headers, signal: ctrl.signal, cache: 'no-store' });
  } catch {
    throw new NoNetwork('network');
  } finally {
    clearTimeout(timer);
  }
}

/** With the bearer token; a 401 refreshes once and retries. Throws NoNetwork without an answer. */
async function authed(path: string, init: RequestInit = {}): Promise<Response> {
  let res = await attempt(path, init);
  if (res.status !== 401) return res;
  let renewed = false;
  try {
    renewed = (await refresh()) != null;
  } catch (e) {
    // the refresh itself got no answer: the session may still be good, try later
    if (!(e instanceof AuthError)) throw new NoNetwork('network');
  }
  if (renewed) res = await attempt(path, init);
  if (!renewed || res.status === 401) clearSession();
  return res;
}

async function bodyOf(res: Response): Promise<unknown> {
  const text = await res.text().catch(() => '');
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

const messageOf = (res: Response, body: unknown): string => serverMessage(body) || `HTTP ${res.status}`;

function classify(res: Response, body: unknown): SendResult | null {
  if (res.status >= 500 || res.status === 429 || res.status === 401 || res.status === 408) return { kind: 'later', message: messageOf(res, body) };
  if (!res.ok) return { kind: 'refused', message: messageOf(res, body) };
  return null;
}

export const observerApi = {
  async myBoxes(): Promise<MyBoxesResponse> {
    const res = await authed('/api/entries/my-boxes', { headers: { Accept: 'application/json' } }).catch((e: unknown) => {
      throw e instanceof NoNetwork ? new ApiError(0, 'network') : e;
    });
    const body = await bodyOf(res);
    if (!res.ok) throw new ApiError(res.status, messageOf(res, body), body);
    return parseAnswer(myBoxesResponse, body, '/api/entries/my-boxes', res.status);
  },
};

/** The outbox's way to the server. */
export const httpTransport: Transport = {
  async sendEntry(item: OutboxItem): Promise<SendResult> {
    try {
      const res = await authed('/api/entries', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        // the body the server's schema takes (shared/src/contracts/entries.ts)
        body: JSON.stringify({ ref: item.ref, sheet: item.sheet, idempotencyKey: item.id } satisfies EntryBody),
      });
      const body = await bodyOf(res);
      const bad = classify(res, body);
      if (bad) return bad;
      const r = parseAnswer(entryResultResponse, body, '/api/entries', res.status);
      return { kind: 'ok', entryId: r.entry.id, duplicate: r.duplicate };
    } catch (e) {
      if (e instanceof NoNetwork) return { kind: 'network' };
      throw e;
    }
  },

  async sendPhoto(item): Promise<SendResult> {
    try {
      const path = `/api/boxes/${encodeURIComponent(item.key)}/sheet-photos`;
      // sent before, answer lost? the server lists the photo by the SHA-256 of its bytes
      const sha = await sha256Hex(item.photo);
      if (sha) {
        const listed = await authed(path, { headers: { Accept: 'application/json' } });
        if (listed.ok) {
          const { items } = parseAnswer(sheetPhotosResponse, await bodyOf(listed), path, listed.status);
          if (items.some((p) => p.sha256 === sha && p.entryId === item.entryId)) return { kind: 'ok', entryId: item.entryId, duplicate: true };
        }
      }
      const form = new FormData();
      form.append('entryId', item.entryId);
      form.append('photo', item.photo, item.photoName ?? 'tutanak.jpg');
      const res = await authed(path, { method: 'POST', body: form, headers: { Accept: 'application/json' } });
      const body = await bodyOf(res);
      return classify(res, body) ?? { kind: 'ok', entryId: item.entryId, duplicate: false };
    } catch (e) {
      if (e instanceof NoNetwork) return { kind: 'network' };
      throw e;
    }
  },
};

async function sha256Hex(blob: Blob): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  const digest = await subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
