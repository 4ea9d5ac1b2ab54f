import type Database from 'better-sqlite3';
import type { ChangesRepository, StoreWatermark } from '../store.port';
import type { SqliteContext } from './context';

function prepare(d: Database.Database) {
  return {
    watermark: d.prepare<[], StoreWatermark>(
      `SELECT (SELECT value FROM store_meta WHERE key = 'store_id') AS store,
         (SELECT COALESCE(MAX(id), 0) FROM box_versions) AS versions,
         (SELECT COALESCE(MAX(id), 0) FROM entries) AS entries,
         (SELECT COALESCE(MAX(value), 0) FROM store_meta WHERE key = 'boxes_rev') AS boxes`,
    ),
  };
}

/** Where the store stands, and which boxes changed since (the reconciliation's snapshot, issue 16). */
export class SqliteChanges implements ChangesRepository {
  private readonly stmt: ReturnType<typeof prepare>;

  constructor(private readonly c: SqliteContext) {
    this.stmt = prepare(c.db);
  }

  private get db() {
    return this.c.db;
  }

  async watermark(): Promise<StoreWatermark> {
    return this.stmt.watermark.get()!;
  }

  async changedSince(election: string, mark: StoreWatermark, limit: number): Promise<string[] | null> {
    const now = await this.watermark();
    if (mark.store !== now.store || mark.boxes !== now.boxes || mark.versions > now.versions || mark.entries > now.entries) return null;
    const prefix = `${election}:`;
    const keys = new Set<string>();
    // rowid ranges: no index needed, and only the rows after the mark are read
    for (const [table, after] of [
      ['box_versions', mark.versions],
      ['entries', mark.entries],
    ] as const) {
      for (const { key } of this.db.prepare<[number], { key: string }>(`SELECT key FROM ${table} WHERE id > ? ORDER BY id`).iterate(after)) {
        if (!key.startsWith(prefix)) continue;
        keys.add(key);
        if (keys.size > limit) return null;
      }
    }
    return [...keys];
  }
}
