import { BOX_STATUSES, type BoxStatus, type BoxSummary } from '@gozcu/shared';

/** The district list's status filter: a status, a flag, or everything. */
export const BOX_FILTERS = ['all', ...BOX_STATUSES, 'stale', 'altered', 'conflicting', 'unconfirmed'] as const;
export type BoxFilter = (typeof BOX_FILTERS)[number];

/** The server's sorts (`GET /api/boxes?sort=`): box key (number order), YSK age, difference, latest YSK change. */
export const BOX_SORTS = ['key', 'age', 'difference', 'altered'] as const;
export type BoxSort = (typeof BOX_SORTS)[number];
/** Older names kept in shared URLs: `boxNo` is `key`, `changed` is `altered`. */
type LegacySort = 'boxNo' | 'changed';
const LEGACY_SORTS: Record<LegacySort, BoxSort> = { boxNo: 'key', changed: 'altered' };

/** A `?sort=` from a URL as the server's value (old names mapped), or null. */
export function parseBoxSort(s: unknown): BoxSort | null {
  if (isBoxSort(s)) return s;
  return typeof s === 'string' && s in LEGACY_SORTS ? LEGACY_SORTS[s as LegacySort] : null;
}

export function isBoxFilter(s: unknown): s is BoxFilter {
  return typeof s === 'string' && (BOX_FILTERS as readonly string[]).includes(s);
}
export function isBoxSort(s: unknown): s is BoxSort {
  return typeof s === 'string' && (BOX_SORTS as readonly string[]).includes(s);
}

/** The status part of a filter (flags are not statuses). */
export function apiStatus(f: BoxFilter): BoxStatus | null {
  return (BOX_STATUSES as readonly string[]).includes(f) ? (f as BoxStatus) : null;
}

/** The `?status=` the server takes: every status and flag (stale, altered, conflicting) is filtered server-side. */
export function serverStatus(f: BoxFilter): Exclude<BoxFilter, 'all'> | null {
  return f === 'all' ? null : f;
}

export function matchesFilter(b: BoxSummary, f: BoxFilter): boolean {
  switch (f) {
    case 'all':
      return true;
    case 'stale':
      return !!b.stale;
    case 'altered':
      return !!b.altered;
    case 'conflicting':
      return !!b.conflicting;
    case 'unconfirmed':
      return !!b.unconfirmed;
    default:
      return b.status === f;
  }
}

const time = (s: string | null | undefined) => (s ? Date.parse(s) || 0 : 0);

/** The server's order, for rows patched in live (and for tests): same keys as `GET /api/boxes?sort=`. */
export function compareBoxes(a: BoxSummary, b: BoxSummary, sort: BoxSort | LegacySort): number {
  switch (sort) {
    case 'age':
      return (b.yskAgeMs ?? -1) - (a.yskAgeMs ?? -1) || a.boxNo - b.boxNo;
    case 'difference':
      return (b.totalAbsDifference ?? 0) - (a.totalAbsDifference ?? 0) || a.boxNo - b.boxNo;
    case 'changed':
    case 'altered':
      return Math.max(time(b.yskPublishedAt), time(b.enteredAt)) - Math.max(time(a.yskPublishedAt), time(a.enteredAt)) || a.boxNo - b.boxNo;
    case 'boxNo':
    case 'key':
      return a.boxNo - b.boxNo;
  }
}

/** Filters and sorts a loaded page (the server may already have; this keeps the view honest). */
export function viewBoxes(items: readonly BoxSummary[], filter: BoxFilter, sort: BoxSort | LegacySort): BoxSummary[] {
  return items.filter((b) => matchesFilter(b, filter)).sort((a, b) => compareBoxes(a, b, sort));
}

/** Upserts changed boxes into a loaded list; new boxes are added only when they pass the filter. */
export function upsertBoxes(items: readonly BoxSummary[], changed: readonly BoxSummary[], scope: { district: number }, filter: BoxFilter): BoxSummary[] {
  const byKey = new Map(items.map((b, i) => [b.key, i]));
  const out = items.slice();
  let touched = false;
  for (const c of changed) {
    if (c.district !== scope.district) continue;
    const i = byKey.get(c.key);
    if (i != null) {
      out[i] = c;
      touched = true;
    } else if (matchesFilter(c, filter)) {
      byKey.set(c.key, out.length);
      out.push(c);
      touched = true;
    }
  }
  return touched ? out : (items as BoxSummary[]);
}

/** The largest single difference of a box, e.g. `{ id: 'CHP', diff: -12 }`. */
export function topDifference(b: Pick<BoxSummary, 'differences'>): { id: string; diff: number } | null {
  let best: { id: string; diff: number } | null = null;
  for (const [rawId, diff] of Object.entries(b.differences ?? {})) {
    if (typeof diff !== 'number' || diff === 0) continue;
    // the server keys party differences as `votes.<party>`
    const id = rawId.startsWith('votes.') ? rawId.slice(6) : rawId;
    if (!best || Math.abs(diff) > Math.abs(best.diff)) best = { id, diff };
  }
  return best;
}
