import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boxKey, versionHash, type Sheet } from '@gozcu/shared';
import { SqliteStore } from '../../server/src/modules/store/sqlite.store';
import type { NewVersion } from '../../server/src/modules/store/store.port';
import { SqliteContext } from '../../server/src/modules/store/sqlite/context';
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
  // the floor: the rows the adapter writes for first publications — box_versions (the sheet through
  // the same SheetCodec) and the boxes rows its fold writes, sorted by key — as plain prepared
  // inserts into the same schema and pragmas (SqliteContext), one transaction per batch, no logic
  const floorBatch = 500;
  const dir = mkdtempSync(join(tmpdir(), 'gozcu-bench-raw-'));
  const ctx = new SqliteContext(join(dir, 'raw.sqlite'));
  ctx.open();
  const db = ctx.db;
  const insertVersion = db.prepare(
    'INSERT INTO box_versions (key, seq, prev, hash, sheet, ysk_version, ysk_changed_at, change_reason, fetched_at) VALUES (?, 1, NULL, ?, ?, ?, ?, ?, ?)',
  );
  const insertBox = db.prepare(
    `INSERT INTO boxes (key, election, ballot, province, district, box_no, ysk_box_id, neighbourhood, kind,
       latest_seq, latest_hash, latest_vid, first_published_at, first_ysk_version, first_change_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`,
  );
  const raw = makeVersions(N);
  const insertMany = db.transaction((items: NewVersion[]) => {
    const vids = new Map<string, number>();
    for (const v of items)
      vids.set(
        v.key,
        Number(insertVersion.run(v.key, v.hash, ctx.codec.encode(v.sheet), v.yskVersion, v.yskChangedAt, v.changeReason, v.fetchedAt).lastInsertRowid),
      );
    for (const v of [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
      const b = v.box;
      insertBox.run(
        b.key,
        b.election,
        b.ballot,
        b.province,
        b.district,
        b.boxNo,
        b.yskBoxId,
        b.neighbourhood,
        b.kind ?? null,
        v.hash,
        vids.get(v.key),
        v.fetchedAt,
        v.yskVersion,
        v.changeReason,
      );
    }
  });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < raw.length; i += floorBatch) {
    insertMany(raw.slice(i, i + floorBatch));
    ctx.codec.settle(true);
  }
  const rawUs = Number(process.hrtime.bigint() - t0) / 1000 / raw.length;
  ctx.close();
  rmSync(dir, { recursive: true, force: true });
  rows.push({
    batch: floorBatch,
    write: 'floor: the same rows as plain inserts (box_versions + boxes)',
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
