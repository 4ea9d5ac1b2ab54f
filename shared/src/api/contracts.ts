import type { z } from 'zod';
import type { myBoxSchema, myBoxesResponse, myEntrySchema } from '../contracts/entries';
import type { BallotCode } from '../domain/ballot';
import type { BoxKind, Entry, SheetVersion } from '../domain/box';
import type { FieldChange } from '../domain/diff';
import type { BoxStatus } from '../domain/status';
import type { Sheet } from '../domain/sheet';

/** Where a view or a query is scoped. */
export type Scope = { level: 'country' } | { level: 'province'; province: number } | { level: 'district'; province: number; district: number };

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
  /** boxes with entries that no `ENTRY_CONFIRMATIONS` observers agree on and nobody confirmed (no organisation figure yet) */
  unconfirmed: number;
}

/** `GET /api/coverage?province=&district=&ballot=` — a contract other tools read (issue 4). */
export interface Coverage {
  scope: Scope;
  ballot: BallotCode | null;
  asOf: string;
  boxes: BoxCounters;
  /** the same counters per kind of box (domestic, prison, customs, abroad); they add up to `boxes` */
  kinds?: Record<BoxKind, BoxCounters>;
  votes: {
    /** YSK's totals over every box YSK published */
    ysk: Record<string, number>;
    /** the organisation's totals over every box it entered */
    org: Record<string, number>;
    /** both sides' totals over the same boxes only (YSK published and entered): like with like */
    both?: { boxes: number; ysk: Record<string, number>; org: Record<string, number> };
  };
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
  /** awaiting confirmation: entries exist, but not yet `ENTRY_CONFIRMATIONS` identical ones nor a confirmation; `org` is null */
  unconfirmed: boolean;
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
  /**
   * What went wrong, as a stable code the dashboard words in the user's language
   * (`validation`, `forbidden.scope`, `not_found`, …), with its parameters. `message` stays
   * the English text for logs and API users.
   */
  code?: string;
  params?: Record<string, string | number>;
}

/** `GET /api/entries/my-boxes`: the caller's boxes, each with the caller's own latest entry (schemas in contracts/entries). */
export type MyEntry = z.infer<typeof myEntrySchema>;
export type MyBox = z.infer<typeof myBoxSchema>;
export type MyBoxesResponse = z.infer<typeof myBoxesResponse>;

/** A stored version as `GET /api/boxes/:key` sends it: with its change from the version before. */
export interface VersionView extends SheetVersion {
  /** field-level changes from the previous version (empty for the first) */
  diff: FieldChange[];
  /**
   * recount/correction when YSK gave a reason, unexplained when it changed figures without one;
   * the first version is `first`, or `revised_before_seen` when YSK had already revised it
   */
  change: 'first' | 'revised_before_seen' | 'explained' | 'unexplained';
  /** the Turkish label of YSK's change code (null for 0/none) */
  reason: string | null;
}

/** Why a box with one version is altered: what its first version said of itself. */
export interface AlteredBeforeSeen {
  /** "Gözcü görmeden önce değiştirilmiş" */
  message: string;
  yskVersion: number | null;
  /** the election's first versiyon, as learned from the feed (null while unknown) */
  firstVersionOfElection: number | null;
  changeReason: number | null;
  reason: string | null;
}

/** `GET /api/boxes/:key` (with the caller's `embargo` beside it). */
export interface BoxDetail {
  summary: BoxSummary;
  versions: VersionView[];
  entries: Entry[];
  /** set when the box was first seen already revised ("changed before we first saw it") */
  alteredBeforeSeen: AlteredBeforeSeen | null;
}
