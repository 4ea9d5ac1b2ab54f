import { z } from 'zod';
import type { FeedHealthState } from '../api/live';
import { BALLOT_CODES, ballotCodeValue } from '../domain/ballot';
import { isoDateTime, type Equal } from './answers';

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

/* `GET /api/feed/health`: the feed's figures (a worker's own, or the newest worker snapshot judged again on an API-only node). */

/** How a YSK call failed. */
export const feedFailureClassSchema = z.enum(['timeout', 'connect', 'http_4xx', 'http_429', 'http_5xx', 'parse', 'schema']);
export type FeedFailureClass = z.infer<typeof feedFailureClassSchema>;

/** Latency percentiles (ms), error rate, failures by class and bytes of the calls in one window. */
export const feedLatencyStatsSchema = z.object({
  count: z.number().int(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  errorRate: z.number(),
  errors: z.partialRecord(feedFailureClassSchema, z.number().int()),
  bytes: z.number(),
});
export type FeedLatencyStats = z.infer<typeof feedLatencyStatsSchema>;

/** One YSK endpoint: its state, its last success, its figures over 1, 5 and 15 minutes. */
export const feedEndpointHealthSchema = z.object({
  state: feedHealthStateSchema,
  lastSuccessAt: isoDateTime.nullable(),
  '1m': feedLatencyStatsSchema,
  '5m': feedLatencyStatsSchema,
  '15m': feedLatencyStatsSchema,
});

/** Per (province, ballot type): now − when its oldest district was last known current. */
export const feedProvinceLagSchema = z.object({
  province: z.number().int(),
  ballot: ballotCodeValue,
  /** seconds */
  lagSeconds: z.number(),
  /** districts whose aggregate moved past what is stored */
  due: z.number().int(),
  districts: z.number().int(),
  oldestVerifiedAt: isoDateTime,
});
export type FeedProvinceLag = z.infer<typeof feedProvinceLagSchema>;

/** Requests and bytes spent, and changes found (the politeness figures). */
export const feedTotalsSchema = z.object({
  requests: z.number().int(),
  bytes: z.number(),
  notModified: z.number().int(),
  /** YSK-derived: withheld during the embargo from callers who may not see YSK yet */
  changes: z.number().int().optional(),
  /** YSK-derived: withheld during the embargo from callers who may not see YSK yet */
  versions: z.number().int().optional(),
  sweeps: z.number().int(),
  districtsDue: z.number().int(),
  districtsSwept: z.number().int(),
  aggregateCalls: z.number().int(),
  boxListCalls: z.number().int(),
  probeCalls: z.number().int(),
  refreshes: z.number().int(),
  wholeLists: z.number().int(),
  quietChecks: z.number().int(),
  settled: z.number().int(),
});
export type FeedTotals = z.infer<typeof feedTotalsSchema>;

/** A feed incident as stored; `raw` (YSK's payload) and `details` are withheld from callers who may not see them. */
export const feedIncidentSchema = z.object({
  id: z.string(),
  kind: z.string(),
  /** an endpoint, `overall`, or what the row problem concerns */
  scope: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  cause: z.string(),
  details: z.record(z.string(), z.unknown()),
  raw: z.string().nullable(),
});
export type FeedIncident = z.infer<typeof feedIncidentSchema>;

/** What a polling worker knows of the feed: its own report, and the `report` of the snapshot it publishes for every node. */
export const feedWorkerReportSchema = z.object({
  enabled: z.boolean(),
  baseUrl: z.string().nullable(),
  overall: feedHealthStateSchema,
  /** the rule of the health table that decided `overall`, and why */
  rule: z.string(),
  cause: z.string(),
  asOf: isoDateTime,
  lastPollSuccessAt: isoDateTime.nullable(),
  '1m': feedLatencyStatsSchema,
  '5m': feedLatencyStatsSchema,
  '15m': feedLatencyStatsSchema,
  endpoints: z.record(z.string(), feedEndpointHealthSchema),
  /** the hold in force (YSK asked us to wait, or we back off); null, 0: none */
  backoffUntil: isoDateTime.nullable(),
  backoffMs: z.number(),
  /** province plate → its last successful poll */
  lastSuccessByProvince: z.record(z.string(), isoDateTime),
  lags: z.array(feedProvinceLagSchema),
  rateCap: z.object({ rps: z.number(), gate: z.enum(['redis', 'local']) }),
  /** requests per second toward YSK, all workers together */
  cap: z.number(),
  controls: feedControlsView,
  totals: feedTotalsSchema,
});
export type FeedWorkerReport = z.infer<typeof feedWorkerReportSchema>;

/**
 * `GET /api/feed/health`. The figures are null when no worker has reported (an API-only node with
 * no snapshot); `reportedBy`/`reportedAt` name the snapshot an API-only node read (null: this
 * node's own figures, or none). A caller of a narrower scope, or who may not see YSK during the
 * embargo, gets the same shape with less in it (feed-health.redact.ts).
 */
export const feedHealthResponse = feedWorkerReportSchema.extend({
  '1m': feedLatencyStatsSchema.nullable(),
  '5m': feedLatencyStatsSchema.nullable(),
  '15m': feedLatencyStatsSchema.nullable(),
  backoffMs: z.number().nullable(),
  rateCap: feedWorkerReportSchema.shape.rateCap.nullable(),
  cap: z.number().nullable(),
  totals: feedTotalsSchema.nullable(),
  /** open incidents, and the most recent ones (open or closed), newest first */
  incidents: z.object({ open: z.array(feedIncidentSchema), recent: z.array(feedIncidentSchema) }),
  /** where the figures come from: this node, or the newest worker snapshot in Redis or the store */
  source: z.enum(['local', 'redis', 'store', 'none']),
  redis: z.enum(['ok', 'unreachable']),
  reportedBy: z.string().nullable(),
  reportedAt: isoDateTime.nullable(),
  /** BullMQ's job counts (waiting, delayed, active, prioritized, failed); null: Redis did not answer */
  queue: z.record(z.string(), z.number()).nullable(),
  /** the sweeps that should be scheduled, and those that are; null: not known here */
  schedulers: z.object({ expected: z.number().int().nullable(), present: z.number().int().nullable() }).nullable(),
});
export type FeedHealthResponse = z.infer<typeof feedHealthResponse>;
/** What FeedReport builds; the controller adds the queue and the schedulers. */
export type FeedHealthReport = Omit<FeedHealthResponse, 'queue' | 'schedulers'>;
