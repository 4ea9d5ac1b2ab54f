import { z } from 'zod';
import { ROLES } from '../api/roles';
import { parseBoxKey } from '../domain/box';
import { plateSchema } from '../domain/geo';

/**
 * Request schemas of /api/auth, /api/users and /api/embargo: the server's ZodPipes validate with
 * them, the OpenAPI document describes them. A new password's strength check (a common-password
 * list) is the server's: the bodies that set one are composed there (server/src/modules/auth/auth.dto.ts).
 */

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, 'username is 3–64 characters')
  .max(64, 'username is 3–64 characters')
  .regex(/^[a-z0-9._@-]+$/, 'username may hold a–z, 0–9 and . _ @ -');

export const loginBody = z.object({
  username: z.string().trim().toLowerCase().min(1, 'username is required').max(64),
  password: z.string().min(1, 'password is required').max(256),
});
export type LoginBody = z.infer<typeof loginBody>;

export const refreshBody = z.object({ refreshToken: z.string().min(20).max(200) });
export type RefreshBody = z.infer<typeof refreshBody>;

export const roleIdSchema = z.string().refine((r) => ROLES.some((x) => x.id === r), { message: `role must be one of ${ROLES.map((r) => r.id).join(', ')}` });

/**
 * A box is named by its full key (`election:ballot:province:district:boxNo`), or as
 * `province:district:boxNo`, meaning that box for every ballot type of the followed election.
 */
const boxRef = z.string().refine((s) => !!parseBoxKey(s) || /^\d{1,2}:\d{1,7}:\d{1,6}$/.test(s), {
  message: 'a box is election:ballot:province:district:boxNo or province:district:boxNo',
});

export const scopeInput = z.object({
  province: plateSchema.optional(),
  district: z.coerce.number().int().positive().optional(),
  boxes: z.array(boxRef).max(500).optional(),
});
export type ScopeInput = z.infer<typeof scopeInput>;

export const usersQuery = z.object({
  role: roleIdSchema.optional(),
  province: plateSchema.optional(),
  district: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(64).optional(),
});
export type UsersQuery = z.infer<typeof usersQuery>;

export const embargoBody = z.object({
  until: z.string().datetime({ offset: true, message: 'until is an ISO date-time, e.g. 2024-03-31T21:00:00+03:00' }).nullable(),
});
export type EmbargoBody = z.infer<typeof embargoBody>;
