/**
 * `degisiklik_NEDENI`: YSK sends a number, 0 when a box was never revised and a small integer
 * code when it was (YSK-API.md, "JSON types"). YSK publishes no table of the codes; these
 * labels are ours, for display, and an unknown code is shown as its number. Code 0 (or none)
 * means unchanged.
 */
export const CHANGE_REASON_UNCHANGED = 0;

export interface ChangeReasonLabel {
  tr: string;
  en: string;
}

export const CHANGE_REASONS: Readonly<Record<number, ChangeReasonLabel>> = {
  1: { tr: 'Maddi hata düzeltmesi', en: 'Clerical error corrected' },
  2: { tr: 'Yeniden sayım', en: 'Recount' },
  3: { tr: 'Geçersiz oyların yeniden sayımı', en: 'Invalid votes recounted' },
  4: { tr: 'İlçe seçim kurulu kararı', en: 'District election board decision' },
  5: { tr: 'İtiraz üzerine düzeltme', en: 'Corrected after an objection' },
  6: { tr: 'Tutanak yeniden girildi', en: 'Result sheet keyed in again' },
};

/** Whether a change code says YSK revised the box. */
export function isRevisionCode(code: number | null | undefined): boolean {
  return typeof code === 'number' && code !== CHANGE_REASON_UNCHANGED;
}

/** The label of a change code in a language; null for 0/none; an unknown code as "Değişiklik kodu N". */
export function changeReasonLabel(code: number | null | undefined, lang: 'tr' | 'en' = 'tr'): string | null {
  if (!isRevisionCode(code)) return null;
  const known = CHANGE_REASONS[code as number];
  if (known) return known[lang];
  return lang === 'tr' ? `Değişiklik kodu ${code}` : `Change code ${code}`;
}
