import { z } from 'zod';
import { LOST_VOTER_KINDS, REGISTER_ANOMALY_KINDS, REGISTER_STATUSES } from '../api/register';

/** Request schemas of /api/register: the server's ZodPipes validate with them, the OpenAPI document describes them. */

const plate = z.coerce.number().int().min(1, 'province is a plate code 1–81').max(81, 'province is a plate code 1–81');
const districtId = z.coerce.number().int().positive('district is a positive YSK district id');

/** The number travels in the body (never in a URL, which access logs keep). */
export const checkBody = z
  .object({ tc: z.string({ message: 'tc is the 11-digit TC Kimlik No, as a string' }).max(32, 'a TC Kimlik No has 11 digits') })
  .strict();
export type CheckBody = z.infer<typeof checkBody>;

export const reportBody = z
  .object({
    tc: z.string({ message: 'tc is the 11-digit TC Kimlik No, as a string' }).max(32, 'a TC Kimlik No has 11 digits'),
    kind: z.enum(LOST_VOTER_KINDS, { message: `kind is one of ${LOST_VOTER_KINDS.join(', ')}` }),
    /** where the citizen lives */
    province: plate,
    district: districtId,
    neighbourhood: z.string().trim().max(200).optional(),
    note: z.string().trim().max(2000).optional(),
    contact: z.string().trim().max(200).optional(),
  })
  .strict();
export type ReportBody = z.infer<typeof reportBody>;

export const anomaliesQuery = z.object({
  province: plate.optional(),
  district: districtId.optional(),
  kind: z.enum(REGISTER_ANOMALY_KINDS, { message: `kind is one of ${REGISTER_ANOMALY_KINDS.join(', ')}` }).optional(),
  status: z.enum(REGISTER_STATUSES, { message: `status is one of ${REGISTER_STATUSES.join(', ')}` }).optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});
export type AnomaliesQuery = z.infer<typeof anomaliesQuery>;

export const casesQuery = anomaliesQuery.omit({ kind: true });
export type CasesQuery = z.infer<typeof casesQuery>;

export const registerCountsQuery = z.object({ province: plate.optional() });
export type RegisterCountsQuery = z.infer<typeof registerCountsQuery>;

/** open ↔ checked by hand; objected only by drafting an objection. */
export const registerStatusBody = z
  .object({
    status: z.enum(['open', 'checked'], { message: 'status is open or checked (objected is set by drafting an objection)' }),
    note: z.string().trim().max(2000).optional(),
  })
  .strict();
export type RegisterStatusBody = z.infer<typeof registerStatusBody>;

/** GET /api/register/districts: a province's districts, for the citizen's form */
export const registerDistrictsQuery = registerCountsQuery.required();
