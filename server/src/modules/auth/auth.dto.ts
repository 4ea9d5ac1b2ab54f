import { z } from 'zod';
import { roleIdSchema, scopeInput, usernameSchema } from '@gozcu/shared';
import { passwordProblem } from './password';

/** Most request schemas of /api/auth, /api/users and /api/embargo live in @gozcu/shared (contracts/auth.ts); the bodies that set a password are composed here. */
export {
  embargoBody,
  loginBody,
  refreshBody,
  scopeInput,
  usersQuery,
  type EmbargoBody,
  type LoginBody,
  type RefreshBody,
  type ScopeInput,
  type UsersQuery,
} from '@gozcu/shared';

/** A new password: the strength check reads the common-password list, which only the server holds. */
const password = z
  .string()
  .max(256)
  .superRefine((pw, ctx) => {
    const problem = passwordProblem(pw);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const passwordBody = z.object({ current: z.string().min(1).max(256), next: password });
export type PasswordBody = z.infer<typeof passwordBody>;

export const createUserBody = z.object({
  username: usernameSchema,
  name: z.string().trim().min(1).max(200).optional(),
  /** when absent, one is generated and answered once */
  password: password.optional(),
  role: roleIdSchema,
  scope: scopeInput.default({}),
});
export type CreateUserBody = z.infer<typeof createUserBody>;

export const updateUserBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    password: password.optional(),
    role: roleIdSchema.optional(),
    scope: scopeInput.optional(),
    disabled: z.boolean().optional(),
    /** true clears a lockout */
    unlock: z.literal(true).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });
export type UpdateUserBody = z.infer<typeof updateUserBody>;
