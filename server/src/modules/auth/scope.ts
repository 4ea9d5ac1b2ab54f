import { boxKey, scopeAllowsBox, type BallotCode, type PrincipalScope, refOfKey } from '@gozcu/shared';
import type { AppConfig } from '../../infra/config';
import { csvOfRequest } from '../../infra/csv';
import type { AuthedRequest } from './auth.decorators';

/** Something a request touches: a region (country, a province, a district) or one box. */
export type ScopeTarget = { region: { province?: number; district?: number } } | { box: { province: number; district: number; key: string } };

/** Reads the targets of a request before its handler runs; unreadable values are left to the validation pipe (400). */
export type ScopeExtractor = (req: AuthedRequest, config: AppConfig) => ScopeTarget[];

const num = (v: unknown): number | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
};

/** True when the target is inside the scope. A region query is allowed to name less than the scope (it is narrowed later). */
export function scopeAllows(scope: PrincipalScope, target: ScopeTarget): boolean {
  if ('box' in target) return scopeAllowsBox(scope, target.box);
  const { province, district } = target.region;
  switch (scope.level) {
    case 'country':
      return true;
    case 'province':
      return province === undefined || province === scope.province;
    case 'district':
      return (province === undefined || province === scope.province) && (district === undefined || district === scope.district);
    case 'building':
    case 'box':
      // box-level callers list their own boxes; a region filter may only name the region of one of them
      return (scope.boxes ?? []).some((key) => {
        const box = refOfKey(key);
        return (province === undefined || province === box.province) && (district === undefined || district === box.district);
      });
    case 'public':
      return false;
  }
}

/** `?province=&district=` of coverage and box lists. */
export const regionOfQuery: ScopeExtractor = (req) => [{ region: { province: num(req.query.province), district: num(req.query.district) } }];

/** A box key in a route parameter (`/api/boxes/:key`). */
export const boxOfParam =
  (name = 'key'): ScopeExtractor =>
  (req) => {
    const key = req.params[name] ?? '';
    const [, , p, d] = key.split(':');
    const province = num(p);
    const district = num(d);
    // an unreadable key is a 404 for the handler, but never data: an impossible box is outside every box scope
    return [{ box: { province: province ?? -1, district: district ?? -1, key } }];
  };

function boxOfRef(ref: unknown, config: AppConfig, fallbackBallot?: unknown): ScopeTarget | null {
  if (!ref || typeof ref !== 'object') return null;
  const r = ref as Record<string, unknown>;
  const province = num(r.province);
  const district = num(r.district);
  const boxNo = num(r.boxNo);
  const ballot = num(r.ballot ?? fallbackBallot);
  if (province === undefined || district === undefined || boxNo === undefined || ballot === undefined) return null;
  const election = typeof r.election === 'string' && r.election ? r.election : config.YSK_ELECTION_ID;
  return { box: { province, district, key: boxKey({ election, ballot: ballot as BallotCode, province, district, boxNo }) } };
}

/** The box of an entry body (`{ ref: { ballot, province, district, boxNo } }`). */
export const boxOfEntryBody: ScopeExtractor = (req, config) => {
  const target = boxOfRef((req.body as { ref?: unknown } | undefined)?.ref, config);
  return target ? [target] : [];
};

/** Every row's box of an entries CSV (the parse the handler reads too); rows that do not parse are reported by the import itself. */
export const boxesOfEntriesCsv: ScopeExtractor = (req, config) => {
  if (typeof req.body !== 'string') return [];
  let rows: Record<string, string>[];
  try {
    rows = csvOfRequest(req).records;
  } catch {
    return [];
  }
  return rows.map((r) => boxOfRef(r, config)).filter((t): t is ScopeTarget => t !== null);
};

/** The region a view is computed for: the query, narrowed to the caller's scope when it names less. */
export function narrowRegion<Q extends { province?: number; district?: number }>(scope: PrincipalScope, q: Q): Q {
  switch (scope.level) {
    case 'province':
      return { ...q, province: scope.province };
    case 'district':
      return { ...q, province: scope.province, district: scope.district };
    default:
      return q;
  }
}

/** The box keys a box-level caller may see, or null for region-level callers. */
export function boxesOfScope(scope: PrincipalScope): string[] | null {
  return scope.level === 'building' || scope.level === 'box' ? [...(scope.boxes ?? [])] : null;
}

/** The filters of a box list that a box-level caller's own boxes are run through. */
export interface OwnBoxesQuery {
  ballot?: number;
  province?: number;
  district?: number;
  status?: string;
}

/** A box-level caller's list: their own boxes only, filtered like the region list, by key. */
export function ownBoxesPage<
  S extends {
    key: string;
    ballot: number;
    province: number;
    district: number;
    status: string;
    stale: boolean;
    altered: boolean;
    conflicting: boolean;
    unconfirmed: boolean;
  },
>(keys: readonly string[], summaryOf: (key: string) => S | null, q: OwnBoxesQuery): { items: S[]; nextCursor: null; total: number } {
  const items = [...keys]
    .sort()
    .map(summaryOf)
    .filter((s): s is S => s !== null)
    .filter(
      (s) =>
        (q.ballot === undefined || s.ballot === q.ballot) &&
        (q.province === undefined || s.province === q.province) &&
        (q.district === undefined || s.district === q.district),
    )
    .filter((s) => {
      if (q.status === undefined) return true;
      if (q.status === 'stale' || q.status === 'altered' || q.status === 'conflicting' || q.status === 'unconfirmed') return s[q.status];
      return s.status === q.status;
    });
  return { items, nextCursor: null, total: items.length };
}
