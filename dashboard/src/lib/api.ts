/**
 * The one door to the server: REST with `Authorization: Bearer <token>` from localStorage
 * when present, and the Socket.IO client with `auth: { token }`, so auth drops in later.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  BallotCode, BoxSummary, ClientToServerEvents, Coverage, Entry, Page, ServerToClientEvents, SheetVersion,
} from '@gozcu/shared';

export const TOKEN_KEY = 'gozcu.token';

export function readToken(): string | null {
  try {
    return globalThis.localStorage?.getItem(TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly body?: unknown) {
    super(message);
  }
}

export type QueryValue = string | number | boolean | null | undefined;

export function queryString(params: Record<string, QueryValue>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function getJson<T>(path: string, params: Record<string, QueryValue> = {}, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = readToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(path + queryString(params), { headers, signal });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const msg = (body && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message) : '') || `HTTP ${res.status}`;
    throw new ApiError(res.status, msg, body);
  }
  if (body === null || typeof body !== 'object') throw new ApiError(res.status, 'not JSON', body);
  return body as T;
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

/** A version as `GET /api/boxes/:key` sends it: a stored version, maybe with the server's diff. */
export type BoxVersion = SheetVersion & { diff?: unknown };

export interface BoxDetail {
  summary: BoxSummary;
  versions: BoxVersion[];
  entries: Entry[];
}

export const api = {
  coverage: (q: { province?: number | null; district?: number | null; ballot?: BallotCode | null }, signal?: AbortSignal) =>
    getJson<Coverage>('/api/coverage', { ...q }, signal),
  boxes: (q: BoxQuery, signal?: AbortSignal) => getJson<Page<BoxSummary>>('/api/boxes', { ...q }, signal),
  box: (key: string, signal?: AbortSignal) => getJson<BoxDetail>(`/api/boxes/${encodeURIComponent(key)}`, {}, signal),
  feedHealth: (signal?: AbortSignal) => getJson<unknown>('/api/feed/health', {}, signal),
  /** Not in the contracts yet: district names of a province. The dashboard falls back to ids. */
  districts: (province: number, signal?: AbortSignal) => getJson<unknown>('/api/districts', { province }, signal),
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
