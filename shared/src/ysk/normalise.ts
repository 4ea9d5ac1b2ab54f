import type { BallotCode } from '../domain/ballot';
import type { YskObservation } from '../domain/box';
import type { Column, Sheet } from '../domain/sheet';
import type { YskResultRow } from './schemas';
import { parseYskTime } from './time';

export interface NormaliseContext {
  election: string;
  ballot: BallotCode;
  /** ISO UTC time of the fetch. */
  fetchedAt: string;
}

export type YskRowErrorCode = 'no_location' | 'missing_column' | 'bad_vote' | 'bad_time' | 'wrong_ballot';

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

/** The sheet figures of a result row (votes keyed by the column map's `ad`). */
export function rowSheet(row: YskResultRow, columns: readonly Column[]): Sheet {
  const raw = row as Record<string, unknown>;
  const votes: Record<string, number> = {};
  for (const c of columns) {
    if (!(c.column in raw)) throw new YskRowError('missing_column', `row of box ${row.sandik_NO} has no column "${c.column}" (${c.name})`);
    const value = raw[c.column];
    if (value === null) {
      votes[c.name] = 0;
      continue;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new YskRowError('bad_vote', `box ${row.sandik_NO}: "${c.column}" is ${JSON.stringify(value)}`);
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

/**
 * One `getSecimSandikSonucList` row → the observation the store takes, or null for an
 * aggregate row (`sandik_NO: null`). Throws YskRowError when a box row cannot be placed or
 * read (no province/district, a mapped column missing, a bad timestamp, another ballot type).
 */
export function normaliseResultRow(row: YskResultRow, columns: readonly Column[], ctx: NormaliseContext): YskObservation | null {
  if (row.sandik_NO === null) return null;
  if (row.il_ID == null || row.ilce_ID == null) {
    throw new YskRowError('no_location', `box ${row.sandik_NO} has no il_ID/ilce_ID (abroad or customs rows need their own placement)`);
  }
  if (row.secim_TURU != null && row.secim_TURU !== ctx.ballot) {
    throw new YskRowError('wrong_ballot', `box ${row.sandik_NO} is secimTuru ${row.secim_TURU}, expected ${ctx.ballot}`);
  }
  let yskChangedAt: string | null;
  try {
    yskChangedAt = parseYskTime(row.son_ISLEM_TARIHI);
  } catch (err) {
    throw new YskRowError('bad_time', `box ${row.sandik_NO}: ${(err as Error).message}`);
  }
  return {
    ref: { election: ctx.election, ballot: ctx.ballot, province: row.il_ID, district: row.ilce_ID, boxNo: row.sandik_NO },
    yskBoxId: row.sandik_ID ?? null,
    neighbourhood: row.muhtarlik_ID ?? null,
    sheet: rowSheet(row, columns),
    yskVersion: row.versiyon ?? null,
    yskChangedAt,
    changeReason: row.degisiklik_NEDENI ? row.degisiklik_NEDENI : null,
    fetchedAt: ctx.fetchedAt,
  };
}

/** All box rows of a payload; aggregate rows are skipped and counted. */
export function normaliseResultRows(
  rows: readonly YskResultRow[],
  columns: readonly Column[],
  ctx: NormaliseContext,
): { observations: YskObservation[]; aggregateRows: number } {
  const observations: YskObservation[] = [];
  let aggregateRows = 0;
  for (const row of rows) {
    const obs = normaliseResultRow(row, columns, ctx);
    if (obs) observations.push(obs);
    else aggregateRows++;
  }
  return { observations, aggregateRows };
}
