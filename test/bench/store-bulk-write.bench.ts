import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boxKey, versionHash, type Sheet } from '@gozcu/shared';
import { SqliteStore } from '../../server/src/modules/store/sqlite.store';
import type { NewVersion } from '../../server/src/modules/store/store.port';
import Database from 'better-sqlite3';
import { printTable, recordFigure, rssMb, type Row } from './table';

const PARTIES = ['AK PARTİ', 'CHP', 'MHP', 'İYİ', 'DEM', 'YRP', 'SP', 'ZP', 'BBP', 'DP', 'TİP', 'MP'];

function makeVersions(n: number, revision = 0): NewVersion[] {
  const out: NewVersion[] = [];
  for (let i = 0; i < n; i++) {
    const ref = { election: 'bench', ballot: 2 as const, province: 1 + (i % 81), district: 1 + (i % 973), boxNo: 1001 + i };
    const votes: Record<string, number> = {};
    let valid = 0;
    PARTIES.forEach((p, j) => {
      const v = (i * (j + 7) + revision) % 60;
      votes[p] = v;
      valid += v;
    });
    const sheet: Sheet = { registered: 350, voted: valid + 5, validUncontested: valid, validAfterObjection: 0, valid, invalid: 5, votes };
    const meta = { yskVersion: 1 + revision, yskChangedAt: '2024-03-31T18:00:00.000Z', changeReason: revision ? 2 : 0 };
    out.push({
      box: { ...ref, key: boxKey(ref), yskBoxId: 5_000_000 + i, neighbourhood: null },
      key: boxKey(ref),
      hash: versionHash({ sheet, ...meta }),
      sheet,
      ...meta,
      fetchedAt: new Date().toISOString(),
    });
  }
  return out;
}

/** Bulk write of 200,000 box versions into SQLite, in poll-sized transactions and in one. */
export async function run(): Promise<void> {
  const N = Number(process.env.BENCH_BOXES ?? 200_000);
  const rows: Row[] = [];
  for (const batch of [500, N]) {
    const dir = mkdtempSync(join(tmpdir(), 'gozcu-bench-'));
    const store = new SqliteStore(join(dir, 'bench.sqlite'));
    await store.init();
    const first = makeVersions(N);
    const revised = makeVersions(N, 1);
    for (const [label, items] of [
      ['first publication', first],
      ['revision of every box', revised],
      ['idempotent retry (unchanged)', revised],
    ] as const) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < items.length; i += batch) await store.appendVersions(items.slice(i, i + batch));
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      rows.push({
        batch,
        write: label,
        versions: items.length,
        'total ms': Math.round(ms),
        'versions/s': Math.round(items.length / (ms / 1000)),
        'µs/version': (ms * 1000) / items.length,
        'RSS MB': rssMb(),
      });
    }
    await store.close();
    rows.push({
      batch,
      write: 'file size (MB)',
      versions: 2 * N,
      'total ms': '',
      'versions/s': '',
      'µs/version': '',
      'RSS MB': Math.round(statSync(join(dir, 'bench.sqlite')).size / 1048576),
    });
    rmSync(dir, { recursive: true, force: true });
  }
  // the floor: raw better-sqlite3 inserts of the same rows (key, hash, sheet JSON, meta) into a rowid table, same batch
  const floorBatch = 500;
  const dir = mkdtempSync(join(tmpdir(), 'gozcu-bench-raw-'));
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE v (key TEXT NOT NULL, hash TEXT NOT NULL, sheet TEXT NOT NULL, ysk_version INTEGER, changed_at TEXT, reason TEXT, fetched_at TEXT)');
  const insert = db.prepare('INSERT INTO v VALUES (?, ?, ?, ?, ?, ?, ?)');
  const raw = makeVersions(N).map((v) => [v.key, v.hash, JSON.stringify(v.sheet), v.yskVersion, v.yskChangedAt, v.changeReason, v.fetchedAt] as const);
  const insertMany = db.transaction((items: (typeof raw)[number][]) => {
    for (const r of items) insert.run(...r);
  });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < raw.length; i += floorBatch) insertMany(raw.slice(i, i + floorBatch));
  const rawUs = Number(process.hrtime.bigint() - t0) / 1000 / raw.length;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  rows.push({
    batch: floorBatch,
    write: 'floor: raw better-sqlite3 rowid inserts, same rows',
    versions: N,
    'total ms': Math.round((rawUs * N) / 1000),
    'versions/s': Math.round(1e6 / rawUs),
    'µs/version': rawUs,
    'RSS MB': rssMb(),
  });
  const appended = rows.find((r) => r.batch === 500 && r.write === 'first publication');
  const revision = rows.find((r) => r.batch === 500 && r.write === 'revision of every box');
  if (appended) {
    recordFigure('store_append_us_per_version', {
      value: Number(Number(appended['µs/version']).toFixed(2)),
      unit: 'µs',
      anchor: Number(rawUs.toFixed(2)),
      note: `SqliteStore.appendVersions, ${N.toLocaleString('en-US')} first publications in batches of 500 (revisions: ${Number(revision?.['µs/version'] ?? NaN).toFixed(1)} µs)`,
    });
  }
  printTable(`Store: SQLite bulk write of ${N.toLocaleString('en-US')} box versions (12 parties each)`, rows);
}
