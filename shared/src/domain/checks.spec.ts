import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkSheet, type SheetIssueCode } from './checks';
import type { Sheet } from './sheet';

const ok: Sheet = { registered: 300, voted: 250, validUncontested: 238, validAfterObjection: 2, valid: 240, invalid: 10, votes: { A: 100, B: 140 } };
const codes = (sheet: Sheet) => {
  const { errors, warnings } = checkSheet(sheet);
  return { errors: errors.map((i) => i.code), warnings: warnings.map((i) => i.code) };
};

describe('checkSheet', () => {
  it.each<[string, Sheet, string[], string[]]>([
    ['a consistent sheet', ok, [], []],
    ['voted > registered', { ...ok, registered: 249 }, [], ['turnout_over_registered']],
    ['party votes short', { ...ok, votes: { A: 99, B: 140 } }, [], ['votes_short']],
    ['party votes over valid', { ...ok, votes: { A: 101, B: 140 } }, ['votes_exceed_valid'], []],
    ['valid parts', { ...ok, validAfterObjection: 3 }, ['valid_parts_mismatch'], []],
    ['valid + invalid ≠ voted', { ...ok, invalid: 11 }, ['valid_invalid_not_voted'], []],
    ['a negative party', { ...ok, votes: { A: 100, B: 140, C: -1 } }, ['negative_figure'], ['votes_short']],
    ['a fractional figure', { ...ok, registered: 300.5 }, ['non_integer_figure'], []],
    ['both warnings', { ...ok, registered: 10, votes: { A: 1 } }, [], ['votes_short', 'turnout_over_registered']],
  ])('%s', (_, sheet, errors, warnings) => {
    expect(codes(sheet)).toEqual({ errors, warnings });
  });

  it('names the field and says the numbers', () => {
    const [issue] = checkSheet({ ...ok, votes: { A: 98, B: 140 } }).warnings;
    expect(issue).toEqual({ code: 'votes_short', field: 'valid', message: expect.stringContaining('2 short of the 240 valid votes') });
    expect(checkSheet({ ...ok, votes: { A: 100, B: 140, C: -3 } }).errors[0]?.field).toBe('votes.C');
  });
});

/** Where the read-only shared/ folder sits: beside the clone. */
const sharedDataDir = process.env.GOZCU_SHARED_DATA ?? path.resolve(__dirname, '..', '..', '..', 'vendor', 'data');

/** The Bayburt 2014 municipal file as Sheets: columns 8–13 the header, 14–24 the parties. */
function readBayburt(): { district: number; boxNo: number; sheet: Sheet }[] {
  const text = fs.readFileSync(path.join(sharedDataDir, 'real', 'yerel2014_il69_bayburt.utf8.tsv'), 'utf8');
  const [header, ...lines] = text.split('\n').filter((line) => line.trim() !== '');
  const parties = header!.split('\t').slice(13);
  return lines.map((line) => {
    const cells = line.split('\t');
    const n = cells.map(Number);
    const votes: Record<string, number> = {};
    parties.forEach((party, k) => (votes[party] = n[13 + k]!));
    return {
      district: n[1]!,
      boxNo: n[6]!,
      sheet: { registered: n[7]!, voted: n[8]!, validUncontested: n[9]!, validAfterObjection: n[10]!, valid: n[11]!, invalid: n[12]!, votes },
    };
  });
}

describe('checkSheet on the real Bayburt 2014 file', () => {
  const rows = readBayburt();

  it('parses every row with the eleven party columns', () => {
    // `wc -l` = 106 lines: a header + 105 boxes; 24 columns on every line.
    expect(rows).toHaveLength(105);
    expect(Object.keys(rows[0]!.sheet.votes)).toEqual(['AK PARTİ', 'MHP', 'SAADET', 'CHP', 'BTP', 'BBP', 'DP', 'DSP', 'HDP', 'DBP', 'Diger']);
  });

  it('finds no errors and no warnings', () => {
    // Counted independently with awk over columns 8–24 (valid parts, valid+invalid vs voted,
    // Σ parties vs valid, voted vs registered, negative / non-integer cells): every count is 0.
    const all = rows.map((r) => codes(r.sheet));
    expect(all.flatMap((c) => c.errors)).toHaveLength(0);
    expect(all.flatMap((c) => c.warnings)).toHaveLength(0);
  });

  it.each<[string, (s: Sheet) => Sheet, SheetIssueCode]>([
    ['one more valid uncontested vote', (s) => ({ ...s, validUncontested: s.validUncontested + 1, valid: s.valid + 1, voted: s.voted + 1 }), 'votes_short'],
    ['voted raised past registered', (s) => ({ ...s, registered: s.voted - 1 }), 'turnout_over_registered'],
  ])('flags every row after %s', (_, mutate, code) => {
    const flagged = rows.filter((r) => codes(mutate(r.sheet)).warnings.includes(code));
    expect(flagged).toHaveLength(105);
  });
});
