import { z } from 'zod';
import { PETITION_STATUSES } from '../api/citizen';
import { isoDateTime } from './answers';
import { ballotCodeValue } from '../domain/ballot';

/** Request schemas of /api/petitions and /api/stale-notices: the server's ZodPipes validate with them, the OpenAPI document describes them. */

export const draftBody = z
  .object({
    key: z.string().trim().min(1).max(200).optional(),
    complaintId: z.string().trim().min(1).max(64).optional(),
  })
  .refine((b) => (b.key === undefined) !== (b.complaintId === undefined), { message: 'name either a box key or a complaintId', path: ['key'] });
export type DraftBody = z.infer<typeof draftBody>;

const line = (max: number) => z.string().trim().min(1).max(max);
const figure = z.object({
  label: line(200),
  ysk: z.number().int().nullable(),
  sheet: z.number().int().nullable(),
  difference: z.number().int().nullable(),
});

/** The editable parts of a draft; what is left out stays as it was. */
export const editBody = z
  .object({
    addressee: line(300),
    subject: line(500),
    body: line(20_000),
    figures: z.array(figure).max(200),
    evidence: z.array(line(1000)).max(100),
    requests: line(5000),
    place: line(300),
    signatureName: line(200),
    signatureTitle: line(200),
  })
  .partial()
  .strict();
export type EditBody = z.infer<typeof editBody>;

export const petitionStatusBody = z.object({
  status: z.enum(PETITION_STATUSES),
  reference: z.string().trim().min(1).max(200).optional(),
  note: z.string().trim().max(2000).optional(),
});
export type PetitionStatusBody = z.infer<typeof petitionStatusBody>;

export const petitionsQuery = z.object({
  province: z.coerce.number().int().min(1).max(81).optional(),
  district: z.coerce.number().int().positive().optional(),
  /** `unfiled` = drafts; or one status */
  status: z.enum(['unfiled', ...PETITION_STATUSES]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
export type PetitionsQuery = z.infer<typeof petitionsQuery>;

export const deadlineBody = z.object({
  province: z.coerce.number().int().min(1).max(81),
  deadline: z.string().datetime({ offset: true, message: 'deadline is an ISO date-time, e.g. 2024-04-01T14:00:00+03:00' }),
});
export type DeadlineBody = z.infer<typeof deadlineBody>;

export const staleQuery = z.object({
  province: z.coerce.number().int().min(1).max(81).optional(),
  district: z.coerce.number().int().positive().optional(),
  ballot: z.coerce.number().int().optional(),
  format: z.enum(['json', 'csv']).optional(),
});
export type StaleQuery = z.infer<typeof staleQuery>;

/* Response schemas. */

/** The editable parts of a petition; the PDF is built from them at export. */
export const petitionTextSchema = z.object({
  addressee: z.string(),
  subject: z.string(),
  body: z.string(),
  /** the figures table, one line per figure: label, YSK, sheet, difference */
  figures: z.array(z.object({ label: z.string(), ysk: z.number().nullable(), sheet: z.number().nullable(), difference: z.number().nullable() })),
  evidence: z.array(z.string()),
  requests: z.string(),
  place: z.string(),
  signatureName: z.string(),
  signatureTitle: z.string(),
});

export const petitionViewSchema = z.object({
  id: z.string(),
  status: z.enum(PETITION_STATUSES),
  /** `result` (a box's figures) or `register` (an objection to the voter register during the display period) */
  kind: z.enum(['result', 'register']).optional(),
  key: z.string(),
  province: z.number().int(),
  district: z.number().int(),
  boxNo: z.number().int(),
  ballot: ballotCodeValue,
  complaintId: z.string().nullable(),
  text: petitionTextSchema,
  deadline: isoDateTime,
  /** ms until the deadline (negative once past) */
  msLeft: z.number(),
  createdAt: isoDateTime,
  createdBy: z.string(),
  updatedAt: isoDateTime,
  filedAt: isoDateTime.nullable(),
  filedBy: z.string().nullable(),
  /** the board's reference (karar/evrak no) once filed */
  reference: z.string().nullable(),
  /** the board's decision once accepted or rejected: when, recorded by whom, its note */
  decision: z.object({ at: isoDateTime, by: z.string(), note: z.string().nullable(), reference: z.string().nullable() }).nullable().optional(),
});

/** `GET /api/petitions`: soonest deadline first */
export const petitionsResponse = z.object({ items: z.array(petitionViewSchema) });

/** `PUT /api/petitions/deadlines/:district`: the district's deadline and how many drafts moved with it */
export const deadlineSetResponse = z.object({ district: z.number().int(), deadline: isoDateTime, drafts: z.number().int() });

/** `GET /api/petition-deadlines`: each district's deadline, `set` when one was set (else the default) */
export const petitionDeadlinesResponse = z.object({
  items: z.array(z.object({ province: z.number().int(), district: z.number().int(), name: z.string(), deadline: isoDateTime, set: z.boolean() })),
});
