import Database from 'better-sqlite3';
import { join } from 'node:path';
import sharp from 'sharp';
import { boxKey, sheetHash, withTcCheckDigits, type AlertRecord, type Sheet } from '@gozcu/shared';
import { AlertsService } from '../../server/src/modules/alerts/alerts.service';
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
const sheet = (ak: number, chp: number): Sheet => ({
  registered: 300,
  voted: ak + chp + 5,
  validUncontested: ak + chp,
  validAfterObjection: 0,
  valid: ak + chp,
  invalid: 5,
  votes: { 'AK PARTİ': ak, CHP: chp },
});
const key = (boxNo: number) => boxKey({ election: ELECTION, ballot: 2, province: 69, district: 681, boxNo });
const TABLES = ['users', 'refresh_tokens', 'settings', 'complaints', 'attachments', 'petitions', 'audit'];

describe('audited changes: the change and its record, or neither', () => {
  let app: RunningApp;
  let admin: Session;
  let legal: Session;
  let chair: Session;
  let store: Store;
  let db: Database.Database;

  const snapshot = (tables = TABLES) =>
    Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY ${t === 'voters' ? 'hash' : 'rowid'}`).all()]));
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
    for (const [k, v] of Object.entries({
      province: '69',
      district: '681',
      boxNo: String(boxNo),
      ballot: '2',
      text: 'YSK verisi imzalı tutanaktan farklı görünüyor.',
    }))
      form.set(k, v);
    form.append(
      'files',
      new Blob([new Uint8Array(Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1'))], {
        type: 'application/pdf',
      }),
      'ek.pdf',
    );
    const res = await fetch(`${app.url}/api/citizen/complaints`, { method: 'POST', body: form });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ENTRY_CONFIRMATIONS: '1',
      COMPLAINT_RATE_LIMIT: '10000',
      CITIZEN_RATE_LIMIT: '10000',
      LOGIN_RATE_LIMIT: '10000',
    });
    store = app.app.get<Store>(STORE);
    db = new Database(join(app.dataDir, 'gozcu.sqlite'));
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    await store.upsertDistricts([{ yskId: 681, province: 69, name: 'Demirözü' }]);
    legal = await userOf(app.url, admin, 'hukuk-681', 'district_legal', { province: 69, district: 681 });
    chair = await userOf(app.url, admin, 'baskan-681', 'district_chair', { province: 69, district: 681 });
    // boxes 1001 and 1002: the observer's sheet says CHP 80, YSK says 60 (mismatches to petition)
    for (const boxNo of [1001, 1002]) {
      expect(
        (
          await admin.post('/api/entries', {
            ref: { ballot: 2, province: 69, district: 681, boxNo },
            sheet: sheet(100, 80),
            idempotencyKey: `aud-${ELECTION}-${boxNo}`,
          })
        ).status,
      ).toBe(201);
      const at = new Date().toISOString();
      const box = { key: key(boxNo), election: ELECTION, ballot: 2 as const, province: 69, district: 681, boxNo, yskBoxId: null, neighbourhood: null };
      app.app.get(ReconcileService).applyYsk(
        await store.appendVersions([
          {
            box,
            key: key(boxNo),
            hash: sheetHash(sheet(100, 60)),
            sheet: sheet(100, 60),
            yskVersion: 1,
            yskChangedAt: at,
            changeReason: null,
            fetchedAt: at,
          },
        ]),
      );
    }
  });
  afterAll(async () => {
    db?.close();
    await app?.close();
  });

  it('users: create, import, update, disable and password reset fail whole when their record cannot be written', async () => {
    const target = (
      await admin.post('/api/users', { username: 'musahit-a', role: 'box_officer', scope: { boxes: ['69:681:1001'] }, password: 'pw-musahit-a-0123456789' })
    ).body.user;
    await login(app.url, 'musahit-a', 'pw-musahit-a-0123456789'); // a refresh token to revoke
    const before = snapshot();
    const answers = await auditRefused(async () => [
      (
        await admin.post('/api/users', {
          username: 'yeni-kisi',
          role: 'district_legal',
          scope: { province: 69, district: 681 },
          password: 'pw-yeni-kisi-0123456789',
        })
      ).status,
      (
        await admin.post(
          '/api/users/import',
          'username,role,province,district,password\nimport-1,district_legal,69,681,pw-import-1-0123456789\nimport-2,district_chair,69,681,pw-import-2-0123456789',
        )
      ).status,
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
    expect(
      (
        await admin.post('/api/users', {
          username: 'yeni-kisi',
          role: 'district_legal',
          scope: { province: 69, district: 681 },
          password: 'pw-yeni-kisi-0123456789',
        })
      ).status,
    ).toBe(201);
    expect(
      (await admin.post('/api/users/import', 'username,role,province,district,password\nimport-1,district_legal,69,681,pw-import-1-0123456789')).body,
    ).toMatchObject({ created: 1 });
    expect((await admin.post(`/api/users/${target.id}`, { disabled: true }, 'PATCH')).status).toBe(200);
    const records = (await store.audit({}, { limit: 50 }))
      .filter((a) => a.id > marks)
      .map((a) => `${a.action} ${a.target}`)
      .reverse();
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
    expect(
      (await legal.post('/api/petitions/deadlines/681', { province: 69, deadline: new Date(Date.now() + 7_200_000).toISOString() }, 'PUT')).body,
    ).toMatchObject({ drafts: 1 });
    expect((await legal.post(`/api/petitions/${draft.body.id}/status`, { status: 'filed', reference: '2024/1' })).status).toBe(200);
    expect((await legal.post(`/api/complaints/${filed.id}/status`, { status: 'in_review', note: 'bakılıyor' })).status).toBe(200);
    const records = (await store.audit({}, { limit: 50 }))
      .filter((a) => a.id > marks)
      .map((a) => `${a.action} ${a.target}`)
      .reverse();
    expect(records).toEqual(['petition.deadline district:681', `petition.status petition:${draft.body.id}`, `complaint.status complaint:${filed.id}`]);
  });
  it('the feed controls (pause, settings) fail whole when their record cannot be written', async () => {
    const before = snapshot();
    const answers = await auditRefused(async () => [
      (await admin.post('/api/feed/pause', { reason: 'bakım' })).status,
      (await admin.post('/api/feed/settings', { pollIntervalMs: 5000 }, 'PUT')).status,
    ]);
    expect(answers.map((s) => s >= 500)).toEqual([true, true]);
    expect(snapshot()).toEqual(before);
    expect((await admin.get('/api/feed/controls')).body).toMatchObject({ paused: false });
    expect((await admin.post('/api/feed/pause', { reason: 'bakım' })).status).toBeLessThan(300);
    expect((await store.audit({}, { limit: 1 }))[0]).toMatchObject({ action: 'feed.pause' });
    expect((await admin.get('/api/feed/controls')).body).toMatchObject({ paused: true, reason: 'bakım' });
    expect((await admin.post('/api/feed/resume', {})).status).toBeLessThan(300);
  });

  it('sheet photos fail whole when their record cannot be written', async () => {
    const photo = await sharp({ create: { width: 16, height: 12, channels: 3, background: '#eeeeee' } })
      .jpeg()
      .toBuffer();
    const upload = async () => {
      const form = new FormData();
      form.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'tutanak.jpg');
      return admin.fetch(`/api/boxes/${key(1001)}/sheet-photos`, { method: 'POST', body: form });
    };
    const before = snapshot();
    const refused = await auditRefused(upload);
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect(snapshot()).toEqual(before);
    expect((await admin.get(`/api/boxes/${key(1001)}/sheet-photos`)).body.items).toEqual([]);

    const marks = (await store.audit({}, { limit: 1 }))[0].id;
    const done = await upload();
    expect(done.status).toBe(201);
    const records = (await store.audit({}, { limit: 50 })).filter((a) => a.id > marks);
    expect(records.map((a) => `${a.action} ${a.target}`)).toEqual([`sheet_photo.upload ${key(1001)}`]);
    expect(records[0].after).toMatchObject({ attachmentId: done.body.id, sha256: done.body.sha256 });
  });

  it('push subscriptions and the alert lifecycle (ack, escalation, resolve) fail whole when their record cannot be written', async () => {
    const alerts = app.app.get(AlertsService);
    await alerts.idle();
    const ALERT_TABLES = [...TABLES, 'alerts', 'push_subscriptions'];
    const open = (await store.alerts({ kind: 'mismatch', status: 'open' })).sort((a, b) => a.box!.localeCompare(b.box!));
    expect(open.map((a) => a.box)).toEqual([key(1001), key(1002)]);
    const [first, second] = open;
    const keys = { p256dh: `B${'A'.repeat(86)}`, auth: 'AAAAAAAAAAAAAAAAAAAAAA' };
    const kept = { endpoint: 'https://push.example/audited-kept', keys };
    expect((await chair.post('/api/alerts/push/subscriptions', kept)).status).toBe(201);

    const before = snapshot(ALERT_TABLES);
    const answers = await auditRefused(async () => [
      (await chair.post('/api/alerts/push/subscriptions', { endpoint: 'https://push.example/audited-new', keys })).status,
      (await chair.post('/api/alerts/push/subscriptions', { endpoint: kept.endpoint }, 'DELETE')).status,
      (await chair.post(`/api/alerts/${first.id}/ack`, {})).status,
    ]);
    expect(answers.map((s) => s >= 500)).toEqual(answers.map(() => true));
    // the escalation sweep and a resolve, run by the server itself
    // (an alert another step updated meanwhile — a delivery, the server's own sweep — is skipped by
    // the compare-and-set and taken at the next try: read it fresh and try again a few times)
    const resolve = (alerts as unknown as { resolve(a: AlertRecord, why: string): Promise<void> }).resolve.bind(alerts);
    const refused = async (step: () => Promise<void>): Promise<string> => {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await step();
        } catch (e) {
          return (e as Error).message;
        }
        await alerts.idle();
      }
      return 'never refused';
    };
    await auditRefused(async () => {
      expect(await refused(() => alerts.sweep(Date.now() + 3 * 3_600_000))).toMatch(/audit log cannot be written/);
      expect(await refused(async () => resolve((await store.alert(second.id))!, 'sınama'))).toMatch(/audit log cannot be written/);
    });
    expect(snapshot(ALERT_TABLES)).toEqual(before);

    // writable again: each change with exactly one record of its own
    const marks = (await store.audit({}, { limit: 1 }))[0].id;
    expect((await chair.post('/api/alerts/push/subscriptions', { endpoint: 'https://push.example/audited-new', keys })).status).toBe(201);
    expect((await chair.post('/api/alerts/push/subscriptions', { endpoint: kept.endpoint }, 'DELETE')).status).toBe(200);
    expect((await chair.post(`/api/alerts/${first.id}/ack`, {})).status).toBe(200);
    await resolve((await store.alert(second.id))!, 'sınama');
    expect((await store.alert(first.id))?.ack).toMatchObject({ username: 'baskan-681' });
    expect((await store.alert(second.id))?.status).toBe('resolved');
    const records = (await store.audit({}, { limit: 50 }))
      .filter((a) => a.id > marks && !a.action.endsWith('.delivery'))
      .map((a) => `${a.action} ${a.target}`)
      .reverse();
    expect(records).toEqual([
      `alert.push.subscribe user:${chair.user.id}`,
      `alert.push.unsubscribe user:${chair.user.id}`,
      `alert.ack alert:${first.id}`,
      `alert.resolve alert:${second.id}`,
    ]);
  });

  it('the voters import fails whole when its record cannot be written', async () => {
    const csv = ['tc,province,district,box', ...['123456789', '234567891', '345678912'].map((n, i) => `${withTcCheckDigits(n)},69,681,${1001 + i}`)].join('\n');
    const VOTER_TABLES = [...TABLES, 'voters'];
    const before = snapshot(VOTER_TABLES);
    const refused = await auditRefused(() => admin.post('/api/citizen/voters/import', csv));
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect(snapshot(VOTER_TABLES)).toEqual(before);
    expect(await store.voterCount()).toBe(0);

    const marks = (await store.audit({}, { limit: 1 }))[0].id;
    expect((await admin.post('/api/citizen/voters/import', csv)).body).toMatchObject({ rows: 3, stored: 3 });
    expect(await store.voterCount()).toBe(3);
    const records = (await store.audit({}, { limit: 50 })).filter((a) => a.id > marks);
    expect(records.map((a) => [a.action, a.after])).toEqual([['voters.import', { rows: 3, stored: 3, rejected: 0 }]]);
  });
});
