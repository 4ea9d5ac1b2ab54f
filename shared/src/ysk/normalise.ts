import type { BallotCode } from '../domain/ballot';
import {
  ABROAD_COUNTRY_BASE,
  ABROAD_DISTRICT_BASE,
  ABROAD_PROVINCE,
  CUSTOMS_DISTRICT_BASE,
  RUMUZ,
  type BoxKind,
  type BoxRef,
  type YskObservation,
} from '../domain/box';
import type { Column, Sheet } from '../domain/sheet';
import { metaInt } from './schemas';
import type { YskResultRow } from './schemas';
import { parseYskTime } from './time';

export interface NormaliseContext {
  election: string;
  ballot: BallotCode;
  /** ISO UTC time of the fetch. */
  fetchedAt: string;
  /** the kind of boxes the call asked for (its `sandikTuru`); a row's own ids take precedence */
  kind?: BoxKind;
}

export type YskRowErrorCode = 'no_location' | 'bad_box_no' | 'missing_column' | 'bad_vote' | 'wrong_ballot';

/** A schema-valid row that still cannot become an observation. */
export class YskRowError extends Error {
  override readonly name = 'YskRowError';
  constructor(
    readonly code: YskRowErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The ids that place a row (or a `getMuhtarlikList` unit), as the schemas read them. */
export interface YskPlacementFields {
  il_ID?: number | null;
  ilce_ID?: number | null;
  cezaevi_ID?: number | null;
  gumruk_ID?: number | null;
  ulke_ID?: number | null;
  dis_TEMSILCILIK_ID?: number | null;
}

const positive = (v: number | null | undefined): number | null => (typeof v === 'number' && v > 0 ? v : null);

/**
 * The kind of box a row is: its own ids say so (`cezaevi_ID` prison, `gumruk_ID` customs,
 * `dis_TEMSILCILIK_ID`/`ulke_ID` abroad); otherwise the kind the call asked for, else domestic.
 */
export function boxKindOf(row: YskPlacementFields, asked?: BoxKind): BoxKind {
  if (positive(row.gumruk_ID) !== null) return 'customs';
  if (positive(row.dis_TEMSILCILIK_ID) !== null || positive(row.ulke_ID) !== null) return 'abroad';
  if (positive(row.cezaevi_ID) !== null) return 'prison';
  return asked ?? 'domestic';
}

/**
 * Where a box of `kind` sits in our tree (see ABROAD_PROVINCE, CUSTOMS_DISTRICT_BASE):
 * domestic and prison boxes in their province and district; a customs gate as a pseudo-district
 * of its border province; a foreign mission (or, without one, a country) as a pseudo-district of
 * the abroad pseudo-province. Null when the row lacks what its kind needs.
 */
export function placement(row: YskPlacementFields, kind: BoxKind): { province: number; district: number } | null {
  const il = positive(row.il_ID);
  switch (kind) {
    case 'domestic':
    case 'prison': {
      const ilce = positive(row.ilce_ID);
      return il !== null && il <= 81 && ilce !== null ? { province: il, district: ilce } : null;
    }
    case 'customs': {
      const gate = positive(row.gumruk_ID);
      return il !== null && il <= 81 && gate !== null ? { province: il, district: CUSTOMS_DISTRICT_BASE + gate } : null;
    }
    case 'abroad': {
      const mission = positive(row.dis_TEMSILCILIK_ID);
      if (mission !== null && mission < ABROAD_COUNTRY_BASE - ABROAD_DISTRICT_BASE)
        return { province: ABROAD_PROVINCE, district: ABROAD_DISTRICT_BASE + mission };
      const country = positive(row.ulke_ID);
      if (country !== null && country < CUSTOMS_DISTRICT_BASE - ABROAD_COUNTRY_BASE)
        return { province: ABROAD_PROVINCE, district: ABROAD_COUNTRY_BASE + country };
      return null;
    }
  }
}

/** `sandik_RUMUZ` as a key part: upper-case letters only; null when none; `undefined` when unusable. */
export function normaliseRumuz(value: string | null | undefined): string | null | undefined {
  if (value === null || value === undefined) return null;
  const letters = value.toLocaleUpperCase('tr-TR').replace(/[\s.\-_/]/g, '');
  if (letters === '') return null;
  return RUMUZ.test(letters) ? letters : undefined;
}

function describeBox(row: YskResultRow): string {
  const rumuz = row.sandik_RUMUZ ? ` ${row.sandik_RUMUZ}` : '';
  return `box ${row.sandik_NO ?? JSON.stringify((row as Record<string, unknown>)['sandik_NO'])}${rumuz}`;
}

/** The sheet figures of a result row (votes keyed by the column map's `ad`). */
export function rowSheet(row: YskResultRow, columns: readonly Column[]): Sheet {
  const raw = row as Record<string, unknown>;
  const votes: Record<string, number> = {};
  for (const c of columns) {
    if (!(c.column in raw)) throw new YskRowError('missing_column', `row of ${describeBox(row)} has no column "${c.column}" (${c.name})`);
    const value = raw[c.column];
    if (value === null) {
      votes[c.name] = 0;
      continue;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new YskRowError('bad_vote', `${describeBox(row)}: "${c.column}" is ${JSON.stringify(value)}`);
    }
    votes[c.name] = value;
  }
  return {
    registered: row.secmen_SAYISI,
    voted: row.oy_KULLANAN_SECMEN_SAYISI,
    validUncontested: row.itirazsiz_GECERLI_OY_SAYISI,
    validAfterObjection: row.itirazli_GECERLI_OY_SAYISI,
    valid: row.gecerli_OY_TOPLAMI,
    invalid: row.gecersiz_OY_TOPLAMI,
    votes,
  };
}

/** Whether a row is an aggregate of its scope (`sandik_NO: null`) rather than one box. */
export function isAggregateRow(row: YskResultRow): boolean {
  const raw = (row as Record<string, unknown>)['sandik_NO'];
  return row.sandik_NO === null && (raw === null || raw === undefined || raw === '');
}

function normalise(row: YskResultRow, columns: readonly Column[], ctx: NormaliseContext, notes: string[] | null): YskObservation | null {
  if (isAggregateRow(row)) return null;
  const boxNo = row.sandik_NO;
  if (boxNo === null || boxNo < 1 || boxNo > 0x7fffffff) {
    throw new YskRowError('bad_box_no', `sandik_NO ${JSON.stringify((row as Record<string, unknown>)['sandik_NO'])} is not a box number`);
  }
  const kind = boxKindOf(row, ctx.kind);
  const place = placement(row, kind);
  if (!place) {
    throw new YskRowError(
      'no_location',
      `${describeBox(row)} (${kind}) cannot be placed: il_ID ${row.il_ID}, ilce_ID ${row.ilce_ID}, gumruk_ID ${row.gumruk_ID}, dis_TEMSILCILIK_ID ${row.dis_TEMSILCILIK_ID}, ulke_ID ${row.ulke_ID}`,
    );
  }
  const rumuz = normaliseRumuz(row.sandik_RUMUZ);
  if (rumuz === undefined) throw new YskRowError('bad_box_no', `${describeBox(row)}: sandik_RUMUZ ${JSON.stringify(row.sandik_RUMUZ)} is not letters`);
  if (row.secim_TURU != null && row.secim_TURU !== ctx.ballot) {
    throw new YskRowError('wrong_ballot', `${describeBox(row)} is secimTuru ${row.secim_TURU}, expected ${ctx.ballot}`);
  }
  let yskChangedAt: string | null = null;
  try {
    yskChangedAt = parseYskTime(row.son_ISLEM_TARIHI);
  } catch (err) {
    // metadata: a bad timestamp is noted, never a reason to drop the row
    notes?.push(`son_ISLEM_TARIHI of ${describeBox(row)}: ${(err as Error).message}`);
  }
  const ref: BoxRef = { election: ctx.election, ballot: ctx.ballot, province: place.province, district: place.district, boxNo };
  if (rumuz) ref.rumuz = rumuz;
  return {
    ref,
    kind,
    yskBoxId: positive(row.sandik_ID),
    neighbourhood: positive(row.muhtarlik_ID),
    sheet: rowSheet(row, columns),
    yskVersion: row.versiyon,
    yskChangedAt,
    changeReason: row.degisiklik_NEDENI,
    fetchedAt: ctx.fetchedAt,
  };
}

/**
 * One `getSecimSandikSonucList` row → the observation the store takes, or null for an
 * aggregate row (`sandik_NO: null`). Throws YskRowError when a box row cannot be placed or
 * read (no province/district for its kind, a mapped column missing, a bad vote cell, another
 * ballot type). Metadata never throws: a bad `son_ISLEM_TARIHI` reads as null.
 */
export function normaliseResultRow(row: YskResultRow, columns: readonly Column[], ctx: NormaliseContext): YskObservation | null {
  return normalise(row, columns, ctx, null);
}

/** A box row that could not become an observation: rejected on its own, the others are kept. */
export interface RejectedResultRow {
  index: number;
  code: YskRowErrorCode;
  message: string;
  row: YskResultRow;
}

export interface NormalisedRows {
  observations: YskObservation[];
  aggregateRows: number;
  rejected: RejectedResultRow[];
  /** metadata read as null (a bad timestamp), one line each */
  notes: string[];
}

/** All box rows of a payload; aggregate rows are skipped and counted, unreadable rows rejected one by one. */
export function normaliseResultRows(rows: readonly YskResultRow[], columns: readonly Column[], ctx: NormaliseContext): NormalisedRows {
  const out: NormalisedRows = { observations: [], aggregateRows: 0, rejected: [], notes: [] };
  rows.forEach((row, index) => {
    try {
      const obs = normalise(row, columns, ctx, out.notes);
      if (obs) out.observations.push(obs);
      else out.aggregateRows++;
    } catch (err) {
      if (!(err instanceof YskRowError)) throw err;
      out.rejected.push({ index, code: err.code, message: err.message, row });
    }
  });
  return out;
}

/** Box-number bounds of a `getMuhtarlikList` row (strings in the real feed) as numbers; null when unusable. */
export function boxBounds(min: unknown, max: unknown): { min: number; max: number } | null {
  const lo = metaInt(min);
  const hi = metaInt(max);
  return lo !== null && hi !== null && lo > 0 && hi >= lo ? { min: lo, max: hi } : null;
}
