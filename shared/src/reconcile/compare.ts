import { voteField } from '../domain/diff';
import { SHEET_FIGURES, type Sheet } from '../domain/sheet';

/** A party's votes, 0 when the sheet does not list it. */
export function voteOf(votes: Readonly<Record<string, number>>, name: string): number {
  return Object.hasOwn(votes, name) ? votes[name]! : 0;
}

export interface SheetDifferences {
  /** `registered`…`invalid`, `votes.<name>`: ysk − org, only where non-zero */
  differences: Record<string, number>;
  totalAbsDifference: number;
}

/**
 * ysk − org figure by figure and party by party. A party missing on one side counts as 0
 * there, so a party listed with 0 votes on one side and absent on the other is no difference.
 */
export function sheetDifferences(ysk: Sheet, org: Sheet): SheetDifferences {
  const differences: Record<string, number> = {};
  let totalAbsDifference = 0;
  const note = (field: string, d: number) => {
    if (d === 0) return;
    differences[field] = d;
    totalAbsDifference += Math.abs(d);
  };
  for (const figure of SHEET_FIGURES) note(figure, ysk[figure] - org[figure]);
  const names = Object.keys({ ...ysk.votes, ...org.votes }).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) note(voteField(name), voteOf(ysk.votes, name) - voteOf(org.votes, name));
  return { differences, totalAbsDifference };
}
