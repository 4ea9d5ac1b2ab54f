import type { BallotCode } from '../domain/ballot';
import type { BoxKind } from '../domain/box';
import type { BoxStatus } from '../domain/status';
import type { Sheet } from '../domain/sheet';

/** Where a view or a query is scoped. */
export type Scope =
  | { level: 'country' }
  | { level: 'province'; province: number }
  | { level: 'district'; province: number; district: number };

export interface BoxCounters {
  total: number;
  yskPublished: number;
  entered: number;
  match: number;
  mismatch: number;
  yskOnly: number;
  orgOnly: number;
  stale: number;
  altered: number;
  conflicting: number;
}

/** `GET /api/coverage?province=&district=&ballot=` — a contract other tools read (issue 4). */
export interface Coverage {
  scope: Scope;
  ballot: BallotCode | null;
  asOf: string;
  boxes: BoxCounters;
  /** the same counters per kind of box (domestic, prison, customs, abroad); they add up to `boxes` */
  kinds?: Record<BoxKind, BoxCounters>;
  votes: { ysk: Record<string, number>; org: Record<string, number> };
  registered: number;
  voted: number;
  valid: number;
  invalid: number;
}

/** One row of `GET /api/boxes`. */
export interface BoxSummary {
  key: string;
  election: string;
  ballot: BallotCode;
  province: number;
  district: number;
  boxNo: number;
  /** letters YSK adds to abroad and customs box numbers (part of the key) */
  rumuz?: string;
  kind?: BoxKind;
  status: BoxStatus;
  /** YSK changed the box after first publishing it, or before we first saw it (see alteredBeforeSeen) */
  altered: boolean;
  /** first seen already revised: YSK's change code or version said so ("changed before we saw it") */
  alteredBeforeSeen?: boolean;
  conflicting: boolean;
  stale: boolean;
  /** ms since YSK first published the box (null when YSK has not). */
  yskAgeMs: number | null;
  yskPublishedAt: string | null;
  enteredAt: string | null;
  ysk: Sheet | null;
  org: Sheet | null;
  /** per figure / party: ysk − org, only where they differ */
  differences: Record<string, number>;
  totalAbsDifference: number;
  versions: number;
  warnings: string[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

/** The ack envelope every client → server command answers with. */
export type Ack<T = unknown> = { ok: true; data: T } | { ok: false; msg: string };

/** Error body of every 4xx/5xx. */
export interface ApiError {
  statusCode: number;
  error: string;
  message: string;
  /** field path → what is wrong, for validation errors */
  issues?: Record<string, string>;
}
