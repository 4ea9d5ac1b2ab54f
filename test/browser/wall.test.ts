import { boxKey, type BoxRef } from '@gozcu/shared';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
/**
 * The wall dashboard in a real browser (Debian's Chromium via playwright-core): log in, open
 * the war room, advance the simulated night and watch counters, map colours and lists change
 * live — without a reload — and equal the API's figures; drill down to the province, district
 * and box views; the operator view; a burst of 10,000 box changes (longest frame measured);
 * the red banner when the server goes away. Screenshots at 1920×1080 go to test-results/screenshots/.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { BoxCounters, BoxSummary, Coverage } from '@gozcu/shared';
import { ADMIN_PASSWORD, login, type Session } from '../support/auth';
import { launch, publishScreenshots, shot, describeBrowser, startWorld, until, type World } from './harness';

/** counter id on the wall → field of `coverage.boxes` */
const COUNTERS: Record<string, keyof BoxCounters> = {
  opened: 'yskPublished',
  entered: 'entered',
  match: 'match',
  mismatch: 'mismatch',
  pending: 'yskOnly',
  orgOnly: 'orgOnly',
  altered: 'altered',
  conflicting: 'conflicting',
};
const HOUR = 3_600_000;

describeBrowser('wall dashboard in Chromium', () => {
  jest.setTimeout(120_000);
  let world: World;
  let admin: Session;
  let chrome: Awaited<ReturnType<typeof launch>>;
  let context: BrowserContext;
  let page: Page;
  const figures: Record<string, number> = {};
  /** socket frames the page received while `counting` (how much the browser had to parse in the burst) */
  const frames = { counting: false, n: 0, bytes: 0, max: 0 };

  const api = async <T>(path: string): Promise<T> => {
    const res = await admin.get(path);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  };
  const coverage = (q = '') => api<Coverage>(`/api/coverage?ballot=2${q}`);
  const wallCounters = () =>
    page.evaluate((ids) => {
      const out: Record<string, number | null> = {};
      for (const id of ids) {
        const v = document.querySelector(`[data-testid="counter-${id}"]`)?.getAttribute('data-value');
        out[id] = v == null || v === '' ? null : Number(v);
      }
      return out;
    }, Object.keys(COUNTERS));
  const expected = (c: Coverage) => Object.fromEntries(Object.entries(COUNTERS).map(([id, f]) => [id, c.boxes[f]]));
  /** The wall's counters equal the API's (the feed may still be catching up: poll until both agree and settle). */
  const countersMatchApi = async (q = '', timeoutMs = 30_000) => {
    let api: Record<string, number> = {};
    await until(
      async () => {
        api = expected(await coverage(q));
        return { wall: await wallCounters(), api };
      },
      (v) => JSON.stringify(v.wall) === JSON.stringify(v.api),
      timeoutMs,
      'the wall counters to equal GET /api/coverage',
    );
    return api;
  };
  const mapState = () =>
    page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="map"]');
      if (!c?.dataset.colours) return null;
      const colours = JSON.parse(c.dataset.colours) as Record<string, string>;
      const centres = JSON.parse(c.dataset.centres ?? '{}') as Record<string, [number, number]>;
      const [x, y] = centres['69'] ?? [0, 0];
      const px = c.getContext('2d')!.getImageData(Math.round(x * devicePixelRatio), Math.round(y * devicePixelRatio), 1, 1).data;
      const hex = '#' + [px[0], px[1], px[2]].map((n) => n!.toString(16).padStart(2, '0')).join('');
      const row = document.querySelector('[data-testid="map-table"] tr[data-plate="69"]');
      return { colour: colours['69'] ?? null, pixel: hex, centre: [x, y], draws: Number(c.dataset.draws), value: row?.getAttribute('data-value') ?? null };
    });
  const advance = async (ms: number) => {
    const res = await fetch(`${world.sim.url}/_admin/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: ms }),
    });
    if (!res.ok) world.sim.clock.advance(ms);
  };

  beforeAll(async () => {
    // the wall's entries stand for the organisation's figures: one entry each (not the N-entry rule)
    world = await startWorld({ ENTRY_CONFIRMATIONS: '1' });
    admin = await login(world.app.url, 'admin', ADMIN_PASSWORD);
    chrome = await launch();
    context = await chrome.browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'tr-TR', timezoneId: 'Europe/Istanbul' });
    page = await context.newPage();
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        if (!frames.counting) return;
        const len = typeof f.payload === 'string' ? Buffer.byteLength(f.payload) : f.payload.length;
        frames.n++;
        frames.bytes += len;
        frames.max = Math.max(frames.max, len);
      }),
    );
    page.on('pageerror', (e) => process.stdout.write(`[browser] page error: ${e.message}\n`));
  });

  afterAll(async () => {
    await chrome?.close();
    await world?.close();
    publishScreenshots();
    if (Object.keys(figures).length) {
      process.stdout.write(
        `\n[browser] figures: war room first load ${figures.firstLoadMs?.toFixed(0)} ms (navigation → counters and map drawn), ` +
          `burst of ${figures.burstBoxes} box changes rendered in ${figures.burstMs?.toFixed(0)} ms, ` +
          `longest frame ${figures.longestFrameMs?.toFixed(1)} ms, longest task ${figures.longestTaskMs?.toFixed(1)} ms (${figures.longTasks} long tasks)\n`,
      );
    }
  });

  test('the login screen, in Turkish, refuses a wrong password and signs in', async () => {
    await page.goto(world.app.url + '/');
    await page.waitForSelector('[data-testid="view-login"]');
    expect(await page.textContent('#login-title')).toBe('Giriş');
    expect(await page.textContent('[data-testid="view-login"]')).toContain('Kullanıcı adı');
    expect(await page.textContent('[data-testid="view-login"]')).toContain('Parola');
    await shot(page, 'login');
    await page.fill('[data-testid="login-username"]', 'admin');
    await page.fill('[data-testid="login-password"]', 'wrong-password-123');
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="login-error"]');
    await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="view-country"]');
    await page.waitForSelector('[data-testid="live-state"][data-connected="true"]');
    expect(await page.getAttribute('[data-testid="session-user"]', 'data-username')).toBe('admin');
    expect((await page.textContent('[data-testid="session-role"]'))?.trim()).toBeTruthy();
    expect(await page.evaluate(() => localStorage.getItem('gozcu.token'))).toBeTruthy();
  });

  test('first load of the war room (measured), figures equal the API', async () => {
    const fresh = await context.newPage();
    await fresh.goto(world.app.url + '/#/');
    const ready = await fresh.waitForFunction(
      () => {
        const opened = document.querySelector('[data-testid="counter-opened"]')?.getAttribute('data-value');
        const map = document.querySelector<HTMLCanvasElement>('[data-testid="map"]');
        return opened != null && opened !== '' && !!map?.dataset.colours ? performance.now() : null;
      },
      undefined,
      { polling: 'raf', timeout: 15_000 },
    );
    figures.firstLoadMs = (await ready.jsonValue()) as number;
    const nav = await fresh.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return n ? { domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd } : null;
    });
    process.stdout.write(
      `[browser] war room first load: ${figures.firstLoadMs.toFixed(0)} ms to live counters and a drawn map (DOMContentLoaded ${nav?.domContentLoaded.toFixed(0)} ms)\n`,
    );
    await fresh.close();
    await countersMatchApi();
  });

  test('advancing the night changes counters, map colours and lists live, without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    const before = await wallCounters();
    const mapBefore = await until(mapState, (m) => m != null && m.draws > 0, 10_000, 'the map to draw');
    await advance(1.5 * HOUR);
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="counter-opened"]')?.getAttribute('data-value')) > n, before.opened ?? 0, {
      timeout: 30_000,
    });
    // observers enter some of the published boxes: a few agreeing with YSK, most not
    const published = await until(
      () => api<{ items: BoxSummary[] }>('/api/boxes?province=69&ballot=2&status=ysk_only&limit=40'),
      (p) => p.items.length >= 16,
      30_000,
      'the feed to ingest the published boxes',
    );
    let n = 0;
    for (const b of published.items.slice(0, 16)) {
      const agree = n++ % 4 === 0;

      const ysk = b.ysk!;
      // a disagreeing sheet moves 7 votes from the runner-up to the leader (totals still add up)
      const parties = Object.entries(ysk.votes).sort((x, y) => y[1] - x[1]);
      const moved = Math.min(7, parties[1]?.[1] ?? 0);
      const sheet =
        agree || !moved ? ysk : { ...ysk, votes: { ...ysk.votes, [parties[0]![0]]: parties[0]![1] + moved, [parties[1]![0]]: parties[1]![1] - moved } };
      const res = await admin.post('/api/entries', {
        ref: { ballot: 2, province: b.province, district: b.district, boxNo: b.boxNo },
        sheet,
        idempotencyKey: `wall-${b.key}`,
      });
      expect([200, 201]).toContain(res.status);
    }
    await advance(1 * HOUR);
    const api1 = await countersMatchApi();
    expect(api1.opened).toBeGreaterThan(before.opened ?? 0);
    expect(api1.mismatch).toBeGreaterThan(0);
    // the map: Bayburt's colour changed, the canvas is painted with it, the value is the API's coverage
    const cov69 = await coverage('&province=69');
    const m = await until(
      mapState,
      (s) => s != null && s.colour !== mapBefore!.colour && s.value === String(cov69.boxes.yskPublished / cov69.boxes.total),
      15_000,
      'the map to recolour Bayburt',
    );
    expect(m!.pixel.toLowerCase()).toBe(m!.colour!.toLowerCase());
    // lists: the biggest differences and the waiting boxes, from the live snapshot, are the API's boxes
    await page.waitForSelector('[data-testid="list-mismatches"] [data-testid="list-row"]');
    const listKeys = await page.$$eval('[data-testid="list-mismatches"] [data-testid="list-row"]', (rows) => rows.map((r) => r.getAttribute('data-key')));
    const apiMismatch = await api<{ items: BoxSummary[]; total: number }>('/api/boxes?province=69&ballot=2&status=mismatch&sort=difference&limit=100');
    expect(listKeys.length).toBe(Math.min(8, apiMismatch.total));
    expect(apiMismatch.items.map((b) => b.key)).toEqual(expect.arrayContaining(listKeys));
    // the longest-waiting boxes: stale ones appear once the threshold passes, as the API lists them
    await page.waitForSelector('[data-testid="list-stale"] [data-testid="list-row"] [data-stale="true"]', { timeout: 20_000 });
    const staleKeys = await page.$$eval('[data-testid="list-stale"] [data-testid="list-row"]', (rows) => rows.map((r) => r.getAttribute('data-key')));
    // (the list shows the boxes waiting longest, stale or not yet: every one is waiting for an entry)
    const apiStale = await api<{ items: BoxSummary[] }>('/api/boxes?province=69&ballot=2&status=ysk_only&limit=1000');
    expect(apiStale.items.map((b) => b.key)).toEqual(expect.arrayContaining(staleKeys));
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await shot(page, 'war-room');
  });

  test('the province view: a click on the map drills down; district tiles equal the API', async () => {
    const m = await mapState();
    const box = await (await page.$('[data-testid="map"]'))!.boundingBox();
    await page.mouse.click(box!.x + m!.centre[0]!, box!.y + m!.centre[1]!);
    await page.waitForSelector('[data-testid="view-province"][data-province="69"]');
    await page.waitForSelector('[data-testid="district-tile"]');
    await countersMatchApi('&province=69');
    const tiles = await page.$$eval('[data-testid="district-tile"]', (els) =>
      els.map((e) => ({ id: Number(e.getAttribute('data-district')), value: e.getAttribute('data-value'), name: e.querySelector('.name')?.textContent ?? '' })),
    );
    expect(tiles.length).toBeGreaterThanOrEqual(2);
    for (const t of tiles) {
      const c = await coverage(`&province=69&district=${t.id}`);
      expect(t.value).toBe(c.boxes.total ? String(c.boxes.yskPublished / c.boxes.total) : '');
    }
    // names from GET /api/districts, not ids
    await until(
      async () => page.$$eval('[data-testid="district-tile"] .name', (els) => els.map((e) => e.textContent ?? '')),
      (names) => names.every((n) => !/#\d/.test(n)),
      10_000,
      'district names',
    );
    await shot(page, 'province');
  });

  test('the district list: server-side filter and sort, a publication ban in the header; the box detail', async () => {
    // a publication ban shows in the header (responses carry `embargo`)
    await admin.post('/api/embargo', { until: new Date(Date.now() + HOUR).toISOString() }, 'PUT');
    const tile = await page.$('[data-testid="district-tile"]');
    const district = Number(await tile!.getAttribute('data-district'));
    await tile!.click();
    await page.waitForSelector(`[data-testid="view-district"][data-district="${district}"]`);
    await page.waitForSelector('[data-testid="box-row"]');
    await page.waitForSelector('[data-testid="embargo"][data-active="true"]');
    expect(await page.textContent('[data-testid="embargo"]')).toContain('Yayın yasağı');
    await admin.post('/api/embargo', { until: null }, 'PUT');
    // filter: mismatches only, biggest difference first — the server's answer, row for row
    await page.selectOption('[data-testid="box-filter"]', 'mismatch');
    await page.selectOption('[data-testid="box-sort"]', 'difference');
    const apiPage = await api<{ items: BoxSummary[]; total: number }>(
      `/api/boxes?province=69&district=${district}&ballot=2&status=mismatch&sort=difference&limit=500`,
    );
    const rows = await until(
      () => page.$$eval('[data-testid="box-row"]', (els) => els.map((e) => [e.getAttribute('data-key'), e.getAttribute('data-status')])),
      (r) => r.length === apiPage.items.length && r.every(([, s]) => s === 'mismatch'),
      10_000,
      'the filtered box list',
    );
    expect(rows.map(([k]) => k)).toEqual(apiPage.items.map((b) => b.key));
    expect(page.url()).toContain('status=mismatch');
    expect(page.url()).toContain('sort=difference');
    if (!rows.length) await page.selectOption('[data-testid="box-filter"]', 'all');
    await page.waitForSelector('[data-testid="box-row"]');
    await shot(page, 'district-list');
    // the box detail: YSK | Örgüt side by side
    const link = await page.$('[data-testid="box-row"] th a');
    const key = (await page.getAttribute('[data-testid="box-row"]', 'data-key'))!;
    await link!.click();
    await page.waitForSelector(`[data-testid="view-box"]`);
    await page.waitForSelector('[data-testid="box-compare"]');
    const detail = await api<{ versions: unknown[] }>(`/api/boxes/${encodeURIComponent(key)}`);
    expect(detail.versions.length).toBeGreaterThan(0);
    await page.waitForSelector('[data-testid="box-timeline"]');
    await shot(page, 'box-detail');
    // a box YSK had already changed when Gözcü first fetched it says so
    const altered = await api<{ items: BoxSummary[] }>('/api/boxes?province=69&ballot=2&status=altered&limit=1000');
    const before = altered.items.find((b) => b.alteredBeforeSeen && b.versions === 1);
    expect(before).toBeDefined();
    await page.goto(`${world.app.url}/#/sandik/${encodeURIComponent(before!.key)}`);
    await page.waitForSelector('[data-testid="box-altered-before-seen"]');
    expect(await page.textContent('[data-testid="box-altered-before-seen"]')).toContain('Gözcü görmeden önce değiştirilmiş');
    expect(await page.textContent('[data-testid="box-timeline"] tr[data-seq="1"]')).toContain('zaten değiştirilmiş');
    await shot(page, 'box-detail-altered-before-seen');
  });

  test('the operator view shows the feed as the API reports it', async () => {
    await page.goto(world.app.url + '/#/operasyon');
    await page.waitForSelector('[data-testid="view-operator"]');
    const health = await api<{ overall: string; endpoints: Record<string, unknown> }>('/api/feed/health');
    await page.waitForSelector('[data-testid="ops-endpoints"] tr[data-endpoint]');
    const eps = await page.$$eval('[data-testid="ops-endpoints"] tr[data-endpoint]', (els) => els.map((e) => e.getAttribute('data-endpoint')));
    expect(eps.sort()).toEqual(Object.keys(health.endpoints).sort());
    expect(await page.getAttribute('[data-testid="ops-state"]', 'data-state')).toBe(health.overall);
    await page.waitForSelector('[data-testid="ops-last-success"] tr[data-plate="69"][data-lag]');
    // per-province lag, as the API reports it
    const lag = Number(await page.getAttribute('[data-testid="ops-last-success"] tr[data-plate="69"]', 'data-lag'));
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(30);
    await shot(page, 'operator');
  });

  test('the operator pauses and resumes the feed from the operator view (Turkish labels, audited)', async () => {
    await page.goto(world.app.url + '/#/operasyon');
    await page.waitForSelector('[data-testid="ops-pause"]');
    expect((await page.textContent('[data-testid="ops-pause"]'))?.trim()).toContain('Akışı durdur');
    await page.fill('[data-testid="ops-reason"]', 'tarayıcı testi');
    await page.click('[data-testid="ops-pause"]');
    await page.waitForSelector('[data-testid="ops-controls-state"][data-paused="true"]', { timeout: 15_000 });
    await page.waitForSelector('[data-testid="ops-state"][data-state="paused"]', { timeout: 15_000 });
    expect(await page.textContent('[data-testid="ops-controls-state"]')).toContain('tarayıcı testi');
    expect((await api<{ overall: string; rule: string }>('/api/feed/health')).rule).toBe('operator_paused');
    await shot(page, 'operator-paused');
    await page.click('[data-testid="ops-resume"]');
    await page.waitForSelector('[data-testid="ops-controls-state"][data-paused="false"]', { timeout: 15_000 });
    await until(
      () => api<{ overall: string }>('/api/feed/health'),
      (h) => h.overall === 'healthy',
      20_000,
      'the feed to be healthy again',
    );
    // the rate cap from the inputs
    await page.fill('[data-testid="ops-cap"]', '80');
    await page.click('[data-testid="ops-apply"]');
    await until(
      () => api<{ controls: { maxRps: number } }>('/api/feed/controls').then((c) => ({ controls: c as unknown as { maxRps: number } })),
      (c) => c.controls.maxRps === 80,
      10_000,
      'the cap to be 80',
    );
    const audit = await api<{ items: Array<{ action: string }> }>('/api/audit?action=feed.pause');
    expect(audit.items.length).toBeGreaterThan(0);
  });

  test('a burst of 10,000 box changes renders live on the war room (longest frame measured)', async () => {
    await page.goto(world.app.url + '/#/');
    await page.waitForSelector('[data-testid="live-state"][data-connected="true"]');
    await countersMatchApi();
    const districts = (await api<{ items: Array<{ yskId: number }> }>('/api/districts?province=69')).items.map((d) => d.yskId);
    expect(districts.length).toBeGreaterThan(0);
    const N = 10_000;
    const header = 'ballot,province,district,boxNo,registered,voted,validUncontested,validAfterObjection,valid,invalid,idempotencyKey,AK PARTİ,CHP';
    const lines = [header];
    const burstBoxes: BoxRef[] = [];
    for (let i = 0; i < N; i++) {
      const d = districts[i % districts.length]!;
      const boxNo = 5000 + Math.floor(i / districts.length);
      const a = 100 + (i % 50);
      lines.push(`2,69,${d},${boxNo},300,${a + 100 + 5},${a + 100},0,${a + 100},5,burst-${process.pid}-${i},${a},100`);
      burstBoxes.push({ election: world.app.config.YSK_ELECTION_ID, ballot: 2, province: 69, district: d, boxNo });
    }
    // entries are refused for boxes not on the register of boxes: register the burst's boxes first
    await world.app.app
      .get(ReconcileService)
      .registerBoxes(burstBoxes.map((ref, i) => ({ ...ref, key: boxKey(ref), yskBoxId: 9_000_000 + i, neighbourhood: null })));
    await page.evaluate(() => {
      const w = window as unknown as { __frames: { max: number; last: number; longest: number; tasks: number; run: boolean } };
      w.__frames = { max: 0, last: performance.now(), longest: 0, tasks: 0, run: true };
      const loop = (t: number) => {
        const f = w.__frames;
        f.max = Math.max(f.max, t - f.last);
        f.last = t;
        if (f.run) requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
      try {
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) {
            w.__frames.tasks++;
            w.__frames.longest = Math.max(w.__frames.longest, e.duration);
          }
        }).observe({ type: 'longtask', buffered: false });
      } catch {
        /* no longtask support */
      }
    });
    const enteredBefore = (await wallCounters()).entered ?? 0;
    const t0 = Date.now();
    frames.counting = true;
    const res = await admin.post('/api/entries/import', lines.join('\n'));
    expect(res.status).toBe(200);
    expect(res.body.stored).toBe(N);
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="counter-entered"]')?.getAttribute('data-value')) >= n, enteredBefore + N, {
      timeout: 60_000,
      polling: 100,
    });
    figures.burstMs = Date.now() - t0;
    await countersMatchApi();
    const f = await page.evaluate(() => {
      const w = window as unknown as { __frames: { max: number; longest: number; tasks: number; run: boolean } };
      w.__frames.run = false;
      return w.__frames;
    });
    frames.counting = false;
    figures.burstBoxes = N;
    process.stdout.write(`[browser] burst socket frames: ${frames.n}, ${(frames.bytes / 1e6).toFixed(1)} MB, largest ${(frames.max / 1e6).toFixed(2)} MB\n`);
    figures.longestFrameMs = f.max;
    figures.longestTaskMs = f.longest;
    figures.longTasks = f.tasks;
    process.stdout.write(
      `[browser] burst of ${N} box changes: on the wall after ${figures.burstMs} ms; longest frame ${f.max.toFixed(1)} ms; longest task ${f.longest.toFixed(1)} ms (${f.tasks} long tasks)\n`,
    );
  });

  test('English is one click away, and a refused token sends you back to the login', async () => {
    await page.click('[data-testid="lang-toggle"]');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    expect(await page.textContent('[data-testid="live-state"]')).toContain('LIVE');
    await page.click('[data-testid="lang-toggle"]');
    await page.waitForFunction(() => document.documentElement.lang === 'tr');
    // an invalid session: the API answers 401, the refresh is refused, the login shows
    const ctx2 = await chrome.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p2 = await ctx2.newPage();
    await p2.goto(world.app.url + '/');
    await p2.evaluate(() => {
      localStorage.setItem('gozcu.token', 'not-a-token');
      localStorage.setItem('gozcu.refresh', 'not-a-refresh-token');
      localStorage.setItem('gozcu.expiresAt', String(Date.now() + 600_000));
      location.hash = '#/il/69';
    });
    await p2.reload();
    await p2.waitForSelector('[data-testid="view-login"]');
    await p2.waitForSelector('[data-testid="login-expired"]');
    expect(await p2.evaluate(() => localStorage.getItem('gozcu.token'))).toBeNull();
    // logging out ends the session on the page
    await p2.fill('[data-testid="login-username"]', 'admin');
    await p2.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await p2.click('[data-testid="login-submit"]');
    await p2.waitForSelector('[data-testid="view-province"]');
    await p2.click('[data-testid="logout"]');
    await p2.waitForSelector('[data-testid="view-login"]');
    expect(await p2.evaluate(() => localStorage.getItem('gozcu.refresh'))).toBeNull();
    await ctx2.close();
  });

  test('the red banner the moment the server goes away', async () => {
    await page.waitForSelector('[data-testid="live-state"][data-connected="true"]');
    expect(await page.$('[data-testid="live-banner"]')).toBeNull();
    const asOf = await page.getAttribute('[data-testid="as-of"]', 'data-as-of');
    await world.close();
    await page.waitForSelector('[data-testid="live-banner"]', { timeout: 15_000 });
    const text = await page.textContent('[data-testid="live-banner"]');
    expect(text).toContain('Canlı bağlantı kesildi');
    expect(text).toContain('itibarıyla');
    expect(asOf).toBeTruthy();
    expect(await page.getAttribute('[data-testid="live-state"]', 'data-connected')).toBe('false');
    expect(await page.$eval('[data-testid="clock"]', (e) => e.classList.contains('stale'))).toBe(true);
    await shot(page, 'war-room-disconnected');
  });
});
