import { z } from 'zod';
import type { AuditEntry } from '../api/roles';
import type { Equal } from './answers';

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

/** One line of the audit log (`AuditEntry`): `before` and `after` are the changed record as it was, free JSON. */
export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ id: z.string(), username: z.string(), role: z.string() }).nullable(),
  action: z.string(),
  target: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
const _auditEntry: Equal<AuditEntry, z.infer<typeof auditEntrySchema>> = true;

/** `GET /api/audit`: newest first, a page. */
export const auditResponse = z.object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() });
