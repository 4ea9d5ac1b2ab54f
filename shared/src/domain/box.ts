import { z } from 'zod';
import { ballotCodeSchema, type BallotCode } from './ballot';
import { plateSchema } from './geo';
import type { Sheet } from './sheet';

/**
 * What kind of ballot box (YSK `sandikTuru` / `yurtIciDisi`): ordinary domestic boxes, prison
 * boxes (domestic, in their district, `cezaevi_ID`), customs boxes at border gates and boxes of
 * the foreign missions (both `yurtIciDisi` 2, numbered with letters in `sandik_RUMUZ`).
 */
export const BOX_KINDS = ['domestic', 'prison', 'customs', 'abroad'] as const;
export type BoxKind = (typeof BOX_KINDS)[number];

/** `sandikTuru` of each kind (YSK-API.md; inferred from client code). */
export const SANDIK_TURU_OF: Readonly<Record<BoxKind, number>> = { domestic: 0, customs: 1, prison: 2, abroad: 3 };
/** `yurtIciDisi` of each kind: 1 domestic, 2 abroad (customs boxes are for voters from abroad). */
export const YURT_ICI_DISI_OF: Readonly<Record<BoxKind, number>> = { domestic: 1, prison: 1, customs: 2, abroad: 2 };

/**
 * The ballot types that have prison, customs and abroad boxes: general elections only
 * (referendum 7, parliamentary 8, presidential 9). Voters abroad and detainees do not vote in
 * local elections, so no such boxes exist for ballot types 2, 3, 4 and 6.
 */
export const SPECIAL_KIND_BALLOTS: readonly number[] = [7, 8, 9];

/**
 * Abroad boxes have no province or district of ours: they sit under this pseudo-province
 * ("YURT DIŞI"), one pseudo-district per foreign mission (ABROAD_DISTRICT_BASE + its
 * `dis_TEMSILCILIK_ID`, so a mission never collides with a YSK district id).
 */
export const ABROAD_PROVINCE = 99;
export const ABROAD_PROVINCE_NAME = 'YURT DIŞI';
export const ABROAD_DISTRICT_BASE = 100_000;
/** Abroad rows that name only their country (`ulke_ID`): one pseudo-district per country. */
export const ABROAD_COUNTRY_BASE = 150_000;
/** A customs gate is a pseudo-district of its border province: CUSTOMS_DISTRICT_BASE + `gumruk_ID`. */
export const CUSTOMS_DISTRICT_BASE = 200_000;

/**
 * The kind a box must be from where it sits (abroad and customs pseudo-districts); domestic
 * otherwise (a prison box is told apart only by what YSK says of it).
 */
export function kindOfPlace(ref: Pick<BoxRef, 'province' | 'district'>): BoxKind {
  if (ref.province === ABROAD_PROVINCE) return 'abroad';
  return ref.district >= CUSTOMS_DISTRICT_BASE && ref.district < CUSTOMS_DISTRICT_BASE + 100_000 ? 'customs' : 'domestic';
}

/** `sandik_RUMUZ`: the letters that tell abroad and customs boxes of one number apart. */
export const RUMUZ = /^[A-ZÇĞİÖŞÜ]{1,8}$/;
export const rumuzSchema = z.string().regex(RUMUZ, 'sandik_RUMUZ is 1–8 capital letters');

/**
 * A ballot box's result for one ballot type: (election, ballot type, province, district, box
 * number[, rumuz]). `rumuz` only for boxes YSK numbers with letters (abroad, customs).
 */
export const boxRefSchema = z
  .object({
    election: z
      .string()
      .min(1)
      .regex(/^[^:]+$/, 'election id must not contain ":"'),
    ballot: ballotCodeSchema,
    province: plateSchema,
    district: z.coerce.number().int().positive(),
    boxNo: z.coerce.number().int().positive(),
    rumuz: rumuzSchema.optional(),
  })
  .superRefine(placeIsValid);

/** Abroad boxes sit only in the mission pseudo-districts of province 99, and only they do. */
export function placeIsValid(ref: { province: number; district: number }, ctx: z.RefinementCtx): void {
  const abroad = ref.district >= ABROAD_DISTRICT_BASE && ref.district < CUSTOMS_DISTRICT_BASE;
  if ((ref.province === ABROAD_PROVINCE) !== abroad) {
    ctx.addIssue({
      code: 'custom',
      path: ['province'],
      message:
        ref.province === ABROAD_PROVINCE
          ? `province 99 (abroad) has only mission districts (${ABROAD_DISTRICT_BASE}+)`
          : `district ${ref.district} is an abroad mission: its province is 99`,
    });
  }
}
export type BoxRef = { election: string; ballot: BallotCode; province: number; district: number; boxNo: number; rumuz?: string };

/** `election:ballot:province:district:boxNo`, with `:RUMUZ` appended when the box has one. */
export function boxKey(ref: BoxRef): string {
  const key = `${ref.election}:${ref.ballot}:${ref.province}:${ref.district}:${ref.boxNo}`;
  return ref.rumuz ? `${key}:${ref.rumuz}` : key;
}

export function parseBoxKey(key: string): BoxRef | null {
  const parts = key.split(':');
  if (parts.length !== 5 && parts.length !== 6) return null;
  const [election, ballot, province, district, boxNo, rumuz] = parts;
  const parsed = boxRefSchema.safeParse({ election, ballot, province, district, boxNo, rumuz });
  if (!parsed.success) return null;
  const ref = parsed.data as BoxRef;
  if (ref.rumuz === undefined) delete ref.rumuz;
  return ref;
}

/** The ref of a key known to be well formed (one this system wrote): no validation. */
export function refOfKey(key: string): BoxRef {
  const [election, ballot, province, district, boxNo, rumuz] = key.split(':');
  const ref: BoxRef = {
    election: election!,
    ballot: Number(ballot) as BallotCode,
    province: Number(province),
    district: Number(district),
    boxNo: Number(boxNo),
  };
  if (rumuz) ref.rumuz = rumuz;
  return ref;
}

/** What we know of a box beyond its key (from `getSecimSandikSonucList`). */
export interface BoxInfo extends BoxRef {
  key: string;
  yskBoxId: number | null;
  neighbourhood: number | null;
  /** absent: not known here (an observer's entry); the store then keeps what it has, else `domestic` */
  kind?: BoxKind;
}

/** What the YSK client hands to the store: one fetched sheet with YSK's change tracking. */
export interface YskObservation {
  ref: BoxRef;
  kind: BoxKind;
  yskBoxId: number | null;
  neighbourhood: number | null;
  sheet: Sheet;
  yskVersion: number | null;
  /** `son_ISLEM_TARIHI` as an ISO string (UTC). */
  yskChangedAt: string | null;
  /** `degisiklik_NEDENI`: YSK's numeric change code, 0 unchanged (labels: `changeReasonLabel`). */
  changeReason: number | null;
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
  /** `degisiklik_NEDENI` (0 = unchanged) */
  changeReason: number | null;
  fetchedAt: string;
}

export const entrySourceSchema = z.enum(['observer', 'import', 'confirmation']);

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
