/** Scope levels of the organisation's roles (issue 7). */
export const SCOPE_LEVELS = ['country', 'province', 'district', 'building', 'box', 'public'] as const;
export type ScopeLevel = (typeof SCOPE_LEVELS)[number];

/** What a caller may see: everything (country), one province, one district, some boxes, or public pages only. */
export interface PrincipalScope {
  level: ScopeLevel;
  province?: number;
  district?: number;
  /** box keys for building/box scopes */
  boxes?: string[];
}

/** The authenticated caller, derived server-side from the access token. */
export interface Principal {
  userId: string;
  username: string;
  role: string;
  scope: PrincipalScope;
  permissions: string[];
  /** the session version the access token was issued in (server-side revocation) */
  session?: number;
}

/** True when a box (by its province, district and key) is inside the caller's scope. */
export function scopeAllowsBox(scope: PrincipalScope, box: { province: number; district: number; key: string }): boolean {
  switch (scope.level) {
    case 'country':
      return true;
    case 'province':
      return scope.province === box.province;
    case 'district':
      return scope.province === box.province && scope.district === box.district;
    case 'building':
    case 'box':
      return !!scope.boxes?.includes(box.key);
    case 'public':
      return false;
  }
}

/** True when a region (country, a province, or a district of a province) is inside the caller's scope. */
export function scopeAllowsRegion(scope: PrincipalScope, region: { province?: number; district?: number }): boolean {
  switch (scope.level) {
    case 'country':
      return true;
    case 'province':
      return region.province === scope.province;
    case 'district':
      return region.province === scope.province && region.district === scope.district;
    default:
      return false;
  }
}
