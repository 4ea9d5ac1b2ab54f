/**
 * The dashboard's public requests and a back-office write in Chromium: a signed-out citizen
 * picks a district by name (the public district list), finds a box, files a complaint and tracks
 * it; an admin sets and clears the publication ban on its page.
 */
import type { Browser, Page } from 'playwright-core';
import type { BoxSummary, EmbargoState } from '@gozcu/shared';
import { ADMIN_PASSWORD, login, type Session } from '../support/auth';
import { describeBrowser, launch, startWorld, until, type World } from './harness';

const HOUR = 3_600_000;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };

describeBrowser('public requests and the embargo switch in Chromium', () => {
  jest.setTimeout(120_000);
  let world: World;
  let admin: Session;
  let chrome: Awaited<ReturnType<typeof launch>>;
  let browser: Browser;
  let box: BoxSummary;

  async function open(size: { width: number; height: number }, hash: string): Promise<Page> {
    const context = await browser.newContext({ viewport: size, locale: 'tr-TR', timezoneId: 'Europe/Istanbul', deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.on('pageerror', (e) => process.stdout.write(`[browser] page error: ${e.message}\n`));
    await page.goto(`${world.app.url}/${hash}`);
    return page;
  }

  beforeAll(async () => {
    world = await startWorld();
    admin = await login(world.app.url, 'admin', ADMIN_PASSWORD);
    chrome = await launch();
    browser = chrome.browser;
    await fetch(`${world.sim.url}/_admin/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: 2 * HOUR }),
    });
    const published = await until(
      () => admin.get('/api/boxes?province=69&ballot=2&status=ysk_only&limit=5').then((r) => r.body.items as BoxSummary[]),
      (items) => items.length >= 1,
      30_000,
      'a published box',
    );
    box = published[0]!;
  });

  afterAll(async () => {
    await chrome?.close();
    await world?.close();
  });

  test('a signed-out citizen finds a box by district name, files a complaint and tracks it', async () => {
    const page = await open(PHONE, '#/vatandas');
    await page.waitForSelector('[data-testid="view-citizen"]');
    await page.selectOption('[data-testid="citizen-province"]', '69');
    // the district by name once the public district list has come
    await page.waitForSelector(`select[data-testid="citizen-district"] option[value="${box.district}"]`, { state: 'attached' });
    await page.selectOption('select[data-testid="citizen-district"]', String(box.district));
    await page.fill('[data-testid="citizen-box"]', String(box.boxNo));
    await page.click('[data-testid="citizen-submit"]');
    await page.waitForSelector(`[data-testid="citizen-result"][data-box="${box.boxNo}"][data-district="${box.district}"]`);

    await page.click('[data-testid="citizen-complain"]');
    await page.fill('[data-testid="complaint-text"]', 'Sayım sırasında sandık kurulu tutanağı asmadı, gözlemciler dışarı çıkarıldı.');
    await page.click('[data-testid="complaint-submit"]');
    const code = (await page.waitForSelector('[data-testid="complaint-code"]').then((e) => e.textContent()))!.trim();
    expect(code).not.toBe('');

    await page.fill('[data-testid="track-code"]', code);
    await page.click('[data-testid="track-submit"]');
    const status = await page.waitForSelector('[data-testid="track-result"][data-status]').then((e) => e.getAttribute('data-status'));
    expect(status).toBe('new');
    await page.context().close();
  });

  test('an admin sets the publication ban on its page and clears it', async () => {
    const page = await open(DESKTOP, '');
    await page.fill('[data-testid="login-username"]', 'admin');
    await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="header"]');
    await page.goto(`${world.app.url}/#/yayin-yasagi`);
    await page.waitForSelector('[data-testid="view-embargo"] [data-testid="embargo-state"][data-active="false"]');

    // an hour from now, typed as Istanbul wall-clock time (UTC+3, no DST)
    const local = new Date(Date.now() + HOUR + 3 * HOUR).toISOString().slice(0, 16);
    await page.fill('[data-testid="embargo-until"]', local);
    await page.click('[data-testid="embargo-save"]');
    await page.waitForSelector('[data-testid="embargo-state"][data-active="true"]');
    const set = (await admin.get('/api/embargo')).body as EmbargoState;
    expect(set.active).toBe(true);
    expect(Date.parse(set.until!)).toBe(Date.parse(`${local}:00+03:00`));

    await page.click('[data-testid="embargo-clear"]');
    await page.waitForSelector('[data-testid="embargo-state"][data-active="false"]');
    expect(((await admin.get('/api/embargo')).body as EmbargoState).until).toBeNull();
    await page.context().close();
  });
});
