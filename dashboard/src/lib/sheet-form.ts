/**
 * The observer's result-sheet form (issue 12): what was typed, as text per field, turned into a
 * sheet, and the shared sheet checks (`checkSheet`) run while typing. An issue shows as soon as
 * every field it is about has been filled; errors block the submit, warnings ask for a second
 * look at the paper.
 */
import { checkSheet, sumVotes, SHEET_FIGURES, type Sheet, type SheetFigure, type SheetIssueCode } from '@gozcu/shared';

/** What the form holds: text as typed, per header figure and per party/candidate. */
export interface SheetDraft {
  figures: Record<SheetFigure, string>;
  votes: Record<string, string>;
}

/** One issue of the form, with what the message needs; `fields` are the inputs to mark. */
export interface FormIssue {
  code: SheetIssueCode | 'not_a_count';
  params: Record<string, number | string>;
  fields: string[];
}

export interface FormCheck {
  /** fields still empty (figure names, then `votes.<name>`), in form order */
  missing: string[];
  errors: FormIssue[];
  warnings: FormIssue[];
  /** the sheet, once every field holds a whole number; null before */
  sheet: Sheet | null;
}

export function emptyDraft(columns: readonly string[]): SheetDraft {
  return {
    figures: Object.fromEntries(SHEET_FIGURES.map((f) => [f, ''])) as Record<SheetFigure, string>,
    votes: Object.fromEntries(columns.map((c) => [c, ''])),
  };
}

/** A sheet's figures as form text (a correction starts from the previous entry). */
export function draftOf(sheet: Sheet, columns: readonly string[]): SheetDraft {
  const draft = emptyDraft(columns.length ? columns : Object.keys(sheet.votes));
  for (const f of SHEET_FIGURES) draft.figures[f] = String(sheet[f]);
  for (const name of Object.keys(draft.votes)) draft.votes[name] = name in sheet.votes ? String(sheet.votes[name]) : '';
  return draft;
}

/** Text → a count: null when empty, NaN when not a whole number ≥ 0 (digits only; spaces and dots as grouping allowed). */
export function parseCount(text: string): number | null {
  const t = text.replace(/[\s.]/g, '');
  if (t === '') return null;
  if (!/^\d{1,9}$/.test(t)) return NaN;
  return Number(t);
}

/** Every field of the form in the sheet's own order: the header figures, then the ballot's columns. */
export function formFields(columns: readonly string[]): string[] {
  return [...SHEET_FIGURES, ...columns.map((c) => `votes.${c}`)];
}

/** The fields each shared check is about: it shows once all of them are filled. */
const NEEDS: Partial<Record<SheetIssueCode, (columns: readonly string[]) => string[]>> = {
  valid_parts_mismatch: () => ['validUncontested', 'validAfterObjection', 'valid'],
  valid_invalid_not_voted: () => ['valid', 'invalid', 'voted'],
  votes_short: (c) => ['valid', ...c.map((n) => `votes.${n}`)],
  turnout_over_registered: () => ['registered', 'voted'],
};

export function checkDraft(draft: SheetDraft, columns: readonly string[]): FormCheck {
  const values = new Map<string, number | null>();
  for (const f of SHEET_FIGURES) values.set(f, parseCount(draft.figures[f] ?? ''));
  for (const c of columns) values.set(`votes.${c}`, parseCount(draft.votes[c] ?? ''));
  const fields = formFields(columns);
  const missing = fields.filter((f) => values.get(f) === null);
  const errors: FormIssue[] = [];
  const warnings: FormIssue[] = [];
  for (const f of fields) {
    const v = values.get(f);
    if (v !== null && v !== undefined && Number.isNaN(v)) errors.push({ code: 'not_a_count', params: { field: f }, fields: [f] });
  }
  const num = (f: string) => {
    const v = values.get(f);
    return v === null || v === undefined || Number.isNaN(v) ? 0 : v;
  };
  const sheet: Sheet = {
    ...(Object.fromEntries(SHEET_FIGURES.map((f) => [f, num(f)])) as Record<SheetFigure, number>),
    votes: Object.fromEntries(columns.map((c) => [c, num(`votes.${c}`)])),
  };
  const filled = (fs: string[]) =>
    fs.every((f) => {
      const v = values.get(f);
      return v !== null && v !== undefined && !Number.isNaN(v);
    });
  const shared = checkSheet(sheet);
  const votes = sumVotes(sheet.votes);
  const params = (code: SheetIssueCode): Record<string, number> => {
    switch (code) {
      case 'valid_parts_mismatch':
        return {
          uncontested: sheet.validUncontested,
          afterObjection: sheet.validAfterObjection,
          sum: sheet.validUncontested + sheet.validAfterObjection,
          valid: sheet.valid,
        };
      case 'valid_invalid_not_voted':
        return { valid: sheet.valid, invalid: sheet.invalid, sum: sheet.valid + sheet.invalid, voted: sheet.voted };
      case 'votes_exceed_valid':
        return { votes, valid: sheet.valid, over: votes - sheet.valid };
      case 'votes_short':
        return { votes, valid: sheet.valid, short: sheet.valid - votes };
      case 'turnout_over_registered':
        return { voted: sheet.voted, registered: sheet.registered, over: sheet.voted - sheet.registered };
      default:
        return {};
    }
  };
  for (const [list, into] of [
    [shared.errors, errors],
    [shared.warnings, warnings],
  ] as const) {
    for (const issue of list) {
      if (issue.code === 'negative_figure' || issue.code === 'non_integer_figure') continue; // the text parser already refuses these
      // party votes above the valid votes is wrong as soon as the typed ones exceed it
      const needs = issue.code === 'votes_exceed_valid' ? ['valid'] : (NEEDS[issue.code]?.(columns) ?? []);
      if (!filled(needs)) continue;
      into.push({
        code: issue.code,
        params: params(issue.code),
        fields: issue.code === 'votes_exceed_valid' || issue.code === 'votes_short' ? ['valid', ...columns.map((c) => `votes.${c}`)] : needs,
      });
    }
  }
  return { missing, errors, warnings, sheet: missing.length || errors.length ? null : sheet };
}
