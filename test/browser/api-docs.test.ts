/**
 * GET /api/docs in Chromium, under the app's real content security policy (scripts from 'self'
 * only): the page loads its script, reads /api/openapi.json and lists every route by tag.
 */
import type { Page } from 'playwright-core';
import { startApp, type RunningApp } from '../support/app';
import { describeBrowser, launch, shot } from './harness';

describeBrowser('the API docs page in Chromium', () => {
  jest.setTimeout(60_000);
  let app: RunningApp;
  let chrome: Awaited<ReturnType<typeof launch>>;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    app = await startApp({ YSK_ELECTION_ID: 'api-docs-test', YSK_BALLOT_TYPES: '2' });
    chrome = await launch();
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'tr-TR', deviceScaleFactor: 1 });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // a CSP violation (an inline or foreign script) shows as a console error
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
  });
  afterAll(async () => {
    await chrome?.close();
    await app?.close();
  });

  it('lists every documented route, grouped by tag, and filters them', async () => {
    const doc = (await (await fetch(`${app.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>>; tags: { name: string }[] };
    const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);

    await page.goto(`${app.url}/api/docs`);
    await page.waitForSelector('details.op');
    expect(await page.locator('details.op').count()).toBe(operations);
    // one section per tag, Turkish name first: "Girişler / Entries"
    const headings = await page.locator('section h2').allTextContents();
    expect(headings.map((h) => h.split(' / ').pop())).toEqual(doc.tags.map((t) => t.name));
    expect(headings).toContain('Girişler / Entries');
    expect(await page.locator('#summary').textContent()).toContain(`${operations} yol`);

    // an operation opens on its parameters and body schema
    const entries = page.locator('details.op', { hasText: 'Entries_submit' });
    await entries.locator(':scope > summary').click();
    expect(await entries.textContent()).toContain('İstek gövdesi');
    const cells = await entries.locator('table td code').allTextContents();
    expect(cells).toEqual(expect.arrayContaining(['ref.boxNo', 'sheet.votes.*', 'idempotencyKey']));
    expect(await entries.locator('pre').first().textContent()).toContain('"idempotencyKey"');
    await shot(page, 'api-docs');

    await page.fill('#filter', 'entries:write');
    const visible = await page.locator('details.op:visible .path').allTextContents();
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.length).toBeLessThan(operations);
    expect(visible).toContain('/api/entries');
    expect(problems).toEqual([]);
  });
});
