import { BadRequestException } from '@nestjs/common';
import { parse } from 'csv-parse/sync';

/**
 * Reads an uploaded CSV with a header line into records; a file that cannot be read, has no
 * rows or lacks a required column is a 400 saying so.
 */
export function readCsv(csv: string, required: readonly string[]): Record<string, string>[] {
  let records: Record<string, string>[];
  try {
    records = parse(csv, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (e) {
    throw new BadRequestException(`cannot read the CSV: ${(e as Error).message}`);
  }
  if (!records.length) throw new BadRequestException('the CSV has no rows');
  // with columns: true a repeated header silently keeps the last column: refuse it instead
  const header = (parse(csv, { to_line: 1, trim: true, bom: true }) as string[][])[0] ?? [];
  const repeated = header.filter((h, i) => header.indexOf(h) !== i);
  if (repeated.length) throw new BadRequestException(`the CSV names the columns ${[...new Set(repeated)].join(', ')} more than once`);
  const missing = required.filter((f) => !(f in records[0]));
  if (missing.length) throw new BadRequestException(`the CSV lacks the columns ${missing.join(', ')}`);
  return records;
}
