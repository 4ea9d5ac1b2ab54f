import type { Column } from '../domain/sheet';
import type { YskColumnRow } from './schemas';
import { VOTE_COLUMN } from './schemas';

/** `sira_NO` of the column-map entry that stands for the independents' total. */
export const BAGIMSIZ_TOPLAM_SIRA = 999;
export const BAGIMSIZ_TOPLAM_COLUMN = 'bagimsiz_TOPLAM_OY';
/** `sira_NO` 0: withdrawn applicants, all sharing one column; never counted. */
export const WITHDRAWN_SIRA = 0;

/** The fields of a `getSandikSecimSonucBaslikList` row that the map is built from. */
export type ColumnMapEntry = Pick<YskColumnRow, 'sira_NO' | 'ad' | 'column_NAME'>;

export class YskColumnMapError extends Error {
  override readonly name = 'YskColumnMapError';
}

const INDIVIDUAL_BAGIMSIZ = /^bagimsiz\d+_ALDIGI_OY$/;

/**
 * `getSandikSecimSonucBaslikList` rows → the ballot's columns, in ballot order.
 * - `sira_NO` 0 entries (withdrawn applicants) are dropped.
 * - `sira_NO` 999 is the independents' total (`bagimsiz_TOPLAM_OY`); it is kept only when the
 *   map lists no individual independents, so independents are never counted twice.
 * - `partiN`, `bagimsizN`, `ittifakN` columns are taken as they come; the column index says
 *   nothing about the party, only `ad` does.
 * - A column that is not a vote column, or two entries on one column, throws: such a map
 *   would misplace votes.
 * - Two entries with the same name get their position appended (`AD (12)`) so neither is lost.
 */
export function parseColumnMap(rows: readonly ColumnMapEntry[]): Column[] {
  const columns: Column[] = [];
  const seenColumns = new Set<string>();
  let total: Column | null = null;
  for (const row of rows) {
    if (row.sira_NO === WITHDRAWN_SIRA) continue;
    const name = row.ad.trim();
    if (!name) throw new YskColumnMapError(`column map entry ${row.sira_NO} has no name`);
    if (row.sira_NO === BAGIMSIZ_TOPLAM_SIRA) {
      total = { position: BAGIMSIZ_TOPLAM_SIRA, name, column: BAGIMSIZ_TOPLAM_COLUMN };
      continue;
    }
    const column = row.column_NAME.trim();
    if (!VOTE_COLUMN.test(column) || column === BAGIMSIZ_TOPLAM_COLUMN) {
      throw new YskColumnMapError(`column map entry ${row.sira_NO} (${name}) points at "${column}", not a vote column`);
    }
    if (seenColumns.has(column)) throw new YskColumnMapError(`column map lists "${column}" twice`);
    seenColumns.add(column);
    columns.push({ position: row.sira_NO, name, column });
  }
  if (total && !columns.some((c) => INDIVIDUAL_BAGIMSIZ.test(c.column))) columns.push(total);
  columns.sort((a, b) => a.position - b.position);
  const names = new Map<string, number>();
  for (const c of columns) names.set(c.name, (names.get(c.name) ?? 0) + 1);
  return columns.map((c) => ((names.get(c.name) ?? 0) > 1 ? { ...c, name: `${c.name} (${c.position})` } : c));
}

/**
 * Vote columns of a row that carry votes but are not in the column map: the sign of a stale
 * map that silently misses a party (YSK-API.md). Columns the map accounts for through the
 * independents' total (or individual independents through it) are not reported.
 */
export function unmappedVoteColumns(row: Readonly<Record<string, unknown>>, columns: readonly Column[]): string[] {
  const mapped = new Set(columns.map((c) => c.column));
  const hasTotal = mapped.has(BAGIMSIZ_TOPLAM_COLUMN);
  const hasIndividuals = columns.some((c) => INDIVIDUAL_BAGIMSIZ.test(c.column));
  const out: string[] = [];
  for (const [key, value] of Object.entries(row)) {
    if (!VOTE_COLUMN.test(key) || mapped.has(key) || typeof value !== 'number' || value <= 0) continue;
    if (key === BAGIMSIZ_TOPLAM_COLUMN && hasIndividuals) continue;
    if (INDIVIDUAL_BAGIMSIZ.test(key) && hasTotal) continue;
    out.push(key);
  }
  return out;
}
