import { ROLES, boxKey, scopeAllowsBox, sheetHash, type PrincipalScope, type Sheet } from '@gozcu/shared';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';
import { getJson, postJson } from '../support/http';

const ELECTION = 'auth-test';
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

/** Boxes seeded as admin: Ankara (06) districts 1 and 2, İstanbul (34) district 10. */
const BOXES = [
  [6, 1, 1001],
  [6, 1, 1002],
  [6, 2, 1001],
  [34, 10, 1001],
  [34, 10, 1002],
] as const;
const OWN = key(6, 1, 1001);
const OTHER_34 = key(34, 10, 1001);

/** The scope a user of each level gets in these tests. */
const SCOPES: Record<string, Record<string, unknown>> = {
  country: {},
  province: { province: 6 },
  district: { province: 6, district: 1 },
  building: { boxes: ['6:1:1001', '6:1:1002'] },
  box: { boxes: ['6:1:1001'] },
  public: {},
};

let n = 0;
const idem = () => `auth-idem-${++n}-${Date.now()}`;

describe('roles, scopes, embargo and audit (REST)', () => {
  let app: RunningApp;
  let admin: Session;
  let users: Map<string, Session>;

  beforeAll(async () => {
    // roles and scopes, not the N-entry rule: each seeded entry below stands for the organisation's
    // figure of its box (the audit of a confirmation shows the figure it replaced), so one is enough
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOGIN_MAX_FAILURES: '3',
      LOGIN_RATE_LIMIT: '10000',
      ENTRY_CONFIRMATIONS: '1',
    });
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    for (const [province, district, boxNo] of BOXES) {
      const res = await admin.post('/api/entries', { ref: { ballot: 2, province, district, boxNo }, sheet: sheet(100, 50), idempotencyKey: idem() });
      expect(res.status).toBe(201);
    }
    // YSK publishes one Ankara box, with different figures (a mismatch), and one İstanbul box
    const store = app.app.get<Store>(STORE);
    const reconcile = app.app.get(ReconcileService);
    const at = new Date().toISOString();
    const ysk = (k: string, s: Sheet) => {
      const [, , province, district, boxNo] = k.split(':').map(Number);
      return {
        box: { key: k, election: ELECTION, ballot: 2 as const, province, district, boxNo, yskBoxId: null, neighbourhood: null },
        key: k,
        hash: sheetHash(s),
        sheet: s,
        yskVersion: 1,
        yskChangedAt: at,
        changeReason: null,
        fetchedAt: at,
      };
    };
    reconcile.applyYsk(await store.appendVersions([ysk(OWN, sheet(90, 60)), ysk(OTHER_34, sheet(100, 50))]));
    users = new Map();
    for (const role of ROLES) users.set(role.id, await userOf(app.url, admin, `u-${role.id.replace(/_/g, '-')}`, role.id, SCOPES[role.level]));
  });
  afterAll(() => app.close());

  describe('sign-in', () => {
    it('keeps every API route behind a token; /healthz and /metrics stay public', async () => {
      for (const path of ['/api/coverage', '/api/boxes', `/api/boxes/${OWN}`, '/api/users', '/api/audit', '/api/embargo', '/api/auth/me']) {
        const res = await getJson(`${app.url}${path}`);
        expect([path, res.status]).toEqual([path, 401]);
        expect(res.body.message).toMatch(/Bearer/);
      }
      expect((await postJson(`${app.url}/api/entries`, {})).status).toBe(401);
      expect((await getJson(`${app.url}/api/coverage`, { headers: { authorization: 'Bearer not.a.token' } })).status).toBe(401);
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${app.url}/metrics`)).status).toBe(200);
    });

    it('logs in with { username, password } answering { accessToken, refreshToken, user }, and says who is signed in', async () => {
      const res = await postJson(`${app.url}/api/auth/login`, { username: 'ADMIN', password: ADMIN_PASSWORD });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: 900,
        user: { username: 'admin', role: 'hq_admin', scope: { level: 'country' } },
      });
      expect(res.body.user.permissions).toEqual(expect.arrayContaining(['users:admin', 'audit:read', 'embargo:admin', 'ysk:read:embargoed']));
      expect(res.body.user).not.toHaveProperty('passwordHash');
      const me = await getJson(`${app.url}/api/auth/me`, { headers: { authorization: `Bearer ${res.body.accessToken}` } });
      expect(me.body).toMatchObject({ username: 'admin', roleName: { tr: 'Genel Merkez Yöneticisi', en: 'HQ administrator' } });
      const wrong = await postJson(`${app.url}/api/auth/login`, { username: 'admin', password: 'nope' });
      expect(wrong.status).toBe(401);
      const unknown = await postJson(`${app.url}/api/auth/login`, { username: 'nobody', password: 'nope' });
      expect([unknown.status, unknown.body.message]).toEqual([401, wrong.body.message]);
      expect((await postJson(`${app.url}/api/auth/login`, { username: '' })).status).toBe(400);
    });

    it('trades a refresh token once; a reused one ends every session of the user; logout ends one', async () => {
      const s = await login(app.url, 'admin', ADMIN_PASSWORD);
      const r1 = await postJson(`${app.url}/api/auth/refresh`, { refreshToken: s.refreshToken });
      expect(r1.status).toBe(200);
      expect(r1.body.refreshToken).not.toBe(s.refreshToken);
      expect((await getJson(`${app.url}/api/auth/me`, { headers: { authorization: `Bearer ${r1.body.accessToken}` } })).status).toBe(200);
      const reused = await postJson(`${app.url}/api/auth/refresh`, { refreshToken: s.refreshToken });
      expect(reused.status).toBe(401);
      // the thief's replay also ended the session the legitimate refresh started
      expect((await postJson(`${app.url}/api/auth/refresh`, { refreshToken: r1.body.refreshToken })).status).toBe(401);
      // and every access token of the user (issue 13): this suite's admin session too
      expect((await admin.get('/api/auth/me')).status).toBe(401);

      const s2 = await login(app.url, 'admin', ADMIN_PASSWORD);
      const out = await fetch(`${app.url}/api/auth/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: s2.refreshToken }),
      });
      expect(out.status).toBe(204);
      expect((await postJson(`${app.url}/api/auth/refresh`, { refreshToken: s2.refreshToken })).status).toBe(401);
      admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    });

    it('holds off an address after repeated failures for an account, with 429 for known and unknown users alike; the account stays open; audited', async () => {
      await userOf(app.url, admin, 'lock-me', 'district_viewer', { province: 6, district: 1 });
      const bad = (username: string) => postJson(`${app.url}/api/auth/login`, { username, password: 'wrong-password' });
      expect([(await bad('lock-me')).status, (await bad('lock-me')).status, (await bad('lock-me')).status]).toEqual([401, 401, 401]);
      const fourth = await bad('lock-me');
      expect(fourth.status).toBe(429);
      expect(fourth.body.message).toMatch(/try again in \d+ s/);
      for (let i = 0; i < 3; i++) await bad('nobody-at-all');
      expect((await bad('nobody-at-all')).status).toBe(429);
      expect((await postJson(`${app.url}/api/auth/login`, { username: 'lock-me', password: 'pw-lock-me-0123456789' })).status).toBe(429);
      const log = await admin.get('/api/audit?action=user.login_backoff&target=user:lock-me');
      expect(log.body.items).toHaveLength(1);
    });

    it('a disabled user cannot sign in or refresh', async () => {
      const s = await userOf(app.url, admin, 'leaver', 'province_viewer', { province: 6 });
      expect((await admin.post(`/api/users/${s.user.id}`, { disabled: true }, 'PATCH')).status).toBe(200);
      expect((await postJson(`${app.url}/api/auth/login`, { username: 'leaver', password: 'pw-leaver-0123456789' })).status).toBe(401);
      expect((await postJson(`${app.url}/api/auth/refresh`, { refreshToken: s.refreshToken })).status).toBe(401);
    });
  });

  describe('the role catalog', () => {
    it('has the 24 user types with Turkish and English names and a scope level each', () => {
      expect(ROLES).toHaveLength(24);
      expect(new Set(ROLES.map((r) => r.id)).size).toBe(24);
      expect(new Set(ROLES.map((r) => r.level))).toEqual(new Set(['country', 'province', 'district', 'building', 'box', 'public']));
    });

    it('refuses a user whose scope does not fit the role, and a taken username', async () => {
      const noProvince = await admin.post('/api/users', { username: 'chair-x', role: 'province_chair', scope: {}, password: 'long-enough-pw' });
      expect(noProvince.status).toBe(400);
      expect(noProvince.body.issues).toHaveProperty('scope');
      const noBox = await admin.post('/api/users', { username: 'obs-x', role: 'box_officer', scope: { province: 6 }, password: 'long-enough-pw' });
      expect(noBox.status).toBe(400);
      const badRole = await admin.post('/api/users', { username: 'x-y', role: 'king', password: 'long-enough-pw' });
      expect(Object.keys(badRole.body.issues)).toEqual(['role']);
      expect(
        (await admin.post('/api/users', { username: 'u-province-chair', role: 'province_chair', scope: { province: 6 }, password: 'long-enough-pw' })).status,
      ).toBe(409);
    });

    it('ties a box officer to their boxes, expanding province:district:boxNo to every followed ballot type', () => {
      expect(users.get('box_officer')!.user).toMatchObject({ scope: { level: 'box', boxes: [OWN] } });
    });
  });

  describe('every route, called as a user of each role, returns nothing outside the scope', () => {
    const scopeOf = (role: string): PrincipalScope => (users.get(role)!.user as unknown as { scope: PrincipalScope }).scope;
    const can = (role: string, p: string) => users.get(role)!.user.permissions.includes(p);

    it.each(ROLES.map((r) => [r.id, r.level]))('%s (%s)', async (role, level) => {
      const s = users.get(role)!;
      const scope = scopeOf(role);
      const country = level === 'country';

      // box list: only boxes in scope, with or without region filters
      for (const path of ['/api/boxes?limit=1000', '/api/boxes?limit=1000&province=6', '/api/boxes?limit=1000&format=csv']) {
        const res = await s.get(path);
        if (!can(role, 'boxes:read')) {
          expect([path, res.status]).toEqual([path, 403]);
          continue;
        }
        expect([path, res.status]).toEqual([path, 200]);
        const keys: string[] = path.includes('csv')
          ? (res.body as string)
              .trim()
              .split('\n')
              .slice(1)
              .map((l) => l.split(',')[0].replace(/^\uFEFF/, ''))
          : res.body.items.map((b: { key: string }) => b.key);
        for (const k of keys) {
          const [, , p, d] = k.split(':').map(Number);
          expect([k, scopeAllowsBox(scope, { province: p, district: d, key: k })]).toEqual([k, true]);
        }
        if (!country) expect(keys.some((k) => k.includes(':34:'))).toBe(false);
        if (level === 'province' && !path.includes('csv')) expect(keys.sort()).toEqual([key(6, 1, 1001), key(6, 1, 1002), key(6, 2, 1001)]);
        if (level === 'district') expect(keys.sort()).toEqual([key(6, 1, 1001), key(6, 1, 1002)]);
        if (level === 'box') expect(keys).toEqual([OWN]);
        if (level === 'building') expect(keys.sort()).toEqual([key(6, 1, 1001), key(6, 1, 1002)]);
      }

      // naming another province, district or box is refused
      const foreign = [
        `/api/boxes?province=34`,
        `/api/boxes?province=6&district=2`,
        `/api/boxes/${OTHER_34}`,
        `/api/boxes/${key(6, 2, 1001)}`,
        `/api/coverage?province=34`,
      ];
      for (const path of foreign) {
        const res = await s.get(path);
        const allowed = country || (level === 'province' && !path.includes('34'));
        const permitted = path.includes('coverage') ? can(role, 'coverage:read') : can(role, 'boxes:read');
        expect([path, res.status]).toEqual([path, allowed && permitted ? 200 : 403]);
      }

      // own box
      const own = await s.get(`/api/boxes/${OWN}`);
      expect(own.status).toBe(can(role, 'boxes:read') ? 200 : 403);
      if (level === 'building' || level === 'box') expect((await s.get(`/api/boxes/${key(6, 1, 1003)}`)).status).toBe(403);

      // coverage is narrowed to the scope when the query names less
      const cov = await s.get('/api/coverage');
      if (!can(role, 'coverage:read')) expect(cov.status).toBe(403);
      else {
        expect(cov.status).toBe(200);
        const expected = country
          ? { level: 'country' }
          : level === 'province'
            ? { level: 'province', province: 6 }
            : { level: 'district', province: 6, district: 1 };
        expect(cov.body.scope).toEqual(expected);
        if (!country) expect(cov.body.boxes.total).toBeLessThan(BOXES.length);
      }

      // writing outside the scope is refused
      const write = await s.post('/api/entries', { ref: { ballot: 2, province: 34, district: 10, boxNo: 1001 }, sheet: sheet(1, 1), idempotencyKey: idem() });
      expect(write.status).toBe(country && can(role, 'entries:write') ? 201 : 403);
      const confirm = await s.post(`/api/boxes/${OTHER_34}/confirm`, { entryId: 'x' });
      expect(confirm.status).toBe(country && can(role, 'entries:confirm') ? 404 : 403);

      // administration
      expect((await s.get('/api/users')).status).toBe(can(role, 'users:admin') ? 200 : 403);
      expect((await s.get('/api/audit')).status).toBe(can(role, 'audit:read') ? 200 : 403);
      expect((await s.get('/api/embargo')).status).toBe(level === 'public' ? 403 : 200);
      expect((await s.post('/api/embargo', { until: null }, 'PUT')).status).toBe(can(role, 'embargo:admin') ? 200 : 403);
    });

    it('a box officer enters their own box as themselves, never as the name in the body', async () => {
      const s = users.get('box_officer')!;
      const res = await s.post('/api/entries', {
        ref: { ballot: 2, province: 6, district: 1, boxNo: 1001 },
        sheet: sheet(100, 50),
        idempotencyKey: idem(),
        observer: 'someone-else',
      });
      expect(res.status).toBe(201);
      expect(res.body.entry.observer).toBe('u-box-officer');
      expect(
        (await s.post('/api/entries', { ref: { ballot: 2, province: 6, district: 1, boxNo: 1002 }, sheet: sheet(1, 1), idempotencyKey: idem() })).status,
      ).toBe(403);
      const csv =
        'ballot,province,district,boxNo,registered,voted,validUncontested,validAfterObjection,valid,invalid,AK PARTİ,CHP\n2,6,1,1001,300,155,150,0,150,5,100,50\n';
      expect((await s.post('/api/entries/import', csv)).status).toBe(403); // box officers do not import
      const data = users.get('district_data')!;
      expect((await data.post('/api/entries/import', csv)).status).toBe(200);
      expect((await data.post('/api/entries/import', csv.replace('2,6,1,1001', '2,34,10,1001'))).status).toBe(403);
    });

    it('a district data officer confirms entries of their district only, as themselves', async () => {
      const data = users.get('district_data')!;
      const detail = await data.get(`/api/boxes/${key(6, 1, 1002)}`);
      const entryId = detail.body.entries[0].id;
      const ok = await data.post(`/api/boxes/${key(6, 1, 1002)}/confirm`, { entryId, by: 'not-me' });
      expect(ok.status).toBe(200);
      expect(ok.body.entry).toMatchObject({ source: 'confirmation', observer: 'u-district-data' });
      expect((await data.post(`/api/boxes/${key(6, 2, 1001)}/confirm`, { entryId })).status).toBe(403);
    });
  });

  describe('YSK embargo', () => {
    afterAll(async () => {
      await admin.post('/api/embargo', { until: null }, 'PUT');
    });

    it('before the embargo time only HQ sees YSK figures; provinces and districts see their observers only; lifting it shows them', async () => {
      const until = new Date(Date.now() + 3_600_000).toISOString();
      const set = await admin.post('/api/embargo', { until }, 'PUT');
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ election: ELECTION, until, active: true, yskVisible: true });

      const chair = users.get('province_chair')!;
      expect((await chair.get('/api/embargo')).body).toMatchObject({ active: true, yskVisible: false, until });
      const cov = await chair.get('/api/coverage');
      expect(cov.body.embargo).toMatchObject({ active: true, yskVisible: false });
      expect(cov.body.votes.ysk).toEqual({});
      expect(cov.body.votes.org).not.toEqual({});
      expect(cov.body.boxes).toMatchObject({ yskPublished: 0, match: 0, mismatch: 0, yskOnly: 0 });
      expect(cov.body.registered).toBe(0);
      const list = await chair.get('/api/boxes?limit=1000');
      expect(list.body.items.length).toBeGreaterThan(0);
      for (const b of list.body.items) {
        expect(b).toMatchObject({ ysk: null, yskPublishedAt: null, differences: {}, versions: 0 });
        expect(['org_only', 'awaiting']).toContain(b.status);
      }
      const detail = await chair.get(`/api/boxes/${OWN}`);
      expect(detail.body).toMatchObject({ versions: [], summary: { ysk: null, status: 'org_only' }, embargo: { active: true } });
      // a filter that compares with YSK would leak it
      expect((await chair.get('/api/boxes?status=mismatch')).status).toBe(403);
      expect((await chair.get('/api/boxes?sort=difference')).status).toBe(403);
      expect((await chair.get('/api/boxes?status=conflicting')).status).toBe(200);
      // an entry's answer carries the box without YSK's side too
      const data = users.get('district_data')!;
      const entry = await data.post('/api/entries', {
        ref: { ballot: 2, province: 6, district: 1, boxNo: 1001 },
        sheet: sheet(100, 50),
        idempotencyKey: idem(),
      });
      expect(entry.body.box).toMatchObject({ ysk: null, status: 'org_only' });

      // HQ war room sees YSK
      const hq = users.get('hq_viewer')!;
      const hqDetail = await hq.get(`/api/boxes/${OWN}`);
      expect(hqDetail.body.summary.ysk).not.toBeNull();
      expect(hqDetail.body.versions).toHaveLength(1);
      expect((await hq.get('/api/coverage')).body.votes.ysk).not.toEqual({});

      // the chair cannot move the embargo
      expect((await chair.post('/api/embargo', { until: null }, 'PUT')).status).toBe(403);
      expect((await admin.post('/api/embargo', { until: 'tonight' }, 'PUT')).status).toBe(400);

      const lifted = await admin.post('/api/embargo', { until: null }, 'PUT');
      expect(lifted.body).toMatchObject({ active: false, until: null });
      const after = await chair.get(`/api/boxes/${OWN}`);
      expect(after.body.summary.ysk).not.toBeNull();
      expect(after.body.summary.status).toBe('mismatch');

      const log = await admin.get('/api/audit?action=embargo.set&limit=2');
      expect(log.body.items[0]).toMatchObject({
        actor: { username: 'admin', role: 'hq_admin' },
        target: `embargo:${ELECTION}`,
        before: { until },
        after: { until: null },
      });
      expect(log.body.items[1]).toMatchObject({ after: { until } });
    });

    it('an embargo time already past holds nothing back', async () => {
      await admin.post('/api/embargo', { until: new Date(Date.now() - 60_000).toISOString() }, 'PUT');
      const chair = users.get('province_chair')!;
      expect((await chair.get('/api/embargo')).body).toMatchObject({ active: false, yskVisible: true });
      expect((await chair.get(`/api/boxes/${OWN}`)).body.summary.ysk).not.toBeNull();
    });
  });

  describe('users and the audit log', () => {
    it('imports users from CSV with a report per row, generating passwords that work', async () => {
      const csv = [
        'username,name,role,province,district,boxes,password',
        'imp-chair,Ayşe Yılmaz,province_chair,6,,,',
        'imp-obs,Mehmet Kaya,box_officer,,,6:1:1001;6:1:1002,obs-password-1',
        'imp-bad,X,province_chair,,,,',
        'imp-obs,Dup,box_officer,,,6:1:1001,',
        'imp-role,Y,emperor,6,,,',
      ].join('\n');
      const res = await admin.post('/api/users/import', csv);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ created: 2, rejected: 3 });
      expect(res.body.rows.map((r: { row: number; ok: boolean }) => [r.row, r.ok])).toEqual([
        [2, true],
        [3, true],
        [4, false],
        [5, false],
        [6, false],
      ]);
      expect(res.body.rows[0].password).toEqual(expect.any(String));
      expect(res.body.rows[1]).not.toHaveProperty('password');
      expect(Object.keys(res.body.rows[2].issues)).toEqual(['scope']);
      expect(res.body.rows[3].issues.username).toMatch(/taken/);
      expect(Object.keys(res.body.rows[4].issues)).toEqual(['role']);
      const chair = await login(app.url, 'imp-chair', res.body.rows[0].password);
      expect(chair.user).toMatchObject({ role: 'province_chair', scope: { level: 'province', province: 6 } });
      const obs = await login(app.url, 'imp-obs', 'obs-password-1');
      expect((obs.user as unknown as { scope: PrincipalScope }).scope.boxes).toEqual([key(6, 1, 1001), key(6, 1, 1002)]);
      const listed = await admin.get('/api/users?province=6&role=province_chair&limit=1000');
      expect(listed.body.items.map((u: { username: string }) => u.username)).toContain('imp-chair');
      expect(JSON.stringify(listed.body)).not.toMatch(/argon2|passwordHash/);
    });

    it('a role change takes effect on the next sign-in and ends the user’s sessions', async () => {
      const s = await userOf(app.url, admin, 'mover', 'district_viewer', { province: 6, district: 1 });
      const moved = await admin.post(`/api/users/${s.user.id}`, { role: 'province_viewer', scope: { province: 34 } }, 'PATCH');
      expect(moved.body).toMatchObject({ role: 'province_viewer', scope: { level: 'province', province: 34 } });
      expect((await postJson(`${app.url}/api/auth/refresh`, { refreshToken: s.refreshToken })).status).toBe(401);
      const again = await login(app.url, 'mover', 'pw-mover-0123456789');
      expect((await again.get('/api/boxes?province=34')).status).toBe(200);
      expect((await again.get('/api/boxes?province=6')).status).toBe(403);
      const log = await admin.get('/api/audit?action=user.update&target=user:mover');
      expect(log.body.items[0]).toMatchObject({
        before: { role: 'district_viewer', scope: { province: 6, district: 1 } },
        after: { role: 'province_viewer', scope: { province: 34 } },
      });
    });

    it('records every change by a person with who, when, what, before and after', async () => {
      const entries = await admin.get('/api/audit?action=entry.create&limit=1000');
      expect(entries.status).toBe(200);
      const mine = entries.body.items.find((e: { actor: { username: string } }) => e.actor.username === 'u-box-officer');
      expect(mine).toMatchObject({ target: OWN, at: expect.any(String), after: { source: 'observer', sheet: { votes: { CHP: 50 } } } });
      const confirm = (await admin.get('/api/audit?action=entry.confirm')).body.items[0];
      expect(confirm).toMatchObject({
        actor: { username: 'u-district-data', role: 'district_data' },
        target: key(6, 1, 1002),
        before: { votes: { CHP: 50 } },
        after: { source: 'confirmation' },
      });
      const created = (await admin.get('/api/audit?action=user.create&target=user:u-box-officer')).body.items[0];
      expect(created).toMatchObject({ actor: { username: 'admin' }, before: null, after: { role: 'box_officer', scope: { level: 'box', boxes: [OWN] } } });
      expect(JSON.stringify(created)).not.toMatch(/argon2|pw-u-box/);
      expect((await admin.get('/api/audit?action=entry.import')).body.items).toHaveLength(1);
      const seeded = (await admin.get('/api/audit?target=user:admin')).body.items.at(-1);
      expect(seeded).toMatchObject({ actor: null, action: 'user.create', after: { seeded: true } });
      // paged newest first
      const p1 = await admin.get('/api/audit?limit=2');
      const p2 = await admin.get(`/api/audit?limit=2&cursor=${p1.body.nextCursor}`);
      expect(p2.body.items[0].id < p1.body.items[1].id).toBe(true);
      // append-only: no route changes or deletes it
      expect((await admin.fetch(`/api/audit/${p1.body.items[0].id}`, { method: 'DELETE' })).status).toBe(404);
    });
  });

  it('sets security headers and no CORS for foreign origins', async () => {
    const res = await fetch(`${app.url}/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('login rate limit and the generated admin password', () => {
  let app: RunningApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('answers 429 after LOGIN_RATE_LIMIT attempts a minute from one address', async () => {
    app = await startApp({
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOGIN_RATE_LIMIT: '3',
      LOGIN_MAX_FAILURES: '100',
      YSK_ELECTION_ID: `rate-${process.pid}-${Date.now()}`,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await postJson(`${app.url}/api/auth/login`, { username: 'admin', password: 'wrong' })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('prints a generated password once, at the first start, that signs in', async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    });
    try {
      app = await startApp({ LOGIN_RATE_LIMIT: '1000' });
    } finally {
      spy.mockRestore();
    }
    const printed = /password: (\S+)/.exec(lines.join(''));
    expect(printed).not.toBeNull();
    expect((await login(app.url, 'admin', printed![1])).user.role).toBe('hq_admin');
  });
});
