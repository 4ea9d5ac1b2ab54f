import * as shared from '@gozcu/shared';
import { sheetHash, versionHash } from './hash';

describe("the server's content hashes", () => {
  const sheets: shared.Sheet[] = [
    { registered: 300, voted: 250, validUncontested: 240, validAfterObjection: 0, valid: 240, invalid: 10, votes: { 'AK PARTİ': 100, CHP: 140 } },
    { registered: 0, voted: 0, validUncontested: 0, validAfterObjection: 0, valid: 0, invalid: 0, votes: {} },
    { registered: 9, voted: 9, validUncontested: 9, validAfterObjection: 0, valid: 9, invalid: 0, votes: { 'İYİ PARTİ': 4, 'Ğüşiöç 🗳': 5, '\ud800': 0 } },
  ];

  it.each(sheets)('give the shared sheet hash (%#)', (sheet) => {
    expect(sheetHash(sheet)).toBe(shared.sheetHash(sheet));
  });

  it.each(sheets)('give the shared version hash (%#)', (sheet) => {
    const v = { sheet, yskVersion: 3, yskChangedAt: '2024-03-31T19:00:00.000Z', changeReason: 2 };
    expect(versionHash(v)).toBe(shared.versionHash(v));
    expect(versionHash({ ...v, yskVersion: null, yskChangedAt: null, changeReason: null })).toBe(
      shared.versionHash({ ...v, yskVersion: null, yskChangedAt: null, changeReason: null }),
    );
  });
});
