/** Signing in for integration tests: the seeded admin, and users of any role made through the API. */
export const ADMIN_PASSWORD = 'test-admin-password-0001';

export interface Session {
  token: string;
  refreshToken: string;
  user: { id: string; username: string; role: string; permissions: string[] };
  /** fetch with this session's bearer token */
  fetch(path: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }>;
  get(path: string): Promise<{ status: number; body: any; headers: Headers }>;
  post(path: string, body: unknown, method?: string): Promise<{ status: number; body: any; headers: Headers }>;
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

export async function login(baseUrl: string, username: string, password: string): Promise<Session> {
  const res = await call(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return session(baseUrl, res.body);
}

export function session(baseUrl: string, login: { accessToken: string; refreshToken: string; user: Session['user'] }): Session {
  const s: Session = {
    token: login.accessToken,
    refreshToken: login.refreshToken,
    user: login.user,
    fetch: (path, init = {}) =>
      call(`${baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${s.token}`, ...(init.headers as Record<string, string>) } }),
    get: (path) => s.fetch(path),
    post: (path, body, method = 'POST') =>
      typeof body === 'string'
        ? s.fetch(path, { method, headers: { 'content-type': 'text/csv' }, body })
        : s.fetch(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  };
  return s;
}

/** Creates a user through the API as `admin` and signs them in. */
export async function userOf(baseUrl: string, admin: Session, username: string, role: string, scope: Record<string, unknown> = {}): Promise<Session> {
  const password = `pw-${username}-0123456789`;
  const res = await admin.post('/api/users', { username, role, scope, password });
  if (res.status !== 201) throw new Error(`cannot create ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return login(baseUrl, username, password);
}
