import { z } from 'zod';

/** İl: plate code 1–81. */
export const provinceSchema = z.object({
  plate: z.number().int().min(1).max(81),
  name: z.string().min(1),
});
export type Province = z.infer<typeof provinceSchema>;

/** İlçe: YSK's own district id (not a plate code), learned from `getIlceList`. */
export const districtSchema = z.object({
  yskId: z.number().int().positive(),
  province: z.number().int().min(1).max(81),
  name: z.string().min(1),
});
export type District = z.infer<typeof districtSchema>;

/** Mahalle/köy (YSK `muhtarlik`), with the box-number bounds YSK lists for it. */
export const neighbourhoodSchema = z.object({
  yskId: z.number().int().positive(),
  district: z.number().int().positive(),
  province: z.number().int().min(1).max(81),
  name: z.string().min(1),
  minBox: z.number().int().nullable(),
  maxBox: z.number().int().nullable(),
});
export type Neighbourhood = z.infer<typeof neighbourhoodSchema>;

/** A province plate code 1–81, or 99: the abroad pseudo-province (`ABROAD_PROVINCE`). */
export const plateSchema = z.coerce
  .number()
  .int()
  .refine((n) => (n >= 1 && n <= 81) || n === 99, 'province plate code is 1–81 (99: abroad)')
  // what the refinement allows, for the OpenAPI document (z.toJSONSchema cannot read a refinement)
  .meta({ description: 'province plate code 1–81, or 99 (abroad)', anyOf: [{ minimum: 1, maximum: 81 }, { const: 99 }] });

/** Folds Turkish letters and case so names from different sources compare equal. */
export function foldName(name: string): string {
  return name
    .replace(/[İIı]/g, 'i')
    .toLocaleLowerCase('tr-TR')
    .replace(/ğ/g, 'g')
    .replace(/ü/g, 'u')
    .replace(/ş/g, 's')
    .replace(/ö/g, 'o')
    .replace(/ç/g, 'c')
    .replace(/[âà]/g, 'a')
    .replace(/[îì]/g, 'i')
    .replace(/[ûù]/g, 'u')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
