import { z } from 'zod';
import type { StaleNotice } from '../api/citizen';
import type { AlteredBeforeSeen, BoxCounters, BoxDetail, Coverage, Scope, VersionView } from '../api/contracts';
import { BOX_STATUSES } from '../domain/status';
import { ballotCodeSchema, ballotCodeValue } from '../domain/ballot';
import { BOX_KINDS, type SheetVersion } from '../domain/box';
import type { FieldChange, FieldName } from '../domain/diff';
import { plateSchema } from '../domain/geo';
import { sheetSchema } from '../domain/sheet';
import { embargoStateSchema } from './auth';
import type { Equal } from './answers';
import { boxSummarySchema, entrySchema } from './box-summary';

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
const _scope: Equal<Scope, z.infer<typeof scopeSchema>> = true;

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
const _boxCounters: Equal<BoxCounters, z.infer<typeof boxCountersSchema>> = true;

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
const _coverage: Equal<Coverage, z.infer<typeof coverageSchema>> = true;
/** `GET /api/coverage` */
export const coverageResponse = coverageSchema.extend({ embargo: embargoStateSchema });

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
const _sheetVersion: Equal<SheetVersion, z.infer<typeof sheetVersionSchema>> = true;
const fieldChangeSchema = z.object({
  field: z.custom<FieldName>((f) => typeof f === 'string').meta({ type: 'string', description: 'a sheet figure, or votes.<party>' }),
  before: z.number().nullable(),
  after: z.number().nullable(),
});
const _fieldChange: Equal<FieldChange, z.infer<typeof fieldChangeSchema>> = true;
const versionViewSchema = sheetVersionSchema.extend({
  diff: z.array(fieldChangeSchema),
  change: z.enum(['first', 'revised_before_seen', 'explained', 'unexplained']),
  reason: z.string().nullable(),
});
const _versionView: Equal<VersionView, z.infer<typeof versionViewSchema>> = true;
const alteredBeforeSeenSchema = z.object({
  message: z.string(),
  yskVersion: z.number().nullable(),
  firstVersionOfElection: z.number().nullable(),
  changeReason: z.number().nullable(),
  reason: z.string().nullable(),
});
const _alteredBeforeSeen: Equal<AlteredBeforeSeen, z.infer<typeof alteredBeforeSeenSchema>> = true;
export const boxDetailSchema = z.object({
  summary: boxSummarySchema,
  versions: z.array(versionViewSchema),
  entries: z.array(entrySchema),
  alteredBeforeSeen: alteredBeforeSeenSchema.nullable(),
});
const _boxDetail: Equal<BoxDetail, z.infer<typeof boxDetailSchema>> = true;
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
const _staleNotice: Equal<StaleNotice, z.infer<typeof staleNoticeSchema>> = true;
/** `GET /api/stale-notices` (JSON; CSV with `?format=csv`): the caller's stale boxes, oldest first. */
export const staleNoticesResponse = z.object({ items: z.array(staleNoticeSchema), asOf: z.string() });
