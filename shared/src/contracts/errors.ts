import { z } from 'zod';
import type { ApiError } from '../api/contracts';

/** Every error the API answers (`ApiError`), as a schema: documented in the OpenAPI document and parseable by clients. */
export const apiErrorSchema = z.object({
  statusCode: z.number().int().min(400).max(599),
  error: z.string(),
  message: z.string(),
  /** field path → what is wrong, for validation errors */
  issues: z.record(z.string(), z.string()).optional(),
  /** a stable code the dashboard words in the user's language (`validation`, `forbidden.scope`, `not_found`, …) */
  code: z.string().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

// the schema and the interface describe the same thing: each is assignable to the other
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameAsApiError: Equal<z.infer<typeof apiErrorSchema>, ApiError> = true;
void sameAsApiError;
