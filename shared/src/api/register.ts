/* e-seçmen: the voter-register check, anomalies and lost voters (issue 18). */

/** `POST /api/register/check` → where the citizen is registered (only their own data). */
export interface RegisterCheckResult {
  registered: boolean;
  province?: number;
  provinceName?: string | null;
  district?: number;
  districtName?: string | null;
  neighbourhood?: string | null;
  box?: number;
  school?: string | null;
}

export const REGISTER_ANOMALY_KINDS = ['address_crowded', 'implausible_age', 'duplicate_person', 'influx', 'box_oversized'] as const;
export type RegisterAnomalyKind = (typeof REGISTER_ANOMALY_KINDS)[number];

export const REGISTER_ANOMALY_LABELS: Record<RegisterAnomalyKind, { tr: string; en: string }> = {
  address_crowded: { tr: 'Bir adreste olağandışı çok seçmen', en: 'Implausibly many voters at one address' },
  implausible_age: { tr: 'Olağandışı yaş', en: 'Implausible age' },
  duplicate_person: { tr: 'Aynı kişi iki kez kayıtlı', en: 'Same person registered twice' },
  influx: { tr: 'Ani kayıt artışı', en: 'Sudden influx of registrations' },
  box_oversized: { tr: 'Olağan boyutun çok üstünde sandık', en: 'Box far above the usual size' },
};

/** open → checked (looked at, nothing to object to) or objected (a petition was drafted); checked ↔ open. */
export const REGISTER_STATUSES = ['open', 'checked', 'objected'] as const;
export type RegisterStatus = (typeof REGISTER_STATUSES)[number];

export const REGISTER_STATUS_LABELS: Record<RegisterStatus, { tr: string; en: string }> = {
  open: { tr: 'Açık', en: 'Open' },
  checked: { tr: 'İncelendi', en: 'Checked' },
  objected: { tr: 'İtiraz edildi', en: 'Objected' },
};

/** The rule that raised an anomaly and what it saw; no names, no TC Kimlik Nos. */
export interface RegisterEvidence {
  /** the rule, in Turkish, with its threshold */
  rule: string;
  /** the config variable holding the threshold */
  threshold: { name: string; value: number };
  /** what was counted (voters at the address, voters in the box, new voters, …) */
  observed: number;
  /** the boxes concerned */
  boxes: { district: number; box: number }[];
  /** kind-specific facts: the address, birth years, the district's median box size, … */
  details: Record<string, string | number | (string | number)[]>;
}

export interface RegisterAnomalyView {
  id: string;
  kind: RegisterAnomalyKind;
  province: number;
  district: number;
  box?: number;
  evidence: RegisterEvidence;
  status: RegisterStatus;
  detectedAt: string;
  updatedAt: string;
  petitionId: string | null;
}

/** A citizen's report: "Kayıtlı değilim" (missing) or "Adresim yanlış" (wrong address). */
export const LOST_VOTER_KINDS = ['missing', 'wrong_address'] as const;
export type LostVoterKind = (typeof LOST_VOTER_KINDS)[number];

export interface LostVoterCaseView {
  id: string;
  trackingCode: string;
  kind: LostVoterKind;
  /** where the citizen lives (the district whose board hears the objection) */
  province: number;
  district: number;
  neighbourhood: string | null;
  /** where the register has them, for a wrong address */
  registeredDistrict: number | null;
  registeredBox: number | null;
  note: string | null;
  /** the citizen's contact (never shown publicly) */
  contact: string | null;
  status: RegisterStatus;
  createdAt: string;
  updatedAt: string;
  petitionId: string | null;
}

/** `POST /api/register/import` (CSV or NDJSON, streamed) → */
export interface RegisterImportReport {
  importId: number;
  rows: number;
  stored: number;
  rejected: { row: number; issue: string }[];
  /** rejected rows beyond the first 1,000 are counted, not listed */
  rejectedCount: number;
  provinces: number[];
  anomalies: number;
  ms: number;
}

/** `GET /api/register/counts?province=` → per district. */
export interface RegisterDistrictCount {
  province: number;
  district: number;
  districtName: string | null;
  anomalies: Record<RegisterStatus, number>;
  cases: Record<RegisterStatus, number>;
}
