/* A national election night against the simulator: the server runs as a child process (its RSS is
 * its own), the simulator in this process on a clock 30× faster than the wall, answering 429
 * above 150 requests/s, with no conditional requests (no ETag, never 304) and with faults along
 * the way. Measures publish → stored lag from the simulator's truth, requests and KiB per
 * detected change (Gözcü, and naive whole-list polling estimated from the same truth), peak
 * server RSS, and how long after the night's end the store equals the truth.
 *
 * Size knobs (env):
 *   BENCH_FEED_NATIONAL_PROVINCES  plate codes or "all" (default all)
 *   BENCH_FEED_NATIONAL_SPEED      night compression (default 30: six hours in twelve minutes)
 *   BENCH_FEED_NATIONAL_FRACTION   the part of the six-hour night to run (default 1)
 *   BENCH_FEED_NATIONAL_BOX_SCALE  boxes per district relative to the real 2014 counts (default 0.98: ~171,000 boxes nationally)
 *   BENCH_FEED_NATIONAL_POLL_MS    YSK_POLL_INTERVAL_MS (default 6000)
 *   BENCH_FEED_NATIONAL_RPS        YSK_MAX_RPS, Gözcü's cap (default 140)
 *   BENCH_FEED_NATIONAL_SIM_RPS    the simulator's 429 threshold (default 150)
 *   BENCH_FEED_NATIONAL_FAULTS     0 = no faults (default 1)
 *   BENCH_FEED_NATIONAL_CONCURRENCY YSK_CONCURRENCY (default 16)
 *   BENCH_FEED_NATIONAL_GZIP       1 = the simulator gzips its answers (bytes then counted on the wire, decoded beside them)
 *   BENCH_FEED_NATIONAL_PROFILE    a directory: the server writes a V8 CPU profile there (--cpu-prof)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sheetHash, type BallotCode } from '@gozcu/shared';
import { SimClock } from '../../server/src/simulator/clock';
import { NIGHT_MS } from '../../server/src/simulator/curve';
import type { FaultSpec } from '../../server/src/simulator/faults';
import { buildGeography, sharedDataDir } from '../../server/src/simulator/geography';
import { startSimulator } from '../../server/src/simulator/server';
import { SyntheticWorld } from '../../server/src/simulator/synthetic';
import { SheetCodec } from '../../server/src/modules/store/sqlite.store';
import { freePort } from '../support/app';
import { REPO_ROOT } from '../support/paths';
import { NIGHT_START } from '../support/sim';
import { percentile, printTable, recordFigure } from './table';

const env = (name: string, fallback: string) => process.env[`BENCH_FEED_NATIONAL_${name}`] ?? fallback;
const BALLOT: BallotCode = 2;
const ADMIN_PASSWORD = 'bench-admin-password-0001';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function run(): Promise<void> {
  const platesEnv = env('PROVINCES', 'all');
  const plates = platesEnv === 'all' ? Array.from({ length: 81 }, (_, i) => i + 1) : platesEnv.split(',').map(Number);
  const speed = Number(env('SPEED', '30'));
  const fraction = Number(env('FRACTION', '1'));
  const pollMs = Number(env('POLL_MS', '6000'));
  const rps = Number(env('RPS', '140'));
  const simRps = Number(env('SIM_RPS', '150'));
  const withFaults = env('FAULTS', '1') !== '0';
  const gzip = env('GZIP', '0') === '1';
  const concurrency = env('CONCURRENCY', '16');
  const election = `national${process.pid}`;
  const seed = 2014;

  const geography = buildGeography({ plates, seed, dataDir: sharedDataDir(), boxScale: Number(env('BOX_SCALE', '0.98')) });
  const world = new SyntheticWorld({ geography, seed, electionId: election, ballots: [BALLOT], nightStart: NIGHT_START, revisionRate: 0.02 });
  const clock = new SimClock({ start: NIGHT_START - 3_600_000, mode: 'manual' });
  const sim = await startSimulator({ clock, world, latencyMs: 20, etag: false, maxRps: simRps, gzip, host: '127.0.0.1', port: 0 });
  const engine = sim.engine!;
  const nightEnd = NIGHT_START + Math.round(NIGHT_MS * fraction);
  const wallNight = (nightEnd - NIGHT_START) / speed;

  const dataDir = mkdtempSync(join(tmpdir(), 'gozcu-national-'));
  const port = await freePort();
  const serverEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    YSK_BASE_URL: sim.apiUrl,
    YSK_ELECTION_ID: election,
    YSK_BALLOT_TYPES: String(BALLOT),
    YSK_PROVINCES: plates.join(','),
    YSK_POLL_INTERVAL_MS: String(pollMs),
    YSK_MAX_RPS: String(rps),
    YSK_CONCURRENCY: concurrency,
    YSK_TIMEOUT_MS: '5000',
    YSK_BACKOFF_BASE_MS: '250',
    YSK_BACKOFF_CAP_MS: '5000',
    YSK_MAX_ATTEMPTS: '20',
    GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
    STALE_AFTER_MINUTES: '600',
  };
  const profile = process.env.BENCH_FEED_NATIONAL_PROFILE;
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const server: ChildProcess = spawn(process.execPath, [...nodeArgs, join(REPO_ROOT, 'server', 'dist', 'main.js')], {
    env: serverEnv,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssOf(server.pid!))), 500);
  let token = '';
  const api = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the bench reads a few fields of several responses
    return res.json() as Promise<Record<string, any>>;
  };
  let ticker: NodeJS.Timeout | undefined;
  const faultTimers: NodeJS.Timeout[] = [];
  try {
    await waitFor('the server to listen', async () => (await fetch(`${base}/healthz`)).status < 500, 60_000);
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    token = ((await login.json()) as { accessToken: string }).accessToken;
    // warm-up before the polls close: discovery, column maps, the first aggregate sweeps
    await waitFor('the first sweeps of every province', async () => ((await api('/api/feed/health')).totals?.aggregateCalls ?? 0) >= plates.length, 180_000);
    const warm = { ...sim.traffic };
    const rssWarm = rssOf(server.pid!);

    // the night, `speed` times faster than the wall clock
    const wallStart = Date.now();
    const simAt = (wall: number) => Math.min(nightEnd, NIGHT_START + (wall - wallStart) * speed);
    clock.set(NIGHT_START);
    ticker = setInterval(() => {
      const at = simAt(Date.now());
      if (at > clock.now()) clock.set(at);
    }, 50);
    if (withFaults) {
      const faults: FaultSpec[] = [
        { kind: 'http5xx', count: 40 },
        { kind: 'latency', count: 60, factor: 20 },
        { kind: 'timeout', count: 6 },
        { kind: 'http429', count: 6, retryAfter: 2 },
        { kind: 'truncated', count: 8, endpoints: ['getSecimSandikSonucList'] },
        { kind: 'malformed', count: 6 },
        { kind: 'drift', count: 4, endpoints: ['getSecimSandikSonucList'], wrongType: 'gecerli_OY_TOPLAMI' },
      ];
      const every = Math.max(5_000, wallNight / 30);
      for (let t = every, i = 0; t < wallNight; t += every, i++) faultTimers.push(setTimeout(() => sim.faults.add(faults[i % faults.length]!, clock.now()), t));
    }
    const samples: Array<{ t: number; health: string; requests: number }> = [];
    const heap = { used: 0, total: 0 };
    const metric = (text: string, name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? 0) / 1048576;
    while (Date.now() - wallStart < wallNight) {
      await sleep(5_000);
      const h = await api('/api/feed/health').catch(() => null);
      samples.push({ t: Date.now() - wallStart, health: h?.overall ?? '?', requests: sim.traffic.requests });
      const m = await fetch(`${base}/metrics`)
        .then((r) => r.text())
        .catch(() => '');
      heap.used = Math.max(heap.used, metric(m, 'gozcu_nodejs_heap_size_used_bytes'));
      heap.total = Math.max(heap.total, metric(m, 'gozcu_nodejs_heap_size_total_bytes'));
    }
    clock.set(nightEnd);
    clearInterval(ticker);
    const endWall = wallStart + wallNight;

    // the truth as of the night's end, and convergence
    const truth = [...engine.truth({ asOf: nightEnd, ballot: BALLOT })];
    const want = new Map(truth.map((b) => [b.key, b]));
    const db = new Database(join(dataDir, 'gozcu.sqlite'), { readonly: true, fileMustExist: true });
    // read from the versions themselves (the server folds its boxes rows into the file later): a box's latest is its highest seq
    const ofElection = [`${election}:`, `${election};`] as const;
    const latestQ = db.prepare<[string, string], { key: string; v: number | null }>(
      `SELECT key, ysk_version AS v, MAX(seq) AS seq FROM box_versions WHERE key >= ? AND key < ? GROUP BY key`,
    );
    const codec = new SheetCodec(db);
    const behind = () => {
      const got = new Map(latestQ.all(...ofElection).map((r) => [r.key, r.v]));
      let n = 0;
      for (const [key, b] of want) if (got.get(key) !== b.versions.at(-1)!.versiyon) n++;
      return n;
    };
    let convergedAfter: number | null = null;
    let left = behind();
    const deadline = endWall + 120_000;
    while (left > 0 && Date.now() < deadline) {
      await sleep(1_000);
      left = behind();
    }
    if (left === 0) convergedAfter = (Date.now() - endWall) / 1000;
    else {
      const got = new Map(latestQ.all(...ofElection).map((r) => [r.key, r.v]));
      const stuck = [...want.values()].filter((b) => got.get(b.key) !== b.versions.at(-1)!.versiyon).slice(0, 5);
      for (const b of stuck)
        process.stdout.write(
          `[national] behind: ${b.key} stored ${got.get(b.key) ?? 'none'}, YSK ${b.versions.map((v) => `${v.versiyon}@${v.at}`).join(', ')}\n`,
        );
    }
    await sleep(1_000);

    // exact: every box's latest sheet equals YSK's; versions and lag from the truth
    const rows = db
      .prepare<[string, string], { key: string; v: number | null; fetched: string; sheet: Buffer | string; seq: number }>(
        `SELECT key, ysk_version AS v, fetched_at AS fetched, sheet, seq FROM box_versions WHERE key >= ? AND key < ?`,
      )
      .all(...ofElection);
    const latestSeq = new Map<string, number>();
    for (const r of rows) latestSeq.set(r.key, Math.max(latestSeq.get(r.key) ?? 0, r.seq));
    const stored = new Map<string, Map<number, number>>();
    let exact = 0;
    for (const r of rows) {
      let m = stored.get(r.key);
      if (!m) stored.set(r.key, (m = new Map()));
      m.set(r.v ?? 0, Date.parse(r.fetched));
      if (r.seq === latestSeq.get(r.key)) {
        const t = want.get(r.key);
        if (t && sheetHash(codec.decode(r.sheet)) === sheetHash(t.versions.at(-1)!.sheet)) exact++;
      }
    }
    const lags: number[] = [];
    let missedVersions = 0;
    let truthVersions = 0;
    const wallOf = (simMs: number) => wallStart + (simMs - NIGHT_START) / speed;
    for (const b of truth) {
      for (const v of b.versions) {
        truthVersions++;
        const at = stored.get(b.key)?.get(v.versiyon);
        if (at === undefined) missedVersions++;
        else lags.push(Math.max(0, at - wallOf(Date.parse(v.at))) / 1000);
      }
    }
    lags.sort((a, b) => a - b);
    const revisedInTruth = truth.filter((b) => b.versions.length > 1).length;
    const coverage = await api(`/api/coverage?ballot=${BALLOT}`).catch(() => null);
    const health = await api('/api/feed/health').catch(() => null);
    db.close();

    // politeness: what went over the wire during the night (server side: every call, 429s included)
    const changes = rows.length;
    const requests = sim.traffic.requests - warm.requests;
    const bytes = sim.traffic.bytes - warm.bytes;
    const decoded = sim.traffic.decodedBytes - warm.decodedBytes;
    // naive whole-list polling at the same interval (every district, every interval, unconditionally), estimated from the truth
    const districts = geography.districts.length;
    const sample = engine.resultRows(BALLOT, { district: geography.districts[0]!.id }, nightEnd + 40 * NIGHT_MS);
    const rowBytes = JSON.stringify(sample).length / sample.length;
    const published = truth.map((b) => Date.parse(b.versions[0]!.at)).sort((a, b) => a - b);
    const ticks = Math.ceil((nightEnd - NIGHT_START) / (pollMs * speed)) + Math.ceil(((convergedAfter ?? 60) * 1000) / pollMs);
    let naiveRows = 0;
    for (let k = 1, i = 0; k <= ticks; k++) {
      const t = Math.min(nightEnd, NIGHT_START + k * pollMs * speed);
      while (i < published.length && published[i]! <= t) i++;
      naiveRows += i + districts; // the published rows, plus each list's aggregate row
    }
    const naive = { requests: ticks * districts, bytes: naiveRows * rowBytes };
    // naive at the simulator's cap: whole lists back to back at 150 requests/s
    const sweepAtCapS = districts / simRps;

    const size = `${plates.length} provinces, ${districts} districts, ${world.boxCount.toLocaleString('en-US')} boxes, one ballot type; ${speed}× night (${(wallNight / 60_000).toFixed(1)} min of ${fraction === 1 ? 'the whole' : `${fraction} of the`} six-hour night); poll ${pollMs} ms, cap ${rps} req/s, simulator 429 above ${simRps} req/s, no ETags${gzip ? ', gzip' : ''}${withFaults ? ', faults' : ''}`;
    printTable(`National night: publish → stored (${size})`, [
      {
        'versions (truth)': truthVersions,
        stored: changes,
        missed: missedVersions,
        'lag p50 s': +percentile(lags, 50).toFixed(2),
        'lag p95 s': +percentile(lags, 95).toFixed(2),
        'lag p99 s': +percentile(lags, 99).toFixed(2),
        'target p95 s': (pollMs + 1000) / 1000,
        'converged s after end': convergedAfter ?? `no (${left} behind)`,
        'exact sheets': `${exact}/${truth.length}`,
        'revised (truth)': revisedInTruth,
        'altered (API)': coverage?.boxes?.altered ?? '?',
      },
    ]);
    printTable('National night: requests and bytes per detected change', [
      {
        poller: `Gözcü (aggregates, ranges, bisection; no ETags${gzip ? '; gzip on the wire' : ''})`,
        requests,
        MiB: +(bytes / 1048576).toFixed(1),
        changes,
        'requests/change': +(requests / changes).toFixed(3),
        'KiB/change': +(bytes / 1024 / changes).toFixed(2),
        '429 answers': sim.traffic.throttled - warm.throttled,
      },
      ...(gzip
        ? [
            {
              poller: 'Gözcü, the same answers decoded',
              requests,
              MiB: +(decoded / 1048576).toFixed(1),
              changes,
              'requests/change': +(requests / changes).toFixed(3),
              'KiB/change': +(decoded / 1024 / changes).toFixed(2),
              '429 answers': '–',
            },
          ]
        : []),
      {
        poller: `naive whole lists every ${pollMs / 1000} s (estimated; needs ${Math.round(districts / (pollMs / 1000))} req/s)`,
        requests: naive.requests,
        MiB: +(naive.bytes / 1048576).toFixed(1),
        changes,
        'requests/change': +(naive.requests / changes).toFixed(3),
        'KiB/change': +(naive.bytes / 1024 / changes).toFixed(2),
        '429 answers': '–',
      },
      {
        poller: `naive at ${simRps} req/s (a whole sweep every ${sweepAtCapS.toFixed(1)} s)`,
        requests: '–',
        MiB: '–',
        changes: '–',
        'requests/change': '–',
        'KiB/change': '–',
        '429 answers': '–',
      },
    ]);
    const feedTotals = health?.totals ?? {};
    printTable('National night: the server', [
      {
        'peak RSS MB': Math.round(peakRss),
        'RSS after warm-up MB': Math.round(rssWarm),
        'target MB': 500,
        'peak heap used / total MB': `${Math.round(heap.used)} / ${Math.round(heap.total)}`,
        'aggregate calls': feedTotals.aggregateCalls ?? '?',
        'box lists': feedTotals.boxListCalls ?? '?',
        probes: feedTotals.probeCalls ?? '?',
        'whole lists': feedTotals.wholeLists ?? '?',
        'health states seen': [...new Set(samples.map((s) => s.health))].join(', '),
      },
    ]);
    const r3 = (v: number) => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 : v);
    const note = `national feed bench: ${size}`;
    recordFigure('feed_national_lag_p50', { value: r3(percentile(lags, 50)), unit: 's', note });
    recordFigure('feed_national_lag_p95', { value: r3(percentile(lags, 95)), unit: 's', target: (pollMs + 1000) / 1000, note });
    recordFigure('feed_national_lag_p99', { value: r3(percentile(lags, 99)), unit: 's', note });
    // null (printed as not measured) when the store never equalled the truth
    recordFigure('feed_national_converged_after_end', {
      value: convergedAfter,
      unit: 's',
      target: 60,
      note: convergedAfter === null ? `did not converge (${left} behind); ${note}` : note,
    });
    recordFigure('feed_national_kib_per_change', {
      value: r3(bytes / 1024 / changes),
      unit: 'KiB',
      target: 5,
      note: `naive whole-list polling: ${r3(naive.bytes / 1024 / changes)} KiB/change; ${note}`,
    });
    recordFigure('feed_national_decoded_kib_per_change', { value: r3(decoded / 1024 / changes), unit: 'KiB', note: `after gzip decoding; ${note}` });
    recordFigure('feed_national_requests_per_change', { value: r3(requests / changes), unit: 'requests', note });
    recordFigure('feed_national_naive_kib_per_change', {
      value: r3(naive.bytes / 1024 / changes),
      unit: 'KiB',
      note: `naive whole lists every ${pollMs / 1000} s, estimated from the truth; ${note}`,
    });
    recordFigure('feed_national_peak_rss', { value: r3(peakRss), unit: 'MB', target: 500, note: `server child process, one ballot type; ${note}` });
    recordFigure('feed_national_missed_versions', { value: missedVersions, unit: 'versions', target: 0, note });
  } finally {
    clearInterval(ticker);
    clearInterval(rssTimer);
    for (const t of faultTimers) clearTimeout(t);
    server.kill('SIGTERM');
    await Promise.race([new Promise((r) => server.once('exit', r)), sleep(15_000).then(() => server.kill('SIGKILL'))]);
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
