import { z } from 'zod';
import { ALERT_SEVERITIES } from '../api/alerts';

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
