/**
 * The session in localStorage: the access token under `gozcu.token` (what `api.ts` sends),
 * the refresh token, when the access token expires, and the signed-in user. Plain functions,
 * so the refresh logic is shared by the REST client and the session manager.
 */
import { loginResponse, type LoginBody, type LoginResponse, type RefreshBody, type SessionUser } from '@gozcu/shared';
import type { ZodType } from 'zod';
import { parseAnswer, readBody, serverMessage } from './http';

export const TOKEN_KEY = 'gozcu.token';
export const REFRESH_KEY = 'gozcu.refresh';
export const EXPIRES_KEY = 'gozcu.expiresAt';
export const USER_KEY = 'gozcu.user';

export interface StoredSession {
  token: string;
  refreshToken: string;
  /** ms epoch when the access token expires */
  expiresAt: number;
  user: SessionUser | null;
}

const ls = (): Storage | null => {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
};

export function readToken(): string | null {
  try {
    return ls()?.getItem(TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}

export function readSession(): StoredSession | null {
  const s = ls();
  if (!s) return null;
  try {
    const token = s.getItem(TOKEN_KEY);
    const refreshToken = s.getItem(REFRESH_KEY);
    if (!token || !refreshToken) return null;
    const expiresAt = Number(s.getItem(EXPIRES_KEY)) || 0;
    let user: SessionUser | null = null;
    try {
      user = JSON.parse(s.getItem(USER_KEY) ?? 'null') as SessionUser | null;
    } catch {
      user = null;
    }
    return { token, refreshToken, expiresAt, user };
  } catch {
    return null;
  }
}

export function storeLogin(res: LoginResponse, now = Date.now()): StoredSession {
  const session: StoredSession = { token: res.accessToken, refreshToken: res.refreshToken, expiresAt: now + res.expiresIn * 1000, user: res.user ?? null };
  const s = ls();
  try {
    s?.setItem(TOKEN_KEY, session.token);
    s?.setItem(REFRESH_KEY, session.refreshToken);
    s?.setItem(EXPIRES_KEY, String(session.expiresAt));
    s?.setItem(USER_KEY, JSON.stringify(session.user));
  } catch {
    /* private mode: the session lives in memory only for this page */
  }
  notify(session);
  return session;
}

export function clearSession(): void {
  const s = ls();
  try {
    for (const k of [TOKEN_KEY, REFRESH_KEY, EXPIRES_KEY, USER_KEY]) s?.removeItem(k);
  } catch {
    /* ignore */
  }
  notify(null);
}

type Listener = (s: StoredSession | null) => void;
const listeners = new Set<Listener>();
/** Told whenever the session is stored (login, refresh) or cleared (logout, a refused refresh). */
export function onSession(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
function notify(s: StoredSession | null): void {
  for (const fn of listeners) fn(s);
}

export class AuthError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A POST of the session's own (no token); the answer parsed with the route's response schema when it has one. */
async function postJson<T>(path: string, body: unknown, schema?: ZodType<T>): Promise<T> {
  const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) });
  const parsed = await readBody(res);
  if (!res.ok) throw new AuthError(res.status, serverMessage(parsed) || `HTTP ${res.status}`);
  return schema ? parseAnswer(schema, parsed, path, res.status) : (parsed as T);
}

export async function login(username: string, password: string): Promise<StoredSession> {
  return storeLogin(await postJson('/api/auth/login', { username, password } satisfies LoginBody, loginResponse));
}

let inflight: Promise<StoredSession | null> | null = null;

/**
 * Trades the refresh token for a new pair (one request at a time: concurrent callers share it).
 * A refused refresh (4xx) ends the session; a network failure leaves it for a later try.
 */
export function refresh(): Promise<StoredSession | null> {
  if (inflight) return inflight;
  const current = readSession();
  if (!current) return Promise.resolve(null);
  inflight = postJson('/api/auth/refresh', { refreshToken: current.refreshToken } satisfies RefreshBody, loginResponse)
    .then((res) => storeLogin(res))
    .catch((e: unknown) => {
      if (e instanceof AuthError && e.status >= 400 && e.status < 500) {
        // another tab may have refreshed already: its tokens are in storage now
        const now = readSession();
        if (now && now.refreshToken !== current.refreshToken) return now;
        clearSession();
        return null;
      }
      throw e;
    })
    .finally(() => {
      inflight = null;
    });
  return inflight;
}

export async function logout(): Promise<void> {
  const current = readSession();
  clearSession();
  if (current) await postJson('/api/auth/logout', { refreshToken: current.refreshToken } satisfies RefreshBody).catch(() => undefined);
}

/** When to refresh: a minute before expiry, or at 80 % of a short lifetime; never sooner than 1 s. */
export function refreshDelay(s: Pick<StoredSession, 'expiresAt'>, now = Date.now(), lifetimeMs?: number): number {
  const left = s.expiresAt - now;
  const margin = Math.min(60_000, Math.max(1_000, (lifetimeMs ?? left) * 0.2));
  return Math.max(1_000, left - margin);
}
