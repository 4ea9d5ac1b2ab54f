import type { z } from 'zod';
import type { BallotCode } from '../domain/ballot';
import type { citizenBallotViewSchema, citizenBoxViewSchema, voterImportReportSchema } from '../contracts/citizen';
import type { attachmentViewSchema, complaintCountsSchema, complaintTrackingSchema, complaintViewSchema } from '../contracts/complaints';
import type { petitionTextSchema, petitionViewSchema } from '../contracts/petitions';

/* Citizen look-up, complaints, sheet photos, objection petitions and stale-box notices (issue 8). */

/** One ballot type of a box as a citizen sees it (`GET /api/citizen/boxes`, `POST /api/citizen/lookup`). */
export type CitizenBallotView = z.infer<typeof citizenBallotViewSchema>;

export type CitizenBoxView = z.infer<typeof citizenBoxViewSchema>;

/** `POST /api/citizen/voters/import` (HQ): CSV `tc,province,district,box`; numbers are kept only as keyed hashes. */
export type VoterImportReport = z.infer<typeof voterImportReportSchema>;

/** Complaint workflow (şikâyet): new → in_review → petition_drafted → filed → resolved | rejected. */
export const COMPLAINT_STATUSES = ['new', 'in_review', 'petition_drafted', 'filed', 'resolved', 'rejected'] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

export const COMPLAINT_STATUS_LABELS: Record<ComplaintStatus, { tr: string; en: string }> = {
  new: { tr: 'Yeni', en: 'New' },
  in_review: { tr: 'İnceleniyor', en: 'In review' },
  petition_drafted: { tr: 'Dilekçe hazırlandı', en: 'Petition drafted' },
  filed: { tr: 'İtiraz yapıldı', en: 'Filed' },
  resolved: { tr: 'Sonuçlandı', en: 'Resolved' },
  rejected: { tr: 'Reddedildi', en: 'Rejected' },
};

/**
 * The allowed steps and the permission each needs. Drafting and filing a petition move a
 * complaint on their own (`petition_drafted`, `filed`); a legal officer may also set them.
 */
export const COMPLAINT_TRANSITIONS: Record<ComplaintStatus, Partial<Record<ComplaintStatus, 'complaints:handle' | 'petitions:write'>>> = {
  new: { in_review: 'complaints:handle', rejected: 'complaints:handle' },
  in_review: { petition_drafted: 'petitions:write', resolved: 'complaints:handle', rejected: 'complaints:handle' },
  petition_drafted: { filed: 'petitions:write', in_review: 'complaints:handle' },
  filed: { resolved: 'complaints:handle', rejected: 'complaints:handle' },
  resolved: {},
  rejected: {},
};

/** The permission a step needs, or null when the step is not allowed. */
export function complaintStepPermission(from: ComplaintStatus, to: ComplaintStatus): 'complaints:handle' | 'petitions:write' | null {
  return COMPLAINT_TRANSITIONS[from][to] ?? null;
}

/** One uploaded file (complaint evidence or a result-sheet photo). */
export type AttachmentView = z.infer<typeof attachmentViewSchema>;

export type ComplaintView = z.infer<typeof complaintViewSchema>;

/** What a citizen sees with their tracking code (`GET /api/citizen/complaints/:code`). */
export type ComplaintTracking = z.infer<typeof complaintTrackingSchema>;

/** `GET /api/complaints/counts?province=&district=` */
export type ComplaintCounts = z.infer<typeof complaintCountsSchema>;

/** Objection petition (itiraz dilekçesi) to the District Election Board. */
export const PETITION_STATUSES = ['draft', 'filed', 'accepted', 'rejected', 'withdrawn'] as const;
export type PetitionStatus = (typeof PETITION_STATUSES)[number];

export const PETITION_TRANSITIONS: Record<PetitionStatus, PetitionStatus[]> = {
  draft: ['filed', 'withdrawn'],
  filed: ['accepted', 'rejected'],
  accepted: [],
  rejected: [],
  withdrawn: [],
};

/** The editable parts of a petition; the PDF is built from them at export. */
export type PetitionText = z.infer<typeof petitionTextSchema>;

export type PetitionView = z.infer<typeof petitionViewSchema>;

/** One stale box of a district chair's notice list (`GET /api/stale-notices`). */
export interface StaleNotice {
  key: string;
  ballot: BallotCode;
  province: number;
  district: number;
  boxNo: number;
  yskPublishedAt: string | null;
  elapsedMinutes: number | null;
  escalatedAt: string | null;
}

/** The roles a new complaint is routed to in the box's district (data, not code branches). */
export const COMPLAINT_ROUTE_ROLES = ['district_legal', 'district_chair'] as const;

/** A tracking code: `GZ-` and two groups of five Crockford base-32 characters. */
export const TRACKING_CODE_PATTERN = /^GZ-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/;
