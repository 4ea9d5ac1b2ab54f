/**
 * Every user's own screen (issue 12) in Debian's Chromium: a provincial chair on a phone lands
 * on the province, a district chair on the district, with no scope error and nothing cut off;
 * a legal officer opens image evidence inline, files a petition from the complaint and records
 * the board's acceptance; a user admin creates a district's observers by CSV and reads the
 * per-row report; the wall at 1920×1080 and 3840×2160 without overflow. Screenshots go to
 * test-results/screenshots/ (docs/screenshots/ with GOZCU_UPDATE_SCREENSHOTS=1).
 */
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import type { BoxSummary } from '@gozcu/shared';
import { ADMIN_PASSWORD, login, type Session } from '../support/auth';
import { launch, publishScreenshots, shot, describeBrowser, startWorld, until, type World } from './harness';

const HOUR = 3_600_000;
const PHONE = { width: 390, height: 844 };

describeBrowser('role journeys in Chromium', () => {
  jest.setTimeout(120_000);
  let world: World;
  let admin: Session;
  let chrome: Awaited<ReturnType<typeof launch>>;
  let browser: Browser;
  let district: number;
  let box: BoxSummary;
  const pw = (u: string) => `pw-${u}-0123456789`;

  /** A fresh page of `size`, signed in through the login form as `username`. */
  async function signIn(username: string, password: string, size = PHONE): Promise<Page> {
    const context = await browser.newContext({ viewport: size, locale: 'tr-TR', timezoneId: 'Europe/Istanbul', deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.on('pageerror', (e) => process.stdout.write(`[browser] page error (${username}): ${e.message}\n`));
    await page.goto(world.app.url + '/');
    await page.fill('[data-testid="login-username"]', username);
    await page.fill('[data-testid="login-password"]', password);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="header"]');
    return page;
  }
  /** Nothing wider than the viewport; the header fits. */
  const overflow = (page: Page) =>
    page.evaluate(() => {
      const header = document.querySelector('[data-testid="header"]')!;
      const wide = [...document.querySelectorAll('main *, header *')]
        .filter(
          (e) => e.getBoundingClientRect().right > innerWidth + 1 && getComputedStyle(e).position !== 'fixed' && !e.closest('table.cards thead, .sr-only'),
        )
        .map((e) => e.tagName + '.' + e.className);
      return { page: document.documentElement.scrollWidth - innerWidth, header: header.scrollWidth - header.clientWidth, wide: wide.slice(0, 5) };
    });
  /** Any refusal or English server text visible on the page. */
  const visibleErrors = (page: Page) =>
    page.evaluate(() => {
      const text = document.body.innerText;
      return [/outside your scope/i, /lacks [a-z]+:/i, /Abonelik reddedildi/, /Bilinmiyor/, /Invalid input/, /yetki alanınızın dışında/]
        .filter((re) => re.test(text))
        .map(String);
    });

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
      (items) => items.length >= 2,
      30_000,
      'published boxes',
    );
    box = published[0]!;
    district = box.district;
    // one entry that disagrees (a mismatch), one that agrees: the vote panel has both sides
    const ysk = box.ysk!;
    const [first, second] = Object.entries(ysk.votes).sort((a, b) => b[1] - a[1]);
    const moved = Math.min(3, second![1]);
    await admin.post('/api/entries', {
      ref: { ballot: 2, province: 69, district, boxNo: box.boxNo },
      sheet: { ...ysk, votes: { ...ysk.votes, [first![0]]: first![1] + moved, [second![0]]: second![1] - moved } },
      idempotencyKey: `roles-${box.key}`,
    });
    await admin.post('/api/entries', {
      ref: { ballot: 2, province: 69, district: published[1]!.district, boxNo: published[1]!.boxNo },
      sheet: published[1]!.ysk,
      idempotencyKey: `roles-${published[1]!.key}`,
    });
    await admin.post('/api/users', {
      username: 'il.baskani',
      name: 'Zeynep Arslan',
      role: 'province_chair',
      scope: { province: 69 },
      password: pw('il.baskani'),
    });
    await admin.post('/api/users', {
      username: 'ilce.baskani',
      name: 'Hasan Demir',
      role: 'district_chair',
      scope: { province: 69, district },
      password: pw('ilce.baskani'),
    });
    await admin.post('/api/users', {
      username: 'av.ayse',
      name: 'Av. Ayşe Işık',
      role: 'district_legal',
      scope: { province: 69, district },
      password: pw('av.ayse'),
    });
    await admin.post('/api/users', { username: 'bilgi.islem', name: 'Bilgi İşlem', role: 'it_admin', password: pw('bilgi.islem') });
  });

  afterAll(async () => {
    await chrome?.close();
    await world?.close();
    publishScreenshots();
  });

  test('a provincial chair on a phone lands on the province: no scope error, header and lists fit', async () => {
    const page = await signIn('il.baskani', pw('il.baskani'));
    await page.waitForSelector('[data-testid="view-province"][data-province="69"]');
    await page.waitForSelector('[data-testid="counter-opened"][data-value]:not([data-value=""])');
    expect(page.url()).toContain('#/il/69');
    expect(await visibleErrors(page)).toEqual([]);
    expect(await overflow(page)).toEqual({ page: 0, header: 0, wide: [] });
    // the header offers what the role may open: no war room, their team, no audit log
    const nav = await page.$$eval('[data-testid="nav"] a[data-testid]', (as) => as.map((a) => a.getAttribute('data-testid')));
    expect(nav).toEqual(expect.arrayContaining(['nav-home', 'nav-legal', 'nav-users', 'nav-operator']));
    expect(nav).not.toContain('nav-warRoom');
    expect(nav).not.toContain('nav-audit');
    await shot(page, 'phone-province');
    // the war room is not theirs: #/ brings them back to their province, without an error
    await page.goto(world.app.url + '/#/');
    await page.waitForSelector('[data-testid="view-province"][data-province="69"]');
    expect(await visibleErrors(page)).toEqual([]);
    // a district of the province: every row's cells inside the screen
    await page.goto(world.app.url + `/#/ilce/${district}?il=69`);
    await page.waitForSelector('[data-testid="box-row"]');
    expect(await overflow(page)).toEqual({ page: 0, header: 0, wide: [] });
    // one row per box: the list is of the header's ballot type
    const keys = await page.$$eval('[data-testid="box-row"]', (rows) => rows.map((r) => r.getAttribute('data-key')!));
    expect(keys.every((k) => k.split(':')[1] === '2')).toBe(true);
    await shot(page, 'phone-district');
    await page.context().close();
  });

  test('a district chair lands on the district; roles without feed:read see no Operasyon and no "Bilinmiyor"', async () => {
    const page = await signIn('ilce.baskani', pw('ilce.baskani'));
    await page.waitForSelector(`[data-testid="view-district"][data-district="${district}"]`);
    await page.waitForSelector('[data-testid="box-row"]');
    expect(await visibleErrors(page)).toEqual([]);
    expect(await overflow(page)).toEqual({ page: 0, header: 0, wide: [] });
    expect(await page.$('[data-testid="nav-operator"]')).toBeNull();
    // the menu folds on a phone and opens on a tap
    expect(await page.isVisible('[data-testid="nav"]')).toBe(false);
    await page.click('[data-testid="nav-menu"]');
    expect(await page.isVisible('[data-testid="nav-home"]')).toBe(true);
    await shot(page, 'phone-district-chair');
    // the operator view is not theirs: they are sent home with a note, not a 403
    await page.goto(world.app.url + '/#/operasyon');
    await page.waitForSelector(`[data-testid="view-district"][data-district="${district}"]`);
    await page.waitForSelector('[data-testid="redirected"]');
    expect(await visibleErrors(page)).toEqual([]);
    await page.context().close();
  });

  test('a legal officer opens image evidence in the app, files a petition from the complaint and records it accepted', async () => {
    const image = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#cc3300' } })
      .jpeg()
      .toBuffer();
    const form = new FormData();
    for (const [k, v] of Object.entries({
      province: '69',
      district: String(district),
      boxNo: String(box.boxNo),
      ballot: '2',
      text: 'Tutanaktaki oylar YSK sitesindekinden farklı.',
    }))
      form.set(k, v);
    form.append('files', new Blob([new Uint8Array(image)], { type: 'image/jpeg' }), 'tutanak.jpg');
    const filed = await fetch(`${world.app.url}/api/citizen/complaints`, { method: 'POST', body: form });
    expect(filed.status).toBe(201);
    const { trackingCode } = await filed.json();

    const page = await signIn('av.ayse', pw('av.ayse'), { width: 1920, height: 1080 });
    await page.waitForSelector('[data-testid="view-legal"]');
    expect(page.url()).toContain('#/hukuk');
    const row = `[data-testid="legal-complaints"] tr:has-text("${trackingCode}")`;
    await page.waitForSelector(row);
    await page.click(`${row} [data-testid="evidence-open"]`);
    await page.waitForSelector('[data-testid="evidence-image"]');
    const img = await until(
      () =>
        page.$eval('[data-testid="evidence-image"]', (i) => ({
          w: (i as HTMLImageElement).naturalWidth,
          h: (i as HTMLImageElement).naturalHeight,
          src: (i as HTMLImageElement).src,
        })),
      (v) => v.w > 0,
      10_000,
      'the evidence image to load',
    );
    expect(img).toMatchObject({ w: 320, h: 200 });
    expect(img.src).toMatch(/^blob:/);
    await shot(page, 'legal-evidence');
    await page.click('[data-testid="evidence-close"]');

    await page.click(`${row} [data-testid="complaint-draft"]`);
    const petition = '[data-testid="legal-petitions"] tr[data-status]';
    await page.waitForSelector(`${petition}[data-status="draft"]`);
    await page.click('[data-testid="petition-save"]');
    await page.fill(`${petition}[data-status="draft"] [data-testid="petition-reference"]`, 'E-2024/101');
    await page.click(`${petition}[data-status="draft"] [data-testid="petition-filed"]`);
    await page.waitForSelector(`${petition}[data-status="filed"]`);
    expect(await page.textContent(`${row}`)).toContain('İtiraz yapıldı');
    await page.fill(`${petition}[data-status="filed"] [data-testid="petition-decision-note"]`, 'Kurul oyları düzeltti');
    await page.click(`${petition}[data-status="filed"] [data-testid="petition-accepted"]`);
    await page.click('[data-testid="petitions-all"]');
    await page.waitForSelector(`${petition}[data-status="accepted"] [data-testid="petition-decision"]`);
    expect(await page.textContent(`${petition}[data-status="accepted"]`)).toContain('Kurul oyları düzeltti');
    expect(await page.textContent(`${petition}[data-status="accepted"]`)).toContain('Av. Ayşe Işık');
    expect(await page.textContent(row)).toContain('Sonuçlandı');
    const p = (await admin.get('/api/petitions')).body.items[0];
    expect(p).toMatchObject({ status: 'accepted', reference: 'E-2024/101', decision: { note: 'Kurul oyları düzeltti', by: 'av.ayse' } });
    expect(p.text.body).not.toContain(world.election);
    await page.waitForSelector('[data-testid="legal-deadlines"] tr[data-district]');
    await shot(page, 'legal-petitions');
    await page.context().close();
  });

  test("a user admin creates a district's observers by CSV and reads the per-row report", async () => {
    const page = await signIn('bilgi.islem', pw('bilgi.islem'), { width: 1920, height: 1080 });
    await page.waitForSelector('[data-testid="view-users"]');
    expect(page.url()).toContain('#/kullanicilar');
    const csv = [
      'username,name,role,boxes',
      `musahit.${district}.1,Ali Yılmaz,box_officer,69:${district}:${box.boxNo}`,
      `musahit.${district}.2,Elif Kaya,box_officer,69:${district}:${box.boxNo + 1}`,
      `musahit.${district}.3,Can Öz,nope,69:${district}:1`,
      `musahit.${district}.1,Tekrar,box_officer,69:${district}:1`,
    ].join('\n');
    await page.fill('[data-testid="users-import-text"]', csv);
    await page.click('[data-testid="users-import-run"]');
    await page.waitForSelector('[data-testid="users-report"]');
    expect(await page.textContent('[data-testid="users-report-summary"]')).toContain('2 açıldı, 2 reddedildi');
    const report = await page.$$eval('[data-testid="users-report"] tr[data-row]', (rows) =>
      rows.map((r) => [r.getAttribute('data-row'), r.getAttribute('data-ok'), (r as HTMLElement).innerText]),
    );
    expect(report.map(([row, ok]) => [row, ok])).toEqual([
      ['2', 'true'],
      ['3', 'true'],
      ['4', 'false'],
      ['5', 'false'],
    ]);
    expect(report[2]![2]).toContain('Rol: bilinmeyen rol');
    expect(report[3]![2]).toContain('bu kullanıcı adı alınmış');
    await page.waitForSelector(`[data-testid="users-list"] tr[data-user="musahit.${district}.1"]`);
    const stored = await admin.get(`/api/users?province=69&district=${district}&role=box_officer`);
    expect(stored.body.items.map((u: { username: string }) => u.username).sort()).toEqual([`musahit.${district}.1`, `musahit.${district}.2`]);
    await shot(page, 'users-import');
    await page.goto(world.app.url + '/#/denetim');
    await page.fill('[data-testid="audit-action"]', 'user.create');
    await page.click('[data-testid="audit-run"]');
    await page.waitForSelector('[data-testid="audit-table"] tr[data-action="user.create"]');
    await shot(page, 'audit-log');
    await page.context().close();
  });

  test.each([
    [1920, 1080],
    [3840, 2160],
  ])('the wall at %i×%i: no overflow, numbers readable, votes compared on the same boxes', async (width, height) => {
    const page = await signIn('admin', ADMIN_PASSWORD, { width, height });
    await page.waitForSelector('[data-testid="view-country"]');
    await page.waitForSelector('[data-testid="counter-opened"][data-value]:not([data-value=""])');
    await page.waitForSelector('[data-testid="votes-coverage"]');
    const cov = (await admin.get('/api/coverage?ballot=2')).body;
    expect(await page.getAttribute('[data-testid="votes-coverage"]', 'data-boxes')).toBe(String(cov.votes.both.boxes));
    expect(cov.votes.both.boxes).toBe(cov.boxes.match + cov.boxes.mismatch);
    const o = await overflow(page);
    expect([o.page, o.header]).toEqual([0, 0]);
    const size = await page.$eval('[data-testid="counter-opened"] .big', (e) => parseFloat(getComputedStyle(e).fontSize));
    // readable from across the room: at least 2.5 % of the screen height per big number
    expect(size).toBeGreaterThanOrEqual(height * 0.025);
    expect(await page.textContent('[data-testid="election"]')).not.toContain(world.election);
    await shot(page, `wall-${width}x${height}`);
    await page.context().close();
  });
});
