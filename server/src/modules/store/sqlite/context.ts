import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, SCHEMA } from './schema';
import { SheetCodec } from './sheet-codec';

export interface SqliteOptions {
  busyTimeoutMs?: number;
  foldAt?: number;
}

/**
 * What every repository of the embedded store shares: the connection to one SQLite file in WAL
 * mode, the sheet codec and the blob folder. better-sqlite3 is synchronous; the port is async.
 */
export class SqliteContext {
  db!: Database.Database;
  codec!: SheetCodec;
  blobDir = '';

  constructor(
    readonly file: string,
    readonly opts: SqliteOptions = {},
  ) {}

  /** Opens the file, brings its schema up to date and gives it its store id. */
  open(): void {
    if (this.file !== ':memory:') {
      // the store holds accounts, the audit log and hashed national ids: owner only (SQLite gives -wal/-shm the file's mode)
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      closeSync(openSync(this.file, 'a', 0o600));
      chmodSync(this.file, 0o600);
    }
    this.db = new Database(this.file, { timeout: this.opts.busyTimeoutMs ?? 5000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('cache_size = -131072');
    this.db.pragma('temp_store = MEMORY');
    // checkpoint every 10,000 pages (~40 MB of WAL) rather than SQLite's 1,000: a page the append
    // path dirties in many commits is copied back once, and the file synced ten times less often
    // (issue 16: at 1,000 the checkpoints were half the cost of a batched append)
    this.db.pragma('wal_autocheckpoint = 10000');
    this.db.pragma('journal_size_limit = 67108864');
    this.db.exec(SCHEMA);
    migrate(this.db);
    this.codec = new SheetCodec(this.db);
    // files written before box_log kept `boxes` current: every version there is folded
    this.db
      .prepare(`INSERT INTO store_meta (key, value) SELECT 'folded_vid', COALESCE(MAX(id), 0) FROM box_versions WHERE 1 ON CONFLICT(key) DO NOTHING`)
      .run();
    // the store's own id, for the reconciliation's snapshot (a snapshot of another file is refused)
    this.db.prepare(`INSERT INTO store_meta (key, value) VALUES ('store_id', ?) ON CONFLICT(key) DO NOTHING`).run(randomInt(1, 2 ** 47));
    this.blobDir = this.file === ':memory:' ? mkdtempSync(join(tmpdir(), 'gozcu-blobs-')) : join(dirname(this.file), 'files');
  }

  get isOpen(): boolean {
    return !!this.db?.open;
  }

  close(): void {
    this.db.close();
  }

  ping(): void {
    if (!this.db?.open) throw new Error('sqlite store is closed');
    this.db.prepare('SELECT 1').get();
    // a write too, without waiting for a lock another connection holds: a store that answers
    // reads but cannot write (locked, read-only, full disk) is not healthy
    this.db.pragma('busy_timeout = 0');
    try {
      this.db.prepare(`INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at`).run(new Date().toISOString());
    } catch (e) {
      throw new Error(`sqlite store cannot write (${(e as { code?: string }).code ?? (e as Error).message})`, { cause: e });
    } finally {
      this.db.pragma(`busy_timeout = ${this.opts.busyTimeoutMs ?? 5000}`);
    }
  }
}
