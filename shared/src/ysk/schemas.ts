import { z } from 'zod';
import type { YskEndpoint } from './endpoints';

/**
 * Row schemas of the YSK payloads, typed from what real captured payloads carry (YSK-API.md,
 * "JSON types"): numbers for ids, codes, counts, `versiyon`, `degisiklik_NEDENI` and the
 * document flags; strings for names, `son_ISLEM_TARIHI`, `sandik_RUMUZ` and the box-number
 * bounds; `null` where a field does not apply.
 *
 * Two rules:
 * - **Strict on the figures.** A count that is missing, negative, not a whole number, or a
 *   string rejects its row (the row becomes an incident, never data).
 * - **Tolerant on the metadata.** Ids, codes, names, times and flags in an unexpected JSON type
 *   are coerced (a numeric string where a number is expected is read as the number) or set to
 *   null and noted; they never reject a row, let alone a payload. Only an identity field a row
 *   cannot be placed without (e.g. `il_ID` of a `getIlList` row) rejects that row.
 *
 * Rows are checked one by one: a bad row is rejected and the others are kept. A payload fails
 * as a whole only when it is not an array of rows, or when every one of its rows is rejected
 * (the feed changed shape: schema drift).
 */

/** A metadata value read as a whole number: numbers, numeric strings; anything else is null. */
export function metaInt(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string') {
    const s = value.trim();
    return /^-?\d{1,15}$/.test(s) ? Number(s) : null;
  }
  return null;
}

/** A metadata value read as text: strings (trimmed, empty → null), numbers printed; anything else is null. */
export function metaText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** A metadata value that is a number in some calls and a string id in others (`secim_ID`). */
function metaIdOrText(value: unknown): number | string | null {
  return metaInt(value) ?? metaText(value);
}

type MetaKind = 'int' | 'text' | 'idOrText';
const READ: Record<MetaKind, (v: unknown) => unknown> = { int: metaInt, text: metaText, idOrText: metaIdOrText };

/** Whether a raw metadata value is of the type the real feed sends (so coercing it is worth a note). */
function expectedType(kind: MetaKind, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (kind === 'int') return (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && metaInt(value) !== null);
  if (kind === 'text') return typeof value === 'string';
  return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));
}

/** An identity field: coerced like metadata, but the row cannot do without it. */
const requiredInt = (what: string) =>
  z.unknown().transform((v, ctx) => {
    const n = metaInt(v);
    if (n === null) {
      ctx.addIssue({ code: 'custom', message: `${what} must be a whole number (got ${JSON.stringify(v) ?? 'nothing'})` });
      return z.NEVER;
    }
    return n;
  });
const requiredText = (what: string) =>
  z.unknown().transform((v, ctx) => {
    const s = metaText(v);
    if (s === null) {
      ctx.addIssue({ code: 'custom', message: `${what} must be text (got ${JSON.stringify(v) ?? 'nothing'})` });
      return z.NEVER;
    }
    return s;
  });

/** A figure: a non-negative whole JSON number, never a string. */
const count = z
  .number({ error: (i) => (i.input === undefined ? 'figure missing' : `figure must be a number (got ${JSON.stringify(i.input)})`) })
  .int('figure must be a whole number')
  .min(0, 'figure must not be negative');

/** The metadata fields of each row type and how they are read: the single list `metaNotes` checks. */
const IL_META = {
  secim_CEVRESI_ID: 'int',
  secim_DETAY_ID: 'int',
  secilecek_ADAY_SAYISI: 'int',
  yerlesim_YERI_TURU: 'idOrText',
  id: 'int',
  il_ADI: 'text',
} as const;
const ILCE_META = { belde_ID: 'int', birim_ID: 'int', il_ADI: 'text', secim_CEVRESI_ID: 'int', secim_DETAY_ID: 'int', ilce_ADI: 'text' } as const;
const MUHTARLIK_META = {
  muhtarlik_ADI: 'text',
  min_SANDIK_NO: 'int',
  max_SANDIK_NO: 'int',
  ilce_ID: 'int',
  il_ID: 'int',
  belde_ID: 'int',
  birim_ID: 'int',
  cezaevi_ID: 'int',
  gumruk_ID: 'int',
  ulke_ID: 'int',
  dis_TEMSILCILIK_ID: 'int',
  sandik_RUMUZ: 'text',
} as const;
const LOCATION_META = {
  il_ID: 'int',
  il_ADI: 'text',
  ilce_ID: 'int',
  ilce_ADI: 'text',
  belde_ID: 'int',
  birim_ID: 'int',
  muhtarlik_ID: 'int',
  muhtarlik_ADI: 'text',
  cezaevi_ID: 'int',
  gumruk_ID: 'int',
  ulke_ID: 'int',
  dis_TEMSILCILIK_ID: 'int',
  secim_ID: 'idOrText',
  secim_TURU: 'int',
} as const;
const RESULT_META = {
  ...LOCATION_META,
  sandik_ID: 'int',
  sandik_NO: 'int',
  sandik_RUMUZ: 'text',
  sandik_SONUC_ID: 'int',
  sandik_SONUC_TUTANAGI: 'int',
  sandik_DOKUM_CETVELI: 'int',
  denetim_TUTANAGI: 'int',
  birlestirme_TUTANAGI_1: 'int',
  birlestirme_TUTANAGI_2: 'int',
  versiyon: 'int',
  son_ISLEM_TARIHI: 'text',
  degisiklik_NEDENI: 'int',
  gumruk_SANDIK_TARIHI: 'text',
} as const;
const SUMMARY_META = { ...LOCATION_META, sandik_NO: 'int', versiyon: 'int', son_ISLEM_TARIHI: 'text', degisiklik_NEDENI: 'int' } as const;
const COLUMN_META = {} as const;

/** The metadata fields of a row type as they read after coercion (absent keys read as null). */
type MetaOf<M extends Readonly<Record<string, MetaKind>>> = {
  [K in keyof M]: M[K] extends 'int' ? number | null : M[K] extends 'text' ? string | null : number | string | null;
};

/**
 * The zod schemas check what rejects a row: the figures and the identity fields. The metadata
 * (the *_META lists) passes through the loose objects and is then read by `readMeta`, one plain
 * loop per row (cheaper than a zod transform per field on ~130-key rows).
 */
export const yskIlRowSchema = z.looseObject({
  il_ID: requiredInt('il_ID'),
});
export type YskIlRow = z.infer<typeof yskIlRowSchema> & MetaOf<typeof IL_META>;

export const yskIlceRowSchema = z.looseObject({
  ilce_ID: requiredInt('ilce_ID'),
  il_ID: requiredInt('il_ID'),
});
export type YskIlceRow = z.infer<typeof yskIlceRowSchema> & MetaOf<typeof ILCE_META>;

/**
 * `getMuhtarlikList`: a neighbourhood (or, asked with another `sandikTuru`, a prison, customs
 * gate or mission) with its box-number bounds, which YSK sends as strings.
 */
export const yskMuhtarlikRowSchema = z.looseObject({
  muhtarlik_ID: requiredInt('muhtarlik_ID'),
});
export type YskMuhtarlikRow = z.infer<typeof yskMuhtarlikRowSchema> & MetaOf<typeof MUHTARLIK_META>;

export const yskColumnRowSchema = z.looseObject({
  sira_NO: requiredInt('sira_NO'),
  ad: requiredText('ad'),
  column_NAME: requiredText('column_NAME'),
});
export type YskColumnRow = z.infer<typeof yskColumnRowSchema>;

/** `parti7_ALDIGI_OY`, `bagimsiz12_ALDIGI_OY`, `ittifak2_ALDIGI_OY`, `bagimsiz_TOPLAM_OY`. */
export const VOTE_COLUMN = /^(?:(?:parti|bagimsiz|ittifak)\d+_ALDIGI_OY|bagimsiz_TOPLAM_OY)$/;

function voteColumnsAreCounts(row: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const [key, value] of Object.entries(row)) {
    if (VOTE_COLUMN.test(key) && value !== null && !(typeof value === 'number' && Number.isInteger(value) && value >= 0)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `vote column must be a non-negative whole number or null (got ${JSON.stringify(value)})` });
    }
  }
}

/** `getSecimSandikSonucList`: one box (or, `sandik_NO: null`, an aggregate of the scope). */
export const yskResultRowSchema = z
  .looseObject({
    secmen_SAYISI: count,
    oy_KULLANAN_SECMEN_SAYISI: count,
    itirazsiz_GECERLI_OY_SAYISI: count,
    itirazli_GECERLI_OY_SAYISI: count,
    gecerli_OY_TOPLAMI: count,
    gecersiz_OY_TOPLAMI: count,
  })
  .superRefine(voteColumnsAreCounts);
export type YskResultRow = z.infer<typeof yskResultRowSchema> & MetaOf<typeof RESULT_META>;

/** `getSecimSonucList`: the aggregate of a unit, with its opened-box counters. */
export const yskSummaryRowSchema = z
  .looseObject({
    toplam_SANDIK_SAYISI: count,
    acilan_SANDIK_SAYISI: count,
    acilan_SECMEN_SAYISI: count.nullish(),
    secmen_SAYISI: count,
    oy_KULLANAN_SECMEN_SAYISI: count,
    gecerli_OY_TOPLAMI: count,
    gecersiz_OY_TOPLAMI: count,
  })
  .superRefine(voteColumnsAreCounts);
export type YskSummaryRow = z.infer<typeof yskSummaryRowSchema> & MetaOf<typeof SUMMARY_META>;

export const YSK_ROW_SCHEMAS = {
  getIlList: yskIlRowSchema,
  getIlceList: yskIlceRowSchema,
  getMuhtarlikList: yskMuhtarlikRowSchema,
  getSandikSecimSonucBaslikList: yskColumnRowSchema,
  getSecimSandikSonucList: yskResultRowSchema,
  getSecimSonucList: yskSummaryRowSchema,
} as const;

const YSK_META: Record<YskEndpoint, Readonly<Record<string, MetaKind>>> = {
  getIlList: IL_META,
  getIlceList: ILCE_META,
  getMuhtarlikList: MUHTARLIK_META,
  getSandikSecimSonucBaslikList: COLUMN_META,
  getSecimSandikSonucList: RESULT_META,
  getSecimSonucList: SUMMARY_META,
};

export interface YskRowTypes {
  getIlList: YskIlRow;
  getIlceList: YskIlceRow;
  getMuhtarlikList: YskMuhtarlikRow;
  getSandikSecimSonucBaslikList: YskColumnRow;
  getSecimSandikSonucList: YskResultRow;
  getSecimSonucList: YskSummaryRow;
}

/** A row that did not pass its schema: kept out of the data, reported with its raw value. */
export interface YskRejectedRow {
  /** position in the payload */
  index: number;
  issues: string[];
  raw: unknown;
}

/** A metadata field that came in an unexpected JSON type (coerced or nulled), counted per field. */
export interface YskMetaNote {
  field: string;
  /** the JSON type received (`string`, `boolean`, `object`, `number` for a non-integer) */
  got: string;
  /** how many rows */
  rows: number;
  /** one value as received */
  example: unknown;
}

export type YskPayloadResult<E extends YskEndpoint> =
  { ok: true; rows: YskRowTypes[E][]; rejected: YskRejectedRow[]; notes: YskMetaNote[] } | { ok: false; issues: string[]; rejected: YskRejectedRow[] };

const MAX_ISSUES = 20;

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(row)'}: ${i.message}`);
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number' && !Number.isSafeInteger(value)) return 'non-integer number';
  return typeof value;
}

/** The metadata fields of `row` that are not of the type the real feed sends. */
export function metaNotes(endpoint: YskEndpoint, rows: readonly unknown[]): YskMetaNote[] {
  const spec = YSK_META[endpoint];
  const notes = new Map<string, YskMetaNote>();
  for (const row of rows) {
    if (!row || typeof row !== 'object') continue;
    const raw = row as Record<string, unknown>;
    for (const field in spec) {
      const value = raw[field];
      if (expectedType(spec[field]!, value)) continue;
      const got = jsonType(value);
      const key = `${field}\u0000${got}`;
      const note = notes.get(key);
      if (note) note.rows++;
      else notes.set(key, { field, got, rows: 1, example: value });
    }
  }
  return [...notes.values()];
}

/**
 * Validates a decoded JSON payload of `endpoint`, row by row: the rows that pass (metadata
 * coerced), the ones rejected with their issues, and notes on coerced metadata. Fails as a
 * whole when the payload is not an array, or when it has rows and none of them passes.
 */
export function parseYskPayload<E extends YskEndpoint>(endpoint: E, payload: unknown): YskPayloadResult<E> {
  if (!Array.isArray(payload)) return { ok: false, issues: [`(payload): expected an array of rows, got ${jsonType(payload)}`], rejected: [] };
  const schema = YSK_ROW_SCHEMAS[endpoint] as z.ZodType;
  const spec = Object.entries(YSK_META[endpoint]).map(([field, kind]) => [field, READ[kind]] as const);
  const rows: YskRowTypes[E][] = [];
  const rejected: YskRejectedRow[] = [];
  for (let index = 0; index < payload.length; index++) {
    const raw: unknown = payload[index];
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      rejected.push({ index, issues: describeIssues(parsed.error), raw });
      continue;
    }
    const row = parsed.data as Record<string, unknown>;
    for (const [field, read] of spec) row[field] = read(row[field]);
    rows.push(row as YskRowTypes[E]);
  }
  if (payload.length > 0 && rows.length === 0) {
    const issues = [...new Set(rejected.flatMap((r) => r.issues))];
    return { ok: false, issues: issues.slice(0, MAX_ISSUES).map((i) => `every row: ${i}`), rejected };
  }
  return { ok: true, rows, rejected, notes: metaNotes(endpoint, payload) };
}
