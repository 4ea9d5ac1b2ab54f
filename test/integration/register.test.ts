/* e-seçmen over HTTP: streamed register import, the citizen's check, lost-voter reports, anomalies in scope, objections. */
import { Readable } from 'node:stream';
import { withTcCheckDigits } from '@gozcu/shared';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { syntheticRegister, type RegisterGeoDistrict, type SyntheticVoter } from '../../server/src/modules/register/synthetic-register';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';
import { postJson } from '../support/http';

const GEO: RegisterGeoDistrict[] = [
  {
    province: 69,
    district: 681,
    neighbourhoods: [
      { name: 'KARŞIYAKA', minBox: 1001, maxBox: 1005 },
      { name: 'GÜLTEPE', minBox: 1006, maxBox: 1010 },
    ],
  },
  { province: 69, district: 682, neighbourhoods: [{ name: 'ÇARŞI', minBox: 2001, maxBox: 2008 }] },
];
const csvLine = (v: SyntheticVoter) =>
  [v.tc, v.name, v.birth_year, `"${v.address}"`, v.province, v.district, v.box, v.neighbourhood, `"${v.school}"`].join(',');

/** Uploads the rows as a streamed request body (chunked), never one string. */
async function upload(app: RunningApp, token: string, voters: Iterable<SyntheticVoter>) {
  function* lines() {
    yield 'tc,ad_soyad,dogum_yili,adres,il,ilce,sandik,mahalle,okul\n';
    for (const v of voters) yield `${csvLine(v)}\n`;
  }
  const body = Readable.toWeb(Readable.from(lines())) as unknown as BodyInit;
  const res = await fetch(`${app.url}/api/register/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body,
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, body: await res.json() };
}

describe('e-seçmen (register check, anomalies, objections)', () => {
  let app: RunningApp;
  let admin: Session;
  let legal681: Session;
  let chair682: Session;
  const synth = syntheticRegister(GEO, { seed: 11, year: 2099, plantIn: [681] });
  const voters = [...synth.rows(2)];

  beforeAll(async () => {
    app = await startApp({
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      CITIZEN_RATE_LIMIT: '10000',
      CITIZEN_TC_RATE_LIMIT: '10000',
      COMPLAINT_RATE_LIMIT: '10000',
      REGISTER_DISPLAY_UNTIL: '2099-02-14T17:00:00+03:00',
    });
    const store = app.app.get<Store>(STORE);
    await store.upsertProvinces([{ plate: 69, name: 'BAYBURT' }]);
    await store.upsertDistricts([
      { yskId: 681, province: 69, name: 'MERKEZ' },
      { yskId: 682, province: 69, name: 'DEMİRÖZÜ' },
    ]);
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    legal681 = await userOf(app.url, admin, 'reg-legal-681', 'district_legal', { province: 69, district: 681 });
    chair682 = await userOf(app.url, admin, 'reg-chair-682', 'district_chair', { province: 69, district: 682 });
  });
  afterAll(() => app.close());

  it('imports two streamed uploads and flags exactly the planted anomalies', async () => {
    const first = await upload(app, admin.token, synth.rows(1));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ rows: synth.size(1), stored: synth.size(1), rejectedCount: 0, provinces: [69] });
    const second = await upload(app, admin.token, synth.rows(2));
    expect(second.body).toMatchObject({ rows: synth.size(2), stored: synth.size(2), anomalies: 5 });
    const all = await admin.get('/api/register/anomalies');
    expect(all.status).toBe(200);
    expect(all.body.items.map((a: { kind: string; district: number; box: number }) => `${a.kind}@${a.district}/${a.box}`).sort()).toEqual(
      synth.planted.map((p) => `${p.kind}@${p.district}/${p.box}`).sort(),
    );
    const audit = await admin.get('/api/audit?action=register.import');
    expect(audit.body.items.filter((e: { action: string }) => e.action === 'register.import')).toHaveLength(2);
  });

  it('refuses an import without the permission, and a body of the wrong type', async () => {
    const res = await fetch(`${app.url}/api/register/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${legal681.token}`, 'content-type': 'text/csv' },
      body: 'tc\n1',
    });
    expect(res.status).toBe(403);
    const wrong = await admin.fetch('/api/register/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toMatch(/text\/csv/);
  });

  it('answers a citizen with their own box only; 400 on bad check digits; registered:false for an unknown number', async () => {
    const me = voters.find((v) => v.district === 682)!;
    const res = await postJson(`${app.url}/api/register/check`, { tc: me.tc });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      registered: true,
      province: 69,
      provinceName: 'BAYBURT',
      district: 682,
      districtName: 'DEMİRÖZÜ',
      neighbourhood: me.neighbourhood,
      box: me.box,
      school: me.school,
    });
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    // nothing about anyone else: no names, no other numbers, no counts
    expect(JSON.stringify(res.body)).not.toMatch(/\d{11}|voters|name"/);
    const bad = await postJson(`${app.url}/api/register/check`, { tc: '12345678901' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/check\) digit/);
    expect(JSON.stringify(bad.body)).not.toContain('12345678901');
    expect((await postJson(`${app.url}/api/register/check`, { tc: 12345678901 })).status).toBe(400);
    const unknown = await postJson(`${app.url}/api/register/check`, { tc: withTcCheckDigits('987654321') });
    expect(unknown).toMatchObject({ status: 200, body: { registered: false } });
  });

  it('turns a citizen’s report into a lost-voter case of their district, which the district objects to', async () => {
    const missing = withTcCheckDigits('987654321');
    const report = await postJson(`${app.url}/api/register/reports`, {
      tc: missing,
      kind: 'missing',
      province: 69,
      district: 681,
      neighbourhood: 'GÜLTEPE',
      note: 'Askı listesinde adım yok',
    });
    expect(report.status).toBe(201);
    expect(report.body).toMatchObject({ kind: 'missing', district: 681, status: 'open', trackingCode: expect.stringMatching(/^SK-/) });
    // a registered voter is not "missing"; a district of another province is refused
    expect((await postJson(`${app.url}/api/register/reports`, { tc: voters[0].tc, kind: 'missing', province: 69, district: 681 })).status).toBe(409);
    expect((await postJson(`${app.url}/api/register/reports`, { tc: missing, kind: 'missing', province: 69, district: 999 })).status).toBe(400);
    const wrong = await postJson(`${app.url}/api/register/reports`, { tc: voters[0].tc, kind: 'wrong_address', province: 69, district: 682 });
    expect(wrong.status).toBe(201);

    const cases681 = await legal681.get('/api/register/cases');
    expect(cases681.body.items).toHaveLength(1);
    expect(cases681.body.items[0]).toMatchObject({ kind: 'missing', neighbourhood: 'GÜLTEPE', status: 'open' });
    expect(JSON.stringify(cases681.body)).not.toMatch(/hash|987654321/);
    const cases682 = await chair682.get('/api/register/cases');
    expect(cases682.body.items).toEqual([
      expect.objectContaining({ kind: 'wrong_address', registeredDistrict: voters[0].district, registeredBox: voters[0].box }),
    ]);
    const petition = await legal681.post(`/api/register/cases/${cases681.body.items[0].id}/objection`, {});
    expect(petition.status).toBe(201);
    expect(petition.body).toMatchObject({ kind: 'register', status: 'draft', district: 681, deadline: '2099-02-14T14:00:00.000Z' });
    expect(petition.body.text.subject).toMatch(/Seçmen listesine kaydı bulunmayan/);
  });

  it('lists anomalies in the caller’s scope only, with filters', async () => {
    const mine = await legal681.get('/api/register/anomalies');
    expect(mine.body.items).toHaveLength(5);
    expect(mine.body.items.every((a: { district: number }) => a.district === 681)).toBe(true);
    expect(Object.keys(mine.body.items[0]).sort()).toEqual([
      'box',
      'detectedAt',
      'district',
      'evidence',
      'id',
      'kind',
      'petitionId',
      'province',
      'status',
      'updatedAt',
    ]);
    expect((await legal681.get('/api/register/anomalies?kind=influx')).body.items).toHaveLength(1);
    expect((await legal681.get('/api/register/anomalies?district=682')).status).toBe(403);
    expect((await chair682.get('/api/register/anomalies')).body.items).toEqual([]);
    const bad = await legal681.get('/api/register/anomalies?kind=nonsense');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/kind/);
  });

  it('changes an anomaly’s status, drafts its objection as a register petition with a PDF, and counts per district', async () => {
    const [first, second] = (await legal681.get('/api/register/anomalies?kind=address_crowded')).body.items.concat(
      (await legal681.get('/api/register/anomalies?kind=box_oversized')).body.items,
    );
    const checked = await legal681.post(`/api/register/anomalies/${first.id}/status`, { status: 'checked' });
    expect(checked).toMatchObject({ status: 200, body: { status: 'checked' } });
    expect((await legal681.post(`/api/register/anomalies/${first.id}/status`, { status: 'objected' })).status).toBe(400);
    // a district chair without complaints:handle cannot, nor can someone outside the district
    expect((await chair682.post(`/api/register/anomalies/${first.id}/status`, { status: 'open' })).status).toBe(403);
    const objection = await legal681.post(`/api/register/anomalies/${second.id}/objection`, {});
    expect(objection.status).toBe(201);
    expect(objection.body).toMatchObject({ kind: 'register', status: 'draft', district: 681, boxNo: second.box });
    expect(objection.body.text.addressee).toBe('MERKEZ İLÇE SEÇİM KURULU BAŞKANLIĞINA');
    expect(objection.body.text.body).toMatch(/ortanca sandığının 1.5 katından fazla/);
    expect(objection.body.msLeft).toBeGreaterThan(0);
    expect((await legal681.post(`/api/register/anomalies/${second.id}/objection`, {})).status).toBe(409);
    expect((await legal681.get(`/api/register/anomalies?status=objected`)).body.items.map((a: { id: string }) => a.id)).toEqual([second.id]);
    const pdf = await fetch(`${app.url}/api/petitions/${objection.body.id}/pdf`, { headers: { authorization: `Bearer ${legal681.token}` } });
    expect(pdf.status).toBe(200);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const listed = await legal681.get('/api/petitions');
    expect(listed.body.items.filter((p: { kind: string }) => p.kind === 'register')).toHaveLength(2);

    const counts = await admin.get('/api/register/counts?province=69');
    expect(counts.body.items).toEqual([
      { province: 69, district: 681, districtName: 'MERKEZ', anomalies: { open: 3, checked: 1, objected: 1 }, cases: { open: 0, checked: 0, objected: 1 } },
      { province: 69, district: 682, districtName: 'DEMİRÖZÜ', anomalies: { open: 0, checked: 0, objected: 0 }, cases: { open: 1, checked: 0, objected: 0 } },
    ]);
    expect((await chair682.get('/api/register/counts')).body.items.map((r: { district: number }) => r.district)).toEqual([682]);
  });
});
