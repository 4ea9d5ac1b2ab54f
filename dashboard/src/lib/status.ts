import type { BoxCounters, BoxStatus, BoxSummary } from '@gozcu/shared';
import type { MessageKey } from './i18n';
import { THEME } from './palette';
import { ratio } from './format';

/** A status or flag as the screens show it: never colour alone, always an icon and a word. */
export interface StatusMeta {
  icon: string;
  label: MessageKey;
  color: string;
}

export type BoxFlag = 'altered' | 'stale' | 'conflicting' | 'unconfirmed';

export const STATUS_META: Record<BoxStatus, StatusMeta> = {
  awaiting: { icon: '○', label: 'status.awaiting', color: THEME.noData },
  ysk_only: { icon: '◷', label: 'status.ysk_only', color: THEME.stale },
  org_only: { icon: '◐', label: 'status.org_only', color: THEME.noData },
  match: { icon: '✓', label: 'status.match', color: THEME.match },
  mismatch: { icon: '≠', label: 'status.mismatch', color: THEME.mismatch },
};

export const FLAG_META: Record<BoxFlag, StatusMeta> = {
  altered: { icon: '✎', label: 'flag.altered', color: THEME.altered },
  stale: { icon: '⚠', label: 'flag.stale', color: THEME.stale },
  conflicting: { icon: '⚡', label: 'flag.conflicting', color: THEME.conflicting },
  /** entries, but not yet ENTRY_CONFIRMATIONS identical ones nor a confirmation (issue 12) */
  unconfirmed: { icon: '◔', label: 'flag.unconfirmed', color: THEME.stale },
};

export function statusMeta(status: string): StatusMeta {
  return (STATUS_META as Record<string, StatusMeta>)[status] ?? STATUS_META.awaiting;
}

export function flagsOf(box: Pick<BoxSummary, 'altered' | 'stale' | 'conflicting'> & { unconfirmed?: boolean }): BoxFlag[] {
  const out: BoxFlag[] = [];
  if (box.stale) out.push('stale');
  if (box.altered) out.push('altered');
  if (box.conflicting) out.push('conflicting');
  if (box.unconfirmed) out.push('unconfirmed');
  return out;
}

/** The map's selectable metrics. */
export const MAP_METRICS = ['yskCoverage', 'orgCoverage', 'mismatch', 'pending'] as const;
export type MapMetric = (typeof MAP_METRICS)[number];

export function isMapMetric(s: unknown): s is MapMetric {
  return typeof s === 'string' && (MAP_METRICS as readonly string[]).includes(s);
}

/** A region's value for a metric: a ratio 0..1 for coverages, a count otherwise; null = no data. */
export function metricValue(c: BoxCounters | undefined | null, metric: MapMetric): number | null {
  if (!c || !(c.total > 0)) return null;
  switch (metric) {
    case 'yskCoverage':
      return ratio(c.yskPublished, c.total);
    case 'orgCoverage':
      return ratio(c.entered, c.total);
    case 'mismatch':
      return c.mismatch ?? 0;
    case 'pending':
      return c.yskOnly ?? 0;
  }
}

export function isRatioMetric(metric: MapMetric): boolean {
  return metric === 'yskCoverage' || metric === 'orgCoverage';
}

/** Zeroed counters (for empty states). */
export function emptyCounters(): BoxCounters {
  return { total: 0, yskPublished: 0, entered: 0, match: 0, mismatch: 0, yskOnly: 0, orgOnly: 0, stale: 0, altered: 0, conflicting: 0, unconfirmed: 0 };
}

/** Sums counters (e.g. a province's districts when the room sent no coverage). */
export function sumCounters(list: readonly BoxCounters[]): BoxCounters {
  const out = emptyCounters();
  for (const c of list) for (const k of Object.keys(out) as Array<keyof BoxCounters>) out[k] += c[k] ?? 0;
  return out;
}
