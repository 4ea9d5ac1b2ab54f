import { sheetHash } from '@gozcu/shared';
import { FeedService } from '../../server/src/modules/feed/feed.service';
import type { RunningSimulator } from '../../server/src/simulator/server';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { freePort, startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, type Session } from '../support/auth';
import { PrivateRedis } from '../support/redis';
import { NIGHT_START, eventually, startSmallNight, truth } from '../support/sim';

const INTERVAL_MS = 1_000;
const NIGHT = 6 * 3_600_000;

/**
 * Redis killed mid-night and restarted EMPTY on the same port (issue 13, finding 5): the job
 * schedulers, the queue and every key are gone. Polling must come back within one poll interval
 * of Redis answering again, the store must converge to the simulator's truth, and health must
 * tell the truth in between (never "healthy" while nothing polls; answering while Redis is down).
 */
describe('chaos: Redis restarts empty in the middle of the night', () => {
  const ELECTION = `chaos${process.pid}`;
  let redis: PrivateRedis;
  let sim: RunningSimulator;
  let app: RunningApp;
  /** an API-only node on the same store and Redis: reports what the worker published */
  let api: RunningApp;
  let apiAdmin: Session;
  let store: Store;
  let feed: FeedService;
  let admin: Session;

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    sim = await startSmallNight({ election: ELECTION, plates: [69], ballots: [2, 3], revisionRate: 0.05, etag: false });
    sim.clock.set(NIGHT_START + 0.3 * NIGHT);
    app = await startApp({
      REDIS_URL: redis.url,
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2,3',
      YSK_BASE_URL: sim.apiUrl,
      YSK_PROVINCES: '69',
      YSK_POLL_INTERVAL_MS: String(INTERVAL_MS),
      YSK_MAX_RPS: '200',
      YSK_TIMEOUT_MS: '1500',
      YSK_BACKOFF_BASE_MS: '20',
      YSK_BACKOFF_CAP_MS: '300',
      FEED_WINDOW_MS: '3000',
      FEED_PAUSED_AFTER_MS: '60000',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOGIN_RATE_LIMIT: '10000',
    });
    store = app.app.get(STORE);
    feed = app.app.get(FeedService);
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    api = await startApp(
      {
        REDIS_URL: redis.url,
        YSK_ELECTION_ID: ELECTION,
        YSK_BALLOT_TYPES: '2,3',
        YSK_BASE_URL: sim.apiUrl,
        YSK_PROVINCES: '69',
        YSK_WORKER: 'false',
        FEED_WINDOW_MS: '3000',
        GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LOGIN_RATE_LIMIT: '10000',
      },
      { dataDir: app.dataDir },
    );
    apiAdmin = await login(api.url, 'admin', ADMIN_PASSWORD);
    await eventually(async () => (await caughtUp()) ?? ((await health()).overall === 'healthy' ? null : 'not healthy yet'), 30_000);
  }, 60_000);
  afterAll(async () => {
    await api?.close({ keepData: true });
    await app?.close();
    await sim?.close();
    await redis?.kill();
  });

  async function health(): Promise<{ overall: string; rule: string; redis: string; cause: string }> {
    const res = await admin.get('/api/feed/health');
    if (res.status !== 200) throw new Error(`feed health answered ${res.status}`);
    return res.body;
  }

  async function caughtUp(): Promise<string | null> {
    for (const box of await truth(sim, 'now')) {
      const latest = await store.latestVersion(box.key);
      const want = box.versions.at(-1)!;
      if (!latest) return `${box.key} not stored`;
      if (latest.yskVersion !== want.versiyon || sheetHash(latest.sheet) !== sheetHash(want.sheet))
        return `${box.key} at ${latest.yskVersion}, YSK has ${want.versiyon}`;
    }
    return null;
  }

  /** Calls a URL with a deadline: answering at all is the point. */
  async function timed<T>(fn: () => Promise<T>, ms = 3_000): Promise<{ value: T; ms: number }> {
    const t0 = Date.now();
    const value = await Promise.race([fn(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);
    return { value, ms: Date.now() - t0 };
  }

  it('polls again within one poll interval of Redis coming back empty, converges, and health tells the truth throughout', async () => {
    const seen: Array<{ at: number; overall: string; rule: string }> = [];
    const killedAt = Date.now();
    await redis.kill();
    // YSK keeps publishing while Redis is down
    sim.clock.set(NIGHT_START + 0.5 * NIGHT);

    // while Redis is down: feed health and /healthz answer, and neither says all is well
    await eventually(async () => ((await health()).rule === 'redis_unreachable' ? null : `rule ${(await health()).rule}`), 5_000, 100);
    for (let i = 0; i < 8; i++) {
      const h = await timed(() => health());
      expect(h.value.overall).not.toBe('healthy');
      expect(h.value.redis).toBe('unreachable');
      seen.push({ at: Date.now(), overall: h.value.overall, rule: h.value.rule });
      const hz = await timed(() =>
        fetch(`${app.url}/healthz`).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { status: string; failures?: string[]; feed?: { overall: string } },
        })),
      );
      expect(hz.value.status).toBe(503);
      expect(hz.value.body.failures?.join(' ')).toMatch(/redis/);
      expect(hz.value.body.feed?.overall).toBe('failing');
      // the API-only node answers too, from the state the worker stored, and says Redis is gone
      const remote = await timed(() => apiAdmin.get('/api/feed/health'));
      expect(remote.value.status).toBe(200);
      expect(remote.value.body).toMatchObject({ redis: 'unreachable', source: 'store', overall: 'failing' });
      seen.push({ at: Date.now(), overall: `api:${remote.value.body.overall}`, rule: remote.value.body.rule });
      await new Promise((r) => setTimeout(r, 250));
    }

    const storedWhileDown = feed.totals.versions;

    // Redis back, empty, on the same port
    await redis.start();
    const upAt = Date.now();
    const lastSuccessBefore = feed.health.lastPollSuccessAt ?? 0;
    let resumedAt = 0;
    let sawHealthyBeforeResume = false;
    await eventually(
      async () => {
        const h = await health();
        seen.push({ at: Date.now(), overall: h.overall, rule: h.rule });
        const polled = (feed.health.lastPollSuccessAt ?? 0) > Math.max(lastSuccessBefore, upAt);
        if (!polled && h.overall === 'healthy') sawHealthyBeforeResume = true;
        if (polled && !resumedAt) resumedAt = feed.health.lastPollSuccessAt!;
        return resumedAt ? null : 'not polling yet';
      },
      15_000,
      50,
    );
    const resumeMs = resumedAt - upAt;
    expect(sawHealthyBeforeResume).toBe(false);
    // one poll interval after Redis answers (plus the reconnect itself, a few hundred ms at most)
    expect(resumeMs).toBeLessThanOrEqual(INTERVAL_MS + 1_000);

    // the store converges to what YSK published meanwhile, then to the end of the night
    await eventually(caughtUp, 30_000);
    expect(feed.totals.versions).toBeGreaterThan(storedWhileDown);
    const final = await truth(sim);
    sim.clock.set(Math.max(...final.flatMap((b) => b.versions.map((v) => Date.parse(v.at)))) + 1);
    await eventually(caughtUp, 60_000);
    // every box stored, nothing stored twice or out of order, nothing YSK did not publish
    for (const box of final) {
      const stored = (await store.versions(box.key)).map((v) => v.yskVersion);
      const published = box.versions.map((v) => v.versiyon);
      expect(stored.at(-1)).toBe(published.at(-1));
      expect(stored.every((v, i) => published.includes(v!) && (i === 0 || v! > stored[i - 1]!))).toBe(true);
    }
    await eventually(async () => ((await health()).overall === 'healthy' ? null : `feed is ${(await health()).overall}`), 15_000, 200);
    const states = [...new Set(seen.map((s) => `${s.overall}/${s.rule}`))];
    process.stdout.write(
      `\n[chaos] Redis down ${upAt - killedAt} ms; first successful poll ${resumeMs} ms after Redis answered again (poll interval ${INTERVAL_MS} ms); health while broken: ${states.join(', ')}\n`,
    );
  }, 180_000);
});
