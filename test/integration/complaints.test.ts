import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { boxKey, sheetHash, type Sheet } from '@gozcu/shared';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';

const ELECTION = `complaints-${Date.now()}`;
const MAX_BYTES = 300_000;
const sheet = (ak: number, chp: number): Sheet => ({
  registered: 300,
  voted: ak + chp + 5,
  validUncontested: ak + chp,
  validAfterObjection: 0,
  valid: ak + chp,
  invalid: 5,
  votes: { 'AK PARTİ': ak, CHP: chp },
});
const KEY = boxKey({ election: ELECTION, ballot: 2, province: 69, district: 681, boxNo: 1001 });

/** A JPEG carrying EXIF with a location, as a phone camera writes it. */
const photoWithLocation = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: '#c00000' } })
    .jpeg()
    .withExif({
      IFD0: { ImageDescription: 'konum-isareti' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '41/1 0/1 29/1', GPSLongitudeRef: 'E', GPSLongitude: '28/1 58/1 42/1' },
    })
    .toBuffer();

/** A PNG whose header says 20000×20000 (400 Mpx) in ~50 KB of zlib: a decompression bomb. */
function pngBomb(): Buffer {
  const w = 20_000;
  const h = 20_000;
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 1; // bit depth 1
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((1 + w / 8) * h); // every row: filter byte 0, then zeros
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
const EXE = Buffer.concat([Buffer.from('MZ', 'latin1'), Buffer.alloc(2000, 0x90)]);

describe('complaints with evidence, the workflow per role, and sheet photos', () => {
  let app: RunningApp;
  let admin: Session;
  let legal: Session;
  let chair: Session;
  let otherLegal: Session;
  let provinceLegal: Session;
  let boxOfficer: Session;
  let store: Store;

  const fileComplaint = async (fields: Record<string, string>, files: { name: string; type: string; data: Buffer }[] = []) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    for (const f of files) form.append('files', new Blob([new Uint8Array(f.data)], { type: f.type }), f.name);
    const res = await fetch(`${app.url}/api/citizen/complaints`, { method: 'POST', body: form });
    return { status: res.status, body: await res.json() };
  };
  const base = { province: '69', district: '681', boxNo: '1001', ballot: '2', text: 'YSK verisi imzalı tutanaktan farklı, CHP oyları eksik görünüyor.' };

  beforeAll(async () => {
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      UPLOAD_MAX_BYTES: String(MAX_BYTES),
      UPLOAD_MAX_PIXELS: '40000000',
      COMPLAINT_RATE_LIMIT: '10000',
      CITIZEN_RATE_LIMIT: '10000',
    });
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    store = app.app.get<Store>(STORE);
    legal = await userOf(app.url, admin, 'hukuk-681', 'district_legal', { province: 69, district: 681 });
    chair = await userOf(app.url, admin, 'baskan-681', 'district_chair', { province: 69, district: 681 });
    otherLegal = await userOf(app.url, admin, 'hukuk-682', 'district_legal', { province: 69, district: 682 });
    provinceLegal = await userOf(app.url, admin, 'il-hukuk-69', 'province_legal', { province: 69 });
    boxOfficer = await userOf(app.url, admin, 'musahit-1001', 'box_officer', { boxes: ['69:681:1001'] });
    await userOf(app.url, admin, 'baskan-682', 'district_chair', { province: 69, district: 682 });
    const at = new Date().toISOString();
    const box = { key: KEY, election: ELECTION, ballot: 2 as const, province: 69, district: 681, boxNo: 1001, yskBoxId: null, neighbourhood: null };
    app.app
      .get(ReconcileService)
      .applyYsk(
        await store.appendVersions([
          { box, key: KEY, hash: sheetHash(sheet(130, 60)), sheet: sheet(130, 60), yskVersion: 1, yskChangedAt: at, changeReason: null, fetchedAt: at },
        ]),
      );
  });
  afterAll(() => app.close());

  describe('filing (citizen, no sign-in)', () => {
    it('takes text and up to 5 photos or PDFs, answers a tracking code, and routes to the district legal officer and chair', async () => {
      const photo = await photoWithLocation();
      const res = await fileComplaint({ ...base, contact: '0532 000 00 00' }, [
        { name: 'tutanak.jpg', type: 'image/jpeg', data: photo },
        { name: 'dilekce.pdf', type: 'application/pdf', data: PDF },
      ]);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        trackingCode: expect.stringMatching(/^GZ-[0-9A-Z]{5}-[0-9A-Z]{5}$/),
        status: 'new',
        statusName: { tr: 'Yeni' },
        attachments: 2,
      });
      const tracked = await fetch(`${app.url}/api/citizen/complaints/${res.body.trackingCode.toLowerCase()}`).then((r) => r.json());
      expect(tracked).toMatchObject({ trackingCode: res.body.trackingCode, status: 'new' });
      expect(tracked).not.toHaveProperty('text');
      const [c] = await store.complaints({ district: 681 });
      expect(c.routedTo.sort()).toEqual(['baskan-681', 'hukuk-681']);
    });

    it('refuses a renamed executable by its content (415) and stores nothing', async () => {
      const before = (await store.complaints({})).length;
      const res = await fileComplaint(base, [{ name: 'tutanak.jpg', type: 'image/jpeg', data: EXE }]);
      expect(res.status).toBe(415);
      expect(res.body.message).toMatch(/Windows executable.*by content/);
      expect((await store.complaints({})).length).toBe(before);
    });

    it('refuses an oversized file (413)', async () => {
      const big = Buffer.concat([await photoWithLocation(), Buffer.alloc(MAX_BYTES)]);
      const res = await fileComplaint(base, [{ name: 'buyuk.jpg', type: 'image/jpeg', data: big }]);
      expect(res.status).toBe(413);
    });

    it('refuses a decompression-bomb image before decoding it (422)', async () => {
      const bomb = pngBomb();
      expect(bomb.length).toBeLessThan(MAX_BYTES);
      const res = await fileComplaint(base, [{ name: 'bomba.png', type: 'image/png', data: bomb }]);
      expect(res.status).toBe(422);
      expect(res.body.message).toMatch(/20000×20000.*decompression bomb/);
    });

    it('refuses a sixth file, a truncated image and bad fields (400s naming them)', async () => {
      const photo = await photoWithLocation();
      const six = await fileComplaint(
        base,
        Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.jpg`, type: 'image/jpeg', data: photo })),
      );
      expect(six.status).toBe(400);
      const truncated = await fileComplaint(base, [{ name: 'yarim.jpg', type: 'image/jpeg', data: photo.subarray(0, 40) }]);
      expect(truncated.status).toBe(422);
      const bad = await fileComplaint({ province: '90', district: '0', boxNo: 'x', text: 'kısa' });
      expect(bad.status).toBe(400);
      expect(Object.keys(bad.body.issues).sort()).toEqual(['boxNo', 'district', 'province', 'text']);
    });
  });

  describe('the workflow per role', () => {
    let id: string;
    beforeAll(async () => {
      id = (await store.complaints({ district: 681 }))[0].id;
    });

    it('shows the complaint to the district chair without the contact or original files; to the legal officer with them', async () => {
      const forChair = await chair.get(`/api/complaints/${id}`);
      expect(forChair.status).toBe(200);
      expect(forChair.body).toMatchObject({ status: 'new', contact: null, province: 69, district: 681, boxNo: 1001, key: KEY });
      expect(forChair.body.attachments.map((a: { originalUrl: string | null }) => a.originalUrl)).toEqual([null, null]);
      const forLegal = await legal.get(`/api/complaints/${id}`);
      expect(forLegal.body.contact).toBe('0532 000 00 00');
      expect(forLegal.body.attachments[0].originalUrl).toMatch(/original=1$/);
    });

    it('strips EXIF and location from the photo shown beyond the legal officer; the legal officer gets the original', async () => {
      const attachments = (await legal.get(`/api/complaints/${id}`)).body.attachments as Array<{
        kind: string;
        url: string;
        originalUrl: string;
        sha256: string;
      }>;
      const image = attachments.find((a) => a.kind === 'image')!;
      const pdf = attachments.find((a) => a.kind === 'pdf')!;
      const original = await photoWithLocation();
      expect(image).toMatchObject({ kind: 'image', contentType: 'image/jpeg', width: 64, height: 48 });
      const shown = await chair.fetch(image.url);
      expect(shown.status).toBe(200);
      const shownBytes = Buffer.from(await (await fetch(`${app.url}${image.url}`, { headers: { authorization: `Bearer ${chair.token}` } })).arrayBuffer());
      expect((await sharp(shownBytes).metadata()).exif).toBeUndefined();
      expect(shownBytes.includes(Buffer.from('konum-isareti'))).toBe(false);
      expect((await chair.fetch(`${image.url}?original=1`)).status).toBe(403);
      expect((await chair.fetch(pdf.url)).status).toBe(403);
      const originalBytes = Buffer.from(
        await (await fetch(`${app.url}${image.originalUrl}`, { headers: { authorization: `Bearer ${legal.token}` } })).arrayBuffer(),
      );
      expect(createHash('sha256').update(originalBytes).digest('hex')).toBe(image.sha256);
      expect(image.sha256).toBe(createHash('sha256').update(original).digest('hex'));
      expect(originalBytes.includes(Buffer.from('konum-isareti'))).toBe(true);
      expect((await otherLegal.fetch(image.url)).status).toBe(403);
    });

    it('keeps complaints inside each scope: lists, counts, and 404 for another district', async () => {
      expect((await chair.get('/api/complaints')).body.items.map((c: { id: string }) => c.id)).toContain(id);
      expect((await otherLegal.get('/api/complaints')).body.items).toEqual([]);
      expect((await otherLegal.get(`/api/complaints/${id}`)).status).toBe(404);
      expect((await chair.get('/api/complaints?district=682')).status).toBe(403);
      expect((await boxOfficer.get('/api/complaints')).status).toBe(403);
      const counts = await chair.get('/api/complaints/counts?province=69&district=681');
      expect(counts.status).toBe(200);
      expect(counts.body).toMatchObject({
        scope: { province: 69, district: 681 },
        total: expect.any(Number),
        byStatus: { new: expect.any(Number), in_review: 0 },
      });
      expect(counts.body.total).toBe(Object.values(counts.body.byStatus as Record<string, number>).reduce((a, b) => a + b, 0));
      expect((await admin.get('/api/complaints/counts?province=69')).body.total).toBe(counts.body.total);
      expect((await otherLegal.get('/api/complaints/counts')).body.total).toBe(0);
    });

    it('lets only the roles the table names take each step, audits each, and refuses steps the table does not have', async () => {
      const step = (s: Session, status: string, note?: string) => s.post(`/api/complaints/${id}/status`, { status, note });
      expect((await step(chair, 'in_review')).status).toBe(403);
      expect((await step(otherLegal, 'in_review')).status).toBe(404);
      expect((await step(legal, 'filed')).status).toBe(409);
      const review = await step(legal, 'in_review', 'tutanak fotoğrafı inceleniyor');
      expect(review.status).toBe(200);
      expect(review.body.status).toBe('in_review');
      expect((await step(legal, 'in_review')).status).toBe(409);
      expect((await step(provinceLegal, 'petition_drafted')).body.status).toBe('petition_drafted');
      expect((await step(legal, 'filed')).body.status).toBe('filed');
      const closed = await step(legal, 'resolved', 'kurul düzeltti');
      expect(closed.body).toMatchObject({ status: 'resolved' });
      expect(closed.body.history.map((h: { status: string; by: string | null }) => [h.status, h.by])).toEqual([
        ['new', null],
        ['in_review', 'hukuk-681'],
        ['petition_drafted', 'il-hukuk-69'],
        ['filed', 'hukuk-681'],
        ['resolved', 'hukuk-681'],
      ]);
      const reopened = await step(legal, 'in_review');
      expect(reopened.status).toBe(409);
      expect(reopened.body.message).toMatch(/closed/);
      const audit = await admin.get(`/api/audit?target=complaint:${id}`);
      expect(audit.body.items.map((a: { action: string; after: { status?: string } }) => `${a.action}:${a.after.status ?? ''}`).reverse()).toEqual([
        'complaint.create:',
        'complaint.status:in_review',
        'complaint.status:petition_drafted',
        'complaint.status:filed',
        'complaint.status:resolved',
      ]);
      const counts = await chair.get('/api/complaints/counts?province=69&district=681');
      expect(counts.body.byStatus.resolved).toBe(1);
    });
  });

  describe('sheet photos', () => {
    it('lets a box officer attach the sheet photo to their entry, kept with its SHA-256 and upload time', async () => {
      const upload = async (s: Session, key: string, data: Buffer, name = 'tutanak.jpg') => {
        const form = new FormData();
        form.append('photo', new Blob([new Uint8Array(data)], { type: 'image/jpeg' }), name);
        return s.fetch(`/api/boxes/${key}/sheet-photos`, { method: 'POST', body: form });
      };
      const photo = await photoWithLocation();
      expect((await upload(boxOfficer, KEY, photo)).status).toBe(409);
      const entry = await boxOfficer.post('/api/entries', {
        ref: { ballot: 2, province: 69, district: 681, boxNo: 1001 },
        sheet: sheet(120, 70),
        idempotencyKey: `sheet-photo-${Date.now()}`,
      });
      expect(entry.status).toBe(201);
      const t0 = Date.now();
      const res = await upload(boxOfficer, KEY, photo);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        key: KEY,
        entryId: entry.body.entry.id,
        sha256: createHash('sha256').update(photo).digest('hex'),
        uploadedBy: 'musahit-1001',
        originalUrl: null,
      });
      expect(Date.parse(res.body.uploadedAt)).toBeGreaterThanOrEqual(t0 - 1000);
      expect((await upload(boxOfficer, KEY, EXE, 'x.jpg')).status).toBe(415);
      expect((await upload(boxOfficer, KEY, PDF, 'x.pdf')).status).toBe(415);
      const other = boxKey({ election: ELECTION, ballot: 2, province: 69, district: 681, boxNo: 1002 });
      expect((await upload(boxOfficer, other, photo)).status).toBe(403);
      expect((await upload(chair, KEY, photo)).status).toBe(403);
      const list = await chair.get(`/api/boxes/${KEY}/sheet-photos`);
      expect(list.body.items).toHaveLength(1);
      const shown = Buffer.from(
        await (await fetch(`${app.url}${list.body.items[0].url}`, { headers: { authorization: `Bearer ${chair.token}` } })).arrayBuffer(),
      );
      expect((await sharp(shown).metadata()).exif).toBeUndefined();
      expect((await otherLegal.get(`/api/boxes/${KEY}/sheet-photos`)).status).toBe(403);
      const audit = await admin.get(`/api/audit?action=sheet_photo.upload`);
      expect(audit.body.items[0]).toMatchObject({ target: KEY, after: { sha256: res.body.sha256, entryId: entry.body.entry.id } });
    });
  });
});
