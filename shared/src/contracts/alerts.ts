import { z } from 'zod';
import { ALERT_CHANNELS, ALERT_KINDS, ALERT_LEVELS, ALERT_SEVERITIES, type AlertPreferences, type AlertView } from '../api/alerts';
import type { Equal } from './answers';

/** Request schemas of /api/alerts: the server's ZodPipes validate with them, the OpenAPI document describes them. */

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const alertsQuery = z.object({
  unread: bool.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  /** the members of one digest */
  digest: z.string().uuid().optional(),
});
export type AlertsQuery = z.infer<typeof alertsQuery>;

export const readBody = z.object({ ids: z.array(z.string().min(1).max(64)).min(1).max(1000) });

const b64url = z.string().regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url');
export const subscriptionBody = z.object({
  endpoint: z
    .string()
    .url()
    .max(2048)
    .refine((u) => u.startsWith('https://'), { message: 'a push endpoint is an https:// address' }),
  keys: z.object({ p256dh: b64url.min(80).max(120), auth: b64url.min(16).max(32) }),
});
export const unsubscribeBody = z.object({ endpoint: z.string().url().max(2048) });

export const preferencesBody = z
  .object({
    push: z.boolean(),
    email: z.boolean(),
    emailAddress: z.string().trim().email().max(254).nullable(),
    minSeverity: z.enum(ALERT_SEVERITIES),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'name at least one of push, email, emailAddress, minSeverity' });

/* Response schemas of /api/alerts: the server is checked against them, the OpenAPI document shows them, the dashboard parses with them. */

const alertAck = z.object({ userId: z.string(), username: z.string(), name: z.string(), at: z.string() });
const alertFigures = z.object({
  differences: z.record(z.string(), z.number()).optional(),
  totalAbsDifference: z.number().optional(),
  versions: z.number().optional(),
  yskAgeMs: z.number().nullable().optional(),
});

/** An alert as the API, the socket and the deliveries carry it (`AlertView`). */
export const alertViewSchema = z.object({
  id: z.string(),
  kind: z.enum(ALERT_KINDS),
  severity: z.enum(ALERT_SEVERITIES),
  box: z.string().nullable(),
  province: z.number().int().nullable(),
  district: z.number().int().nullable(),
  level: z.enum(ALERT_LEVELS),
  status: z.enum(['open', 'resolved']),
  title: z.string(),
  detail: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  escalatedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  ack: alertAck.nullable(),
  digestCount: z.number().int().nullable(),
  digestId: z.string().nullable(),
  figures: alertFigures.nullable(),
  read: z.boolean().optional(),
});
const _alertView: Equal<AlertView, z.infer<typeof alertViewSchema>> = true;

/** `GET /api/alerts` */
export const alertsResponse = z.object({ items: z.array(alertViewSchema), unread: z.number().int() });
/** `POST /api/alerts/read` */
export const alertsReadResponse = z.object({ unread: z.number().int() });
/** `GET /api/alerts/push/key` */
export const pushKeyResponse = z.object({ publicKey: z.string() });
/** The answer of a change that has nothing more to say (push subscriptions, a dead letter's retry). */
export const okResponse = z.object({ ok: z.literal(true) });

/** `GET` and `PUT /api/alerts/preferences` */
export const alertPreferencesSchema = z.object({
  push: z.boolean(),
  email: z.boolean(),
  emailAddress: z.string().nullable(),
  minSeverity: z.enum(ALERT_SEVERITIES),
});
const _alertPreferences: Equal<AlertPreferences, z.infer<typeof alertPreferencesSchema>> = true;

/** A delivery (webhook, push, e-mail) that failed every attempt. */
export const deadLetterSchema = z.object({
  id: z.string(),
  channel: z.enum(ALERT_CHANNELS).exclude(['app']),
  alertId: z.string(),
  target: z.string(),
  attempts: z.number().int(),
  failedReason: z.string(),
  failedAt: z.string().nullable(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
/** `GET /api/alerts/dead-letters` */
export const deadLettersResponse = z.object({ items: z.array(deadLetterSchema) });
