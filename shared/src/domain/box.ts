import { z } from 'zod';
import { ballotCodeSchema, type BallotCode } from './ballot';
import { sheetSchema, type Sheet } from './sheet';

/** A ballot box's result for one ballot type: (election, ballot type, province, district, box number). */
export const boxRefSchema = z.object({
  election: z.string().min(1).regex(/^[^:]+$/, 'election id must not contain ":"'),
  ballot: ballotCodeSchema,
  province: z.coerce.number().int().min(1).max(81),
  district: z.coerce.number().int().positive(),
  boxNo: z.coerce.number().int().positive(),
});
export type BoxRef = { election: string; ballot: BallotCode; province: number; district: number; boxNo: number };

export function boxKey(ref: BoxRef): string {
  return `${ref.election}:${ref.ballot}:${ref.province}:${ref.district}:${ref.boxNo}`;
}

export function parseBoxKey(key: string): BoxRef | null {
  const parts = key.split(':');
  if (parts.length !== 5) return null;
  const [election, ballot, province, district, boxNo] = parts;
  const parsed = boxRefSchema.safeParse({ election, ballot, province, district, boxNo });
  return parsed.success ? (parsed.data as BoxRef) : null;
}

/** What we know of a box beyond its key (from `getSecimSandikSonucList`). */
export interface BoxInfo extends BoxRef {
  key: string;
  yskBoxId: number | null;
  neighbourhood: number | null;
}

/** What the YSK client hands to the store: one fetched sheet with YSK's change tracking. */
export interface YskObservation {
  ref: BoxRef;
  yskBoxId: number | null;
  neighbourhood: number | null;
  sheet: Sheet;
  yskVersion: number | null;
  /** `son_ISLEM_TARIHI` as an ISO string (UTC). */
  yskChangedAt: string | null;
  /** `degisiklik_NEDENI`. */
  changeReason: string | null;
  /** When we fetched it (ISO, UTC). */
  fetchedAt: string;
}

/** One stored version of a box's YSK result: append-only, idempotent on (key, hash). */
export interface SheetVersion {
  key: string;
  /** 1 for the first publication, then 2, 3, … */
  seq: number;
  hash: string;
  sheet: Sheet;
  yskVersion: number | null;
  yskChangedAt: string | null;
  changeReason: string | null;
  fetchedAt: string;
}

export const entrySourceSchema = z.enum(['observer', 'import', 'confirmation']);

/** An observer's entry of a box's sheet, as copied from the signed paper. */
export const entryInputSchema = z.object({
  ref: boxRefSchema,
  sheet: sheetSchema,
  idempotencyKey: z.string().min(8).max(128),
});
export interface Entry {
  id: string;
  key: string;
  sheet: Sheet;
  hash: string;
  observer: string;
  source: z.infer<typeof entrySourceSchema>;
  idempotencyKey: string;
  createdAt: string;
  warnings: string[];
}
