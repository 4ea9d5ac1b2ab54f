/**
 * The browser tests' world: the YSK simulator in-process on a manual clock (a small night:
 * Bayburt only), the real application polling it briskly, and Debian's Chromium driven by
 * playwright-core (never a downloaded browser).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { simulatorOptionsFromEnv } from '../../server/src/simulator/config';
import { startSimulator, type RunningSimulator } from '../../server/src/simulator/server';
import { freePort, startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD } from '../support/auth';
import { REPO_ROOT } from '../support/paths';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'screenshots');
export const DOCS_SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');
export const DASHBOARD_DIST = join(REPO_ROOT, 'dashboard', 'dist', 'index.html');

/** Why the browser tests cannot run here, or null. */
function missing(): string | null {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install -y chromium; scripts/setup.sh installs it)`;
  if (!existsSync(DASHBOARD_DIST)) return `the dashboard is not built (${DASHBOARD_DIST} missing): run npm run build -w @gozcu/dashboard`;
  return null;
}

/**
 * `describe` for a browser suite. Where Chromium or the built dashboard is missing the suite
 * fails with the reason: a browser suite that cannot run is not a passing one.
 */
export function describeBrowser(name: string, body: () => void): void {
  const reason = missing();
  if (reason)
    describe(name, () =>
      it('has Chromium and the built dashboard', () => {
        throw new Error(reason);
      }),
    );
  else describe(name, body);
}

export interface World {
  sim: RunningSimulator;
  app: RunningApp;
  election: string;
  ballot: 2;
  close(): Promise<void>;
}

/** A night of Bayburt (69), ballot 2, on a manual clock; the app polls it every 300 ms. `env` adds to or overrides the app's settings. */
export async function startWorld(env: Record<string, string> = {}): Promise<World> {
  const election = `br${process.pid}`;
  const { describe: _d, ...opts } = simulatorOptionsFromEnv({
    ...process.env,
    SIM_PROVINCES: '69',
    SIM_BALLOT_TYPES: '2',
    SIM_CLOCK: 'manual',
    SIM_LATENCY_MS: '2',
    SIM_ELECTION_ID: election,
    SIM_SEED: '424242',
    // revisions, some of them made before YSK first published the box (changed before we saw it)
    SIM_REVISION_RATE: '0.2',
    SIM_PRE_FETCH_REVISIONS: '0.6',
  });
  const sim = await startSimulator({ ...opts, port: 0 });
  const app = await startApp(
    {
      YSK_BASE_URL: sim.apiUrl,
      YSK_ELECTION_ID: election,
      YSK_ELECTION_NAME: '31 Mart 2024 Mahalli İdareler Seçimi (Bayburt, simülasyon)',
      YSK_BALLOT_TYPES: '2',
      YSK_PROVINCES: '69',
      YSK_POLL_INTERVAL_MS: '300',
      YSK_MAX_RPS: '100',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LIVE_BATCH_MS: '100',
      // a box YSK published without an observer entry turns stale after 3 s (20 min on the night)
      STALE_AFTER_MINUTES: '0.05',
      LOGIN_RATE_LIMIT: '10000',
      ...env,
    },
    { port: await freePort() },
  );
  let closed = false;
  return {
    sim,
    app,
    election,
    ballot: 2,
    async close() {
      if (closed) return;
      closed = true;
      await app.close().catch(() => undefined);
      await sim.close().catch(() => undefined);
    },
  };
}

export async function launch(): Promise<{ browser: Browser; profile: string; close(): Promise<void> }> {
  // playwright-core refuses `--user-data-dir` in launch(): it gives every launch a fresh
  // temporary profile of its own; TMPDIR points it at a directory this run owns and removes
  const profile = mkdtempSync(join(tmpdir(), 'gozcu-chromium-'));
  const browser = await chromium.launch({
    env: { ...process.env, TMPDIR: profile },
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    profile,
    async close() {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A 1920×1080 screenshot under test-results/screenshots/. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** With GOZCU_UPDATE_SCREENSHOTS=1, copies the run's screenshots to docs/screenshots/ (the README shows them). */
export function publishScreenshots(): void {
  if (process.env.GOZCU_UPDATE_SCREENSHOTS !== '1' || !existsSync(SCREENSHOTS)) return;
  mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
  for (const f of readdirSync(SCREENSHOTS)) if (f.endsWith('.png')) copyFileSync(join(SCREENSHOTS, f), join(DOCS_SCREENSHOTS, f));
}

/** Polls `probe` until it returns a value `ok` accepts; the last value is in the error. */
export async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let delay = 50;
  for (;;) {
    last = await probe();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(400, delay * 2);
  }
}
