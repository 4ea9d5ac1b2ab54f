import { z } from 'zod';

const count = z.number().int('must be a whole number').min(0, 'must not be negative').max(10_000_000, 'must be at most 10,000,000');

/**
 * Sandık sonuç tutanağı: the figures of one box's result sheet for one ballot type.
 * `votes` are keyed by the party/candidate name the ballot lists (the column map
 * has already turned YSK's ballot positions into names).
 */
export const sheetSchema = z.object({
  registered: count,
  voted: count,
  validUncontested: count,
  validAfterObjection: count,
  valid: count,
  invalid: count,
  votes: z
    .record(z.string().min(1, 'party/candidate name must not be empty').max(200, 'party/candidate name is at most 200 characters'), count)
    .refine((v) => Object.keys(v).length <= 500, { message: 'at most 500 parties/candidates' }),
});
export type Sheet = z.infer<typeof sheetSchema>;

/** The header figures of a sheet, in the order the paper sheet prints them. */
export const SHEET_FIGURES = ['registered', 'voted', 'validUncontested', 'validAfterObjection', 'valid', 'invalid'] as const;
export type SheetFigure = (typeof SHEET_FIGURES)[number];

/** One ballot position of the column map (`getSandikSecimSonucBaslikList`). */
export const columnSchema = z.object({
  position: z.number().int(),
  name: z.string().min(1),
  column: z.string().min(1),
});
export type Column = z.infer<typeof columnSchema>;
