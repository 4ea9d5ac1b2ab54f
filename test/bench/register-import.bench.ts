/**
 * A synthetic national-size voter register streamed through the real import (CSV parse → keyed
 * hashes → SQLite in batches of REGISTER_IMPORT_BATCH), then the checks of every province.
 * BENCH_REGISTER_ROWS sets the size (default 1,000,000; the national register is ~61 million).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Principal } from '@gozcu/shared';
import { loadConfig } from '../../server/src/infra/config';
import { AuditService } from '../../server/src/modules/audit/audit.service';
import { VoterRegisterService } from '../../server/src/modules/citizen/voter-register.service';
import { RegisterChecksService } from '../../server/src/modules/register/register-checks.service';
import { RegisterImportService } from '../../server/src/modules/register/register-import.service';
import { SqliteRegisterStore } from '../../server/src/modules/register/register.sqlite';
import { syntheticRegister, type RegisterGeoDistrict } from '../../server/src/modules/register/synthetic-register';
import { SqliteStore } from '../../server/src/modules/store/sqlite.store';
import { printTable, type Row } from './table';

const BOX = 270;

/** 81 provinces × 12 districts × as many boxes as the size needs. */
function nationalGeography(rows: number): RegisterGeoDistrict[] {
  const boxesPerDistrict = Math.max(1, Math.ceil(rows / BOX / (81 * 12)));
  const out: RegisterGeoDistrict[] = [];
  for (let p = 1; p <= 81; p++)
    for (let d = 0; d < 12; d++) {
      const hoods = [];
      for (let n = 0, b = 1001; b < 1001 + boxesPerDistrict; n++, b += 10) hoods.push({ name: `MAHALLE ${n + 1}`, minBox: b, maxBox: Math.min(b + 9, 1000 + boxesPerDistrict) });
      out.push({ province: p, district: p * 100 + d, neighbourhoods: hoods });
    }
  return out;
}

export async function run(): Promise<void> {
  const target = Number(process.env.BENCH_REGISTER_ROWS ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'gozcu-bench-register-'));
  const config = loadConfig({ ...process.env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:1', DATA_DIR: dir, LOG_LEVEL: 'silent' });
  const { Logger } = await import('@nestjs/common');
  Logger.overrideLogger(['warn', 'error']);
  const main = new SqliteStore(join(dir, 'gozcu.sqlite'));
  await main.init();
  const reg = new SqliteRegisterStore(join(dir, 'register.sqlite'));
  await reg.init();
  const key = Buffer.from('b'.repeat(48));
  const audit = new AuditService(main);
  const checks = new RegisterChecksService(config, reg);
  const importer = new RegisterImportService(config, reg, main, key, new VoterRegisterService(main, key, audit), checks, audit);
  const actor = { userId: 'bench', username: 'bench', role: 'hq_admin', permissions: [], scope: { level: 'country' } } as unknown as Principal;

  const synth = syntheticRegister(nationalGeography(target), { seed: 61, year: 2026, uniqueNames: false, boxSize: BOX });
  const total = Math.min(target, synth.size(1));
  function* csv(): Generator<string> {
    yield 'tc,ad_soyad,dogum_yili,adres,il,ilce,sandik,mahalle,okul\n';
    let chunk = '';
    let n = 0;
    for (const v of synth.rows(1)) {
      if (n++ >= total) break;
      chunk += `${v.tc},${v.name},${v.birth_year},"${v.address}",${v.province},${v.district},${v.box},${v.neighbourhood},${v.school}\n`;
      if (chunk.length > 256 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }

  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 250);
  const t0 = process.hrtime.bigint();
  const report = await importer.importStream(Readable.from(csv()), 'text/csv', actor).catch((e) => {
    clearInterval(sampler);
    throw e;
  });
  const importMs = Number(process.hrtime.bigint() - t0) / 1e6;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  // the import ran the checks of every province at its end: time them again on their own
  const t1 = process.hrtime.bigint();
  const byKind: Record<string, number> = {};
  for (let p = 1; p <= 81; p++) for (const a of await checks.find(p, report.importId)) byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
  const checksMs = Number(process.hrtime.bigint() - t1) / 1e6;
  const lookups: number[] = [];
  const hasher = new VoterRegisterService(main, key, audit);
  let i = 0;
  for (const v of synth.rows(1)) {
    if (i++ % Math.max(1, Math.floor(total / 1000)) !== 0) continue;
    const t = process.hrtime.bigint();
    await reg.voterByHash(hasher.hash(v.tc));
    lookups.push(Number(process.hrtime.bigint() - t) / 1e3);
    if (lookups.length >= 1000 || i >= total) break;
  }
  lookups.sort((a, b) => a - b);
  const mb = (b: number) => Math.round(b / 1048576);
  const rows: Row[] = [
    { what: 'rows streamed (CSV)', value: report.rows.toLocaleString('en') },
    { what: 'import incl. checks, s', value: (importMs / 1000).toFixed(1) },
    { what: 'rows/s (whole import: parse, 3 HMACs, register + look-up tables, checks)', value: Math.round(report.rows / (importMs / 1000)).toLocaleString('en') },
    { what: 'checks of 81 provinces alone, s', value: (checksMs / 1000).toFixed(1) },
    // nothing planted; names are not kept unique at this size, so homonyms (same name and birth year) are reported as duplicates
    { what: 'anomalies found (none planted; homonyms count as duplicates)', value: Object.entries(byKind).map(([k, n]) => `${k} ${n}`).join(', ') || 'none' },
    { what: 'RSS before / peak during import, MB', value: `${mb(rssBefore)} / ${mb(peak)}` },
    { what: 'register.sqlite / gozcu.sqlite, MB', value: `${mb(statSync(join(dir, 'register.sqlite')).size)} / ${mb(statSync(join(dir, 'gozcu.sqlite')).size)}` },
    { what: 'check by TC (HMAC + indexed read) p50 / p99, µs', value: `${lookups[lookups.length >> 1]?.toFixed(0)} / ${lookups[Math.floor(lookups.length * 0.99)]?.toFixed(0)}` },
    { what: `extrapolated to 61,000,000 rows at this rate, min`, value: ((61_000_000 / (report.rows / (importMs / 1000))) / 60).toFixed(0) },
  ];
  printTable(`Register import: ${report.rows.toLocaleString('en')} synthetic voters, batches of ${config.REGISTER_IMPORT_BATCH}`, rows);
  await reg.close();
  await main.close();
  rmSync(dir, { recursive: true, force: true });
}
