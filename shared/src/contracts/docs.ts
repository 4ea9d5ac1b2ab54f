import { z } from 'zod';

/**
 * `GET /api/openapi.json`: an OpenAPI 3.1 document. Its own schema is OpenAPI's; here only what
 * every reader relies on (the version, the info, the paths), the rest passes as it is.
 */
export const openApiDocument = z
  .object({
    openapi: z.string(),
    info: z.object({ title: z.string(), version: z.string() }).loose(),
    paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  })
  .loose();
