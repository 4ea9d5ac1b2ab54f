/* Restart to healthy with the national store (issue 16: restart_national_healthy_s,
 * server_rss_national_mb). A national SQLite store is written once per run — every box of the
 * synthetic geography (the simulator's world, ~200,000 boxes at the default scale) under four
 * ballot types (~800,000 box-results, their YSK versions with the world's revisions) through
 * SqliteStore.appendVersions, and observer entries for a share of them through
 * appendEntriesAudited — then the real server (`node server/dist/main.js`, as `npm start` runs it)
 * is started against it as a child process, and the time from spawn until GET /healthz answers
 * 200 is measured. Nest listens only once every onApplicationBootstrap hook is done, and the
 * reconciliation's rebuild from the store is one, so a 200 means the rebuild is done; the
 * server's log line "reconciliation rebuilt from the store: N box-results, M entries in X ms"
 * is read and checked against what was written.
 *
 * The server runs as an API-only node (YSK_WORKER=false): no simulator and no poller, so the
 * figure is the restart itself. It is started twice: the first boot after the night writes the
 * stale boxes' escalations (boxes YSK published long ago that no observer entered), the second is
 * the restart the figure reports (a server that ran through the night had written those). The
 * first boot rebuilds from every row and, stopped with SIGTERM, writes the reconciliation's
 * snapshot; the restart restores it (RECONCILE_SNAPSHOT_MINUTES; 0 there measures the full
 * rebuild again). Each boot's national coverage per ballot type is read over the API: the
 * restart's must be the first boot's, or the figure is not recorded.
 *
 * The anchor (floor) is a raw better-sqlite3 read of the same rows in the same run: every box's
 * latest sheet and every entry's sheet, `.raw()` iterated, nothing decoded.
 *
 * Size knobs (env):
 *   BENCH_RESTART_BOX_SCALE     boxes per district relative to the real 2014 counts (default 1.15: ~197,000 boxes)
 *   BENCH_RESTART_ENTERED       share of box-results an observer entered (default 0.8)
 *   BENCH_RESTART_CONFIRMED     share of the entered ones a second observer entered identically (default 0.5)
 *   BENCH_RESTART_TIMEOUT_S     how long a boot may take before the bench gives up (default 300)
 *   BENCH_RESTART_PROFILE       a directory: the server writes a V8 CPU profile there (--cpu-prof)
 *   BENCH_RESTART_KEEP          1 = keep the store's directory (printed) instead of removing it
 *   BENCH_DIR                   where the temporary directory goes (default the OS tmpdir)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BALLOT_CODES, boxKey, sheetHash, versionHash, type BallotCode, type BoxInfo, type Sheet } from '@gozcu/shared';
import { buildGeography, sharedDataDir } from '../../server/src/simulator/geography';
import { hash01 } from '../../server/src/simulator/prng';
import { SyntheticWorld } from '../../server/src/simulator/synthetic';
import { SqliteStore } from '../../server/src/modules/store/sqlite.store';
import type { NewEntry, NewVersion } from '../../server/src/modules/store/store.port';
import { freePort } from '../support/app';
import { login } from '../support/auth';
import { REPO_ROOT } from '../support/paths';
import { printTable, recordFigure, rssMb, type Row } from './table';

const env = (name: string, fallback: string) => process.env[`BENCH_RESTART_${name}`] ?? fallback;
const BALLOTS: BallotCode[] = [2, 3, 4, 6];
export const ELECTION = 'restartbench';
const SEED = 2024;
const BATCH = 5000;
const HOUR = 3_600_000;
/** every wait of the bench is bounded by this */
const BOOT_TIMEOUT_MS = Number(env('TIMEOUT_S', '300')) * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmRSS and VmHWM (the peak) of a process, in MB; 0 once it is gone. */
function memOf(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

const msSince = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/**
 * Writes the national store into `file`: every box × BALLOTS with its versions (the synthetic
 * world's sheets and revisions, the night ending an hour before now), each batch followed by the
 * entries of its boxes.
 */
export async function buildStore(file: string): Promise<{ boxResults: number; versions: number; entries: number; versionsMs: number; entriesMs: number }> {
  const boxScale = Number(env('BOX_SCALE', '1.15'));
  const enteredShare = Number(env('ENTERED', '0.8'));
  const confirmedShare = Number(env('CONFIRMED', '0.5'));
  const plates = Array.from({ length: 81 }, (_, i) => i + 1);
  const geography = buildGeography({ plates, seed: SEED, dataDir: sharedDataDir(), boxScale });
  // the night (six hours) ended an hour ago: YSK published everything, the restart comes after
  const nightStart = Date.now() - 7 * HOUR;
  const world = new SyntheticWorld({ geography, seed: SEED, electionId: ELECTION, ballots: BALLOTS, nightStart, revisionRate: 0.02 });
  const store = new SqliteStore(file);
  await store.init();
  let boxResults = 0;
  let versions = 0;
  let entries = 0;
  let versionsMs = 0;
  let entriesMs = 0;
  try {
    await store.upsertProvinces(geography.provinces.map((p) => ({ plate: p.plate, name: p.name })));
    let pending: NewVersion[] = [];
    let pendingEntries: NewEntry[] = [];
    // each batch of versions, then the entries of its boxes (an observer enters a box after YSK published it)
    const flush = async () => {
      const t0 = process.hrtime.bigint();
      await store.appendVersions(pending);
      versionsMs += msSince(t0);
      versions += pending.length;
      pending = [];
      const t1 = process.hrtime.bigint();
      if (pendingEntries.length) await store.appendEntriesAudited(pendingEntries, () => null);
      entriesMs += msSince(t1);
      entries += pendingEntries.length;
      pendingEntries = [];
    };
    for (const d of geography.districts) {
      for (let k = 0; k < d.boxNos.length; k++) {
        for (const ballot of BALLOTS) {
          const ref = { election: ELECTION, ballot, province: d.plate, district: d.id, boxNo: d.boxNos[k]! };
          const key = boxKey(ref);
          const box: BoxInfo = {
            ...ref,
            key,
            yskBoxId: 10_000_000 + (d.boxBase + k) * 10 + ballot,
            neighbourhood: d.neighbourhoods[d.boxNeighbourhood[k]!]!.id,
          };
          let latest: Sheet | null = null;
          let lastAt = 0;
          for (const v of world.versions(d, k, ballot)) {
            if (v.hidden) continue;
            const sheet = v.sheet as Sheet;
            const meta = { yskVersion: v.versiyon, yskChangedAt: new Date(v.at).toISOString(), changeReason: v.reason };
            lastAt = v.at + 5_000;
            pending.push({ box, key, hash: versionHash({ sheet, ...meta }), sheet, ...meta, fetchedAt: new Date(lastAt).toISOString() });
            latest = sheet;
          }
          boxResults++;
          if (!latest || hash01(SEED, 91, d.boxBase + k, ballot) >= enteredShare) continue;
          // an observer's copy: YSK's figures, or (3 in 100) one vote moved
          const moved = hash01(SEED, 92, d.boxBase + k, ballot) < 0.03;
          const names = Object.keys(latest.votes);
          const sheet: Sheet = moved ? { ...latest, votes: { ...latest.votes, [names[0]!]: latest.votes[names[0]!]! + 1 } } : latest;
          const observers = hash01(SEED, 93, d.boxBase + k, ballot) < confirmedShare ? 2 : 1;
          for (let o = 0; o < observers; o++) {
            const observer = `observer-${d.id}-${d.boxNos[k]}-${o}`;
            pendingEntries.push({
              box,
              key,
              sheet,
              hash: sheetHash(sheet),
              observer,
              source: 'observer',
              idempotencyKey: `${key}:${observer}`,
              createdAt: new Date(Math.min(Date.now() - HOUR / 2, lastAt + (10 + o * 5) * 60_000)).toISOString(),
              warnings: [],
            });
          }
        }
        if (pending.length >= BATCH) await flush();
      }
    }
    await flush();
  } finally {
    await store.close();
  }
  return { boxResults, versions, entries, versionsMs, entriesMs };
}

/** The floor: a raw better-sqlite3 read of the rows the rebuild needs, nothing decoded. Best of 2, ms. */
function rawRead(file: string): { ms: number; boxes: number; entries: number } {
  const db = new Database(file, { readonly: true });
  try {
    let best = Infinity;
    let boxes = 0;
    let entries = 0;
    for (let run = 0; run < 2; run++) {
      const t0 = process.hrtime.bigint();
      boxes = 0;
      entries = 0;
      const b = db
        .prepare(
          `SELECT b.key, b.kind, b.first_published_at, b.first_ysk_version, b.first_change_reason, v.seq, v.sheet, v.fetched_at
         FROM boxes b LEFT JOIN box_versions v ON v.id = b.latest_vid AND b.latest_seq > 0 WHERE b.election = ? ORDER BY b.key`,
        )
        .raw();
      for (const _row of b.iterate(ELECTION)) boxes++;
      const e = db.prepare(`SELECT e.id, e.key, e.sheet, e.observer, e.source, e.created_at FROM entries e ORDER BY e.id`).raw();
      for (const _row of e.iterate()) entries++;
      best = Math.min(best, msSince(t0));
    }
    return { ms: best, boxes, entries };
  } finally {
    db.close();
  }
}

interface Boot {
  healthyMs: number;
  /** the server's log line: a rebuild from the store (entries counted), or a restore from its snapshot (boxes re-read) */
  rebuilt: { boxes: number; entries: number; ms: number } | null;
  restored: { boxes: number; reread: number; ms: number } | null;
  /** the snapshot the server wrote at its SIGTERM (server log), e.g. "1234.5 MB in 2345 ms" */
  snapshotWritten: string | null;
  /** the country's coverage of each ballot type, less its time and stale counts (the same after a rebuild and a restore) */
  coverage: unknown[];
  rssHealthyMb: number;
  rssSettledMb: number;
  peakMb: number;
}

/** Starts the server on `dataDir`, waits for /healthz 200, reads its RSS, stops it. */
export async function boot(dataDir: string, main = join(REPO_ROOT, 'server', 'dist', 'main.js')): Promise<Boot> {
  const port = await freePort();
  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    YSK_ELECTION_ID: ELECTION,
    YSK_BALLOT_TYPES: BALLOTS.join(','),
    YSK_WORKER: 'false',
    YSK_BASE_URL: '',
    GOZCU_ADMIN_PASSWORD: 'bench-admin-password-0001',
    REGISTER_DEMO_SEED: 'false',
  };
  delete serverEnv.MONGO_URL;
  const t0 = process.hrtime.bigint();
  const server: ChildProcess = spawn(
    process.execPath,
    [...(process.env.BENCH_RESTART_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_RESTART_PROFILE}`] : []), main],
    { env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (chunk: Buffer) => {
    log += chunk.toString();
    if (log.length > 1 << 20) log = log.slice(-(1 << 19));
  };
  server.stdout!.on('data', keep);
  server.stderr!.on('data', keep);
  let exited: number | null | undefined;
  const gone = new Promise<void>((resolve) => server.once('exit', (code) => ((exited = code), resolve())));
  let peakMb = 0;
  let result: Omit<Boot, 'snapshotWritten'>;
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, memOf(server.pid!).rss)), 25);
  try {
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    let healthyMs = NaN;
    while (Date.now() < deadline) {
      if (exited !== undefined) throw new Error(`the server exited (${exited}) before it was healthy:\n${log.slice(-4000)}`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5000) }).catch(() => null);
      if (res?.status === 200) {
        healthyMs = msSince(t0);
        await res.arrayBuffer();
        break;
      }
      await res?.arrayBuffer().catch(() => undefined);
      await sleep(20);
    }
    if (!Number.isFinite(healthyMs)) throw new Error(`the server was not healthy within ${BOOT_TIMEOUT_MS} ms:\n${log.slice(-4000)}`);
    const rssHealthyMb = memOf(server.pid!).rss;
    const admin = await login(`http://127.0.0.1:${port}`, 'admin', serverEnv.GOZCU_ADMIN_PASSWORD!);
    const coverage: unknown[] = [];
    for (const ballot of BALLOTS) {
      const res = await admin.get(`/api/coverage?ballot=${ballot}`);
      if (res.status !== 200) throw new Error(`coverage of ballot ${ballot}: ${res.status} ${JSON.stringify(res.body)}`);
      // less its time and what time alone changes: boxes turn stale while the bench goes from one boot to the next
      coverage.push(JSON.parse(JSON.stringify(res.body), (k, v: unknown) => (k === 'asOf' || k === 'stale' ? undefined : v)));
    }
    // a few seconds on: the boot's garbage collected or not, what the node holds while serving
    await sleep(3000);
    const mem = memOf(server.pid!);
    const m = /reconciliation rebuilt from the store: (\d+) box-results, (\d+) entries in (\d+) ms/.exec(log);
    const r = /reconciliation restored from a snapshot: (\d+) box-results, (\d+) boxes re-read from the store in (\d+) ms/.exec(log);
    result = {
      healthyMs,
      rebuilt: m ? { boxes: Number(m[1]), entries: Number(m[2]), ms: Number(m[3]) } : null,
      restored: r ? { boxes: Number(r[1]), reread: Number(r[2]), ms: Number(r[3]) } : null,
      coverage,
      rssHealthyMb,
      rssSettledMb: mem.rss,
      peakMb: Math.max(peakMb, mem.hwm),
    };
  } finally {
    clearInterval(sampler);
    if (exited === undefined) {
      server.kill('SIGTERM');
      const killer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await Promise.race([gone, sleep(15_000)]);
      clearTimeout(killer);
    }
  }
  const written = /reconciliation snapshot written: \d+ box-results, ([\d.]+ MB in \d+ ms)/.exec(log);
  return { ...result, snapshotWritten: written?.[1] ?? null };
}

export async function run(): Promise<void> {
  if (BALLOTS.some((b) => !BALLOT_CODES.includes(b))) throw new Error('unknown ballot type');
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'gozcu-restart-'));
  const keepDir = env('KEEP', '0') === '1';
  const rows: Row[] = [];
  const load = () => loadavg()[0]!.toFixed(2);
  try {
    const file = join(dir, 'gozcu.sqlite');
    const t0 = process.hrtime.bigint();
    const built = await buildStore(file);
    const buildMs = msSince(t0);
    const sizeMb = statSync(file).size / 1048576;
    rows.push({
      step: 'write the national store (once per run)',
      s: buildMs / 1000,
      'box-results': built.boxResults,
      entries: built.entries,
      'RSS MB': '',
      'peak MB': '',
      load: load(),
      note: `${built.versions.toLocaleString('en-US')} versions in ${(built.versionsMs / 1000).toFixed(1)} s, entries in ${(built.entriesMs / 1000).toFixed(1)} s; file ${sizeMb.toFixed(0)} MB; bench RSS ${rssMb()} MB`,
    });
    const floor = rawRead(file);
    rows.push({
      step: 'floor: raw better-sqlite3 read of the same rows',
      s: floor.ms / 1000,
      'box-results': floor.boxes,
      entries: floor.entries,
      'RSS MB': '',
      'peak MB': '',
      load: load(),
      note: 'latest sheet per box-result and every entry, .raw() iterated, nothing decoded',
    });
    const boots: Boot[] = [];
    for (const label of ['first boot after the night (stale escalations written)', 'restart']) {
      const b = await boot(dir);
      boots.push(b);
      rows.push({
        step: label,
        s: b.healthyMs / 1000,
        'box-results': b.rebuilt?.boxes ?? b.restored?.boxes ?? 'no log line',
        entries: b.rebuilt?.entries ?? (b.restored ? 'snapshot' : ''),
        'RSS MB': Math.round(b.rssSettledMb),
        'peak MB': Math.round(b.peakMb),
        load: load(),
        note: `spawn → /healthz 200; ${b.restored ? `restored from the snapshot, ${b.restored.reread} boxes re-read, in ${b.restored.ms}` : `rebuild ${b.rebuilt?.ms ?? '?'}`} ms (server log); RSS at healthy ${Math.round(b.rssHealthyMb)} MB, 3 s later ${Math.round(b.rssSettledMb)} MB; snapshot at SIGTERM: ${b.snapshotWritten ?? 'none'}`,
      });
    }
    const restart = boots[boots.length - 1]!;
    // the restart counts when its state is the whole store's: rebuilt from every row, or restored
    // from the first boot's snapshot with the same coverage as that boot's full rebuild
    const sameCoverage = JSON.stringify(restart.coverage) === JSON.stringify(boots[0]!.coverage);
    if (!sameCoverage)
      process.stderr.write(`coverage after the first boot:\n${JSON.stringify(boots[0]!.coverage)}\nafter the restart:\n${JSON.stringify(restart.coverage)}\n`);
    const complete =
      sameCoverage &&
      (restart.restored
        ? restart.restored.boxes === built.boxResults
        : restart.rebuilt?.boxes === built.boxResults && restart.rebuilt.entries === built.entries);
    const how = restart.restored
      ? `restored from the snapshot in ${restart.restored.ms} ms (${restart.restored.reread} boxes re-read)`
      : `rebuild ${restart.rebuilt?.ms} ms`;
    const size = `${built.boxResults.toLocaleString('en-US')} box-results (4 ballot types), ${built.entries.toLocaleString('en-US')} entries`;
    recordFigure('restart_national_healthy_s', {
      value: complete ? Number((restart.healthyMs / 1000).toFixed(2)) : null,
      unit: 's',
      anchor: Number((floor.ms / 1000).toFixed(2)),
      note: complete
        ? `node server/dist/main.js spawn → /healthz 200 (API-only node, SQLite), ${size}; ${how}, coverage as the first boot's full rebuild; anchor: raw read of the same rows; load ${load()}`
        : `the restart did not hold every box-result and entry (${JSON.stringify(restart.rebuilt ?? restart.restored)} of ${size}; coverage ${sameCoverage ? 'as' : 'unlike'} the first boot's)`,
    });
    recordFigure('server_rss_national_mb', {
      value: Math.round(restart.rssSettledMb),
      unit: 'MB',
      note: `server child VmRSS 3 s after healthy, ${size}; peak during boot ${Math.round(restart.peakMb)} MB (first boot ${Math.round(boots[0]!.peakMb)} MB)`,
    });
    printTable(`Restart to healthy: national SQLite store, ${size}`, rows);
  } finally {
    if (keepDir) process.stdout.write(`store kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
