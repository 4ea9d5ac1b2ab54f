import { z } from 'zod';
import { BALLOT_CODES } from '../domain/ballot';

/** Request schemas of /api/feed (the operator's controls): the server's ZodPipes validate with them, the OpenAPI document describes them. */

/** POST /api/feed/pause */
export const feedPauseBody = z.object({ reason: z.string().trim().max(300).optional() }).strict();

/** PUT /api/feed/settings */
export const feedSettingsBody = z
  .object({
    /** ms between two sweeps of a province */
    pollIntervalMs: z.number().int().min(200).max(3_600_000).optional(),
    /** requests per second toward YSK, all workers together */
    maxRps: z.number().positive().max(10_000).optional(),
  })
  .strict()
  .refine((b) => b.pollIntervalMs !== undefined || b.maxRps !== undefined, { message: 'send pollIntervalMs and/or maxRps' });

/** POST /api/feed/resweep */
export const feedResweepBody = z
  .object({
    province: z.number().int().min(1).max(81),
    ballot: z
      .number()
      .int()
      .refine((n) => (BALLOT_CODES as number[]).includes(n), { message: `ballot must be one of ${BALLOT_CODES.join(', ')}` })
      .optional(),
  })
  .strict();
