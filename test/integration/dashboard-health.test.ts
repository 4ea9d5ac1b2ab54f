import { appendSample, healthSummary, normalizeHealth, sampleOf, stateRuns, worstState } from '../../dashboard/src/lib/health';

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
