import { sessionUserSchema, type SessionUser } from '@gozcu/shared';
import { getJson } from '../api';
import * as auth from '../auth';

/**
 * The signed-in session: who is signed in, logging in and out, and refreshing the access
 * token a little before it expires (and again when a tab wakes up late). Other tabs' logins
 * and logouts arrive through the `storage` event.
 */
export class SessionManager {
  session = $state.raw<auth.StoredSession | null>(auth.readSession());
  user = $derived<SessionUser | null>(this.session?.user ?? null);
  signedIn = $derived(this.session != null);
  busy = $state(false);
  error = $state<string | null>(null);
  /** why the login screen shows: null, or 'expired' when a session ended by itself */
  reason = $state<'expired' | null>(null);

  #timer: ReturnType<typeof setTimeout> | null = null;
  #lifetimeMs: number | undefined;
  #stops: Array<() => void> = [];

  start(): () => void {
    this.#stops.push(
      auth.onSession((s) => {
        if (!s && this.session && !this.#loggingOut) this.reason = 'expired';
        this.session = s;
        this.#schedule();
      }),
    );
    const onStorage = (e: StorageEvent) => {
      if (e.key === null || e.key === auth.TOKEN_KEY || e.key === auth.REFRESH_KEY) {
        this.session = auth.readSession();
        this.#schedule();
      }
    };
    const onWake = () => {
      if (document.visibilityState === 'visible') this.#schedule();
    };
    window.addEventListener('storage', onStorage);
    document.addEventListener('visibilitychange', onWake);
    this.#stops.push(() => window.removeEventListener('storage', onStorage));
    this.#stops.push(() => document.removeEventListener('visibilitychange', onWake));
    this.#schedule();
    return () => this.stop();
  }

  stop(): void {
    for (const s of this.#stops.splice(0)) s();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async login(username: string, password: string): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      const s = await auth.login(username.trim(), password);
      this.#lifetimeMs = s.expiresAt - Date.now();
      this.reason = null;
      this.session = s;
      this.#schedule();
      return true;
    } catch (e) {
      this.error =
        e instanceof auth.AuthError
          ? e.status === 401 || e.status === 400
            ? 'invalid'
            : e.status === 429
              ? 'throttled'
              : e.status === 423
                ? 'locked'
                : e.message
          : 'network';
      return false;
    } finally {
      this.busy = false;
    }
  }

  #loggingOut = false;
  async logout(): Promise<void> {
    this.#loggingOut = true;
    try {
      await auth.logout();
    } finally {
      this.#loggingOut = false;
      this.reason = null;
      this.session = null;
    }
  }

  /** Refreshes now (the socket calls this when its handshake is refused). */
  async refresh(): Promise<boolean> {
    try {
      return (await auth.refresh()) != null;
    } catch {
      return false;
    }
  }

  /** Re-reads the user from the server (the role may have changed since the login). */
  async loadMe(): Promise<void> {
    try {
      const me = await getJson('/api/auth/me', {}, undefined, sessionUserSchema);
      if (this.session) this.session = { ...this.session, user: me };
    } catch {
      /* a 401 already ended the session in getJson */
    }
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const s = this.session;
    if (!s) return;
    const delay = auth.refreshDelay(s, Date.now(), this.#lifetimeMs);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.refresh().then((ok) => {
        // a network failure: try again shortly (the token may still be valid)
        if (!ok && this.session) this.#timer = setTimeout(() => this.#schedule(), 5_000);
      });
    }, delay);
  }
}
