import { FeedService } from '../../server/src/modules/feed/feed.service';
import type { RunningSimulator } from '../../server/src/simulator/server';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, type Session } from '../support/auth';
import { eventually, startSmallNight, truth, storeCaughtUp } from '../support/sim';

/**
 * The aggregate-driven poller against a simulator that offers no conditional requests (no ETag,
 * no Last-Modified, never 304): one aggregate call per province and interval; box rows only for
 * districts whose aggregate moved, and only the rows that explain the move.
 */
describe('YSK feed: change detection from aggregates, without conditional requests', () => {
  const ELECTION = `agg${process.pid}`;
  let sim: RunningSimulator;
  let app: RunningApp;
  let store: Store;
  let feed: FeedService;
  let admin: Session;

  beforeAll(async () => {
    sim = await startSmallNight({ election: ELECTION, plates: [69, 62], ballots: [2], revisionRate: 0.08, etag: false });
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      YSK_BASE_URL: sim.apiUrl,
      YSK_PROVINCES: '69,62',
      YSK_POLL_INTERVAL_MS: '300',
      YSK_MAX_RPS: '300',
      YSK_CONCURRENCY: '4',
      YSK_TIMEOUT_MS: '1500',
      YSK_BACKOFF_BASE_MS: '20',
      YSK_BACKOFF_CAP_MS: '300',
      YSK_MAX_ATTEMPTS: '50',
      FEED_WINDOW_MS: '2000',
      FEED_PAUSED_AFTER_MS: '60000',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOGIN_RATE_LIMIT: '10000',
    });
    store = app.app.get(STORE);
    feed = app.app.get(FeedService);
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  const caughtUp = () => storeCaughtUp(sim, store);

  it('registers every box before YSK publishes any (a district is fetched only once its aggregate moves)', async () => {
    expect(await truth(sim, 'now')).toHaveLength(0);
    const all = await truth(sim);
    for (const plate of [69, 62]) {
      const want = all.filter((b) => b.ref.province === plate).length;
      await eventually(async () => {
        const { body } = await admin.get(`/api/coverage?province=${plate}&ballot=2`);
        return body.boxes?.total === want ? null : `province ${plate}: ${body.boxes?.total} boxes registered, YSK has ${want}`;
      }, 30_000);
    }
    expect(feed.totals.boxListCalls).toBe(0);
  });

  it('converges exactly through a night, fetching far fewer rows than whole lists would', async () => {
    const final = await truth(sim);
    const revised = final.filter((b) => b.versions.length > 1);
    expect(revised.length).toBeGreaterThan(5);
    const stops = [...new Set(revised.flatMap((b) => b.versions.slice(1).map((v) => Date.parse(v.at) - 1)))].sort((a, b) => a - b);
    const end = Math.max(...final.flatMap((b) => b.versions.map((v) => Date.parse(v.at)))) + 1;
    // a whole-list poller would download, every sweep, every published box of every district
    let wholeListRows = 0;
    const totals0 = { ...feed.totals };
    const traffic0 = { ...sim.traffic };
    for (const at of [...stops, end]) {
      if (at <= sim.clock.now()) continue;
      sim.clock.set(at);
      const sweeps0 = feed.totals.sweeps;
      await eventually(caughtUp, 60_000, 50);
      const published = (await truth(sim, 'now')).length;
      wholeListRows += published * Math.max(1, (feed.totals.sweeps - sweeps0) / 2);
    }
    // every version, every revision altered, no 304 ever answered
    const reconcile = app.app.get(ReconcileService);
    for (const box of final) {
      const stored = await store.versions(box.key);
      expect(stored.map((v) => v.yskVersion)).toEqual(box.versions.map((v) => v.versiyon));
      expect(reconcile.state.summary(box.key)?.altered).toBe(box.versions.length > 1 || box.alteredBeforeSeen);
    }
    expect(sim.traffic.notModified).toBe(0);
    expect(feed.totals.notModified).toBe(0);
    const t = feed.totals;
    const versions = t.versions - totals0.versions;
    const rowsServed = (sim.traffic.bytes - traffic0.bytes) / 3250;
    expect(versions).toBe(final.reduce((n, b) => n + b.versions.length, 0));
    expect(t.probeCalls - totals0.probeCalls).toBeGreaterThan(0);
    // far fewer rows than whole lists every sweep
    expect(rowsServed).toBeLessThan(wholeListRows / 3);
  }, 300_000);

  it('a quiet night costs one aggregate call per province and interval, and no box list', async () => {
    const before = { ...feed.totals };
    await new Promise((r) => setTimeout(r, 2_000));
    expect(feed.totals.aggregateCalls - before.aggregateCalls).toBeGreaterThanOrEqual(6);
    expect(feed.totals.boxListCalls - before.boxListCalls).toBe(0);
    expect(feed.totals.probeCalls - before.probeCalls).toBe(0);
  });

  it('reports a real lag per province: small while polls succeed, growing when they fail, and health says so', async () => {
    const lagOf = async (plate: number) => {
      const m = (await fetch(`${app.url}/metrics`).then((r) => r.text())).match(
        new RegExp(`gozcu_poll_lag_seconds\\{ballot="2",province="${plate}"\\} ([0-9.]+)`),
      );
      return m ? Number(m[1]) : NaN;
    };
    expect(await lagOf(69)).toBeLessThan(2);
    expect(await lagOf(62)).toBeLessThan(2);
    const h = await admin.get('/api/feed/health');
    expect(h.body.overall).toBe('healthy');
    expect(h.body.lags.map((l: { province: number }) => l.province).sort()).toEqual([62, 69]);
    sim.faults.add({ kind: 'http5xx', count: 1_000_000 }, sim.clock.now());
    try {
      await eventually(async () => ((await lagOf(69)) > 2.5 ? null : `lag ${await lagOf(69)}`), 15_000, 200);
      await eventually(
        async () => {
          const s = (await admin.get('/api/feed/health')).body;
          return s.overall === 'failing' || s.overall === 'paused' ? null : `feed is ${s.overall} (${s.cause})`;
        },
        15_000,
        200,
      );
    } finally {
      sim.faults.clear();
    }
    await eventually(
      async () => ((await lagOf(69)) < 2 && (await admin.get('/api/feed/health')).body.overall === 'healthy' ? null : 'not recovered'),
      30_000,
      200,
    );
  }, 60_000);
});
