/**
 * The back office's server side (issue 12): delegation below one's own level and scope,
 * coded errors, the election's name, display names, per-district deadlines, the petition's
 * whole lifecycle with the board's decision, and the complaint moving with its petition.
 */
import { boxKey, sheetHash, type Sheet } from '@gozcu/shared';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';

const ELECTION = `bo-${Date.now()}`;
const sheet = (ak: number, chp: number): Sheet => ({
  registered: 300,
  voted: ak + chp + 5,
  validUncontested: ak + chp,
  validAfterObjection: 0,
  valid: ak + chp,
  invalid: 5,
  votes: { 'AK PARTİ': ak, CHP: chp },
});
const key = (boxNo: number, district = 681) => boxKey({ election: ELECTION, ballot: 2, province: 69, district, boxNo });

describe('back office API', () => {
  let app: RunningApp;
  let admin: Session;
  let provChair: Session;
  let distChair: Session;
  let store: Store;

  beforeAll(async () => {
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_ELECTION_NAME: '31 Mart 2024 Mahalli İdareler Seçimi',
      YSK_BALLOT_TYPES: '2',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      COMPLAINT_RATE_LIMIT: '10000',
    });
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    store = app.app.get<Store>(STORE);
    await store.upsertDistricts([
      { yskId: 681, province: 69, name: 'Demirözü' },
      { yskId: 682, province: 69, name: 'Aydıntepe' },
    ]);
    provChair = await userOf(app.url, admin, 'il-baskani', 'province_chair', { province: 69 });
    distChair = await userOf(app.url, admin, 'ilce-baskani', 'district_chair', { province: 69, district: 681 });
  });
  afterAll(() => app.close());

  it('errors carry a code and params beside the English message', async () => {
    const forbidden = await distChair.get('/api/users');
    expect([forbidden.status, forbidden.body.code, forbidden.body.params.permission]).toEqual([403, 'forbidden.permission', 'users:admin']);
    expect(forbidden.body.message).toMatch(/lacks users:admin/);
    const scope = await distChair.get('/api/coverage?province=34');
    expect([scope.status, scope.body.code]).toEqual([403, 'forbidden.scope']);
    const invalid = await admin.post('/api/users', { username: 'x', role: 'nope' });
    expect([invalid.status, invalid.body.code]).toEqual([400, 'validation']);
    expect(invalid.body.params.fields.split(', ').sort()).toEqual(['role', 'username']);
    const missing = await admin.get('/api/users/no-such-id');
    expect([missing.status, missing.body.code]).toEqual([404, 'not_found']);
  });

  it('names the election (public) and people by their display names', async () => {
    const e = await fetch(`${app.url}/api/election`).then((r) => r.json());
    expect(e).toMatchObject({
      id: ELECTION,
      name: '31 Mart 2024 Mahalli İdareler Seçimi',
      ballots: [{ code: 2, name: { tr: expect.any(String), en: expect.any(String) } }],
    });
    await admin.post('/api/users', { username: 'ayse.k', name: 'Ayşe Kaya', role: 'province_viewer', scope: { province: 69 } });
    const names = await distChair.get('/api/people/names?u=ayse.k,nobody,il-baskani');
    expect(names.body.names).toEqual({ 'ayse.k': 'Ayşe Kaya', 'il-baskani': 'il-baskani' });
    const districts = await fetch(`${app.url}/api/citizen/districts?province=69`).then((r) => r.json());
    expect(districts.items.map((d: { name: string }) => d.name)).toEqual(['Aydıntepe', 'Demirözü']);
  });

  it('a district chair creates accounts below them in their district only, never at or above their level', async () => {
    const ok = await distChair.post('/api/team', { username: 'musahit.1', name: 'Mehmet Yıldız', role: 'box_officer', scope: { boxes: ['69:681:1001'] } });
    expect(ok.status).toBe(201);
    expect(ok.body.password).toEqual(expect.any(String));
    const peer = await distChair.post('/api/team', { username: 'ilce.veri', role: 'district_data', scope: { province: 69, district: 681 } });
    expect([peer.status, peer.body.code]).toEqual([403, 'delegation.level']);
    const above = await distChair.post('/api/team', { username: 'hq.x', role: 'hq_admin' });
    expect([above.status, above.body.code]).toEqual([403, 'delegation.level']);
    const outside = await distChair.post('/api/team', { username: 'musahit.2', role: 'box_officer', scope: { boxes: ['69:682:1'] } });
    expect([outside.status, outside.body.code]).toEqual([403, 'delegation.scope']);
    expect((await store.userByName('musahit.2')) ?? null).toBeNull();
    // the province chair creates a district chair of another district of the province, not of another province
    expect((await provChair.post('/api/team', { username: 'ilce2.baskan', role: 'district_chair', scope: { province: 69, district: 682 } })).status).toBe(201);
    expect((await provChair.post('/api/team', { username: 'ilce3.baskan', role: 'district_chair', scope: { province: 34, district: 1 } })).body.code).toBe(
      'delegation.scope',
    );
    // nobody without users:delegate
    const viewer = await login(app.url, 'musahit.1', ok.body.password);
    expect((await viewer.get('/api/team')).status).toBe(403);
  });

  it('lists only the accounts a chair manages, disables one and resets its password; CSV import reports per row', async () => {
    const list = await distChair.get('/api/team');
    expect(list.body.items.map((u: { username: string }) => u.username)).toEqual(['musahit.1']);
    const prov = await provChair.get('/api/team');
    expect(prov.body.items.map((u: { username: string }) => u.username).sort()).toEqual(['ilce-baskani', 'ilce2.baskan', 'musahit.1']);
    const id = list.body.items[0].id;
    const reset = await distChair.post(`/api/team/${id}`, { password: 'a-new-password-123' }, 'PATCH');
    expect(reset.status).toBe(200);
    await login(app.url, 'musahit.1', 'a-new-password-123');
    expect((await distChair.post(`/api/team/${id}`, { disabled: true }, 'PATCH')).body.disabled).toBe(true);
    expect((await distChair.post(`/api/team/${id}`, { role: 'hq_admin' }, 'PATCH')).status).toBe(400);
    // the province chair's own account is not the district chair's to touch
    expect((await distChair.post(`/api/team/${provChair.user.id}`, { disabled: true }, 'PATCH')).status).toBe(404);
    const csv =
      'username,name,role,boxes\nmusahit.10,Ali Veli,box_officer,69:681:1010\nmusahit.11,,box_officer,69:682:1011\nmusahit.10,Tekrar,box_officer,69:681:1012\nil.x,,province_viewer,\n';
    const rep = await distChair.post('/api/team/import', csv);
    expect(rep.status).toBe(200);
    expect(rep.body.rows.map((r: { row: number; ok: boolean }) => [r.row, r.ok])).toEqual([
      [2, true],
      [3, false],
      [4, false],
      [5, false],
    ]);
    expect(Object.keys(rep.body.rows[1].issues)).toEqual(['scope.boxes']);
    expect(rep.body.rows[2].issues.username).toMatch(/taken/);
    expect(rep.body.rows[0].password).toEqual(expect.any(String));
    const audit = await admin.get('/api/audit?actor=ilce-baskani&action=user.create');
    expect(audit.body.items.map((a: { target: string }) => a.target).sort()).toEqual(['user:musahit.1', 'user:musahit.10']);
  });

  it('a petition goes draft → filed → accepted with the board decision; the complaint moves with it; deadlines per district', async () => {
    const legal = await userOf(app.url, admin, 'av.ayse', 'district_legal', { province: 69, district: 681 });
    const at = new Date().toISOString();
    const box = { key: key(1001), election: ELECTION, ballot: 2 as const, province: 69, district: 681, boxNo: 1001, yskBoxId: null, neighbourhood: null };
    app.app
      .get(ReconcileService)
      .applyYsk(
        await store.appendVersions([
          { box, key: key(1001), hash: sheetHash(sheet(100, 60)), sheet: sheet(100, 60), yskVersion: 1, yskChangedAt: at, changeReason: null, fetchedAt: at },
        ]),
      );
    const form = new FormData();
    for (const [k, v] of Object.entries({ province: '69', district: '681', boxNo: '1001', ballot: '2', text: 'CHP oyları eksik yazılmış görünüyor.' }))
      form.set(k, v);
    const filed = await fetch(`${app.url}/api/citizen/complaints`, { method: 'POST', body: form }).then((r) => r.json());
    const complaint = (await legal.get('/api/complaints')).body.items.find((c: { trackingCode: string }) => c.trackingCode === filed.trackingCode);
    const deadline = '2099-04-02T14:00:00+03:00';
    expect((await legal.post('/api/petitions/deadlines/681', { province: 69, deadline }, 'PUT')).status).toBe(200);
    const deadlines = await legal.get('/api/petition-deadlines');
    expect(deadlines.body.items).toEqual([{ province: 69, district: 681, name: 'Demirözü', deadline: new Date(deadline).toISOString(), set: true }]);
    const prov = await provChair.get('/api/petition-deadlines');
    expect(prov.body.items.map((d: { name: string; set: boolean }) => [d.name, d.set])).toEqual([
      ['Aydıntepe', false],
      ['Demirözü', true],
    ]);
    const p = (await legal.post('/api/petitions', { complaintId: complaint.id })).body;
    expect(p.text.body).toContain('31 Mart 2024 Mahalli İdareler Seçimi');
    expect(p.text.body).not.toContain(ELECTION);
    expect(p.deadline).toBe(new Date(deadline).toISOString());
    expect((await legal.post(`/api/petitions/${p.id}/status`, { status: 'filed', reference: 'E-2024/17' })).body).toMatchObject({
      status: 'filed',
      filedBy: 'av.ayse',
      reference: 'E-2024/17',
    });
    expect((await legal.get(`/api/complaints/${complaint.id}`)).body.status).toBe('filed');
    const accepted = await legal.post(`/api/petitions/${p.id}/status`, { status: 'accepted', note: 'Kurul 2 oyu düzeltti', reference: 'K-2024/9' });
    expect(accepted.body).toMatchObject({
      status: 'accepted',
      decision: { by: 'av.ayse', note: 'Kurul 2 oyu düzeltti', reference: 'K-2024/9', at: expect.any(String) },
    });
    expect((await legal.get(`/api/complaints/${complaint.id}`)).body.status).toBe('resolved');
    const all = await legal.get('/api/petitions');
    expect(all.body.items.find((x: { id: string }) => x.id === p.id).decision.note).toBe('Kurul 2 oyu düzeltti');
    const again = await legal.post(`/api/petitions/${p.id}/status`, { status: 'rejected' });
    expect([again.status, again.body.code]).toEqual([409, 'conflict']);
  });
});
