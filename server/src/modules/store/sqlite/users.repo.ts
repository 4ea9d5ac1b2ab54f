import type { Changed, AuditOf, RefreshTokenRecord, UserFilter, UserPatch, UserRecord, UsersRepository } from '../store.port';
import type { SqliteAudit } from './audit.repo';
import type { SqliteContext } from './context';
import { conditions, toUser, type UserRow } from './rows';

/** Users and their refresh tokens. */
export class SqliteUsers implements UsersRepository {
  constructor(
    private readonly c: SqliteContext,
    private readonly log: SqliteAudit,
  ) {}

  private get db() {
    return this.c.db;
  }

  async createUser(u: UserRecord): Promise<UserRecord | null> {
    return this.createUserSync(u);
  }

  private createUserSync(u: UserRecord): UserRecord | null {
    const info = this.db
      .prepare(
        `INSERT INTO users (id, username, name, role, scope, scope_province, scope_district, password_hash, disabled, failed_logins, locked_until, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(
        u.id,
        u.username,
        u.name,
        u.role,
        JSON.stringify(u.scope),
        u.scope.province ?? null,
        u.scope.district ?? null,
        u.passwordHash,
        u.disabled ? 1 : 0,
        u.failedLogins,
        u.lockedUntil,
        u.createdAt,
        u.updatedAt,
      );
    return info.changes ? { ...u } : null;
  }

  async userById(id: string): Promise<UserRecord | null> {
    return this.userByIdSync(id);
  }

  private userByIdSync(id: string): UserRecord | null {
    const row = this.db.prepare<[string], UserRow>(`SELECT * FROM users WHERE id = ?`).get(id);
    return row ? toUser(row) : null;
  }

  async userByName(username: string): Promise<UserRecord | null> {
    const row = this.db.prepare<[string], UserRow>(`SELECT * FROM users WHERE username = ?`).get(username);
    return row ? toUser(row) : null;
  }

  async users(filter: UserFilter, page: { after?: string; limit?: number } = {}): Promise<UserRecord[]> {
    const { parts, params, add } = conditions();
    if (filter.role !== undefined) add('role = ?', filter.role);
    if (filter.province !== undefined) add('scope_province = ?', filter.province);
    if (filter.district !== undefined) add('scope_district = ?', filter.district);
    if (page.after !== undefined) add('username > ?', page.after);
    return this.db
      .prepare<unknown[], UserRow>(`SELECT * FROM users WHERE ${parts.length ? parts.join(' AND ') : '1'} ORDER BY username LIMIT ?`)
      .all(...params, page.limit ?? 1000)
      .map(toUser);
  }

  async updateUser(id: string, patch: UserPatch): Promise<UserRecord | null> {
    return this.updateUserSync(id, patch);
  }

  private updateUserSync(id: string, patch: UserPatch): UserRecord | null {
    const columns: Record<keyof UserPatch, string> = {
      name: 'name',
      role: 'role',
      scope: 'scope',
      passwordHash: 'password_hash',
      disabled: 'disabled',
      failedLogins: 'failed_logins',
      lockedUntil: 'locked_until',
      updatedAt: 'updated_at',
    };
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [field, value] of Object.entries(patch) as [keyof UserPatch, unknown][]) {
      if (value === undefined) continue;
      sets.push(`${columns[field]} = ?`);
      params.push(field === 'scope' ? JSON.stringify(value) : field === 'disabled' ? (value ? 1 : 0) : value);
      if (field === 'scope') {
        const scope = value as UserRecord['scope'];
        sets.push('scope_province = ?', 'scope_district = ?');
        params.push(scope.province ?? null, scope.district ?? null);
      }
    }
    if (sets.length) this.db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
    return this.userByIdSync(id);
  }

  async countFailedLogin(id: string): Promise<number> {
    const row = this.db
      .prepare<[string], { failed_logins: number }>(`UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins`)
      .get(id);
    return row?.failed_logins ?? 0;
  }

  async putRefreshToken(t: RefreshTokenRecord): Promise<void> {
    this.db
      .prepare(`INSERT INTO refresh_tokens (hash, user_id, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?)`)
      .run(t.hash, t.userId, t.createdAt, t.expiresAt, t.revokedAt);
  }

  async refreshToken(hash: string): Promise<RefreshTokenRecord | null> {
    const row = this.db
      .prepare<[string], { hash: string; user_id: string; created_at: string; expires_at: string; revoked_at: string | null }>(
        `SELECT * FROM refresh_tokens WHERE hash = ?`,
      )
      .get(hash);
    return row ? { hash: row.hash, userId: row.user_id, createdAt: row.created_at, expiresAt: row.expires_at, revokedAt: row.revoked_at } : null;
  }

  async revokeRefreshToken(hash: string, at: string): Promise<boolean> {
    return this.db.prepare(`UPDATE refresh_tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL`).run(at, hash).changes === 1;
  }

  async revokeRefreshTokens(userId: string, at: string): Promise<number> {
    return this.db.prepare(`UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`).run(at, userId).changes;
  }

  async createUserAudited(user: UserRecord, audit: AuditOf<UserRecord>): Promise<UserRecord | null> {
    return this.log.audited(() => {
      const created = this.createUserSync(user);
      return created && { result: created, done: created };
    }, audit);
  }

  async updateUserAudited(
    id: string,
    patch: UserPatch,
    audit: AuditOf<Changed<UserRecord>>,
    opts: { revokeRefreshTokensAt?: string } = {},
  ): Promise<UserRecord | null> {
    return this.log.audited(() => {
      const before = this.userByIdSync(id);
      if (!before) return null;
      const after = this.updateUserSync(id, patch)!;
      if (opts.revokeRefreshTokensAt)
        this.db.prepare(`UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`).run(opts.revokeRefreshTokensAt, id);
      return { result: after, done: { before, after } };
    }, audit);
  }
}
