import { districtsResponse, type BoxSummary, type Sheet } from '@gozcu/shared';
import { apiStatus, matchesFilter, topDifference, upsertBoxes, viewBoxes } from '../../dashboard/src/lib/boxes';
import { ApiError, parseAnswer } from '../../dashboard/src/lib/http';
import { checkSheet, compareSheets, partyVotes, sheetChanges } from '../../dashboard/src/lib/sheets';
import { metricValue, statusMeta, STATUS_META, FLAG_META } from '../../dashboard/src/lib/status';
import { contrastRatio, ramp, THEME } from '../../dashboard/src/lib/palette';

const sheet = (over: Partial<Sheet> = {}): Sheet => ({
  registered: 300,
  voted: 250,
  validUncontested: 240,
  validAfterObjection: 0,
  valid: 240,
  invalid: 10,
  votes: { CHP: 120, 'AK PARTİ': 100, YRP: 20 },
  ...over,
});
const box = (key: string, over: Partial<BoxSummary> = {}): BoxSummary => ({
  key,
  election: 'e',
  ballot: 6,
  province: 36,
  district: 1,
  boxNo: 1,
  status: 'match',
  altered: false,
  conflicting: false,
  unconfirmed: false,
  stale: false,
  yskAgeMs: null,
  yskPublishedAt: null,
  enteredAt: null,
  ysk: null,
  org: null,
  differences: {},
  totalAbsDifference: 0,
  versions: 1,
  warnings: [],
  ...over,
});

describe('dashboard sheet comparison', () => {
  test('side by side rows: figures first, then parties by votes; differences marked', () => {
    const rows = compareSheets(sheet(), sheet({ votes: { CHP: 132, 'AK PARTİ': 100, YRP: 20 }, valid: 252 }));
    expect(rows.slice(0, 6).map((r) => r.id)).toEqual(['registered', 'voted', 'validUncontested', 'validAfterObjection', 'valid', 'invalid']);
    expect(rows.slice(6).map((r) => r.id)).toEqual(['CHP', 'AK PARTİ', 'YRP']);
    const chp = rows.find((r) => r.id === 'CHP')!;
    expect(chp).toMatchObject({ ysk: 120, org: 132, diff: -12, differs: true });
    expect(rows.find((r) => r.id === 'valid')).toMatchObject({ diff: -12, differs: true });
    expect(rows.find((r) => r.id === 'YRP')!.differs).toBe(false);
  });

  test('one side missing is not a difference', () => {
    const rows = compareSheets(sheet(), null);
    expect(rows.every((r) => !r.differs && r.org === null && r.diff === null)).toBe(true);
  });

  test('version changes list what moved', () => {
    const a = sheet();
    const b = sheet({ valid: 238, votes: { CHP: 118, 'AK PARTİ': 100, YRP: 20 } });
    expect(sheetChanges(a, b)).toEqual([
      { id: 'valid', kind: 'figure', from: 240, to: 238 },
      { id: 'CHP', kind: 'party', from: 120, to: 118 },
    ]);
    expect(sheetChanges(null, b)).toEqual([]);
  });

  test('sheet warnings', () => {
    expect(checkSheet(sheet())).toEqual([]);
    expect(checkSheet(sheet({ valid: 250 })).map((w) => w.code)).toEqual(['partySum', 'validInvalid']);
    expect(checkSheet(sheet({ voted: 400, valid: 390, invalid: 10, votes: { X: 390 } })).map((w) => w.code)).toEqual(['votedOverRegistered']);
  });

  test('party votes YSK vs Örgüt, most YSK votes first', () => {
    const rows = partyVotes({ ysk: { A: 10, B: 30 }, org: { A: 12, C: 5 } });
    expect(rows).toEqual([
      { party: 'B', ysk: 30, org: 0, diff: 30 },
      { party: 'A', ysk: 10, org: 12, diff: -2 },
      { party: 'C', ysk: 0, org: 5, diff: -5 },
    ]);
    expect(partyVotes(null)).toEqual([]);
  });
});

describe('dashboard box lists', () => {
  test('filters by status and by flag; only statuses go to the API', () => {
    const b = box('k', { status: 'mismatch', altered: true });
    expect(matchesFilter(b, 'mismatch')).toBe(true);
    expect(matchesFilter(b, 'altered')).toBe(true);
    expect(matchesFilter(b, 'stale')).toBe(false);
    expect(apiStatus('mismatch')).toBe('mismatch');
    expect(apiStatus('altered')).toBeNull();
    expect(apiStatus('all')).toBeNull();
  });

  test('sorts by age, difference and box number', () => {
    const items = [
      box('a', { boxNo: 3, yskAgeMs: 10, totalAbsDifference: 5 }),
      box('b', { boxNo: 1, yskAgeMs: 99 }),
      box('c', { boxNo: 2, totalAbsDifference: 50 }),
    ];
    expect(viewBoxes(items, 'all', 'boxNo').map((b) => b.key)).toEqual(['b', 'c', 'a']);
    expect(viewBoxes(items, 'all', 'age').map((b) => b.key)).toEqual(['b', 'a', 'c']);
    expect(viewBoxes(items, 'all', 'difference').map((b) => b.key)).toEqual(['c', 'a', 'b']);
  });

  test('live changes patch loaded rows; new rows join only inside the district and filter', () => {
    const items = [box('a')];
    const out = upsertBoxes(
      items,
      [box('a', { status: 'mismatch' }), box('n', { status: 'mismatch' }), box('x', { district: 2 })],
      { district: 1 },
      'mismatch',
    );
    expect(out.map((b) => [b.key, b.status])).toEqual([
      ['a', 'mismatch'],
      ['n', 'mismatch'],
    ]);
    expect(upsertBoxes(items, [box('y', { district: 9 })], { district: 1 }, 'all')).toBe(items);
  });

  test('top difference', () => {
    expect(topDifference(box('a', { differences: { CHP: -12, valid: 3 } }))).toEqual({ id: 'CHP', diff: -12 });
    expect(topDifference(box('a'))).toBeNull();
  });

  test("an answer is read with its route's response schema, or refused naming the fields", () => {
    const good = { items: [{ yskId: 5, province: 36, name: 'Sarıkamış' }] };
    expect(parseAnswer(districtsResponse, good, '/api/districts', 200)).toEqual(good);
    // an older server's shape (`id` for `yskId`): an ApiError that names the field, not a half-read list
    let refused: unknown;
    try {
      parseAnswer(districtsResponse, { items: [{ id: 6, province: 36, name: 'Kağızman' }] }, '/api/districts', 200);
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).message).toMatch(/\/api\/districts .*items\.0\.yskId/);
  });
});

describe('dashboard statuses and colours', () => {
  test('every status and flag has an icon and a word, not colour alone', () => {
    for (const m of [...Object.values(STATUS_META), ...Object.values(FLAG_META)]) {
      expect(m.icon).toBeTruthy();
      expect(m.label).toBeTruthy();
    }
    expect(statusMeta('weird')).toBe(STATUS_META.awaiting);
  });

  test('status and text colours reach 4.5:1 on the dark background and panels', () => {
    const fg = [
      THEME.text,
      THEME.muted,
      THEME.match,
      THEME.mismatch,
      THEME.stale,
      THEME.altered,
      THEME.conflicting,
      THEME.noData,
      THEME.live,
      THEME.danger,
      THEME.ysk,
      THEME.org,
    ];
    for (const bg of [THEME.bg, THEME.panel, THEME.panelRaised])
      for (const c of fg) expect({ c, bg, ok: contrastRatio(c, bg) >= 4.5 }).toEqual({ c, bg, ok: true });
    expect(contrastRatio(THEME.bannerText, THEME.bannerBg)).toBeGreaterThanOrEqual(4.5);
  });

  test('ramps interpolate between stops', () => {
    expect(ramp(['#000000', '#ffffff'], 0)).toBe('#000000');
    expect(ramp(['#000000', '#ffffff'], 1)).toBe('#ffffff');
    expect(ramp(['#000000', '#ffffff'], 0.5)).toBe('#808080');
  });

  test('metric values: coverage ratios, counts, null without boxes', () => {
    const c = { total: 4, yskPublished: 3, entered: 1, match: 1, mismatch: 2, yskOnly: 2, orgOnly: 0, stale: 0, altered: 0, conflicting: 0, unconfirmed: 0 };
    expect(metricValue(c, 'yskCoverage')).toBe(0.75);
    expect(metricValue(c, 'orgCoverage')).toBe(0.25);
    expect(metricValue(c, 'mismatch')).toBe(2);
    expect(metricValue(c, 'pending')).toBe(2);
    expect(metricValue({ ...c, total: 0 }, 'mismatch')).toBeNull();
  });
});
