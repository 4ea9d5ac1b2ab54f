import type { Entry, SheetVersion } from '../domain/box';
import type { Sheet } from '../domain/sheet';
import { reconcileBox } from './reconcile-box';

const T0 = Date.parse('2024-03-31T18:00:00.000Z');
const sheet: Sheet = { registered: 300, voted: 250, validUncontested: 240, validAfterObjection: 0, valid: 240, invalid: 10, votes: { A: 100, B: 140 } };
const other: Sheet = { ...sheet, votes: { A: 90, B: 150 } };

const version = (seq: number, s: Sheet, at = T0): SheetVersion => ({
  key: 'k',
  seq,
  hash: `h${seq}`,
  sheet: s,
  yskVersion: seq,
  yskChangedAt: null,
  changeReason: null,
  fetchedAt: new Date(at + (seq - 1) * 60_000).toISOString(),
});
const entry = (id: string, observer: string, s: Sheet, minute: number, source: Entry['source'] = 'observer'): Entry => ({
  id,
  key: 'k',
  sheet: s,
  hash: id,
  observer,
  source,
  idempotencyKey: `idem-${id}`,
  createdAt: new Date(T0 + minute * 60_000).toISOString(),
  warnings: [],
});
const run = (versions: SheetVersion[], entries: Entry[], minutes = 5, confirmedEntryId?: string) =>
  reconcileBox({ versions, entries, confirmedEntryId, now: T0 + minutes * 60_000, staleAfterMs: 30 * 60_000 });

describe('reconcileBox', () => {
  it.each([
    ['nothing yet', [], [], 5, 'awaiting', false, false, false],
    ['YSK only, young', [version(1, sheet)], [], 5, 'ysk_only', false, false, false],
    ['YSK only, past the threshold', [version(1, sheet)], [], 31, 'ysk_only', false, false, true],
    ['YSK only, exactly at the threshold', [version(1, sheet)], [], 30, 'ysk_only', false, false, false],
    ['observer only', [], [entry('e1', 'o1', sheet, 1)], 60, 'org_only', false, false, false],
    ['equal', [version(1, sheet)], [entry('e1', 'o1', sheet, 1)], 60, 'match', false, false, false],
    ['different', [version(1, sheet)], [entry('e1', 'o1', other, 1)], 60, 'mismatch', false, false, false],
    ['altered, latest equal', [version(1, other), version(2, sheet)], [entry('e1', 'o1', sheet, 1)], 60, 'match', true, false, false],
    ['two observers disagree', [version(1, sheet)], [entry('e1', 'o1', sheet, 1), entry('e2', 'o2', other, 2)], 60, 'mismatch', false, true, false],
    ['two observers agree', [version(1, sheet)], [entry('e1', 'o1', sheet, 1), entry('e2', 'o2', sheet, 2)], 60, 'match', false, false, false],
    ['one observer corrects itself', [version(1, sheet)], [entry('e1', 'o1', other, 1), entry('e2', 'o1', sheet, 2)], 60, 'match', false, false, false],
    [
      'a confirmation resolves',
      [version(1, sheet)],
      [entry('e1', 'o1', sheet, 1), entry('e2', 'o2', other, 2), entry('c', 'legal', sheet, 3, 'confirmation')],
      60,
      'match',
      false,
      false,
      false,
    ],
  ] as const)('%s → %s', (_, versions, entries, minutes, status, altered, conflicting, stale) => {
    const r = run([...versions], [...entries], minutes);
    expect({ status: r.status, altered: r.altered, conflicting: r.conflicting, stale: r.stale }).toEqual({ status, altered, conflicting, stale });
  });

  it('an explicit confirmedEntryId picks that entry', () => {
    const r = run([version(1, sheet)], [entry('e1', 'o1', other, 1), entry('e2', 'o2', sheet, 2)], 60, 'e1');
    expect([r.status, r.conflicting, r.orgEntryId]).toEqual(['mismatch', false, 'e1']);
  });

  it('keeps ysk − org per figure and party, only non-zero', () => {
    const org: Sheet = { ...sheet, voted: 251, invalid: 11, votes: { A: 95, C: 5 } };
    const r = run([version(1, sheet)], [entry('e1', 'o1', org, 1)]);
    expect(r.differences).toEqual({ voted: -1, invalid: -1, 'votes.A': 5, 'votes.B': 140, 'votes.C': -5 });
    expect(r.totalAbsDifference).toBe(152);
  });

  it('reports the age, the version count and both sides’ warnings', () => {
    const short: Sheet = { ...sheet, votes: { A: 100, B: 139 } };
    const r = run([version(2, short), version(1, sheet)], [entry('e1', 'o1', { ...sheet, registered: 200 }, 1)], 45);
    expect(r.versions).toBe(2);
    expect(r.yskAgeMs).toBe(45 * 60_000);
    expect(r.ysk).toBe(short);
    expect(r.warnings).toEqual(['ysk:votes_short', 'org:turnout_over_registered']);
  });

  describe('the N-entry rule (ENTRY_CONFIRMATIONS)', () => {
    const withN = (n: number, entries: Entry[]) =>
      reconcileBox({ versions: [version(1, sheet)], entries, now: T0 + 60 * 60_000, staleAfterMs: 30 * 60_000, confirmations: n });
    const summary = (r: ReturnType<typeof withN>) => ({
      status: r.status,
      unconfirmed: r.unconfirmed,
      conflicting: r.conflicting,
      org: r.orgEntryId,
      stale: r.stale,
    });

    it.each([
      // n, entries, status, unconfirmed, conflicting, the entry in force
      [1, [entry('e1', 'o1', other, 1)], 'mismatch', false, false, 'e1'],
      [2, [entry('e1', 'o1', other, 1)], 'ysk_only', true, false, null],
      [2, [entry('e1', 'o1', other, 1), entry('e2', 'o2', other, 2)], 'mismatch', false, false, 'e2'],
      [3, [entry('e1', 'o1', other, 1), entry('e2', 'o2', other, 2)], 'ysk_only', true, false, null],
      [3, [entry('e1', 'o1', other, 1), entry('e2', 'o2', other, 2), entry('e3', 'o3', other, 3)], 'mismatch', false, false, 'e3'],
      // the same person twice is one
      [2, [entry('e1', 'o1', sheet, 1), entry('e2', 'o1', sheet, 2)], 'ysk_only', true, false, null],
      [3, [entry('e1', 'o1', sheet, 1), entry('e2', 'o1', sheet, 2), entry('e3', 'o2', sheet, 3)], 'ysk_only', true, false, null],
      // disagreement: conflicting; the agreed pair holds
      [2, [entry('e1', 'o1', sheet, 1), entry('e2', 'o2', other, 2)], 'ysk_only', true, true, null],
      [2, [entry('e1', 'o1', sheet, 1), entry('e2', 'o2', other, 2), entry('e3', 'o3', sheet, 3)], 'match', false, true, 'e3'],
      // a correction supersedes that observer's earlier entry (the pair falls apart)
      [2, [entry('e1', 'o1', sheet, 1), entry('e2', 'o2', sheet, 2), entry('e3', 'o1', other, 3)], 'ysk_only', true, true, null],
      // a confirming role's confirmation wins, for any N
      [3, [entry('e1', 'o1', other, 1), entry('c', 'chief', sheet, 2, 'confirmation')], 'match', false, false, 'c'],
      [2, [entry('e1', 'o1', other, 1), entry('e2', 'o2', other, 2), entry('c', 'chief', sheet, 3, 'confirmation')], 'match', false, false, 'c'],
    ] as const)('N=%i, %j → %s', (n, entries, status, unconfirmed, conflicting, org) => {
      expect(summary(withN(n, [...entries]))).toEqual({ status, unconfirmed, conflicting, org, stale: false });
    });

    it('when two figures each reach N, the one agreed last is in force', () => {
      const r = withN(2, [entry('a1', 'o1', sheet, 1), entry('b1', 'o2', other, 2), entry('a2', 'o3', sheet, 3), entry('b2', 'o4', other, 4)]);
      expect([r.orgEntryId, r.status, r.conflicting]).toEqual(['b2', 'mismatch', true]);
    });
  });
});
