import { z } from 'zod';
import { ballotCodeSchema } from '../domain/ballot';
import { placeIsValid, rumuzSchema } from '../domain/box';
import { plateSchema } from '../domain/geo';
import { sheetSchema } from '../domain/sheet';
import { isoDateTime } from './answers';
import { ballotCodeValue } from '../domain/ballot';
import { boxSummarySchema, entrySchema } from './box-summary';
import { MAX_BOX_NO, MAX_DISTRICT_ID } from './limits';

/** Request schemas of /api/entries and /api/boxes/:key/confirm: the server's ZodPipes validate with them, the OpenAPI document describes them. */

export const entryRefSchema = z
  .object({
    election: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[^:]+$/, 'election id must not contain ":"')
      .optional(),
    ballot: ballotCodeSchema,
    province: plateSchema,
    district: z.coerce
      .number()
      .int()
      .positive('district is a YSK district id')
      .max(MAX_DISTRICT_ID, `district is a YSK district id (at most ${MAX_DISTRICT_ID})`),
    boxNo: z.coerce.number().int().positive('box number is a positive whole number').max(MAX_BOX_NO, `box number is at most ${MAX_BOX_NO}`),
    /** the letters of an abroad or customs box number (`sandik_RUMUZ`) */
    rumuz: rumuzSchema.optional(),
  })
  .superRefine(placeIsValid);

/** POST /api/entries: one box's sheet for one ballot type, as copied from the signed paper. */
export const entryBody = z.object({
  ref: entryRefSchema,
  sheet: sheetSchema,
  /** one per submission, made by the phone; a retry with the same key never doubles the entry */
  idempotencyKey: z.string().min(8, 'idempotency key must be 8–128 characters').max(128, 'idempotency key must be 8–128 characters'),
  /** who entered it: ignored from the body, the signed-in user is the observer */
  observer: z.string().trim().min(1, 'observer is required').max(100).optional(),
});
export type EntryBody = z.infer<typeof entryBody>;

export const confirmBody = z.object({
  entryId: z.string().min(1).max(64),
  /** ignored: the signed-in user confirms */
  by: z.string().trim().min(1).max(100).optional(),
});
export type ConfirmBody = z.infer<typeof confirmBody>;

/** GET /api/entries/my-boxes */
export const myBoxesQuery = z.object({
  province: plateSchema.optional(),
  district: z.coerce.number().int().positive('district is a YSK district id').optional(),
  ballot: ballotCodeSchema.optional(),
});
export type MyBoxesQuery = z.infer<typeof myBoxesQuery>;

/* Response schemas. */

/** `POST /api/entries` (201 new, 200 a retry) and `POST /api/boxes/:key/confirm`: the entry and its box as the caller may see it. */
export const entryResultResponse = z.object({ entry: entrySchema, duplicate: z.boolean(), box: boxSummarySchema.nullable() });
export type EntryResult = z.infer<typeof entryResultResponse>;

/** One row of an entries import: stored (`key`, `duplicate`, `warnings`) or turned down (`issues`). */
export const importRowSchema = z.object({
  row: z.number().int(),
  ok: z.boolean(),
  key: z.string().optional(),
  duplicate: z.boolean().optional(),
  warnings: z.array(z.string()).optional(),
  issues: z.record(z.string(), z.string()).optional(),
});
export type ImportRow = z.infer<typeof importRowSchema>;

/** `POST /api/entries/import` */
export const entriesImportResponse = z.object({
  rows: z.array(importRowSchema),
  stored: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
});
export type EntriesImportResult = z.infer<typeof entriesImportResponse>;

/** The caller's own latest entry of a box, in `GET /api/entries/my-boxes`. */
export const myEntrySchema = z.object({
  entryId: z.string(),
  createdAt: isoDateTime,
  sheet: sheetSchema,
  hash: z.string(),
  warnings: z.array(z.string()),
  /** sheet photos attached to this entry */
  photos: z.number().int(),
});

/** One box of the signed-in observer (`GET /api/entries/my-boxes`). */
export const myBoxSchema = z.object({
  key: z.string(),
  election: z.string(),
  ballot: ballotCodeValue,
  province: z.number().int(),
  district: z.number().int(),
  boxNo: z.number().int(),
  provinceName: z.string().nullable(),
  districtName: z.string().nullable(),
  neighbourhoodName: z.string().nullable(),
  /** the box as the caller may see it (YSK's side blinded under the embargo) */
  summary: boxSummarySchema,
  /** party/candidate names in ballot order (YSK's column map); empty until it is known */
  columns: z.array(z.string()),
  /** the caller's latest entry; a later one supersedes it (a correction) */
  mine: myEntrySchema.nullable(),
  /** observers (the caller included) whose latest entry has exactly the caller's figures */
  agreeing: z.number().int(),
  /**
   * the caller's entry against the box: `received` (stored, no YSK figure to compare yet or
   * YSK hidden by the embargo), `match` / `differs` (against YSK's latest figures); null
   * without an entry
   */
  verdict: z.enum(['received', 'match', 'differs']).nullable(),
});

/** `GET /api/entries/my-boxes` */
export const myBoxesResponse = z.object({
  /** ENTRY_CONFIRMATIONS: identical entries of different people that make the organisation's figure */
  confirmations: z.number().int(),
  /** false while YSK's embargo hides YSK's figures from the caller (every verdict is then `received`) */
  yskVisible: z.boolean(),
  items: z.array(myBoxSchema),
});
