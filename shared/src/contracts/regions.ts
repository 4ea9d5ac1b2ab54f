import { z } from 'zod';
import { districtSchema, plateSchema, provinceSchema } from '../domain/geo';

/** Request schema of /api/districts: the server's ZodPipe validates with it, the OpenAPI document describes it. */
export const districtsQuery = z.object({ province: plateSchema.optional() });
export type DistrictsQuery = z.infer<typeof districtsQuery>;

/** Response schemas: `GET /api/provinces` and `GET /api/districts`, by plate and by name. */
export const provincesResponse = z.object({ items: z.array(provinceSchema) });
export const districtsResponse = z.object({ items: z.array(districtSchema) });
