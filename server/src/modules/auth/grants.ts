import { roleById, scopeAllowsBox, scopeAllowsRegion, type Principal, type PrincipalScope, type ScopeLevel, refOfKey } from '@gozcu/shared';

/** Scope levels from the widest (0) to the narrowest. */
const RANK: Record<ScopeLevel, number> = { country: 0, province: 1, district: 2, building: 3, box: 4, public: 5 };

/** True when every region or box of `inner` lies inside `outer`. */
export function scopeWithin(outer: PrincipalScope, inner: PrincipalScope): boolean {
  if (outer.level === 'country') return true;
  if (inner.level === 'country' || inner.level === 'public') return false;
  if (inner.level === 'province') return scopeAllowsRegion(outer, { province: inner.province }) && inner.province !== undefined;
  if (inner.level === 'district')
    return inner.province !== undefined && inner.district !== undefined && scopeAllowsRegion(outer, { province: inner.province, district: inner.district });
  return (inner.boxes ?? []).every((key) => {
    const { province, district } = refOfKey(key);
    return scopeAllowsBox(outer, { province, district, key });
  });
}

/**
 * Whether `actor` may give `role` with `scope` to someone (create, import, promote) or manage
 * an account that holds them (reset its password, disable it): only a role below the actor's
 * own level, or at the same level holding no permission the actor lacks; and only inside the
 * actor's own scope. Null when allowed, otherwise why not.
 */
export function grantProblem(actor: Pick<Principal, 'role' | 'scope' | 'permissions'> | null, roleId: string, scope: PrincipalScope): string | null {
  if (!actor) return null; // the seeding at first start
  const role = roleById(roleId);
  if (!role) return `unknown role ${roleId}`;
  const own = RANK[actor.scope.level];
  const theirs = RANK[role.level];
  const held: readonly string[] = roleById(actor.role)?.permissions ?? actor.permissions;
  const extra = role.permissions.filter((p) => !held.includes(p));
  if (theirs < own || (theirs === own && extra.length)) {
    return `your role (${actor.role}) cannot grant or manage ${roleId}: only roles below your level, or at your level without permissions you lack${extra.length ? ` (${extra.join(', ')})` : ''}`;
  }
  if (!scopeWithin(actor.scope, scope)) return `the scope is outside your own`;
  return null;
}
