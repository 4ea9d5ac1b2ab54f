import { z } from 'zod';
import type { StaleNotice } from '../api/citizen';
import type { AlteredBeforeSeen, BoxCounters, BoxDetail, BoxSummary, Coverage, Scope, VersionView } from '../api/contracts';
import { BOX_STATUSES } from '../domain/status';
import { ballotCodeSchema, ballotCodeValue } from '../domain/ballot';
import { BOX_KINDS, entrySourceSchema, type Entry, type SheetVersion } from '../domain/box';
import type { FieldChange, FieldName } from '../domain/diff';
import { plateSchema } from '../domain/geo';
import { sheetSchema } from '../domain/sheet';
import { embargoStateSchema } from './auth';
import type { Same } from './same';

/** Request schemas of /api/coverage and /api/boxes: the server's ZodPipes validate with them, the OpenAPI document describes them. */

const district = z.coerce.number().int().positive('district is a YSK district id (a positive whole number)');
const format = z.enum(['json', 'csv']).optional();

export const coverageQuery = z.object({
  province: plateSchema.optional(),
  district: district.optional(),
  ballot: ballotCodeSchema.optional(),
});
export type CoverageQuery = z.infer<typeof coverageQuery>;

export const BOX_SORTS = ['key', 'age', 'difference', 'altered'] as const;

export const boxesQuery = coverageQuery.extend({
  /** a status, or a flag: stale, altered, conflicting, unconfirmed (awaiting confirmation) */
  status: z.enum([...BOX_STATUSES, 'stale', 'altered', 'conflicting', 'unconfirmed'] as [string, ...string[]]).optional(),
  sort: z.enum(BOX_SORTS).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(500).optional(),
  format,
});
export type BoxesQuery = z.infer<typeof boxesQuery>;

export const formatQuery = z.object({ format });

/* Response schemas of /api/coverage, /api/boxes, /api/boxes/:key and /api/stale-notices (each with the caller's `embargo`). */

const scopeSchema = z.discriminatedUnion('level', [
  z.object({ level: z.literal('country') }),
  z.object({ level: z.literal('province'), province: z.number().int() }),
  z.object({ level: z.literal('district'), province: z.number().int(), district: z.number().int() }),
]);
const _scope: Same<Scope, z.infer<typeof scopeSchema>> = true;

const boxCountersSchema = z.object({
  total: z.number().int(),
  yskPublished: z.number().int(),
  entered: z.number().int(),
  match: z.number().int(),
  mismatch: z.number().int(),
  yskOnly: z.number().int(),
  orgOnly: z.number().int(),
  stale: z.number().int(),
  altered: z.number().int(),
  conflicting: z.number().int(),
  unconfirmed: z.number().int(),
});
const _boxCounters: Same<BoxCounters, z.infer<typeof boxCountersSchema>> = true;

const totals = z.record(z.string(), z.number());
export const coverageSchema = z.object({
  scope: scopeSchema,
  ballot: ballotCodeValue.nullable(),
  asOf: z.string(),
  boxes: boxCountersSchema,
  kinds: z.record(z.enum(BOX_KINDS), boxCountersSchema).optional(),
  votes: z.object({ ysk: totals, org: totals, both: z.object({ boxes: z.number().int(), ysk: totals, org: totals }).optional() }),
  registered: z.number(),
  voted: z.number(),
  valid: z.number(),
  invalid: z.number(),
});
const _coverage: Same<Coverage, z.infer<typeof coverageSchema>> = true;
/** `GET /api/coverage` */
export const coverageResponse = coverageSchema.extend({ embargo: embargoStateSchema });

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
  yskPublishedAt: z.string().nullable(),
  enteredAt: z.string().nullable(),
  ysk: sheetSchema.nullable(),
  org: sheetSchema.nullable(),
  differences: z.record(z.string(), z.number()),
  totalAbsDifference: z.number(),
  versions: z.number().int(),
  warnings: z.array(z.string()),
});
const _boxSummary: Same<BoxSummary, z.infer<typeof boxSummarySchema>> = true;
/** `GET /api/boxes` (JSON; CSV with `?format=csv`) */
export const boxesResponse = z.object({
  items: z.array(boxSummarySchema),
  nextCursor: z.string().nullable(),
  total: z.number().int(),
  embargo: embargoStateSchema,
});

const sheetVersionSchema = z.object({
  key: z.string(),
  seq: z.number().int(),
  hash: z.string(),
  sheet: sheetSchema,
  yskVersion: z.number().nullable(),
  yskChangedAt: z.string().nullable(),
  changeReason: z.number().nullable(),
  fetchedAt: z.string(),
});
const _sheetVersion: Same<SheetVersion, z.infer<typeof sheetVersionSchema>> = true;
const fieldChangeSchema = z.object({
  field: z.custom<FieldName>((f) => typeof f === 'string').meta({ type: 'string', description: 'a sheet figure, or votes.<party>' }),
  before: z.number().nullable(),
  after: z.number().nullable(),
});
const _fieldChange: Same<FieldChange, z.infer<typeof fieldChangeSchema>> = true;
const versionViewSchema = sheetVersionSchema.extend({
  diff: z.array(fieldChangeSchema),
  change: z.enum(['first', 'revised_before_seen', 'explained', 'unexplained']),
  reason: z.string().nullable(),
});
const _versionView: Same<VersionView, z.infer<typeof versionViewSchema>> = true;
const entrySchema = z.object({
  id: z.string(),
  key: z.string(),
  sheet: sheetSchema,
  hash: z.string(),
  observer: z.string(),
  source: entrySourceSchema,
  idempotencyKey: z.string(),
  createdAt: z.string(),
  warnings: z.array(z.string()),
});
const _entry: Same<Entry, z.infer<typeof entrySchema>> = true;
const alteredBeforeSeenSchema = z.object({
  message: z.string(),
  yskVersion: z.number().nullable(),
  firstVersionOfElection: z.number().nullable(),
  changeReason: z.number().nullable(),
  reason: z.string().nullable(),
});
const _alteredBeforeSeen: Same<AlteredBeforeSeen, z.infer<typeof alteredBeforeSeenSchema>> = true;
export const boxDetailSchema = z.object({
  summary: boxSummarySchema,
  versions: z.array(versionViewSchema),
  entries: z.array(entrySchema),
  alteredBeforeSeen: alteredBeforeSeenSchema.nullable(),
});
const _boxDetail: Same<BoxDetail, z.infer<typeof boxDetailSchema>> = true;
/** `GET /api/boxes/:key` */
export const boxDetailResponse = boxDetailSchema.extend({ embargo: embargoStateSchema });

const staleNoticeSchema = z.object({
  key: z.string(),
  ballot: ballotCodeValue,
  province: z.number().int(),
  district: z.number().int(),
  boxNo: z.number().int(),
  yskPublishedAt: z.string().nullable(),
  elapsedMinutes: z.number().nullable(),
  escalatedAt: z.string().nullable(),
});
const _staleNotice: Same<StaleNotice, z.infer<typeof staleNoticeSchema>> = true;
/** `GET /api/stale-notices` (JSON; CSV with `?format=csv`): the caller's stale boxes, oldest first. */
export const staleNoticesResponse = z.object({ items: z.array(staleNoticeSchema), asOf: z.string() });
