/**
 * The one door to the server: REST with `Authorization: Bearer <token>` from localStorage
 * (refreshed once and retried on a 401; a second 401 ends the session, which shows the
 * login), and the Socket.IO client with `auth: { token }` read afresh on every (re)connect.
 */
import { io, type Socket } from 'socket.io-client';
import {
  boxDetailResponse,
  boxesResponse,
  coverageResponse,
  districtsResponse,
  embargoStateSchema,
  feedHealthResponse,
  type BallotCode,
  type ClientToServerEvents,
  type EmbargoState,
  type ServerToClientEvents,
} from '@gozcu/shared';
import { clearSession, readToken, refresh } from './auth';
import type { ZodType } from 'zod';
import { ApiError, errorOf, parseAnswer, readBody } from './http';

export { TOKEN_KEY, readToken } from './auth';
export { ApiError } from './http';

type EmbargoListener = (e: EmbargoState) => void;
const embargoListeners = new Set<EmbargoListener>();
/** Responses may carry `embargo: {active, until, yskVisible}`: listeners see each one. */
export function onEmbargo(fn: EmbargoListener): () => void {
  embargoListeners.add(fn);
  return () => embargoListeners.delete(fn);
}
function noteEmbargo(body: unknown): void {
  const e = body && typeof body === 'object' ? (body as { embargo?: unknown }).embargo : null;
  if (e && typeof e === 'object' && typeof (e as EmbargoState).active === 'boolean') for (const fn of embargoListeners) fn(e as EmbargoState);
}

export type QueryValue = string | number | boolean | null | undefined;

export function queryString(params: Record<string, QueryValue>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * A request with the bearer token (when signed in). On a 401 the access token expired or was
 * revoked: refresh once and retry; a refused refresh, or a second 401, ends the session.
 */
export async function authed(path: string, init: RequestInit = {}): Promise<Response> {
  const go = () => {
    const headers = new Headers(init.headers);
    const token = readToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    return fetch(path, { ...init, headers });
  };
  let res = await go();
  if (res.status === 401) {
    const renewed = await refresh().catch(() => null);
    if (renewed) res = await go();
    if (!renewed || res.status === 401) clearSession();
  }
  return res;
}

export interface JsonOptions<T> {
  /** false: a public request, no token and no refresh (the citizen pages work signed out) */
  token?: boolean;
  /** the body must be a JSON object or array (else an ApiError 'not JSON') */
  object?: boolean;
  /** the route's response schema (shared/): the body is parsed with it (else an ApiError naming the fields); no answer is read unparsed */
  schema: ZodType<T>;
}

/** A JSON request (`Accept: application/json`): the parsed body, or an ApiError with the server's message. */
export async function fetchJson<T>(path: string, init: RequestInit, { token = true, object = false, schema }: JsonOptions<T>): Promise<T> {
  const headers = new Headers(init.headers);
  if (!headers.has('Accept')) headers.set('Accept', 'application/json');
  const res = token ? await authed(path, { ...init, headers }) : await fetch(path, { ...init, headers });
  const body = await readBody(res);
  if (!res.ok) throw errorOf(res, body);
  if (object && (body === null || typeof body !== 'object')) throw new ApiError(res.status, 'not JSON', body);
  return parseAnswer(schema, body, path, res.status);
}

/** `method` with a body: JSON, or a string sent as it is with its `contentType` (a CSV). */
export function sendJson<T>(method: string, path: string, body: unknown, opts: JsonOptions<T> & { contentType?: string; cache?: RequestCache }): Promise<T> {
  const { contentType = 'application/json', cache, ...json } = opts;
  const payload = typeof body === 'string' && contentType !== 'application/json' ? body : JSON.stringify(body);
  return fetchJson<T>(path, { method, headers: { 'Content-Type': contentType }, body: payload, ...(cache ? { cache } : {}) }, json);
}

/** A GET of a JSON object, parsed with its response schema; a response carrying the embargo state tells the embargo listeners. */
export async function getJson<T>(path: string, params: Record<string, QueryValue>, signal: AbortSignal | undefined, schema: ZodType<T>): Promise<T> {
  const body = await fetchJson<T>(path + queryString(params), signal ? { signal } : {}, { object: true, schema });
  noteEmbargo(body);
  return body;
}

export interface BoxQuery {
  province?: number | null;
  district?: number | null;
  ballot?: BallotCode | null;
  status?: string | null;
  sort?: string | null;
  limit?: number | null;
  cursor?: string | null;
}

/** `GET /api/boxes/:key`'s types are the server's, in shared/. */
export type { AlteredBeforeSeen, BoxDetail, VersionView as BoxVersion } from '@gozcu/shared';

export const api = {
  coverage: (q: { province?: number | null; district?: number | null; ballot?: BallotCode | null }, signal?: AbortSignal) =>
    getJson('/api/coverage', { ...q }, signal, coverageResponse),
  boxes: (q: BoxQuery, signal?: AbortSignal) => getJson('/api/boxes', { ...q }, signal, boxesResponse),
  box: (key: string, signal?: AbortSignal) => getJson(`/api/boxes/${encodeURIComponent(key)}`, {}, signal, boxDetailResponse),
  feedHealth: (signal?: AbortSignal) => getJson('/api/feed/health', {}, signal, feedHealthResponse),
  /** District names of a province: `{ items: [{ yskId, province, name }] }`. */
  districts: (province: number, signal?: AbortSignal) => getJson('/api/districts', { province }, signal, districtsResponse),
  embargo: (signal?: AbortSignal) => getJson('/api/embargo', {}, signal, embargoStateSchema),
};

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connectLive(): LiveSocket {
  return io({
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    auth: (cb) => cb({ token: readToken() }),
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
    randomizationFactor: 0.5,
    timeout: 8_000,
  });
}
