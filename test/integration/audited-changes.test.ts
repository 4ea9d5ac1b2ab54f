import Database from 'better-sqlite3';
import { join } from 'node:path';
import { boxKey, sheetHash, type Sheet } from '@gozcu/shared';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';

/**
 * Issue 13, finding 15 / item 1: a change and its audit record in one transaction. The audit log
 * is made to refuse every write (a trigger put in the SQLite file by a second connection, as a
 * full or failing store would); every audited change then fails as a whole, leaving the tables
 * exactly as they were. Before the fix the change was written first and its record after, so a
 * failing record left users, settings, complaints and petitions changed with no record of it.
 */
const ELECTION = `audited-${Date.now()}`;
const sheet = (ak: number, chp: number): Sheet => ({ registered: 300, voted: ak + chp + 5, validUncontested: ak + chp, validAfterObjection: 0, valid: ak + chp, invalid: 5, votes: { 'AK PARTİ': ak, CHP: chp } });
const key = (boxNo: number) => boxKey({ election: ELECTION, ballot: 2, province: 69, district: 681, boxNo });
const TABLES = ['users', 'refresh_tokens', 'settings', 'complaints', 'attachments', 'petitions', 'audit'];

describe('audited changes: the change and its record, or neither', () => {
  let app: RunningApp;
  let admin: Session;
  let legal: Session;
  let store: Store;
  let db: Database.Database;

  const snapshot = () => Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
  const auditRefused = async <T>(fn: () => Promise<T>): Promise<T> => {
    db.exec(`CREATE TRIGGER audit_refused BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'injected: the audit log cannot be written'); END`);
    try {
      return await fn();
    } finally {
      db.exec(`DROP TRIGGER audit_refused`);
    }
  };
  const fileComplaint = async (boxNo: number) => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ province: '69', district: '681', boxNo: String(boxNo), ballot: '2', text: 'YSK verisi imzalı tutanaktan farklı görünüyor.' })) form.set(k, v);
    form.append('files', new Blob([new Uint8Array(Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1'))], { type: 'application/pdf' }), 'ek.pdf');
    const res = await fetch(`${app.url}/api/citizen/complaints`, { method: 'POST', body: form });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    app = await startApp({ YSK_ELECTION_ID: ELECTION, YSK_BALLOT_TYPES: '2', GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD, ENTRY_CONFIRMATIONS: '1', COMPLAINT_RATE_LIMIT: '10000', CITIZEN_RATE_LIMIT: '10000', LOGIN_RATE_LIMIT: '10000' });
    store = app.app.get<Store>(STORE);
    db = new Database(join(app.dataDir, 'gozcu.sqlite'));
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    await store.upsertDistricts([{ yskId: 681, province: 69, name: 'Demirözü' }]);
    legal = await userOf(app.url, admin, 'hukuk-681', 'district_legal', { province: 69, district: 681 });
    await userOf(app.url, admin, 'baskan-681', 'district_chair', { province: 69, district: 681 });
    // boxes 1001 and 1002: the observer's sheet says CHP 80, YSK says 60 (mismatches to petition)
    for (const boxNo of [1001, 1002]) {
      expect((await admin.post('/api/entries', { ref: { ballot: 2, province: 69, district: 681, boxNo }, sheet: sheet(100, 80), idempotencyKey: `aud-${ELECTION}-${boxNo}` })).status).toBe(201);
      const at = new Date().toISOString();
      const box = { key: key(boxNo), election: ELECTION, ballot: 2 as const, province: 69, district: 681, boxNo, yskBoxId: null, neighbourhood: null };
      app.app.get(ReconcileService).applyYsk(await store.appendVersions([{ box, key: key(boxNo), hash: sheetHash(sheet(100, 60)), sheet: sheet(100, 60), yskVersion: 1, yskChangedAt: at, changeReason: null, fetchedAt: at }]));
    }
  });
  afterAll(async () => {
    db?.close();
    await app?.close();
  });

  it('users: create, import, update, disable and password reset fail whole when their record cannot be written', async () => {
    const target = (await admin.post('/api/users', { username: 'musahit-a', role: 'box_officer', scope: { boxes: ['69:681:1001'] }, password: 'pw-musahit-a-0123456789' })).body.user;
    await login(app.url, 'musahit-a', 'pw-musahit-a-0123456789'); // a refresh token to revoke
    const before = snapshot();
    const answers = await auditRefused(async () => [
      (await admin.post('/api/users', { username: 'yeni-kisi', role: 'district_legal', scope: { province: 69, district: 681 }, password: 'pw-yeni-kisi-0123456789' })).status,
      (await admin.post('/api/users/import', 'username,role,province,district,password\nimport-1,district_legal,69,681,pw-import-1-0123456789\nimport-2,district_chair,69,681,pw-import-2-0123456789')).status,
      (await admin.post(`/api/users/${target.id}`, { name: 'Yeni Ad' }, 'PATCH')).status,
      (await admin.post(`/api/users/${target.id}`, { disabled: true }, 'PATCH')).status,
      (await admin.post(`/api/users/${target.id}`, { password: 'pw-reset-by-admin-0123456789' }, 'PATCH')).status,
      (await legal.post('/api/auth/password', { current: 'pw-hukuk-681-0123456789', next: 'pw-hukuk-681-changed-0123' }, 'PUT')).status,
    ]);
    expect(answers.map((s) => s >= 500)).toEqual(answers.map(() => true));
    expect(snapshot()).toEqual(before);
    // the account still signs in with its old password, enabled
    await login(app.url, 'musahit-a', 'pw-musahit-a-0123456789');
    await login(app.url, 'hukuk-681', 'pw-hukuk-681-0123456789');

    // with the log writable again, each change is stored with exactly one record
    const marks = (await store.audit({}, { limit: 1 }))[0].id;
    expect((await admin.post('/api/users', { username: 'yeni-kisi', role: 'district_legal', scope: { province: 69, district: 681 }, password: 'pw-yeni-kisi-0123456789' })).status).toBe(201);
    expect((await admin.post('/api/users/import', 'username,role,province,district,password\nimport-1,district_legal,69,681,pw-import-1-0123456789')).body).toMatchObject({ created: 1 });
    expect((await admin.post(`/api/users/${target.id}`, { disabled: true }, 'PATCH')).status).toBe(200);
    const records = (await store.audit({}, { limit: 50 })).filter((a) => a.id > marks).map((a) => `${a.action} ${a.target}`).reverse();
    expect(records).toEqual(['user.create user:yeni-kisi', 'user.create user:import-1', 'user.update user:musahit-a']);
  });

  it('embargo, petitions (draft, edit, status, deadline) and complaints (create, status) fail whole when their record cannot be written', async () => {
    const complaint = await fileComplaint(1002);
    expect(complaint.status).toBe(201);
    const [filed] = await store.complaints({ district: 681 });
    const draft = await legal.post('/api/petitions', { key: key(1001) });
    expect(draft.status).toBe(201);
    const before = snapshot();
    const answers = await auditRefused(async () => [
      (await admin.post('/api/embargo', { until: new Date(Date.now() + 3_600_000).toISOString() }, 'PUT')).status,
      (await legal.post('/api/petitions', { key: key(1002) })).status,
      (await legal.post(`/api/petitions/${draft.body.id}`, { body: 'değiştirilmiş metin' }, 'PUT')).status,
      (await legal.post(`/api/petitions/${draft.body.id}/status`, { status: 'filed', reference: '2024/1' })).status,
      (await legal.post('/api/petitions/deadlines/681', { province: 69, deadline: new Date(Date.now() + 7_200_000).toISOString() }, 'PUT')).status,
      (await fileComplaint(1001)).status,
      (await legal.post(`/api/complaints/${filed.id}/status`, { status: 'in_review', note: 'bakılıyor' })).status,
    ]);
    expect(answers.map((s) => s >= 500)).toEqual(answers.map(() => true));
    expect(snapshot()).toEqual(before);
    expect((await admin.get('/api/embargo')).body).toMatchObject({ active: false });

    // writable again: the same changes go through, each with its record
    const marks = (await store.audit({}, { limit: 1 }))[0].id;
    expect((await legal.post('/api/petitions/deadlines/681', { province: 69, deadline: new Date(Date.now() + 7_200_000).toISOString() }, 'PUT')).body).toMatchObject({ drafts: 1 });
    expect((await legal.post(`/api/petitions/${draft.body.id}/status`, { status: 'filed', reference: '2024/1' })).status).toBe(200);
    expect((await legal.post(`/api/complaints/${filed.id}/status`, { status: 'in_review', note: 'bakılıyor' })).status).toBe(200);
    const records = (await store.audit({}, { limit: 50 })).filter((a) => a.id > marks).map((a) => `${a.action} ${a.target}`).reverse();
    expect(records).toEqual(['petition.deadline district:681', `petition.status petition:${draft.body.id}`, `complaint.status complaint:${filed.id}`]);
  });
});
