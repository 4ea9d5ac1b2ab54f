import { z } from 'zod';
import { ROLES, parseBoxKey, plateSchema } from '@gozcu/shared';
import { passwordProblem } from './password';

const username = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, 'username is 3–64 characters')
  .max(64, 'username is 3–64 characters')
  .regex(/^[a-z0-9._@-]+$/, 'username may hold a–z, 0–9 and . _ @ -');
const password = z
  .string()
  .max(256)
  .superRefine((pw, ctx) => {
    const problem = passwordProblem(pw);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const loginBody = z.object({
  username: z.string().trim().toLowerCase().min(1, 'username is required').max(64),
  password: z.string().min(1, 'password is required').max(256),
});
export type LoginBody = z.infer<typeof loginBody>;

export const refreshBody = z.object({ refreshToken: z.string().min(20).max(200) });
export type RefreshBody = z.infer<typeof refreshBody>;

export const passwordBody = z.object({ current: z.string().min(1).max(256), next: password });
export type PasswordBody = z.infer<typeof passwordBody>;

const roleId = z.string().refine((r) => ROLES.some((x) => x.id === r), { message: `role must be one of ${ROLES.map((r) => r.id).join(', ')}` });

/**
 * A box is named by its full key (`election:ballot:province:district:boxNo`), or as
 * `province:district:boxNo`, meaning that box for every ballot type of the followed election.
 */
const boxRef = z.string().refine((s) => !!parseBoxKey(s) || /^\d{1,2}:\d{1,7}:\d{1,6}$/.test(s), { message: 'a box is election:ballot:province:district:boxNo or province:district:boxNo' });

export const scopeInput = z.object({
  province: plateSchema.optional(),
  district: z.coerce.number().int().positive().optional(),
  boxes: z.array(boxRef).max(500).optional(),
});
export type ScopeInput = z.infer<typeof scopeInput>;

export const createUserBody = z.object({
  username,
  name: z.string().trim().min(1).max(200).optional(),
  /** when absent, one is generated and answered once */
  password: password.optional(),
  role: roleId,
  scope: scopeInput.default({}),
});
export type CreateUserBody = z.infer<typeof createUserBody>;

export const updateUserBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    password: password.optional(),
    role: roleId.optional(),
    scope: scopeInput.optional(),
    disabled: z.boolean().optional(),
    /** true clears a lockout */
    unlock: z.literal(true).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });
export type UpdateUserBody = z.infer<typeof updateUserBody>;

export const usersQuery = z.object({
  role: roleId.optional(),
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
