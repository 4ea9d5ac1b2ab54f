import { z } from 'zod';
import { COMPLAINT_STATUSES, TRACKING_CODE_PATTERN } from '../api/citizen';
import { ballotCodeSchema } from '../domain/ballot';
import { bilingualLabel, isoDateTime } from './answers';
import { ballotCodeValue } from '../domain/ballot';

/** Request schemas of /api/citizen/complaints and /api/complaints: the server's ZodPipes validate with them, the OpenAPI document describes them. */

/** The fields of a complaint (multipart form fields, or JSON without files). */
export const complaintBody = z.object({
  province: z.coerce.number().int().min(1, 'province is a plate code 1–81').max(81, 'province is a plate code 1–81'),
  district: z.coerce.number().int().positive('district is a positive YSK district id'),
  boxNo: z.coerce.number().int().positive('boxNo is a positive box number'),
  ballot: z.preprocess((v) => (v === '' ? undefined : v), ballotCodeSchema.optional()),
  text: z.string().trim().min(10, 'text: say what looks wrong, in at least 10 characters').max(5000, 'text: at most 5000 characters'),
  contact: z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().max(200, 'contact: at most 200 characters').optional()),
});
export type ComplaintBody = z.infer<typeof complaintBody>;

export const complaintsQuery = z.object({
  province: z.coerce.number().int().min(1).max(81).optional(),
  district: z.coerce.number().int().positive().optional(),
  status: z.enum(COMPLAINT_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
export type ComplaintsQuery = z.infer<typeof complaintsQuery>;

export const complaintCountsQuery = z.object({
  province: z.coerce.number().int().min(1).max(81).optional(),
  district: z.coerce.number().int().positive().optional(),
});
export type ComplaintCountsQuery = z.infer<typeof complaintCountsQuery>;

export const complaintStatusBody = z.object({
  status: z.enum(COMPLAINT_STATUSES),
  note: z.string().trim().max(2000).optional(),
});
export type ComplaintStatusBody = z.infer<typeof complaintStatusBody>;

/** GET /api/citizen/complaints/:code */
export const trackingCodeParam = z.string().trim().toUpperCase().regex(TRACKING_CODE_PATTERN, 'a tracking code looks like GZ-7K2QX-94MZD');

/* Response schemas. */

/** One uploaded file (complaint evidence or a result-sheet photo). */
export const attachmentViewSchema = z.object({
  id: z.string(),
  kind: z.enum(['image', 'pdf']),
  /** the content type found in the bytes (never the one the client claimed) */
  contentType: z.string(),
  bytes: z.number().int(),
  /** SHA-256 of the bytes as uploaded (hex) */
  sha256: z.string(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  uploadedAt: isoDateTime,
  /** the signed-in uploader; null for a citizen */
  uploadedBy: z.string().nullable(),
  /** the file as shown: re-encoded, metadata (EXIF, location) stripped */
  url: z.string(),
  /** the file exactly as uploaded: legal officers only */
  originalUrl: z.string().nullable(),
});

const complaintStatus = z.enum(COMPLAINT_STATUSES);

export const complaintViewSchema = z.object({
  id: z.string(),
  trackingCode: z.string(),
  status: complaintStatus,
  key: z.string().nullable(),
  election: z.string(),
  ballot: ballotCodeValue.nullable(),
  province: z.number().int(),
  district: z.number().int(),
  boxNo: z.number().int(),
  text: z.string(),
  /** the citizen's contact (legal officers only) */
  contact: z.string().nullable(),
  /** usernames the complaint is routed to: the district's legal officers and chair */
  routedTo: z.array(z.string()),
  attachments: z.array(attachmentViewSchema),
  petitionId: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  history: z.array(z.object({ at: isoDateTime, status: complaintStatus, by: z.string().nullable(), note: z.string().nullable() })),
});

/** What a citizen sees with their tracking code (`GET /api/citizen/complaints/:code`). */
export const complaintTrackingSchema = z.object({
  trackingCode: z.string(),
  status: complaintStatus,
  statusName: bilingualLabel,
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});

/** `POST /api/citizen/complaints` (201): the tracking code and how many files were kept. */
export const complaintFiledResponse = complaintTrackingSchema.extend({ attachments: z.number().int() });

/** `GET /api/complaints` */
export const complaintsResponse = z.object({ items: z.array(complaintViewSchema) });

/** `GET /api/complaints/counts?province=&district=` */
export const complaintCountsSchema = z.object({
  scope: z.object({ province: z.number().int().nullable(), district: z.number().int().nullable() }),
  total: z.number().int(),
  byStatus: z.record(complaintStatus, z.number().int()),
});
