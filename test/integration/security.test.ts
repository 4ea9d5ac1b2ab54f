import { statSync } from 'node:fs';
import { join } from 'node:path';
import { boxKey, sheetHash, type Sheet } from '@gozcu/shared';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';
import { getJson, postJson } from '../support/http';

/**
 * Regression tests of issue 13's findings (found by attacking a local instance): each failed
 * before its fix. Province 6 (Ankara) district 1 and province 69 (Bayburt) district 75 have a
 * register of boxes 1–20 (a neighbourhood's box range), as discovery leaves it.
 */
const ELECTION = `security-${Date.now()}`;
const sheet = (ak: number, chp: number): Sheet => ({
  registered: 300,
  voted: ak + chp + 5,
  validUncontested: ak + chp,
  validAfterObjection: 0,
  valid: ak + chp,
  invalid: 5,
  votes: { 'AK PARTİ': ak, CHP: chp },
});
const key = (province: number, district: number, boxNo: number) => boxKey({ election: ELECTION, ballot: 2, province, district, boxNo });
let n = 0;
const idem = () => `sec-idem-${++n}-${Date.now()}`;

/** What a rejected request must not change: row counts of every table that holds data. */
function fingerprint(store: Store): string {
  const db = (store as unknown as { db: { prepare(sql: string): { get(): { n: number } } } }).db;
  return ['boxes', 'entries', 'users', 'audit', 'settings', 'petitions', 'complaints', 'box_versions']
    .map((t) => `${t}=${db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get().n}`)
    .join(' ');
}

describe('security regressions (issue 13)', () => {
  let app: RunningApp;
  let admin: Session;
  let store: Store;
  let itAdmin: Session;

  beforeAll(async () => {
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      ENTRY_CONFIRMATIONS: '1' /* one entry is the organisation's figure here: these tests are about access, not N-entry confirmation */,
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOGIN_MAX_FAILURES: '3',
      LOGIN_RATE_LIMIT: '10000',
      TRUST_PROXY: 'loopback',
      COMPLAINT_RATE_LIMIT: '10000',
    });
    store = app.app.get<Store>(STORE);
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    await store.upsertDistricts([
      { yskId: 1, province: 6, name: 'Çankaya' },
      { yskId: 75, province: 69, name: 'Demirözü' },
    ]);
    await store.upsertNeighbourhoods([
      { yskId: 9001, district: 1, province: 6, name: 'Kızılay', minBox: 1, maxBox: 20 },
      { yskId: 9002, district: 75, province: 69, name: 'Merkez', minBox: 1, maxBox: 20 },
    ]);
    const boxes = [6, 69].flatMap((p) =>
      Array.from({ length: 20 }, (_, i) => ({ ...refOf(p, p === 6 ? 1 : 75, i + 1), neighbourhood: p === 6 ? 9001 : 9002 })),
    );
    await app.app.get(ReconcileService).registerBoxes(boxes);
    itAdmin = await userOf(app.url, admin, 'bilgi-islem', 'it_admin');
  });
  afterAll(() => app.close());

  const refOf = (province: number, district: number, boxNo: number) => ({
    key: key(province, district, boxNo),
    election: ELECTION,
    ballot: 2 as const,
    province,
    district,
    boxNo,
    yskBoxId: null,
    neighbourhood: null as number | null,
  });
  const publish = async (k: string, s: Sheet) => {
    const at = new Date().toISOString();
    const [, , province, district, boxNo] = k.split(':').map(Number);
    app.app
      .get(ReconcileService)
      .applyYsk(
        await store.appendVersions([
          { box: refOf(province, district, boxNo), key: k, hash: sheetHash(s), sheet: s, yskVersion: 1, yskChangedAt: at, changeReason: null, fetchedAt: at },
        ]),
      );
  };

  describe('finding 1: grants only below the grantor', () => {
    it('an IT administrator cannot create, import or reset an HQ administrator; still creates field staff', async () => {
      const before = fingerprint(store);
      const create = await itAdmin.post('/api/users', { username: 'evil-hq', role: 'hq_admin', password: 'pw-evil-hq-0123456789' });
      expect(create.status).toBe(403);
      expect(create.body.message).toMatch(/cannot grant/);
      const imported = await itAdmin.post('/api/users/import', 'username,role,password\nevil-hq2,hq_admin,pw-evil-hq2-0123456789\n');
      expect(imported.status).toBe(200);
      expect(imported.body.rows[0]).toMatchObject({ ok: false, issues: { role: expect.stringMatching(/cannot grant/) } });
      const reset = await itAdmin.post('/api/users/user-admin', { password: 'pw-taken-over-0123456789' }, 'PATCH');
      expect(reset.status).toBe(403);
      expect(fingerprint(store)).toBe(before);
      expect((await postJson(`${app.url}/api/auth/login`, { username: 'admin', password: 'pw-taken-over-0123456789' })).status).toBe(401);
      // promoting field staff to HQ is refused too
      const chair = await itAdmin.post('/api/users', {
        username: 'il-baskani-6',
        role: 'province_chair',
        scope: { province: 6 },
        password: 'pw-il-baskani-0123456789',
      });
      expect(chair.status).toBe(201);
      expect((await itAdmin.post(`/api/users/${chair.body.user.id}`, { role: 'hq_viewer' }, 'PATCH')).status).toBe(403);
    });
  });

  describe('finding 2, 14: input bounded, boxes against the register', () => {
    let officer: Session;
    beforeAll(async () => {
      officer = await userOf(app.url, admin, 'ilce-veri', 'district_data', { province: 6, district: 1 });
    });

    it('a box number of 10^12 is a 400 that writes nothing, and the server still starts', async () => {
      const before = fingerprint(store);
      const res = await officer.post('/api/entries', {
        ref: { ballot: 2, province: 6, district: 1, boxNo: 1_000_000_000_000 },
        sheet: sheet(10, 10),
        idempotencyKey: idem(),
      });
      expect(res.status).toBe(400);
      expect(res.body.issues).toHaveProperty(['ref.boxNo']);
      const huge = await officer.post('/api/entries', {
        ref: { ballot: 2, province: 6, district: 1, boxNo: 3 },
        sheet: { ...sheet(10, 10), registered: 1e21 },
        idempotencyKey: idem(),
      });
      expect(huge.status).toBe(400);
      expect(fingerprint(store)).toBe(before);
    });

    it('an entry for a box not on the register is refused; by CSV too; a CSV with a party twice is refused', async () => {
      const before = fingerprint(store);
      const res = await officer.post('/api/entries', {
        ref: { ballot: 2, province: 6, district: 1, boxNo: 999999 },
        sheet: sheet(10, 10),
        idempotencyKey: idem(),
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/not on the register/);
      const header = 'ballot,province,district,boxNo,registered,voted,validUncontested,validAfterObjection,valid,invalid,AK PARTİ,CHP';
      const csv = [header, '2,6,1,2000,300,25,20,0,20,5,10,10', '2,6,1,2001,300,25,20,0,20,5,10,10'].join('\n');
      const imported = await officer.post('/api/entries/import', csv);
      expect(imported.status).toBe(200);
      expect(imported.body).toMatchObject({ stored: 0, rejected: 2 });
      const twice = await officer.post('/api/entries/import', [`${header},CHP`, '2,6,1,2,300,25,20,0,20,5,10,10,99'].join('\n'));
      expect(twice.status).toBe(400);
      expect(twice.body.message).toMatch(/CHP more than once/);
      expect(fingerprint(store)).toBe(before);
      // a box on the register is taken
      expect(
        (await officer.post('/api/entries', { ref: { ballot: 2, province: 6, district: 1, boxNo: 2 }, sheet: sheet(10, 10), idempotencyKey: idem() })).status,
      ).toBe(201);
    });

    it('a 1 MB body is a 413, not a 500', async () => {
      const res = await officer.post('/api/entries', {
        ref: { ballot: 2, province: 6, district: 1, boxNo: 2 },
        sheet: sheet(10, 10),
        idempotencyKey: idem(),
        pad: 'x'.repeat(1024 * 1024),
      });
      expect(res.status).toBe(413);
      expect(res.body.message).toMatch(/larger/);
      const broken = await officer.fetch('/api/entries', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ref":' });
      expect(broken.status).toBe(400);
    });
  });

  describe('finding 3, 7: petitions — embargo and the whole scope', () => {
    it("Ankara's provincial legal officer cannot set a Bayburt district's deadline by naming province 6", async () => {
      const legal6 = await userOf(app.url, admin, 'il-hukuk-6', 'province_legal', { province: 6 });
      const before = fingerprint(store);
      const res = await legal6.post('/api/petitions/deadlines/75', { province: 6, deadline: new Date(Date.now() + 86_400_000).toISOString() }, 'PUT');
      expect(res.status).toBe(403);
      expect(fingerprint(store)).toBe(before);
      expect((await legal6.post('/api/petitions/deadlines/1', { province: 6, deadline: new Date(Date.now() + 86_400_000).toISOString() }, 'PUT')).status).toBe(
        200,
      );
      // a district named with the wrong province is refused in queries too
      const chair6 = await userOf(app.url, admin, 'il-baskan-6b', 'province_chair', { province: 6 });
      expect((await chair6.get('/api/coverage?province=6&district=75')).status).toBe(403);
      expect((await chair6.get('/api/coverage?district=75')).status).toBe(403);
    });

    it("during the embargo a district chair reads an HQ petition without YSK's figures, and no PDF", async () => {
      const k = key(69, 75, 5);
      const entry = await admin.post('/api/entries', {
        ref: { ballot: 2, province: 69, district: 75, boxNo: 5 },
        sheet: sheet(100, 50),
        idempotencyKey: idem(),
      });
      expect(entry.status).toBe(201);
      await publish(k, sheet(93, 57));
      const hqLegal = await userOf(app.url, admin, 'gm-hukuk', 'hq_legal');
      const draft = await hqLegal.post('/api/petitions', { key: k });
      expect(draft.status).toBe(201);
      expect(draft.body.text.body).toMatch(/YSK 93/);
      const chair = await userOf(app.url, admin, 'ilce-baskan-75', 'district_chair', { province: 69, district: 75 });
      expect((await admin.post('/api/embargo', { until: new Date(Date.now() + 3_600_000).toISOString() }, 'PUT')).status).toBe(200);
      try {
        const seen = await chair.get(`/api/petitions/${draft.body.id}`);
        expect(seen.status).toBe(200);
        expect(JSON.stringify(seen.body)).not.toMatch(/YSK 93|"ysk":93|"ysk":57/);
        expect(seen.body.text.figures.every((f: { ysk: unknown; difference: unknown }) => f.ysk === null && f.difference === null)).toBe(true);
        const list = await chair.get('/api/petitions');
        expect(list.body.items).toHaveLength(1);
        expect(JSON.stringify(list.body)).not.toMatch(/YSK 93/);
        expect((await chair.get(`/api/petitions/${draft.body.id}/pdf`)).status).toBe(403);
        expect((await hqLegal.get(`/api/petitions/${draft.body.id}`)).body.text.body).toMatch(/YSK 93/);
      } finally {
        expect((await admin.post('/api/embargo', { until: null }, 'PUT')).status).toBe(200);
      }
      expect((await chair.get(`/api/petitions/${draft.body.id}`)).body.text.body).toMatch(/YSK 93/);
    });
  });

  describe('finding 4: feed health and metrics', () => {
    it('raw YSK payloads reach feed roles only; YSK-derived counts are off the public /metrics', async () => {
      await store.openIncident({
        kind: 'schema',
        scope: 'getSecimSandikSonucList',
        startedAt: new Date().toISOString(),
        cause: 'district {"province":34}: schema drift',
        details: { keys: [key(34, 10, 1)] },
        raw: '{"secret":"ysk figures 12345"}',
      });
      const chair = await userOf(app.url, admin, 'il-baskan-69', 'province_chair', { province: 69 });
      const seen = await chair.get('/api/feed/health');
      expect(seen.status).toBe(200);
      expect(seen.body.incidents.recent.length).toBeGreaterThan(0);
      expect(JSON.stringify(seen.body.incidents)).not.toMatch(/12345|province\\":34|34:10/);
      const operator = await userOf(app.url, admin, 'akis-operator', 'feed_operator');
      expect(JSON.stringify((await operator.get('/api/feed/health')).body.incidents)).toMatch(/12345/);
      expect(JSON.stringify((await itAdmin.get('/api/feed/health')).body.incidents)).not.toMatch(/12345/);
      const open = await fetch(`${app.url}/metrics`).then((r) => r.text());
      expect(open).toMatch(/gozcu_feed_state|process_cpu/);
      expect(open).not.toMatch(/gozcu_versions_stored_total|gozcu_boxes_published/);
      const authed = await operator.fetch('/metrics').then((r) => r.body as string);
      expect(authed).toMatch(/gozcu_versions_stored_total/);
    });
  });

  describe('finding 11: revocation within seconds', () => {
    it('disabling a user ends their access token; a password change and a reused refresh token end every access token', async () => {
      const leaver = await userOf(app.url, admin, 'ayrilan', 'province_viewer', { province: 6 });
      expect((await leaver.get('/api/coverage')).status).toBe(200);
      expect((await admin.post(`/api/users/${leaver.user.id}`, { disabled: true }, 'PATCH')).status).toBe(200);
      expect((await leaver.get('/api/coverage')).status).toBe(401);

      const mover = await userOf(app.url, admin, 'sifre-degisen', 'province_viewer', { province: 6 });
      const other = await login(app.url, 'sifre-degisen', 'pw-sifre-degisen-0123456789');
      expect((await mover.post('/api/auth/password', { current: 'pw-sifre-degisen-0123456789', next: 'a-new-strong-pw-77' }, 'PUT')).status).toBe(204);
      expect((await other.get('/api/coverage')).status).toBe(401);
      expect((await mover.get('/api/coverage')).status).toBe(401);

      const victim = await userOf(app.url, admin, 'calinan', 'province_viewer', { province: 6 });
      const r1 = await postJson(`${app.url}/api/auth/refresh`, { refreshToken: victim.refreshToken });
      expect(r1.status).toBe(200);
      expect((await postJson(`${app.url}/api/auth/refresh`, { refreshToken: victim.refreshToken })).status).toBe(401);
      expect((await getJson(`${app.url}/api/coverage`, { headers: { authorization: `Bearer ${r1.body.accessToken}` } })).status).toBe(401);
      expect((await victim.get('/api/coverage')).status).toBe(401);
    });
  });

  describe('finding 16: lockout, oracle, password policy', () => {
    const from = (ip: string, username: string, password: string) =>
      getJson(`${app.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ username, password }),
      });

    it('failures from one address hold that address off, not the account; unknown users answer the same', async () => {
      await userOf(app.url, admin, 'kurban', 'district_viewer', { province: 6, district: 1 });
      const answers: number[] = [];
      const strangers: number[] = [];
      for (let i = 0; i < 5; i++) {
        answers.push((await from('203.0.113.7', 'kurban', 'wrong-password-x')).status);
        strangers.push((await from('203.0.113.7', 'nobody-here', 'wrong-password-x')).status);
      }
      expect(answers).toEqual([401, 401, 401, 429, 429]);
      expect(strangers).toEqual(answers);
      const held = await from('203.0.113.7', 'kurban', 'pw-kurban-0123456789');
      expect(held.status).toBe(429);
      expect(held.headers.get('retry-after')).toMatch(/^\d+$/);
      // the owner, from their own address, signs in: nobody can lock them out
      expect((await from('198.51.100.20', 'kurban', 'pw-kurban-0123456789')).status).toBe(200);
    });

    it('refuses short, repetitive and common passwords', async () => {
      for (const password of ['aaaaaaaaaa', 'password123', 'qwertyuiop', 'abcabcabcabc', 'short']) {
        const res = await admin.post('/api/users', {
          username: `weak-${password.length}-${password[0]}`,
          role: 'province_viewer',
          scope: { province: 6 },
          password,
        });
        expect([password, res.status]).toEqual([password, 400]);
        expect(res.body.issues).toHaveProperty('password');
      }
    });
  });

  describe('low findings', () => {
    it('complaints for unknown districts are refused', async () => {
      const res = await fetch(`${app.url}/api/citizen/complaints`, {
        method: 'POST',
        body: (() => {
          const f = new FormData();
          for (const [k, v] of Object.entries({ province: '6', district: '4242', boxNo: '1', text: 'Sandıkta usulsüzlük gördüm, tutanak farklı.' }))
            f.append(k, v);
          return f;
        })(),
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/district/);
    });

    it('the SQLite file is 0600 and its directory 0700', () => {
      expect((statSync(join(app.dataDir, 'gozcu.sqlite')).mode & 0o777).toString(8)).toBe('600');
      expect((statSync(join(app.dataDir, 'gozcu.sqlite-wal')).mode & 0o777).toString(8)).toBe('600');
    });

    it("a provincial chair reads only their own province's district names", async () => {
      const chair = await userOf(app.url, admin, 'il-baskan-6c', 'province_chair', { province: 6 });
      const mine = await chair.get('/api/districts');
      expect(mine.body.items.map((d: { province: number }) => d.province)).toEqual([6]);
      expect((await chair.get('/api/districts?province=69')).status).toBe(403);
      expect((await admin.get('/api/districts')).body.items.length).toBe(2);
    });

    it('a province that is no plate code is a 400 naming the field, for every caller', async () => {
      for (const bad of ['abc', '0', '82', '6.5']) {
        const res = await admin.get(`/api/districts?province=${bad}`);
        expect(res.status).toBe(400);
        expect(JSON.stringify(res.body)).toMatch(/province/);
      }
      expect((await admin.get('/api/districts?province=6')).body.items.map((d: { province: number }) => d.province)).toEqual([6]);
    });
  });
});
