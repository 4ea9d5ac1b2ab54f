import { Inject, Injectable } from '@nestjs/common';
import { LEVEL_RANK, parseBoxKey, roleById, type ImportUserRow, type Principal, type PrincipalScope, type UserView } from '@gozcu/shared';
import { CodedError } from '../../infra/http';
import { type CreateUserBody, type ScopeInput } from '../auth/auth.dto';
import { toView, UsersService } from '../auth/users.service';
import { STORE, type UserRecord, type UsersRepository } from '../store/store.port';
import type { TeamPatch, TeamQuery } from './backoffice.dto';

/**
 * Delegation (issue 12): a provincial or district chair (`users:delegate`) manages the
 * accounts below their own level inside their own scope — never a role at or above their own,
 * never outside their province or district. Creation itself is UsersService's (audited there).
 */
@Injectable()
export class TeamService {
  constructor(
    @Inject(STORE) private readonly store: UsersRepository,
    private readonly users: UsersService,
  ) {}

  /** Why `actor` may not grant `roleId` with `scope`, or null when they may. */
  refusal(actor: Principal, roleId: string, scope: ScopeInput | PrincipalScope): { code: string; field: string; message: string } | null {
    const role = roleById(roleId);
    if (!role) return { code: 'delegation.role', field: 'role', message: `no role ${roleId}` };
    if (role.level === 'public' || LEVEL_RANK[role.level] <= LEVEL_RANK[actor.scope.level]) {
      return { code: 'delegation.level', field: 'role', message: `your role (${actor.role}) can create only roles below its own level, not ${roleId}` };
    }
    const a = actor.scope;
    const inside = (p: number | undefined, d: number | undefined) =>
      (a.level === 'country' || p === a.province) && (a.level !== 'district' || d === a.district);
    if (role.level === 'province' || role.level === 'district') {
      if (!inside(scope.province, role.level === 'district' ? scope.district : a.district)) {
        return { code: 'delegation.scope', field: 'scope', message: 'the account must be inside your own province or district' };
      }
    } else {
      for (const b of scope.boxes ?? []) {
        const ref = parseBoxKey(b);
        const [p, d] = ref ? [ref.province, ref.district] : b.split(':').map(Number);
        if (!inside(p, d)) return { code: 'delegation.scope', field: 'scope.boxes', message: `box ${b} is outside your own province or district` };
      }
    }
    return null;
  }

  private assertMay(actor: Principal, roleId: string, scope: ScopeInput | PrincipalScope): void {
    const r = this.refusal(actor, roleId, scope);
    if (r) throw new CodedError(403, r.code, r.message, { role: roleId });
  }

  /** The accounts below the caller in their scope, by username. */
  async list(actor: Principal, q: TeamQuery): Promise<{ items: UserView[]; nextCursor: string | null }> {
    const limit = q.limit ?? 200;
    const province = actor.scope.level === 'country' ? q.province : actor.scope.province;
    const district = actor.scope.level === 'district' ? actor.scope.district : q.district;
    const items: UserView[] = [];
    let after = q.cursor;
    // the store pages by username; accounts at or above the caller are skipped (bounded: at most 20 pages)
    for (let pages = 0; pages < 20 && items.length < limit; pages++) {
      const rows = await this.store.users({ role: q.role, province, district }, { after, limit: 500 });
      for (const u of rows) if (this.manages(actor, u) && items.length < limit) items.push(toView(u));
      if (rows.length < 500) return { items, nextCursor: null };
      after = rows[rows.length - 1]!.username;
    }
    return { items, nextCursor: items.length ? items[items.length - 1]!.username : null };
  }

  async create(actor: Principal, body: CreateUserBody): Promise<{ user: UserView; password?: string }> {
    this.assertMay(actor, body.role, body.scope);
    return this.users.create(actor, body);
  }

  /** Name, password, disabling, unlocking of an account the caller manages. */
  async update(actor: Principal, id: string, patch: TeamPatch): Promise<UserView> {
    const target = await this.store.userById(id);
    if (!target || !this.manages(actor, target)) throw new CodedError(404, 'user.not_found', `no user ${id} among the accounts you manage`);
    return this.users.update(actor, id, patch);
  }

  /** CSV like `POST /api/users/import`; a row the caller may not grant is refused in the report. */
  async importCsv(actor: Principal, csv: string): Promise<{ rows: ImportUserRow[]; created: number; rejected: number }> {
    return this.users.importCsv(actor, csv, (body) => this.refusal(actor, body.role, body.scope));
  }

  /** True when `u` is below the caller's level and inside their scope. */
  private manages(actor: Principal, u: UserRecord): boolean {
    if (u.id === actor.userId) return false;
    const role = roleById(u.role);
    if (!role || role.level === 'public' || LEVEL_RANK[role.level] <= LEVEL_RANK[actor.scope.level]) return false;
    return this.refusal(actor, u.role, u.scope) === null;
  }
}
