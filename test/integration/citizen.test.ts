import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { boxKey, sheetHash, withTcCheckDigits, type Sheet } from '@gozcu/shared';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';
import { getJson, postJson } from '../support/http';

const sheet = (ak: number, chp: number): Sheet => ({
  registered: 300,
  voted: ak + chp + 5,
  validUncontested: ak + chp,
  validAfterObjection: 0,
  valid: ak + chp,
  invalid: 5,
  votes: { 'AK PARTİ': ak, CHP: chp },
});

/** Publishes YSK figures for a box straight through the store and the reconciliation (as the feed would). */
async function publish(app: RunningApp, key: string, s: Sheet): Promise<void> {
  const store = app.app.get<Store>(STORE);
  const [election, ballot, province, district, boxNo] = key.split(':');
  const at = new Date().toISOString();
  const box = {
    key,
    election,
    ballot: Number(ballot) as 2,
    province: Number(province),
    district: Number(district),
    boxNo: Number(boxNo),
    yskBoxId: null,
    neighbourhood: null,
  };
  app.app
    .get(ReconcileService)
    .applyYsk(await store.appendVersions([{ box, key, hash: sheetHash(s), sheet: s, yskVersion: 1, yskChangedAt: at, changeReason: null, fetchedAt: at }]));
}

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

// numbers made valid by their check digits, none of them a real person's
const TCS = ['123456789', '234567891', '345678912', '456789123'].map(withTcCheckDigits);
const UNKNOWN_TC = withTcCheckDigits('987654321');

describe('citizen look-up (public REST)', () => {
  const ELECTION = `citizen-${Date.now()}`;
  let app: RunningApp;
  let admin: Session;

  beforeAll(async () => {
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2,3',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      CITIZEN_RATE_LIMIT: '10000',
      CITIZEN_TC_RATE_LIMIT: '10000',
      CITIZEN_ENUMERATION_LIMIT: '10000',
    });
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    await publish(app, boxKey({ election: ELECTION, ballot: 2, province: 69, district: 681, boxNo: 1001 }), sheet(120, 80));
    const entry = await admin.post('/api/entries', {
      ref: { ballot: 3, province: 69, district: 681, boxNo: 1001 },
      sheet: sheet(60, 40),
      idempotencyKey: `cit-${Date.now()}-1`,
    });
    expect(entry.status).toBe(201);
  });
  afterAll(() => app.close());

  it('imports the voter register as HQ, reporting bad rows without repeating their numbers', async () => {
    const csv = [
      'tc,province,district,box',
      `${TCS[0]},69,681,1001`,
      `${TCS[1]},69,681,1001`,
      `${TCS[2]},69,681,1002`,
      '12345678901,69,681,1001',
      `${TCS[3]},99,681,1001`,
      'abc,69,681,1001',
    ].join('\n');
    const res = await admin.post('/api/citizen/voters/import', csv);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      rows: 6,
      stored: 3,
      rejected: [
        { row: 5, issue: expect.stringMatching(/check\) digit/) },
        { row: 6, issue: expect.stringMatching(/province/) },
        { row: 7, issue: expect.stringMatching(/digits only/) },
      ],
    });
    expect(JSON.stringify(res.body)).not.toContain('12345678901');
    const legal = await userOf(app.url, admin, 'cit-legal', 'district_legal', { province: 69, district: 681 });
    expect((await legal.post('/api/citizen/voters/import', csv)).status).toBe(403);
    expect((await postJson(`${app.url}/api/citizen/voters/import`, {})).status).toBe(401);
    const audit = await admin.get('/api/audit?action=voters.import');
    expect(audit.body.items[0].after).toEqual({ rows: 6, stored: 3, rejected: 3 });
  });

  it('shows a box by province, district and number without signing in: YSK figures, no observer figures by default, cacheable', async () => {
    const res = await getJson(`${app.url}/api/citizen/boxes?province=69&district=681&box=1001`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    expect(res.body).toMatchObject({ province: 69, district: 681, boxNo: 1001, embargo: { active: false } });
    const [mayor, council] = res.body.ballots;
    expect(mayor).toMatchObject({
      ballot: 2,
      ballotName: { tr: 'Belediye Başkanı' },
      ysk: sheet(120, 80),
      org: null,
      altered: false,
      yskChangedAt: expect.any(String),
    });
    expect(council).toMatchObject({ ballot: 3, ysk: null, org: null });
  });

  it('answers 404 for an unknown box and 400 naming each bad query field', async () => {
    expect((await getJson(`${app.url}/api/citizen/boxes?province=69&district=681&box=9999`)).status).toBe(404);
    const bad = await getJson(`${app.url}/api/citizen/boxes?province=82&district=x`);
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.issues).sort()).toEqual(['box', 'district', 'province']);
  });

  it("finds a voter's box by TC Kimlik No (in the body, never the URL)", async () => {
    const res = await postJson(`${app.url}/api/citizen/lookup`, { tc: TCS[0] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ province: 69, district: 681, boxNo: 1001 });
    expect(res.body.ballots[0].ysk).toEqual(sheet(120, 80));
    // a registered voter whose box YSK has not published yet still gets an answer
    const later = await postJson(`${app.url}/api/citizen/lookup`, { tc: TCS[2] });
    expect(later.status).toBe(200);
    expect(later.body).toMatchObject({ boxNo: 1002, ballots: [{ ysk: null }, { ysk: null }] });
  });

  it.each([
    ['a wrong 10th digit', `${TCS[0].slice(0, 9)}${(Number(TCS[0][9]) + 1) % 10}${TCS[0][10]}`, /10th/],
    ['a wrong 11th digit', `${TCS[0].slice(0, 10)}${(Number(TCS[0][10]) + 1) % 10}`, /11th/],
    ['ten digits', TCS[0].slice(0, 10), /11 digits/],
    ['a leading zero', '01234567890', /start with 0/],
  ])('refuses a TC Kimlik No with %s (400, a clear message, the number not echoed)', async (_label, tc, message) => {
    const res = await postJson(`${app.url}/api/citizen/lookup`, { tc });
    expect(res.status).toBe(400);
    expect(res.body.issues.tc).toMatch(message);
    expect(JSON.stringify(res.body)).not.toContain(tc);
  });

  it('answers 404 for a valid number that is not in the register', async () => {
    const res = await postJson(`${app.url}/api/citizen/lookup`, { tc: UNKNOWN_TC });
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain(UNKNOWN_TC);
  });

  it('keeps no TC Kimlik No in clear anywhere under DATA_DIR (SQLite file, WAL, uploads, secrets)', async () => {
    // a complaint whose text carries a number is stored masked
    const form = new FormData();
    for (const [k, v] of Object.entries({
      province: '69',
      district: '681',
      boxNo: '1001',
      ballot: '2',
      text: `Benim TC ${TCS[1]}, sayım hatalı görünüyor`,
      contact: `tc ${TCS[3]}`,
    }))
      form.set(k, v);
    expect((await fetch(`${app.url}/api/citizen/complaints`, { method: 'POST', body: form })).status).toBe(201);
    const store = app.app.get<Store>(STORE);
    expect(await store.voterCount()).toBe(3);
    const files = filesUnder(app.dataDir);
    expect(files.some((f) => f.endsWith('gozcu.sqlite'))).toBe(true);
    expect(files.some((f) => f.endsWith('voter-hmac-secret'))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const tc of [...TCS, UNKNOWN_TC]) {
        expect([file, bytes.includes(Buffer.from(tc, 'latin1')), bytes.includes(Buffer.from(tc, 'utf16le'))]).toEqual([file, false, false]);
      }
    }
    const [complaint] = await store.complaints({});
    expect(complaint.text).toContain('[TC Kimlik No gizlendi]');
  });
});

describe('citizen rate limits and enumeration', () => {
  const ELECTION = `citizen-limits-${Date.now()}`;
  let app: RunningApp;
  let admin: Session;

  beforeAll(async () => {
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      CITIZEN_RATE_LIMIT: '8',
      CITIZEN_ENUMERATION_LIMIT: '3',
      COMPLAINT_RATE_LIMIT: '2',
    });
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    await publish(app, boxKey({ election: ELECTION, ballot: 2, province: 6, district: 1, boxNo: 7 }), sheet(10, 20));
    expect((await admin.post('/api/citizen/voters/import', `tc,il,ilce,sandik\n${TCS[0]},6,1,7\n`)).body.stored).toBe(1);
  });
  afterAll(() => app.close());

  it('blocks a client after the enumeration limit of misses, logs it in the audit log, and then refuses even a registered number', async () => {
    expect((await postJson(`${app.url}/api/citizen/lookup`, { tc: TCS[0] })).status).toBe(200);
    expect((await postJson(`${app.url}/api/citizen/lookup`, { tc: UNKNOWN_TC })).status).toBe(404);
    expect((await postJson(`${app.url}/api/citizen/lookup`, { tc: '11111111111' })).status).toBe(400);
    expect((await postJson(`${app.url}/api/citizen/lookup`, { tc: withTcCheckDigits('555555555') })).status).toBe(404);
    const blocked = await postJson(`${app.url}/api/citizen/lookup`, { tc: TCS[0] });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.body.message).toMatch(/found nothing/);
    const audit = await admin.get('/api/audit?action=citizen.enumeration');
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ actor: null, target: expect.stringMatching(/^client:[0-9a-f]{16}$/), after: { misses: 3 } });
    for (const tc of [TCS[0], UNKNOWN_TC, '11111111111']) expect(JSON.stringify(audit.body)).not.toContain(tc);
  });

  it('rate-limits look-ups per client per minute with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await getJson(`${app.url}/api/citizen/boxes?province=6&district=1&box=7`)).status);
    // 8 per minute: the 5 look-ups above (the first test's) plus these
    expect(statuses.filter((s) => s === 200).length).toBeLessThan(6);
    expect(statuses[statuses.length - 1]).toBe(429);
    const res = await getJson(`${app.url}/api/citizen/boxes?province=6&district=1&box=7`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.body).toMatchObject({ statusCode: 429, message: expect.stringMatching(/too many requests/) });
  });

  it('rate-limits complaints per client per hour', async () => {
    const file = () => {
      const form = new FormData();
      for (const [k, v] of Object.entries({ province: '6', district: '1', boxNo: '7', text: 'Tutanak ile YSK verisi farklı' })) form.set(k, v);
      return fetch(`${app.url}/api/citizen/complaints`, { method: 'POST', body: form }).then((r) => r.status);
    };
    expect([await file(), await file(), await file()]).toEqual([201, 201, 429]);
  });
});
