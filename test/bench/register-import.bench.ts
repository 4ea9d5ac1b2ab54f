/**
 * A synthetic national-size voter register streamed through the real import: CSV from a process
 * of its own (the client) → parse → keyed hashes → staged in chunks of REGISTER_IMPORT_BATCH →
 * merged in key order (and the TC look-up's store fed) → the checks of every province.
 * BENCH_REGISTER_ROWS sets the size (default 1,000,000; the national register is ~61 million).
 * Prints rows/s, each phase's time, RSS at every tenth of the rows and its peak, file sizes, the
 * checks' time and the TC check's latency after the import; the headline figures via recordFigure.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import type { Principal } from '@gozcu/shared';
import { Clock } from '../../server/src/infra/clock';
import { loadConfig } from '../../server/src/infra/config';
import { AuditService } from '../../server/src/modules/audit/audit.service';
import { VoterRegisterService } from '../../server/src/modules/citizen/voter-register.service';
import { RegisterChecksService } from '../../server/src/modules/register/register-checks.service';
import { RegisterImportService } from '../../server/src/modules/register/register-import.service';
import { SqliteRegisterStore } from '../../server/src/modules/register/register.sqlite';
import { SqliteStore } from '../../server/src/modules/store/sqlite.store';
import { benchRegister } from './register-csv';
import { percentile, printTable, recordFigure, type Row } from './table';

const mb = (b: number) => Math.round(b / 1048576);
const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
const files = (f: string) => size(f) + size(`${f}-wal`);

export async function run(): Promise<void> {
  const target = Number(process.env.BENCH_REGISTER_ROWS ?? 1_000_000);
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'gozcu-bench-register-'));
  const config = loadConfig({ ...process.env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:1', DATA_DIR: dir, LOG_LEVEL: 'silent' });
  const { Logger } = await import('@nestjs/common');
  Logger.overrideLogger(['warn', 'error']);
  const main = new SqliteStore(join(dir, 'gozcu.sqlite'));
  await main.init();
  const regFile = join(dir, 'register.sqlite');
  const reg = new SqliteRegisterStore(regFile);
  await reg.init();
  const key = Buffer.from('b'.repeat(48));
  const audit = new AuditService(main);
  const clock = new Clock();
  const checks = new RegisterChecksService(config, reg, clock);
  const hasher = new VoterRegisterService(main, key, audit);
  const importer = new RegisterImportService(config, reg, main, key, hasher, checks, audit, clock);
  const actor = { userId: 'bench', username: 'bench', role: 'hq_admin', permissions: [], scope: { level: 'country' } } as unknown as Principal;
  const total = benchRegister(target).total;

  // the phases, seen from the store: staging until the merge starts, the merge until finishImport, then the checks
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const marks: Record<string, number> = {};
  // CPU time of this process (user + system) at the same marks: what the phases cost whatever the load
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const cpuMarks: Record<string, number> = {};
  let stageBytes = 0;
  const mergeStaged = reg.mergeStaged.bind(reg);
  reg.mergeStaged = (id: number) => {
    marks.merge ??= now();
    cpuMarks.merge ??= cpu();
    stageBytes = Math.max(stageBytes, size(`${regFile}-stage`));
    return mergeStaged(id);
  };
  const finishImport = reg.finishImport.bind(reg);
  reg.finishImport = (id, p) => {
    marks.checks ??= now();
    cpuMarks.checks ??= cpu();
    return finishImport(id, p);
  };

  const samplesFile = join(dir, 'samples.txt');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'register-csv.ts'), String(total), samplesFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  const childDone = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));

  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  let peakStaging = rssBefore;
  const sampler = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    if (!marks.merge) peakStaging = Math.max(peakStaging, rss);
  }, 250);
  const t0 = now();
  const c0 = cpu();
  // RSS at every tenth of the rows, counted as the CSV's lines go by
  const checkpoints: { rows: number; s: number; rssMb: number }[] = [];
  let lines = -1;
  let next = 1;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      while (lines >= (next * total) / 10 && next <= 10) {
        checkpoints.push({ rows: Math.round((next * total) / 10), s: (now() - t0) / 1000, rssMb: mb(process.memoryUsage().rss) });
        next++;
      }
      done(null, chunk);
    },
  });
  child.stdout.on('error', (e) => counter.destroy(e));
  const report = await importer.importStream(child.stdout.pipe(counter), 'text/csv', actor).finally(() => clearInterval(sampler));
  const t1 = now();
  const c1 = cpu();
  if ((await childDone) !== 0) throw new Error('the CSV generator failed');
  peak = Math.max(peak, process.memoryUsage().rss);
  const importS = (t1 - t0) / 1000;
  const stagingS = ((marks.merge ?? t1) - t0) / 1000;
  const mergeS = ((marks.checks ?? t1) - (marks.merge ?? t1)) / 1000;
  const detectS = (t1 - (marks.checks ?? t1)) / 1000;
  const rate = report.rows / importS;
  const cpuS = c1 - c0;
  const cpuStage = (cpuMarks.merge ?? c1) - c0;
  const cpuMerge = (cpuMarks.checks ?? c1) - (cpuMarks.merge ?? c1);
  const cpuChecks = c1 - (cpuMarks.checks ?? c1);
  const us = (s: number) => ((s * 1e6) / report.rows).toFixed(1);
  const load = (await import('node:os')).loadavg()[0];

  // the checks once more on their own, then the TC check after the import
  const tc0 = now();
  const byKind: Record<string, number> = {};
  for (let p = 1; p <= 81; p++) for (const a of await checks.find(p, report.importId)) byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
  const checksS = (now() - tc0) / 1000;
  const lookups: number[] = [];
  let found = 0;
  for (const tc of readFileSync(samplesFile, 'utf8').split('\n').filter(Boolean)) {
    const t = process.hrtime.bigint();
    if (await reg.voterByHash(hasher.hash(tc))) found++;
    lookups.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  lookups.sort((a, b) => a - b);
  const regBytes = files(regFile);
  const mainBytes = files(join(dir, 'gozcu.sqlite'));
  const rows: Row[] = [
    { what: 'rows streamed (CSV, from a generator process)', value: report.rows.toLocaleString('en') },
    { what: 'import incl. merge and checks (wall), s', value: importS.toFixed(1) },
    { what: 'rows/s (whole import: parse, 3 HMACs, stage, merge into register + look-up tables, checks)', value: Math.round(rate).toLocaleString('en') },
    {
      what: 'phases: parse + hash + stage / merge + indexes + look-up feed / checks at import, s',
      value: `${stagingS.toFixed(1)} / ${mergeS.toFixed(1)} / ${detectS.toFixed(1)}`,
    },
    { what: 'staging alone, rows/s', value: Math.round(report.rows / stagingS).toLocaleString('en') },
    {
      what: 'importer CPU (user + sys), s; per row: all / stage / merge / checks, µs',
      value: `${cpuS.toFixed(1)}; ${us(cpuS)} / ${us(cpuStage)} / ${us(cpuMerge)} / ${us(cpuChecks)}`,
    },
    { what: 'rows per importer CPU-second (the rate with a core of its own)', value: Math.round(report.rows / cpuS).toLocaleString('en') },
    { what: 'load average (1 min) at the end, 2 cores', value: load.toFixed(1) },
    { what: 'checks of 81 provinces alone (after the import), s', value: checksS.toFixed(1) },
    // nothing planted; names are not kept unique at this size: homonyms of common names are weighed as chance (not
    // reported), same-year pairs of rare names are reported (the rule's limit without a full birth date)
    {
      what: 'anomalies found (none planted; duplicates: same-year pairs of rare names)',
      value:
        Object.entries(byKind)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || 'none',
    },
    { what: 'RSS before / peak while staging / peak overall, MB', value: `${mb(rssBefore)} / ${mb(peakStaging)} / ${mb(peak)}` },
    {
      what: 'RSS at each tenth of the rows (rows → s, MB)',
      value: checkpoints.map((c) => `${(c.rows / 1e6).toFixed(2)}M→${c.s.toFixed(0)}s,${c.rssMb}`).join(' '),
    },
    { what: 'register.sqlite / gozcu.sqlite (with WAL) / stage at its largest, MB', value: `${mb(regBytes)} / ${mb(mainBytes)} / ${mb(stageBytes)}` },
    {
      what: 'check by TC after the import (HMAC + indexed read) p50 / p99, µs; found',
      value: `${percentile(lookups, 50).toFixed(0)} / ${percentile(lookups, 99).toFixed(0)}; ${found}/${lookups.length}`,
    },
    { what: `extrapolated to 61,000,000 rows at this rate, min`, value: (61_000_000 / rate / 60).toFixed(0) },
  ];
  printTable(`Register import: ${report.rows.toLocaleString('en')} synthetic voters, chunks of ${config.REGISTER_IMPORT_BATCH}`, rows);
  const at = `${report.rows.toLocaleString('en')} synthetic voters`;
  recordFigure('register_import_us_per_row', {
    value: Math.round((1e6 / rate) * 100) / 100,
    unit: 'µs',
    target: 1e6 / 30_000,
    note: `register import, whole (${Math.round(rate).toLocaleString('en')} rows/s), ${at}; target 30,000 rows/s`,
  });
  recordFigure('register_import_cpu_us_per_row', {
    value: Math.round(((cpuS * 1e6) / report.rows) * 100) / 100,
    unit: 'µs',
    target: 1e6 / 30_000,
    note: `importer CPU per row (${Math.round(report.rows / cpuS).toLocaleString('en')} rows per CPU-s; load average ${load.toFixed(1)} on 2 cores), ${at}`,
  });
  recordFigure('register_import_wall_s', { value: Math.round(importS * 10) / 10, unit: 's', note: `register import incl. merge and checks, ${at}` });
  recordFigure('register_import_peak_rss_mb', {
    value: mb(peak),
    unit: 'MB',
    target: 400,
    note: `register import peak RSS (before ${mb(rssBefore)}; at the tenths ${checkpoints.map((c) => c.rssMb).join(',')}), ${at}`,
  });
  recordFigure('register_db_mb', {
    value: mb(regBytes),
    unit: 'MB',
    note: `register.sqlite with WAL (gozcu.sqlite ${mb(mainBytes)} MB, stage ${mb(stageBytes)} MB at its largest), ${at}`,
  });
  recordFigure('register_checks_s', { value: Math.round(checksS * 10) / 10, unit: 's', note: `checks of 81 provinces after the import, ${at}` });
  recordFigure('register_tc_check_p99_us', {
    value: Math.round(percentile(lookups, 99)),
    unit: 'µs',
    note: `TC check after the import (p50 ${percentile(lookups, 50).toFixed(0)} µs), ${at}`,
  });
  await reg.close();
  await main.close();
  rmSync(dir, { recursive: true, force: true });
}
