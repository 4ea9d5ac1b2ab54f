/**
 * The scale-out rehearsal (`npm run test:scaleout`): the topology of docker-compose.yml on
 * loopback. nginx in front of two API/gateway nodes (YSK_WORKER=false), one worker node polling
 * the simulator, the MongoDB-wire store (FerretDB, or MONGO_URL) and Redis. Dashboard sockets
 * connect through nginx; one API node is killed mid-night, its sockets reconnect to the other
 * with no sequence gap, every wall keeps the API's numbers; the killed node restarts and catches up.
 * As in compose, every node has the same DATA_DIR (one volume) and trusts the balancer (TRUST_PROXY).
 * Besides the sockets, the real dashboard in Chromium (Debian's) is served and fed through nginx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { BoxCounters, Coverage, RoomDelta, RoomSnapshot } from '@gozcu/shared';
import type { RunningSimulator } from '../../server/src/simulator/server';
import { freePort } from '../support/app';
import { ADMIN_PASSWORD, login, type Session } from '../support/auth';
import { connect, subscribe, type LiveSocket } from '../support/live';
import { REPO_ROOT } from '../support/paths';
import { eventually, startSmallNight, truth } from '../support/sim';
import { Redis } from 'ioredis';
import { startNginx, type RunningNginx } from './nginx';
import { launch } from '../browser/harness';

const MONGO = process.env.GOZCU_TEST_MONGO_URL;
const ELECTION = `scale${process.pid}`;
const JWT_SECRET = 'scaleout-rehearsal-jwt-secret-0123456789abcdef';
const ROOM = 'country';
/** counter id on the dashboard's wall → field of `coverage.boxes` (as test/browser/wall.test.ts) */
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

function wallCounters(page: Page): Promise<Record<string, number | null>> {
  return page.evaluate((ids) => {
    const out: Record<string, number | null> = {};
    for (const id of ids) {
      const v = document.querySelector(`[data-testid="counter-${id}"]`)?.getAttribute('data-value');
      out[id] = v == null || v === '' ? null : Number(v);
    }
    return out;
  }, Object.keys(COUNTERS));
}

/** the real per-client login limit: the nodes count every client's attempts together, in Redis */
const LOGIN_LIMIT = 20;

interface Node {
  name: string;
  port: number;
  env: Record<string, string>;
  proc: ChildProcess | null;
  url: string;
}

/** What a wall shows and the API answers, without the time it was taken. */
function figures(c: Coverage) {
  const boxes = Object.fromEntries(Object.entries(c.boxes).filter(([k]) => !/stale/i.test(k)));
  return { boxes, votes: c.votes, registered: c.registered, voted: c.voted, valid: c.valid, invalid: c.invalid };
}

/** A dashboard through the balancer: its room's seq and figures, every sequence gap it saw. */
class Wall {
  seq = -1;
  coverage: Coverage | null = null;
  readonly gaps: string[] = [];
  disconnectedAt: number | null = null;
  /** ms from losing its node to a fresh snapshot from the other one */
  failovers: number[] = [];
  constructor(
    readonly name: string,
    readonly socket: LiveSocket,
  ) {
    socket.on('delta', (d: RoomDelta) => {
      if (d.room !== ROOM) return;
      if (d.seq !== this.seq + 1) this.gaps.push(`${name}: delta ${d.seq} after ${this.seq}`);
      this.seq = d.seq;
      this.coverage = d.coverage;
    });
    socket.on('disconnect', () => {
      this.disconnectedAt ??= Date.now();
    });
    socket.io.on('reconnect', () => void this.resubscribe());
  }
  async resubscribe(): Promise<void> {
    const ack = await subscribe(this.socket, ROOM, 2);
    if (!ack.ok) throw new Error(`${this.name}: subscribe refused: ${ack.msg}`);
    this.take(ack.data);
    if (this.disconnectedAt !== null) {
      this.failovers.push(Date.now() - this.disconnectedAt);
      this.disconnectedAt = null;
    }
  }
  take(s: RoomSnapshot): void {
    this.seq = s.seq;
    this.coverage = s.coverage;
  }
}

describe('scale-out rehearsal: nginx, two API nodes, a worker, FerretDB, Redis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gozcu-scaleout-'));
  let sim: RunningSimulator;
  let nginx: RunningNginx;
  const nodes: Node[] = [];
  const walls: Wall[] = [];
  let chrome: Awaited<ReturnType<typeof launch>> | null = null;

  function start(node: Node): Promise<void> {
    const proc = spawn(process.execPath, [join(REPO_ROOT, 'server', 'dist', 'main.js')], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...node.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    node.proc = proc;
    return new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${node.name} did not start: ${out}`)), 60_000);
      proc.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('Gözcü is running')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.stderr!.on('data', (d) => (out += d));
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${node.name} exited ${code}: ${out.slice(-4000)}`));
      });
    });
  }

  /** one admin session per address (the login limit is real here), signed in again when refused */
  const sessions = new Map<string, Session>();
  async function adminAt(url: string, fresh = false): Promise<Session> {
    let s = sessions.get(url);
    if (!s || fresh) sessions.set(url, (s = await login(url, 'admin', ADMIN_PASSWORD)));
    return s;
  }

  async function coverageOf(url: string): Promise<Coverage> {
    let res = await (await adminAt(url)).get('/api/coverage?ballot=2');
    if (res.status === 401) res = await (await adminAt(url, true)).get('/api/coverage?ballot=2');
    if (res.status !== 200) throw new Error(`coverage from ${url}: ${res.status}`);
    return res.body as Coverage;
  }

  beforeAll(async () => {
    if (!MONGO) throw new Error('no MongoDB-wire server: run through npm run test:scaleout (scripts/with-ferretdb.mjs) or set MONGO_URL');
    if (!process.env.REDIS_URL) throw new Error('no REDIS_URL: run through npm run test:scaleout (scripts/with-redis.mjs)');
    sim = await startSmallNight({ election: ELECTION, plates: [69], ballots: [2], revisionRate: 0.08 });
    const mongoUrl = MONGO.replace(/\/(\?|$)/, `/gozcu_${ELECTION}$1`);
    const common = {
      MONGO_URL: mongoUrl,
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      YSK_PROVINCES: '69',
      YSK_BASE_URL: sim.apiUrl,
      JWT_SECRET,
      VOTER_HMAC_SECRET: 'scaleout-rehearsal-voter-secret-0123456789',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      TRUST_PROXY: 'loopback',
      LOGIN_RATE_LIMIT: String(LOGIN_LIMIT),
      LIVE_BATCH_MS: '100',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.SCALEOUT_LOG_LEVEL ?? 'warn',
      NODE_ENV: 'production',
    };
    for (const [name, worker] of [
      ['worker', true],
      ['api-a', false],
      ['api-b', false],
    ] as const) {
      const port = await freePort();
      // one DATA_DIR for every node, like compose's gozcu-data volume
      const env: Record<string, string> = { ...common, PORT: String(port), DATA_DIR: join(dir, 'data'), YSK_WORKER: String(worker) };
      if (worker)
        Object.assign(env, {
          YSK_POLL_INTERVAL_MS: '300',
          YSK_MAX_RPS: '200',
          YSK_TIMEOUT_MS: '2000',
          YSK_BACKOFF_BASE_MS: '20',
          YSK_BACKOFF_CAP_MS: '400',
          YSK_MAX_ATTEMPTS: '50',
        });
      nodes.push({ name, port, env, proc: null, url: `http://127.0.0.1:${port}` });
    }
    // the worker first (it creates the indexes and seeds the admin), then the API nodes
    await start(nodes[0]);
    await Promise.all(nodes.slice(1).map(start));
    nginx = await startNginx({ dir: join(dir, 'nginx'), port: await freePort(), upstreams: [nodes[1].port, nodes[2].port] });
  }, 180_000);

  afterAll(async () => {
    for (const w of walls) w.socket.close();
    await chrome?.close();
    await nginx?.stop();
    await Promise.all(
      nodes.map(
        (n) =>
          new Promise<void>((resolve) => {
            if (!n.proc || n.proc.exitCode !== null || n.proc.signalCode) return resolve();
            n.proc.once('exit', () => resolve());
            n.proc.kill('SIGTERM');
          }),
      ),
    );
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function advance(ms: number): Promise<void> {
    const res = await fetch(`${sim.url}/_admin/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: ms }),
    });
    if (!res.ok) throw new Error(`clock: ${res.status}`);
  }

  /** Every box-result YSK shows now is counted by this node's API. */
  async function caughtUp(url: string): Promise<string | null> {
    const now = (await truth(sim, 'now')).filter((b) => b.versions.length > 0);
    const c = await coverageOf(url);
    return c.boxes.yskPublished === now.length ? null : `${url}: ${c.boxes.yskPublished} of ${now.length} published boxes counted`;
  }

  it('every node signs Web Push with the same VAPID pair, so any node may deliver to a browser that subscribed through another', async () => {
    const keys = new Set<string>();
    for (const url of [...nodes.map((n) => n.url), nginx.url, nginx.url]) {
      const res = await (await adminAt(url)).get('/api/alerts/push/key');
      expect(res.status).toBe(200);
      keys.add(res.body.publicKey);
    }
    expect(keys.size).toBe(1);
  });

  it('API-only nodes report the feed health of the worker (from shared state, not their own idle memory)', async () => {
    const healthAt = async (url: string) => {
      let res = await (await adminAt(url)).get('/api/feed/health');
      if (res.status === 401) res = await (await adminAt(url, true)).get('/api/feed/health');
      expect(res.status).toBe(200);
      return res.body as { overall: string; source?: string; reportedBy?: string; lags: Array<{ province: number }> };
    };
    const worker = nodes[0]!;
    await eventually(
      async () => {
        const want = await healthAt(worker.url);
        for (const n of [nodes[1]!, nodes[2]!]) {
          const got = await healthAt(n.url);
          if (got.overall !== want.overall || !got.reportedBy || got.lags.length === 0)
            return `${n.name}: ${JSON.stringify(got).slice(0, 300)} vs the worker's ${want.overall}`;
        }
        return null;
      },
      20_000,
      250,
    );
  });

  it('behind nginx the login limits count each real client (TRUST_PROXY), across both API nodes (counters in Redis)', async () => {
    /** failed sign-ins through nginx; `account` names one account for every attempt, else each has its own */
    async function attempts(client: string, n: number, account?: string): Promise<number[]> {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) {
        const res = await fetch(`${nginx.url}/api/auth/login`, {
          method: 'POST',
          // what a client sends; nginx appends the address it came from (loopback, trusted)
          headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
          body: JSON.stringify({ username: account ?? `nobody${i}`, password: 'wrong-password-123' }),
        });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
      return statuses;
    }
    // round-robin: half of these reach each node, so a count per node would allow twice as many
    // the address limit (LOGIN_RATE_LIMIT a minute)
    expect(await attempts('198.51.100.7', LOGIN_LIMIT + 1)).toEqual([...Array<number>(LOGIN_LIMIT).fill(401), 429]);
    expect(await attempts('198.51.100.8', 2)).toEqual([401, 401]);
    // the failures of one address at one account (LOGIN_MAX_FAILURES, default 5) hold that address off it, not others
    expect(await attempts('198.51.100.9', 6, 'admin')).toEqual([401, 401, 401, 401, 401, 429]);
    expect(await attempts('198.51.100.10', 1, 'admin')).toEqual([401]);
    // the test's own client (no forwarded address) is not the one that was limited
    expect((await login(nginx.url, 'admin', ADMIN_PASSWORD)).token).toBeTruthy();
  });

  it('fails over a killed API node with no sequence gap, keeps every wall equal to the API, and catches the node up', async () => {
    const session = await adminAt(nginx.url);
    // the dashboard allows polling after websocket: two walls poll only (every request of a
    // polling session must reach the node that holds it: nginx's ip_hash upstream)
    for (let i = 0; i < 6; i++) {
      const transport = i < 4 ? 'websocket' : 'polling';
      const socket = await connect(nginx.url, session.token, [transport]);
      const wall = new Wall(`wall${i}-${transport}`, socket);
      await wall.resubscribe();
      walls.push(wall);
    }
    // and the war room itself: the dashboard, from nginx, signed in through its login screen
    chrome = await launch();
    const page = await (await chrome.browser.newContext({ viewport: { width: 1600, height: 900 }, locale: 'tr-TR', timezoneId: 'Europe/Istanbul' })).newPage();
    let pageSockets = 0;
    page.on('websocket', () => pageSockets++);
    page.on('pageerror', (e) => process.stdout.write(`[browser] page error: ${e.message}\n`));
    await page.goto(`${nginx.url}/`);
    await page.fill('[data-testid="login-username"]', 'admin');
    await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="view-country"]');
    await page.waitForSelector('[data-testid="live-state"][data-connected="true"]');
    const step = 20 * 60_000;
    // the first half of the night
    for (let i = 0; i < 6; i++) {
      await advance(step);
      await new Promise((r) => setTimeout(r, 700));
    }
    // kill one API node mid-night, while the worker keeps ingesting
    const victim = nodes[1];
    const killedAt = Date.now();
    const pageSocketsBeforeKill = pageSockets;
    victim.proc!.kill('SIGKILL');
    await new Promise((r) => victim.proc!.once('exit', r));
    for (let i = 0; i < 4; i++) {
      await advance(step);
      await new Promise((r) => setTimeout(r, 700));
    }
    const moved = walls.filter((w) => w.failovers.length > 0 || w.disconnectedAt !== null);
    await eventually(
      async () => (walls.every((w) => w.disconnectedAt === null) ? null : `${walls.filter((w) => w.disconnectedAt !== null).length} walls still reconnecting`),
      30_000,
    );
    expect(moved.length).toBeGreaterThan(0);
    const failoverGap = Math.max(...moved.flatMap((w) => w.failovers));

    // the killed node comes back and catches up
    const restartedAt = Date.now();
    await start(victim);
    const bootMs = Date.now() - restartedAt;
    await eventually(() => caughtUp(victim.url), 60_000, 200);
    // ...to the same figures as the node that never stopped
    await eventually(async () => {
      const [a, b] = [JSON.stringify(figures(await coverageOf(victim.url))), JSON.stringify(figures(await coverageOf(nodes[2].url)))];
      return a === b ? null : `restarted node ${a} differs from ${b}`;
    }, 30_000);
    const catchUpMs = Date.now() - restartedAt;

    // the rest of the night, with two Redis blips: every node's connections are cut while the worker ingests
    const admin = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
    let cut = 0;
    for (let i = 0; i < 12; i++) {
      await advance(step);
      if (i === 3 || i === 7) {
        for (const type of ['normal', 'pubsub']) cut += Number(await admin.call('CLIENT', 'KILL', 'TYPE', type));
      }
      await new Promise((r) => setTimeout(r, 400));
    }
    admin.disconnect();
    expect(cut).toBeGreaterThan(0);
    for (const n of nodes) await eventually(() => caughtUp(n.url), 90_000, 250);
    // quiet: every node's API, the balancer's and every wall show the same figures
    let api = figures(await coverageOf(nginx.url));
    const converged = async (): Promise<string | null> => {
      api = figures(await coverageOf(nginx.url));
      for (const n of nodes) if (JSON.stringify(figures(await coverageOf(n.url))) !== JSON.stringify(api)) return `${n.name} differs from the balancer's API`;
      const off = walls.filter((w) => JSON.stringify(figures(w.coverage!)) !== JSON.stringify(api));
      if (off.length) return `${off.map((w) => w.name).join(', ')} differ from the API`;
      const want = Object.fromEntries(Object.entries(COUNTERS).map(([id, f]) => [id, (api.boxes as Record<string, number>)[f] ?? null]));
      const shown = await wallCounters(page);
      if (!(await page.getAttribute('[data-testid="live-state"]', 'data-connected'))?.includes('true')) return 'the dashboard is not connected';
      return JSON.stringify(shown) === JSON.stringify(want)
        ? null
        : `the dashboard in Chromium shows ${JSON.stringify(shown)}, the API ${JSON.stringify(want)}`;
    };
    await eventually(converged, 30_000, 300);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await converged()).toBeNull();
    for (const n of nodes) expect(figures(await coverageOf(n.url))).toEqual(api);
    expect(walls.flatMap((w) => w.gaps)).toEqual([]);
    expect(api.boxes).toBeDefined();

    process.stdout.write(
      [
        '',
        'scale-out rehearsal (1 province, ballot 2; nginx → 2 API nodes, 1 worker, FerretDB/Mongo, Redis):',
        `  walls moved off the killed node: ${moved.length} of ${walls.length} (${moved.map((w) => w.name).join(', ')})`,
        `  failover gap (node killed → fresh snapshot from the other node, worst wall): ${failoverGap} ms`,
        `  kill → restart of the node: ${restartedAt - killedAt} ms`,
        `  catch-up of the restarted node (start → same figures as the others): ${catchUpMs} ms (of which boot to listening: ${bootMs} ms)`,
        `  Redis blips: 2 (${cut} connections cut); afterwards every node, the API and every wall equal`,
        `  sequence gaps seen by any wall: ${walls.flatMap((w) => w.gaps).length}`,
        `  reconnections per wall: ${walls.map((w) => `${w.name} ${w.failovers.length}`).join(', ')}`,
        `  the dashboard in Chromium (through nginx): counters equal the API at the end; websockets it opened: ${pageSocketsBeforeKill} before the kill, ${pageSockets - pageSocketsBeforeKill} after`,
        '',
      ].join('\n'),
    );
  }, 400_000);
});
