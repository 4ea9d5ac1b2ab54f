import { createHmac } from 'node:crypto';
import { boxKey, inScope, sheetHash, type AlertEvent, type AlertView, type PrincipalScope, type Sheet } from '@gozcu/shared';
import { ChangeBus } from '../../server/src/infra/events';
import { Clock } from '../../server/src/infra/clock';
import { AlertsService } from '../../server/src/modules/alerts/alerts.service';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { browserKeys, pushService, smtpReceiver, until, verifyVapid, webhookReceiver } from '../support/alerts';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';
import { connect, type LiveSocket } from '../support/live';

const ELECTION = `alerts-${Date.now()}`;
const SECRET = 'webhook-secret-for-the-alerts-test';
const ESCALATE_MIN = 10;
const sheet = (ak: number, chp: number): Sheet => ({
  registered: 300,
  voted: ak + chp + 5,
  validUncontested: ak + chp,
  validAfterObjection: 0,
  valid: ak + chp,
  invalid: 5,
  votes: { 'AK PARTİ': ak, CHP: chp },
});
const key = (boxNo: number, district = 681, province = 69) => boxKey({ election: ELECTION, ballot: 2, province, district, boxNo });
const MIN = 60_000;

describe('alerts: rules, routing, delivery, acknowledgement and escalation', () => {
  let app: RunningApp;
  let store: Store;
  let reconcile: ReconcileService;
  let alerts: AlertsService;
  let clock: Clock;
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  let broken: Awaited<ReturnType<typeof webhookReceiver>>;
  let smtp: Awaited<ReturnType<typeof smtpReceiver>>;
  let push: Awaited<ReturnType<typeof pushService>>;
  const chairBrowser = browserKeys();
  const stormBrowser = browserKeys();
  let admin: Session;
  let chair: Session; // district chair of 69/681
  let legal: Session; // district legal officer of 69/681
  let otherChair: Session; // district chair of 69/682
  let provinceChair: Session; // province chair of 69
  let otherProvince: Session; // province chair of 6
  let hq: Session; // HQ viewer
  let operator: Session; // feed operator
  let stormChair: Session; // district chair of 70/700
  let chairSocket: LiveSocket;
  const chairEvents: AlertEvent[] = [];
  const scopes = new Map<Session, PrincipalScope>();

  const publish = async (k: string, s: Sheet, opts: { at?: string; reason?: number | null } = {}) => {
    const at = opts.at ?? new Date().toISOString();
    const [, , province, district, boxNo] = k.split(':').map(Number);
    const box = { key: k, election: ELECTION, ballot: 2 as const, province, district, boxNo, yskBoxId: null, neighbourhood: null };
    reconcile.applyYsk(
      await store.appendVersions([
        { box, key: k, hash: sheetHash(s), sheet: s, yskVersion: 1, yskChangedAt: at, changeReason: opts.reason ?? null, fetchedAt: at },
      ]),
    );
  };
  const entry = async (k: string, s: Sheet) => {
    const [, , province, district, boxNo] = k.split(':').map(Number);
    const res = await admin.post('/api/entries', {
      ref: { ballot: 2, province, district, boxNo },
      sheet: s,
      idempotencyKey: `alerts-${k}-${Date.now()}-${Math.random()}`,
    });
    expect(res.status).toBe(201);
  };
  const list = async (s: Session, q = ''): Promise<AlertView[]> => {
    const res = await s.get(`/api/alerts${q}`);
    expect(res.status).toBe(200);
    return res.body.items;
  };
  const forBox = async (s: Session, k: string, kind = 'stale') => (await list(s)).filter((a) => a.box === k && a.kind === kind);
  /** makes the boxes published so far stale (the reconciliation's own tick, run at a later time) */
  const turnStale = async () => {
    await reconcile.tick(Date.now() + 21 * MIN);
    await alerts.idle();
  };

  beforeAll(async () => {
    [hook, broken, smtp, push] = await Promise.all([webhookReceiver(), webhookReceiver(() => 500), smtpReceiver(), pushService()]);
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      // one entry is the organisation's figure here: these tests are about alerts, not N-entry confirmation
      ENTRY_CONFIRMATIONS: '1',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      COMPLAINT_RATE_LIMIT: '10000',
      STALE_AFTER_MINUTES: '20',
      ALERT_ESCALATE_MINUTES: String(ESCALATE_MIN),
      ALERT_SWEEP_SECONDS: '3600',
      ALERT_DIGEST_MIN: '10',
      ALERT_STORM_PROVINCES: '3',
      ALERT_WEBHOOK_URL: `${hook.url},${broken.url}`,
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERT_DELIVERY_ATTEMPTS: '3',
      ALERT_BACKOFF_MS: '20',
      SMTP_URL: smtp.url,
      ALERT_PUSH_CA_FILE: push.caFile,
      PUBLIC_URL: 'https://gozcu.example',
    });
    store = app.app.get<Store>(STORE);
    reconcile = app.app.get(ReconcileService);
    alerts = app.app.get(AlertsService);
    clock = app.app.get(Clock);
    await store.upsertDistricts([
      { yskId: 681, province: 69, name: 'Demirözü' },
      { yskId: 682, province: 69, name: 'Aydıntepe' },
      ...[700, 710, 720, 730].map((d, i) => ({ yskId: d, province: 70 + i, name: `İlçe ${d}` })),
    ]);
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    chair = await userOf(app.url, admin, 'baskan681', 'district_chair', { province: 69, district: 681 });
    legal = await userOf(app.url, admin, 'hukuk681', 'district_legal', { province: 69, district: 681 });
    otherChair = await userOf(app.url, admin, 'baskan682', 'district_chair', { province: 69, district: 682 });
    provinceChair = await userOf(app.url, admin, 'ilbaskan69', 'province_chair', { province: 69 });
    otherProvince = await userOf(app.url, admin, 'ilbaskan6', 'province_chair', { province: 6 });
    hq = await userOf(app.url, admin, 'harekat', 'hq_viewer');
    operator = await userOf(app.url, admin, 'akis', 'feed_operator');
    stormChair = await userOf(app.url, admin, 'baskan700', 'district_chair', { province: 70, district: 700 });
    for (const [s, scope] of [
      [admin, { level: 'country' }],
      [hq, { level: 'country' }],
      [operator, { level: 'country' }],
      [chair, { level: 'district', province: 69, district: 681 }],
      [legal, { level: 'district', province: 69, district: 681 }],
      [otherChair, { level: 'district', province: 69, district: 682 }],
      [provinceChair, { level: 'province', province: 69 }],
      [otherProvince, { level: 'province', province: 6 }],
      [stormChair, { level: 'district', province: 70, district: 700 }],
    ] as [Session, PrincipalScope][])
      scopes.set(s, scope);

    expect((await chair.post('/api/alerts/push/subscriptions', { endpoint: push.endpoint('chair'), keys: chairBrowser.keys })).status).toBe(201);
    expect((await stormChair.post('/api/alerts/push/subscriptions', { endpoint: push.endpoint('storm'), keys: stormBrowser.keys })).status).toBe(201);
    expect((await chair.post('/api/alerts/preferences', { emailAddress: 'baskan681@il69.example' }, 'PUT')).status).toBe(200);
    chairSocket = await connect(app.url, chair.token);
    chairSocket.on('alert', (e) => chairEvents.push(e));
  });

  afterAll(async () => {
    chairSocket?.close();
    await app?.close();
    await Promise.all([hook?.close(), broken?.close(), smtp?.close(), push?.close()]);
  });

  it('a box that turns stale: exactly one alert, for the district chair and legal officer only, a signed webhook, a push, an e-mail, a socket event', async () => {
    await publish(key(1), sheet(100, 60));
    const t0 = Date.now();
    await turnStale();
    await turnStale(); // the same box again: still one alert

    const forChair = await forBox(chair, key(1));
    expect(forChair).toHaveLength(1);
    const a = forChair[0];
    expect(a).toMatchObject({ kind: 'stale', severity: 'amber', province: 69, district: 681, level: 'district', status: 'open', ack: null, read: false });
    expect(a.title).toMatch(/Sandık girilmedi/);
    expect(await forBox(legal, key(1))).toHaveLength(1);
    for (const s of [otherChair, provinceChair, otherProvince, hq, admin]) expect(await forBox(s, key(1))).toHaveLength(0);

    // the webhook: once, with exactly the documented fields, signed with HMAC-SHA256 of the raw body
    const got = await until(
      'the webhook',
      () =>
        hook.received.filter((r) => JSON.parse(r.body.toString()).id === a.id).length > 0 &&
        hook.received.filter((r) => JSON.parse(r.body.toString()).id === a.id),
    );
    const webhookLatency = got[0].at - t0;
    expect(got).toHaveLength(1);
    const body = JSON.parse(got[0].body.toString());
    expect(Object.keys(body).sort()).toEqual(['box', 'createdAt', 'district', 'id', 'kind', 'province', 'severity', 'title', 'url'].sort());
    expect(body).toEqual({
      id: a.id,
      kind: 'stale',
      severity: 'amber',
      box: key(1),
      province: 69,
      district: 681,
      title: a.title,
      createdAt: a.createdAt,
      url: `https://gozcu.example/#/sandik/${encodeURIComponent(key(1))}`,
    });
    expect(got[0].headers['x-gozcu-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(got[0].body).digest('hex')}`);
    expect(got[0].headers['x-gozcu-signature']).not.toBe(`sha256=${createHmac('sha256', 'another-secret').update(got[0].body).digest('hex')}`);

    // Web Push: an encrypted request to the chair's subscription, VAPID-signed with our public key
    const pushed = await until(
      'the push',
      () => push.received.filter((r) => r.path === '/push/chair').length > 0 && push.received.filter((r) => r.path === '/push/chair'),
    );
    const pushLatency = pushed[0].at - t0;
    expect(pushed).toHaveLength(1);
    const vapid = verifyVapid(pushed[0].headers.authorization as string, push.origin);
    expect(vapid.k).toBe((await chair.get('/api/alerts/push/key')).body.publicKey);
    expect(vapid.sub).toBe('mailto:gozcu@localhost');
    expect(pushed[0].headers.ttl).toBe('3600');
    const payload = push.decrypt(pushed[0], chairBrowser);
    expect(payload).toMatchObject({ id: a.id, kind: 'stale', severity: 'amber', title: a.title, url: body.url, event: 'new' });
    expect(() => push.decrypt(pushed[0], browserKeys())).toThrow();

    // e-mail, in Turkish, to the address in the chair's preferences
    const mail = await until('the e-mail', () => smtp.mails.find((m) => m.headers.get('x-gozcu-alert') === a.id));
    const mailLatency = Date.now() - t0;
    expect(mail.envelopeTo).toEqual(['baskan681@il69.example']);
    expect(mail.subject).toBe(`[Gözcü] Uyarı: ${a.title}`);
    expect(mail.text).toContain('müşahit tutanağı girilmedi');
    expect(mail.text).toContain('Ben ilgileniyorum');
    expect(mail.text).toContain(body.url);
    expect(smtp.mails.filter((m) => m.headers.get('x-gozcu-alert') === a.id)).toHaveLength(1);

    // live: the chair's socket got it
    await until('the socket event', () => chairEvents.find((e) => e.event === 'new' && e.alert.id === a.id));

    // audited: the alert and its delivery on every channel
    const audit = (await admin.get(`/api/audit?target=${encodeURIComponent(`alert:${a.id}`)}`)).body.items as {
      action: string;
      after: { app: string[]; push: string[]; email: string[] };
    }[];
    expect(audit.map((x) => x.action)).toEqual(expect.arrayContaining(['alert.create', 'alert.notify.delivery']));
    const notify = audit.find((x) => x.action === 'alert.notify.delivery')!;
    expect(notify.after.app.sort()).toEqual(['baskan681', 'hukuk681']);
    expect(notify.after.push).toEqual(['baskan681']);
    expect(notify.after.email).toEqual(['baskan681']);
    await until('the delivered records', async () => {
      const items = (await admin.get(`/api/audit?target=${encodeURIComponent(`alert:${a.id}`)}&action=alert.delivered`)).body.items as {
        after: { channel: string };
      }[];
      return ['email', 'push', 'webhook'].every((c) => items.some((i) => i.after.channel === c));
    });
    console.log(`alert delivery latency from the stale tick: webhook ${webhookLatency} ms, push ${pushLatency} ms, e-mail ≤ ${mailLatency} ms`);
  });

  it('escalates district → province → HQ after ALERT_ESCALATE_MINUTES when nobody takes it; a taken alert stays; the taker is shown to the others', async () => {
    await publish(key(2), sheet(10, 10));
    await turnStale();
    const [one] = await forBox(chair, key(1));
    const [two] = await forBox(chair, key(2));
    expect(two.level).toBe('district');

    // chair takes box 2 ("Ben ilgileniyorum"); the legal officer sees who and when; a second taker is told who
    const taken = await chair.post(`/api/alerts/${two.id}/ack`, {});
    expect(taken.status).toBe(200);
    expect(taken.body.ack).toMatchObject({ username: 'baskan681', name: expect.any(String) });
    const seen = (await forBox(legal, key(2)))[0];
    expect(seen.ack).toMatchObject({ username: 'baskan681', at: taken.body.ack.at });
    const second = await legal.post(`/api/alerts/${two.id}/ack`, {});
    expect(second.status).toBe(409);
    expect(second.body.message).toMatch(/took this alert/);
    expect((await otherChair.post(`/api/alerts/${two.id}/ack`, {})).status).toBe(404);
    await until('the ack on the socket', () => chairEvents.find((e) => e.event === 'ack' && e.alert.id === two.id));

    // not yet due: nothing moves
    clock.set(Date.parse(one.createdAt) + ESCALATE_MIN * MIN - 1000);
    await alerts.sweep();
    expect((await forBox(chair, key(1)))[0].level).toBe('district');
    expect(await forBox(provinceChair, key(1))).toHaveLength(0);

    // due: box 1 goes to the province (the district keeps it); box 2 was taken and stays
    clock.set(Date.parse(one.createdAt) + ESCALATE_MIN * MIN + 1000);
    await alerts.sweep();
    await alerts.sweep();
    const atProvince = (await forBox(provinceChair, key(1)))[0];
    expect(atProvince).toMatchObject({ id: one.id, level: 'province' });
    expect(atProvince.escalatedAt).not.toBeNull();
    expect((await forBox(chair, key(1)))[0].level).toBe('province');
    expect(await forBox(otherProvince, key(1))).toHaveLength(0);
    expect(await forBox(hq, key(1))).toHaveLength(0);
    expect((await forBox(chair, key(2)))[0].level).toBe('district');
    expect(await forBox(provinceChair, key(2))).toHaveLength(0);

    // another timeout: HQ
    clock.set(Date.parse(one.createdAt) + 2 * ESCALATE_MIN * MIN + 2000);
    await alerts.sweep();
    expect((await forBox(hq, key(1)))[0]).toMatchObject({ id: one.id, level: 'country' });
    // the province chair takes it: escalation stops for good (it is at the top anyway) and everyone sees who
    expect((await provinceChair.post(`/api/alerts/${one.id}/ack`, {})).status).toBe(200);
    expect((await forBox(hq, key(1)))[0].ack).toMatchObject({ username: 'ilbaskan69' });
    clock.set(Date.parse(one.createdAt) + 10 * ESCALATE_MIN * MIN);
    await alerts.sweep();
    expect((await forBox(chair, key(2)))[0].level).toBe('district');

    const audit = (await admin.get(`/api/audit?target=${encodeURIComponent(`alert:${one.id}`)}`)).body.items as {
      action: string;
      before: unknown;
      after: { level: string };
      actor: { username: string };
    }[];
    expect(
      audit
        .filter((x) => x.action === 'alert.escalate')
        .map((x) => x.after.level)
        .sort(),
    ).toEqual(['country', 'province']);
    expect(audit.find((x) => x.action === 'alert.ack')!.actor.username).toBe('ilbaskan69');
    // the province chair was pushed nothing (no subscription) but HQ's escalation is on the socket of the district chair too
    await until('the escalation on the socket', () => chairEvents.find((e) => e.event === 'escalated' && e.alert.id === one.id && e.alert.level === 'country'));
    clock.set(null);
  });

  it('is resolved when the box state resolves it (the observer sheet arrives)', async () => {
    const [one] = await forBox(chair, key(1));
    await entry(key(1), sheet(100, 60));
    await alerts.idle();
    const after = (await forBox(chair, key(1)))[0];
    expect(after).toMatchObject({ id: one.id, status: 'resolved' });
    expect(after.resolvedAt).not.toBeNull();
    await until('the resolution on the socket', () => chairEvents.find((e) => e.event === 'resolved' && e.alert.id === one.id));
  });

  it('a mismatch, an unexplained YSK change and a complaint raise their alerts; an explained change does not', async () => {
    await entry(key(3), sheet(100, 80));
    await publish(key(3), sheet(100, 60));
    await alerts.idle();
    const [m] = await forBox(chair, key(3), 'mismatch');
    expect(m).toMatchObject({ severity: 'red', status: 'open' });
    expect(m.figures).toMatchObject({ totalAbsDifference: 80, differences: { 'votes.CHP': -20 } });
    // the chair may see YSK now: the push and the e-mail carry the difference, as a red alarm
    const mPush = await until('the mismatch push', () =>
      push.received
        .filter((r) => r.path === '/push/chair')
        .map((r) => push.decrypt(r, chairBrowser))
        .find((p) => p.id === m.id),
    );
    expect(mPush.body).toContain('Toplam fark: 80 oy');
    const mMail = await until('the mismatch e-mail', () => smtp.mails.find((x) => x.headers.get('x-gozcu-alert') === m.id));
    expect(mMail.subject).toBe(`[Gözcü] KIRMIZI ALARM: ${m.title}`);
    expect(mMail.text).toContain('Toplam fark: 80 oy');

    await publish(key(4), sheet(50, 50));
    await publish(key(4), sheet(50, 55));
    await publish(key(5), sheet(50, 50));
    await publish(key(5), sheet(50, 52), { reason: 1 }); // YSK's code 1: clerical error corrected
    await alerts.idle();
    expect(await forBox(chair, key(4), 'unexplained_change')).toHaveLength(1);
    expect(await forBox(chair, key(5), 'unexplained_change')).toHaveLength(0);
    // observers enter them, so they do not turn stale later
    await entry(key(4), sheet(50, 55));
    await entry(key(5), sheet(50, 52));

    const form = new FormData();
    for (const [k, v] of Object.entries({
      province: '69',
      district: '681',
      boxNo: '6',
      ballot: '2',
      text: 'Sandık kurulu sayımı yanlış yaptı, oylar karıştı.',
    }))
      form.append(k, v);
    const filed = await fetch(`${app.url}/api/citizen/complaints`, { method: 'POST', body: form });
    expect(filed.status).toBe(201);
    await alerts.idle();
    const [c] = await forBox(legal, key(6), 'complaint');
    expect(c).toMatchObject({ kind: 'complaint', province: 69, district: 681 });
    expect(await forBox(otherChair, key(6), 'complaint')).toHaveLength(0);
  });

  it('during the embargo an alert to a non-HQ role carries no YSK figure; HQ sees them', async () => {
    const embargoUntil = new Date(Date.now() + 24 * 3600_000).toISOString();
    expect((await admin.post('/api/embargo', { until: embargoUntil }, 'PUT')).status).toBe(200);
    try {
      await entry(key(7), sheet(100, 80));
      await publish(key(7), sheet(100, 70));
      await alerts.idle();
      const [m] = await forBox(chair, key(7), 'mismatch');
      expect(m.figures).toBeNull();
      const live = chairEvents.find((e) => e.event === 'new' && e.alert.id === m.id);
      expect(live?.alert.figures).toBeNull();
      // nor in the push or the e-mail
      const mPush = await until('the embargoed push', () =>
        push.received
          .filter((r) => r.path === '/push/chair')
          .map((r) => push.decrypt(r, chairBrowser))
          .find((p) => p.id === m.id),
      );
      expect(mPush.body).not.toMatch(/fark/i);
      const mMail = await until('the embargoed e-mail', () => smtp.mails.find((x) => x.headers.get('x-gozcu-alert') === m.id));
      expect(mMail.text).not.toMatch(/Toplam fark/);
      clock.set(Date.parse(m.createdAt) + ESCALATE_MIN * MIN + 5000);
      await alerts.sweep();
      clock.set(Date.parse(m.createdAt) + 2 * ESCALATE_MIN * MIN + 10_000);
      await alerts.sweep();
      const atHq = (await forBox(hq, key(7), 'mismatch'))[0];
      expect(atHq.level).toBe('country');
      expect(atHq.figures).toMatchObject({ totalAbsDifference: 40, differences: { 'votes.CHP': -10, valid: -10, validUncontested: -10, voted: -10 } });
      expect((await forBox(provinceChair, key(7), 'mismatch'))[0].figures).toBeNull();
    } finally {
      clock.set(null);
      expect((await admin.post('/api/embargo', { until: null }, 'PUT')).status).toBe(200);
    }
  });

  it('a storm (60 boxes stale at once in four provinces) becomes one digest per district and one for HQ, not 60 pushes', async () => {
    const districts = [700, 710, 720, 730];
    for (const [i, d] of districts.entries()) for (let n = 1; n <= 15; n++) await publish(key(n, d, 70 + i), sheet(20, n));
    const hooksBefore = hook.received.length;
    await turnStale();
    const forStorm = await list(stormChair);
    expect(forStorm).toHaveLength(1);
    const digest = forStorm[0];
    expect(digest).toMatchObject({ kind: 'stale', digestCount: 15, province: 70, district: 700, box: null, level: 'district' });
    const members = await list(stormChair, `?digest=${digest.id}`);
    expect(members).toHaveLength(15);
    expect(new Set(members.map((m) => m.box))).toEqual(new Set(Array.from({ length: 15 }, (_, n) => key(n + 1, 700, 70))));
    const hqDigests = (await list(hq)).filter((a) => a.digestCount);
    expect(hqDigests).toHaveLength(1);
    expect(hqDigests[0]).toMatchObject({ kind: 'stale', digestCount: 60, province: null, district: null, level: 'country' });
    // one push to the storm district's chair, and one webhook per digest (4 districts + HQ)
    await until('the storm push', () => push.received.some((r) => r.path === '/push/storm'));
    await until('the storm webhooks', () => hook.received.length - hooksBefore >= 5);
    expect(push.received.filter((r) => r.path === '/push/storm')).toHaveLength(1);
    expect(
      push.decrypt(
        push.received.find((r) => r.path === '/push/storm')!,
        stormBrowser,
      ),
    ).toMatchObject({ id: digest.id, title: expect.stringMatching(/^15 uyarı/) });
    const stormHooks = hook.received.slice(hooksBefore).map((r) => JSON.parse(r.body.toString()));
    expect(stormHooks).toHaveLength(5);
    expect(stormHooks.every((b) => b.title.includes('uyarı'))).toBe(true);
    // taking the digest takes its members
    expect((await stormChair.post(`/api/alerts/${digest.id}/ack`, {})).status).toBe(200);
    expect((await list(stormChair, `?digest=${digest.id}`)).every((m) => m.ack?.username === 'baskan700')).toBe(true);
  });

  it('the feed leaving healthy alerts HQ and the feed operator (nobody below); back to healthy resolves it', async () => {
    const bus = app.app.get(ChangeBus);
    const at = new Date().toISOString();
    bus.emit('feed.health', { state: 'failing', previous: 'healthy', endpoint: null, at, cause: 'error rate 62% over 60 s' });
    await alerts.idle();
    const [f] = (await list(operator)).filter((a) => a.kind === 'feed');
    expect(f).toMatchObject({ severity: 'red', status: 'open', level: 'country' });
    expect((await list(hq)).some((a) => a.id === f.id)).toBe(true);
    for (const s of [chair, provinceChair]) expect((await list(s)).some((a) => a.kind === 'feed')).toBe(false);
    bus.emit('feed.health', { state: 'healthy', previous: 'failing', endpoint: null, at: new Date().toISOString(), cause: 'recovered' });
    await alerts.idle();
    expect((await list(operator)).find((a) => a.id === f.id)?.status).toBe('resolved');
  });

  it('an objection deadline within the hour with the petition unfiled alerts the district; filing resolves it', async () => {
    const now = Date.now();
    const text = {
      addressee: 'X',
      subject: 'İtiraz',
      body: 'b',
      figures: [],
      evidence: [],
      requests: 'r',
      place: 'Demirözü',
      signatureName: 'Av.',
      signatureTitle: 'Hukuk',
    };
    await store.createPetition({
      id: `pet-${now}`,
      status: 'draft',
      election: ELECTION,
      key: key(3),
      province: 69,
      district: 681,
      boxNo: 3,
      ballot: 2,
      complaintId: null,
      text,
      deadline: new Date(now + 90 * MIN).toISOString(),
      createdAt: new Date(now).toISOString(),
      createdBy: 'hukuk681',
      updatedAt: new Date(now).toISOString(),
      filedAt: null,
      filedBy: null,
      reference: null,
    });
    await alerts.sweep(now);
    expect(await forBox(legal, key(3), 'petition_deadline')).toHaveLength(0);
    await alerts.sweep(now + 31 * MIN);
    const [d] = await forBox(legal, key(3), 'petition_deadline');
    expect(d).toMatchObject({ severity: 'red', status: 'open' });
    expect(d.detail).toMatch(/itiraz süresinin dolmasına 59 dakika kaldı/);
    await store.updatePetition(`pet-${now}`, 'draft', {
      status: 'filed',
      filedAt: new Date().toISOString(),
      filedBy: 'hukuk681',
      updatedAt: new Date().toISOString(),
    });
    await alerts.sweep(now + 32 * MIN);
    expect((await forBox(legal, key(3), 'petition_deadline'))[0].status).toBe('resolved');
  });

  it('no alert leaves its scope: every alert each person is given lies inside their scope', async () => {
    let total = 0;
    for (const [s, scope] of scopes) {
      for (const a of await list(s, '?limit=500')) {
        expect(inScope(a, scope)).toBe(true);
        total++;
      }
    }
    expect(total).toBeGreaterThan(10);
  });

  it('unread, read marks, preferences and push subscriptions answer through the API; bad input is a 400', async () => {
    const unread = await list(chair, '?unread=true');
    expect(unread.length).toBeGreaterThan(0);
    const res = await chair.post('/api/alerts/read', { ids: [unread[0].id] });
    expect(res.status).toBe(200);
    expect(res.body.unread).toBe(unread.length - 1);
    expect((await list(chair, '?unread=false')).map((a) => a.id)).toContain(unread[0].id);
    const times = (await list(chair)).map((a) => a.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect((await chair.get('/api/alerts?unread=maybe')).status).toBe(400);
    expect((await chair.post('/api/alerts/preferences', { minSeverity: 'purple' }, 'PUT')).status).toBe(400);
    expect((await chair.post('/api/alerts/preferences', {}, 'PUT')).status).toBe(400);
    expect((await chair.post('/api/alerts/push/subscriptions', { endpoint: 'http://insecure.example/x', keys: chairBrowser.keys })).status).toBe(400);
    expect((await chair.get('/api/alerts/preferences')).body).toEqual({
      push: true,
      email: true,
      emailAddress: 'baskan681@il69.example',
      minSeverity: 'amber',
    });
    expect((await chair.post('/api/alerts/push/subscriptions', { endpoint: push.endpoint('none') }, 'DELETE')).status).toBe(404);
  });

  it('a webhook that keeps failing lands on the dead-letter list after its retries; HQ can see it, a chair cannot', async () => {
    const letters = await until('dead letters', async () => {
      const res = await admin.get('/api/alerts/dead-letters');
      return res.body.items.length > 0 && (res.body.items as { target: string; attempts: number; channel: string; failedReason: string }[]);
    });
    expect(letters[0]).toMatchObject({ channel: 'webhook', target: broken.url, attempts: 3, failedReason: 'webhook answered 500' });
    expect(broken.received.length).toBeGreaterThanOrEqual(3);
    expect((await chair.get('/api/alerts/dead-letters')).status).toBe(403);
  });
});
