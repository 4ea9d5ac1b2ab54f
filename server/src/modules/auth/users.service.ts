import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { readCsv } from '../../infra/csv';
import { randomUUID } from 'node:crypto';
import {
  boxKey,
  parseBoxKey,
  roleById,
  scopeProblem,
  type BallotCode,
  type Principal,
  type ImportUserRow,
  type PrincipalScope,
  type UserView,
} from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ValidationFailed, issuesOf } from '../../infra/http';
import { AuditService, auditEntry } from '../audit/audit.service';
import { STORE, type UserPatch, type UserRecord, type UsersRepository } from '../store/store.port';
import { createUserBody, type CreateUserBody, type ScopeInput, type UpdateUserBody, type UsersQuery } from './auth.dto';
import { Clock } from '../../infra/clock';
import { generatePassword, hashPassword } from './password';
import { grantProblem } from './grants';
import { SessionService } from './session.service';
import { ForbiddenException } from '@nestjs/common';

export function toView(u: UserRecord): UserView {
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    role: u.role,
    scope: u.scope,
    disabled: u.disabled,
    lockedUntil: u.lockedUntil,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

/** What the audit log keeps of a user: never the hash. */
const audited = (u: UserRecord | null) =>
  u && { username: u.username, name: u.name, role: u.role, scope: u.scope, disabled: u.disabled, lockedUntil: u.lockedUntil };

@Injectable()
export class UsersService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: UsersRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly sessions: SessionService,
  ) {}

  /** A role's scope from the input: only what the role's level uses, box shorthands expanded to every followed ballot type. */
  scopeFor(roleId: string, input: ScopeInput): PrincipalScope {
    const level = roleById(roleId)!.level;
    const scope: PrincipalScope = { level };
    if (level === 'province' || level === 'district') scope.province = input.province;
    if (level === 'district') scope.district = input.district;
    if (level === 'building' || level === 'box') {
      const keys = new Set<string>();
      for (const b of input.boxes ?? []) {
        if (parseBoxKey(b)) keys.add(b);
        else {
          const [province, district, boxNo] = b.split(':').map(Number);
          for (const ballot of this.config.YSK_BALLOT_TYPES)
            keys.add(boxKey({ election: this.config.YSK_ELECTION_ID, ballot: ballot as BallotCode, province, district, boxNo }));
        }
      }
      scope.boxes = [...keys].sort();
      // boxes of one province (district) also name it: lists of a region's people find them
      const places = scope.boxes.map((k) => k.split(':').map(Number));
      if (places.length && places.every(([, , p]) => p === places[0]![2])) {
        scope.province = places[0]![2];
        if (places.every(([, , , d]) => d === places[0]![3])) scope.district = places[0]![3];
      }
    }
    const problem = scopeProblem(level, scope);
    if (problem) throw new ValidationFailed(`invalid scope: ${problem}`, { scope: problem });
    return scope;
  }

  /** Creates an account; answers it with the generated password when none was given. */
  async create(actor: Principal | null, body: CreateUserBody): Promise<{ user: UserView; password?: string }> {
    const scope = this.scopeFor(body.role, body.scope);
    const refused = grantProblem(actor, body.role, scope);
    if (refused) throw new ForbiddenException(refused);
    const password = body.password ?? generatePassword();
    const at = this.clock.iso();
    const user: UserRecord = {
      id: randomUUID(),
      username: body.username,
      name: body.name ?? body.username,
      role: body.role,
      scope,
      passwordHash: await hashPassword(password),
      disabled: false,
      failedLogins: 0,
      lockedUntil: null,
      createdAt: at,
      updatedAt: at,
    };
    // the account and its audit record in one transaction (issue 13, finding 15)
    const created = await this.store.createUserAudited(user, (u) => auditEntry(actor, 'user.create', `user:${u.username}`, null, audited(u)));
    if (!created) throw new ConflictException(`username ${body.username} is taken`);
    return { user: toView(user), ...(body.password ? {} : { password }) };
  }

  async list(q: UsersQuery): Promise<{ items: UserView[]; nextCursor: string | null }> {
    const limit = q.limit ?? 100;
    const rows = await this.store.users({ role: q.role, province: q.province, district: q.district }, { after: q.cursor, limit: limit + 1 });
    const items = rows.slice(0, limit).map(toView);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].username : null };
  }

  async get(id: string): Promise<UserView> {
    const user = await this.store.userById(id);
    if (!user) throw new NotFoundException(`no user ${id}`);
    return toView(user);
  }

  /** Changes a user; a new role, scope, password or a disabling ends their sessions (refresh tokens). */
  async update(actor: Principal, id: string, body: UpdateUserBody): Promise<UserView> {
    const before = await this.store.userById(id);
    if (!before) throw new NotFoundException(`no user ${id}`);
    // the account as it is must be within the actor's reach (no resetting a higher role's password)
    const reach = grantProblem(actor, before.role, before.scope);
    if (reach) throw new ForbiddenException(reach);
    const role = body.role ?? before.role;
    const at = this.clock.iso();
    const patch: UserPatch = { updatedAt: at };
    if (body.name !== undefined) patch.name = body.name;
    if (body.role !== undefined || body.scope !== undefined) {
      patch.role = role;
      patch.scope = this.scopeFor(role, body.scope ?? { province: before.scope.province, district: before.scope.district, boxes: before.scope.boxes });
    }
    if (patch.role || patch.scope) {
      const refused = grantProblem(actor, patch.role ?? before.role, patch.scope ?? before.scope);
      if (refused) throw new ForbiddenException(refused);
    }
    if (body.password !== undefined) patch.passwordHash = await hashPassword(body.password);
    if (body.disabled !== undefined) patch.disabled = body.disabled;
    if (body.unlock) Object.assign(patch, { failedLogins: 0, lockedUntil: null });
    if (actor.userId === id && (patch.disabled || (patch.role && patch.role !== before.role))) {
      throw new BadRequestException('you cannot disable yourself or change your own role');
    }
    const ends = !!(patch.role || patch.scope || patch.passwordHash || patch.disabled);
    // the change, its audit record and the end of the user's refresh tokens in one transaction (issue 13, finding 15)
    const after = await this.store.updateUserAudited(
      id,
      patch,
      (done) =>
        auditEntry(actor, 'user.update', `user:${done.before.username}`, audited(done.before), {
          ...audited(done.after),
          ...(patch.passwordHash ? { password: 'changed' } : {}),
        }),
      ends ? { revokeRefreshTokensAt: at } : {},
    );
    if (!after) throw new NotFoundException(`no user ${id}`);
    if (ends) await this.sessions.revoke(id);
    else if (patch.disabled === false) this.sessions.forget(id);
    return toView(after);
  }

  /**
   * Bulk import of the organisation's people. CSV header: username,role[,name,province,district,boxes,password];
   * `boxes` separated by spaces or semicolons. One report line per row; generated passwords appear only here.
   * `refuse` (the back office's team import) turns a row the caller may not grant into a report line.
   */
  async importCsv(
    actor: Principal,
    csv: string,
    refuse: (body: CreateUserBody) => { field: string; message: string } | null = () => null,
  ): Promise<{ rows: ImportUserRow[]; created: number; rejected: number }> {
    const records = readCsv(csv, ['username', 'role']);
    const rows: ImportUserRow[] = [];
    for (const [i, r] of records.entries()) {
      const row = i + 2;
      const parsed = createUserBody.safeParse({
        username: r.username,
        role: r.role,
        name: r.name || undefined,
        password: r.password || undefined,
        scope: {
          province: r.province || undefined,
          district: r.district || undefined,
          boxes: r.boxes ? r.boxes.split(/[\s;]+/).filter(Boolean) : undefined,
        },
      });
      if (!parsed.success) {
        rows.push({ row, ok: false, username: r.username, issues: issuesOf(parsed.error) });
        continue;
      }
      const refused = refuse(parsed.data);
      if (refused) {
        rows.push({ row, ok: false, username: parsed.data.username, issues: { [refused.field]: refused.message } });
        continue;
      }
      try {
        const { user, password } = await this.create(actor, parsed.data);
        rows.push({ row, ok: true, username: user.username, ...(password ? { password } : {}) });
      } catch (e) {
        if (e instanceof ValidationFailed) rows.push({ row, ok: false, username: parsed.data.username, issues: e.issues });
        else if (e instanceof ForbiddenException) rows.push({ row, ok: false, username: parsed.data.username, issues: { role: e.message } });
        else if (e instanceof ConflictException) rows.push({ row, ok: false, username: parsed.data.username, issues: { username: e.message } });
        else throw e;
      }
    }
    return { rows, created: rows.filter((r) => r.ok).length, rejected: rows.filter((r) => !r.ok).length };
  }
}
