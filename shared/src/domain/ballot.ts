import { z } from 'zod';

/** YSK `secimTuru` codes and our identifiers for them (DESIGN.md glossary). */
export const BALLOT_TYPES = {
  2: 'mayor',
  3: 'municipal_council',
  4: 'provincial_council',
  6: 'metropolitan_mayor',
  7: 'referendum',
  8: 'parliamentary',
  9: 'presidential',
} as const;

export type BallotCode = keyof typeof BALLOT_TYPES;
export type BallotType = (typeof BALLOT_TYPES)[BallotCode];

export const BALLOT_CODES = Object.keys(BALLOT_TYPES).map(Number) as BallotCode[];

export const ballotCodeSchema = z.coerce
  .number()
  .int()
  .refine((n): n is BallotCode => n in BALLOT_TYPES, {
    message: `ballot type must be one of the YSK secimTuru codes ${BALLOT_CODES.join(', ')}`,
  })
  // what the refinement allows, for the OpenAPI document (z.toJSONSchema cannot read a refinement)
  .meta({ description: 'YSK ballot type (secimTuru)', enum: BALLOT_CODES }) as unknown as z.ZodType<BallotCode>;

/** A ballot type in an answer: one of the codes, as it was sent (no coercion: a response schema). */
export const ballotCodeValue = z.literal(BALLOT_CODES);

export function isBallotCode(n: unknown): n is BallotCode {
  return typeof n === 'number' && n in BALLOT_TYPES;
}

/** Turkish and English labels, as the screens name them (UI.md). */
export const BALLOT_LABELS: Record<BallotCode, { tr: string; en: string }> = {
  2: { tr: 'Belediye Başkanı', en: 'Mayor' },
  3: { tr: 'Belediye Meclis Üyesi', en: 'Municipal council' },
  4: { tr: 'İl Genel Meclisi Üyesi', en: 'Provincial council' },
  6: { tr: 'Büyükşehir Belediye Başkanı', en: 'Metropolitan mayor' },
  7: { tr: 'Halkoylaması', en: 'Referendum' },
  8: { tr: 'Milletvekili', en: 'Parliamentary' },
  9: { tr: 'Cumhurbaşkanı', en: 'Presidential' },
};
