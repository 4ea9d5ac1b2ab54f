import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { BoxInfo, District, Entry, Neighbourhood, Province, SheetVersion } from '@gozcu/shared';
import type {
  AppendOutcome,
  ColumnMap,
  Escalation,
  BoxFilter,
  BoxWithLatest,
  EntryOutcome,
  Incident,
  NewEntry,
  NewIncident,
  NewVersion,
  Store,
} from './store.port';

const SCHEMA = `
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
  latest_seq INTEGER NOT NULL DEFAULT 0, latest_hash TEXT, first_published_at TEXT);
CREATE INDEX IF NOT EXISTS boxes_scope ON boxes (province, district, key);
CREATE TABLE IF NOT EXISTS versions (
  key TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, sheet TEXT NOT NULL,
  ysk_version INTEGER, ysk_changed_at TEXT, change_reason TEXT, fetched_at TEXT NOT NULL,
  PRIMARY KEY (key, seq), UNIQUE (key, hash)) WITHOUT ROWID;
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
`;

interface VersionRow {
  key: string;
  seq: number;
  hash: string;
  sheet: string;
  ysk_version: number | null;
  ysk_changed_at: string | null;
  change_reason: string | null;
  fetched_at: string;
}
interface BoxRow {
  key: string;
  election: string;
  ballot: number;
  province: number;
  district: number;
  box_no: number;
  ysk_box_id: number | null;
  neighbourhood: number | null;
  latest_seq: number;
  latest_hash: string | null;
  first_published_at: string | null;
}
interface EntryRow {
  id: number;
  key: string;
  hash: string;
  sheet: string;
  observer: string;
  source: Entry['source'];
  idempotency_key: string;
  created_at: string;
  warnings: string;
}

const ID_WIDTH = 12;
const toEntryId = (n: number) => String(n).padStart(ID_WIDTH, '0');

function toVersion(r: VersionRow): SheetVersion {
  return {
    key: r.key,
    seq: r.seq,
    hash: r.hash,
    sheet: JSON.parse(r.sheet),
    yskVersion: r.ysk_version,
    yskChangedAt: r.ysk_changed_at,
    changeReason: r.change_reason,
    fetchedAt: r.fetched_at,
  };
}
function toBox(r: BoxRow): BoxInfo {
  return {
    key: r.key,
    election: r.election,
    ballot: r.ballot as BoxInfo['ballot'],
    province: r.province,
    district: r.district,
    boxNo: r.box_no,
    yskBoxId: r.ysk_box_id,
    neighbourhood: r.neighbourhood,
  };
}
function toEntry(r: EntryRow): Entry {
  return {
    id: toEntryId(r.id),
    key: r.key,
    hash: r.hash,
    sheet: JSON.parse(r.sheet),
    observer: r.observer,
    source: r.source,
    idempotencyKey: r.idempotency_key,
    createdAt: r.created_at,
    warnings: JSON.parse(r.warnings),
  };
}

function scopeWhere(filter: BoxFilter, alias = 'b'): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [field, column] of [
    ['election', 'election'],
    ['ballot', 'ballot'],
    ['province', 'province'],
    ['district', 'district'],
  ] as const) {
    if (filter[field] !== undefined) {
      parts.push(`${alias}.${column} = ?`);
      params.push(filter[field]);
    }
  }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}

/** The embedded store: one SQLite file in WAL mode. better-sqlite3 is synchronous; the port is async. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private db!: Database.Database;
  private stmt!: ReturnType<SqliteStore['prepare']>;

  constructor(private readonly file: string) {}

  async init(): Promise<void> {
    if (this.file !== ':memory:') mkdirSync(dirname(this.file), { recursive: true });
    this.db = new Database(this.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('cache_size = -131072');
    this.db.pragma('temp_store = MEMORY');
    this.db.exec(SCHEMA);
    this.stmt = this.prepare();
  }

  private prepare() {
    const d = this.db;
    return {
      upsertBox: d.prepare(
        `INSERT INTO boxes (key, election, ballot, province, district, box_no, ysk_box_id, neighbourhood)
         VALUES (@key, @election, @ballot, @province, @district, @boxNo, @yskBoxId, @neighbourhood)
         ON CONFLICT(key) DO UPDATE SET ysk_box_id = COALESCE(excluded.ysk_box_id, ysk_box_id),
           neighbourhood = COALESCE(excluded.neighbourhood, neighbourhood)`,
      ),
      boxRow: d.prepare<[string], BoxRow>(`SELECT * FROM boxes WHERE key = ?`),
      versionByHash: d.prepare<[string, string], { seq: number }>(`SELECT seq FROM versions WHERE key = ? AND hash = ?`),
      versionAt: d.prepare<[string, number], VersionRow>(`SELECT * FROM versions WHERE key = ? AND seq = ?`),
      versionsOf: d.prepare<[string], VersionRow>(`SELECT * FROM versions WHERE key = ? ORDER BY seq`),
      insertVersion: d.prepare(
        `INSERT INTO versions (key, seq, hash, sheet, ysk_version, ysk_changed_at, change_reason, fetched_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      setLatest: d.prepare(
        `UPDATE boxes SET latest_seq = ?, latest_hash = ?, first_published_at = COALESCE(first_published_at, ?) WHERE key = ?`,
      ),
      entryByIdem: d.prepare<[string], EntryRow>(`SELECT * FROM entries WHERE idempotency_key = ?`),
      insertEntry: d.prepare(
        `INSERT INTO entries (key, hash, sheet, observer, source, idempotency_key, created_at, warnings)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      entriesOf: d.prepare<[string], EntryRow>(`SELECT * FROM entries WHERE key = ? ORDER BY id`),
      insertIncident: d.prepare(
        `INSERT INTO incidents (kind, scope, started_at, cause, details, raw) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  async close(): Promise<void> {
    if (this.db?.open) this.db.close();
  }

  async ping(): Promise<void> {
    if (!this.db?.open) throw new Error('sqlite store is closed');
    this.db.prepare('SELECT 1').get();
  }

  async upsertProvinces(provinces: Province[]): Promise<void> {
    const s = this.db.prepare(`INSERT INTO provinces (plate, name) VALUES (?, ?) ON CONFLICT(plate) DO UPDATE SET name = excluded.name`);
    this.db.transaction(() => provinces.forEach((p) => s.run(p.plate, p.name)))();
  }

  async upsertDistricts(districts: District[]): Promise<void> {
    const s = this.db.prepare(
      `INSERT INTO districts (ysk_id, province, name) VALUES (?, ?, ?)
       ON CONFLICT(ysk_id) DO UPDATE SET province = excluded.province, name = excluded.name`,
    );
    this.db.transaction(() => districts.forEach((d) => s.run(d.yskId, d.province, d.name)))();
  }

  async upsertNeighbourhoods(neighbourhoods: Neighbourhood[]): Promise<void> {
    const s = this.db.prepare(
      `INSERT INTO neighbourhoods (ysk_id, district, province, name, min_box, max_box) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(ysk_id) DO UPDATE SET district = excluded.district, province = excluded.province,
         name = excluded.name, min_box = excluded.min_box, max_box = excluded.max_box`,
    );
    this.db.transaction(() =>
      neighbourhoods.forEach((n) => s.run(n.yskId, n.district, n.province, n.name, n.minBox, n.maxBox)),
    )();
  }

  async provinces(): Promise<Province[]> {
    return this.db.prepare<[], Province>(`SELECT plate, name FROM provinces ORDER BY plate`).all();
  }

  async districts(province?: number): Promise<District[]> {
    const sql = `SELECT ysk_id AS yskId, province, name FROM districts ${province ? 'WHERE province = ?' : ''} ORDER BY province, name`;
    return this.db.prepare<unknown[], District>(sql).all(...(province ? [province] : []));
  }

  async neighbourhoods(district: number): Promise<Neighbourhood[]> {
    return this.db
      .prepare<[number], Neighbourhood>(
        `SELECT ysk_id AS yskId, district, province, name, min_box AS minBox, max_box AS maxBox
         FROM neighbourhoods WHERE district = ? ORDER BY name`,
      )
      .all(district);
  }

  async upsertBoxes(boxes: BoxInfo[]): Promise<void> {
    this.db.transaction(() => boxes.forEach((b) => this.stmt.upsertBox.run(b)))();
  }

  async appendVersions(versions: NewVersion[]): Promise<AppendOutcome[]> {
    const s = this.stmt;
    const run = this.db.transaction((items: NewVersion[]) =>
      items.map((v): AppendOutcome => {
        let row = s.boxRow.get(v.key);
        if (row?.latest_hash === v.hash) return { kind: 'unchanged', key: v.key };
        if (!row || v.box.yskBoxId !== row.ysk_box_id || v.box.neighbourhood !== row.neighbourhood) {
          s.upsertBox.run(v.box);
          row = s.boxRow.get(v.key)!;
        }
        const same = row.latest_seq ? s.versionByHash.get(v.key, v.hash) : undefined;
        if (same) return { kind: 'stale', key: v.key, matchesSeq: same.seq };
        const seq = row.latest_seq + 1;
        s.insertVersion.run(v.key, seq, v.hash, JSON.stringify(v.sheet), v.yskVersion, v.yskChangedAt, v.changeReason, v.fetchedAt);
        s.setLatest.run(seq, v.hash, v.fetchedAt, v.key);
        const version: SheetVersion = {
          key: v.key,
          seq,
          hash: v.hash,
          sheet: v.sheet,
          yskVersion: v.yskVersion,
          yskChangedAt: v.yskChangedAt,
          changeReason: v.changeReason,
          fetchedAt: v.fetchedAt,
        };
        if (seq === 1) return { kind: 'first', version };
        return { kind: 'revised', version, previous: toVersion(s.versionAt.get(v.key, row.latest_seq)!) };
      }),
    );
    return run(versions);
  }

  async latestVersion(key: string): Promise<SheetVersion | null> {
    const row = this.stmt.boxRow.get(key);
    if (!row || row.latest_seq === 0) return null;
    return toVersion(this.stmt.versionAt.get(key, row.latest_seq)!);
  }

  async versions(key: string): Promise<SheetVersion[]> {
    return this.stmt.versionsOf.all(key).map(toVersion);
  }

  async box(key: string): Promise<BoxWithLatest | null> {
    const [found] = await this.boxesWhere(`b.key = ?`, [key], 1);
    return found ?? null;
  }

  async boxes(filter: BoxFilter, page: { after?: string; limit?: number } = {}): Promise<BoxWithLatest[]> {
    const where = scopeWhere(filter);
    const after = page.after !== undefined ? ` AND b.key > ?` : '';
    return this.boxesWhere(`${where.sql}${after}`, [...where.params, ...(page.after !== undefined ? [page.after] : [])], page.limit ?? 1000);
  }

  private async boxesWhere(where: string, params: unknown[], limit: number): Promise<BoxWithLatest[]> {
    const rows = this.db
      .prepare<unknown[], BoxRow & Partial<Omit<VersionRow, 'key' | 'seq'>> & { vseq: number | null }>(
        `SELECT b.*, v.seq AS vseq, v.hash, v.sheet, v.ysk_version, v.ysk_changed_at, v.change_reason, v.fetched_at
         FROM boxes b LEFT JOIN versions v ON v.key = b.key AND v.seq = b.latest_seq
         WHERE ${where} ORDER BY b.key LIMIT ?`,
      )
      .all(...params, limit);
    return rows.map((r) => ({
      box: toBox(r),
      latest: r.vseq ? toVersion({ ...(r as unknown as VersionRow), seq: r.vseq }) : null,
      firstPublishedAt: r.first_published_at,
      versions: r.latest_seq,
    }));
  }

  async appendEntry(entry: NewEntry): Promise<EntryOutcome> {
    const s = this.stmt;
    return this.db.transaction((): EntryOutcome => {
      const existing = s.entryByIdem.get(entry.idempotencyKey);
      if (existing) return { kind: 'duplicate', entry: toEntry(existing) };
      s.upsertBox.run(entry.box);
      const info = s.insertEntry.run(
        entry.key,
        entry.hash,
        JSON.stringify(entry.sheet),
        entry.observer,
        entry.source,
        entry.idempotencyKey,
        entry.createdAt,
        JSON.stringify(entry.warnings),
      );
      const { box: _box, ...rest } = entry;
      return { kind: 'stored', entry: { ...rest, id: toEntryId(Number(info.lastInsertRowid)) } };
    })();
  }

  async entries(key: string): Promise<Entry[]> {
    return this.stmt.entriesOf.all(key).map(toEntry);
  }

  async entriesOf(filter: BoxFilter, page: { after?: string; limit?: number } = {}): Promise<Entry[]> {
    const where = scopeWhere(filter);
    const after = page.after !== undefined ? Number(page.after) : 0;
    return this.db
      .prepare<unknown[], EntryRow>(
        `SELECT e.* FROM entries e JOIN boxes b ON b.key = e.key WHERE ${where.sql} AND e.id > ? ORDER BY e.id LIMIT ?`,
      )
      .all(...where.params, after, page.limit ?? 1000)
      .map(toEntry);
  }

  async putColumnMap(map: ColumnMap): Promise<boolean> {
    const columns = JSON.stringify(map.columns);
    const held = this.db
      .prepare<[string, number, number], { columns: string }>(`SELECT columns FROM column_maps WHERE election = ? AND ballot = ? AND province = ?`)
      .get(map.election, map.ballot, map.province);
    this.db
      .prepare(
        `INSERT INTO column_maps (election, ballot, province, columns, fetched_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(election, ballot, province) DO UPDATE SET columns = excluded.columns, fetched_at = excluded.fetched_at`,
      )
      .run(map.election, map.ballot, map.province, columns, map.fetchedAt);
    return held?.columns !== columns;
  }

  async columnMap(election: string, ballot: ColumnMap['ballot'], province: number): Promise<ColumnMap | null> {
    const row = this.db
      .prepare<[string, number, number], { columns: string; fetched_at: string }>(
        `SELECT columns, fetched_at FROM column_maps WHERE election = ? AND ballot = ? AND province = ?`,
      )
      .get(election, ballot, province);
    return row ? { election, ballot, province, columns: JSON.parse(row.columns), fetchedAt: row.fetched_at } : null;
  }

  async escalate(e: Omit<Escalation, 'id'>): Promise<Escalation> {
    this.db
      .prepare(`INSERT INTO escalations (key, province, district, reason, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key, reason) DO NOTHING`)
      .run(e.key, e.province, e.district, e.reason, e.at);
    const row = this.db
      .prepare<[string, string], { id: number; key: string; province: number; district: number; reason: 'stale'; at: string }>(
        `SELECT * FROM escalations WHERE key = ? AND reason = ?`,
      )
      .get(e.key, e.reason)!;
    return { ...row, id: String(row.id) };
  }

  async escalations(filter: { province?: number; district?: number }, limit = 1000): Promise<Escalation[]> {
    const where = scopeWhere(filter, 'e');
    return this.db
      .prepare<unknown[], { id: number; key: string; province: number; district: number; reason: 'stale'; at: string }>(
        `SELECT * FROM escalations e WHERE ${where.sql} ORDER BY at, id LIMIT ?`,
      )
      .all(...where.params, limit)
      .map((r) => ({ ...r, id: String(r.id) }));
  }

  async openIncident(incident: NewIncident): Promise<Incident> {
    const info = this.stmt.insertIncident.run(
      incident.kind,
      incident.scope,
      incident.startedAt,
      incident.cause,
      JSON.stringify(incident.details),
      incident.raw,
    );
    return { ...incident, id: String(info.lastInsertRowid), endedAt: null };
  }

  async closeIncident(id: string, endedAt: string): Promise<void> {
    this.db.prepare(`UPDATE incidents SET ended_at = ? WHERE id = ? AND ended_at IS NULL`).run(endedAt, Number(id));
  }

  async incidents(opts: { open?: boolean; limit?: number } = {}): Promise<Incident[]> {
    const where = opts.open === undefined ? '1' : opts.open ? 'ended_at IS NULL' : 'ended_at IS NOT NULL';
    return this.db
      .prepare<[number], { id: number; kind: string; scope: string; started_at: string; ended_at: string | null; cause: string; details: string; raw: string | null }>(
        `SELECT * FROM incidents WHERE ${where} ORDER BY id DESC LIMIT ?`,
      )
      .all(opts.limit ?? 100)
      .map((r) => ({
        id: String(r.id),
        kind: r.kind,
        scope: r.scope,
        startedAt: r.started_at,
        endedAt: r.ended_at,
        cause: r.cause,
        details: JSON.parse(r.details),
        raw: r.raw,
      }));
  }
}
