import { z } from 'zod';
import type { BoxSummary } from '../api/contracts';
import { BOX_KINDS, entrySourceSchema, type Entry } from '../domain/box';
import { sheetSchema } from '../domain/sheet';
import { BOX_STATUSES } from '../domain/status';
import { isoDateTime, type Assert, type Equal } from './answers';
import { ballotCodeValue } from '../domain/ballot';

/** Response schemas of a box's row (`BoxSummary`) and of an observer entry, as the routes answer them. */

export const boxSummarySchema = z.object({
  key: z.string(),
  election: z.string(),
  ballot: ballotCodeValue,
  province: z.number().int(),
  district: z.number().int(),
  boxNo: z.number().int(),
  rumuz: z.string().optional(),
  kind: z.enum(BOX_KINDS).optional(),
  status: z.enum(BOX_STATUSES),
  altered: z.boolean(),
  alteredBeforeSeen: z.boolean().optional(),
  conflicting: z.boolean(),
  unconfirmed: z.boolean(),
  stale: z.boolean(),
  yskAgeMs: z.number().nullable(),
  yskPublishedAt: isoDateTime.nullable(),
  enteredAt: isoDateTime.nullable(),
  ysk: sheetSchema.nullable(),
  org: sheetSchema.nullable(),
  differences: z.record(z.string(), z.number()),
  totalAbsDifference: z.number(),
  versions: z.number().int(),
  warnings: z.array(z.string()),
});

export const entrySchema = z.object({
  id: z.string(),
  key: z.string(),
  sheet: sheetSchema,
  hash: z.string(),
  observer: z.string(),
  source: entrySourceSchema,
  idempotencyKey: z.string(),
  createdAt: isoDateTime,
  warnings: z.array(z.string()),
});

// the hand-written types stay (every module reads them); the schemas must say the same
export type BoxSummaryMatches = Assert<Equal<BoxSummary, z.infer<typeof boxSummarySchema>>>;
export type EntryMatches = Assert<Equal<Entry, z.infer<typeof entrySchema>>>;
