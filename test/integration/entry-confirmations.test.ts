/**
 * N-entry verification through HTTP (ENTRY_CONFIRMATIONS): the organisation's figure of a box is
 * a sheet N different people entered identically, or one a confirming role confirmed; until then
 * the box awaits confirmation and raises no mismatch. Also "Sandıklarım" (GET /api/entries/my-boxes).
 */
import { boxKey, sheetHash, type MyBoxesResponse, type Sheet } from '@gozcu/shared';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';

const sheet = (ak: number, chp: number): Sheet => ({
  registered: 300,
  voted: ak + chp + 5,
  validUncontested: ak + chp,
  validAfterObjection: 0,
  valid: ak + chp,
  invalid: 5,
  votes: { 'AK PARTİ': ak, CHP: chp },
});
let n = 0;
const idem = () => `conf-${process.pid}-${++n}`;

async function world(election: string, env: Record<string, string> = {}) {
  const appEnv = { YSK_ELECTION_ID: election, YSK_BALLOT_TYPES: '2', GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD, LOGIN_RATE_LIMIT: '10000', ...env };
  const app = await startApp(appEnv);
  const admin = await login(app.url, 'admin', ADMIN_PASSWORD);
  const store = app.app.get<Store>(STORE);
  const key = (boxNo: number) => boxKey({ election, ballot: 2, province: 69, district: 681, boxNo });
  const ref = (boxNo: number) => ({ ballot: 2, province: 69, district: 681, boxNo });
  const publish = async (boxNo: number, s: Sheet) => {
    const at = new Date().toISOString();
    const box = { key: key(boxNo), election, ballot: 2 as const, province: 69, district: 681, boxNo, yskBoxId: null, neighbourhood: null };
    app.app
      .get(ReconcileService)
      .applyYsk(
        await store.appendVersions([
          { box, key: key(boxNo), hash: sheetHash(s), sheet: s, yskVersion: 1, yskChangedAt: at, changeReason: null, fetchedAt: at },
        ]),
      );
  };
  const observer = (name: string, boxes: number[]) => userOf(app.url, admin, name, 'box_officer', { boxes: boxes.map((b) => `69:681:${b}`) });
  const summary = async (boxNo: number) => (await admin.get(`/api/boxes/${key(boxNo)}`)).body.summary;
  return { app, env: appEnv, admin, store, key, ref, publish, observer, summary };
}

describe('N-entry verification, ENTRY_CONFIRMATIONS=2 (the default)', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let ayse: Session;
  let mehmet: Session;
  let zeynep: Session;
  beforeAll(async () => {
    w = await world(`conf2-${process.pid}`);
    await w.store.upsertProvinces([{ plate: 69, name: 'Bayburt' }]);
    await w.store.upsertDistricts([{ yskId: 681, province: 69, name: 'Demirözü' }]);
    await w.store.putColumnMap({
      election: w.app.config.YSK_ELECTION_ID,
      ballot: 2,
      province: 69,
      columns: [
        { position: 2, name: 'CHP', column: 'parti2_ALDIGI_OY' },
        { position: 1, name: 'AK PARTİ', column: 'parti1_ALDIGI_OY' },
      ],
      fetchedAt: new Date().toISOString(),
    });
    ayse = await w.observer('ayse', [1, 2, 3]);
    mehmet = await w.observer('mehmet', [1, 2, 3]);
    zeynep = await w.observer('zeynep', [2]);
    for (const b of [1, 2, 3]) await w.publish(b, sheet(100, 60));
  });
  afterAll(() => w.app.close());

  it('is the default', () => {
    expect(w.app.config.ENTRY_CONFIRMATIONS).toBe(2);
  });

  it('one entry awaits confirmation: no organisation figure, no mismatch; the same person again does not count twice', async () => {
    const first = await ayse.post('/api/entries', { ref: w.ref(1), sheet: sheet(100, 80), idempotencyKey: idem() });
    expect(first.status).toBe(201);
    expect(first.body.box).toMatchObject({ status: 'ysk_only', unconfirmed: true, conflicting: false, org: null, differences: {} });
    const again = await ayse.post('/api/entries', { ref: w.ref(1), sheet: sheet(100, 80), idempotencyKey: idem() });
    expect(again.status).toBe(201);
    expect(again.body.box).toMatchObject({ status: 'ysk_only', unconfirmed: true });
    const cov = (await w.admin.get('/api/coverage?province=69&ballot=2')).body.boxes;
    expect(cov).toMatchObject({ mismatch: 0, entered: 0, unconfirmed: 1 });
    expect((await w.admin.get('/api/boxes?province=69&ballot=2&status=mismatch')).body.items).toEqual([]);
    expect((await w.admin.get('/api/boxes?province=69&ballot=2&status=unconfirmed')).body.items.map((b: { key: string }) => b.key)).toEqual([w.key(1)]);
  });

  it('a second person entering the same figures makes them the figure: the mismatch appears', async () => {
    const second = await mehmet.post('/api/entries', { ref: w.ref(1), sheet: sheet(100, 80), idempotencyKey: idem() });
    expect(second.body.box).toMatchObject({
      status: 'mismatch',
      unconfirmed: false,
      conflicting: false,
      org: { votes: { CHP: 80 } },
      differences: { 'votes.CHP': -20 },
    });
    expect((await w.admin.get('/api/coverage?province=69&ballot=2')).body.boxes).toMatchObject({ mismatch: 1, entered: 1, unconfirmed: 0 });
  });

  it('disagreeing entries are conflicting and listed; a third entry agreeing with one side settles the figure; a confirmation wins', async () => {
    await ayse.post('/api/entries', { ref: w.ref(2), sheet: sheet(100, 60), idempotencyKey: idem() });
    const other = await mehmet.post('/api/entries', { ref: w.ref(2), sheet: sheet(100, 61), idempotencyKey: idem() });
    expect(other.body.box).toMatchObject({ status: 'ysk_only', unconfirmed: true, conflicting: true, org: null });
    expect((await w.admin.get('/api/boxes?province=69&ballot=2&status=conflicting')).body.items.map((b: { key: string }) => b.key)).toEqual([w.key(2)]);
    const detail = (await w.admin.get(`/api/boxes/${w.key(2)}`)).body;
    expect(detail.entries.map((e: { observer: string; sheet: Sheet }) => [e.observer, e.sheet.votes.CHP])).toEqual([
      ['ayse', 60],
      ['mehmet', 61],
    ]);
    const third = await zeynep.post('/api/entries', { ref: w.ref(2), sheet: sheet(100, 60), idempotencyKey: idem() });
    expect(third.body.box).toMatchObject({ status: 'match', unconfirmed: false, conflicting: true });
    // the district data officer confirms mehmet's entry: it is in force, the conflict resolved
    const officer = await userOf(w.app.url, w.admin, 'veri', 'district_data', { province: 69, district: 681 });
    const confirmed = await officer.post(`/api/boxes/${w.key(2)}/confirm`, { entryId: other.body.entry.id });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.box).toMatchObject({ status: 'mismatch', unconfirmed: false, conflicting: false, org: { votes: { CHP: 61 } } });
  });

  it('a correction supersedes that person’s earlier entry', async () => {
    await ayse.post('/api/entries', { ref: w.ref(3), sheet: sheet(100, 60), idempotencyKey: idem() });
    const agreed = await mehmet.post('/api/entries', { ref: w.ref(3), sheet: sheet(100, 60), idempotencyKey: idem() });
    expect(agreed.body.box).toMatchObject({ status: 'match', unconfirmed: false });
    // ayse looks again at the sheet and corrects CHP: the pair falls apart
    const corrected = await ayse.post('/api/entries', { ref: w.ref(3), sheet: sheet(100, 62), idempotencyKey: idem() });
    expect(corrected.body.box).toMatchObject({ status: 'ysk_only', unconfirmed: true, conflicting: true, org: null });
    const mine = (await ayse.get('/api/entries/my-boxes')).body as MyBoxesResponse;
    expect(mine.items.find((b) => b.boxNo === 3)?.mine?.sheet.votes.CHP).toBe(62);
  });

  it('my boxes: the observer’s boxes with state, columns in ballot order, their entry and its verdict', async () => {
    const res = await ayse.get('/api/entries/my-boxes');
    expect(res.status).toBe(200);
    const body = res.body as MyBoxesResponse;
    expect(body.confirmations).toBe(2);
    expect(body.yskVisible).toBe(true);
    expect(body.items.map((b) => b.key)).toEqual([w.key(1), w.key(2), w.key(3)]);
    const [one, two, three] = body.items;
    expect(one).toMatchObject({
      provinceName: 'Bayburt',
      districtName: 'Demirözü',
      columns: ['AK PARTİ', 'CHP'],
      verdict: 'differs',
      agreeing: 2,
      summary: { status: 'mismatch' },
    });
    expect(one!.mine).toMatchObject({ sheet: sheet(100, 80), photos: 0 });
    expect(two).toMatchObject({ verdict: 'match', agreeing: 2, summary: { status: 'mismatch', conflicting: false } });
    expect(three).toMatchObject({ verdict: 'differs', agreeing: 1, summary: { unconfirmed: true } });
    // zeynep sees only her box; a role without entries:write gets 403; a region-scoped officer names a district
    expect(((await zeynep.get('/api/entries/my-boxes')).body as MyBoxesResponse).items.map((b) => b.boxNo)).toEqual([2]);
    const viewer = await userOf(w.app.url, w.admin, 'izleyici', 'district_viewer', { province: 69, district: 681 });
    expect((await viewer.get('/api/entries/my-boxes')).status).toBe(403);
    const officer = await login(w.app.url, 'veri', 'pw-veri-0123456789');
    expect((await officer.get('/api/entries/my-boxes')).status).toBe(200);
    expect(((await officer.get('/api/entries/my-boxes')).body as MyBoxesResponse).items.map((b) => b.boxNo)).toEqual([1, 2, 3]);
    expect((await w.admin.get('/api/entries/my-boxes')).status).toBe(400);
    expect(((await w.admin.get('/api/entries/my-boxes?district=681')).body as MyBoxesResponse).items).toHaveLength(3);
    expect((await officer.get('/api/entries/my-boxes?district=999')).status).toBe(403);
  });

  it('under the embargo an observer’s verdict is only "received" and YSK’s side is hidden', async () => {
    await w.admin.post('/api/embargo', { until: new Date(Date.now() + 3_600_000).toISOString() }, 'PUT');
    try {
      const body = (await ayse.get('/api/entries/my-boxes')).body as MyBoxesResponse;
      expect(body.yskVisible).toBe(false);
      expect(body.items.map((b) => b.verdict)).toEqual(['received', 'received', 'received']);
      expect(body.items.every((b) => b.summary.ysk === null)).toBe(true);
    } finally {
      await w.admin.post('/api/embargo', { until: null }, 'PUT');
    }
  });
});

describe('N-entry verification, ENTRY_CONFIRMATIONS=3 (Oy ve Ötesi’s T3)', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(`conf3-${process.pid}`, { ENTRY_CONFIRMATIONS: '3' });
    await w.publish(1, sheet(100, 60));
  });
  let restarted = false;
  afterAll(() => (restarted ? undefined : w.app.close()));

  it('needs three different people; the rebuild from the store after a restart agrees', async () => {
    const people = [await w.observer('obs-1', [1]), await w.observer('obs-2', [1]), await w.observer('obs-3', [1])];
    const states = [];
    for (const p of people) states.push((await p.post('/api/entries', { ref: w.ref(1), sheet: sheet(100, 60), idempotencyKey: idem() })).body.box);
    expect(states.map((b) => [b.status, b.unconfirmed])).toEqual([
      ['ysk_only', true],
      ['ysk_only', true],
      ['match', false],
    ]);
    // a restart rebuilds the state from the store with the same rule
    const before = await w.summary(1);
    await w.app.close({ keepData: true });
    restarted = true;
    const again = await startApp(w.env, { dataDir: w.app.dataDir });
    try {
      const admin = await login(again.url, 'admin', ADMIN_PASSWORD);
      expect((await admin.get(`/api/boxes/${w.key(1)}`)).body.summary).toEqual({ ...before, yskAgeMs: expect.any(Number) });
    } finally {
      await again.close();
    }
  });
});
