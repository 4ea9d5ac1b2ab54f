import { feedHealthResponse, type FeedHealthResponse, type FeedLatencyStats } from '@gozcu/shared';
import { appendSample, healthSummary, normalizeHealth, provinceLagRows, sampleOf, stateRuns } from '../../dashboard/src/lib/health';
import { intervalMsOf, rpsOf } from '../../dashboard/src/lib/feed-api';
import { ApiError, parseAnswer } from '../../dashboard/src/lib/http';

const stats = (s: Partial<FeedLatencyStats> = {}): FeedLatencyStats => ({
  count: 0,
  p50: null,
  p95: null,
  p99: null,
  errorRate: 0,
  errors: {},
  bytes: 0,
  ...s,
});
const windows = (s: Partial<FeedLatencyStats>) => ({ '1m': stats(s), '5m': stats(s), '15m': stats(s) });
const controls = {
  paused: false,
  pausedBy: null,
  pausedAt: null,
  reason: null,
  pollIntervalMs: 2000,
  maxRps: 20,
  lastResweep: null,
  updatedAt: null,
  updatedBy: null,
};
const incident = (id: string, kind: string, scope: string, cause: string, details: Record<string, unknown> = {}) => ({
  id,
  kind,
  scope,
  startedAt: '2026-11-28T19:00:00.000Z',
  endedAt: null,
  cause,
  details,
  raw: null,
});

/** An answer of `GET /api/feed/health` as the contract has it (parsed with it: a fixture that drifts fails here). */
function answer(over: Partial<FeedHealthResponse> = {}): FeedHealthResponse {
  return feedHealthResponse.parse({
    enabled: true,
    baseUrl: 'http://ysk.test',
    overall: 'slow',
    rule: 'endpoint_slow',
    cause: 'getSecimSandikSonucList: p95 over 800 ms',
    asOf: '2026-11-28T19:15:00.000Z',
    lastPollSuccessAt: '2026-11-28T19:14:00.000Z',
    ...windows({ count: 120 }),
    endpoints: {
      getSecimSandikSonucList: {
        state: 'slow',
        lastSuccessAt: '2026-11-28T19:14:00.000Z',
        ...windows({ count: 60, p50: 180, p95: 900, p99: 1800, errorRate: 0.02, errors: { timeout: 1 } }),
      },
      getIlList: { state: 'healthy', lastSuccessAt: null, ...windows({ count: 6, p50: 40, p95: 120, p99: 300 }) },
    },
    backoffUntil: '2026-11-28T19:15:02.000Z',
    backoffMs: 2000,
    lastSuccessByProvince: { '36': '2026-11-28T19:14:00.000Z', '6': '2026-11-28T19:10:00.000Z', '69': '2026-11-28T19:09:00.000Z' },
    lags: [],
    rateCap: { rps: 20, gate: 'redis' },
    cap: 20,
    controls,
    totals: null,
    incidents: {
      open: [incident('i1', 'health_slow', 'getSecimSandikSonucList', 'p95 over 800 ms', { from: 'healthy', to: 'slow' })],
      recent: [
        incident('i2', 'schema', 'getIlList', 'schema drift'),
        incident('i1', 'health_slow', 'getSecimSandikSonucList', 'p95 over 800 ms', { from: 'healthy', to: 'slow' }),
      ],
    },
    source: 'local',
    redis: 'ok',
    reportedBy: null,
    reportedAt: null,
    queue: { waiting: 3, active: 1 },
    schedulers: { expected: 2, present: 2 },
    ...over,
  });
}

describe('dashboard feed health (parsed with its contract)', () => {
  test('endpoints, incidents and last successes', () => {
    const h = normalizeHealth(answer());
    expect(h.overall).toBe('slow');
    expect(h.endpoints.map((e) => e.name)).toEqual(['getIlList', 'getSecimSandikSonucList']);
    expect(h.endpoints[1]).toMatchObject({ p95: 900, errorRate: 0.02, backoffMs: 2000, state: 'slow', count: 60, rps: 1, errors: { timeout: 1 } });
    expect(h.rps).toBeCloseTo(1.1);
    expect(h.lastSuccess.map((l) => l.plate)).toEqual([69, 6, 36]);
    // `recent` and `open` share one incident: listed once
    expect(h.incidents).toHaveLength(2);
    expect(h.incidents[0]).toMatchObject({ endpoint: 'getIlList', text: 'schema: schema drift', state: null });
    expect(h.incidents[1]).toMatchObject({ endpoint: 'getSecimSandikSonucList', text: 'p95 over 800 ms', state: 'slow', previous: 'healthy' });
    expect(h.openIncidents).toBe(1);
    expect(h.queue).toEqual({ waiting: 3, active: 1 });
    const s = healthSummary(h);
    expect(s).toMatchObject({ state: 'slow', p95: 900, errorRate: 0.01, lastSuccessAt: '2026-11-28T19:14:00.000Z' });
  });

  test('no worker has reported: no figures, the rate from nothing', () => {
    const h = normalizeHealth(
      answer({ '1m': null, '5m': null, '15m': null, endpoints: {}, lastSuccessByProvince: {}, backoffMs: null, rateCap: null, cap: null, overall: 'failing' }),
    );
    expect(h).toMatchObject({ overall: 'failing', rps: null, cap: 20, backoffMs: null, endpoints: [], lastSuccess: [] });
  });

  test('an answer not of the contract is refused, never half read', () => {
    for (const junk of [null, 42, 'x', [], { endpoints: 'no' }, { ...answer(), overall: 'ok' }, { ...answer(), incidents: [] }])
      expect(() => parseAnswer(feedHealthResponse, junk, '/api/feed/health', 200)).toThrow(ApiError);
    expect(healthSummary(null).state).toBe('unknown');
  });

  test('history keeps the last hour and state runs merge equal states', () => {
    const h = normalizeHealth(answer());
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
    const at = '2026-11-28T19:00:00.000Z';
    const h = normalizeHealth(
      answer({
        overall: 'paused',
        rule: 'operator_paused',
        cause: 'paused by an operator (op): YSK bakımda',
        lags: [
          { ballot: 2, province: 69, lagSeconds: 1.5, due: 0, districts: 8, oldestVerifiedAt: at },
          { ballot: 3, province: 69, lagSeconds: 4, due: 2, districts: 8, oldestVerifiedAt: at },
          { ballot: 2, province: 6, lagSeconds: 30, due: 5, districts: 25, oldestVerifiedAt: at },
        ],
        lastSuccessByProvince: { '69': '2026-11-28T19:14:00.000Z', '34': '2026-11-28T19:10:00.000Z' },
        controls: { ...controls, paused: true, pausedBy: 'op', pausedAt: '2026-11-28T19:15:00.000Z', reason: 'YSK bakımda' },
      }),
    );
    expect(h.cause).toBe('paused by an operator (op): YSK bakımda');
    expect(h.controls).toMatchObject({ paused: true, pausedBy: 'op', pollIntervalMs: 2000, maxRps: 20 });
    expect(h.cap).toBe(20);
    expect(provinceLagRows(h)).toEqual([
      { plate: 6, lagSeconds: 30, due: 5, districts: 25, lastSuccessAt: null },
      { plate: 69, lagSeconds: 4, due: 2, districts: 16, lastSuccessAt: '2026-11-28T19:14:00.000Z' },
      { plate: 34, lagSeconds: null, due: 0, districts: 0, lastSuccessAt: '2026-11-28T19:10:00.000Z' },
    ]);
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
