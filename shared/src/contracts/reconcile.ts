import { z } from 'zod';
import { BOX_STATUSES } from '../domain/status';
import { ballotCodeSchema } from '../domain/ballot';
import { plateSchema } from '../domain/geo';

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
