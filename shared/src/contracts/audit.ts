import { z } from 'zod';

/** Request schemas of /api/audit: the server's ZodPipes validate with them, the OpenAPI document describes them. */

export const auditQuery = z.object({
  actor: z.string().trim().min(1).max(100).optional(),
  action: z.string().trim().min(1).max(100).optional(),
  target: z.string().trim().min(1).max(300).optional(),
  since: z.string().datetime({ offset: true, message: 'since is an ISO date-time' }).optional(),
  until: z.string().datetime({ offset: true, message: 'until is an ISO date-time' }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z
    .string()
    .regex(/^[0-9a-f]{1,24}$/, 'cursor is the nextCursor of the previous page')
    .optional(),
});
export type AuditQuery = z.infer<typeof auditQuery>;
