import { sheetHash, type FeedHealthState } from '@gozcu/shared';
import { SimClock } from '../../server/src/simulator/clock';
import { BayburtWorld } from '../../server/src/simulator/bayburt';
import type { FaultSpec } from '../../server/src/simulator/faults';
import { startSimulator, type RunningSimulator } from '../../server/src/simulator/server';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, type Session } from '../support/auth';
import { SHARED_DATA } from '../support/paths';
import { NIGHT_START, eventually, truth } from '../support/sim';

/**
 * Each fault class on its own: the poller backs off, feed health reaches the expected state and
 * recovers once the fault is gone, and nothing wrong is stored. Short health windows so a test
 * does not wait a minute for the state to recover.
 */
describe('YSK feed faults, one class at a time', () => {
  const ELECTION = `faults${process.pid}`;
  let sim: RunningSimulator;
  let app: RunningApp;
  let store: Store;
  let admin: Session;

  beforeAll(async () => {
    const world = new BayburtWorld(SHARED_DATA, ELECTION, 2, NIGHT_START, 5);
    sim = await startSimulator({ clock: new SimClock({ start: NIGHT_START, mode: 'manual' }), world, latencyMs: 15, host: '127.0.0.1', port: 0 });
    sim.clock.set(NIGHT_START + 10 * 24 * 3_600_000);
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      YSK_BASE_URL: sim.apiUrl,
      YSK_PROVINCES: '69',
      YSK_POLL_INTERVAL_MS: '200',
      YSK_MAX_RPS: '200',
      YSK_TIMEOUT_MS: '400',
      YSK_BACKOFF_BASE_MS: '50',
      YSK_BACKOFF_CAP_MS: '400',
      YSK_MAX_ATTEMPTS: '100',
      FEED_WINDOW_MS: '2500',
      FEED_SLOW_P95_MS: '300',
      FEED_PAUSED_AFTER_MS: '4000',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOGIN_RATE_LIMIT: '10000',
    });
    store = app.app.get(STORE);
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    await eventually(async () => ((await health()).overall === 'healthy' && (await storedAll()) ? null : 'not yet caught up'), 30_000);
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  async function health(): Promise<{ overall: FeedHealthState; backoffMs: number }> {
    return (await admin.get('/api/feed/health')).body;
  }

  async function storedAll(): Promise<boolean> {
    for (const box of await truth(sim, 'now')) if (!(await store.latestVersion(box.key))) return false;
    return true;
  }

  it.each<[string, FaultSpec, FeedHealthState, boolean]>([
    ['HTTP 5xx', { kind: 'http5xx', count: 100_000 }, 'failing', true],
    // the province is complete, so only its aggregates are polled: the faults hit those and the box lists
    ['timeouts', { kind: 'timeout', count: 100_000, endpoints: ['getSecimSandikSonucList', 'getSecimSonucList'] }, 'failing', true],
    ['truncated JSON', { kind: 'truncated', count: 100_000, endpoints: ['getSecimSandikSonucList', 'getSecimSonucList'] }, 'failing', true],
    ['malformed JSON', { kind: 'malformed', count: 100_000, endpoints: ['getSecimSandikSonucList', 'getSecimSonucList'] }, 'failing', true],
    [
      'schema drift',
      { kind: 'drift', count: 100_000, endpoints: ['getSecimSandikSonucList', 'getSecimSonucList'], wrongType: 'gecerli_OY_TOPLAMI' },
      'failing',
      true,
    ],
    ['429 with a long Retry-After', { kind: 'http429', count: 100_000, retryAfter: 6 }, 'paused', true],
    ['latency ×40', { kind: 'latency', count: 100_000, factor: 40 }, 'slow', false],
  ])(
    '%s → %s, then back to healthy',
    async (_label, fault, expected, backsOff) => {
      const before = new Map((await truth(sim, 'now')).map((b) => [b.key, b.versions.length]));
      sim.faults.add(fault, sim.clock.now());
      let sawBackoff = false;
      const seenStates = new Set<string>();
      await eventually(
        async () => {
          const h = await health();
          sawBackoff ||= h.backoffMs > 0;
          seenStates.add(`${h.overall}/${(h as { rule?: string }).rule}`);
          return h.overall === expected ? null : `feed is ${h.overall} (seen ${[...seenStates].join(', ')})`;
        },
        20_000,
        50,
      );
      if (backsOff) {
        await eventually(
          async () => {
            sawBackoff ||= (await health()).backoffMs > 0;
            return sawBackoff ? null : 'no backoff yet';
          },
          10_000,
          50,
        );
      }
      sim.faults.clear();
      await eventually(
        async () => {
          const h = await health();
          return h.overall === 'healthy' ? null : `feed is ${h.overall}`;
        },
        30_000,
        100,
      );
      // nothing wrong stored: every box still has exactly YSK's versions, no extra version appeared
      for (const box of await truth(sim, 'now')) {
        const stored = await store.versions(box.key);
        expect(stored).toHaveLength(before.get(box.key)!);
        expect(sheetHash(stored[stored.length - 1].sheet)).toBe(sheetHash(box.versions[box.versions.length - 1].sheet));
      }
    },
    60_000,
  );
});
