import { z } from 'zod';
import { ballotCodeSchema } from '../domain/ballot';
import { placeIsValid, rumuzSchema } from '../domain/box';
import { plateSchema } from '../domain/geo';
import { sheetSchema } from '../domain/sheet';
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
