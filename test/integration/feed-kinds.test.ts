import { BOX_KINDS, sheetHash, type BoxCounters, type BoxKind } from '@gozcu/shared';
import type { RunningSimulator } from '../../server/src/simulator/server';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, type Session } from '../support/auth';
import { NIGHT_START, eventually, startSmallNight, truth, type TruthBox, storeCaughtUp } from '../support/sim';

const HOUR = 3_600_000;

/**
 * A general election (ballot 8) in Edirne and Bayburt: ordinary boxes, a prison in each
 * province, Edirne's customs gates and the foreign missions under the abroad pseudo-province,
 * many boxes revised, some of them before YSK ever published them. Gözcü polls the night in two
 * steps, so some revised boxes are seen before their revision and others only after it.
 */
describe('YSK feed: every box kind, and boxes changed before Gözcü saw them', () => {
  const ELECTION = `kinds${process.pid}`;
  let sim: RunningSimulator;
  let app: RunningApp;
  let store: Store;
  let admin: Session;

  beforeAll(async () => {
    sim = await startSmallNight({ election: ELECTION, plates: [22, 69], ballots: [8], seed: 21, revisionRate: 0.2, preFetchRevisionShare: 0.5 });
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '8',
      YSK_BASE_URL: sim.apiUrl,
      YSK_PROVINCES: '',
      YSK_POLL_INTERVAL_MS: '250',
      YSK_MAX_RPS: '300',
      YSK_BACKOFF_BASE_MS: '20',
      YSK_BACKOFF_CAP_MS: '300',
      YSK_MAX_ATTEMPTS: '50',
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

  const caughtUp = () => storeCaughtUp(sim, store);

  const altered = (b: TruthBox) => b.versions.length > 1 || b.alteredBeforeSeen;

  it('polls, stores and reconciles prison, customs and abroad boxes with their own coverage line', async () => {
    const final = await truth(sim);
    const byKind = (kind: BoxKind) => final.filter((b) => b.kind === kind);
    for (const kind of BOX_KINDS) expect([kind, byKind(kind).length > 0]).toEqual([kind, true]);
    // abroad boxes are told apart by their letters: one number, two boxes
    expect(byKind('abroad').some((b) => b.ref.rumuz === 'B')).toBe(true);

    sim.clock.set(NIGHT_START + 3 * HOUR);
    await eventually(caughtUp, 90_000);
    sim.clock.set(NIGHT_START + 12 * 24 * HOUR);
    await eventually(caughtUp, 90_000);

    const cov = (await admin.get('/api/coverage?ballot=8')).body;
    expect(cov.boxes.total).toBe(final.length);
    expect(cov.boxes.yskPublished).toBe(final.length);
    for (const kind of BOX_KINDS) {
      const boxes = byKind(kind);
      expect([kind, cov.kinds[kind]]).toMatchObject([kind, { total: boxes.length, yskPublished: boxes.length, altered: boxes.filter(altered).length }]);
    }
    const sum = (field: keyof BoxCounters) => BOX_KINDS.reduce((n, k) => n + cov.kinds[k][field], 0);
    expect(sum('total')).toBe(cov.boxes.total);
    expect(sum('altered')).toBe(cov.boxes.altered);

    // the abroad pseudo-province has its own coverage, and a box with letters its own detail
    const abroad = (await admin.get('/api/coverage?province=99&ballot=8')).body;
    expect(abroad.boxes.total).toBe(byKind('abroad').length);
    expect(abroad.kinds.abroad.total).toBe(byKind('abroad').length);
    const lettered = byKind('abroad').find((b) => b.ref.rumuz === 'B')!;
    const detail = await admin.get(`/api/boxes/${encodeURIComponent(lettered.key)}`);
    expect(detail.status).toBe(200);
    expect(detail.body.summary).toMatchObject({ key: lettered.key, kind: 'abroad', rumuz: 'B', province: 99 });
    expect(sheetHash(detail.body.summary.ysk)).toBe(sheetHash(lettered.versions[lettered.versions.length - 1]!.sheet));
    const prison = byKind('prison')[0]!;
    expect((await admin.get(`/api/boxes/${encodeURIComponent(prison.key)}`)).body.summary).toMatchObject({
      kind: 'prison',
      province: prison.ref.province,
      district: prison.ref.district,
    });
    // registered before YSK published them: the stored box knows its kind
    expect((await store.box(prison.key))?.box.kind).toBe('prison');
  }, 240_000);

  it('a box first fetched already revised is altered in /api/coverage and says so in its detail', async () => {
    const final = await truth(sim);
    const byPlate = (plate: number) => final.filter((b) => b.ref.province === plate);
    for (const plate of [22, 69, 99]) {
      const cov = (await admin.get(`/api/coverage?province=${plate}&ballot=8`)).body;
      expect([plate, cov.boxes.altered]).toEqual([plate, byPlate(plate).filter(altered).length]);
    }
    // revised before Gözcü saw them: one stored version, yet altered
    const firstSeenRevised: TruthBox[] = [];
    for (const b of final.filter(altered)) if ((await store.versions(b.key)).length === 1) firstSeenRevised.push(b);
    expect(firstSeenRevised.length).toBeGreaterThan(3);
    // … among them boxes YSK revised before ever publishing them
    expect(firstSeenRevised.some((b) => b.alteredBeforeSeen && b.versions.length === 1)).toBe(true);
    for (const b of firstSeenRevised) {
      const { body } = await admin.get(`/api/boxes/${encodeURIComponent(b.key)}`);
      expect([b.key, body.summary.altered, body.summary.alteredBeforeSeen, body.summary.versions]).toEqual([b.key, true, true, 1]);
      expect(body.alteredBeforeSeen).toMatchObject({ message: 'Gözcü görmeden önce değiştirilmiş', yskVersion: b.versions[b.versions.length - 1]!.versiyon });
      expect(body.versions[0].change).toBe('revised_before_seen');
    }
    // and the altered list carries them like any altered box
    const list = (await admin.get('/api/boxes?ballot=8&status=altered&limit=1000')).body;
    expect(list.total).toBe(final.filter(altered).length);
    expect(list.items.map((s: { key: string }) => s.key)).toEqual(expect.arrayContaining(firstSeenRevised.map((b) => b.key)));
    // a box seen before it was revised is altered without that note
    const seenThenRevised: TruthBox[] = [];
    for (const b of final)
      if (b.versions.length > 1 && !b.alteredBeforeSeen && (await store.versions(b.key)).length === b.versions.length) seenThenRevised.push(b);
    expect(seenThenRevised.length).toBeGreaterThan(0);
    const { body } = await admin.get(`/api/boxes/${encodeURIComponent(seenThenRevised[0]!.key)}`);
    expect([body.summary.altered, body.summary.alteredBeforeSeen, body.alteredBeforeSeen]).toEqual([true, false, null]);
  }, 120_000);
});
