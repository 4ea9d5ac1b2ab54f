/**
 * The full key set of a `getSecimSandikSonucList` row (~130 keys), for whoever has to produce
 * rows in YSK's shape: the simulator, recorded fixtures, tests.
 */
export const PARTI_COLUMNS = 40;
export const BAGIMSIZ_COLUMNS = 50;
export const ITTIFAK_COLUMNS = 5;

export const partiColumn = (n: number): string => `parti${n}_ALDIGI_OY`;
export const bagimsizColumn = (n: number): string => `bagimsiz${n}_ALDIGI_OY`;
export const ittifakColumn = (n: number): string => `ittifak${n}_ALDIGI_OY`;

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

export const YSK_VOTE_COLUMNS: readonly string[] = [
  ...range(PARTI_COLUMNS).map(partiColumn),
  ...range(BAGIMSIZ_COLUMNS).map(bagimsizColumn),
  'bagimsiz_TOPLAM_OY',
  ...range(ITTIFAK_COLUMNS).map(ittifakColumn),
];

export const YSK_RESULT_ROW_KEYS: readonly string[] = [
  'il_ID',
  'il_ADI',
  'ilce_ID',
  'ilce_ADI',
  'belde_ID',
  'belde_ADI',
  'birim_ID',
  'muhtarlik_ID',
  'muhtarlik_ADI',
  'cezaevi_ID',
  'gumruk_ID',
  'ulke_ID',
  'dis_TEMSILCILIK_ID',
  'secim_CEVRESI_ID',
  'sandik_ID',
  'sandik_NO',
  'sandik_RUMUZ',
  'sandik_SONUC_ID',
  'secim_ID',
  'secim_TURU',
  'secmen_SAYISI',
  'oy_KULLANAN_SECMEN_SAYISI',
  'itirazsiz_GECERLI_OY_SAYISI',
  'itirazli_GECERLI_OY_SAYISI',
  'gecerli_OY_TOPLAMI',
  'gecersiz_OY_TOPLAMI',
  ...YSK_VOTE_COLUMNS,
  'sandik_SONUC_TUTANAGI',
  'sandik_DOKUM_CETVELI',
  'denetim_TUTANAGI',
  'birlestirme_TUTANAGI_1',
  'birlestirme_TUTANAGI_2',
  'versiyon',
  'son_ISLEM_TARIHI',
  'degisiklik_NEDENI',
  'gumruk_SANDIK_TARIHI',
];

/** A row with every key present and null, to be filled in. */
export function emptyResultRow(): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const key of YSK_RESULT_ROW_KEYS) row[key] = null;
  return row;
}
