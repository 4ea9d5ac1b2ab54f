import type { BoxCounters } from '../api/contracts';
import type { BoxKind, BoxRef, Entry, SheetVersion } from '../domain/box';
import type { Sheet } from '../domain/sheet';
import type { BoxStatus } from '../domain/status';

export type EntrySource = Entry['source'];

/** Everything known about one box-result, for the pure `reconcileBox`. */
export interface ReconcileInput {
  /** every stored YSK version of the box (any order; the highest `seq` is the latest) */
  versions: readonly SheetVersion[];
  /** every observer entry of the box (any order) */
  entries: readonly Entry[];
  /** an entry a legal officer confirmed; it resolves conflicting entries */
  confirmedEntryId?: string | null;
  /**
   * ENTRY_CONFIRMATIONS: how many different observers must have entered the same figures
   * (each observer's latest entry counting once) before they are the organisation's figure;
   * a confirmation entry is the figure at once. Default 1.
   */
  confirmations?: number;
  /** ms since epoch */
  now: number;
  staleAfterMs: number;
  /**
   * the versiyon YSK gives a box's first publication in this election, when known (see
   * `VersionBaseline`): a box first seen with a higher one was revised before we saw it
   */
  firstVersionBaseline?: number | null;
}

/** The reconciliation of one box-result. */
export interface BoxReconciliation {
  status: BoxStatus;
  /** revised after we first saw it, or first seen already revised */
  altered: boolean;
  /** first seen already revised: a non-zero change code, or a versiyon above the election's first */
  alteredBeforeSeen: boolean;
  conflicting: boolean;
  /** entries exist but none is agreed by `confirmations` observers nor confirmed: no organisation figure yet */
  unconfirmed: boolean;
  stale: boolean;
  /** latest YSK sheet */
  ysk: Sheet | null;
  /** the organisation's sheet: the confirmed entry, else the latest agreed one (see `confirmations`) */
  org: Sheet | null;
  orgEntryId: string | null;
  /** first publication by YSK, ms since epoch (fetchedAt of version 1: our clock) */
  yskPublishedAt: number | null;
  yskAgeMs: number | null;
  /** createdAt of the entry in force, ms since epoch */
  enteredAt: number | null;
  versions: number;
  /** `registered`…`invalid`, `votes.<name>`: ysk − org, only where non-zero */
  differences: Record<string, number>;
  totalAbsDifference: number;
  /** `ysk:<code>` / `org:<code>` for every sheet check issue of either side */
  warnings: string[];
}

/** One YSK version as the state takes it. */
export interface YskVersionInput {
  sheet: Sheet;
  /** 1 for the first publication, then 2, 3, … (older seqs than the one held are ignored) */
  seq: number;
  /** when YSK first published the box (ms since epoch, our clock) */
  publishedAt: number;
  /** when this version was seen (ms since epoch); defaults to publishedAt */
  changedAt?: number;
  /** what the box's first stored version said of itself (YSK's versiyon and change code) */
  first?: FirstSighting | null;
  /** the kind of box, when known (kept from registration otherwise) */
  kind?: BoxKind;
}

/** YSK's own change tracking on the first version we stored of a box. */
export interface FirstSighting {
  yskVersion: number | null;
  changeReason: number | null;
}

/** One observer entry as the state takes it. */
export interface EntryInput {
  id: string;
  observer: string;
  source: EntrySource;
  sheet: Sheet;
  /** ms since epoch */
  createdAt: number;
}

/** The flags of one box-result, before and after a change. */
export interface BoxFlags {
  status: BoxStatus;
  altered: boolean;
  conflicting: boolean;
  unconfirmed: boolean;
  stale: boolean;
  versions: number;
  totalAbsDifference: number;
}

/** What one apply/confirm/tick did to one box-result. */
export interface BoxChange {
  key: string;
  ref: BoxRef;
  /** null when the box-result was unknown before */
  before: BoxFlags | null;
  after: BoxFlags;
  /** figures, flags or status changed */
  changed: boolean;
}

export const COUNTER_FIELDS = [
  'total',
  'yskPublished',
  'entered',
  'match',
  'mismatch',
  'yskOnly',
  'orgOnly',
  'stale',
  'altered',
  'conflicting',
  'unconfirmed',
] as const satisfies readonly (keyof BoxCounters)[];

export function emptyCounters(): BoxCounters {
  return { total: 0, yskPublished: 0, entered: 0, match: 0, mismatch: 0, yskOnly: 0, orgOnly: 0, stale: 0, altered: 0, conflicting: 0, unconfirmed: 0 };
}
