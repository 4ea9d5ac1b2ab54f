import { readFileSync } from 'node:fs';
import path from 'node:path';
import { boxKey } from '../domain/box';
import { boxBounds, changeReasonLabel, normaliseResultRows, parseColumnMap, parseYskPayload, type YskColumnRow, type YskResultRow } from './index';

/** The fixtures are written from the real JSON types (fixtures/README.md), not from the simulator. */
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));

function parsed<T>(endpoint: Parameters<typeof parseYskPayload>[0], payload: unknown): T[] {
  const out = parseYskPayload(endpoint, payload);
  if (!out.ok) throw new Error(out.issues.join('; '));
  expect(out.rejected).toEqual([]);
  return out.rows as T[];
}

describe('real-shaped payloads (YSK-API.md, "JSON types")', () => {
  const bayburt = fixture('bayburt-2014-district-boxes.json') as Record<string, unknown>[];
  const columns = parseColumnMap(parsed<YskColumnRow>('getSandikSecimSonucBaslikList', fixture('bayburt-2014-column-map.json')));
  const ctx = { election: '2014yerel', ballot: 2 as const, fetchedAt: '2014-08-10T16:30:00.000Z' };

  it('the Bayburt 2014 rows carry the real types: number degisiklik_NEDENI and versiyon, +0000 times, 0/1 flags', () => {
    const [box] = bayburt;
    expect(box).toMatchObject({
      degisiklik_NEDENI: 0,
      versiyon: 2671,
      son_ISLEM_TARIHI: '2014-08-10T16:23:29.000+0000',
      sandik_SONUC_TUTANAGI: 1,
      sandik_RUMUZ: null,
    });
    expect(Object.keys(box!).length).toBeGreaterThanOrEqual(128);
    expect(bayburt[1]!['sandik_NO']).toBe('1009');
    expect(bayburt[bayburt.length - 1]).toMatchObject({ sandik_NO: null, muhtarlik_ADI: null });
  });

  it('accepts a real-typed payload and normalises every box, the string box number included', () => {
    const rows = parsed<YskResultRow>('getSecimSandikSonucList', bayburt);
    const out = normaliseResultRows(rows, columns, ctx);
    expect(out.rejected).toEqual([]);
    expect(out.aggregateRows).toBe(1);
    expect(out.observations.map((o) => boxKey(o.ref))).toEqual(['2014yerel:2:69:681:1008', '2014yerel:2:69:681:1009', '2014yerel:2:69:681:1010']);
    const first = out.observations[0]!;
    expect(first).toMatchObject({ kind: 'domestic', yskVersion: 2671, changeReason: 0, yskChangedAt: '2014-08-10T16:23:29.000Z', neighbourhood: 115793 });
    // the real figures of box 1008 (vendor/data/real)
    expect(first.sheet).toMatchObject({ registered: 178, voted: 154, valid: 148, invalid: 6 });
    expect(first.sheet.votes).toMatchObject({ 'AK PARTİ': 96, MHP: 1, SAADET: 51, CHP: 0 });
    expect(changeReasonLabel(first.changeReason)).toBeNull();
  });

  it('the old string-typed schema bug: a number degisiklik_NEDENI is accepted, a text one is coerced and noted, never rejected', () => {
    const withText = bayburt.map((r, i) => (i === 0 ? { ...r, degisiklik_NEDENI: 'Yeniden sayım' } : r));
    const out = parseYskPayload('getSecimSandikSonucList', withText);
    if (!out.ok) throw new Error(out.issues.join('; '));
    expect(out.rows).toHaveLength(4);
    expect(out.rows[0]!.degisiklik_NEDENI).toBeNull();
    expect(out.notes).toEqual([{ field: 'degisiklik_NEDENI', got: 'string', rows: 1, example: 'Yeniden sayım' }]);
  });

  it('is tolerant on metadata: numeric strings read as numbers, odd types coerced or nulled and noted', () => {
    const odd = { ...bayburt[0]!, versiyon: '2672', sandik_SONUC_TUTANAGI: true, ilce_ADI: 681, muhtarlik_ID: '115793', sandik_ID: { id: 1 }, secim_TURU: '2' };
    const out = parseYskPayload('getSecimSandikSonucList', [odd]);
    if (!out.ok) throw new Error(out.issues.join('; '));
    expect(out.rows[0]).toMatchObject({ versiyon: 2672, sandik_SONUC_TUTANAGI: null, ilce_ADI: '681', muhtarlik_ID: 115793, sandik_ID: null, secim_TURU: 2 });
    expect(out.notes.map((n) => `${n.field}:${n.got}`).sort()).toEqual(['ilce_ADI:number', 'sandik_ID:object', 'sandik_SONUC_TUTANAGI:boolean']);
    const obs = normaliseResultRows(out.rows, columns, ctx).observations[0]!;
    expect(obs).toMatchObject({ yskVersion: 2672, yskBoxId: null });
  });

  it('is strict on figures: a missing, negative, non-integer or string count rejects that row only', () => {
    const good = bayburt[0]!;
    const missing = { ...bayburt[1]! };
    delete missing['oy_KULLANAN_SECMEN_SAYISI'];
    const bad = [
      missing,
      { ...bayburt[2]!, gecersiz_OY_TOPLAMI: -1 },
      { ...good, sandik_NO: 1011, secmen_SAYISI: 178.5 },
      { ...good, sandik_NO: 1012, gecerli_OY_TOPLAMI: '148' },
      { ...good, sandik_NO: 1013, parti3_ALDIGI_OY: '96' },
    ];
    const out = parseYskPayload('getSecimSandikSonucList', [good, ...bad]);
    if (!out.ok) throw new Error(out.issues.join('; '));
    expect(out.rows).toHaveLength(1);
    expect(out.rejected.map((r) => r.index)).toEqual([1, 2, 3, 4, 5]);
    expect(out.rejected.map((r) => r.issues[0]!.split(':')[0])).toEqual([
      'oy_KULLANAN_SECMEN_SAYISI',
      'gecersiz_OY_TOPLAMI',
      'secmen_SAYISI',
      'gecerli_OY_TOPLAMI',
      'parti3_ALDIGI_OY',
    ]);
    // when every row is wrong the feed changed shape: the payload fails as a whole
    const drift = parseYskPayload('getSecimSandikSonucList', bad);
    expect(drift.ok).toBe(false);
  });

  it('reads getMuhtarlikList with string bounds and getSecimSonucList district aggregates', () => {
    const hoods = parsed<{ muhtarlik_ID: number; min_SANDIK_NO: number | null; max_SANDIK_NO: number | null }>(
      'getMuhtarlikList',
      fixture('bayburt-2014-muhtarlik.json'),
    );
    expect(hoods.length).toBeGreaterThan(2);
    expect(boxBounds(hoods[0]!.min_SANDIK_NO, hoods[0]!.max_SANDIK_NO)).toEqual({ min: 1008, max: 1009 });
    const aggregates = parsed<{ ilce_ID: number; toplam_SANDIK_SAYISI: number; versiyon: number; sandik_NO: null }>(
      'getSecimSonucList',
      fixture('bayburt-2014-district-aggregates.json'),
    );
    expect(aggregates.map((a) => [a.ilce_ID, a.toplam_SANDIK_SAYISI, a.versiyon, a.sandik_NO])).toEqual([
      [75, 91, 2671, null],
      [681, 14, 2671, null],
    ]);
  });
});

describe('every box kind in the real shape', () => {
  const rows = parsed<YskResultRow>('getSecimSandikSonucList', fixture('special-boxes-2023.json'));
  const columns = parseColumnMap(parsed<YskColumnRow>('getSandikSecimSonucBaslikList', fixture('special-boxes-2023-column-map.json')));
  const out = normaliseResultRows(rows, columns, { election: '2023milletvekili', ballot: 8, fetchedAt: '2023-05-14T20:00:00.000Z' });

  it('places prison, customs and abroad boxes, with the rumuz in the key', () => {
    expect(out.rejected).toEqual([]);
    expect(out.aggregateRows).toBe(1);
    expect(out.observations.map((o) => [o.kind, boxKey(o.ref)])).toEqual([
      ['prison', '2023milletvekili:8:69:75:1092'],
      ['customs', '2023milletvekili:8:22:200004:1:G'],
      ['abroad', '2023milletvekili:8:99:100118:1:A'],
      ['abroad', '2023milletvekili:8:99:100118:1:B'],
    ]);
  });

  it('keeps the feed signals of a box revised before we saw it', () => {
    const revised = out.observations[3]!;
    expect([revised.yskVersion, revised.changeReason]).toEqual([1804, 2]);
    expect(changeReasonLabel(revised.changeReason)).toBe('Yeniden sayım');
    expect(changeReasonLabel(revised.changeReason, 'en')).toBe('Recount');
    expect(changeReasonLabel(77)).toBe('Değişiklik kodu 77');
  });

  it('rejects a special box that cannot be placed, and a rumuz that is not letters', () => {
    const lost = { ...rows[1]!, gumruk_ID: null, sandik_RUMUZ: null, il_ID: null };
    const digits = { ...rows[2]!, sandik_RUMUZ: '12' };
    const res = normaliseResultRows([lost, digits, rows[3]!], columns, { election: 'x', ballot: 8, fetchedAt: '2023-05-14T20:00:00.000Z', kind: 'customs' });
    expect(res.rejected.map((r) => r.code)).toEqual(['no_location', 'bad_box_no']);
    expect(res.observations).toHaveLength(1);
  });
});
