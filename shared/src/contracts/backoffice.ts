import { z } from 'zod';
import { ROLES } from '../api/roles';
import { ballotCodeValue } from '../domain/ballot';
import { plateSchema } from '../domain/geo';

/** Request schemas of /api/team, /api/people/names, /api/petition-deadlines, /api/citizen/districts: the server's ZodPipes validate with them, the OpenAPI document describes them. */

export const teamQuery = z.object({
  role: z
    .string()
    .refine((r) => ROLES.some((x) => x.id === r), { message: 'unknown role' })
    .optional(),
  province: plateSchema.optional(),
  district: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(64).optional(),
});
export type TeamQuery = z.infer<typeof teamQuery>;

/** What a chair may change of an account below them: never its role or scope. */
export const teamPatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    password: z.string().min(10, 'password must be at least 10 characters').max(256).optional(),
    disabled: z.boolean().optional(),
    unlock: z.literal(true).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });
export type TeamPatch = z.infer<typeof teamPatch>;

export const namesQuery = z.object({
  /** usernames, comma-separated */
  u: z
    .string()
    .max(20_000)
    .transform((s) =>
      [
        ...new Set(
          s
            .split(',')
            .map((x) => x.trim().toLowerCase())
            .filter(Boolean),
        ),
      ].slice(0, 500),
    ),
});

export const deadlinesQuery = z.object({
  province: z.coerce.number().int().min(1).max(81).optional(),
  district: z.coerce.number().int().positive().optional(),
});
export type DeadlinesQuery = z.infer<typeof deadlinesQuery>;

/** GET /api/citizen/districts: a province's districts by name */
export const citizenDistrictsQuery = deadlinesQuery.pick({ province: true }).required();

/** Response schemas: `GET /api/election` (public) and `GET /api/people/names`. */
export const electionResponse = z.object({
  id: z.string(),
  name: z.string(),
  ballots: z.array(z.object({ code: ballotCodeValue, name: z.object({ tr: z.string(), en: z.string() }) })),
});
export const peopleNamesResponse = z.object({ names: z.record(z.string(), z.string()) });
