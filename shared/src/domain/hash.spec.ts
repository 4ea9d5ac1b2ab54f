import { diffSheets } from './diff';
import { canonicalSheet, sheetHash, versionHash } from './hash';
import type { Sheet } from './sheet';

const base: Sheet = { registered: 300, voted: 250, validUncontested: 240, validAfterObjection: 0, valid: 240, invalid: 10, votes: { A: 100, B: 140 } };
const reordered: Sheet = { invalid: 10, valid: 240, votes: { B: 140, A: 100 }, validAfterObjection: 0, validUncontested: 240, voted: 250, registered: 300 };

describe('sheetHash', () => {
  it('is hex SHA-256 and ignores key order', () => {
    expect(sheetHash(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(sheetHash(reordered)).toBe(sheetHash(base));
    expect(canonicalSheet(reordered)).toBe(canonicalSheet(base));
  });

  it.each<[string, Sheet]>([
    ['a header figure', { ...base, invalid: 11 }],
    ['a party count', { ...base, votes: { A: 101, B: 140 } }],
    ['swapped party counts', { ...base, votes: { A: 140, B: 100 } }],
    ['an extra party with 0', { ...base, votes: { ...base.votes, C: 0 } }],
    ['a renamed party', { ...base, votes: { A: 100, C: 140 } }],
    ['figures moved between header fields', { ...base, validUncontested: 0, validAfterObjection: 240 }],
  ])('changes with %s', (_, other) => {
    expect(sheetHash(other)).not.toBe(sheetHash(base));
  });
});

describe('versionHash', () => {
  const v = { sheet: base, yskVersion: 1, yskChangedAt: '2024-03-31T19:00:00.000Z', changeReason: null };
  it.each([
    ['yskVersion', { ...v, yskVersion: 2 }],
    ['yskChangedAt', { ...v, yskChangedAt: '2024-03-31T19:00:01.000Z' }],
    ['changeReason', { ...v, changeReason: 2 }],
    ['sheet', { ...v, sheet: { ...base, invalid: 9 } }],
  ])('changes with %s', (_, other) => {
    expect(versionHash(other)).not.toBe(versionHash(v));
  });
  it('is stable under key order and differs from the sheet hash', () => {
    expect(versionHash({ ...v, sheet: reordered })).toBe(versionHash(v));
    expect(versionHash(v)).not.toBe(sheetHash(base));
  });
});

describe('diffSheets', () => {
  it.each<[string, Sheet, Sheet, ReturnType<typeof diffSheets>]>([
    ['equal sheets', base, reordered, []],
    [
      'header then votes, in order',
      base,
      { ...base, voted: 251, invalid: 11, votes: { B: 139, A: 101 } },
      [
        { field: 'voted', before: 250, after: 251 },
        { field: 'invalid', before: 10, after: 11 },
        { field: 'votes.A', before: 100, after: 101 },
        { field: 'votes.B', before: 140, after: 139 },
      ],
    ],
    [
      'a party absent on one side is null',
      base,
      { ...base, votes: { B: 140, C: 0 } },
      [
        { field: 'votes.A', before: 100, after: null },
        { field: 'votes.C', before: null, after: 0 },
      ],
    ],
  ])('%s', (_, before, after, expected) => {
    expect(diffSheets(before, after)).toEqual(expected);
  });
});
