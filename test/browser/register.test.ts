/**
 * e-seçmen in Chromium: a citizen checks their TC Kimlik No on a phone-size screen and sees
 * their box, and reports being missing; a district legal officer sees exactly the planted
 * anomalies of the synthetic register and drafts an objection; HQ sees counts per district.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { withTcCheckDigits } from '@gozcu/shared';
import { RegisterSeedService, type SeedReport } from '../../server/src/modules/register/register-seed.service';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';
import { launch, publishScreenshots, shot, describeBrowser, startWorld, until, type World } from './harness';

describeBrowser('e-seçmen in Chromium', () => {
  let world: World;
  let chrome: Awaited<ReturnType<typeof launch>>;
  let admin: Session;
  let seeded: SeedReport;

  beforeAll(async () => {
    world = await startWorld();
    admin = await login(world.app.url, 'admin', ADMIN_PASSWORD);
    const seeder = world.app.app.get(RegisterSeedService);
    // the register is generated for the simulated province once the feed's discovery registered its boxes
    const geo = await until(
      () => seeder.geography(),
      (g) => g.length > 0 && g.every((d) => d.neighbourhoods.length > 0),
      60_000,
      'discovery of Bayburt',
    );
    seeded = await seeder.seed(geo, { maxBoxesPerDistrict: 12 });
    expect(seeded.planted).toHaveLength(5);
    chrome = await launch();
  }, 120_000);

  afterAll(async () => {
    await chrome?.close();
    await world?.close();
    publishScreenshots();
  });

  async function phone(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await chrome.browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'tr-TR',
      timezoneId: 'Europe/Istanbul',
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => process.stdout.write(`[browser] page error: ${e.message}\n`));
    return { context, page };
  }

  test('a citizen checks their TC Kimlik No on a phone and sees their box, school and neighbourhood', async () => {
    const me = seeded.sample[0];
    const { context, page } = await phone();
    await page.goto(`${world.app.url}/#/vatandas`);
    await page.waitForSelector('[data-testid="register-check"]');
    expect(await page.textContent('#reg-title')).toContain('Seçmen kaydımı denetle');
    // a wrong check digit is caught on the page, before anything is sent
    await page.fill('[data-testid="register-tc"]', `${me.tc.slice(0, 10)}${(Number(me.tc[10]) + 1) % 10}`);
    await page.waitForSelector('[data-testid="register-tc-problem"]');
    await page.fill('[data-testid="register-tc"]', me.tc);
    await page.locator('[data-testid="register-submit"]').scrollIntoViewIfNeeded();
    await page.click('[data-testid="register-submit"]');
    const result = page.locator('[data-testid="register-result"]');
    await result.waitFor();
    expect(await result.getAttribute('data-registered')).toBe('true');
    expect(await page.textContent('[data-testid="register-box"]')).toBe(String(me.box));
    const text = (await result.textContent()) ?? '';
    expect(text).toContain(me.school);
    expect(text).toContain(me.neighbourhood);
    expect(text).toContain('Seçmen listesinde kayıtlısınız');
    // the number is not left in the field, nor anyone's name on the page
    expect(await page.inputValue('[data-testid="register-tc"]')).toBe('');
    expect(text).not.toContain(me.name);
    await result.scrollIntoViewIfNeeded();
    await shot(page, 'register-check-phone');
    await context.close();
  });

  test('someone not in the register is guided to report it, and gets a tracking code', async () => {
    const { context, page } = await phone();
    await page.goto(`${world.app.url}/#/vatandas`);
    await page.fill('[data-testid="register-tc"]', withTcCheckDigits('987654321'));
    await page.click('[data-testid="register-submit"]');
    await page.waitForSelector('[data-testid="register-result"][data-registered="false"]');
    await page.click('[data-testid="register-missing"]');
    await page.selectOption('[data-testid="register-report-province"]', '69');
    const district = String(seeded.planted[0].district);
    await page.waitForSelector(`[data-testid="register-report-district"] option[value="${district}"]`, { state: 'attached' });
    await page.selectOption('[data-testid="register-report-district"]', district);
    await page.fill('[data-testid="register-report-neighbourhood"]', 'Cumhuriyet');
    await page.locator('[data-testid="register-report-send"]').scrollIntoViewIfNeeded();
    await shot(page, 'register-report-phone');
    await page.click('[data-testid="register-report-send"]');
    const sent = await page.waitForSelector('[data-testid="register-report-sent"]');
    expect(await sent.textContent()).toMatch(/Takip kodunuz: SK-/);
    await context.close();
  });

  test('a district legal officer sees the planted anomalies and drafts an objection', async () => {
    const district = seeded.planted[0].district;
    await userOf(world.app.url, admin, 'sec-legal', 'district_legal', { province: 69, district });
    const context = await chrome.browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'tr-TR', timezoneId: 'Europe/Istanbul' });
    const page = await context.newPage();
    page.on('pageerror', (e) => process.stdout.write(`[browser] page error: ${e.message}\n`));
    await page.goto(`${world.app.url}/`);
    await page.fill('[data-testid="login-username"]', 'sec-legal');
    await page.fill('[data-testid="login-password"]', 'pw-sec-legal-0123456789');
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="nav-register"]');
    await page.click('[data-testid="nav-register"]');
    await page.waitForSelector('[data-testid="register-anomaly"]');
    const shown = await page.$$eval('[data-testid="register-anomaly"]', (els) =>
      els.map((e) => `${e.getAttribute('data-kind')}@${e.getAttribute('data-box')}`).sort(),
    );
    expect(shown).toEqual(
      seeded.planted
        .filter((p) => p.district === district)
        .map((p) => `${p.kind}@${p.box}`)
        .sort(),
    );
    // the citizen's report of the previous test is in the district's list
    await page.waitForSelector('[data-testid="register-case"]');
    const first = page.locator('[data-testid="register-anomaly"][data-kind="address_crowded"]');
    expect(await first.textContent()).toMatch(/Mahallesi .* No: \d+/);
    await first.locator('[data-testid="register-object"]').click();
    const drafted = await page.waitForSelector('[data-testid="register-drafted"]');
    const petitionId = await drafted.getAttribute('data-petition');
    await page.waitForSelector('[data-testid="register-anomaly"][data-kind="address_crowded"][data-status="objected"]');
    await shot(page, 'register-anomalies');
    const legal = await login(world.app.url, 'sec-legal', 'pw-sec-legal-0123456789');
    const petition = await legal.get(`/api/petitions/${petitionId}`);
    expect(petition.body).toMatchObject({ kind: 'register', status: 'draft', district });
    expect(petition.body.text.subject).toMatch(/seçmen listelerine itirazımızdır/);
    await context.close();
  });

  test('HQ sees anomaly counts per district', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'tr-TR', timezoneId: 'Europe/Istanbul' });
    const page = await context.newPage();
    await page.goto(`${world.app.url}/`);
    await page.fill('[data-testid="login-username"]', 'admin');
    await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="nav-register"]');
    await page.goto(`${world.app.url}/#/secmen`);
    const row = page.locator(`[data-testid="register-counts"] tr[data-district="${seeded.planted[0].district}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    // five planted, one objected in the previous test; one citizen's report open
    expect(cells).toEqual(['4', '1', '1']);
    await shot(page, 'register-counts');
    await context.close();
  });
});
