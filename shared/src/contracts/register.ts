import { z } from 'zod';
import { LOST_VOTER_KINDS, REGISTER_ANOMALY_KINDS, REGISTER_STATUSES } from '../api/register';
import { isoDateTime, rejectedRows } from './answers';

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

/* Response schemas. */

const registerStatus = z.enum(REGISTER_STATUSES);

/** `POST /api/register/check` → where the citizen is registered (only their own data). */
export const registerCheckResultSchema = z.object({
  registered: z.boolean(),
  province: z.number().int().optional(),
  provinceName: z.string().nullable().optional(),
  district: z.number().int().optional(),
  districtName: z.string().nullable().optional(),
  neighbourhood: z.string().nullable().optional(),
  box: z.number().int().optional(),
  school: z.string().nullable().optional(),
});

/** The rule that raised an anomaly and what it saw; no names, no TC Kimlik Nos. */
export const registerEvidenceSchema = z.object({
  /** the rule, in Turkish, with its threshold */
  rule: z.string(),
  /** the config variable holding the threshold */
  threshold: z.object({ name: z.string(), value: z.number() }),
  /** what was counted (voters at the address, voters in the box, new voters, …) */
  observed: z.number(),
  /** the boxes concerned */
  boxes: z.array(z.object({ district: z.number().int(), box: z.number().int() })),
  /** kind-specific facts: the address, birth years, the district's median box size, … */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))])),
});

export const registerAnomalyViewSchema = z.object({
  id: z.string(),
  kind: z.enum(REGISTER_ANOMALY_KINDS),
  province: z.number().int(),
  district: z.number().int(),
  box: z.number().int().optional(),
  evidence: registerEvidenceSchema,
  status: registerStatus,
  detectedAt: isoDateTime,
  updatedAt: isoDateTime,
  petitionId: z.string().nullable(),
});

export const lostVoterCaseViewSchema = z.object({
  id: z.string(),
  trackingCode: z.string(),
  kind: z.enum(LOST_VOTER_KINDS),
  /** where the citizen lives (the district whose board hears the objection) */
  province: z.number().int(),
  district: z.number().int(),
  neighbourhood: z.string().nullable(),
  /** where the register has them, for a wrong address */
  registeredDistrict: z.number().int().nullable(),
  registeredBox: z.number().int().nullable(),
  note: z.string().nullable(),
  /** the citizen's contact (never shown publicly) */
  contact: z.string().nullable(),
  status: registerStatus,
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  petitionId: z.string().nullable(),
});

/** `POST /api/register/import` (CSV or NDJSON, streamed) */
export const registerImportReportSchema = z.object({
  importId: z.number().int(),
  rows: z.number().int(),
  stored: z.number().int(),
  rejected: rejectedRows,
  /** rejected rows beyond the first 1,000 are counted, not listed */
  rejectedCount: z.number().int(),
  provinces: z.array(z.number().int()),
  anomalies: z.number().int(),
  ms: z.number(),
});

/** `GET /api/register/counts?province=` → per district. */
export const registerDistrictCountSchema = z.object({
  province: z.number().int(),
  district: z.number().int(),
  districtName: z.string().nullable(),
  anomalies: z.record(registerStatus, z.number().int()),
  cases: z.record(registerStatus, z.number().int()),
});

export const registerAnomaliesResponse = z.object({ items: z.array(registerAnomalyViewSchema) });
export const registerCasesResponse = z.object({ items: z.array(lostVoterCaseViewSchema) });
export const registerCountsResponse = z.object({ items: z.array(registerDistrictCountSchema) });
/** `GET /api/register/districts?province=`: by name (tr) */
export const registerDistrictsResponse = z.object({ items: z.array(z.object({ yskId: z.number().int(), name: z.string() })) });
/** `POST /api/register/reports` (201): the case's tracking code */
export const registerReportResponse = z.object({
  trackingCode: z.string(),
  kind: z.enum(LOST_VOTER_KINDS),
  district: z.number().int(),
  status: registerStatus,
});
