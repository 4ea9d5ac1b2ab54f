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
  const missing = required.filter((f) => !(f in records[0]));
  if (missing.length) throw new BadRequestException(`the CSV lacks the columns ${missing.join(', ')}`);
  return records;
}
