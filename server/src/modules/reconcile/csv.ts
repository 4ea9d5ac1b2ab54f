import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import type { BoxSummary } from '@gozcu/shared';

/** One CSV row per box: the figures a district office puts in a spreadsheet. */
export function boxesCsv(items: BoxSummary[]): string {
  return stringify(
    items.map((b) => ({
      key: b.key,
      ballot: b.ballot,
      province: b.province,
      district: b.district,
      box: b.boxNo,
      status: b.status,
      stale: b.stale,
      altered: b.altered,
      conflicting: b.conflicting,
      unconfirmed: b.unconfirmed,
      ysk_age_minutes: b.yskAgeMs === null ? '' : Math.floor(b.yskAgeMs / 60_000),
      ysk_published_at: b.yskPublishedAt ?? '',
      entered_at: b.enteredAt ?? '',
      versions: b.versions,
      total_abs_difference: b.totalAbsDifference,
      differences: Object.entries(b.differences)
        .map(([k, v]) => `${k}:${v > 0 ? '+' : ''}${v}`)
        .join('; '),
      warnings: b.warnings.join('; '),
    })),
    { header: true, bom: true },
  );
}

/** Answers CSV when asked by `?format=csv` or `Accept: text/csv`. */
export function wantsCsv(format: string | undefined, accept: string | undefined): boolean {
  return format === 'csv' || (format === undefined && !!accept && /\btext\/csv\b/.test(accept));
}

export function sendCsv(res: Response, name: string, body: string): void {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
  res.send(body);
}
