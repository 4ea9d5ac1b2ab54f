import { z } from 'zod';
import type { FeedHealthState } from '../api/live';
import { BALLOT_CODES, ballotCodeValue } from '../domain/ballot';
import type { Equal } from './answers';

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

/* Response schemas of /api/feed (the controls) and /healthz. */

/** An operator's request to fetch a province again from scratch. */
export const resweepSchema = z.object({
  id: z.string(),
  province: z.number().int(),
  /** null: every ballot type */
  ballot: ballotCodeValue.nullable(),
  at: z.string(),
  by: z.string().nullable(),
});
export type Resweep = z.infer<typeof resweepSchema>;

/** The controls as everyone with `feed:read` sees them: `GET /api/feed/controls`, and the answer of each change. */
export const feedControlsView = z.object({
  paused: z.boolean(),
  pausedBy: z.string().nullable(),
  pausedAt: z.string().nullable(),
  reason: z.string().nullable(),
  pollIntervalMs: z.number(),
  maxRps: z.number(),
  lastResweep: resweepSchema.nullable(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
export type FeedControlsView = z.infer<typeof feedControlsView>;

/** `POST /api/feed/resweep` (202): the resweep queued, and the controls with it. */
export const feedResweepResponse = z.object({ accepted: z.literal(true), resweep: resweepSchema, controls: feedControlsView });

export const feedHealthStateSchema = z.enum(['healthy', 'slow', 'failing', 'paused']);
const _feedHealthState: Equal<FeedHealthState, z.infer<typeof feedHealthStateSchema>> = true;

/** The feed's state in `/healthz`: what decided it, the worst lag, and where it was read from. */
export const feedStatusSchema = z.object({
  enabled: z.boolean(),
  overall: feedHealthStateSchema,
  rule: z.string(),
  cause: z.string(),
  maxLagSeconds: z.number().nullable(),
  source: z.enum(['local', 'redis', 'store', 'none']),
});
export type FeedStatus = z.infer<typeof feedStatusSchema>;

/** `GET /healthz`: 200 `ok` or `degraded` (the feed stalled), 503 `unavailable` naming what failed. */
export const healthzResponse = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), store: z.string(), redis: z.literal('ok'), feed: feedStatusSchema.optional() }),
  z.object({ status: z.literal('degraded'), store: z.string(), redis: z.literal('ok'), feed: feedStatusSchema }),
  z.object({ status: z.literal('unavailable'), failures: z.array(z.string()), feed: feedStatusSchema.optional() }),
]);
export type Healthz = z.infer<typeof healthzResponse>;
