import type { Column, NormaliseContext, RejectedResultRow, YskObservation, YskResultRow } from '@gozcu/shared';
import { normaliseResultRows } from '@gozcu/shared';
import type { YskRowsEvent } from './ysk.client';
import { YskFetchError } from './ysk.errors';

export type ReportIncident = (kind: string, scope: string, cause: string, details: Record<string, unknown>, raw: string | null) => Promise<void>;

const MAX_REMEMBERED = 10_000;
const RAW_LIMIT = 64 * 1024;

/**
 * Rows YSK sent that could not become data, and metadata that came in an unexpected type: each
 * recorded once as a closed incident (`row_rejected`, `metadata`), with the raw rows, so a bad
 * row polled every few seconds does not flood the incident log. The rest of the payload is data.
 */
export class RowProblems {
  private readonly seen = new Set<string>();
  constructor(private readonly report: ReportIncident) {}

  /** First time this problem is seen? (bounded memory: forgets everything past MAX_REMEMBERED) */
  private first(fingerprint: string): boolean {
    if (this.seen.has(fingerprint)) return false;
    if (this.seen.size >= MAX_REMEMBERED) this.seen.clear();
    this.seen.add(fingerprint);
    return true;
  }

  /** Schema-level problems of one answer (the client's `onRows`). */
  async answer(e: YskRowsEvent): Promise<void> {
    const scope = e.url.slice(e.url.lastIndexOf('/') + 1);
    // a bad row is reported once, whatever list or box-number range it came in (the aggregate
    // watch fetches the same box in several shapes); the same row with other values is new
    const fresh = e.rejected.filter((r) => this.first(`rej|${e.endpoint}|${r.issues.join('|')}|${JSON.stringify(r.raw)}`));
    if (fresh.length) {
      const issues = [...new Set(fresh.flatMap((r) => r.issues))];
      await this.report(
        'row_rejected',
        e.endpoint,
        `${fresh.length} row(s) of ${e.endpoint} rejected, the others kept: ${issues.slice(0, 3).join('; ')}`,
        { query: scope, rows: fresh.slice(0, 50).map((r) => ({ index: r.index, issues: r.issues })) },
        JSON.stringify(fresh.map((r) => r.raw)).slice(0, RAW_LIMIT),
      );
    }
    for (const n of e.notes) {
      if (!this.first(`meta|${e.endpoint}|${n.field}|${n.got}`)) continue;
      await this.report(
        'metadata',
        e.endpoint,
        `${e.endpoint}: ${n.field} came as ${n.got} in ${n.rows} row(s) (e.g. ${JSON.stringify(n.example)}); coerced, rows kept`,
        { field: n.field, got: n.got, rows: n.rows, example: n.example, query: scope },
        null,
      );
    }
  }

  /** Box rows that passed the schema but cannot be placed or read (normalisation). */
  async boxRows(scope: string, rejected: readonly RejectedResultRow[], notes: readonly string[]): Promise<void> {
    const fresh = rejected.filter((r) => this.first(`box|${r.message}|${JSON.stringify(r.row)}`));
    if (fresh.length) {
      const codes = [...new Set(fresh.map((r) => r.code))];
      await this.report(
        'row_rejected',
        'getSecimSandikSonucList',
        `${scope}: ${fresh.length} box row(s) rejected (${codes.join(', ')}), the others kept: ${fresh[0]!.message}`,
        { scope, rows: fresh.slice(0, 50).map((r) => ({ index: r.index, code: r.code, message: r.message })) },
        JSON.stringify(fresh.map((r) => r.row)).slice(0, RAW_LIMIT),
      );
    }
    if (notes.length && this.first(`notes|${scope}|${notes[0]}`)) {
      await this.report(
        'metadata',
        'getSecimSandikSonucList',
        `${scope}: ${notes.length} metadata value(s) unreadable, read as null: ${notes[0]}`,
        { scope, notes: notes.slice(0, 50) },
        null,
      );
    }
  }
}

/**
 * The observations of a `getSecimSandikSonucList` answer. A row that cannot be read is
 * reported and left out; when no box row can be read at all the answer is a `schema` failure
 * (the feed changed shape), with the raw rows.
 */
export async function readBoxRows(
  rows: readonly YskResultRow[],
  columns: readonly Column[],
  ctx: NormaliseContext,
  scope: string,
  problems: RowProblems,
): Promise<YskObservation[]> {
  const out = normaliseResultRows(rows, columns, ctx);
  if (out.observations.length === 0 && out.rejected.length > 0) {
    const issues = [...new Set(out.rejected.map((r) => r.message))].slice(0, 20);
    throw new YskFetchError('schema', 'getSecimSandikSonucList', `${scope}: no box row can be read: ${issues[0]}`, {
      url: '',
      status: 200,
      retryAfterMs: null,
      body: JSON.stringify(rows).slice(0, RAW_LIMIT),
      latencyMs: 0,
      issues,
    });
  }
  await problems.boxRows(scope, out.rejected, out.notes);
  return out.observations;
}
