import { feedHealthResponse, type FeedHealthResponse, type FeedLatencyStats } from '@gozcu/shared';
import { redactFeedHealth } from './feed-health.redact';

const stats: FeedLatencyStats = { count: 3, p50: 10, p95: 20, p99: 30, errorRate: 0, errors: {}, bytes: 100 };
const totals = {
  requests: 9,
  bytes: 900,
  notModified: 1,
  changes: 4,
  versions: 7,
  sweeps: 2,
  districtsDue: 1,
  districtsSwept: 1,
  aggregateCalls: 2,
  boxListCalls: 3,
  probeCalls: 0,
  refreshes: 0,
  wholeLists: 0,
  quietChecks: 0,
  settled: 0,
};
const at = '2026-11-28T19:00:00.000Z';
const incident = {
  id: 'i1',
  kind: 'schema',
  scope: 'getSecimSandikSonucList',
  startedAt: at,
  endedAt: null,
  cause: 'district {"province":34}: schema drift',
  details: { keys: ['e:2:34:10:1'] },
  raw: '{"secret":"ysk figures"}',
};
const report: FeedHealthResponse = feedHealthResponse.parse({
  enabled: true,
  baseUrl: 'http://ysk.test',
  overall: 'healthy',
  rule: 'all_healthy',
  cause: 'ok',
  asOf: at,
  lastPollSuccessAt: at,
  '1m': stats,
  '5m': stats,
  '15m': stats,
  endpoints: { getIlList: { state: 'healthy', lastSuccessAt: at, '1m': stats, '5m': stats, '15m': stats } },
  backoffUntil: null,
  backoffMs: 0,
  lastSuccessByProvince: { '34': at, '69': at },
  lags: [
    { province: 34, ballot: 2, lagSeconds: 1, due: 0, districts: 39, oldestVerifiedAt: at },
    { province: 69, ballot: 2, lagSeconds: 2, due: 1, districts: 8, oldestVerifiedAt: at },
  ],
  rateCap: { rps: 20, gate: 'redis' },
  cap: 20,
  controls: {
    paused: false,
    pausedBy: null,
    pausedAt: null,
    reason: null,
    pollIntervalMs: 2000,
    maxRps: 20,
    lastResweep: null,
    updatedAt: null,
    updatedBy: null,
  },
  totals,
  incidents: { open: [incident], recent: [incident] },
  source: 'local',
  redis: 'ok',
  reportedBy: null,
  reportedAt: null,
  queue: { waiting: 0 },
  schedulers: { expected: 1, present: 1 },
});

describe('redactFeedHealth: every answer is of the contract', () => {
  it('a feed admin of country scope who sees YSK gets everything', () => {
    const out = redactFeedHealth(report, { permissions: ['feed:read', 'feed:admin'], scope: { level: 'country' } }, true);
    expect(out).toEqual(report);
  });

  it('a province chair: own province only, no raw payload, no details, the kind for the cause', () => {
    const out = redactFeedHealth(report, { permissions: ['feed:read'], scope: { level: 'province', province: 69 } }, true);
    expect(feedHealthResponse.safeParse(out).success).toBe(true);
    expect(out.incidents.recent[0]).toEqual({ ...incident, raw: null, details: {}, cause: 'schema' });
    expect(Object.keys(out.lastSuccessByProvince)).toEqual(['69']);
    expect(out.lags.map((l) => l.province)).toEqual([69]);
    expect(out.totals).toEqual(totals);
  });

  it('during the embargo, for a caller who may not see YSK: no YSK-derived counts, no details', () => {
    const out = redactFeedHealth(report, { permissions: ['feed:read', 'feed:admin'], scope: { level: 'country' } }, false);
    expect(feedHealthResponse.safeParse(out).success).toBe(true);
    expect(out.totals).not.toHaveProperty('versions');
    expect(out.totals).not.toHaveProperty('changes');
    expect(out.totals?.requests).toBe(9);
    expect(out.incidents.open[0]).toMatchObject({ raw: null, details: {}, cause: incident.cause });
    expect(out.lags).toHaveLength(2);
    // no worker has reported: nothing to withhold
    expect(redactFeedHealth({ ...report, totals: null }, { permissions: [], scope: { level: 'country' } }, false).totals).toBeNull();
  });
});
