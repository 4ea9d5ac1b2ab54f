import { FeedService } from '../../server/src/modules/feed/feed.service';
import type { RunningSimulator } from '../../server/src/simulator/server';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { REDIS, type RedisClient } from '../../server/src/infra/redis.module';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';
import { NIGHT_START, eventually, startSmallNight, truth } from '../support/sim';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Operator controls at run time (feed:admin), each audited, none needing a restart — and feed
 * health served by an API-only node from what the worker published (Redis, the store), not from
 * its own memory. Two nodes in this process: a worker and an API-only node on one store and Redis.
 */
describe('YSK feed: operator controls, and health on an API-only node', () => {
  const ELECTION = `ctl${process.pid}`;
  let sim: RunningSimulator;
  let worker: RunningApp;
  let api: RunningApp;
  let store: Store;
  let feed: FeedService;
  let admin: Session;
  let apiAdmin: Session;

  beforeAll(async () => {
    sim = await startSmallNight({ election: ELECTION, plates: [69], ballots: [2], revisionRate: 0.05, etag: false });
    sim.clock.set(NIGHT_START + 3 * 3_600_000);
    const env = {
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      YSK_BASE_URL: sim.apiUrl,
      YSK_PROVINCES: '69',
      YSK_POLL_INTERVAL_MS: '300',
      YSK_MAX_RPS: '100',
      YSK_BACKOFF_BASE_MS: '20',
      YSK_BACKOFF_CAP_MS: '300',
      FEED_WINDOW_MS: '2500',
      FEED_PAUSED_AFTER_MS: '60000',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOGIN_RATE_LIMIT: '10000',
    };
    worker = await startApp(env);
    api = await startApp({ ...env, YSK_WORKER: 'false' }, { dataDir: worker.dataDir });
    store = worker.app.get(STORE);
    feed = worker.app.get(FeedService);
    admin = await login(worker.url, 'admin', ADMIN_PASSWORD);
    apiAdmin = await login(api.url, 'admin', ADMIN_PASSWORD);
    await eventually(async () => (await caughtUp()) ?? ((await admin.get('/api/feed/health')).body.overall === 'healthy' ? null : 'not healthy'), 30_000);
  }, 60_000);
  afterAll(async () => {
    await worker?.close({ keepData: true });
    await api?.close();
    await sim?.close();
  });

  async function caughtUp(): Promise<string | null> {
    for (const box of await truth(sim, 'now')) {
      const latest = await store.latestVersion(box.key);
      if (latest?.yskVersion !== box.versions.at(-1)!.versiyon) return `${box.key} not caught up`;
    }
    return null;
  }

  it('refuses the controls without feed:admin, and bad bodies with a message', async () => {
    const viewer = await userOf(worker.url, admin, `viewer${process.pid}`, 'hq_viewer');
    expect((await viewer.get('/api/feed/health')).status).toBe(200);
    for (const [path, body, method] of [
      ['/api/feed/pause', {}, 'POST'],
      ['/api/feed/resume', {}, 'POST'],
      ['/api/feed/settings', { maxRps: 1 }, 'PUT'],
      ['/api/feed/resweep', { province: 69 }, 'POST'],
    ] as const) {
      expect((await viewer.post(path, body, method)).status).toBe(403);
    }
    expect((await admin.post('/api/feed/settings', {}, 'PUT')).status).toBe(400);
    expect((await admin.post('/api/feed/settings', { maxRps: -1 }, 'PUT')).status).toBe(400);
    expect((await admin.post('/api/feed/resweep', { province: 99 })).status).toBe(400);
    const operator = await userOf(worker.url, admin, `operator${process.pid}`, 'feed_operator');
    expect(operator.user.permissions).toContain('feed:admin');
  });

  it('health on the API-only node comes from what the worker published', async () => {
    const h = await apiAdmin.get('/api/feed/health');
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ overall: 'healthy', source: 'redis', reportedBy: feed.node });
    expect(h.body.lags[0]).toMatchObject({ province: 69, ballot: 2 });
    const metrics = await fetch(`${api.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/gozcu_poll_lag_seconds\{ballot="2",province="69"\} [0-9.]+/);
  });

  it('a worker snapshot whose report does not read (a worker of another release) gives its state and no figures, not an error', async () => {
    const redis = api.app.get<RedisClient>(REDIS);
    const key = `gozcu:${ELECTION}:feed:health`;
    const mine = JSON.parse((await redis.hget(key, feed.node))!) as Record<string, unknown>;
    // newer than the worker's own, so the API-only node reads it
    await redis.hset(key, 'old-release', JSON.stringify({ ...mine, node: 'old-release', at: Date.now() + 60_000, report: { latency: '12ms' } }));
    try {
      const h = await apiAdmin.get('/api/feed/health');
      expect(h.status).toBe(200);
      expect(h.body).toMatchObject({ overall: 'healthy', source: 'redis', reportedBy: 'old-release', '1m': null, totals: null, cap: null });
    } finally {
      await redis.hdel(key, 'old-release');
    }
    expect((await apiAdmin.get('/api/feed/health')).body).toMatchObject({
      reportedBy: feed.node,
      totals: expect.objectContaining({ requests: expect.any(Number) }),
    });
  });

  it('pauses from the API-only node: the worker stops asking YSK, health says paused and does not flip back while paused', async () => {
    const res = await apiAdmin.post('/api/feed/pause', { reason: 'YSK bakımda' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ paused: true, pausedBy: 'admin', reason: 'YSK bakımda' });
    await eventually(async () => ((await admin.get('/api/feed/health')).body.overall === 'paused' ? null : 'not paused yet'), 5_000, 100);
    await sleep(800);
    const before = sim.traffic.requests;
    sim.clock.advance(30 * 60_000); // YSK publishes meanwhile
    const states = new Set<string>();
    for (let i = 0; i < 10; i++) {
      await sleep(250);
      states.add((await admin.get('/api/feed/health')).body.overall);
      states.add((await apiAdmin.get('/api/feed/health')).body.overall);
    }
    expect(sim.traffic.requests).toBe(before);
    expect([...states]).toEqual(['paused']);
    const h = (await admin.get('/api/feed/health')).body;
    expect(h.rule).toBe('operator_paused');
    expect(h.cause).toBe('paused by an operator (admin): YSK bakımda');
    expect(h.controls).toMatchObject({ paused: true });
    expect(await caughtUp()).not.toBeNull();
  });

  it('resumes: polling and health come back, the store catches up', async () => {
    const res = await admin.post('/api/feed/resume', {});
    expect(res.status).toBe(200);
    expect(res.body.paused).toBe(false);
    await eventually(caughtUp, 20_000);
    await eventually(async () => ((await admin.get('/api/feed/health')).body.overall === 'healthy' ? null : 'not healthy'), 10_000, 100);
  });

  it('changes the rate cap and the poll interval at run time', async () => {
    expect((await admin.post('/api/feed/settings', { maxRps: 4 }, 'PUT')).body).toMatchObject({ maxRps: 4 });
    await sleep(1_200);
    sim.clock.advance(60 * 60_000);
    const r0 = sim.traffic.requests;
    await sleep(3_000);
    const slow = sim.traffic.requests - r0;
    expect(slow).toBeLessThanOrEqual(4 * 3 + 3);
    expect(slow).toBeGreaterThan(0);
    expect((await admin.post('/api/feed/settings', { maxRps: 200, pollIntervalMs: 1_500 }, 'PUT')).body).toMatchObject({ maxRps: 200, pollIntervalMs: 1_500 });
    await eventually(caughtUp, 30_000);
    await sleep(1_600);
    const a0 = feed.totals.aggregateCalls;
    await sleep(4_500);
    const sweeps = feed.totals.aggregateCalls - a0;
    expect(sweeps).toBeGreaterThanOrEqual(2);
    expect(sweeps).toBeLessThanOrEqual(4);
  });

  it('re-sweeps a province: every district fetched whole again', async () => {
    const districts = (await truth(sim, 'now')).reduce((s, b) => s.add(b.ref.district), new Set<number>()).size;
    const whole0 = feed.totals.wholeLists;
    const res = await admin.post('/api/feed/resweep', { province: 69 });
    expect(res.status).toBe(202);
    expect(res.body.resweep).toMatchObject({ province: 69, ballot: null, by: 'admin' });
    await eventually(
      async () => (feed.totals.wholeLists - whole0 >= districts ? null : `${feed.totals.wholeLists - whole0} of ${districts} districts`),
      20_000,
      100,
    );
  });

  it('audits every control with who, before and after', async () => {
    const audit = (await admin.get('/api/audit?limit=100')).body.items as Array<{
      action: string;
      actor: { username: string };
      before: Record<string, unknown> | null;
      after: Record<string, unknown> | null;
      target: string;
    }>;
    const actions = audit.filter((a) => a.action.startsWith('feed.')).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['feed.pause', 'feed.resume', 'feed.settings', 'feed.resweep']));
    const pause = audit.find((a) => a.action === 'feed.pause')!;
    expect(pause).toMatchObject({
      actor: { username: 'admin' },
      target: `feed:${ELECTION}`,
      before: { paused: false },
      after: { paused: true, reason: 'YSK bakımda' },
    });
    expect(audit.find((a) => a.action === 'feed.resweep')!.target).toBe('province:69');
  });

  it('once the worker is gone, the API-only node says failing within the window', async () => {
    await worker.close({ keepData: true });
    worker = undefined as unknown as RunningApp;
    await eventually(
      async () => {
        const h = (await apiAdmin.get('/api/feed/health')).body;
        return h.overall === 'failing' && h.rule === 'no_worker_report' ? null : `${h.overall} ${h.rule}`;
      },
      10_000,
      200,
    );
    const hz = await fetch(`${api.url}/healthz`).then((r) => r.json());
    expect(hz).toMatchObject({ status: 'degraded', feed: { overall: 'failing' } });
  }, 20_000);
});
