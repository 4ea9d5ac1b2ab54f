import { z } from 'zod';
import type { YskEndpoint } from './endpoints';

/**
 * Row schemas of the YSK payloads (YSK-API.md). Loose objects: YSK adds fields freely and
 * unknown ones are kept, but a field we rely on that is missing, renamed or of the wrong type
 * fails the row, and the whole payload becomes an incident, never data.
 */
const id = z.number().int();
const optId = id.nullish();
const count = z.number().int().min(0);
const optText = z.string().nullish();
/** Box-number bounds and a few ids arrive as strings on some calls. */
const intLike = z.union([id, z.string().regex(/^-?\d+$/)]);

export const yskIlRowSchema = z.looseObject({
  il_ID: id,
  il_ADI: z.string(),
  secim_CEVRESI_ID: optId,
  secim_DETAY_ID: optId,
  secilecek_ADAY_SAYISI: optId,
  yerlesim_YERI_TURU: z.union([id, z.string()]).nullish(),
  id: optId,
});
export type YskIlRow = z.infer<typeof yskIlRowSchema>;

export const yskIlceRowSchema = z.looseObject({
  ilce_ID: id,
  ilce_ADI: z.string(),
  belde_ID: optId,
  birim_ID: optId,
  il_ID: id,
  il_ADI: z.string(),
  secim_CEVRESI_ID: optId,
  secim_DETAY_ID: optId,
});
export type YskIlceRow = z.infer<typeof yskIlceRowSchema>;

export const yskMuhtarlikRowSchema = z.looseObject({
  muhtarlik_ID: id,
  muhtarlik_ADI: z.string(),
  min_SANDIK_NO: intLike.nullish(),
  max_SANDIK_NO: intLike.nullish(),
  ilce_ID: id,
  il_ID: id,
});
export type YskMuhtarlikRow = z.infer<typeof yskMuhtarlikRowSchema>;

export const yskColumnRowSchema = z.looseObject({
  sira_NO: id,
  ad: z.string(),
  column_NAME: z.string(),
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

export const yskResultRowSchema = z
  .looseObject({
    il_ID: optId,
    il_ADI: optText,
    ilce_ID: optId,
    ilce_ADI: optText,
    belde_ID: optId,
    birim_ID: optId,
    muhtarlik_ID: optId,
    muhtarlik_ADI: optText,
    cezaevi_ID: optId,
    gumruk_ID: optId,
    ulke_ID: optId,
    dis_TEMSILCILIK_ID: optId,
    sandik_ID: optId,
    sandik_NO: id.nullable(),
    sandik_RUMUZ: optText,
    sandik_SONUC_ID: optId,
    secim_ID: z.union([id, z.string()]).nullish(),
    secim_TURU: optId,
    secmen_SAYISI: count,
    oy_KULLANAN_SECMEN_SAYISI: count,
    itirazsiz_GECERLI_OY_SAYISI: count,
    itirazli_GECERLI_OY_SAYISI: count,
    gecerli_OY_TOPLAMI: count,
    gecersiz_OY_TOPLAMI: count,
    versiyon: id.nullish(),
    son_ISLEM_TARIHI: optText,
    degisiklik_NEDENI: optText,
  })
  .superRefine(voteColumnsAreCounts);
export type YskResultRow = z.infer<typeof yskResultRowSchema>;

export const yskSummaryRowSchema = z
  .looseObject({
    il_ID: optId,
    il_ADI: optText,
    ilce_ID: optId,
    ilce_ADI: optText,
    toplam_SANDIK_SAYISI: count,
    acilan_SANDIK_SAYISI: count,
    acilan_SECMEN_SAYISI: count.nullish(),
    secmen_SAYISI: count,
    oy_KULLANAN_SECMEN_SAYISI: count,
    gecerli_OY_TOPLAMI: count,
    gecersiz_OY_TOPLAMI: count,
  })
  .superRefine(voteColumnsAreCounts);
export type YskSummaryRow = z.infer<typeof yskSummaryRowSchema>;

export const YSK_ROW_SCHEMAS = {
  getIlList: yskIlRowSchema,
  getIlceList: yskIlceRowSchema,
  getMuhtarlikList: yskMuhtarlikRowSchema,
  getSandikSecimSonucBaslikList: yskColumnRowSchema,
  getSecimSandikSonucList: yskResultRowSchema,
  getSecimSonucList: yskSummaryRowSchema,
} as const;

export interface YskRowTypes {
  getIlList: YskIlRow;
  getIlceList: YskIlceRow;
  getMuhtarlikList: YskMuhtarlikRow;
  getSandikSecimSonucBaslikList: YskColumnRow;
  getSecimSandikSonucList: YskResultRow;
  getSecimSonucList: YskSummaryRow;
}

export type YskPayloadResult<E extends YskEndpoint> =
  | { ok: true; rows: YskRowTypes[E][] }
  | { ok: false; issues: string[] };

/** Validates a decoded JSON payload of `endpoint`: an array of rows of its schema. */
export function parseYskPayload<E extends YskEndpoint>(endpoint: E, payload: unknown): YskPayloadResult<E> {
  const parsed = z.array(YSK_ROW_SCHEMAS[endpoint] as z.ZodType).safeParse(payload);
  if (parsed.success) return { ok: true, rows: parsed.data as YskRowTypes[E][] };
  return {
    ok: false,
    issues: parsed.error.issues.slice(0, 20).map((i) => `${i.path.length ? i.path.join('.') : '(payload)'}: ${i.message}`),
  };
}
