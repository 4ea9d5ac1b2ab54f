import type { BallotCode } from '../domain/ballot';
import type { Sheet } from '../domain/sheet';

/* Citizen look-up, complaints, sheet photos, objection petitions and stale-box notices (issue 8). */

/** One ballot type of a box as a citizen sees it (`GET /api/citizen/boxes`, `POST /api/citizen/lookup`). */
export interface CitizenBallotView {
  ballot: BallotCode;
  ballotName: { tr: string; en: string };
  /** YSK's figures: null while the embargo holds or before YSK publishes */
  ysk: Sheet | null;
  /** when YSK's figures last changed (null: not published, or embargoed) */
  yskChangedAt: string | null;
  /** the observers' figures, only where HQ policy publishes them (CITIZEN_SHOW_ORG_FIGURES) */
  org: Sheet | null;
  orgEnteredAt: string | null;
  /** YSK changed the box after first publishing it (only once YSK's figures are shown) */
  altered: boolean | null;
}

export interface CitizenBoxView {
  province: number;
  provinceName: string | null;
  district: number;
  districtName: string | null;
  boxNo: number;
  ballots: CitizenBallotView[];
  embargo: { active: boolean; until: string | null };
  /** when this answer was computed (answers are cached for a few seconds) */
  asOf: string;
}

/** `POST /api/citizen/voters/import` (HQ): CSV `tc,province,district,box`; numbers are kept only as keyed hashes. */
export interface VoterImportReport {
  rows: number;
  stored: number;
  rejected: { row: number; issue: string }[];
}

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
export interface AttachmentView {
  id: string;
  kind: 'image' | 'pdf';
  /** the content type found in the bytes (never the one the client claimed) */
  contentType: string;
  bytes: number;
  /** SHA-256 of the bytes as uploaded (hex) */
  sha256: string;
  width: number | null;
  height: number | null;
  uploadedAt: string;
  /** the signed-in uploader; null for a citizen */
  uploadedBy: string | null;
  /** the file as shown: re-encoded, metadata (EXIF, location) stripped */
  url: string;
  /** the file exactly as uploaded: legal officers only */
  originalUrl: string | null;
}

export interface ComplaintView {
  id: string;
  trackingCode: string;
  status: ComplaintStatus;
  key: string | null;
  election: string;
  ballot: BallotCode | null;
  province: number;
  district: number;
  boxNo: number;
  text: string;
  /** the citizen's contact (legal officers only) */
  contact: string | null;
  /** usernames the complaint is routed to: the district's legal officers and chair */
  routedTo: string[];
  attachments: AttachmentView[];
  petitionId: string | null;
  createdAt: string;
  updatedAt: string;
  history: { at: string; status: ComplaintStatus; by: string | null; note: string | null }[];
}

/** What a citizen sees with their tracking code (`GET /api/citizen/complaints/:code`). */
export interface ComplaintTracking {
  trackingCode: string;
  status: ComplaintStatus;
  statusName: { tr: string; en: string };
  createdAt: string;
  updatedAt: string;
}

/** `GET /api/complaints/counts?province=&district=` */
export interface ComplaintCounts {
  scope: { province: number | null; district: number | null };
  total: number;
  byStatus: Record<ComplaintStatus, number>;
}

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
export interface PetitionText {
  addressee: string;
  subject: string;
  body: string;
  /** the figures table, one line per figure: label, YSK, sheet, difference */
  figures: { label: string; ysk: number | null; sheet: number | null; difference: number | null }[];
  evidence: string[];
  requests: string;
  place: string;
  signatureName: string;
  signatureTitle: string;
}

export interface PetitionView {
  id: string;
  status: PetitionStatus;
  /** `result` (a box's figures) or `register` (an objection to the voter register during the display period) */
  kind?: 'result' | 'register';
  key: string;
  province: number;
  district: number;
  boxNo: number;
  ballot: BallotCode;
  complaintId: string | null;
  text: PetitionText;
  deadline: string;
  /** ms until the deadline (negative once past) */
  msLeft: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  filedAt: string | null;
  filedBy: string | null;
  /** the board's reference (karar/evrak no) once filed */
  reference: string | null;
  /** the board's decision once accepted or rejected: when, recorded by whom, its note */
  decision?: { at: string; by: string; note: string | null; reference: string | null } | null;
}

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
