/**
 * Live layer at scale: one server node (in this process), N concurrent dashboard sockets
 * subscribed to `country` (lean raw-`ws` clients in child processes, so this process's CPU is
 * the server's), one change batch a second. Measures delivery latency from a change's commit to
 * each socket's receipt, deltas received vs expected (seq gap-free per socket), server CPU and
 * memory, and connection setup rate, on a ladder of socket counts.
 *
 * BENCH_SOCKETS=1000,5000,10000  ladder (sockets stay open from step to step)
 * BENCH_LIVE_SECONDS=20          change batches (one a second) per step
 * BENCH_LIVE_BATCH=10            boxes per change batch
 * BENCH_LIVE_WORKERS=2           client processes
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Sheet } from '@gozcu/shared';
import { EntriesService } from '../../server/src/modules/entries/entries.service';
import { LiveHub, rawSocketOf, wsTextFrame } from '../../server/src/modules/live/live.hub';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { startApp } from '../support/app';
import { ADMIN_PASSWORD, login } from '../support/auth';
import { TS_NODE, TS_NODE_ENV } from '../support/paths';
import type { ClientCommand, ClientReply, OpenReply, ReportReply } from './live/client';
import { percentile, printTable, recordFigure, rssMb, type Row } from './table';

const BATCH_MS = 250;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : NaN);

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** One client process and a typed request/reply over its IPC channel. */
class Worker {
  private waiting: ((m: ClientReply) => void)[] = [];
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: ClientReply) => this.waiting.shift()?.(m));
  }
  request<T extends ClientReply>(cmd: ClientCommand): Promise<T> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`client process exited (${code}) during ${cmd.cmd}`));
      this.child.once('exit', onExit);
      this.waiting.push((m) => {
        this.child.off('exit', onExit);
        resolve(m as T);
      });
      this.child.send(cmd);
    });
  }
}

function spawnWorker(): Worker {
  const child = fork(join(__dirname, 'live', 'client.ts'), [], {
    execArgv: TS_NODE,
    env: { ...process.env, ...TS_NODE_ENV },
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Worker(child);
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

export async function run(): Promise<void> {
  const ladder = (process.env.BENCH_SOCKETS ?? '1000,5000,10000').split(',').map((s) => Number(s.trim()));
  const seconds = Number(process.env.BENCH_LIVE_SECONDS ?? 20);
  const batch = Number(process.env.BENCH_LIVE_BATCH ?? 10);
  const workerCount = Number(process.env.BENCH_LIVE_WORKERS ?? 2);
  const election = `livebench${process.pid}`;

  const app = await startApp({
    YSK_ELECTION_ID: election,
    YSK_BALLOT_TYPES: '2',
    // one entry is the box's organisation figure: each commit moves coverage.boxes.entered, which times it
    ENTRY_CONFIRMATIONS: '1',
    GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOGIN_RATE_LIMIT: '100000',
    LIVE_BATCH_MS: String(BATCH_MS),
    LOG_LEVEL: 'silent',
  });
  const workers = Array.from({ length: workerCount }, spawnWorker);
  const notes: string[] = [];
  try {
    const admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    const entries = app.app.get(EntriesService);
    const reconcile = app.app.get(ReconcileService);
    const hub = app.app.get(LiveHub);

    // the synchronous part of a flush that emits: build the country delta once, fan it out to every socket
    const flushes: number[] = [];
    const flushCpu: number[] = [];
    const flush = hub.flush.bind(hub);
    hub.flush = () => {
      const before = hub.stats.deltas;
      const t = performance.now();
      const c = process.cpuUsage();
      flush();
      if (hub.stats.deltas !== before) {
        flushCpu.push(cpuMs(process.cpuUsage(c)));
        flushes.push(performance.now() - t);
      }
    };

    // commit time of the change that brought the country's entered count to n
    const committedAt = new Map<number, number>();
    const entered = () => reconcile.state.coverage({ level: 'country' }, 2).boxes.entered;
    let boxNo = 0;
    const sheet = (a: number, b: number): Sheet => ({
      registered: a + b + 40,
      voted: a + b + 3,
      validUncontested: a + b,
      validAfterObjection: 0,
      valid: a + b,
      invalid: 3,
      votes: { A: a, B: b },
    });
    const commitBatch = async () => {
      for (let i = 0; i < batch; i++) {
        const n = ++boxNo;
        const province = 1 + (n % 81);
        await entries.submit({
          ref: { ballot: 2, province, district: province * 100 + 1 + (n % 7), boxNo: 1000 + n },
          sheet: sheet(100 + (n % 50), 80 + (n % 30)),
          idempotencyKey: `${election}-${n}`,
          observer: 'admin',
        });
        const at = now();
        committedAt.set(entered(), at);
      }
    };
    // warm up the entry path (no subscribers yet, so no delta)
    await commitBatch();
    await sleep(BATCH_MS * 2);

    const rss0 = rssMb();
    const rows: Row[] = [];
    const setupRows: Row[] = [];
    let total = 0;
    const workerCpu0 = workers.map(() => ({ user: 0, system: 0 }));
    let anatomy: Record<string, number> = {};
    const floorRows: Row[] = [];
    let framed0 = hub.stats.framed;
    let fallback0 = hub.stats.fallback;

    for (const target of ladder) {
      // ── connect up to `target` sockets, split over the client processes
      const add = target - total;
      const cpuC = process.cpuUsage();
      const tC = now();
      const opened = await Promise.all(
        workers.map((w, i) => {
          const count = Math.floor(add / workerCount) + (i < add % workerCount ? 1 : 0);
          return w.request<OpenReply>({ cmd: 'open', url: app.url, token: admin.token, count, concurrency: 256 });
        }),
      );
      const setupMs = now() - tC;
      const setupCpu = cpuMs(process.cpuUsage(cpuC));
      const failed = opened.reduce((s, o) => s + o.failed, 0);
      total = opened.reduce((s, o) => s + o.total, 0);
      for (const o of opened) for (const e of o.errors) if (notes.length < 8) notes.push(`${target}: ${e}`);

      // ── one change batch a second (randomised phase against the 250 ms flush timer)
      collectGarbage();
      flushes.length = 0;
      flushCpu.length = 0;
      const load0 = loadavg()[0];
      const rssConnected = rssMb();
      // the step's first delta carries the changes after this count
      const enteredAtStart = entered();
      const cpu0 = process.cpuUsage();
      const t0 = now();
      for (let s = 0; s < seconds; s++) {
        const next = now() + 750 + Math.random() * 500;
        await commitBatch();
        await sleep(Math.max(0, next - now()));
      }
      await sleep(BATCH_MS * 2 + 500); // the last batch's delta reaches everyone
      const wallMs = now() - t0;
      const serverCpu = cpuMs(process.cpuUsage(cpu0));
      const rssEnd = rssMb();

      // ── what the clients saw
      const finalSeq = Math.max(...[...hubChannels(hub)].map((c) => c.seq));
      const reports = await Promise.all(workers.map((w) => w.request<ReportReply>({ cmd: 'report', finalSeq })));
      const info = new Map<number, { asOf: number; entered: number; bytes: number }>();
      for (const r of reports) for (const [seq, i] of Object.entries(r.info)) info.set(Number(seq), i);
      const seqs = [...info.keys()].sort((a, b) => a - b);
      const commitToRecv: number[] = [];
      const emitToRecv: number[] = [];
      const commitToEmit: number[] = [];
      let prevEntered = enteredAtStart;
      for (const seq of seqs) {
        const i = info.get(seq)!;
        // the oldest change this delta carries: its latency is the delta's worst change → screen
        const oldest = committedAt.get(prevEntered + 1) ?? NaN;
        prevEntered = i.entered;
        commitToEmit.push(i.asOf - oldest);
        for (const r of reports) {
          for (const t of r.receipts[seq] ?? []) {
            commitToRecv.push(t - oldest);
            emitToRecv.push(t - i.asOf);
          }
        }
      }
      commitToRecv.sort((a, b) => a - b);
      emitToRecv.sort((a, b) => a - b);
      commitToEmit.sort((a, b) => a - b);
      flushes.sort((a, b) => a - b);
      flushCpu.sort((a, b) => a - b);
      anatomy = reports.find((r) => Object.keys(r.anatomy).length)?.anatomy ?? anatomy;
      const sum = (f: (r: ReportReply) => number) => reports.reduce((s, r) => s + f(r), 0);
      const clientCpu = reports.reduce((s, r, k) => s + cpuMs(r.cpu) - cpuMs(workerCpu0[k]), 0);
      reports.forEach((r, k) => (workerCpu0[k] = r.cpu));
      const bytes = seqs.length ? seqs.reduce((s, q) => s + info.get(q)!.bytes, 0) / seqs.length : 0;

      // ── the floor: a raw broadcast of a frame of the delta's size, written straight to the same sockets
      const floorLoops: number[] = [];
      const floorCpu: number[] = [];
      for (let r = 0; r < RAW_ROUNDS; r++) {
        floorLoops.push(rawBroadcast(hub, Math.max(64, Math.round(bytes)), floorCpu));
        await sleep(1000);
      }
      const floorReports = await Promise.all(workers.map((w) => w.request<ReportReply>({ cmd: 'report', finalSeq })));
      const floorRecv = floorReports.flatMap((r) => r.raw).sort((a, b) => a - b);
      floorLoops.sort((a, b) => a - b);
      floorCpu.sort((a, b) => a - b);
      const framed = hub.stats.framed - framed0;
      const viaEngine = hub.stats.fallback - fallback0;
      framed0 = hub.stats.framed;
      fallback0 = hub.stats.fallback;
      const p99 = round(percentile(commitToRecv, 99));
      const fanout = round(percentile(flushes, 50));
      floorRows.push({
        sockets: total,
        'raw write loop ms p50': round(percentile(floorLoops, 50)),
        'CPU ms p50': round(percentile(floorCpu, 50)),
        'send→recv p50 ms': round(percentile(floorRecv, 50)),
        p99: round(percentile(floorRecv, 99)),
        receipts: `${floorRecv.length}/${RAW_ROUNDS * total}`,
        'hub fan-out ms p50': fanout,
        'hub fan-out CPU ms p50': round(percentile(flushCpu, 50)),
        'deltas written pre-framed / via engine.io': `${framed}/${viaEngine}`,
      });
      const tag = total >= 10_000 && total < 11_000 ? '10k' : String(total);
      recordFigure(`live_${tag}_p99_ms`, {
        value: p99,
        unit: 'ms',
        anchor: round(percentile(floorRecv, 99)),
        ...(tag === '10k' ? {} : { target: 200 }),
        note: `commit→receipt p99, ${total.toLocaleString('en-US')} sockets, ${batch} boxes a second for ${seconds} s; anchor: p99 of a raw write of the same-size frame to the same sockets; load avg ${round(load0, 1)}`,
      });
      recordFigure(`live_${tag}_fanout_cpu_ms`, {
        value: round(percentile(flushCpu, 50)),
        unit: 'ms',
        anchor: round(percentile(floorCpu, 50)),
        note: `CPU of the hub's flush (build the country delta once, write it to ${total.toLocaleString('en-US')} sockets), p50; anchor: CPU of the raw write loop; per socket ${round((percentile(flushCpu, 50) * 1000) / Math.max(1, total), 1)} µs`,
      });
      recordFigure(`live_${tag}_fanout_ms`, {
        value: fanout,
        unit: 'ms',
        anchor: round(percentile(floorLoops, 50)),
        note: `the hub's synchronous flush (build once, write every socket), p50; anchor: a loop writing a pre-framed frame to the same sockets`,
      });

      setupRows.push({
        sockets: total,
        added: add,
        failed,
        'setup s': round(setupMs / 1000, 2),
        'conn/s': Math.round((add - failed) / (setupMs / 1000)),
        'server CPU ms/conn': round(setupCpu / Math.max(1, add), 2),
        'RSS MB': rssConnected,
        'KB/socket': Math.round(((rssConnected - rss0) * 1024) / Math.max(1, total)),
      });
      rows.push({
        sockets: total,
        deltas: seqs.length,
        'recv/expected': `${sum((r) => r.received)}/${sum((r) => r.expected)}`,
        gaps: sum((r) => r.gaps),
        behind: sum((r) => r.behind),
        resyncs: sum((r) => r.resyncs),
        'commit→recv p50 ms': round(percentile(commitToRecv, 50)),
        p95: round(percentile(commitToRecv, 95)),
        p99: p99,
        'emit→recv p50 ms': round(percentile(emitToRecv, 50)),
        'p99 ': round(percentile(emitToRecv, 99)),
        'max ': round(emitToRecv[emitToRecv.length - 1] ?? NaN),
        'fan-out ms p50/max': `${round(percentile(flushes, 50))}/${round(flushes[flushes.length - 1] ?? NaN)}`,
        'fan-out CPU ms p50': round(percentile(flushCpu, 50)),
        'delta KB': round(bytes / 1024, 1),
        'server CPU %': Math.round((serverCpu / wallMs) * 100),
        'clients CPU %': Math.round((clientCpu / wallMs) * 100),
        'RSS MB': rssEnd,
        'load avg': `${round(load0, 1)}→${round(loadavg()[0], 1)}`,
      });
      if (failed) break;
    }

    printTable(`Live sockets, one node: connection setup (raw ws clients in ${workerCount} processes, 256 handshakes in flight each)`, setupRows);
    printTable(`Live deltas, one node: sockets on country, ${batch} boxes committed a second for ${seconds} s per step, LIVE_BATCH_MS=${BATCH_MS}`, rows);
    printTable(
      `Floor: a raw broadcast (engine.io noop frame of the delta's size written to each TCP socket in one loop), ${RAW_ROUNDS} rounds per step`,
      floorRows,
    );
    process.stdout.write(
      `\ncommit→recv: from the commit of the oldest change a delta carries to each socket's receipt (includes up to ${BATCH_MS} ms of coalescing by design);` +
        `\nemit→recv: from the delta's coverage.asOf (when the server built it) to receipt; fan-out: the server's synchronous flush (build once, write to every socket).` +
        `\nserver CPU: this process (the server; clients run in ${workerCount} child processes) over the step, % of one core; the machine has ${cpus().length} cores shared by both.` +
        `\nfan-out CPU: process CPU (all threads) over that flush; wall ≫ CPU means the flush thread was waiting for a core (clients, other processes on the machine: load avg).` +
        `\ncountry delta anatomy (bytes of JSON per field): ${Object.entries(anatomy)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}.` +
        `\nRSS before any socket: ${rss0} MB; ulimit -n: ${fdLimit()}; ephemeral ports: ${ephemeralPorts()}.\n`,
    );
    for (const n of notes) process.stdout.write(`note: ${n}\n`);
  } finally {
    await Promise.all(workers.map((w) => (w.child.connected ? w.request({ cmd: 'close' }).catch(() => undefined) : undefined)));
    for (const w of workers) w.child.kill();
    await app.close();
  }
}

const RAW_ROUNDS = 5;

/** Writes one pre-framed engine.io noop `6<µs since the epoch><padding>` to every socket; the loop's ms. */
function rawBroadcast(hub: LiveHub, bytes: number, cpu: number[]): number {
  const c = process.cpuUsage();
  const server = (hub as unknown as { server: { of(n: string): { sockets: Map<string, { conn: unknown }> } } }).server;
  const t = now();
  const payload = Buffer.alloc(bytes, 0x20);
  payload.write(`6${String(Math.round(t * 1000)).padStart(16, '0')}`, 0, 'latin1');
  const frame = wsTextFrame(payload);
  for (const socket of server.of('/').sockets.values()) rawSocketOf(socket)?.write(frame);
  cpu.push(cpuMs(process.cpuUsage(c)));
  return now() - t;
}

function hubChannels(hub: LiveHub): Iterable<{ seq: number }> {
  return (hub as unknown as { channels: Map<string, { seq: number }> }).channels.values();
}

function fdLimit(): string {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const m = /Max open files\s+(\d+)\s+(\d+)/.exec(limits);
    return m ? `${m[1]} soft / ${m[2]} hard` : '?';
  } catch {
    return '?';
  }
}

function ephemeralPorts(): string {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return `${lo}–${hi} (${hi - lo + 1} per destination)`;
  } catch {
    return '?';
  }
}
