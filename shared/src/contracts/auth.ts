import { z } from 'zod';
import { SCOPE_LEVELS, type PrincipalScope } from '../api/auth';
import { ROLES, type EmbargoState, type LoginResponse, type SessionUser, type UserView } from '../api/roles';
import type { Equal } from './answers';
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

/* Response schemas of /api/auth, /api/embargo, /api/users and /api/team (the same user shapes). */

const scopeSchema = z.object({
  level: z.enum(SCOPE_LEVELS),
  province: z.number().int().optional(),
  district: z.number().int().optional(),
  boxes: z.array(z.string()).optional(),
});
const _scope: Equal<PrincipalScope, z.infer<typeof scopeSchema>> = true;

/** A user as the API shows it (`UserView`: never the password hash). */
export const userViewSchema = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  role: z.string(),
  scope: scopeSchema,
  disabled: z.boolean(),
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const _userView: Equal<UserView, z.infer<typeof userViewSchema>> = true;

/** `GET /api/auth/me`, and `user` in the login answer (`SessionUser`). */
export const sessionUserSchema = userViewSchema.pick({ id: true, username: true, name: true, role: true, scope: true }).extend({
  permissions: z.array(z.string()),
  roleName: z.object({ tr: z.string(), en: z.string() }),
});
const _sessionUser: Equal<SessionUser, z.infer<typeof sessionUserSchema>> = true;

/** `POST /api/auth/login` and `POST /api/auth/refresh` */
export const loginResponse = z.object({ accessToken: z.string(), refreshToken: z.string(), expiresIn: z.number(), user: sessionUserSchema });
const _loginResponse: Equal<LoginResponse, z.infer<typeof loginResponse>> = true;

/** `GET` and `PUT /api/embargo`, and `embargo` in result responses (`EmbargoState`). */
export const embargoStateSchema = z.object({ election: z.string(), until: z.string().nullable(), active: z.boolean(), yskVisible: z.boolean() });
const _embargoState: Equal<EmbargoState, z.infer<typeof embargoStateSchema>> = true;

/** `GET /api/users` and `GET /api/team`: a page of users. */
export const usersResponse = z.object({ items: z.array(userViewSchema), nextCursor: z.string().nullable() });
/** `POST /api/users` and `POST /api/team`: the user, and its generated password once. */
export const createUserResponse = z.object({ user: userViewSchema, password: z.string().optional() });

/** One row of a user CSV import's report. */
export const importUserRowSchema = z.object({
  row: z.number().int(),
  ok: z.boolean(),
  username: z.string().optional(),
  /** a generated password, shown only here */
  password: z.string().optional(),
  issues: z.record(z.string(), z.string()).optional(),
});
export type ImportUserRow = z.infer<typeof importUserRowSchema>;
/** `POST /api/users/import` and `POST /api/team/import` */
export const importUsersResponse = z.object({ rows: z.array(importUserRowSchema), created: z.number().int(), rejected: z.number().int() });
