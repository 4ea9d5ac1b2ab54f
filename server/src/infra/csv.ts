import { BadRequestException } from '@nestjs/common';
import { parse } from 'csv-parse/sync';

/** A CSV read once: its header line and its records by column name. */
export interface CsvTable {
  header: string[];
  records: Record<string, string>[];
}

/** Parses a CSV with a header line; a file that cannot be read is a 400 saying so. */
function parseCsv(csv: string): CsvTable {
  let header: string[] = [];
  try {
    const records = parse(csv, {
      columns: (line: string[]) => (header = line),
      skip_empty_lines: true,
      trim: true,
      bom: true,
    }) as Record<string, string>[];
    return { header, records };
  } catch (e) {
    throw new BadRequestException(`cannot read the CSV: ${(e as Error).message}`);
  }
}

const ofRequest = new WeakMap<object, CsvTable | BadRequestException>();

/**
 * A request's CSV body (a string: the caller checks), parsed once per request: a scope guard that
 * reads its rows and the handler share the parse. Throws the parse's 400 every time it is asked.
 */
export function csvOfRequest(req: { body: unknown }): CsvTable {
  let table = ofRequest.get(req);
  if (!table) {
    if (typeof req.body !== 'string') throw new TypeError('the request body is not a CSV text');
    try {
      table = parseCsv(req.body);
    } catch (e) {
      if (!(e instanceof BadRequestException)) throw e;
      table = e;
    }
    ofRequest.set(req, table);
  }
  if (table instanceof BadRequestException) throw table;
  return table;
}

/**
 * Reads an uploaded CSV (or one already parsed) with a header line into records; a file that
 * cannot be read, has no rows or lacks a required column is a 400 saying so.
 */
export function readCsv(csv: string | CsvTable, required: readonly string[]): Record<string, string>[] {
  const { header, records } = typeof csv === 'string' ? parseCsv(csv) : csv;
  if (!records.length) throw new BadRequestException('the CSV has no rows');
  // with columns a repeated header silently keeps the last column: refuse it instead
  const repeated = header.filter((h, i) => header.indexOf(h) !== i);
  if (repeated.length) throw new BadRequestException(`the CSV names the columns ${[...new Set(repeated)].join(', ')} more than once`);
  const missing = required.filter((f) => !(f in records[0]));
  if (missing.length) throw new BadRequestException(`the CSV lacks the columns ${missing.join(', ')}`);
  return records;
}
