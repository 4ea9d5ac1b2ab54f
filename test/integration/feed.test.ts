import { sheetHash, type Sheet } from '@gozcu/shared';
import type { FaultSpec } from '../../server/src/simulator/faults';
import type { RunningSimulator } from '../../server/src/simulator/server';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login } from '../support/auth';
import { eventually, startSmallNight, truth, type TruthBox } from '../support/sim';

const same = (a: Sheet, b: Sheet) => sheetHash(a) === sheetHash(b);

/**
 * A whole compressed night for one province against the simulator over real HTTP, with real
 * Redis (BullMQ) and SQLite, faults switched on along the way. The clock stops just before each
 * revision so every version YSK published is visible to at least one poll.
 */
describe('YSK feed: a night with faults converges to the simulator truth', () => {
  const ELECTION = `feed${process.pid}`;
  let sim: RunningSimulator;
  let app: RunningApp;
  let store: Store;
  let reconcile: ReconcileService;

  beforeAll(async () => {
    sim = await startSmallNight({ election: ELECTION, plates: [69], ballots: [2, 3], revisionRate: 0.08 });
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2,3',
      YSK_BASE_URL: sim.apiUrl,
      YSK_PROVINCES: '69',
      YSK_POLL_INTERVAL_MS: '250',
      YSK_MAX_RPS: '200',
      YSK_TIMEOUT_MS: '1500',
      YSK_BACKOFF_BASE_MS: '20',
      YSK_BACKOFF_CAP_MS: '400',
      YSK_MAX_ATTEMPTS: '50',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    store = app.app.get(STORE);
    reconcile = app.app.get(ReconcileService);
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  /** Every box-result visible now is stored with exactly YSK's latest figures. */
  async function caughtUp(): Promise<string | null> {
    const visible = await truth(sim, 'now');
    for (const box of visible) {
      const latest = await store.latestVersion(box.key);
      const want = box.versions[box.versions.length - 1];
      if (!latest) return `${box.key} not stored yet`;
      if (!same(latest.sheet, want.sheet) || latest.yskVersion !== want.versiyon)
        return `${box.key} at versiyon ${latest.yskVersion}, YSK has ${want.versiyon}`;
    }
    return null;
  }

  it('stores every box, every version, marks every revision altered, with no duplicates', async () => {
    const final = await truth(sim);
    expect(final.length).toBeGreaterThan(50);
    const revised = final.filter((b) => b.versions.length > 1);
    expect(revised.length).toBeGreaterThan(0);
    // stops: just before each revision (so the version it replaces is seen), then the very end
    const stops = [...new Set(revised.flatMap((b) => b.versions.slice(1).map((v) => Date.parse(v.at) - 1)))].sort((a, b) => a - b);
    const end = Math.max(...final.flatMap((b) => b.versions.map((v) => Date.parse(v.at)))) + 1;
    const faults: FaultSpec[] = [
      { kind: 'http5xx', count: 6 },
      { kind: 'truncated', count: 3, endpoints: ['getSecimSandikSonucList'] },
      { kind: 'malformed', count: 3, endpoints: ['getSecimSandikSonucList'] },
      { kind: 'drift', count: 2, endpoints: ['getSecimSandikSonucList'], wrongType: 'gecerli_OY_TOPLAMI' },
      { kind: 'http429', count: 2, retryAfter: 1 },
      { kind: 'latency', count: 10, factor: 20 },
      { kind: 'testData', count: 2, endpoints: ['getSecimSandikSonucList'] },
    ];
    let i = 0;
    for (const at of [...stops, end]) {
      if (at <= sim.clock.now()) continue;
      sim.clock.set(at);
      const fault = faults[i++ % (faults.length + 2)];
      if (fault) sim.faults.add(fault, sim.clock.now());
      await eventually(caughtUp, 60_000);
    }

    const byKey = new Map<string, TruthBox>(final.map((b) => [b.key, b]));
    for (const box of final) {
      const stored = await store.versions(box.key);
      expect(stored.map((v) => v.seq)).toEqual(box.versions.map((_, k) => k + 1));
      stored.forEach((v, k) => {
        expect(same(v.sheet, box.versions[k].sheet)).toBe(true);
        expect(v.yskVersion).toBe(box.versions[k].versiyon);
        expect(v.changeReason).toBe(box.versions[k].reason);
      });
      // revised after we saw it, or YSK revised it before first publishing it (the feed's own signals)
      expect([box.key, reconcile.state.summary(box.key)?.altered]).toEqual([box.key, box.versions.length > 1 || box.alteredBeforeSeen]);
    }
    // nothing that was not in the truth got stored (test data, truncated or drifted payloads)
    const storedKeys: string[] = [];
    for (let after: string | undefined; ;) {
      const page = await store.boxes({ election: ELECTION }, { after, limit: 1000 });
      if (!page.length) break;
      storedKeys.push(...page.filter((p) => p.latest).map((p) => p.box.key));
      after = page[page.length - 1].box.key;
    }
    expect(storedKeys.filter((k) => !byKey.has(k))).toEqual([]);
    const incidents = await store.incidents({ limit: 500 });
    const kinds = new Set(incidents.map((x) => x.kind));
    for (const kind of ['http_5xx', 'parse', 'schema', 'http_429', 'test_data']) expect(kinds).toContain(kind);
    expect(incidents.find((x) => x.kind === 'parse')?.raw).toEqual(expect.any(String));
  }, 240_000);

  it('reports feed health, latency and the politeness figures', async () => {
    const admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    const res = await admin.get('/api/feed/health');
    expect(res.status).toBe(200);
    expect(res.body.enabled).toBe(true);
    expect(res.body.endpoints.getSecimSandikSonucList['15m'].count).toBeGreaterThan(0);
    expect(res.body.endpoints.getSecimSandikSonucList['15m'].p95).toEqual(expect.any(Number));
    expect(res.body.totals.requests).toBeGreaterThan(0);
    expect(res.body.totals.notModified).toBeGreaterThan(0);
    expect(res.body.lastSuccessByProvince['69']).toEqual(expect.any(String));
    // boxes are registered from the neighbourhood lists, so the total is known before YSK publishes
    const final = await truth(sim);
    const cov = await admin.get('/api/coverage?province=69&ballot=2');
    const ballot2 = final.filter((b) => b.key.startsWith(`${ELECTION}:2:`)).length;
    expect(cov.body.boxes.total).toBe(ballot2);
    expect(cov.body.boxes.yskPublished).toBe(ballot2);
    expect(cov.body.boxes.altered).toBe(final.filter((b) => b.key.startsWith(`${ELECTION}:2:`) && b.versions.length > 1).length);
    // YSK-derived counts only with a token that may see them (issue 13); the public scrape has the rest
    const metrics = await admin.fetch('/metrics').then((r) => r.body as string);
    expect(await fetch(`${app.url}/metrics`).then((r) => r.text())).not.toMatch(/gozcu_versions_stored_total/);
    expect(metrics).toMatch(/gozcu_ysk_request_duration_seconds_bucket\{[^}]*endpoint="getSecimSandikSonucList"/);
    expect(metrics).toMatch(/gozcu_versions_stored_total\{kind="revised"\} [1-9]/);
  });
});
