import { z } from 'zod';
import { plateSchema } from '../domain/geo';

/** Request schema of /api/districts: the server's ZodPipe validates with it, the OpenAPI document describes it. */
export const districtsQuery = z.object({ province: plateSchema.optional() });
export type DistrictsQuery = z.infer<typeof districtsQuery>;
