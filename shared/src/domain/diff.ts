import { sortedVoteNames } from './hash';
import { SHEET_FIGURES, type Sheet, type SheetFigure } from './sheet';

export type FieldName = SheetFigure | `votes.${string}`;

/** One figure that differs between two versions of a sheet; null where a party is absent. */
export interface FieldChange {
  field: FieldName;
  before: number | null;
  after: number | null;
}

export function voteField(name: string): `votes.${string}` {
  return `votes.${name}`;
}

/** Every party/candidate named on either side, in a stable (code-unit) order. */
export function unionVoteNames(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): string[] {
  return sortedVoteNames({ ...a, ...b });
}

/**
 * What changed from `before` to `after`: header figures in SHEET_FIGURES order, then the
 * votes by name. A party present on one side only shows `null` on the other.
 */
export function diffSheets(before: Sheet, after: Sheet): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const figure of SHEET_FIGURES) {
    if (before[figure] !== after[figure]) changes.push({ field: figure, before: before[figure], after: after[figure] });
  }
  for (const name of unionVoteNames(before.votes, after.votes)) {
    const was = Object.hasOwn(before.votes, name) ? before.votes[name]! : null;
    const now = Object.hasOwn(after.votes, name) ? after.votes[name]! : null;
    if (was !== now) changes.push({ field: voteField(name), before: was, after: now });
  }
  return changes;
}
