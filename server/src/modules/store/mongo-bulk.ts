import type { mongo } from 'mongoose';

/**
 * How many update statements one bulk command carries. MongoDB takes 100,000 a batch. FerretDB
 * v1.24 on SQLite keeps every statement's read open until its command ends, out of one pool of
 * 100 connections per database that every client shares: two commands of 50 statements from two
 * nodes starved it for good (nothing answered again; the scale-out rehearsal hung at boot). On
 * FerretDB a command carries a handful, so a dozen nodes' commands at once still fit.
 */
export const UPDATE_STATEMENTS = { mongodb: 1000, ferretdb: 5 } as const;

/** The statements per update command for the server behind `db` (FerretDB says so in buildInfo). */
export async function updateStatementsFor(db: mongo.Db): Promise<number> {
  const info = await db.admin().command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string' ? UPDATE_STATEMENTS.ferretdb : UPDATE_STATEMENTS.mongodb;
}

export const isDuplicate = (e: unknown) => (e as { code?: number })?.code === 11000;

/** Where an ordered bulk insert stopped on a duplicate key; null for any other error. */
export function duplicateIndex(e: unknown): number | null {
  type WriteError = { code?: number; index?: number; err?: { code?: number; index?: number } };
  const errors = (e as { writeErrors?: WriteError[] | WriteError })?.writeErrors;
  const list: WriteError[] = Array.isArray(errors) ? errors : errors ? [errors] : [];
  const first = list.map((w) => ({ code: w.code ?? w.err?.code, index: w.index ?? w.err?.index })).sort((a, b) => (a.index ?? 0) - (b.index ?? 0))[0];
  if (first && first.code === 11000 && typeof first.index === 'number') return first.index;
  return null;
}

interface BulkTarget<Op> {
  bulkWrite(ops: Op[], options: { ordered: boolean }): Promise<{ matchedCount: number; upsertedCount: number }>;
}

/**
 * A bulk write in commands of `chunk` statements. Upserts are idempotent: two nodes upserting the
 * same new document race on its unique `_id` and one gets a duplicate-key error (FerretDB and
 * MongoDB alike); that chunk is written again, when the document exists and the upsert is a
 * plain update.
 */
export async function bulkWriteChunked<Op>(target: BulkTarget<Op>, ops: Op[], chunk: number, ordered = false): Promise<{ matched: number; upserted: number }> {
  let matched = 0;
  let upserted = 0;
  for (let i = 0; i < ops.length; i += chunk) {
    const part = ops.slice(i, i + chunk);
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await target.bulkWrite(part, { ordered });
        matched += res.matchedCount;
        upserted += res.upsertedCount;
        break;
      } catch (e) {
        if (attempt >= 5 || !(isDuplicate(e) || duplicateIndex(e) !== null)) throw e;
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
      }
    }
  }
  return { matched, upserted };
}
