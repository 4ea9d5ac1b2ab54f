import type { RegionCounters } from '@gozcu/shared';
import { PLATES, provinceName } from './provinces';
import { isRatioMetric, metricValue, type MapMetric } from './status';

export interface MapRow {
  plate: number;
  name: string;
  value: number | null;
  total: number;
}

/** The 81 provinces' values for a metric, from the country room's regions (keyed by plate). */
export function mapRows(regions: RegionCounters | null | undefined, metric: MapMetric): MapRow[] {
  return PLATES.map((plate) => {
    const c = regions?.[String(plate)] ?? regions?.[String(plate).padStart(2, '0')];
    return { plate, name: provinceName(plate), value: metricValue(c, metric), total: c?.total ?? 0 };
  });
}

/** The colour scale's domain: 0..1 for coverages, 0..max (at least 1) for counts. */
export function metricDomain(rows: readonly MapRow[], metric: MapMetric): { min: number; max: number } {
  if (isRatioMetric(metric)) return { min: 0, max: 1 };
  const max = rows.reduce((m, r) => (r.value != null && r.value > m ? r.value : m), 0);
  return { min: 0, max: Math.max(1, max) };
}
