import { HttpException, HttpStatus, Inject, Injectable, Logger, UnauthorizedException, type OnApplicationBootstrap } from '@nestjs/common';
import { roleById, type LoginResponse, type Principal, type SessionUser } from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { AuditService, auditEntry } from '../audit/audit.service';
import { STORE, type UserRecord, type UsersRepository } from '../store/store.port';
import { Clock } from '../../infra/clock';
import { generatePassword, hashPassword, verifyPassword } from './password';
import { TokenService, hashRefreshToken } from './token.service';
import { createHash } from 'node:crypto';
import { REDIS, type RedisClient } from '../../infra/redis.module';
import { WindowCounters } from '../../infra/counters';
import { SessionService } from './session.service';

const WRONG = 'wrong username or password';

/** 429 with Retry-After: this address failed too often for this account. */
export class LoginBackoff extends HttpException {
  constructor(readonly resetMs: number) {
    const s = Math.max(1, Math.ceil(resetMs / 1000));
    super({ message: `too many failed sign-ins for this account from your address; try again in ${s} s`, retryAfterS: s }, HttpStatus.TOO_MANY_REQUESTS);
  }
}
export const ADMIN_USERNAME = 'admin';

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuthService.name);
  /** verified against when the username is unknown, so both answers take as long */
  private dummyHash: Promise<string> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: UsersRepository,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(REDIS) redis: RedisClient,
    private readonly sessions: SessionService,
  ) {
    this.failures = new WindowCounters(redis, 'LoginFailures');
  }
  private readonly failures: WindowCounters;

  /** Seeds the HQ administrator `admin` on the first start. */
  async onApplicationBootstrap(): Promise<void> {
    if (await this.store.userByName(ADMIN_USERNAME)) return;
    const given = this.config.GOZCU_ADMIN_PASSWORD;
    const password = given ?? generatePassword();
    const at = this.clock.iso();
    const admin: UserRecord = {
      id: `user-${ADMIN_USERNAME}`,
      username: ADMIN_USERNAME,
      name: 'HQ administrator',
      role: 'hq_admin',
      scope: { level: 'country' },
      passwordHash: await hashPassword(password),
      disabled: false,
      failedLogins: 0,
      lockedUntil: null,
      createdAt: at,
      updatedAt: at,
    };
    // the account and its audit record in one transaction (issue 13, finding 15); null: another node seeded it first
    if (
      !(await this.store.createUserAudited(admin, () =>
        auditEntry(null, 'user.create', `user:${ADMIN_USERNAME}`, null, { username: ADMIN_USERNAME, role: 'hq_admin', scope: admin.scope, seeded: true }),
      ))
    )
      return;
    if (!given) {
      // printed once, at the first start, for the operator to sign in and change it
      process.stdout.write(
        `\n==============================================================\n` +
          ` Gözcü: created the HQ administrator account\n` +
          `   username: ${ADMIN_USERNAME}\n   password: ${password}\n` +
          ` It is shown only this once. Sign in and change it (PUT /api/auth/password),\n` +
          ` or set GOZCU_ADMIN_PASSWORD before the first start.\n` +
          `==============================================================\n\n`,
      );
    }
    this.logger.log(`seeded the HQ administrator "${ADMIN_USERNAME}"`);
  }

  /**
   * Signs in. Failed attempts are counted per client address and account: past
   * LOGIN_MAX_FAILURES in LOGIN_LOCKOUT_MINUTES that address is held off that account (429 with
   * Retry-After) while the account stays open to everyone else, so a stranger cannot lock anyone
   * out. Unknown usernames count and answer exactly like wrong passwords.
   */
  async login(username: string, password: string, client = 'unknown'): Promise<LoginResponse> {
    const key = `gozcu:login-failures:${this.config.YSK_ELECTION_ID}:${createHash('sha256').update(`${client}\n${username}`).digest('hex').slice(0, 32)}`;
    const windowMs = this.config.LOGIN_LOCKOUT_MINUTES * 60_000;
    const held = await this.failures.hit(key, windowMs, 0);
    if (held.hits >= this.config.LOGIN_MAX_FAILURES) throw new LoginBackoff(held.resetMs);
    const user = await this.store.userByName(username);
    const ok = user
      ? await verifyPassword(user.passwordHash, password)
      : await verifyPassword(await (this.dummyHash ??= hashPassword(generatePassword())), password).then(() => false);
    if (!user || !ok) {
      const after = await this.failures.hit(key, windowMs);
      if (user && after.hits === this.config.LOGIN_MAX_FAILURES) {
        await this.audit.record(null, 'user.login_backoff', `user:${user.username}`, null, {
          failures: after.hits,
          client,
          until: new Date(this.clock.now() + after.resetMs).toISOString(),
        });
      }
      throw new UnauthorizedException(WRONG);
    }
    if (user.disabled) throw new UnauthorizedException('this account is disabled');
    await this.failures.reset(key);
    if (user.failedLogins || user.lockedUntil) await this.store.updateUser(user.id, { failedLogins: 0, lockedUntil: null });
    return this.issue(user);
  }

  /** Trades a refresh token for a new pair; a token is good once, and a reused one ends every session of its user. */
  async refresh(token: string): Promise<LoginResponse> {
    const hash = hashRefreshToken(token);
    const held = await this.store.refreshToken(hash);
    const at = this.clock.iso();
    if (!held) throw new UnauthorizedException('unknown refresh token');
    if (held.revokedAt || !(await this.store.revokeRefreshToken(hash, at))) {
      await this.store.revokeRefreshTokens(held.userId, at);
      await this.sessions.revoke(held.userId);
      this.logger.warn(`a used refresh token of user ${held.userId} came back: every session of the user is ended`);
      throw new UnauthorizedException('this refresh token was already used; sign in again');
    }
    if (Date.parse(held.expiresAt) <= this.clock.now()) throw new UnauthorizedException('the refresh token has expired; sign in again');
    const user = await this.store.userById(held.userId);
    if (!user || user.disabled) throw new UnauthorizedException('this account is disabled');
    return this.issue(user);
  }

  /** Ends one session (its refresh token). Unknown tokens are ignored. */
  async logout(token: string): Promise<void> {
    await this.store.revokeRefreshToken(hashRefreshToken(token), this.clock.iso());
  }

  async me(principal: Principal): Promise<SessionUser> {
    const user = await this.store.userById(principal.userId);
    if (!user || user.disabled) throw new UnauthorizedException('this account is disabled');
    return this.sessionUser(user);
  }

  async changePassword(principal: Principal, current: string, next: string): Promise<void> {
    const user = await this.store.userById(principal.userId);
    if (!user || !(await verifyPassword(user.passwordHash, current))) throw new UnauthorizedException('the current password is wrong');
    const at = this.clock.iso();
    // the new password, its audit record and the end of the refresh tokens in one transaction (issue 13, finding 15)
    await this.store.updateUserAudited(
      user.id,
      { passwordHash: await hashPassword(next), updatedAt: at },
      () => auditEntry(principal, 'user.password', `user:${user.username}`, null, { password: 'changed' }),
      { revokeRefreshTokensAt: at },
    );
    await this.sessions.revoke(user.id);
  }

  private sessionUser(user: UserRecord): SessionUser {
    const role = roleById(user.role);
    return {
      id: user.id,
      username: user.username,
      name: user.name,
      role: user.role,
      roleName: role?.name ?? { tr: user.role, en: user.role },
      scope: user.scope,
      permissions: this.tokens.permissionsOf(user.role),
    };
  }

  private async issue(user: UserRecord): Promise<LoginResponse> {
    const access = this.tokens.signAccessToken({ ...user, session: await this.sessions.current(user.id) });
    const refresh = this.tokens.newRefreshToken();
    const now = this.clock.now();
    await this.store.putRefreshToken({
      hash: refresh.hash,
      userId: user.id,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.config.REFRESH_TOKEN_TTL_HOURS * 3_600_000).toISOString(),
      revokedAt: null,
    });
    return { accessToken: access.token, refreshToken: refresh.token, expiresIn: access.expiresIn, user: this.sessionUser(user) };
  }
}
