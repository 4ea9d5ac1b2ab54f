/**
 * The wall under a burst: the war room open in Debian's Chromium (playwright-core, as the
 * browser tests drive it), then 10,000 box changes at once (an observer CSV import of 10,000
 * entries, the same path the browser test takes). Measures, from the import's start, when the
 * wall's counter shows all of them (and how much of that is after the import's last commit),
 * the longest frame (requestAnimationFrame deltas, and the Long Animation Frames API when the
 * browser has it) and long tasks during the burst, and the page's main-thread CPU time over it
 * (CDP Performance.getMetrics ThreadTime: the work itself, less shaken by a loaded machine).
 *
 * BENCH_WALL_BOXES=10000   box changes in the burst
 * BENCH_WALL_RUNS=2        bursts (each with fresh boxes)
 */
import { existsSync } from 'node:fs';
import { boxKey, type BoxRef } from '@gozcu/shared';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { CHROMIUM, DASHBOARD_DIST, launch, startWorld } from '../browser/harness';
import { ADMIN_PASSWORD, login } from '../support/auth';
import { printTable, recordFigure, type Row } from './table';

const round = (n: number, digits = 1) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : NaN);

export async function run(): Promise<void> {
  const N = Number(process.env.BENCH_WALL_BOXES ?? 10_000);
  const runs = Number(process.env.BENCH_WALL_RUNS ?? 2);
  if (!existsSync(CHROMIUM) || !existsSync(DASHBOARD_DIST)) {
    process.stdout.write(
      `\nwall bench skipped: ${!existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : 'the dashboard is not built (npm run build -w @gozcu/dashboard)'}\n`,
    );
    return;
  }
  // one entry is the figure (as in the wall's browser test): the burst's entries are counted as entered at once
  const world = await startWorld({ ENTRY_CONFIRMATIONS: '1' });
  const chrome = await launch();
  const rows: Row[] = [];
  const whys: string[] = [];
  try {
    const admin = await login(world.app.url, 'admin', ADMIN_PASSWORD);
    const context = await chrome.browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'tr-TR', timezoneId: 'Europe/Istanbul' });
    const page = await context.newPage();
    await page.goto(world.app.url + '/');
    await page.waitForSelector('[data-testid="view-login"]');
    await page.fill('[data-testid="login-username"]', 'admin');
    await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.goto(world.app.url + '/#/');
    await page.waitForSelector('[data-testid="live-state"][data-connected="true"]');
    await page.waitForSelector('[data-testid="counter-entered"][data-value]');
    const districts = ((await admin.get('/api/districts?province=69')).body as { items: Array<{ yskId: number }> }).items.map((d) => d.yskId);
    const entered = () => page.evaluate(() => Number(document.querySelector('[data-testid="counter-entered"]')?.getAttribute('data-value')));

    for (let r = 0; r < runs; r++) {
      const header = 'ballot,province,district,boxNo,registered,voted,validUncontested,validAfterObjection,valid,invalid,idempotencyKey,AK PARTİ,CHP';
      const lines = [header];
      const refs: BoxRef[] = [];
      for (let i = 0; i < N; i++) {
        const d = districts[i % districts.length]!;
        const boxNo = 5000 + r * 100_000 + Math.floor(i / districts.length);
        const a = 100 + (i % 50);
        lines.push(`2,69,${d},${boxNo},300,${a + 100 + 5},${a + 100},0,${a + 100},5,wallbench-${process.pid}-${r}-${i},${a},100`);
        refs.push({ election: world.app.config.YSK_ELECTION_ID, ballot: 2, province: 69, district: d, boxNo });
      }
      // entries are refused for boxes not on the register of boxes: register the burst's boxes first (as the browser test does)
      await world.app.app
        .get(ReconcileService)
        .registerBoxes(refs.map((ref, i) => ({ ...ref, key: boxKey(ref), yskBoxId: 9_000_000 + r * 100_000 + i, neighbourhood: null })));
      await new Promise((res) => setTimeout(res, 1000));
      await page.evaluate(() => {
        const w = window as unknown as {
          __b: {
            max: number;
            last: number;
            loaf: number;
            loafs: number;
            why: string;
            longest: number;
            tasks: number;
            run: boolean;
            obs: PerformanceObserver[];
          };
        };
        w.__b = { max: 0, last: performance.now(), loaf: 0, loafs: 0, why: '', longest: 0, tasks: 0, run: true, obs: [] };
        const loop = (t: number) => {
          const b = w.__b;
          b.max = Math.max(b.max, t - b.last);
          b.last = t;
          if (b.run) requestAnimationFrame(loop);
        };
        requestAnimationFrame(loop);
        for (const type of ['long-animation-frame', 'longtask']) {
          try {
            const o = new PerformanceObserver((list) => {
              for (const e of list.getEntries()) {
                if (type === 'longtask') {
                  w.__b.tasks++;
                  w.__b.longest = Math.max(w.__b.longest, e.duration);
                } else {
                  w.__b.loafs++;
                  if (e.duration > w.__b.loaf)
                    try {
                      // where the longest frame went: scripts (by function), then style and layout, then paint
                      const f = e as PerformanceEntry & {
                        renderStart: number;
                        styleAndLayoutStart: number;
                        scripts?: Array<{
                          duration: number;
                          invoker: string;
                          sourceFunctionName: string;
                          sourceURL?: string;
                          sourceCharPosition?: number;
                          forcedStyleAndLayoutDuration: number;
                        }>;
                      };
                      const end = e.startTime + e.duration;
                      // a copy: the entry's scripts are a frozen array (sorting it in place throws a TypeError)
                      const scripts = [...(f.scripts ?? [])]
                        .sort((a, b) => b.duration - a.duration)
                        .slice(0, 3)
                        .map(
                          (x) =>
                            `${x.invoker || '?'}${x.sourceFunctionName ? `:${x.sourceFunctionName}` : ''}${x.sourceURL ? ` @${x.sourceURL.split('/').pop()}:${x.sourceCharPosition ?? '?'}` : ''} ${(x.duration ?? 0).toFixed(0)} ms (forced layout ${(x.forcedStyleAndLayoutDuration ?? 0).toFixed(0)})`,
                        );
                      const render = f.renderStart ? (f.styleAndLayoutStart || end) - f.renderStart : 0;
                      const layout = f.styleAndLayoutStart ? end - f.styleAndLayoutStart : 0;
                      w.__b.why = `${scripts.join('; ')}; render ${render.toFixed(0)} ms; style+layout+paint ${layout.toFixed(0)} ms`;
                    } catch (err) {
                      w.__b.why = `(attribution failed: ${String(err)})`;
                    }
                  w.__b.loaf = Math.max(w.__b.loaf, e.duration);
                }
              }
            });
            o.observe({ type, buffered: false });
            w.__b.obs.push(o);
          } catch {
            /* not supported */
          }
        }
      });
      // BENCH_WALL_PROFILE=1: a CPU profile of the page over the burst, self time by function (where the frames go)
      const cdp = process.env.BENCH_WALL_PROFILE === '1' ? await context.newCDPSession(page) : null;
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      // the page's main-thread CPU time (ThreadTime): the work the burst cost the page, whatever else the machine runs
      const metrics = await context.newCDPSession(page);
      await metrics.send('Performance.enable');
      const cpu = async () => {
        const { metrics: m } = (await metrics.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
        const v = (name: string) => (m.find((x) => x.name === name)?.value ?? NaN) * 1000;
        return { thread: v('ThreadTime'), script: v('ScriptDuration'), layout: v('LayoutDuration') + v('RecalcStyleDuration') };
      };
      const cpu0 = await cpu();
      const before = await entered();
      const t0 = Date.now();
      const res = await admin.post('/api/entries/import', lines.join('\n'));
      const tImport = Date.now() - t0;
      if (res.status !== 200 || (res.body as { stored: number }).stored !== N)
        throw new Error(`import: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      await page
        .waitForFunction((n) => Number(document.querySelector('[data-testid="counter-entered"]')?.getAttribute('data-value')) >= n, before + N, {
          timeout: 120_000,
          polling: 'raf',
        })
        .catch(async (err: unknown) => {
          const api = (await admin.get('/api/coverage?ballot=2')).body as { boxes?: { entered?: number } };
          throw new Error(
            `the wall's counter did not reach ${before + N} (before ${before}): it shows ${await entered()}, the API ${api.boxes?.entered}: ${String(err)}`,
          );
        });
      const visible = Date.now() - t0;
      await new Promise((res) => setTimeout(res, 300));
      const cpu1 = await cpu();
      await metrics.detach();
      if (cdp) {
        const { profile } = (await cdp.send('Profiler.stop')) as {
          profile: {
            nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
            samples?: number[];
            timeDeltas?: number[];
          };
        };
        const self = new Map<number, number>();
        (profile.samples ?? []).forEach((id, k) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas?.[k] ?? 0)));
        const byFn = new Map<string, number>();
        for (const n of profile.nodes) {
          const us = self.get(n.id) ?? 0;
          const f = n.callFrame;
          const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
          byFn.set(name, (byFn.get(name) ?? 0) + us);
        }
        const top = [...byFn]
          .filter(([k]) => !/^\((idle|program|garbage collector)\)/.test(k))
          .sort((a, b) => b[1] - a[1])
          .slice(0, 15);
        whys.push(
          `burst ${r + 1} page CPU profile, self time (idle ${Math.round((byFn.get('(idle) :-1') ?? 0) / 1000)} ms, GC ${Math.round((byFn.get('(garbage collector) :-1') ?? 0) / 1000)} ms):\n  ${top.map(([k, v]) => `${(v / 1000).toFixed(0)} ms ${k}`).join('\n  ')}`,
        );
        await cdp.detach();
      }
      const b = await page.evaluate(() => {
        const w = window as unknown as {
          __b: { max: number; loaf: number; loafs: number; why: string; longest: number; tasks: number; run: boolean; obs: PerformanceObserver[] };
        };
        w.__b.run = false;
        w.__b.obs.forEach((o) => o.disconnect());
        const { obs: _o, ...rest } = w.__b;
        return rest;
      });
      rows.push({
        burst: r + 1,
        boxes: N,
        'import (POST) ms': tImport,
        'on the wall ms': visible,
        'after the import ms': visible - tImport,
        'longest frame ms (rAF)': round(b.max),
        'longest animation frame ms (LoAF)': b.loafs ? round(b.loaf) : '—',
        'long animation frames': b.loafs,
        'longest task ms': round(b.longest),
        'long tasks': b.tasks,
        'page main-thread CPU ms': round(cpu1.thread - cpu0.thread, 0),
        'page script ms': round(cpu1.script - cpu0.script, 0),
        'page style+layout ms': round(cpu1.layout - cpu0.layout, 0),
      });
      if (b.why) whys.push(`burst ${r + 1}, longest animation frame ${round(b.loaf)} ms: ${b.why}`);
    }
    await context.close();
  } finally {
    await chrome.close();
    await world.close();
  }
  printTable(`Wall burst: ${N.toLocaleString('en-US')} box changes (one CSV import of entries) on the war room, Chromium 1920×1080`, rows);
  for (const w of whys) process.stdout.write(`${w}\n`);
  const best = <K extends string>(k: K) => Math.min(...rows.map((r) => Number(r[k])));
  const tag = N === 10_000 ? '10k' : String(N);
  recordFigure(`wall_burst_${tag}_visible_ms`, {
    value: best('on the wall ms'),
    unit: 'ms',
    ...(tag === '10k' ? {} : { target: 1000 }),
    note: `import start → counter on screen, best of ${rows.length}; of it the import (10,000 entries through the store) ${best('import (POST) ms')} ms, after its last commit ${best('after the import ms')} ms`,
  });
  recordFigure(tag === '10k' ? 'wall_burst_longest_frame_ms' : `wall_burst_${tag}_longest_frame_ms`, {
    value: Math.max(...rows.map((r) => Number(r['longest frame ms (rAF)']))),
    unit: 'ms',
    ...(tag === '10k' ? {} : { target: 50 }),
    note: `longest rAF-to-rAF gap over ${rows.length} bursts (LoAF max ${rows.map((r) => r['longest animation frame ms (LoAF)']).join('/')} ms)`,
  });
}
