import { sheetHash } from '@gozcu/shared';
import { SimClock } from '../../server/src/simulator/clock';
import { BayburtWorld } from '../../server/src/simulator/bayburt';
import { startSimulator, type RunningSimulator } from '../../server/src/simulator/server';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, type Session } from '../support/auth';
import { SHARED_DATA } from '../support/paths';
import { NIGHT_START, eventually, truth } from '../support/sim';

/**
 * One bad row in a district's payload (a figure sent as a string) must not cost the district:
 * that row is rejected as an incident, with its raw value, and every other box is stored; the
 * feed stays healthy; once YSK sends the row right, it is stored too.
 */
describe('YSK feed: one bad row is rejected, the rest of the payload is data', () => {
  const ELECTION = `rows${process.pid}`;
  let sim: RunningSimulator;
  let app: RunningApp;
  let store: Store;
  let admin: Session;

  beforeAll(async () => {
    const world = new BayburtWorld(SHARED_DATA, ELECTION, 2, NIGHT_START, 9);
    sim = await startSimulator({ clock: new SimClock({ start: NIGHT_START, mode: 'manual' }), world, latencyMs: 1, host: '127.0.0.1', port: 0 });
    sim.clock.set(NIGHT_START + 10 * 24 * 3_600_000);
    // one box in each of two districts carries gecerli_OY_TOPLAMI as a string, in whatever list or
    // box-number range it is fetched: wrong, and only there
    const districts = new Map<number, { district: number; box: number }>();
    for (const b of await truth(sim, 'now')) if (!districts.has(b.ref.district)) districts.set(b.ref.district, { district: b.ref.district, box: b.ref.boxNo });
    const bad = [...districts.values()].slice(0, 2);
    sim.faults.add({ kind: 'drift', endpoints: ['getSecimSandikSonucList'], wrongType: 'gecerli_OY_TOPLAMI', boxes: bad, count: 1_000_000 }, sim.clock.now());
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      YSK_BASE_URL: sim.apiUrl,
      YSK_PROVINCES: '69',
      YSK_POLL_INTERVAL_MS: '200',
      YSK_MAX_RPS: '200',
      YSK_BACKOFF_BASE_MS: '20',
      YSK_BACKOFF_CAP_MS: '300',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOGIN_RATE_LIMIT: '10000',
    });
    store = app.app.get(STORE);
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('stores every other box, records the bad row once, and takes it when it comes right', async () => {
    const boxes = await truth(sim, 'now');
    expect(boxes).toHaveLength(105);
    const missing = async () => {
      const out: string[] = [];
      for (const b of boxes) if (!(await store.latestVersion(b.key))) out.push(b.key);
      return out;
    };
    // two districts, one bad row each
    await eventually(async () => ((await missing()).length === 2 ? null : `${(await missing()).length} boxes not stored`), 30_000);
    const incidents = (await store.incidents({ limit: 200 })).filter((i) => i.kind === 'row_rejected');
    expect(incidents.length).toBeGreaterThanOrEqual(2);
    expect(incidents[0]!.cause).toMatch(/gecerli_OY_TOPLAMI/);
    expect(incidents[0]!.raw).toContain('"gecerli_OY_TOPLAMI":"');
    // once per bad row, not once per poll
    await new Promise((r) => setTimeout(r, 1500));
    expect((await store.incidents({ limit: 200 })).filter((i) => i.kind === 'row_rejected')).toHaveLength(incidents.length);
    expect(['healthy', 'slow']).toContain((await admin.get('/api/feed/health')).body.overall);
    expect((await store.incidents({ limit: 200 })).some((i) => i.kind === 'schema')).toBe(false);

    sim.faults.clear();
    await eventually(async () => ((await missing()).length === 0 ? null : `${(await missing()).length} boxes not stored`), 30_000);
    for (const b of boxes) expect(sheetHash((await store.latestVersion(b.key))!.sheet)).toBe(sheetHash(b.versions[b.versions.length - 1]!.sheet));
  }, 90_000);
});
