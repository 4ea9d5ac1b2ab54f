import {
  buildQuery,
  emptyResultRow,
  normaliseResultRow,
  normaliseResultRows,
  parseColumnMap,
  parseQuery,
  parseYskPayload,
  parseYskTime,
  formatYskTime,
  unmappedVoteColumns,
  YSK_RESULT_ROW_KEYS,
  YskColumnMapError,
  YskRowError,
  type YskResultRow,
} from './index';

const ctx = { election: '2024yerel', ballot: 2 as const, fetchedAt: '2024-03-31T19:00:00.000Z' };

/** A column map the way YSK sends it: positions are ballot order, columns are not. */
const mapRows = [
  { sira_NO: 0, ad: 'GERİ ÇEKİLEN', column_NAME: 'parti40_ALDIGI_OY' },
  { sira_NO: 1, ad: 'YENİDEN REFAH', column_NAME: 'parti7_ALDIGI_OY' },
  { sira_NO: 2, ad: 'CHP', column_NAME: 'parti21_ALDIGI_OY' },
  { sira_NO: 3, ad: 'AK PARTİ', column_NAME: 'parti3_ALDIGI_OY' },
  { sira_NO: 4, ad: 'DEM PARTİ', column_NAME: 'parti12_ALDIGI_OY' },
  { sira_NO: 5, ad: 'AHMET YILMAZ', column_NAME: 'bagimsiz1_ALDIGI_OY' },
  { sira_NO: 999, ad: 'BAĞIMSIZ TOPLAM OY', column_NAME: 'bagimsiz_TOPLAM_OY' },
];

function resultRow(over: Record<string, unknown> = {}): YskResultRow {
  const row = emptyResultRow();
  Object.assign(
    row,
    {
      il_ID: 6,
      il_ADI: 'ANKARA',
      ilce_ID: 405,
      ilce_ADI: 'ÇANKAYA',
      muhtarlik_ID: 120345,
      muhtarlik_ADI: 'KIZILAY MAH.',
      sandik_ID: 8812345,
      sandik_NO: 1042,
      sandik_RUMUZ: null,
      secim_ID: 2024,
      secim_TURU: 2,
      secmen_SAYISI: 306,
      oy_KULLANAN_SECMEN_SAYISI: 262,
      itirazsiz_GECERLI_OY_SAYISI: 250,
      itirazli_GECERLI_OY_SAYISI: 2,
      gecerli_OY_TOPLAMI: 252,
      gecersiz_OY_TOPLAMI: 10,
      parti7_ALDIGI_OY: 20,
      parti21_ALDIGI_OY: 120,
      parti3_ALDIGI_OY: 95,
      parti12_ALDIGI_OY: 12,
      parti40_ALDIGI_OY: 0,
      bagimsiz1_ALDIGI_OY: 5,
      bagimsiz_TOPLAM_OY: 5,
      versiyon: 2672,
      son_ISLEM_TARIHI: '2024-03-31T19:00:27.000+0000',
      degisiklik_NEDENI: 3,
      sandik_SONUC_TUTANAGI: 1,
    },
    over,
  );
  const parsed = parseYskPayload('getSecimSandikSonucList', [row]);
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.rows[0]!;
}

describe('YSK endpoints', () => {
  it('sends every parameter in order, empty ones as name=', () => {
    expect(buildQuery('getIlList', { secimId: 60, secimTuru: 2 })).toBe('secimId=60&secimTuru=2&sandikTuru=&yurtIciDisi=');
    const q = buildQuery('getSecimSandikSonucList', { secimId: 60, secimTuru: 2, ilId: 6, ilceId: 405, yurtIciDisi: 1 });
    expect(q.split('&')).toHaveLength(20);
    expect(q).toBe(
      'secimId=60&secimTuru=2&ilId=6&ilceId=405&beldeId=&birimId=&muhtarlikId=&cezaeviId=&sandikTuru=&sandikNoIlk=&sandikNoSon=' +
        '&ulkeId=&disTemsilcilikId=&gumrukId=&yurtIciDisi=1&sandikRumuzIlk=&sandikRumuzSon=&secimCevresiId=&sandikId=&sorguTuru=',
    );
    expect(buildQuery('getSecimSonucList', {}).split('&')).toHaveLength(19);
    expect(buildQuery('getSecimSonucList', {})).not.toContain('sorguTuru');
    expect(buildQuery('getIlList', { sandikTuru: -1 })).toContain('sandikTuru=-1');
  });

  it('refuses a parameter the endpoint does not take', () => {
    expect(() => buildQuery('getIlList', { ilId: 6 } as never)).toThrow(/takes no parameter "ilId"/);
  });

  it('parses a query back and names the missing parameters', () => {
    expect(parseQuery('getIlList', 'secimId=60&secimTuru=2&sandikTuru=')).toEqual({
      params: { secimId: '60', secimTuru: '2', sandikTuru: '', yurtIciDisi: '' },
      missing: ['yurtIciDisi'],
    });
  });
});

describe('parseYskTime', () => {
  it('reads +0000 as UTC', () => {
    expect(parseYskTime('2018-06-24T19:00:27.000+0000')).toBe('2018-06-24T19:00:27.000Z');
    expect(parseYskTime('2018-06-24T22:00:27.000+0300')).toBe('2018-06-24T19:00:27.000Z');
    expect(parseYskTime('2018-06-24T19:00:27')).toBe('2018-06-24T19:00:27.000Z');
    expect(parseYskTime(null)).toBeNull();
    expect(parseYskTime('')).toBeNull();
  });
  it('rejects what is not a time', () => {
    expect(() => parseYskTime('yesterday')).toThrow();
    expect(() => parseYskTime('2018-02-30T10:00:00.000+0000')).toThrow();
  });
  it('round-trips with formatYskTime', () => {
    const at = Date.UTC(2024, 2, 31, 19, 0, 27);
    expect(formatYskTime(at)).toBe('2024-03-31T19:00:27.000+0000');
    expect(parseYskTime(formatYskTime(at))).toBe(new Date(at).toISOString());
  });
});

describe('parseColumnMap', () => {
  it('drops withdrawn entries and keeps ballot order, not column order', () => {
    const cols = parseColumnMap(mapRows);
    expect(cols.map((c) => c.name)).toEqual(['YENİDEN REFAH', 'CHP', 'AK PARTİ', 'DEM PARTİ', 'AHMET YILMAZ']);
    expect(cols.find((c) => c.name === 'CHP')).toEqual({ position: 2, name: 'CHP', column: 'parti21_ALDIGI_OY' });
    expect(cols.some((c) => c.position === 0)).toBe(false);
  });

  it('uses the 999 sentinel only when independents are not listed one by one', () => {
    const totalOnly = parseColumnMap(mapRows.filter((r) => r.column_NAME !== 'bagimsiz1_ALDIGI_OY'));
    expect(totalOnly[totalOnly.length - 1]).toEqual({ position: 999, name: 'BAĞIMSIZ TOPLAM OY', column: 'bagimsiz_TOPLAM_OY' });
    expect(parseColumnMap(mapRows).some((c) => c.position === 999)).toBe(false);
  });

  it('takes ittifak and presidential bagimsiz columns', () => {
    const cols = parseColumnMap([
      { sira_NO: 1, ad: 'CUMHUR İTTİFAKI', column_NAME: 'ittifak1_ALDIGI_OY' },
      { sira_NO: 2, ad: 'ADAY A', column_NAME: 'bagimsiz2_ALDIGI_OY' },
    ]);
    expect(cols.map((c) => c.column)).toEqual(['ittifak1_ALDIGI_OY', 'bagimsiz2_ALDIGI_OY']);
  });

  it('refuses maps that would misplace votes', () => {
    expect(() => parseColumnMap([{ sira_NO: 1, ad: 'X', column_NAME: 'secmen_SAYISI' }])).toThrow(YskColumnMapError);
    expect(() =>
      parseColumnMap([
        { sira_NO: 1, ad: 'X', column_NAME: 'parti1_ALDIGI_OY' },
        { sira_NO: 2, ad: 'Y', column_NAME: 'parti1_ALDIGI_OY' },
      ]),
    ).toThrow(/twice/);
  });

  it('keeps two entries of the same name apart', () => {
    const cols = parseColumnMap([
      { sira_NO: 4, ad: 'MEHMET KAYA', column_NAME: 'bagimsiz1_ALDIGI_OY' },
      { sira_NO: 5, ad: 'MEHMET KAYA', column_NAME: 'bagimsiz2_ALDIGI_OY' },
    ]);
    expect(cols.map((c) => c.name)).toEqual(['MEHMET KAYA (4)', 'MEHMET KAYA (5)']);
  });
});

describe('result rows', () => {
  const columns = parseColumnMap(mapRows);

  it('a realistic row has ~130 keys and validates', () => {
    expect(YSK_RESULT_ROW_KEYS.length).toBeGreaterThanOrEqual(128);
    expect(Object.keys(resultRow()).length).toBe(YSK_RESULT_ROW_KEYS.length);
  });

  it('normalises a box row into an observation', () => {
    expect(normaliseResultRow(resultRow(), columns, ctx)).toEqual({
      ref: { election: '2024yerel', ballot: 2, province: 6, district: 405, boxNo: 1042 },
      kind: 'domestic',
      yskBoxId: 8812345,
      neighbourhood: 120345,
      sheet: {
        registered: 306,
        voted: 262,
        validUncontested: 250,
        validAfterObjection: 2,
        valid: 252,
        invalid: 10,
        votes: { 'YENİDEN REFAH': 20, CHP: 120, 'AK PARTİ': 95, 'DEM PARTİ': 12, 'AHMET YILMAZ': 5 },
      },
      yskVersion: 2672,
      yskChangedAt: '2024-03-31T19:00:27.000Z',
      changeReason: 3,
      fetchedAt: ctx.fetchedAt,
    });
  });

  it('reads null vote cells as 0 and empty tracking as null', () => {
    const obs = normaliseResultRow(resultRow({ parti12_ALDIGI_OY: null, versiyon: null, son_ISLEM_TARIHI: null, degisiklik_NEDENI: null }), columns, ctx)!;
    expect(obs.sheet.votes['DEM PARTİ']).toBe(0);
    expect([obs.yskVersion, obs.yskChangedAt, obs.changeReason]).toEqual([null, null, null]);
  });

  it('skips aggregate rows', () => {
    const rows = [resultRow(), resultRow({ sandik_NO: null, sandik_ID: null, secmen_SAYISI: 90000 })];
    const out = normaliseResultRows(rows, columns, ctx);
    expect(out.observations).toHaveLength(1);
    expect(out.aggregateRows).toBe(1);
  });

  it('fails a row whose mapped column is missing, or placed nowhere, or from another ballot', () => {
    const noColumn = resultRow();
    delete (noColumn as Record<string, unknown>)['parti21_ALDIGI_OY'];
    expect(() => normaliseResultRow(noColumn, columns, ctx)).toThrow(YskRowError);
    expect(() => normaliseResultRow(resultRow({ ilce_ID: null }), columns, ctx)).toThrow(/cannot be placed/);
    expect(() => normaliseResultRow(resultRow({ secim_TURU: 3 }), columns, ctx)).toThrow(/secimTuru 3/);
  });

  it('reads a bad timestamp (metadata) as null and notes it, keeping the row', () => {
    const out = normaliseResultRows([resultRow({ son_ISLEM_TARIHI: 'dün' })], columns, ctx);
    expect(out.observations).toHaveLength(1);
    expect(out.observations[0]!.yskChangedAt).toBeNull();
    expect(out.notes.join(' ')).toMatch(/dün/);
  });

  it('rejects one unreadable row and keeps the others', () => {
    const noColumn = resultRow({ sandik_NO: 1043 });
    delete (noColumn as Record<string, unknown>)['parti21_ALDIGI_OY'];
    const out = normaliseResultRows([resultRow(), noColumn, resultRow({ sandik_NO: 1044, secim_TURU: 3 })], columns, ctx);
    expect(out.observations.map((o) => o.ref.boxNo)).toEqual([1042]);
    expect(out.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'missing_column'],
      [2, 'wrong_ballot'],
    ]);
  });

  it('reports vote columns the map does not know', () => {
    expect(unmappedVoteColumns(resultRow(), columns)).toEqual([]);
    expect(unmappedVoteColumns(resultRow({ parti9_ALDIGI_OY: 14 }), columns)).toEqual(['parti9_ALDIGI_OY']);
  });
});

describe('payload schemas', () => {
  it('tolerates unknown fields and keeps them', () => {
    const parsed = parseYskPayload('getIlList', [{ il_ID: 6, il_ADI: 'ANKARA', yeni_ALAN: 'x' }]);
    expect(parsed).toMatchObject({ ok: true, rows: [{ il_ID: 6, il_ADI: 'ANKARA', yeni_ALAN: 'x', secim_CEVRESI_ID: null }], rejected: [], notes: [] });
  });

  it('fails renamed fields and wrong types', () => {
    const row = { ...resultRow() } as Record<string, unknown>;
    const renamed: Record<string, unknown> = { ...row, oy_KULLANAN_SECMEN: row['oy_KULLANAN_SECMEN_SAYISI'] };
    delete renamed['oy_KULLANAN_SECMEN_SAYISI'];
    const r1 = parseYskPayload('getSecimSandikSonucList', [renamed]);
    expect(r1.ok).toBe(false);
    if (!r1.ok) expect(r1.issues[0]).toMatch(/oy_KULLANAN_SECMEN_SAYISI/);
    expect(parseYskPayload('getSecimSandikSonucList', [{ ...row, secmen_SAYISI: '306' }]).ok).toBe(false);
    expect(parseYskPayload('getSecimSandikSonucList', [{ ...row, parti3_ALDIGI_OY: '95' }]).ok).toBe(false);
    expect(parseYskPayload('getSecimSandikSonucList', { rows: [] }).ok).toBe(false);
  });

  it('rejects the bad rows of a payload and keeps the good ones', () => {
    const row = { ...resultRow() } as Record<string, unknown>;
    const parsed = parseYskPayload('getSecimSandikSonucList', [
      row,
      { ...row, sandik_NO: 1043, secmen_SAYISI: -1 },
      { ...row, sandik_NO: 1044, gecerli_OY_TOPLAMI: 251.5 },
      null,
    ]);
    if (!parsed.ok) throw new Error(parsed.issues.join('; '));
    expect(parsed.rows).toHaveLength(1);
    expect(parsed.rejected.map((r) => r.index)).toEqual([1, 2, 3]);
    expect(parsed.rejected[0]!.issues.join(' ')).toMatch(/secmen_SAYISI: figure must not be negative/);
    expect(parsed.rejected[1]!.issues.join(' ')).toMatch(/gecerli_OY_TOPLAMI: figure must be a whole number/);
  });

  it('accepts box-number bounds as strings', () => {
    const parsed = parseYskPayload('getMuhtarlikList', [
      { muhtarlik_ID: 1, muhtarlik_ADI: 'KÖY', min_SANDIK_NO: '1001', max_SANDIK_NO: '1003', ilce_ID: 4, il_ID: 1 },
    ]);
    expect(parsed.ok).toBe(true);
  });
});
