import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BoxRef } from '../domain/box';
import type { Sheet } from '../domain/sheet';
import { ReconciliationState } from './state';

/** The real data vendored in the repository (override with GOZCU_SHARED_DATA). */
const dataDir = process.env.GOZCU_SHARED_DATA ?? path.resolve(__dirname, '..', '..', '..', 'vendor', 'data');
const T0 = Date.parse('2024-03-31T19:00:00.000Z');
const STALE_MS = 30 * 60_000;

function readBayburt(): { ref: BoxRef; sheet: Sheet }[] {
  const text = fs.readFileSync(path.join(dataDir, 'real', 'yerel2014_il69_bayburt.utf8.tsv'), 'utf8');
  const [header, ...lines] = text.split('\n').filter((line) => line.trim() !== '');
  const parties = header!.split('\t').slice(13);
  return lines.map((line) => {
    const n = line.split('\t').map(Number);
    const votes: Record<string, number> = {};
    parties.forEach((party, k) => (votes[party] = n[13 + k]!));
    return {
      ref: { election: 'yerel2014', ballot: 3, province: n[0]!, district: n[1]!, boxNo: n[6]! },
      sheet: { registered: n[7]!, voted: n[8]!, validUncontested: n[9]!, validAfterObjection: n[10]!, valid: n[11]!, invalid: n[12]!, votes },
    };
  });
}

describe('Bayburt 2014 (real YSK side) against hand-made entries', () => {
  const rows = readBayburt();
  let now = T0;
  // one hand-made entry per box stands for the organisation's figure: one entry is enough here
  const state = new ReconciliationState({ election: 'yerel2014', staleAfterMs: STALE_MS, now: () => now, confirmations: 1 });
  rows.forEach(({ ref, sheet }, i) => {
    state.applyYsk(ref, { sheet, seq: 1, publishedAt: T0 });
    // row i % 4: 0 and 3 enter the same sheet, 1 moves 2 votes from AK PARTİ to CHP, 2 enters nothing
    if (i % 4 === 2) return;
    const votes = i % 4 === 1 ? { ...sheet.votes, 'AK PARTİ': sheet.votes['AK PARTİ']! - 2, CHP: sheet.votes['CHP']! + 2 } : sheet.votes;
    state.applyEntry(ref, { id: `e${i}`, observer: 'o', source: 'observer', sheet: { ...sheet, votes }, createdAt: T0 + 60_000 });
  });

  it('counts the statuses per province and district', () => {
    // 105 rows: i % 4 = 0 → 27 rows, 1, 2, 3 → 26 each.
    expect(state.counters({ level: 'province', province: 69 }, 3)).toEqual({
      total: 105,
      yskPublished: 105,
      entered: 79,
      match: 53,
      mismatch: 26,
      yskOnly: 26,
      orgOnly: 0,
      stale: 0,
      altered: 0,
      conflicting: 0,
      unconfirmed: 0,
    });
    // ILCE_ID 681 (Demirözü) has 14 rows, 75 (Merkez) 91 — `awk -F'\t' '{print $2}' | uniq -c`.
    expect(state.counters({ level: 'district', province: 69, district: 681 }, 3).total).toBe(14);
    expect(state.counters({ level: 'district', province: 69, district: 75 }, 3).total).toBe(91);
  });

  it('sums the YSK side as the file does', () => {
    // awk over columns 8, 9, 12, 13, 14: 28629 registered, 24783 voted, 24082 valid, 701 invalid, 12616 AK PARTİ.
    const coverage = state.coverage({ level: 'country' }, 3);
    expect([coverage.registered, coverage.voted, coverage.valid, coverage.invalid, coverage.votes.ysk['AK PARTİ']]).toEqual([28629, 24783, 24082, 701, 12616]);
  });

  it('keeps the per-party difference of a mismatched box', () => {
    const mismatched = state.list({ status: 'mismatch', sort: 'key', limit: 1000 });
    expect(mismatched.total).toBe(26);
    for (const row of mismatched.items) {
      expect([row.differences, row.totalAbsDifference]).toEqual([{ 'votes.AK PARTİ': 2, 'votes.CHP': -2 }, 4]);
    }
  });

  it('turns the boxes without an entry stale after the threshold', () => {
    now = T0 + STALE_MS + 1;
    expect(state.tick()).toHaveLength(26);
    expect(state.counters({ level: 'country' }, 3).stale).toBe(26);
  });
});

interface OvoBox {
  ballot_box_number: number;
  oy_erdogan: number | null;
  oy_kilicdaroglu: number | null;
}

describe('Oy ve Ötesi Sinop 2023 run-off (real observer side) against derived YSK figures', () => {
  const file = JSON.parse(fs.readFileSync(path.join(dataDir, 'real', 'ovo_2023_runoff_sinop', 'data.json'), 'utf8')) as Record<
    string,
    Record<string, OvoBox[]>
  >;
  // YSK's own district ids (ysk_ilce_ids_from_2014_local.tsv, plate 57)
  const districtIds: Record<string, number> = {
    AYANCIK: 55,
    BOYABAT: 103,
    DURAĞAN: 188,
    ERFELEK: 212,
    GERZE: 246,
    'SİNOP MERKEZ': 520,
    TÜRKELİ: 586,
    DİKMEN: 803,
    SARAYDÜZÜ: 874,
  };
  const sheetOf = (boxNo: number, erdogan: number, kilicdaroglu: number): Sheet => {
    const valid = erdogan + kilicdaroglu;
    const invalid = boxNo % 4;
    return {
      registered: valid + invalid + 20,
      voted: valid + invalid,
      validUncontested: valid,
      validAfterObjection: 0,
      valid,
      invalid,
      votes: { 'RECEP TAYYİP ERDOĞAN': erdogan, 'KEMAL KILIÇDAROĞLU': kilicdaroglu },
    };
  };
  // Oy ve Ötesi published one verified record per box: it is the figure (ENTRY_CONFIRMATIONS 1)
  const state = new ReconciliationState({ election: 'cb2023-2', staleAfterMs: STALE_MS, now: () => T0, confirmations: 1 });
  for (const [name, boxes] of Object.entries(file['SİNOP']!)) {
    for (const box of boxes) {
      const n = box.ballot_box_number;
      const ref: BoxRef = { election: 'cb2023-2', ballot: 9, province: 57, district: districtIds[name]!, boxNo: n };
      state.registerBox(ref);
      const recorded = box.oy_erdogan !== null && box.oy_kilicdaroglu !== null;
      // YSK: recorded boxes are published unless n % 7 = 0 (equal, or one vote moved when n % 5 = 0);
      // unrecorded boxes are published when n % 3 ≠ 0, with figures made from the box number.
      if (recorded && n % 7 !== 0) {
        const shift = n % 5 === 0 ? 1 : 0;
        state.applyYsk(ref, { sheet: sheetOf(n, box.oy_erdogan! + shift, box.oy_kilicdaroglu! - shift), seq: 1, publishedAt: T0 });
      } else if (!recorded && n % 3 !== 0) {
        state.applyYsk(ref, { sheet: sheetOf(n, n % 200, n % 150), seq: 1, publishedAt: T0 });
      }
      if (recorded)
        state.applyEntry(ref, { id: `ovo-${n}`, observer: 'ovo', source: 'observer', sheet: sheetOf(n, box.oy_erdogan!, box.oy_kilicdaroglu!), createdAt: T0 });
    }
  }

  it('counts statuses and coverage of the province', () => {
    // Counted with a separate Python pass over data.json applying the same rules:
    // 792 boxes, 459 recorded; match 312, mismatch 82, ysk_only 223, org_only 65, awaiting 110.
    const coverage = state.coverage({ level: 'province', province: 57 }, 9);
    expect(coverage.boxes).toEqual({
      total: 792,
      yskPublished: 617,
      entered: 459,
      match: 312,
      mismatch: 82,
      yskOnly: 223,
      orgOnly: 65,
      stale: 0,
      altered: 0,
      conflicting: 0,
      unconfirmed: 0,
    });
    expect(state.regions({ level: 'country' }, 9)).toEqual({ '57': coverage.boxes });
  });

  it('a district: Sinop Merkez has 160 boxes, 152 recorded', () => {
    expect(state.counters({ level: 'district', province: 57, district: 520 }, 9)).toMatchObject({ total: 160, entered: 152 });
  });

  it('every mismatch is one vote moved between the candidates', () => {
    const page = state.list({ province: 57, status: 'mismatch', limit: 1000 });
    expect(page.items).toHaveLength(82);
    expect(new Set(page.items.map((s) => JSON.stringify(s.differences)))).toEqual(
      new Set([JSON.stringify({ 'votes.KEMAL KILIÇDAROĞLU': -1, 'votes.RECEP TAYYİP ERDOĞAN': 1 })]),
    );
  });
});
