import { voteField, type FieldName } from './diff';
import { SHEET_FIGURES, type Sheet } from './sheet';

/** Stable codes of the sheet checks: errors make a sheet impossible, warnings are legal but worth a look. */
export const SHEET_ERROR_CODES = ['negative_figure', 'non_integer_figure', 'valid_parts_mismatch', 'valid_invalid_not_voted', 'votes_exceed_valid'] as const;
export const SHEET_WARNING_CODES = ['turnout_over_registered', 'votes_short'] as const;
export type SheetErrorCode = (typeof SHEET_ERROR_CODES)[number];
export type SheetWarningCode = (typeof SHEET_WARNING_CODES)[number];
export type SheetIssueCode = SheetErrorCode | SheetWarningCode;

export interface SheetIssue {
  code: SheetIssueCode;
  message: string;
  field?: FieldName;
}

export interface SheetCheck {
  errors: SheetIssue[];
  warnings: SheetIssue[];
}

function figureIssues(sheet: Sheet): SheetIssue[] {
  const issues: SheetIssue[] = [];
  const check = (field: FieldName, value: number) => {
    if (!Number.isInteger(value)) {
      issues.push({ code: 'non_integer_figure', field, message: `${field} is ${value}, not a whole number` });
    } else if (value < 0) {
      issues.push({ code: 'negative_figure', field, message: `${field} is ${value}, below zero` });
    }
  };
  for (const figure of SHEET_FIGURES) check(figure, sheet[figure]);
  for (const [name, votes] of Object.entries(sheet.votes)) check(voteField(name), votes);
  return issues;
}

export function sumVotes(votes: Readonly<Record<string, number>>): number {
  let sum = 0;
  for (const name in votes) sum += votes[name]!;
  return sum;
}

/**
 * The arithmetic a result sheet obeys (YSK-API.md, "What the numbers obey"). Errors: a
 * figure is negative or fractional, the valid parts do not add up, valid + invalid ≠ voted,
 * the party votes exceed the valid votes. Warnings: more voted than registered (legal:
 * officials vote with a certificate), party votes short of the valid votes.
 */
export function checkSheet(sheet: Sheet): SheetCheck {
  const errors = figureIssues(sheet);
  const warnings: SheetIssue[] = [];
  const { registered, voted, validUncontested, validAfterObjection, valid, invalid } = sheet;

  if (validUncontested + validAfterObjection !== valid) {
    errors.push({
      code: 'valid_parts_mismatch',
      field: 'valid',
      message: `valid uncontested ${validUncontested} + valid after objection ${validAfterObjection} = ${validUncontested + validAfterObjection}, but total valid is ${valid}`,
    });
  }
  if (valid + invalid !== voted) {
    errors.push({
      code: 'valid_invalid_not_voted',
      field: 'voted',
      message: `valid ${valid} + invalid ${invalid} = ${valid + invalid}, but ${voted} voted`,
    });
  }
  const votes = sumVotes(sheet.votes);
  if (votes > valid) {
    errors.push({
      code: 'votes_exceed_valid',
      field: 'valid',
      message: `party votes add up to ${votes}, ${votes - valid} more than the ${valid} valid votes`,
    });
  } else if (votes < valid) {
    warnings.push({
      code: 'votes_short',
      field: 'valid',
      message: `party votes add up to ${votes}, ${valid - votes} short of the ${valid} valid votes`,
    });
  }
  if (voted > registered) {
    warnings.push({
      code: 'turnout_over_registered',
      field: 'voted',
      message: `${voted} voted but only ${registered} are registered on the box list (${voted - registered} over)`,
    });
  }
  return { errors, warnings };
}
