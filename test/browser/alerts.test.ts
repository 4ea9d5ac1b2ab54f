/**
 * Alerts in Chromium: the notification centre on the screen (badge, live event, beep, pulse,
 * "Ben ilgileniyorum"), and the push service worker showing a notification for a real push
 * payload. Headless Chromium has no push service of its own (no Google push), so the push that
 * the server sent is received by a local HTTPS push endpoint, decrypted there with the
 * subscription's keys, and handed to the real service worker's `push` handler through CDP
 * (`ServiceWorker.deliverPushMessage`).
 */
import { boxKey, sheetHash, type Sheet } from '@gozcu/shared';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { browserKeys, pushService } from '../support/alerts';
import { freePort, startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';
import { launch, shot, describeBrowser, until } from './harness';

const ELECTION = `alertsbr${process.pid}`;
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

describeBrowser('alerts in Chromium', () => {
  let app: RunningApp;
  let push: Awaited<ReturnType<typeof pushService>>;
  let browserHandle: Awaited<ReturnType<typeof launch>>;
  let context: BrowserContext;
  let page: Page;
  let admin: Session;
  let store: Store;
  const keys = browserKeys();

  const mismatch = async (boxNo: number) => {
    const ref = { ballot: 2, province: 69, district: 681, boxNo };
    expect((await admin.post('/api/entries', { ref, sheet: sheet(100, 80), idempotencyKey: `br-${boxNo}-${Date.now()}` })).status).toBe(201);
    const k = key(boxNo);
    const at = new Date().toISOString();
    const s = sheet(100, 60);
    const box = { key: k, election: ELECTION, ballot: 2 as const, province: 69, district: 681, boxNo, yskBoxId: null, neighbourhood: null };
    app.app
      .get(ReconcileService)
      .applyYsk(
        await store.appendVersions([{ box, key: k, hash: sheetHash(s), sheet: s, yskVersion: 1, yskChangedAt: at, changeReason: null, fetchedAt: at }]),
      );
  };

  beforeAll(async () => {
    push = await pushService();
    app = await startApp(
      {
        YSK_ELECTION_ID: ELECTION,
        YSK_BALLOT_TYPES: '2',
        ENTRY_CONFIRMATIONS: '1' /* one entry is the figure: this tests alerts, not confirmation */,
        GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
        ALERT_PUSH_CA_FILE: push.caFile,
        ALERT_SWEEP_SECONDS: '3600',
        LOGIN_RATE_LIMIT: '10000',
      },
      { port: await freePort() },
    );
    store = app.app.get<Store>(STORE);
    await store.upsertDistricts([{ yskId: 681, province: 69, name: 'Demirözü' }]);
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    const chair = await userOf(app.url, admin, 'baskan681', 'district_chair', { province: 69, district: 681 });
    // the chair's phone: a subscription whose endpoint is the local push service
    expect((await chair.post('/api/alerts/push/subscriptions', { endpoint: push.endpoint('phone'), keys: keys.keys })).status).toBe(201);
    browserHandle = await launch();
    context = await browserHandle.browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'tr-TR' });
    await context.grantPermissions(['notifications'], { origin: app.url });
    page = await context.newPage();
    await page.goto(app.url + '/');
    await page.fill('[data-testid="login-username"]', 'baskan681');
    await page.fill('[data-testid="login-password"]', 'pw-baskan681-0123456789');
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="alerts-bell"]');
    await page.waitForSelector('[data-testid="live-state"][data-connected="true"]');
  });

  afterAll(async () => {
    await browserHandle?.close();
    await app?.close();
    await push?.close();
  });

  test('a new red alert arrives live: the badge counts it, the wall beeps and pulses, the chair takes it', async () => {
    expect(await page.getAttribute('[data-testid="alerts-bell"]', 'data-unread')).toBe('0');
    await mismatch(1);
    await page.waitForSelector('[data-testid="alerts-badge"]');
    expect(await page.textContent('[data-testid="alerts-badge"]')).toBe('1');
    expect(Number(await page.getAttribute('[data-testid="alerts-bell"]', 'data-beeps'))).toBeGreaterThanOrEqual(1);
    expect(await page.isVisible('[data-testid="alerts-pulse"]')).toBe(true);
    await page.click('[data-testid="alerts-bell"]');
    await page.waitForSelector('[data-testid="alert-item"][data-kind="mismatch"]');
    expect(await page.textContent('[data-testid="alert-item"]')).toContain('Uyuşmazlık');
    await shot(page, 'alerts-centre');
    await page.click('[data-testid="alert-take"]');
    await page.waitForSelector('[data-testid="alert-taken"]');
    expect(await page.textContent('[data-testid="alert-taken"]')).toMatch(/ilgileniyor · \d\d:\d\d/);
    // opened: read, so the badge is gone
    await until(
      () => page.getAttribute('[data-testid="alerts-bell"]', 'data-unread'),
      (v) => v === '0',
      5000,
      'the badge to clear',
    );
  });

  test("the push service worker shows the server's push as a notification (delivered through CDP)", async () => {
    const registered = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.register('/push-sw.js', { scope: '/alerts-push/' });
      const sw = reg.installing ?? reg.waiting ?? reg.active;
      if (sw && sw.state !== 'activated') await new Promise<void>((r) => sw.addEventListener('statechange', () => sw.state === 'activated' && r()));
      return { scope: reg.scope, state: reg.active?.state ?? null };
    });
    expect(registered).toEqual({ scope: `${app.url}/alerts-push/`, state: 'activated' });

    const cdp: CDPSession = await context.newCDPSession(page);
    const regs: { registrationId: string; scopeURL: string; isDeleted: boolean }[] = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: typeof regs }) => regs.push(...e.registrations));
    await cdp.send('ServiceWorker.enable');
    const reg = await until(
      async () => regs.find((r) => r.scopeURL === `${app.url}/alerts-push/` && !r.isDeleted),
      (r) => !!r,
      5000,
      'the registration',
    );

    // the server pushes a new red alert to the chair's phone; the push service receives it encrypted
    const before = push.received.length;
    await mismatch(2);
    const request = await until(
      async () => push.received.slice(before).find((r) => r.path === '/push/phone'),
      (r) => !!r,
      10_000,
      'the push request',
    );
    const payload = push.decrypt(request!, keys);
    expect(payload).toMatchObject({ kind: 'mismatch', severity: 'red', url: expect.stringContaining(encodeURIComponent(key(2))) });

    // a push handed to a worker that is still starting can be dropped on a busy machine, as a
    // real push service may redeliver: hand it again every 2 s until it shows (the tag keeps one)
    const deliver = () => cdp.send('ServiceWorker.deliverPushMessage', { origin: app.url, registrationId: reg!.registrationId, data: JSON.stringify(payload) });
    await deliver();
    let deliveredAt = Date.now();
    const shown = await until(
      async () => {
        const list = await page.evaluate(async () => {
          const r = await navigator.serviceWorker.getRegistration('/alerts-push/');
          return (await r!.getNotifications()).map((n) => ({
            title: n.title,
            body: n.body,
            tag: n.tag,
            data: n.data,
            requireInteraction: n.requireInteraction,
          }));
        });
        if (!list.length && Date.now() - deliveredAt > 2000) {
          await deliver();
          deliveredAt = Date.now();
        }
        return list;
      },
      (list) => list.length > 0,
      10_000,
      'the notification',
    );
    expect(shown).toHaveLength(1);
    expect(shown[0]).toEqual({
      title: payload.title,
      body: payload.body,
      tag: `gozcu-${payload.id}`,
      data: { id: payload.id, url: payload.url, severity: 'red', kind: 'mismatch' },
      requireInteraction: true,
    });
    await cdp.detach();
  });
});
