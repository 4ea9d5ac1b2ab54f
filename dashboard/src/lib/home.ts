/**
 * Role homes (issue 12): where each user lands, and which views their role may open — from the
 * role's permissions and scope level (the role table is data: no branch on a role's id).
 */
import type { SessionUser } from '@gozcu/shared';
import { formatHash, type Route } from './router';

type User = Pick<SessionUser, 'permissions' | 'scope'> | null | undefined;

const has = (u: User, p: string) => !!u?.permissions?.includes(p);

/** The observer's own boxes (built by the observer screen): `#/sandiklarim`. */
export const MY_BOXES_HASH = '#/sandiklarim';

/** The user's home as a hash (`#/il/69`, `#/hukuk`, …). */
export function homeHash(u: User): string {
  const scope = u?.scope;
  if (!u || !scope) return '#/';
  if (scope.level === 'public') return formatHash({ view: 'citizen' }, null);
  if (scope.level === 'box' || scope.level === 'building') return MY_BOXES_HASH;
  // a desk role lands on its desk; an administrator (who holds every permission) on the wall
  const administrator = has(u, 'users:admin') && has(u, 'boxes:read');
  if (!administrator && has(u, 'petitions:write')) return formatHash({ view: 'legal' }, null);
  if (!administrator && has(u, 'feed:admin') && has(u, 'feed:read')) return formatHash({ view: 'operator' }, null);
  if (!has(u, 'boxes:read') && has(u, 'users:admin')) return formatHash({ view: 'users' }, null);
  const own = scopeRoute(u);
  if (own?.view === 'district') return formatHash(own, null, { il: scope.province ? String(scope.province) : null });
  return formatHash(own ?? { view: 'country' }, null);
}

/** The region view of the user's scope: the country, their province, their district. */
export function scopeRoute(u: User): Route | null {
  const scope = u?.scope;
  if (!scope || !has(u, 'coverage:read')) return null;
  if (scope.level === 'country') return { view: 'country' };
  if (scope.level === 'province' && scope.province) return { view: 'province', province: scope.province };
  if (scope.level === 'district' && scope.district) return { view: 'district', district: scope.district };
  return null;
}

/** True when the role may open the view (and its region is inside the scope). */
export function mayOpen(u: User, route: Route): boolean {
  const scope = u?.scope;
  if (!u || !scope) return false;
  switch (route.view) {
    case 'country':
      return scope.level === 'country' && has(u, 'coverage:read');
    case 'province':
      return has(u, 'coverage:read') && (scope.level === 'country' || (scope.level === 'province' && scope.province === route.province));
    case 'district':
      // a provincial user's district is checked by the server's room (its province is not in the route)
      return (
        has(u, 'coverage:read') &&
        (scope.level === 'country' || scope.level === 'province' || (scope.level === 'district' && scope.district === route.district))
      );
    case 'box':
      return has(u, 'boxes:read');
    case 'operator':
      return has(u, 'feed:read');
    case 'legal':
      return has(u, 'complaints:read') || has(u, 'petitions:read');
    case 'users':
      return has(u, 'users:admin') || has(u, 'users:delegate');
    case 'audit':
      return has(u, 'audit:read');
    case 'embargo':
      return has(u, 'embargo:admin');
    case 'register':
      return has(u, 'complaints:read');
    case 'myBoxes':
    case 'entry':
      return has(u, 'entries:write');
    case 'citizen':
    case 'notFound':
      return true;
  }
}

/** The header's links: what this role may open, home first. */
export interface NavItem {
  key: 'home' | 'warRoom' | 'operator' | 'legal' | 'users' | 'audit' | 'embargo' | 'myBoxes' | 'register';
  href: string;
  view: Route['view'] | 'myBoxes';
}

export function navItems(u: User, href: (r: Route) => string): NavItem[] {
  const items: NavItem[] = [];
  const home = scopeRoute(u);
  if (home) items.push({ key: home.view === 'country' ? 'warRoom' : 'home', href: href(home), view: home.view });
  if (u?.scope && (u.scope.level === 'box' || u.scope.level === 'building' || u.scope.level === 'district') && has(u, 'entries:write'))
    items.push({ key: 'myBoxes', href: MY_BOXES_HASH, view: 'myBoxes' });
  const more: [NavItem['key'], Route][] = [
    ['legal', { view: 'legal' }],
    ['operator', { view: 'operator' }],
    ['users', { view: 'users' }],
    ['audit', { view: 'audit' }],
    ['embargo', { view: 'embargo' }],
    ['register', { view: 'register' }],
  ];
  for (const [key, route] of more) if (mayOpen(u, route)) items.push({ key, href: href(route), view: route.view });
  return items;
}
