/**
 * The observer's phone (issue 12) in Debian's Chromium at 390×844, Turkish: log in, open
 * "Sandıklarım" from the header, enter a box's result sheet with the network off (it waits in
 * the on-device queue, the app shell comes from the service worker even on a reload), network
 * back on → it lands exactly once (checked through the API); a second observer enters the same
 * figures → the organisation's figure is confirmed and its status shows. ENTRY_CONFIRMATIONS is
 * the default (2). Screenshots: observer-boxes, observer-entry, observer-offline.
 */
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import type { BoxSummary, Entry, MyBoxesResponse, Sheet } from '@gozcu/shared';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';
import { launch, publishScreenshots, shot, describeBrowser, startWorld, until, type World } from './harness';

const HOUR = 3_600_000;
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'tr-TR', timezoneId: 'Europe/Istanbul' };

describeBrowser('the observer on a phone, in Chromium', () => {
  jest.setTimeout(150_000);
  let world: World;
  let admin: Session;
  let chrome: Awaited<ReturnType<typeof launch>>;
  let phoneA: BrowserContext;
  let page: Page;
  /** box A: entered offline by observer A, then by observer B (same figures); box B: observer A, figures differing from YSK */
  let boxA: BoxSummary;
  let boxB: BoxSummary;
  const short = (b: BoxSummary) => `${b.province}:${b.district}:${b.boxNo}`;

  const api = async <T>(path: string): Promise<T> => {
    const res = await admin.get(path);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  };
  const entriesOf = async (key: string) => (await api<{ entries: Entry[] }>(`/api/boxes/${encodeURIComponent(key)}`)).entries;
  const advance = async (ms: number) => {
    const res = await fetch(`${world.sim.url}/_admin/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: ms }),
    });
    if (!res.ok) world.sim.clock.advance(ms);
  };
  /** Types a sheet into the entry form, field by field, as a thumb on the numeric keypad would. */
  const fillSheet = async (p: Page, s: Sheet) => {
    for (const f of ['registered', 'voted', 'validUncontested', 'validAfterObjection', 'valid', 'invalid'] as const)
      await p.fill(`[data-testid="field-${f}"]`, String(s[f]));
    const parties = await p.$$eval('[data-testid="field-vote"]', (els) => els.map((e) => e.getAttribute('data-party')!));
    for (const name of parties) await p.fill(`[data-testid="field-vote"][data-party="${name}"]`, String(s.votes[name] ?? 0));
    return parties;
  };
  const linesOf = (p: Page, key: string) => p.getAttribute(`[data-testid="obs-box"][data-key="${key}"]`, 'data-lines').then((v) => (v ?? '').split(' '));
  const signIn = async (p: Page, username: string) => {
    await p.goto(world.app.url + '/');
    await p.waitForSelector('[data-testid="view-login"]');
    await p.fill('[data-testid="login-username"]', username);
    await p.fill('[data-testid="login-password"]', `pw-${username}-0123456789`);
    await p.click('[data-testid="login-submit"]');
    // an observer's home is "Sandıklarım" (role homes)
    await p.waitForSelector('[data-testid="view-my-boxes"]');
  };

  beforeAll(async () => {
    world = await startWorld();
    admin = await login(world.app.url, 'admin', ADMIN_PASSWORD);
    chrome = await launch();
    // YSK publishes part of the night
    await advance(1.5 * HOUR);
    const published = await until(
      () => api<{ items: BoxSummary[] }>('/api/boxes?province=69&ballot=2&status=ysk_only&limit=20'),
      (p) => p.items.length >= 2 && p.items.every((b) => b.ysk && Object.keys(b.ysk.votes).length > 1),
      30_000,
      'YSK to publish two boxes',
    );
    [boxA, boxB] = published.items as [BoxSummary, BoxSummary];
    await userOf(world.app.url, admin, 'musahit-a', 'box_officer', { boxes: [short(boxA), short(boxB)] });
    await userOf(world.app.url, admin, 'musahit-b', 'second_observer', { boxes: [short(boxA)] });
    phoneA = await chrome.browser.newContext(PHONE);
    page = await phoneA.newPage();
    page.on('pageerror', (e) => process.stdout.write(`[browser] page error: ${e.message}\n`));
  });

  afterAll(async () => {
    await chrome?.close();
    await world?.close();
    publishScreenshots();
  });

  test('logs in, lands on "Sandıklarım", which the phone menu offers too: the boxes in scope, per ballot type', async () => {
    await signIn(page, 'musahit-a');
    await page.click('[data-testid="nav-menu"]');
    expect(await page.textContent('[data-testid="nav-myBoxes"]')).toBe('Sandıklarım');
    await page.click('[data-testid="nav-myBoxes"]');
    await page.waitForSelector('[data-testid="view-my-boxes"]');
    await page.waitForSelector('[data-testid="obs-box"]');
    const keys = await page.$$eval('[data-testid="obs-box"]', (els) => els.map((e) => e.getAttribute('data-key')));
    expect(keys.sort()).toEqual([boxA.key, boxB.key].sort());
    expect(await linesOf(page, boxA.key)).toEqual(['none']);
    expect(await page.textContent(`[data-testid="obs-box"][data-key="${boxA.key}"]`)).toContain(`Sandık ${boxA.boxNo}`);
    expect(await page.textContent(`[data-testid="obs-box"][data-key="${boxA.key}"]`)).toContain('Belediye Başkanı');
    // nothing overflows the phone's width
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // the service worker holds the app shell from now on
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, { timeout: 15_000 });
  });

  test('the form in the sheet’s order, numeric keypad, live checks; offline, the entry waits on the device', async () => {
    await page.click(`[data-testid="obs-box"][data-key="${boxA.key}"]`);
    await page.waitForSelector('[data-testid="entry-form"]');
    // the sheet's own order: header figures, then the ballot's columns (YSK's column map)
    const order = await page.$$eval('[data-testid="entry-form"] input[inputmode="numeric"]', (els) => els.map((e) => e.getAttribute('name')));
    expect(order.slice(0, 6)).toEqual(['registered', 'voted', 'validUncontested', 'validAfterObjection', 'valid', 'invalid']);
    expect(order.length).toBeGreaterThan(6);
    expect(await page.$$eval('[data-testid="entry-form"] input[name]', (els) => els.every((e) => e.getAttribute('inputmode') === 'numeric'))).toBe(true);
    expect(await page.getAttribute('[data-testid="entry-photo"]', 'capture')).toBe('environment');
    expect(await page.textContent('[data-testid="entry-form"]')).toContain('Kayıtlı seçmen');
    expect(await page.textContent('[data-testid="entry-form"]')).toContain('Oy kullanan');
    const ysk = boxA.ysk!;
    await fillSheet(page, ysk);
    // a slip of the thumb on "Oy kullanan": the shared check says valid + invalid ≠ voted, and the submit is blocked
    await page.fill('[data-testid="field-voted"]', String(ysk.voted + 10));
    await page.waitForSelector('[data-testid="entry-issue"][data-code="valid_invalid_not_voted"]');
    expect(await page.isDisabled('[data-testid="entry-submit"]')).toBe(true);
    // the sheet photo, straight from the camera
    const jpeg = await sharp({ create: { width: 300, height: 400, channels: 3, background: '#f4f1e8' } })
      .jpeg()
      .toBuffer();
    await page.setInputFiles('[data-testid="entry-photo"]', { name: 'tutanak.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await page.waitForSelector('[data-testid="entry-photo-preview"]');
    // the screen as the observer sees it: the box, the header figures, the live error under them
    await page.evaluate(() => document.querySelector('[data-testid="entry-back"]')?.scrollIntoView({ block: 'start' }));
    await shot(page, 'observer-entry');
    await page.fill('[data-testid="field-voted"]', String(ysk.voted));
    await until(
      () => page.getAttribute('[data-testid="entry-checks"]', 'data-errors'),
      (v) => v === '0',
      5_000,
      'the error to clear',
    );
    if ((await page.getAttribute('[data-testid="entry-checks"]', 'data-warnings')) !== '0') await page.check('[data-testid="entry-check-again"]');
    expect(await page.isDisabled('[data-testid="entry-submit"]')).toBe(false);

    // the network goes away; the observer presses send
    await phoneA.setOffline(true);
    await page.click('[data-testid="entry-submit"]');
    await page.waitForSelector('[data-testid="entry-sent"][data-state="queued"]', { timeout: 30_000 });
    await page.click('[data-testid="entry-back"]');
    await page.waitForSelector('[data-testid="obs-queue"][data-count="1"]');
    expect(await page.textContent('[data-testid="obs-queue"]')).toContain('Gönderilmeyi bekleyen girişler');
    expect(await linesOf(page, boxA.key)).toContain('queued');
    // a reload with no network: the shell from the service worker, the boxes and the queue from the device
    await page.reload();
    await page.waitForSelector('[data-testid="view-my-boxes"]', { timeout: 20_000 });
    await page.waitForSelector('[data-testid="obs-queue"][data-count="1"]');
    await page.waitForSelector('[data-testid="obs-offline"]');
    expect(await linesOf(page, boxA.key)).toContain('queued');
    await shot(page, 'observer-offline');
    expect(await entriesOf(boxA.key)).toHaveLength(0);
  });

  test('network back: the entry lands exactly once, with its photo; received, matches YSK, awaiting confirmation (1/2)', async () => {
    await phoneA.setOffline(false);
    await page.waitForSelector('[data-testid="obs-queue"]', { state: 'detached', timeout: 30_000 });
    await until(
      () => linesOf(page, boxA.key),
      (l) => l.includes('received'),
      15_000,
      'box A to show received',
    );
    expect(await linesOf(page, boxA.key)).toEqual(['received', 'match', 'unconfirmed']);
    expect(await page.textContent(`[data-testid="obs-box"][data-key="${boxA.key}"] [data-line="unconfirmed"]`)).toBe('Onay bekliyor (1/2)');
    const entries = await entriesOf(boxA.key);
    expect(entries.map((e) => [e.observer, e.source])).toEqual([['musahit-a', 'observer']]);
    expect(entries[0]!.sheet).toEqual(boxA.ysk);
    const photos = await api<{ items: { entryId: string }[] }>(`/api/boxes/${encodeURIComponent(boxA.key)}/sheet-photos`);
    expect(photos.items.map((p) => p.entryId)).toEqual([entries[0]!.id]);
    // the queue's timer and a manual "send" change nothing: still one entry
    await page.reload();
    await page.waitForSelector('[data-testid="obs-box"]');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await entriesOf(boxA.key)).toHaveLength(1);
    const summary = (await api<{ summary: BoxSummary }>(`/api/boxes/${encodeURIComponent(boxA.key)}`)).summary;
    expect(summary).toMatchObject({ status: 'ysk_only', unconfirmed: true, org: null });
  });

  test('box B, entered online with figures that differ from YSK: received, differs', async () => {
    await page.click(`[data-testid="obs-box"][data-key="${boxB.key}"]`);
    await page.waitForSelector('[data-testid="entry-form"]');
    const ysk = boxB.ysk!;
    const [first, second] = Object.entries(ysk.votes).sort((a, b) => b[1] - a[1]);
    const moved = Math.min(5, second![1]);
    await fillSheet(page, { ...ysk, votes: { ...ysk.votes, [first![0]]: first![1] + moved, [second![0]]: second![1] - moved } });
    if ((await page.getAttribute('[data-testid="entry-checks"]', 'data-warnings')) !== '0') await page.check('[data-testid="entry-check-again"]');
    await page.click('[data-testid="entry-submit"]');
    await page.waitForSelector('[data-testid="entry-sent"][data-state="sent"]', { timeout: 20_000 });
    await until(
      () => page.getAttribute('[data-testid="entry-status"]', 'data-lines'),
      (v) => !!v && v.includes('received'),
      15_000,
      'box B status',
    );
    expect((await page.getAttribute('[data-testid="entry-status"]', 'data-lines'))!.split(' ')).toEqual(['received', 'differs', 'unconfirmed']);
    expect(await entriesOf(boxB.key)).toHaveLength(1);
  });

  test('a second observer enters the same figures: box A is confirmed, its status (match) appears for both', async () => {
    const phoneB = await chrome.browser.newContext(PHONE);
    const pb = await phoneB.newPage();
    await signIn(pb, 'musahit-b');
    await pb.waitForSelector(`[data-testid="obs-box"][data-key="${boxA.key}"]`);
    expect(await linesOf(pb, boxA.key)).toEqual(['none', 'unconfirmed']);
    await pb.click(`[data-testid="obs-box"][data-key="${boxA.key}"]`);
    await pb.waitForSelector('[data-testid="entry-form"]');
    await fillSheet(pb, boxA.ysk!);
    if ((await pb.getAttribute('[data-testid="entry-checks"]', 'data-warnings')) !== '0') await pb.check('[data-testid="entry-check-again"]');
    await pb.click('[data-testid="entry-submit"]');
    await pb.waitForSelector('[data-testid="entry-sent"][data-state="sent"]', { timeout: 20_000 });
    await until(
      () => pb.getAttribute('[data-testid="entry-status"]', 'data-lines'),
      (v) => !!v && v.includes('confirmed'),
      15_000,
      'box A confirmed on phone B',
    );
    expect((await pb.getAttribute('[data-testid="entry-status"]', 'data-lines'))!.split(' ')).toEqual(['received', 'match', 'confirmed', 'org-match']);
    await phoneB.close();
    const summary = (await api<{ summary: BoxSummary }>(`/api/boxes/${encodeURIComponent(boxA.key)}`)).summary;
    expect(summary).toMatchObject({ status: 'match', unconfirmed: false, conflicting: false, org: boxA.ysk });
    expect((await entriesOf(boxA.key)).map((e) => e.observer)).toEqual(['musahit-a', 'musahit-b']);
    // observer A's list shows it too
    await page.click('[data-testid="entry-back"]');
    await page.reload();
    await until(
      () => linesOf(page, boxA.key),
      (l) => l.includes('confirmed'),
      15_000,
      'box A confirmed on phone A',
    );
    expect(await linesOf(page, boxA.key)).toEqual(['received', 'match', 'confirmed', 'org-match']);
    expect(await linesOf(page, boxB.key)).toEqual(['received', 'differs', 'unconfirmed']);
    const mine = (await (await login(world.app.url, 'musahit-a', 'pw-musahit-a-0123456789')).get('/api/entries/my-boxes')).body as MyBoxesResponse;
    expect(mine.items.find((b) => b.key === boxA.key)).toMatchObject({ verdict: 'match', agreeing: 2 });
    await shot(page, 'observer-boxes');
  });

  test('a correction: a new entry that supersedes the observer’s previous one', async () => {
    await page.click(`[data-testid="obs-box"][data-key="${boxB.key}"]`);
    await page.waitForSelector('[data-testid="entry-correct"]');
    await page.click('[data-testid="entry-correct"]');
    await page.waitForSelector('[data-testid="entry-form"]');
    await fillSheet(page, boxB.ysk!);
    if ((await page.getAttribute('[data-testid="entry-checks"]', 'data-warnings')) !== '0') await page.check('[data-testid="entry-check-again"]');
    expect(await page.textContent('[data-testid="entry-submit"]')).toBe('Düzeltmeyi gönder');
    await page.click('[data-testid="entry-submit"]');
    await page.waitForSelector('[data-testid="entry-sent"][data-state="sent"]', { timeout: 20_000 });
    await until(
      () => page.getAttribute('[data-testid="entry-status"]', 'data-lines'),
      (v) => !!v && v.includes('match'),
      15_000,
      'box B corrected',
    );
    expect((await page.getAttribute('[data-testid="entry-status"]', 'data-lines'))!.split(' ')).toEqual(['received', 'match', 'unconfirmed']);
    const entries = await entriesOf(boxB.key);
    expect(entries).toHaveLength(2);
    expect(entries[1]!.sheet).toEqual(boxB.ysk);
  });
});
