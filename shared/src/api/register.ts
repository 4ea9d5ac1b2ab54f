import type { z } from 'zod';
import type {
  lostVoterCaseViewSchema,
  registerAnomalyViewSchema,
  registerCheckResultSchema,
  registerDistrictCountSchema,
  registerEvidenceSchema,
  registerImportReportSchema,
} from '../contracts/register';

/* e-seçmen: the voter-register check, anomalies and lost voters (issue 18). */

/** `POST /api/register/check` → where the citizen is registered (only their own data). */
export type RegisterCheckResult = z.infer<typeof registerCheckResultSchema>;

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
export type RegisterEvidence = z.infer<typeof registerEvidenceSchema>;

export type RegisterAnomalyView = z.infer<typeof registerAnomalyViewSchema>;

/** A citizen's report: "Kayıtlı değilim" (missing) or "Adresim yanlış" (wrong address). */
export const LOST_VOTER_KINDS = ['missing', 'wrong_address'] as const;
export type LostVoterKind = (typeof LOST_VOTER_KINDS)[number];

export type LostVoterCaseView = z.infer<typeof lostVoterCaseViewSchema>;

/** `POST /api/register/import` (CSV or NDJSON, streamed) → */
export type RegisterImportReport = z.infer<typeof registerImportReportSchema>;

/** `GET /api/register/counts?province=` → per district. */
export type RegisterDistrictCount = z.infer<typeof registerDistrictCountSchema>;
