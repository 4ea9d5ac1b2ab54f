import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { boxKey, sheetHash, type Sheet } from '@gozcu/shared';
import { Clock } from '../../server/src/infra/clock';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';

const ELECTION = `petitions-${Date.now()}`;
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

/** The text of a PDF as poppler's pdftotext reads it. */
function pdfText(pdf: Buffer): { text: string; fonts: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gozcu-pdf-'));
  try {
    const file = join(dir, 'd.pdf');
    writeFileSync(file, pdf);
    return {
      text: execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }),
      fonts: execFileSync('pdffonts', [file], { encoding: 'utf8' }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('objection petitions and stale-box notices', () => {
  let app: RunningApp;
  let admin: Session;
  let legal: Session;
  let chair: Session;
  let otherLegal: Session;
  let observer: Session;
  let store: Store;
  let photoSha: string;

  const publish = async (k: string, s: Sheet, at = new Date().toISOString()) => {
    const [, , province, district, boxNo] = k.split(':').map(Number);
    const box = { key: k, election: ELECTION, ballot: 2 as const, province, district, boxNo, yskBoxId: null, neighbourhood: null };
    app.app
      .get(ReconcileService)
      .applyYsk(
        await store.appendVersions([{ box, key: k, hash: sheetHash(s), sheet: s, yskVersion: 1, yskChangedAt: at, changeReason: null, fetchedAt: at }]),
      );
  };
  const pdfOf = async (s: Session, id: string) => {
    const res = await fetch(`${app.url}/api/petitions/${id}/pdf`, { headers: { authorization: `Bearer ${s.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/pdf/);
    return Buffer.from(await res.arrayBuffer());
  };

  beforeAll(async () => {
    app = await startApp({ YSK_ELECTION_ID: ELECTION, YSK_BALLOT_TYPES: '2', GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD, COMPLAINT_RATE_LIMIT: '10000' });
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    store = app.app.get<Store>(STORE);
    await store.upsertDistricts([{ yskId: 681, province: 69, name: 'Demirözü' }]);
    const created = await admin.post('/api/users', {
      username: 'av-ayse',
      name: 'Av. Ayşe Işık Güneş',
      role: 'district_legal',
      scope: { province: 69, district: 681 },
      password: 'pw-av-ayse-0123456789',
    });
    expect(created.status).toBe(201);
    legal = await login(app.url, 'av-ayse', 'pw-av-ayse-0123456789');
    chair = await userOf(app.url, admin, 'baskan', 'district_chair', { province: 69, district: 681 });
    otherLegal = await userOf(app.url, admin, 'av-diger', 'district_legal', { province: 69, district: 682 });
    observer = await userOf(app.url, admin, 'musahit', 'box_officer', { boxes: ['69:681:1001'] });
    const second = await userOf(app.url, admin, 'musahit-2', 'second_observer', { boxes: ['69:681:1001', '69:681:1002', '69:681:1009'] });
    // 1001: the observer's sheet says CHP 80, YSK says 60 (a mismatch); 1002: both agree. Each is the
    // organisation's figure: two people entered it identically (ENTRY_CONFIRMATIONS defaults to 2)
    expect(
      (
        await observer.post('/api/entries', {
          ref: { ballot: 2, province: 69, district: 681, boxNo: 1001 },
          sheet: sheet(100, 80),
          idempotencyKey: `pet-${Date.now()}-1`,
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await second.post('/api/entries', {
          ref: { ballot: 2, province: 69, district: 681, boxNo: 1001 },
          sheet: sheet(100, 80),
          idempotencyKey: `pet-${Date.now()}-1b`,
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await admin.post('/api/entries', {
          ref: { ballot: 2, province: 69, district: 681, boxNo: 1002 },
          sheet: sheet(50, 50),
          idempotencyKey: `pet-${Date.now()}-2`,
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await second.post('/api/entries', {
          ref: { ballot: 2, province: 69, district: 681, boxNo: 1002 },
          sheet: sheet(50, 50),
          idempotencyKey: `pet-${Date.now()}-2b`,
        })
      ).status,
    ).toBe(201);
    // 1009: one entry that differs from YSK, awaiting its second: no mismatch, so no petition
    expect(
      (
        await second.post('/api/entries', {
          ref: { ballot: 2, province: 69, district: 681, boxNo: 1009 },
          sheet: sheet(100, 80),
          idempotencyKey: `pet-${Date.now()}-9`,
        })
      ).status,
    ).toBe(201);
    await publish(key(1009), sheet(100, 60));
    await publish(key(1001), sheet(100, 60), '2024-03-31T19:05:00.000Z');
    await publish(key(1002), sheet(50, 50));
    const photo = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#0044aa' } })
      .jpeg()
      .toBuffer();
    const form = new FormData();
    form.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'tutanak.jpg');
    const up = await observer.fetch(`/api/boxes/${key(1001)}/sheet-photos`, { method: 'POST', body: form });
    expect(up.status).toBe(201);
    photoSha = up.body.sha256;
  });
  afterAll(() => app.close());

  it('drafts a petition from a mismatched box: addressee, figures, differences, evidence, deadline next day 14:00 Istanbul', async () => {
    const res = await legal.post('/api/petitions', { key: key(1001) });
    expect(res.status).toBe(201);
    const p = res.body;
    expect(p).toMatchObject({ status: 'draft', key: key(1001), province: 69, district: 681, boxNo: 1001, ballot: 2, createdBy: 'av-ayse', filedAt: null });
    expect(p.text.addressee).toBe('DEMİRÖZÜ İLÇE SEÇİM KURULU BAŞKANLIĞINA');
    expect(p.text.figures).toEqual(
      expect.arrayContaining([
        { label: 'CHP', ysk: 60, sheet: 80, difference: -20 },
        { label: 'AK PARTİ', ysk: 100, sheet: 100, difference: 0 },
      ]),
    );
    expect(p.text.evidence.join('\n')).toContain(photoSha);
    expect(p.text.evidence.join('\n')).toMatch(/YSK verisi, sürüm 1/);
    expect(p.text.signatureName).toBe('Av. Ayşe Işık Güneş');
    expect(p.text.signatureTitle).toBe('İlçe Hukuk Sorumlusu');
    const deadline = new Date(p.deadline);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Istanbul', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(deadline)).toBe(
      '14:00',
    );
    expect(deadline.getTime() - Date.now()).toBeGreaterThan(14 * 3_600_000 - 24 * 3_600_000);
    expect(deadline.getTime() - Date.now()).toBeLessThanOrEqual(39 * 3_600_000);
    expect(p.msLeft).toBeGreaterThan(0);
    // the time left is read from the server's one clock: held 90 minutes before the deadline, it is exactly that
    const clock = app.app.get(Clock);
    clock.set(Date.parse(p.deadline) - 90 * 60_000);
    try {
      expect((await legal.get(`/api/petitions/${p.id}`)).body.msLeft).toBe(90 * 60_000);
    } finally {
      clock.set(null);
    }
    expect((await legal.post('/api/petitions', { key: key(1001) })).status).toBe(409);
    const audit = await admin.get(`/api/audit?target=petition:${p.id}`);
    expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual(['petition.draft']);
  });

  it('refuses a box that matches, a box out of scope, and roles without petitions:write', async () => {
    expect((await legal.post('/api/petitions', { key: key(1002) })).status).toBe(409);
    // a single unconfirmed entry raises nothing, however far it is from YSK
    const unconfirmed = await legal.post('/api/petitions', { key: key(1009) });
    expect([unconfirmed.status, (await admin.get(`/api/boxes/${key(1009)}`)).body.summary]).toEqual([
      409,
      expect.objectContaining({ status: 'ysk_only', unconfirmed: true, org: null }),
    ]);
    expect((await otherLegal.post('/api/petitions', { key: key(1001) })).status).toBe(403);
    expect((await chair.post('/api/petitions', { key: key(1001) })).status).toBe(403);
    const bad = await legal.post('/api/petitions', {});
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toHaveProperty('key');
  });

  it('lets the text be edited before export; the PDF carries it with Turkish letters in an embedded font', async () => {
    const [p] = (await legal.get('/api/petitions?status=unfiled')).body.items;
    const edited = await legal.post(
      `/api/petitions/${p.id}`,
      { body: 'Sandık kurulu tutanağında CHP 80 oy aldığı hâlde YSK 60 göstermiştir; ğüşıöç ĞÜŞİÖÇ.', requests: 'Düzeltilmesini talep ederiz.' },
      'PUT',
    );
    expect(edited.status).toBe(200);
    expect(edited.body.text.body).toMatch(/^Sandık kurulu/);
    expect((await legal.post(`/api/petitions/${p.id}`, { nope: 1 }, 'PUT')).status).toBe(400);
    const { text, fonts } = pdfText(await pdfOf(chair, p.id));
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('DEMİRÖZÜ İLÇE SEÇİM KURULU BAŞKANLIĞINA');
    expect(flat).toContain('ğüşıöç ĞÜŞİÖÇ');
    expect(flat).toContain('Düzeltilmesini talep ederiz.');
    expect(flat).toContain('İtirazsız geçerli oy');
    expect(flat).toMatch(/CHP 60 80 -20/);
    expect(flat).toContain(photoSha);
    expect(flat).toContain('Av. Ayşe Işık Güneş');
    expect(flat).toContain('İlçe Hukuk Sorumlusu');
    expect(fonts).toMatch(/NotoSans.*yes\s+yes\s+yes/);
    const audit = await admin.get(`/api/audit?target=petition:${p.id}&action=petition.edit`);
    expect(audit.body.items[0]).toMatchObject({
      actor: { username: 'av-ayse' },
      before: { requests: expect.stringMatching(/^Yukarıda/) },
      after: { requests: 'Düzeltilmesini talep ederiz.' },
    });
  });

  it('drafts from a complaint, moving the complaint on; lists unfiled petitions soonest deadline first; tracks filing', async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ province: '69', district: '681', boxNo: '1001', ballot: '2', text: 'Sandığımızın sonucu yanlış yayımlandı.' }))
      form.set(k, v);
    const filed = await fetch(`${app.url}/api/citizen/complaints`, { method: 'POST', body: form }).then((r) => r.json());
    const [complaint] = await store.complaints({ district: 681 });
    expect(complaint.trackingCode).toBe(filed.trackingCode);
    // the district's deadline moves earlier: the new draft and the existing one both take it
    const first = (await legal.get('/api/petitions?status=unfiled')).body.items[0];
    const soon = new Date(Date.now() + 3 * 3_600_000).toISOString();
    const set = await legal.post('/api/petitions/deadlines/681', { province: 69, deadline: soon }, 'PUT');
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ district: 681, drafts: 1 });
    expect((await otherLegal.post('/api/petitions/deadlines/681', { province: 69, deadline: soon }, 'PUT')).status).toBe(403);
    expect((await legal.post('/api/petitions', { complaintId: complaint.id })).status).toBe(409); // the box's petition is open
    await legal.post(`/api/petitions/${first.id}/status`, { status: 'withdrawn' });
    const fromComplaint = await legal.post('/api/petitions', { complaintId: complaint.id });
    expect(fromComplaint.status).toBe(201);
    expect(fromComplaint.body.complaintId).toBe(complaint.id);
    expect(fromComplaint.body.deadline).toBe(soon);
    expect(fromComplaint.body.text.body).toContain(filed.trackingCode);
    expect((await store.complaint(complaint.id))?.status).toBe('petition_drafted');

    const list = await legal.get('/api/petitions?status=unfiled');
    expect(list.body.items.map((p: { id: string }) => p.id)).toEqual([fromComplaint.body.id]);
    expect(list.body.items[0].msLeft).toBeGreaterThan(0);
    expect(list.body.items[0].msLeft).toBeLessThanOrEqual(3 * 3_600_000);
    expect((await otherLegal.get('/api/petitions?status=unfiled')).body.items).toEqual([]);
    expect((await chair.get('/api/petitions')).body.items).toHaveLength(2);
    expect((await observer.get('/api/petitions')).status).toBe(403);

    expect((await chair.post(`/api/petitions/${fromComplaint.body.id}/status`, { status: 'filed' })).status).toBe(403);
    expect((await legal.post(`/api/petitions/${fromComplaint.body.id}/status`, { status: 'accepted' })).status).toBe(409);
    const done = await legal.post(`/api/petitions/${fromComplaint.body.id}/status`, { status: 'filed', reference: '2024/117' });
    expect(done.body).toMatchObject({ status: 'filed', filedBy: 'av-ayse', reference: '2024/117', filedAt: expect.any(String) });
    expect((await legal.post(`/api/petitions/${fromComplaint.body.id}`, { body: 'geç kalmış düzeltme' }, 'PUT')).status).toBe(409);
    expect((await legal.get('/api/petitions?status=unfiled')).body.items).toEqual([]);
    expect((await store.complaint(complaint.id))?.status).toBe('filed');
    const tracked = await fetch(`${app.url}/api/citizen/complaints/${filed.trackingCode}`).then((r) => r.json());
    expect(tracked.status).toBe('filed');
    const audit = await admin.get(`/api/audit?target=petition:${fromComplaint.body.id}`);
    expect(audit.body.items.map((a: { action: string }) => a.action).reverse()).toEqual(['petition.draft', 'petition.status']);
  });

  it("lists a district chair's stale boxes with the time elapsed, as JSON and CSV", async () => {
    const published = new Date(Date.now() - 45 * 60_000).toISOString();
    await publish(key(1003), sheet(10, 10), published);
    await publish(key(1004, 682), sheet(10, 10), published);
    await app.app.get(ReconcileService).tick(Date.now());
    const res = await chair.get('/api/stale-notices');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({ key: key(1003), boxNo: 1003, district: 681, elapsedMinutes: expect.any(Number) })]);
    // escalatedAt is the time the reconciliation escalated the box (null when it was already stale as it arrived)
    expect(res.body.items[0]).toHaveProperty('escalatedAt');
    expect(res.body.items[0].elapsedMinutes).toBeGreaterThanOrEqual(44);
    const csv = await chair.fetch('/api/stale-notices?format=csv');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = String(csv.body)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('sandik_anahtari,secim_turu,il,ilce,sandik_no,ysk_yayin_zamani,gecen_dakika,iletilme_zamani');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(key(1003));
    expect((await chair.get('/api/stale-notices?district=682')).status).toBe(403);
  });
});
