import { boxKey, type Sheet } from '@gozcu/shared';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';

const sheet = (ak: number, chp: number, over: Partial<Sheet> = {}): Sheet => ({
  registered: 300,
  voted: ak + chp + 5,
  validUncontested: ak + chp,
  validAfterObjection: 0,
  valid: ak + chp,
  invalid: 5,
  votes: { 'AK PARTİ': ak, CHP: chp },
  ...over,
});
const ref = (boxNo: number) => ({ ballot: 2, province: 69, district: 681, boxNo });

describe('observer entries (REST)', () => {
  let app: RunningApp;
  let admin: Session;
  /** a second observer: the district's data officer */
  let mehmet: Session;
  let n = 0;
  // the API needs a signed-in user: these run as the seeded HQ administrator
  const getJson = (url: string) => admin.get(url.slice(app.url.length));
  const postJson = (url: string, body: unknown) => admin.post(url.slice(app.url.length), body);
  const idem = () => `test-idem-${++n}-${Date.now()}`;

  beforeAll(async () => {
    app = await startApp({ YSK_ELECTION_ID: 'entries-test', YSK_BALLOT_TYPES: '2,3', GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD });
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    mehmet = await userOf(app.url, admin, 'mehmet', 'district_data', { province: 69, district: 681 });
  });
  afterAll(() => app.close());

  it('stores an entry once, answering a retry with the same entry', async () => {
    const body = { ref: ref(1001), sheet: sheet(100, 80), idempotencyKey: idem(), observer: 'ayse' };
    const first = await postJson(`${app.url}/api/entries`, body);
    expect(first.status).toBe(201);
    expect(first.body.duplicate).toBe(false);
    expect(first.body.entry.key).toBe('entries-test:2:69:681:1001');
    // one entry is not yet the organisation's figure (ENTRY_CONFIRMATIONS defaults to 2)
    expect(first.body.box).toMatchObject({ status: 'awaiting', unconfirmed: true, org: null });
    const retry = await postJson(`${app.url}/api/entries`, body);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ duplicate: true, entry: { id: first.body.entry.id } });
    const detail = await getJson(`${app.url}/api/boxes/${first.body.entry.key}`);
    expect(detail.body.entries).toHaveLength(1);
  });

  it('refuses an idempotency key reused for different content (409), storing nothing', async () => {
    const key = idem();
    await postJson(`${app.url}/api/entries`, { ref: ref(1002), sheet: sheet(10, 10), idempotencyKey: key, observer: 'ayse' });
    const reused = await postJson(`${app.url}/api/entries`, { ref: ref(1002), sheet: sheet(11, 10), idempotencyKey: key, observer: 'ayse' });
    expect(reused.status).toBe(409);
    expect(reused.body.message).toContain(key);
    expect((await getJson(`${app.url}/api/boxes/entries-test:2:69:681:1002`)).body.entries).toHaveLength(1);
  });

  it('answers 400 naming every bad field, and stores nothing', async () => {
    const bad = await postJson(`${app.url}/api/entries`, {
      ref: { ballot: 5, province: 82, district: -1, boxNo: 'x' },
      sheet: { ...sheet(1, 1), registered: -3, votes: { CHP: 1.5 } },
      idempotencyKey: 'short',
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.issues).sort()).toEqual(
      ['idempotencyKey', 'ref.ballot', 'ref.boxNo', 'ref.district', 'ref.province', 'sheet.registered', 'sheet.votes.CHP'].sort(),
    );
    expect(bad.body.message).toMatch(/^invalid entry: /);
    const boxes = await getJson(`${app.url}/api/boxes?province=69&limit=1000`);
    expect(boxes.body.items.map((b: { boxNo: number }) => b.boxNo)).not.toContain(-1);
  });

  it.each([
    ['valid + invalid ≠ voted', { voted: 999 }, 'sheet'],
    ['votes above valid', { votes: { 'AK PARTİ': 500, CHP: 500 } }, 'sheet'],
  ])('rejects an impossible sheet (%s) with 400', async (_label, over, field) => {
    const res = await postJson(`${app.url}/api/entries`, {
      ref: ref(1003),
      sheet: sheet(50, 50, over as Partial<Sheet>),
      idempotencyKey: idem(),
      observer: 'ayse',
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.issues).some((k) => k.startsWith(field))).toBe(true);
    expect((await getJson(`${app.url}/api/boxes/entries-test:2:69:681:1003`)).status).toBe(404);
  });

  it('keeps warnings (turnout over registered) with the entry', async () => {
    const res = await postJson(`${app.url}/api/entries`, {
      ref: ref(1004),
      sheet: sheet(200, 150, { registered: 300 }),
      idempotencyKey: idem(),
      observer: 'ayse',
    });
    expect(res.status).toBe(201);
    expect(res.body.entry.warnings).toEqual(['turnout_over_registered']);
  });

  it('marks two disagreeing observers as conflicting until a confirmation', async () => {
    const key = 'entries-test:2:69:681:1005';
    await postJson(`${app.url}/api/entries`, { ref: ref(1005), sheet: sheet(40, 60), idempotencyKey: idem(), observer: 'ayse' });
    const second = await mehmet.post('/api/entries', { ref: ref(1005), sheet: sheet(41, 60), idempotencyKey: idem() });
    expect(second.body.entry.observer).toBe('mehmet');
    expect(second.body.box.conflicting).toBe(true);
    const conflicting = await getJson(`${app.url}/api/coverage?province=69&ballot=2`);
    expect(conflicting.body.boxes.conflicting).toBeGreaterThanOrEqual(1);
    const confirmed = await postJson(`${app.url}/api/boxes/${key}/confirm`, { entryId: second.body.entry.id, by: 'ilce-veri' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.box).toMatchObject({ conflicting: false, org: { votes: { 'AK PARTİ': 41 } } });
    const missing = await postJson(`${app.url}/api/boxes/${key}/confirm`, { entryId: 'nope', by: 'ilce-veri' });
    expect(missing.status).toBe(404);
  });

  it('imports a CSV with a per-row report, idempotently', async () => {
    const csv = [
      'ballot,province,district,boxNo,registered,voted,validUncontested,validAfterObjection,valid,invalid,AK PARTİ,CHP',
      '2,69,681,1101,300,205,200,0,200,5,120,80',
      '2,69,681,1102,300,105,100,0,100,5,60,40',
      '2,69,681,1103,300,105,100,0,100,5,90,40',
      '2,99,681,1104,300,105,100,0,100,5,60,40',
    ].join('\n');
    const post = () => admin.post('/api/entries/import', csv);
    const first = await post();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ stored: 2, duplicates: 0, rejected: 2 });
    expect(first.body.rows.map((r: { row: number; ok: boolean }) => [r.row, r.ok])).toEqual([
      [2, true],
      [3, true],
      [4, false],
      [5, false],
    ]);
    expect(Object.keys(first.body.rows[2].issues)).toEqual(['sheet.valid']);
    expect(Object.keys(first.body.rows[3].issues)).toEqual(['ref.province']);
    const again = await post();
    expect(again.body).toMatchObject({ stored: 0, duplicates: 2, rejected: 2 });
    const badCsv = await admin.fetch('/api/entries/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b\n1,2' });
    expect(badCsv.status).toBe(400);
    expect(badCsv.body.message).toMatch(/lacks the columns ballot, province/);
  });

  it('checks an import with many rows in one district against the register as it checks one entry', async () => {
    // district 7001 (province 7): boxes 1–30 on its neighbourhood's register, box 45 registered by YSK outside it
    const store = app.app.get<Store>(STORE);
    await store.upsertDistricts([{ yskId: 7001, province: 7, name: 'Muratpaşa' }]);
    await store.upsertNeighbourhoods([{ yskId: 97001, district: 7001, province: 7, name: 'Merkez', minBox: 1, maxBox: 30 }]);
    const held = { election: 'entries-test', ballot: 2 as const, province: 7, district: 7001, boxNo: 45 };
    await app.app.get(ReconcileService).registerBoxes([{ ...held, key: boxKey(held), yskBoxId: 7_000_045, neighbourhood: null }]);
    const header = 'ballot,province,district,boxNo,registered,voted,validUncontested,validAfterObjection,valid,invalid,AK PARTİ,CHP';
    const boxNos = [...Array.from({ length: 40 }, (_, i) => i + 1), 45];
    const csv = [header, ...boxNos.map((b) => `2,7,7001,${b},300,105,100,0,100,5,60,40`), '2,8,7001,3,300,105,100,0,100,5,60,40'].join('\n');
    const res = await admin.post('/api/entries/import', csv);
    expect(res.status).toBe(200);
    const rows = res.body.rows as Array<{ row: number; ok: boolean; issues?: Record<string, string> }>;
    expect(rows.filter((r) => r.ok).map((r) => boxNos[r.row - 2])).toEqual([...Array.from({ length: 30 }, (_, i) => i + 1), 45]);
    expect(rows.slice(30, 40).map((r) => r.issues?.ref)).toEqual(Array.from({ length: 10 }, (_, i) => `box ${31 + i} is not on the register of district 7001`));
    expect(rows[41]).toMatchObject({ ok: false, issues: { ref: 'district 7001 is not in province 8' } });
    expect(res.body).toMatchObject({ stored: 31, rejected: 11 });
    // one entry at a time, the same answers
    const one = (boxNo: number) =>
      postJson(`${app.url}/api/entries`, {
        ref: { ballot: 2, province: 7, district: 7001, boxNo },
        sheet: sheet(60, 40),
        idempotencyKey: idem(),
        observer: 'ayse',
      });
    expect((await one(35)).body.issues).toEqual({ ref: 'box 35 is not on the register of district 7001' });
    expect((await one(45)).status).toBe(201);
  });

  it('counts entries in coverage and lists boxes as JSON and CSV', async () => {
    const cov = await getJson(`${app.url}/api/coverage?province=69&ballot=2`);
    expect(cov.status).toBe(200);
    expect(cov.body.scope).toEqual({ level: 'province', province: 69 });
    expect(cov.body.boxes.orgOnly).toBe(cov.body.boxes.entered);
    // the confirmed box (1005) is entered; the single entries await their second
    expect(cov.body.boxes.entered).toBeGreaterThanOrEqual(1);
    expect(cov.body.boxes.unconfirmed).toBeGreaterThanOrEqual(5);
    expect(cov.body.votes.org['AK PARTİ']).toBeGreaterThan(0);
    const page = await getJson(`${app.url}/api/boxes?province=69&district=681&ballot=2&status=unconfirmed&limit=2`);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.items.every((b: { unconfirmed: boolean; org: unknown }) => b.unconfirmed && b.org === null)).toBe(true);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const next = await getJson(
      `${app.url}/api/boxes?province=69&district=681&ballot=2&status=unconfirmed&limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`,
    );
    expect(next.body.items[0].key > page.body.items[1].key).toBe(true);
    const all = await getJson(`${app.url}/api/boxes?province=69&limit=1000`);
    const csv = await admin.get('/api/boxes?province=69&limit=1000&format=csv');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (csv.body as string).trim().split('\n');
    expect(lines[0]).toContain('key,ballot,province,district,box,status');
    expect(lines[0]).toContain('conflicting,unconfirmed');
    expect(lines.length - 1).toBe(all.body.items.length);
    expect(lines[1].startsWith(all.body.items[0].key)).toBe(true);
    const viaAccept = await admin.fetch('/api/boxes?province=69', { headers: { accept: 'text/csv' } });
    expect(viaAccept.headers.get('content-type')).toMatch(/text\/csv/);
  });

  it.each([
    ['/api/coverage?province=0', 400],
    ['/api/coverage?ballot=5', 400],
    ['/api/coverage?district=999999', 404],
    ['/api/boxes?limit=5000', 400],
    ['/api/boxes?cursor=garbage', 400],
    ['/api/boxes/not-a-key', 404],
  ])('GET %s → %i with a message', async (path, status) => {
    const res = await getJson(`${app.url}${path}`);
    expect(res.status).toBe(status);
    expect(res.body.message).toEqual(expect.any(String));
  });

  it('answers malformed JSON with 400', async () => {
    const res = await admin.fetch('/api/entries', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ref": ' });
    expect(res.status).toBe(400);
  });
});
