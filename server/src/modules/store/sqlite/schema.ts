import type Database from 'better-sqlite3';
import type { VersionRow } from './rows';

/** The embedded store's tables (the alert tables are ALERT_SCHEMA, made on first use). */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS provinces (plate INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS districts (ysk_id INTEGER PRIMARY KEY, province INTEGER NOT NULL, name TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS districts_province ON districts (province);
CREATE TABLE IF NOT EXISTS neighbourhoods (
  ysk_id INTEGER PRIMARY KEY, district INTEGER NOT NULL, province INTEGER NOT NULL, name TEXT NOT NULL,
  min_box INTEGER, max_box INTEGER);
CREATE INDEX IF NOT EXISTS neighbourhoods_district ON neighbourhoods (district);
CREATE TABLE IF NOT EXISTS boxes (
  key TEXT PRIMARY KEY, election TEXT NOT NULL, ballot INTEGER NOT NULL, province INTEGER NOT NULL,
  district INTEGER NOT NULL, box_no INTEGER NOT NULL, ysk_box_id INTEGER, neighbourhood INTEGER,
  latest_seq INTEGER NOT NULL DEFAULT 0, latest_hash TEXT, first_published_at TEXT,
  kind TEXT, first_ysk_version INTEGER, first_change_reason INTEGER, latest_vid INTEGER);
CREATE INDEX IF NOT EXISTS boxes_scope ON boxes (province, district, key);
-- every YSK version of every box (sheet: int32 figures as a BLOB, see SheetCodec, or JSON text): an append-only rowid table with no secondary index (issue 16:
-- a random-key index costs a page write per row per commit). A box's versions are a chain from
-- boxes.latest_vid through prev (the id of the version before, null for seq 1).
CREATE TABLE IF NOT EXISTS box_versions (
  id INTEGER PRIMARY KEY, key TEXT NOT NULL, seq INTEGER NOT NULL, prev INTEGER, hash TEXT NOT NULL, sheet TEXT NOT NULL,
  ysk_version INTEGER, ysk_changed_at TEXT, change_reason INTEGER, fetched_at TEXT NOT NULL);
-- the append path does not write boxes (its key and scope indexes cost a page write per row per
-- commit): a new box, or a box's new facts, go to box_log, and boxes.latest_* lag the versions
-- after store_meta.folded_vid until a fold replays both into boxes in one large transaction
CREATE TABLE IF NOT EXISTS box_log (
  id INTEGER PRIMARY KEY, key TEXT NOT NULL, election TEXT NOT NULL, ballot INTEGER NOT NULL, province INTEGER NOT NULL,
  district INTEGER NOT NULL, box_no INTEGER NOT NULL, ysk_box_id INTEGER, neighbourhood INTEGER, kind TEXT);
-- the vote names of stored sheets (a version's int32 figures start with the id of its names)
CREATE TABLE IF NOT EXISTS vote_names (id INTEGER PRIMARY KEY, names TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, hash TEXT NOT NULL, sheet TEXT NOT NULL,
  observer TEXT NOT NULL, source TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL, warnings TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entries_key ON entries (key, id);
CREATE TABLE IF NOT EXISTS incidents (
  id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, scope TEXT NOT NULL, started_at TEXT NOT NULL,
  ended_at TEXT, cause TEXT NOT NULL, details TEXT NOT NULL, raw TEXT);
CREATE INDEX IF NOT EXISTS incidents_open ON incidents (ended_at, id);
CREATE TABLE IF NOT EXISTS column_maps (
  election TEXT NOT NULL, ballot INTEGER NOT NULL, province INTEGER NOT NULL, columns TEXT NOT NULL,
  fetched_at TEXT NOT NULL, PRIMARY KEY (election, ballot, province));
CREATE TABLE IF NOT EXISTS escalations (
  id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, province INTEGER NOT NULL, district INTEGER NOT NULL,
  reason TEXT NOT NULL, at TEXT NOT NULL, UNIQUE (key, reason));
CREATE INDEX IF NOT EXISTS escalations_scope ON escalations (province, district, at);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL, scope TEXT NOT NULL,
  scope_province INTEGER, scope_district INTEGER, password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0, locked_until TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS users_scope ON users (scope_province, scope_district);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, revoked_at TEXT);
CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens (user_id);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor_id TEXT, actor_name TEXT, actor_role TEXT,
  action TEXT NOT NULL, target TEXT NOT NULL, before TEXT, after TEXT);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS voters (
  hash TEXT PRIMARY KEY, province INTEGER NOT NULL, district INTEGER NOT NULL, box_no INTEGER NOT NULL, imported_at TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS complaints (
  id TEXT PRIMARY KEY, tracking_code TEXT NOT NULL UNIQUE, status TEXT NOT NULL, election TEXT NOT NULL, ballot INTEGER,
  key TEXT, province INTEGER NOT NULL, district INTEGER NOT NULL, box_no INTEGER NOT NULL, text TEXT NOT NULL, contact TEXT,
  routed_to TEXT NOT NULL, filed_by TEXT, petition_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, history TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS complaints_scope ON complaints (province, district, created_at);
CREATE INDEX IF NOT EXISTS complaints_key ON complaints (key);
CREATE TABLE IF NOT EXISTS attachments (
  id TEXT PRIMARY KEY, owner TEXT NOT NULL, owner_id TEXT NOT NULL, key TEXT, kind TEXT NOT NULL, content_type TEXT NOT NULL,
  bytes INTEGER NOT NULL, sha256 TEXT NOT NULL, width INTEGER, height INTEGER, shown_blob TEXT NOT NULL,
  shown_content_type TEXT NOT NULL, uploaded_at TEXT NOT NULL, uploaded_by TEXT);
CREATE INDEX IF NOT EXISTS attachments_owner ON attachments (owner, owner_id, uploaded_at);
CREATE INDEX IF NOT EXISTS attachments_key ON attachments (owner, key, uploaded_at);
CREATE TABLE IF NOT EXISTS petitions (
  id TEXT PRIMARY KEY, status TEXT NOT NULL, election TEXT NOT NULL, key TEXT NOT NULL, province INTEGER NOT NULL,
  district INTEGER NOT NULL, box_no INTEGER NOT NULL, ballot INTEGER NOT NULL, complaint_id TEXT, text TEXT NOT NULL,
  deadline TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT NOT NULL, filed_at TEXT,
  filed_by TEXT, reference TEXT);
CREATE INDEX IF NOT EXISTS petitions_scope ON petitions (province, district, deadline);
CREATE TABLE IF NOT EXISTS health_probe (id INTEGER PRIMARY KEY, at TEXT NOT NULL);
`;

/** The alert tables (issue 15): created on first use, so the main schema stays as it was. */
export const ALERT_SCHEMA = `
CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY, dedupe TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, box TEXT, province INTEGER, district INTEGER,
  level TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, escalate_at TEXT, acked INTEGER NOT NULL,
  digest_id TEXT, rev INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alerts_scope ON alerts (province, district, created_at);
CREATE INDEX IF NOT EXISTS alerts_due ON alerts (status, acked, escalate_at);
CREATE INDEX IF NOT EXISTS alerts_created ON alerts (created_at);
CREATE TABLE IF NOT EXISTS alert_reads (alert_id TEXT NOT NULL, user_id TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (user_id, alert_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS push_subscriptions (endpoint TEXT PRIMARY KEY, user_id TEXT NOT NULL, keys TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS push_subscriptions_user ON push_subscriptions (user_id);`;

/** Columns added after the first release: added to an older file, and filled from what it holds. */
export const MIGRATIONS: { table: string; column: string; ddl: string; backfill?: string }[] = [
  { table: 'boxes', column: 'kind', ddl: 'ALTER TABLE boxes ADD COLUMN kind TEXT' },
  {
    table: 'boxes',
    column: 'first_ysk_version',
    ddl: 'ALTER TABLE boxes ADD COLUMN first_ysk_version INTEGER',
    backfill: 'UPDATE boxes SET first_ysk_version = (SELECT v.ysk_version FROM versions v WHERE v.key = boxes.key AND v.seq = 1) WHERE latest_seq > 0',
  },
  { table: 'boxes', column: 'latest_vid', ddl: 'ALTER TABLE boxes ADD COLUMN latest_vid INTEGER' },
  {
    table: 'boxes',
    column: 'first_change_reason',
    ddl: 'ALTER TABLE boxes ADD COLUMN first_change_reason INTEGER',
    backfill: `UPDATE boxes SET first_change_reason = (SELECT CAST(v.change_reason AS INTEGER) FROM versions v WHERE v.key = boxes.key AND v.seq = 1 AND v.change_reason GLOB '[0-9]*') WHERE latest_seq > 0`,
  },
];

/** Brings a file written by an older release up to the current schema (after SCHEMA ran). */
export function migrate(db: Database.Database): void {
  for (const m of MIGRATIONS) {
    const columns = db.prepare<[], { name: string }>(`PRAGMA table_info(${m.table})`).all();
    if (columns.some((c) => c.name === m.column)) continue;
    db.transaction(() => {
      db.exec(m.ddl);
      if (m.backfill) db.exec(m.backfill);
    })();
  }
  migrateVersions(db);
}

/**
 * Files written before issue 16 keep versions in `versions` (WITHOUT ROWID, keyed by (key, seq),
 * unique on (key, hash)): copied into `box_versions` as chains, boxes pointed at their latest,
 * and the old table dropped, in one transaction (a crash midway leaves the old file as it was).
 */
function migrateVersions(db: Database.Database): void {
  const old = db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'versions'`).get();
  if (!old) return;
  db.transaction(() => {
    const insert = db.prepare(
      `INSERT INTO box_versions (key, seq, prev, hash, sheet, ysk_version, ysk_changed_at, change_reason, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const point = db.prepare(`UPDATE boxes SET latest_vid = ? WHERE key = ? AND latest_seq = ?`);
    let key: string | null = null;
    let prev: number | null = null;
    let seq = 0;
    const done = () => key !== null && point.run(prev, key, seq);
    // read in pages (a connection cannot write while it iterates), in (key, seq) order, the primary key's
    const page = db.prepare<[string, number], Omit<VersionRow, 'id' | 'prev'>>(`SELECT * FROM versions WHERE (key, seq) > (?, ?) ORDER BY key, seq LIMIT 5000`);
    for (let rows = page.all('', 0); rows.length; rows = page.all(key!, seq)) {
      for (const r of rows) {
        if (r.key !== key) {
          done();
          key = r.key;
          prev = null;
        }
        prev = Number(insert.run(r.key, r.seq, prev, r.hash, r.sheet, r.ysk_version, r.ysk_changed_at, r.change_reason, r.fetched_at).lastInsertRowid);
        seq = r.seq;
      }
    }
    done();
    db.exec(`DROP TABLE versions`);
  })();
}
