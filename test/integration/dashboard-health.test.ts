import { appendSample, healthSummary, normalizeHealth, provinceLagRows, sampleOf, stateRuns, worstState } from '../../dashboard/src/lib/health';
import { intervalMsOf, rpsOf } from '../../dashboard/src/lib/feed-api';

describe('dashboard feed health (read defensively)', () => {
  const raw = {
    overall: 'slow',
    endpoints: {
      getSecimSandikSonucList: { state: 'slow', p50: 180, p95: 900, p99: 1800, errorRate: 0.02, backoffMs: 2000 },
      getIlList: { state: 'healthy', p50: 40, p95: 120, p99: 300, errorRate: 0, backoffMs: 0 },
    },
    lastSuccessByProvince: { '36': '2026-11-28T19:14:00Z', '6': '2026-11-28T19:10:00Z', '69': null },
    incidents: [{ at: '2026-11-28T19:00:00Z', state: 'slow', previous: 'healthy', endpoint: 'getSecimSandikSonucList', cause: 'p95 over 800 ms' }],
  };

  test('the documented shape', () => {
    const h = normalizeHealth(raw);
    expect(h.overall).toBe('slow');
    expect(h.endpoints.map((e) => e.name)).toEqual(['getIlList', 'getSecimSandikSonucList']);
    expect(h.endpoints[1]).toMatchObject({ p95: 900, errorRate: 0.02, backoffMs: 2000, state: 'slow' });
    expect(h.lastSuccess.map((l) => l.plate)).toEqual([69, 6, 36]);
    expect(h.incidents[0]).toMatchObject({ endpoint: 'getSecimSandikSonucList', text: 'p95 over 800 ms', state: 'slow', previous: 'healthy' });
    const s = healthSummary(h);
    expect(s).toMatchObject({ state: 'slow', p95: 900, errorRate: 0.01, lastSuccessAt: '2026-11-28T19:14:00.000Z' });
  });

  test('junk does not throw', () => {
    for (const junk of [null, 42, 'x', [], { endpoints: 'no' }, { endpoints: [{ name: 'a', latency: { p95: '12' } }] }]) {
      const h = normalizeHealth(junk);
      expect(Array.isArray(h.endpoints)).toBe(true);
    }
    expect(normalizeHealth({ endpoints: [{ name: 'a', latency: { p95: '12' } }] }).endpoints[0]!.p95).toBe(12);
    expect(normalizeHealth({}).overall).toBe('unknown');
    expect(healthSummary(null).state).toBe('unknown');
    expect(worstState(['healthy', 'failing', 'slow'])).toBe('failing');
  });

  test('history keeps the last hour and state runs merge equal states', () => {
    const h = normalizeHealth(raw);
    let hist = appendSample([], sampleOf(h, 0));
    hist = appendSample(hist, sampleOf(h, 1_000_000));
    hist = appendSample(hist, { ...sampleOf(h, 3_700_000), state: 'failing' });
    expect(hist.map((s) => s.t)).toEqual([1_000_000, 3_700_000]);
    expect(stateRuns(hist)).toEqual([
      { state: 'slow', from: 1_000_000, to: 3_700_000 },
      { state: 'failing', from: 3_700_000, to: 3_700_000 },
    ]);
  });
});

describe('dashboard: feed lag per province and operator controls', () => {
  test('reads lags, controls and the cause, and lists the worst province first', () => {
    const h = normalizeHealth({
      overall: 'paused',
      rule: 'operator_paused',
      cause: 'paused by an operator (op): YSK bakımda',
      redis: 'ok',
      lags: [
        { ballot: 2, province: 69, lagSeconds: 1.5, due: 0, districts: 8 },
        { ballot: 3, province: 69, lagSeconds: 4, due: 2, districts: 8 },
        { ballot: 2, province: 6, lagSeconds: 30, due: 5, districts: 25 },
        { province: 'x' },
      ],
      lastSuccessByProvince: { '69': '2026-11-28T19:14:00Z', '34': '2026-11-28T19:10:00Z' },
      controls: { paused: true, pausedBy: 'op', pausedAt: '2026-11-28T19:15:00Z', reason: 'YSK bakımda', pollIntervalMs: 2000, maxRps: 20 },
    });
    expect(h.cause).toBe('paused by an operator (op): YSK bakımda');
    expect(h.controls).toMatchObject({ paused: true, pausedBy: 'op', pollIntervalMs: 2000, maxRps: 20 });
    expect(h.cap).toBe(20);
    expect(provinceLagRows(h)).toEqual([
      { plate: 6, lagSeconds: 30, due: 5, districts: 25, lastSuccessAt: null },
      { plate: 69, lagSeconds: 4, due: 2, districts: 16, lastSuccessAt: '2026-11-28T19:14:00Z' },
      { plate: 34, lagSeconds: null, due: 0, districts: 0, lastSuccessAt: '2026-11-28T19:10:00Z' },
    ]);
    expect(normalizeHealth({}).controls).toBeNull();
    expect(provinceLagRows(null)).toEqual([]);
  });

  test('operator inputs: seconds with a comma or a point, a positive rate', () => {
    expect(intervalMsOf('2,5')).toBe(2500);
    expect(intervalMsOf(' 15 ')).toBe(15000);
    expect(intervalMsOf('0.1')).toBeNull();
    expect(intervalMsOf('abc')).toBeNull();
    expect(rpsOf('7,5')).toBe(7.5);
    expect(rpsOf('0')).toBeNull();
  });
});

describe('dashboard: every health rule of the server has a label in both languages', () => {
  test('OVERALL_RULES ids are translated', () => {
    const { OVERALL_RULES } = jest.requireActual('../../server/src/modules/feed/feed-health') as typeof import('../../server/src/modules/feed/feed-health');
    const { tr, en } = jest.requireActual('../../dashboard/src/lib/i18n') as typeof import('../../dashboard/src/lib/i18n');
    for (const id of [...OVERALL_RULES.map((r) => r.id), 'no_worker_report']) {
      expect((tr as Record<string, string>)[`ops.rule.${id}`]).toEqual(expect.any(String));
      expect((en as Record<string, string>)[`ops.rule.${id}`]).toEqual(expect.any(String));
    }
  });
});
