import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boxKey, versionHash, type Sheet } from '@gozcu/shared';
import { SqliteStore } from '../../server/src/modules/store/sqlite.store';
import type { NewVersion } from '../../server/src/modules/store/store.port';
import { printTable, rssMb, type Row } from './table';

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
    out.push({ box: { ...ref, key: boxKey(ref), yskBoxId: 5_000_000 + i, neighbourhood: null }, key: boxKey(ref), hash: versionHash({ sheet, ...meta }), sheet, ...meta, fetchedAt: new Date().toISOString() });
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
      rows.push({ batch, write: label, versions: items.length, 'total ms': Math.round(ms), 'versions/s': Math.round(items.length / (ms / 1000)), 'µs/version': (ms * 1000) / items.length, 'RSS MB': rssMb() });
    }
    await store.close();
    rows.push({ batch, write: 'file size (MB)', versions: 2 * N, 'total ms': '', 'versions/s': '', 'µs/version': '', 'RSS MB': Math.round(statSync(join(dir, 'bench.sqlite')).size / 1048576) });
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(`Store: SQLite bulk write of ${N.toLocaleString('en-US')} box versions (12 parties each)`, rows);
}
