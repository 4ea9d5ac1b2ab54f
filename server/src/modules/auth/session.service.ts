import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@gozcu/shared';
import { Clock } from '../../infra/clock';
import { STORE, type SettingsRepository, type UsersRepository } from '../store/store.port';

/** How long a node trusts what it read of a user's session: revocation reaches every node within this. */
export const SESSION_CHECK_MS = 2_000;

interface Held {
  version: number;
  disabled: boolean;
  readAt: number;
}

/**
 * Revocation of access tokens within seconds. Every access token carries its user's session
 * version; signing out everywhere (password change, refresh-token reuse, a change of role,
 * scope or password by an administrator, disabling) bumps the version, and REST and sockets
 * refuse a token of an older version or of a disabled user. Each node re-reads a user's
 * version at most every SESSION_CHECK_MS, so a revocation on any node holds everywhere
 * within that. The version is a setting of the store (no schema change).
 */
@Injectable()
export class SessionService {
  private readonly held = new Map<string, Held>();
  private readonly listeners = new Set<(userId: string) => void>();

  constructor(
    @Inject(STORE) private readonly store: SettingsRepository & UsersRepository,
    private readonly clock: Clock,
  ) {}

  private key(userId: string): string {
    return `session:${userId}`;
  }

  /** The version a new access token of the user carries. */
  async current(userId: string): Promise<number> {
    return (await this.read(userId, true)).version;
  }

  /** Ends every access token of the user issued so far (on every node within SESSION_CHECK_MS). */
  async revoke(userId: string): Promise<void> {
    const version = (await this.read(userId, true)).version + 1;
    await this.store.putSetting(this.key(userId), { version });
    this.held.delete(userId);
    for (const f of this.listeners) f(userId);
  }

  /** True while the principal's token is of the user's current session and the user is enabled. */
  async valid(principal: Pick<Principal, 'userId'> & { session?: number }): Promise<boolean> {
    const held = await this.read(principal.userId, false);
    return !held.disabled && (principal.session ?? 0) === held.version;
  }

  /** Called (on this node) right after a revocation: the live gateway closes that user's sockets. */
  onRevoked(listener: (userId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets what was read of a user (after disabling them here). */
  forget(userId: string): void {
    this.held.delete(userId);
    for (const f of this.listeners) f(userId);
  }

  private async read(userId: string, fresh: boolean): Promise<Held> {
    const now = this.clock.wall(); // how long a read is trusted: the wall clock, whatever time a test holds
    const cached = this.held.get(userId);
    if (!fresh && cached && now - cached.readAt < SESSION_CHECK_MS) return cached;
    const [setting, user] = await Promise.all([this.store.setting<{ version: number }>(this.key(userId)), this.store.userById(userId)]);
    const held: Held = { version: setting?.version ?? 0, disabled: !user || user.disabled, readAt: now };
    if (this.held.size > 50_000) this.held.clear();
    this.held.set(userId, held);
    return held;
  }
}
