import { z } from 'zod';
import { COMPLAINT_STATUSES, TRACKING_CODE_PATTERN } from '../api/citizen';
import { ballotCodeSchema } from '../domain/ballot';

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
