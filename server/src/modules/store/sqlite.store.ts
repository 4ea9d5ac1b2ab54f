import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import {
  decideAppend,
  kindOfPlace,
  refOfKey,
  type AlertRecord,
  type AuditEntry,
  type BoxInfo,
  type BoxKind,
  type District,
  type Entry,
  type Neighbourhood,
  type Province,
  type Sheet,
  type SheetVersion,
} from '@gozcu/shared';
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
  StoreWatermark,
  AuditFilter,
  NewAuditEntry,
  RefreshTokenRecord,
  UserFilter,
  UserPatch,
  UserRecord,
  AttachmentFilter,
  AttachmentRecord,
  ComplaintFilter,
  ComplaintPatch,
  ComplaintRecord,
  PetitionFilter,
  PetitionPatch,
  PetitionRecord,
  VoterRecord,
  AlertFilter,
  PushSubscriptionRecord,
  AuditOf,
  Changed,
  AlertMemberPatch,
  AlertPatch,
  RebuildBox,
  RebuildEntry,
} from './store.port';
import { rebuildBoxOf } from './store.port';

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

interface ComplaintRow {
  id: string;
  tracking_code: string;
  status: ComplaintRecord['status'];
  election: string;
  ballot: number | null;
  key: string | null;
  province: number;
  district: number;
  box_no: number;
  text: string;
  contact: string | null;
  routed_to: string;
  filed_by: string | null;
  petition_id: string | null;
  created_at: string;
  updated_at: string;
  history: string;
}
function toComplaint(r: ComplaintRow): ComplaintRecord {
  return {
    id: r.id,
    trackingCode: r.tracking_code,
    status: r.status,
    election: r.election,
    ballot: r.ballot as ComplaintRecord['ballot'],
    key: r.key,
    province: r.province,
    district: r.district,
    boxNo: r.box_no,
    text: r.text,
    contact: r.contact,
    routedTo: JSON.parse(r.routed_to),
    filedBy: r.filed_by,
    petitionId: r.petition_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    history: JSON.parse(r.history),
  };
}
interface AttachmentRow {
  id: string;
  owner: AttachmentRecord['owner'];
  owner_id: string;
  key: string | null;
  kind: AttachmentRecord['kind'];
  content_type: string;
  bytes: number;
  sha256: string;
  width: number | null;
  height: number | null;
  shown_blob: string;
  shown_content_type: string;
  uploaded_at: string;
  uploaded_by: string | null;
}
function toAttachment(r: AttachmentRow): AttachmentRecord {
  return {
    id: r.id,
    owner: r.owner,
    ownerId: r.owner_id,
    key: r.key,
    kind: r.kind,
    contentType: r.content_type,
    bytes: r.bytes,
    sha256: r.sha256,
    width: r.width,
    height: r.height,
    shownBlob: r.shown_blob,
    shownContentType: r.shown_content_type,
    uploadedAt: r.uploaded_at,
    uploadedBy: r.uploaded_by,
  };
}
interface PetitionRow {
  id: string;
  status: PetitionRecord['status'];
  election: string;
  key: string;
  province: number;
  district: number;
  box_no: number;
  ballot: number;
  complaint_id: string | null;
  text: string;
  deadline: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  filed_at: string | null;
  filed_by: string | null;
  reference: string | null;
}
function toPetition(r: PetitionRow): PetitionRecord {
  return {
    id: r.id,
    status: r.status,
    election: r.election,
    key: r.key,
    province: r.province,
    district: r.district,
    boxNo: r.box_no,
    ballot: r.ballot as PetitionRecord['ballot'],
    complaintId: r.complaint_id,
    text: JSON.parse(r.text),
    deadline: r.deadline,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    filedAt: r.filed_at,
    filedBy: r.filed_by,
    reference: r.reference,
  };
}
/** blob ids are SHA-256 hex: nothing else reaches the file system */
const BLOB_ID = /^[0-9a-f]{64}$/;
function complaintWhere(filter: ComplaintFilter) {
  const c = conditions();
  if (filter.province !== undefined) c.add('province = ?', filter.province);
  if (filter.district !== undefined) c.add('district = ?', filter.district);
  if (filter.status !== undefined) c.add('status = ?', filter.status);
  if (filter.key !== undefined) c.add('key = ?', filter.key);
  if (filter.keys !== undefined) {
    if (filter.keys.length) c.add(`key IN (${filter.keys.map(() => '?').join(', ')})`, ...filter.keys);
    else c.add('0');
  }
  return { sql: c.parts.length ? c.parts.join(' AND ') : '1', params: c.params };
}

interface UserRow {
  id: string;
  username: string;
  name: string;
  role: string;
  scope: string;
  password_hash: string;
  disabled: number;
  failed_logins: number;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}
interface AuditRow {
  id: number;
  at: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_role: string | null;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
}

function toUser(r: UserRow): UserRecord {
  return {
    id: r.id,
    username: r.username,
    name: r.name,
    role: r.role,
    scope: JSON.parse(r.scope),
    passwordHash: r.password_hash,
    disabled: r.disabled === 1,
    failedLogins: r.failed_logins,
    lockedUntil: r.locked_until,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
function toAudit(r: AuditRow): AuditEntry {
  return {
    id: toEntryId(r.id),
    at: r.at,
    actor: r.actor_id ? { id: r.actor_id, username: r.actor_name ?? '', role: r.actor_role ?? '' } : null,
    action: r.action,
    target: r.target,
    before: r.before === null ? null : JSON.parse(r.before),
    after: r.after === null ? null : JSON.parse(r.after),
  };
}
function conditions() {
  const parts: string[] = [];
  const params: unknown[] = [];
  return { parts, params, add: (sql: string, ...values: unknown[]) => void (parts.push(sql), params.push(...values)) };
}
const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

interface VersionRow {
  id: number;
  prev: number | null;
  key: string;
  seq: number;
  hash: string;
  /** SheetCodec: int32 figures, or JSON text */
  sheet: Buffer | string;
  ysk_version: number | null;
  ysk_changed_at: string | null;
  /** an integer code; TEXT in files written before YSK's codes were read as numbers */
  change_reason: number | string | null;
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
  kind: BoxKind | null;
  first_ysk_version: number | null;
  first_change_reason: number | null;
  /** the box_versions id of the latest version (null: none yet) */
  latest_vid: number | null;
}
/** a box_log line: a box first seen by the append path, or new facts (ids, kind) about one */
type BoxLogRow = { id: number } & Pick<BoxRow, 'key' | 'election' | 'ballot' | 'province' | 'district' | 'box_no' | 'ysk_box_id' | 'neighbourhood' | 'kind'>;
/**
 * How many boxes the append path may hold changed in memory before it folds them into `boxes`.
 * 1: every batch, in its own transaction — the file always current, as another connection on it
 * (an API-only node sharing DATA_DIR) needs. A store alone on its file may hold more (`foldAt`).
 */
const FOLD_AT = 1;

/** a `rebuildBoxes` row: key, kind, province, district, first_published_at, latest_seq, first_ysk_version, first_change_reason, then the latest version's seq, sheet, fetched_at */
type RebuildBoxRow = [
  string,
  BoxKind | null,
  number,
  number,
  string | null,
  number,
  number | null,
  number | null,
  number | null,
  Buffer | string | null,
  string | null,
];
/** a `rebuildEntries` row: id, key, observer, source, sheet, created_at */
type RebuildEntryRow = [number, string, string, Entry['source'], string, string];

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

const FIGURES = ['registered', 'voted', 'validUncontested', 'validAfterObjection', 'valid', 'invalid'] as const;
const isInt32 = (n: unknown): n is number => typeof n === 'number' && (n | 0) === n;

/**
 * A version's figures as stored (issue 16): little-endian int32s — the id of its vote names in
 * vote_names, the six totals, then the votes in the names' order — or JSON text for a sheet
 * that does not fit (and in files written before).
 */
export class SheetCodec {
  private readonly ids = new Map<string, number>();
  private readonly names = new Map<number, string[]>();
  /** names stored by the open transaction: known to everyone once it commits */
  private fresh: [string, number, string[]][] = [];

  constructor(private readonly db: Database.Database) {}

  encode(sheet: Sheet): Buffer | string {
    const names = Object.keys(sheet.votes);
    // anything else as JSON: other fields, or a name an object literal would not keep as its own key
    if (Object.keys(sheet).length !== FIGURES.length + 1 || names.includes('__proto__')) return JSON.stringify(sheet);
    const out = Buffer.allocUnsafe(4 * (1 + FIGURES.length + names.length));
    for (let i = 0; i < FIGURES.length; i++) {
      const n = sheet[FIGURES[i]];
      if (!isInt32(n)) return JSON.stringify(sheet);
      out.writeInt32LE(n, 4 * (1 + i));
    }
    for (let i = 0; i < names.length; i++) {
      const n = sheet.votes[names[i]];
      if (!isInt32(n)) return JSON.stringify(sheet);
      out.writeInt32LE(n, 4 * (1 + FIGURES.length + i));
    }
    out.writeInt32LE(this.idOf(names), 0);
    return out;
  }

  decode(raw: Buffer | string): Sheet {
    if (typeof raw === 'string') return JSON.parse(raw) as Sheet;
    const names = this.namesOf(raw.readInt32LE(0));
    const votes: Record<string, number> = {};
    for (let i = 0; i < names.length; i++) votes[names[i]] = raw.readInt32LE(4 * (1 + FIGURES.length + i));
    const at = (i: number) => raw.readInt32LE(4 * (1 + i));
    return { registered: at(0), voted: at(1), validUncontested: at(2), validAfterObjection: at(3), valid: at(4), invalid: at(5), votes };
  }

  /** after the transaction that stored new names committed (or rolled back: forgotten); decode needs only a readonly connection */
  settle(committed: boolean): void {
    if (committed) for (const [key, id, names] of this.fresh) this.remember(key, id, names);
    this.fresh = [];
  }

  private remember(key: string, id: number, names: string[]): void {
    this.ids.set(key, id);
    this.names.set(id, names);
  }

  private idOf(names: string[]): number {
    const key = JSON.stringify(names);
    const known = this.ids.get(key) ?? this.fresh.find((f) => f[0] === key)?.[1];
    if (known !== undefined) return known;
    const held = this.db.prepare<[string], { id: number }>(`SELECT id FROM vote_names WHERE names = ?`).get(key);
    const id = held ? held.id : Number(this.db.prepare(`INSERT INTO vote_names (names) VALUES (?)`).run(key).lastInsertRowid);
    if (held) this.remember(key, id, names);
    else this.fresh.push([key, id, names]);
    return id;
  }

  private namesOf(id: number): string[] {
    const known = this.names.get(id) ?? this.fresh.find((f) => f[1] === id)?.[2];
    if (known) return known;
    const row = this.db.prepare<[number], { names: string }>(`SELECT names FROM vote_names WHERE id = ?`).get(id);
    if (!row) throw new Error(`vote names ${id} missing from the store`);
    const names = JSON.parse(row.names) as string[];
    this.remember(row.names, id, names);
    return names;
  }
}

function toVersion(r: VersionRow, codec: SheetCodec): SheetVersion {
  return {
    key: r.key,
    seq: r.seq,
    hash: r.hash,
    sheet: codec.decode(r.sheet),
    yskVersion: r.ysk_version,
    yskChangedAt: r.ysk_changed_at,
    changeReason: reasonCode(r.change_reason),
    fetchedAt: r.fetched_at,
  };
}

/** `degisiklik_NEDENI` as stored: a number (older files may hold text, which reads as none). */
function reasonCode(v: number | string | null): number | null {
  if (typeof v === 'number') return v;
  return typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : null;
}
function toBox(r: BoxRow): BoxInfo {
  const box: BoxInfo = {
    key: r.key,
    election: r.election,
    ballot: r.ballot as BoxInfo['ballot'],
    province: r.province,
    district: r.district,
    boxNo: r.box_no,
    yskBoxId: r.ysk_box_id,
    neighbourhood: r.neighbourhood,
    kind: r.kind ?? kindOfPlace(r),
  };
  const rumuz = refOfKey(r.key).rumuz;
  if (rumuz) box.rumuz = rumuz;
  return box;
}

/** The named parameters of the box upsert (kind null keeps the stored one). */
function boxParams(b: BoxInfo) {
  return {
    key: b.key,
    election: b.election,
    ballot: b.ballot,
    province: b.province,
    district: b.district,
    boxNo: b.boxNo,
    yskBoxId: b.yskBoxId,
    neighbourhood: b.neighbourhood,
    kind: b.kind ?? null,
  };
}

/** Columns added after the first release: added to an older file, and filled from what it holds. */
const MIGRATIONS: { table: string; column: string; ddl: string; backfill?: string }[] = [
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
/** A box row and its latest version as the port answers them. */
function withLatest(r: BoxRow, latest: VersionRow | null, codec: SheetCodec): BoxWithLatest {
  return {
    box: toBox(r),
    latest: latest ? toVersion(latest, codec) : null,
    firstPublishedAt: r.first_published_at,
    first: r.latest_seq > 0 ? { yskVersion: r.first_ysk_version, changeReason: r.first_change_reason } : null,
    versions: r.latest_seq,
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

  private blobDir = '';
  /**
   * The `boxes` rows the append path changed and has not folded yet, as they will be once folded
   * (issue 16). box/latestVersion/versions read through it; the queries that join `boxes` (scopes,
   * entries) fold first. One writer per file: another connection does not see these until a fold.
   */
  private readonly pending = new Map<string, BoxRow>();
  private codec!: SheetCodec;
  /** the id of the last version appended (folded_vid once pending is folded) */
  private lastVid = 0;

  /**
   * `file` is the SQLite file; blobs (uploaded files) live in `files/` beside it. A write waits at
   * most `busyTimeoutMs` for a write lock another connection holds, then fails with SQLITE_BUSY
   * (the API answers 503). `foldAt`: how many boxes the append path holds changed before it folds
   * them into `boxes` (FOLD_AT; tests set it low).
   */
  constructor(
    private readonly file: string,
    private readonly opts: { busyTimeoutMs?: number; foldAt?: number } = {},
  ) {}

  async init(): Promise<void> {
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
    this.migrate();
    this.stmt = this.prepare();
    this.codec = new SheetCodec(this.db);
    // files written before box_log kept `boxes` current: every version there is folded
    this.db
      .prepare(`INSERT INTO store_meta (key, value) SELECT 'folded_vid', COALESCE(MAX(id), 0) FROM box_versions WHERE 1 ON CONFLICT(key) DO NOTHING`)
      .run();
    // the store's own id, for the reconciliation's snapshot (a snapshot of another file is refused)
    this.db.prepare(`INSERT INTO store_meta (key, value) VALUES ('store_id', ?) ON CONFLICT(key) DO NOTHING`).run(randomInt(1, 2 ** 47));
    // what the last process appended and did not fold (it was killed, or crashed) is folded now
    this.pending.clear();
    this.fold(true);
    this.lastVid = this.stmt.folded.get()!.value;
    this.blobDir = this.file === ':memory:' ? mkdtempSync(join(tmpdir(), 'gozcu-blobs-')) : join(dirname(this.file), 'files');
  }

  private migrate(): void {
    for (const m of MIGRATIONS) {
      const columns = this.db.prepare<[], { name: string }>(`PRAGMA table_info(${m.table})`).all();
      if (columns.some((c) => c.name === m.column)) continue;
      this.db.transaction(() => {
        this.db.exec(m.ddl);
        if (m.backfill) this.db.exec(m.backfill);
      })();
    }
    this.migrateVersions();
  }

  /**
   * Files written before issue 16 keep versions in `versions` (WITHOUT ROWID, keyed by (key, seq),
   * unique on (key, hash)): copied into `box_versions` as chains, boxes pointed at their latest,
   * and the old table dropped, in one transaction (a crash midway leaves the old file as it was).
   */
  private migrateVersions(): void {
    const old = this.db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'versions'`).get();
    if (!old) return;
    this.db.transaction(() => {
      const insert = this.db.prepare(
        `INSERT INTO box_versions (key, seq, prev, hash, sheet, ysk_version, ysk_changed_at, change_reason, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const point = this.db.prepare(`UPDATE boxes SET latest_vid = ? WHERE key = ? AND latest_seq = ?`);
      let key: string | null = null;
      let prev: number | null = null;
      let seq = 0;
      const done = () => key !== null && point.run(prev, key, seq);
      // read in pages (a connection cannot write while it iterates), in (key, seq) order, the primary key's
      const page = this.db.prepare<[string, number], Omit<VersionRow, 'id' | 'prev'>>(
        `SELECT * FROM versions WHERE (key, seq) > (?, ?) ORDER BY key, seq LIMIT 5000`,
      );
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
      this.db.exec(`DROP TABLE versions`);
    })();
  }

  private prepare() {
    const d = this.db;
    return {
      upsertBox: d.prepare(
        `INSERT INTO boxes (key, election, ballot, province, district, box_no, ysk_box_id, neighbourhood, kind)
         VALUES (@key, @election, @ballot, @province, @district, @boxNo, @yskBoxId, @neighbourhood, @kind)
         ON CONFLICT(key) DO UPDATE SET ysk_box_id = COALESCE(excluded.ysk_box_id, ysk_box_id),
           neighbourhood = COALESCE(excluded.neighbourhood, neighbourhood), kind = COALESCE(excluded.kind, kind)
         WHERE ysk_box_id IS NOT COALESCE(excluded.ysk_box_id, ysk_box_id) OR neighbourhood IS NOT COALESCE(excluded.neighbourhood, neighbourhood)
           OR kind IS NOT COALESCE(excluded.kind, kind)`,
      ),
      boxRow: d.prepare<[string], BoxRow>(`SELECT * FROM boxes WHERE key = ?`),
      versionById: d.prepare<[number], VersionRow>(`SELECT * FROM box_versions WHERE id = ?`),
      /** a link of a box's chain: for the stale check, which reads only hashes */
      hashLink: d.prepare<[number], { seq: number; hash: string; prev: number | null }>(`SELECT seq, hash, prev FROM box_versions WHERE id = ?`),
      insertVersion: d.prepare(
        `INSERT INTO box_versions (key, seq, prev, hash, sheet, ysk_version, ysk_changed_at, change_reason, fetched_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      setLatest: d.prepare(
        `UPDATE boxes SET latest_seq = ?, latest_hash = ?, latest_vid = ?, first_published_at = COALESCE(first_published_at, ?) WHERE key = ?`,
      ),
      setFirst: d.prepare(
        `UPDATE boxes SET latest_seq = 1, latest_hash = ?, latest_vid = ?, first_published_at = COALESCE(first_published_at, ?),
           first_ysk_version = ?, first_change_reason = ? WHERE key = ?`,
      ),
      /** a whole boxes row from `pending` (the fold) */
      putBox: d.prepare(
        `INSERT INTO boxes (key, election, ballot, province, district, box_no, ysk_box_id, neighbourhood, kind,
           latest_seq, latest_hash, latest_vid, first_published_at, first_ysk_version, first_change_reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET ysk_box_id = excluded.ysk_box_id, neighbourhood = excluded.neighbourhood, kind = excluded.kind,
           latest_seq = excluded.latest_seq, latest_hash = excluded.latest_hash, latest_vid = excluded.latest_vid,
           first_published_at = excluded.first_published_at, first_ysk_version = excluded.first_ysk_version,
           first_change_reason = excluded.first_change_reason`,
      ),
      logBox: d.prepare(
        `INSERT INTO box_log (key, election, ballot, province, district, box_no, ysk_box_id, neighbourhood, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      boxLog: d.prepare<[], BoxLogRow>(`SELECT * FROM box_log ORDER BY id`),
      clearBoxLog: d.prepare(`DELETE FROM box_log`),
      bumpBoxesRev: d.prepare(`INSERT INTO store_meta (key, value) VALUES ('boxes_rev', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1`),
      watermark: d.prepare<[], StoreWatermark>(
        `SELECT (SELECT value FROM store_meta WHERE key = 'store_id') AS store,
           (SELECT COALESCE(MAX(id), 0) FROM box_versions) AS versions,
           (SELECT COALESCE(MAX(id), 0) FROM entries) AS entries,
           (SELECT COALESCE(MAX(value), 0) FROM store_meta WHERE key = 'boxes_rev') AS boxes`,
      ),
      folded: d.prepare<[], { value: number }>(`SELECT value FROM store_meta WHERE key = 'folded_vid'`),
      setFolded: d.prepare(`UPDATE store_meta SET value = ? WHERE key = 'folded_vid'`),
      versionsAfter: d.prepare<[number], Pick<VersionRow, 'id' | 'key' | 'seq' | 'hash' | 'ysk_version' | 'change_reason' | 'fetched_at'>>(
        `SELECT id, key, seq, hash, ysk_version, change_reason, fetched_at FROM box_versions WHERE id > ? ORDER BY id`,
      ),
      entryByIdem: d.prepare<[string], EntryRow>(`SELECT * FROM entries WHERE idempotency_key = ?`),
      insertEntry: d.prepare(
        `INSERT INTO entries (key, hash, sheet, observer, source, idempotency_key, created_at, warnings)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      entriesOf: d.prepare<[string], EntryRow>(`SELECT * FROM entries WHERE key = ? ORDER BY id`),
      escalate: d.prepare(`INSERT INTO escalations (key, province, district, reason, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key, reason) DO NOTHING`),
      // the rebuild's reads (RebuildBoxRow, RebuildEntryRow): the columns it uses, as arrays
      rebuildBoxes: d
        .prepare<[string, string, number]>(
          `SELECT b.key, b.kind, b.province, b.district, b.first_published_at, b.latest_seq, b.first_ysk_version, b.first_change_reason, v.seq, v.sheet, v.fetched_at
           FROM boxes b LEFT JOIN box_versions v ON v.id = b.latest_vid AND b.latest_seq > 0
           WHERE b.election = ? AND b.key > ? ORDER BY b.key LIMIT ?`,
        )
        .raw(),
      rebuildEntries: d
        .prepare<[number, number, string, number]>(
          // the election by the key's first part (no election has a ':'), as entriesOf's join with boxes
          // finds it (appendEntry writes the box row of every entry), without a boxes look-up per entry
          `SELECT e.id, e.key, e.observer, e.source, e.sheet, e.created_at FROM entries e WHERE e.id > ? AND substr(e.key, 1, ?) = ? ORDER BY e.id LIMIT ?`,
        )
        .raw(),
      insertIncident: d.prepare(`INSERT INTO incidents (kind, scope, started_at, cause, details, raw) VALUES (?, ?, ?, ?, ?, ?)`),
    };
  }

  async close(): Promise<void> {
    if (this.db?.open) {
      try {
        this.fold();
      } finally {
        this.db.close();
      }
    }
  }

  async ping(): Promise<void> {
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
    this.db.transaction(() => neighbourhoods.forEach((n) => s.run(n.yskId, n.district, n.province, n.name, n.minBox, n.maxBox)))();
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
    this.foldIfPending(boxes.map((b) => b.key));
    this.db.transaction(() => {
      // a box already held as it is changes nothing (a feed's discovery registers its boxes again at every start)
      let changed = 0;
      for (const b of boxes) changed += this.stmt.upsertBox.run(boxParams(b)).changes;
      if (changed) this.stmt.bumpBoxesRev.run();
    })();
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

  /**
   * Replays what the append path wrote since the last fold (box_log, then the versions after
   * folded_vid, in order) into `boxes`, in one transaction; idempotent, so a fold a crash
   * interrupted is simply done again at the next open.
   */
  private fold(recover = false): void {
    if (!recover) return this.foldPending();
    const s = this.stmt;
    this.db.transaction(() => {
      for (const b of s.boxLog.all()) {
        s.upsertBox.run({
          key: b.key,
          election: b.election,
          ballot: b.ballot,
          province: b.province,
          district: b.district,
          boxNo: b.box_no,
          yskBoxId: b.ysk_box_id,
          neighbourhood: b.neighbourhood,
          kind: b.kind,
        });
      }
      let folded = s.folded.get()!.value;
      for (const v of s.versionsAfter.all(folded)) {
        if (v.seq === 1) s.setFirst.run(v.hash, v.id, v.fetched_at, v.ysk_version, reasonCode(v.change_reason), v.key);
        else s.setLatest.run(v.seq, v.hash, v.id, v.fetched_at, v.key);
        folded = v.id;
      }
      s.setFolded.run(folded);
      s.clearBoxLog.run();
    })();
    this.pending.clear();
  }

  /**
   * The fold of a running store: the rows it holds, each written whole (sorted by key, so the key
   * index is walked in order), folded_vid moved past every version appended, box_log emptied.
   */
  private foldPending(): void {
    if (!this.pending.size) return;
    this.db.transaction(() => this.writeFold(this.pending, this.lastVid))();
    this.pending.clear();
  }

  /** Writes held rows whole, sorted by key (the key index walked in order), and marks versions to `lastVid` folded. */
  private writeFold(rows: Map<string, BoxRow>, lastVid: number): void {
    const s = this.stmt;
    for (const key of [...rows.keys()].sort()) {
      const r = rows.get(key)!;
      s.putBox.run(
        r.key,
        r.election,
        r.ballot,
        r.province,
        r.district,
        r.box_no,
        r.ysk_box_id,
        r.neighbourhood,
        r.kind,
        r.latest_seq,
        r.latest_hash,
        r.latest_vid,
        r.first_published_at,
        r.first_ysk_version,
        r.first_change_reason,
      );
    }
    s.setFolded.run(lastVid);
    s.clearBoxLog.run();
  }

  /** The `boxes` row of a key as it stands, the append path's unfolded changes included. */
  private boxRow(key: string): BoxRow | undefined {
    return this.pending.get(key) ?? this.stmt.boxRow.get(key);
  }

  /** Folds first when one of these boxes has changes not folded yet (a write to `boxes` follows). */
  private foldIfPending(keys: Iterable<string>): void {
    if (!this.pending.size) return;
    for (const key of keys) if (this.pending.has(key)) return this.fold();
  }

  async appendVersions(versions: NewVersion[]): Promise<AppendOutcome[]> {
    const s = this.stmt;
    // rows changed by this batch: into `pending` only once the transaction has committed
    const touched = new Map<string, BoxRow>();
    let lastVid = this.lastVid;
    let folded = false;
    const run = this.db.transaction((items: NewVersion[]) => {
      const out = items.map((v): AppendOutcome => {
        const held = touched.get(v.key) ?? this.boxRow(v.key);
        // content equal to an older version: walk the chain back from the one before the latest
        const decision = decideAppend(held?.latest_seq ? { seq: held.latest_seq, hash: held.latest_hash! } : null, v.hash, (hash) => {
          for (let id = s.hashLink.get(held!.latest_vid!)!.prev; id !== null;) {
            const link = s.hashLink.get(id)!;
            if (link.hash === hash) return link.seq;
            id = link.prev;
          }
          return undefined;
        });
        if (decision.kind === 'unchanged') return { kind: 'unchanged', key: v.key };
        const b = v.box;
        let row: BoxRow;
        if (!held || b.yskBoxId !== held.ysk_box_id || b.neighbourhood !== held.neighbourhood || (b.kind !== undefined && b.kind !== held.kind)) {
          // a new box, or new facts about one: logged, and merged as the upsert would (a null keeps what is held)
          s.logBox.run(b.key, b.election, b.ballot, b.province, b.district, b.boxNo, b.yskBoxId, b.neighbourhood, b.kind ?? null);
          row = held
            ? { ...held, ysk_box_id: b.yskBoxId ?? held.ysk_box_id, neighbourhood: b.neighbourhood ?? held.neighbourhood, kind: b.kind ?? held.kind }
            : {
                key: b.key,
                election: b.election,
                ballot: b.ballot,
                province: b.province,
                district: b.district,
                box_no: b.boxNo,
                ysk_box_id: b.yskBoxId,
                neighbourhood: b.neighbourhood,
                kind: b.kind ?? null,
                latest_seq: 0,
                latest_hash: null,
                latest_vid: null,
                first_published_at: null,
                first_ysk_version: null,
                first_change_reason: null,
              };
          touched.set(v.key, row);
        } else row = held;
        if (decision.kind === 'stale') return { kind: 'stale', key: v.key, matchesSeq: decision.matchesSeq };
        const latestVid = row.latest_seq ? row.latest_vid : null;
        const seq = decision.seq;
        const vid = Number(
          s.insertVersion.run(v.key, seq, latestVid, v.hash, this.codec.encode(v.sheet), v.yskVersion, v.yskChangedAt, v.changeReason, v.fetchedAt)
            .lastInsertRowid,
        );
        lastVid = vid;
        const next: BoxRow = { ...row, latest_seq: seq, latest_hash: v.hash, latest_vid: vid, first_published_at: row.first_published_at ?? v.fetchedAt };
        if (seq === 1) {
          next.first_ysk_version = v.yskVersion;
          next.first_change_reason = v.changeReason;
        }
        touched.set(v.key, next);
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
        return { kind: 'revised', version, previous: toVersion(s.versionById.get(latestVid!)!, this.codec) };
      });
      // enough held: the boxes rows written in this same transaction (with foldAt 1, every batch: no lag at all)
      if (this.pending.size + touched.size >= (this.opts.foldAt ?? FOLD_AT)) {
        this.writeFold(new Map([...this.pending, ...touched]), lastVid);
        folded = true;
      }
      return out;
    });
    let outcomes: AppendOutcome[];
    try {
      outcomes = run(versions);
    } catch (e) {
      this.codec.settle(false);
      throw e;
    }
    this.codec.settle(true);
    this.lastVid = lastVid;
    if (folded) this.pending.clear();
    else for (const [key, row] of touched) this.pending.set(key, row);
    return outcomes;
  }

  async latestVersion(key: string): Promise<SheetVersion | null> {
    const row = this.boxRow(key);
    if (!row || row.latest_seq === 0 || row.latest_vid === null) return null;
    return toVersion(this.stmt.versionById.get(row.latest_vid)!, this.codec);
  }

  async versions(key: string): Promise<SheetVersion[]> {
    const row = this.boxRow(key);
    const out: SheetVersion[] = [];
    for (let id = row?.latest_seq ? row.latest_vid : null; id !== null;) {
      const r = this.stmt.versionById.get(id)!;
      out.push(toVersion(r, this.codec));
      id = r.prev;
    }
    return out.reverse();
  }

  async box(key: string): Promise<BoxWithLatest | null> {
    const row = this.pending.get(key);
    if (row) return withLatest(row, row.latest_seq && row.latest_vid !== null ? this.stmt.versionById.get(row.latest_vid)! : null, this.codec);
    const [found] = await this.boxesWhere(`b.key = ?`, [key], 1);
    return found ?? null;
  }

  async boxes(filter: BoxFilter, page: { after?: string; limit?: number } = {}): Promise<BoxWithLatest[]> {
    const where = scopeWhere(filter);
    const after = page.after !== undefined ? ` AND b.key > ?` : '';
    const limit = page.limit ?? 1000;
    const folded = await this.boxesWhere(`${where.sql}${after}`, [...where.params, ...(page.after !== undefined ? [page.after] : [])], limit);
    if (!this.pending.size) return folded;
    // the first `limit` keys of the file's rows and the unfolded ones together (unfolded wins):
    // a read needs no write lock, so it works while another connection holds one
    const merged = new Map(folded.map((b) => [b.box.key, b]));
    for (const r of this.pending.values()) {
      if (page.after !== undefined && r.key <= page.after) continue;
      if ((['election', 'ballot', 'province', 'district'] as const).some((f) => filter[f] !== undefined && filter[f] !== r[f])) continue;
      merged.set(r.key, withLatest(r, r.latest_seq && r.latest_vid !== null ? this.stmt.versionById.get(r.latest_vid)! : null, this.codec));
    }
    return [...merged.values()].sort((a, b) => (a.box.key < b.box.key ? -1 : a.box.key > b.box.key ? 1 : 0)).slice(0, limit);
  }

  private async boxesWhere(where: string, params: unknown[], limit: number): Promise<BoxWithLatest[]> {
    const rows = this.db
      .prepare<unknown[], BoxRow & Partial<Omit<VersionRow, 'key' | 'seq'>> & { vseq: number | null }>(
        `SELECT b.*, v.seq AS vseq, v.hash, v.sheet, v.ysk_version, v.ysk_changed_at, v.change_reason, v.fetched_at
         FROM boxes b LEFT JOIN box_versions v ON v.id = b.latest_vid AND b.latest_seq > 0
         WHERE ${where} ORDER BY b.key LIMIT ?`,
      )
      .all(...params, limit);
    return rows.map((r) => withLatest(r, r.vseq ? { ...(r as unknown as VersionRow), seq: r.vseq } : null, this.codec));
  }

  async rebuildBoxes(election: string, page: { after?: string; limit?: number } = {}): Promise<RebuildBox[]> {
    const limit = page.limit ?? 1000;
    // the append path's unfolded rows: merged as `boxes` does (a store that just opened has none)
    if (this.pending.size) return (await this.boxes({ election }, page)).map(rebuildBoxOf);
    // every key is a non-empty text, so '' is before the first
    const rows = this.stmt.rebuildBoxes.all(election, page.after ?? '', limit) as RebuildBoxRow[];
    const out = new Array<RebuildBox>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [key, kind, province, district, firstPublishedAt, latestSeq, firstYskVersion, firstChangeReason, seq, sheet, fetchedAt] = rows[i]!;
      out[i] = {
        key,
        kind: kind ?? kindOfPlace({ province, district }),
        latest: seq ? { seq, sheet: this.codec.decode(sheet!), fetchedAt: fetchedAt! } : null,
        firstPublishedAt,
        first: latestSeq > 0 ? { yskVersion: firstYskVersion, changeReason: firstChangeReason } : null,
      };
    }
    return out;
  }

  async rebuildEntries(election: string, page: { after?: string; limit?: number } = {}): Promise<RebuildEntry[]> {
    const prefix = `${election}:`;
    const rows = this.stmt.rebuildEntries.all(
      page.after !== undefined ? Number(page.after) : 0,
      prefix.length,
      prefix,
      page.limit ?? 1000,
    ) as RebuildEntryRow[];
    const out = new Array<RebuildEntry>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [id, key, observer, source, sheet, createdAt] = rows[i]!;
      out[i] = { id: toEntryId(id), key, observer, source, sheet: JSON.parse(sheet) as Sheet, createdAt };
    }
    return out;
  }

  async appendEntry(entry: NewEntry): Promise<EntryOutcome> {
    this.foldIfPending([entry.key]);
    const s = this.stmt;
    return this.db.transaction((): EntryOutcome => {
      const existing = s.entryByIdem.get(entry.idempotencyKey);
      if (existing) return { kind: 'duplicate', entry: toEntry(existing) };
      s.upsertBox.run(boxParams(entry.box));
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
    // no fold needed: a box with entries has its row (appendEntry writes it), and a box's scope never changes
    const where = scopeWhere(filter);
    const after = page.after !== undefined ? Number(page.after) : 0;
    return this.db
      .prepare<unknown[], EntryRow>(`SELECT e.* FROM entries e JOIN boxes b ON b.key = e.key WHERE ${where.sql} AND e.id > ? ORDER BY e.id LIMIT ?`)
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

  async escalateMany(escalations: Omit<Escalation, 'id'>[]): Promise<void> {
    if (!escalations.length) return;
    const insert = this.stmt.escalate;
    this.db.transaction(() => {
      for (const e of escalations) insert.run(e.key, e.province, e.district, e.reason, e.at);
    })();
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
      .prepare<
        [number],
        { id: number; kind: string; scope: string; started_at: string; ended_at: string | null; cause: string; details: string; raw: string | null }
      >(`SELECT * FROM incidents WHERE ${where} ORDER BY id DESC LIMIT ?`)
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

  async createUser(u: UserRecord): Promise<UserRecord | null> {
    return this.createUserSync(u);
  }

  private createUserSync(u: UserRecord): UserRecord | null {
    const info = this.db
      .prepare(
        `INSERT INTO users (id, username, name, role, scope, scope_province, scope_district, password_hash, disabled, failed_logins, locked_until, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(
        u.id,
        u.username,
        u.name,
        u.role,
        JSON.stringify(u.scope),
        u.scope.province ?? null,
        u.scope.district ?? null,
        u.passwordHash,
        u.disabled ? 1 : 0,
        u.failedLogins,
        u.lockedUntil,
        u.createdAt,
        u.updatedAt,
      );
    return info.changes ? { ...u } : null;
  }

  async userById(id: string): Promise<UserRecord | null> {
    return this.userByIdSync(id);
  }

  private userByIdSync(id: string): UserRecord | null {
    const row = this.db.prepare<[string], UserRow>(`SELECT * FROM users WHERE id = ?`).get(id);
    return row ? toUser(row) : null;
  }

  async userByName(username: string): Promise<UserRecord | null> {
    const row = this.db.prepare<[string], UserRow>(`SELECT * FROM users WHERE username = ?`).get(username);
    return row ? toUser(row) : null;
  }

  async users(filter: UserFilter, page: { after?: string; limit?: number } = {}): Promise<UserRecord[]> {
    const { parts, params, add } = conditions();
    if (filter.role !== undefined) add('role = ?', filter.role);
    if (filter.province !== undefined) add('scope_province = ?', filter.province);
    if (filter.district !== undefined) add('scope_district = ?', filter.district);
    if (page.after !== undefined) add('username > ?', page.after);
    return this.db
      .prepare<unknown[], UserRow>(`SELECT * FROM users WHERE ${parts.length ? parts.join(' AND ') : '1'} ORDER BY username LIMIT ?`)
      .all(...params, page.limit ?? 1000)
      .map(toUser);
  }

  async updateUser(id: string, patch: UserPatch): Promise<UserRecord | null> {
    return this.updateUserSync(id, patch);
  }

  private updateUserSync(id: string, patch: UserPatch): UserRecord | null {
    const columns: Record<keyof UserPatch, string> = {
      name: 'name',
      role: 'role',
      scope: 'scope',
      passwordHash: 'password_hash',
      disabled: 'disabled',
      failedLogins: 'failed_logins',
      lockedUntil: 'locked_until',
      updatedAt: 'updated_at',
    };
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [field, value] of Object.entries(patch) as [keyof UserPatch, unknown][]) {
      if (value === undefined) continue;
      sets.push(`${columns[field]} = ?`);
      params.push(field === 'scope' ? JSON.stringify(value) : field === 'disabled' ? (value ? 1 : 0) : value);
      if (field === 'scope') {
        const scope = value as UserRecord['scope'];
        sets.push('scope_province = ?', 'scope_district = ?');
        params.push(scope.province ?? null, scope.district ?? null);
      }
    }
    if (sets.length) this.db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
    return this.userByIdSync(id);
  }

  async countFailedLogin(id: string): Promise<number> {
    const row = this.db
      .prepare<[string], { failed_logins: number }>(`UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins`)
      .get(id);
    return row?.failed_logins ?? 0;
  }

  async putRefreshToken(t: RefreshTokenRecord): Promise<void> {
    this.db
      .prepare(`INSERT INTO refresh_tokens (hash, user_id, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?)`)
      .run(t.hash, t.userId, t.createdAt, t.expiresAt, t.revokedAt);
  }

  async refreshToken(hash: string): Promise<RefreshTokenRecord | null> {
    const row = this.db
      .prepare<[string], { hash: string; user_id: string; created_at: string; expires_at: string; revoked_at: string | null }>(
        `SELECT * FROM refresh_tokens WHERE hash = ?`,
      )
      .get(hash);
    return row ? { hash: row.hash, userId: row.user_id, createdAt: row.created_at, expiresAt: row.expires_at, revokedAt: row.revoked_at } : null;
  }

  async revokeRefreshToken(hash: string, at: string): Promise<boolean> {
    return this.db.prepare(`UPDATE refresh_tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL`).run(at, hash).changes === 1;
  }

  async revokeRefreshTokens(userId: string, at: string): Promise<number> {
    return this.db.prepare(`UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`).run(at, userId).changes;
  }

  async appendAudit(e: NewAuditEntry): Promise<AuditEntry> {
    return this.appendAuditSync(e);
  }

  private appendAuditSync(e: NewAuditEntry): AuditEntry {
    const info = this.db
      .prepare(`INSERT INTO audit (at, actor_id, actor_name, actor_role, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(e.at, e.actor?.id ?? null, e.actor?.username ?? null, e.actor?.role ?? null, e.action, e.target, json(e.before), json(e.after));
    return { ...e, before: e.before ?? null, after: e.after ?? null, id: toEntryId(Number(info.lastInsertRowid)) };
  }

  async audit(filter: AuditFilter, page: { before?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const { parts, params, add } = conditions();
    if (filter.actor !== undefined) add('actor_name = ?', filter.actor);
    if (filter.action !== undefined) add('action = ?', filter.action);
    if (filter.target !== undefined) add(`substr(target, 1, ?) = ?`, filter.target.length, filter.target);
    if (filter.since !== undefined) add('at >= ?', filter.since);
    if (filter.until !== undefined) add('at < ?', filter.until);
    if (page.before !== undefined) add('id < ?', Number(page.before));
    return this.db
      .prepare<unknown[], AuditRow>(`SELECT * FROM audit WHERE ${parts.length ? parts.join(' AND ') : '1'} ORDER BY id DESC LIMIT ?`)
      .all(...params, page.limit ?? 100)
      .map(toAudit);
  }

  async setting<T = unknown>(key: string): Promise<T | null> {
    return this.settingSync<T>(key);
  }

  private settingSync<T = unknown>(key: string): T | null {
    const row = this.db.prepare<[string], { value: string }>(`SELECT value FROM settings WHERE key = ?`).get(key);
    return row ? (JSON.parse(row.value) as T) : null;
  }

  async putSetting(key: string, value: unknown): Promise<void> {
    this.putSettingSync(key, value);
  }

  private putSettingSync(key: string, value: unknown): void {
    this.db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(key, JSON.stringify(value));
  }

  async putVoters(voters: VoterRecord[]): Promise<number> {
    return this.db.transaction(() => this.putVotersSync(voters))();
  }

  private putVotersSync(voters: VoterRecord[]): number {
    const s = this.db.prepare(
      `INSERT INTO voters (hash, province, district, box_no, imported_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(hash) DO UPDATE SET province = excluded.province, district = excluded.district, box_no = excluded.box_no, imported_at = excluded.imported_at`,
    );
    return voters.reduce((n, v) => n + s.run(v.hash, v.province, v.district, v.boxNo, v.importedAt).changes, 0);
  }

  async voterByHash(hash: string): Promise<VoterRecord | null> {
    const row = this.db
      .prepare<[string], { hash: string; province: number; district: number; box_no: number; imported_at: string }>(`SELECT * FROM voters WHERE hash = ?`)
      .get(hash);
    return row ? { hash: row.hash, province: row.province, district: row.district, boxNo: row.box_no, importedAt: row.imported_at } : null;
  }

  async voterCount(): Promise<number> {
    return this.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM voters`).get()!.n;
  }

  async createComplaint(c: ComplaintRecord): Promise<ComplaintRecord> {
    return this.createComplaintSync(c);
  }

  private createComplaintSync(c: ComplaintRecord): ComplaintRecord {
    this.db
      .prepare(
        `INSERT INTO complaints (id, tracking_code, status, election, ballot, key, province, district, box_no, text, contact, routed_to, filed_by, petition_id, created_at, updated_at, history)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.id,
        c.trackingCode,
        c.status,
        c.election,
        c.ballot,
        c.key,
        c.province,
        c.district,
        c.boxNo,
        c.text,
        c.contact,
        JSON.stringify(c.routedTo),
        c.filedBy,
        c.petitionId,
        c.createdAt,
        c.updatedAt,
        JSON.stringify(c.history),
      );
    return { ...c };
  }

  async complaint(id: string): Promise<ComplaintRecord | null> {
    const row = this.db.prepare<[string], ComplaintRow>(`SELECT * FROM complaints WHERE id = ?`).get(id);
    return row ? toComplaint(row) : null;
  }

  async complaintByCode(trackingCode: string): Promise<ComplaintRecord | null> {
    const row = this.db.prepare<[string], ComplaintRow>(`SELECT * FROM complaints WHERE tracking_code = ?`).get(trackingCode);
    return row ? toComplaint(row) : null;
  }

  async updateComplaint(id: string, expected: ComplaintRecord['status'], patch: ComplaintPatch): Promise<ComplaintRecord | null> {
    return this.updateComplaintSync(id, expected, patch)?.after ?? null;
  }

  private updateComplaintSync(
    id: string,
    expected: ComplaintRecord['status'],
    patch: ComplaintPatch,
  ): { before: ComplaintRecord; after: ComplaintRecord } | null {
    return this.db.transaction((): { before: ComplaintRecord; after: ComplaintRecord } | null => {
      const row = this.db.prepare<[string, string], ComplaintRow>(`SELECT * FROM complaints WHERE id = ? AND status = ?`).get(id, expected);
      if (!row) return null;
      const held = toComplaint(row);
      const next: ComplaintRecord = {
        ...held,
        status: patch.status ?? held.status,
        petitionId: patch.petitionId !== undefined ? patch.petitionId : held.petitionId,
        updatedAt: patch.updatedAt,
        history: patch.step ? [...held.history, patch.step] : held.history,
      };
      this.db
        .prepare(`UPDATE complaints SET status = ?, petition_id = ?, updated_at = ?, history = ? WHERE id = ?`)
        .run(next.status, next.petitionId, next.updatedAt, JSON.stringify(next.history), id);
      return { before: held, after: next };
    })();
  }

  async complaints(filter: ComplaintFilter, limit = 1000): Promise<ComplaintRecord[]> {
    const where = complaintWhere(filter);
    return this.db
      .prepare<unknown[], ComplaintRow>(`SELECT * FROM complaints WHERE ${where.sql} ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(...where.params, limit)
      .map(toComplaint);
  }

  async complaintCounts(filter: ComplaintFilter): Promise<Partial<Record<ComplaintRecord['status'], number>>> {
    const where = complaintWhere(filter);
    const rows = this.db
      .prepare<unknown[], { status: ComplaintRecord['status']; n: number }>(`SELECT status, COUNT(*) AS n FROM complaints WHERE ${where.sql} GROUP BY status`)
      .all(...where.params);
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  async putAttachment(a: AttachmentRecord): Promise<void> {
    this.putAttachmentSync(a);
  }

  private putAttachmentSync(a: AttachmentRecord): void {
    this.db
      .prepare(
        `INSERT INTO attachments (id, owner, owner_id, key, kind, content_type, bytes, sha256, width, height, shown_blob, shown_content_type, uploaded_at, uploaded_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        a.id,
        a.owner,
        a.ownerId,
        a.key,
        a.kind,
        a.contentType,
        a.bytes,
        a.sha256,
        a.width,
        a.height,
        a.shownBlob,
        a.shownContentType,
        a.uploadedAt,
        a.uploadedBy,
      );
  }

  async attachment(id: string): Promise<AttachmentRecord | null> {
    const row = this.db.prepare<[string], AttachmentRow>(`SELECT * FROM attachments WHERE id = ?`).get(id);
    return row ? toAttachment(row) : null;
  }

  async attachments(filter: AttachmentFilter): Promise<AttachmentRecord[]> {
    const { parts, params, add } = conditions();
    add('owner = ?', filter.owner);
    if (filter.ownerId !== undefined) add('owner_id = ?', filter.ownerId);
    if (filter.key !== undefined) add('key = ?', filter.key);
    return this.db
      .prepare<unknown[], AttachmentRow>(`SELECT * FROM attachments WHERE ${parts.join(' AND ')} ORDER BY uploaded_at, rowid`)
      .all(...params)
      .map(toAttachment);
  }

  private blobPath(id: string): string {
    if (!BLOB_ID.test(id)) throw new RangeError('a blob id is a SHA-256 hex digest');
    return join(this.blobDir, id.slice(0, 2), id);
  }

  async putBlob(id: string, data: Buffer): Promise<void> {
    const path = this.blobPath(id);
    if (existsSync(path)) return;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
  }

  async blob(id: string): Promise<Buffer | null> {
    const path = this.blobPath(id);
    return existsSync(path) ? readFileSync(path) : null;
  }

  async createPetition(p: PetitionRecord): Promise<PetitionRecord> {
    return this.createPetitionSync(p);
  }

  private createPetitionSync(p: PetitionRecord): PetitionRecord {
    this.db
      .prepare(
        `INSERT INTO petitions (id, status, election, key, province, district, box_no, ballot, complaint_id, text, deadline, created_at, created_by, updated_at, filed_at, filed_by, reference)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        p.id,
        p.status,
        p.election,
        p.key,
        p.province,
        p.district,
        p.boxNo,
        p.ballot,
        p.complaintId,
        JSON.stringify(p.text),
        p.deadline,
        p.createdAt,
        p.createdBy,
        p.updatedAt,
        p.filedAt,
        p.filedBy,
        p.reference,
      );
    return { ...p };
  }

  async petition(id: string): Promise<PetitionRecord | null> {
    const row = this.db.prepare<[string], PetitionRow>(`SELECT * FROM petitions WHERE id = ?`).get(id);
    return row ? toPetition(row) : null;
  }

  async updatePetition(id: string, expected: PetitionRecord['status'], patch: PetitionPatch): Promise<PetitionRecord | null> {
    return this.updatePetitionSync(id, expected, patch)?.after ?? null;
  }

  private updatePetitionSync(id: string, expected: PetitionRecord['status'], patch: PetitionPatch): { before: PetitionRecord; after: PetitionRecord } | null {
    return this.db.transaction((): { before: PetitionRecord; after: PetitionRecord } | null => {
      const row = this.db.prepare<[string, string], PetitionRow>(`SELECT * FROM petitions WHERE id = ? AND status = ?`).get(id, expected);
      if (!row) return null;
      const before = toPetition(row);
      const next: PetitionRecord = { ...before, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
      this.db
        .prepare(`UPDATE petitions SET status = ?, text = ?, deadline = ?, updated_at = ?, filed_at = ?, filed_by = ?, reference = ? WHERE id = ?`)
        .run(next.status, JSON.stringify(next.text), next.deadline, next.updatedAt, next.filedAt, next.filedBy, next.reference, id);
      return { before, after: next };
    })();
  }

  async petitions(filter: PetitionFilter, limit = 1000): Promise<PetitionRecord[]> {
    const { parts, params, add } = conditions();
    if (filter.province !== undefined) add('province = ?', filter.province);
    if (filter.district !== undefined) add('district = ?', filter.district);
    if (filter.key !== undefined) add('key = ?', filter.key);
    if (filter.complaintId !== undefined) add('complaint_id = ?', filter.complaintId);
    if (filter.statuses !== undefined) {
      if (filter.statuses.length) add(`status IN (${filter.statuses.map(() => '?').join(', ')})`, ...filter.statuses);
      else add('0');
    }
    return this.db
      .prepare<unknown[], PetitionRow>(`SELECT * FROM petitions WHERE ${parts.length ? parts.join(' AND ') : '1'} ORDER BY deadline, created_at, id LIMIT ?`)
      .all(...params, limit)
      .map(toPetition);
  }

  // --- alerts (issue 15): tables created on first use, so the main schema stays as it was ---
  private alertTables = false;

  private alerting(): Database.Database {
    if (!this.alertTables) {
      this.db.exec(`
CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY, dedupe TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, box TEXT, province INTEGER, district INTEGER,
  level TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, escalate_at TEXT, acked INTEGER NOT NULL,
  digest_id TEXT, rev INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alerts_scope ON alerts (province, district, created_at);
CREATE INDEX IF NOT EXISTS alerts_due ON alerts (status, acked, escalate_at);
CREATE INDEX IF NOT EXISTS alerts_created ON alerts (created_at);
CREATE TABLE IF NOT EXISTS alert_reads (alert_id TEXT NOT NULL, user_id TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (user_id, alert_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS push_subscriptions (endpoint TEXT PRIMARY KEY, user_id TEXT NOT NULL, keys TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS push_subscriptions_user ON push_subscriptions (user_id);`);
      this.alertTables = true;
    }
    return this.db;
  }

  /** The alert tables' statements, prepared once each (a prepare per call cost seconds at a restart's catch-up). */
  private readonly alertStatements = new Map<string, Database.Statement>();

  private alertSql<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let statement = this.alertStatements.get(sql);
    if (!statement) this.alertStatements.set(sql, (statement = this.alerting().prepare(sql)));
    return statement as unknown as Database.Statement<P, R>;
  }

  private writeAlert(a: AlertRecord, insert: boolean): number {
    const args = [a.kind, a.box, a.province, a.district, a.level, a.status, a.createdAt, a.escalateAt, a.ack ? 1 : 0, a.digestId, a.rev, JSON.stringify(a)];
    if (insert)
      return this.alertSql(
        `INSERT INTO alerts (id, dedupe, kind, box, province, district, level, status, created_at, escalate_at, acked, digest_id, rev, doc)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(dedupe) DO NOTHING`,
      ).run(a.id, a.dedupe, ...args).changes;
    return this.alertSql(
      `UPDATE alerts SET kind = ?, box = ?, province = ?, district = ?, level = ?, status = ?, created_at = ?, escalate_at = ?, acked = ?,
           digest_id = ?, rev = ?, doc = ? WHERE id = ? AND rev = ?`,
    ).run(...args, a.id, a.rev - 1).changes;
  }

  async createAlert(alert: AlertRecord): Promise<{ alert: AlertRecord; created: boolean }> {
    const created = this.writeAlert(alert, true) === 1;
    if (created) return { alert: { ...alert }, created };
    const row = this.alertSql<[string], { doc: string }>(`SELECT doc FROM alerts WHERE dedupe = ?`).get(alert.dedupe)!;
    return { alert: JSON.parse(row.doc) as AlertRecord, created: false };
  }

  async alert(id: string): Promise<AlertRecord | null> {
    const row = this.alertSql<[string], { doc: string }>(`SELECT doc FROM alerts WHERE id = ?`).get(id);
    return row ? (JSON.parse(row.doc) as AlertRecord) : null;
  }

  async updateAlert(id: string, rev: number, patch: Partial<Omit<AlertRecord, 'id' | 'dedupe' | 'rev'>>): Promise<AlertRecord | null> {
    return this.alerting().transaction(() => this.updateAlertSync(id, rev, patch)?.after ?? null)();
  }

  private updateAlertSync(id: string, rev: number, patch: AlertPatch): Changed<AlertRecord> | null {
    const row = this.alertSql<[string, number], { doc: string }>(`SELECT doc FROM alerts WHERE id = ? AND rev = ?`).get(id, rev);
    if (!row) return null;
    const held = JSON.parse(row.doc) as AlertRecord;
    const next: AlertRecord = {
      ...held,
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
      id: held.id,
      dedupe: held.dedupe,
      rev: rev + 1,
    };
    return this.writeAlert(next, false) === 1 ? { before: held, after: next } : null;
  }

  async alerts(filter: AlertFilter, limit = 200): Promise<AlertRecord[]> {
    const { parts, params, add } = conditions();
    if (filter.province !== undefined) add('province = ?', filter.province);
    if (filter.district !== undefined) add('district = ?', filter.district);
    if (filter.levels !== undefined) {
      if (filter.levels.length) add(`level IN (${filter.levels.map(() => '?').join(', ')})`, ...filter.levels);
      else add('0');
    }
    if (filter.status !== undefined) add('status = ?', filter.status);
    if (filter.kind !== undefined) add('kind = ?', filter.kind);
    if (filter.box !== undefined) add('box = ?', filter.box);
    if (filter.digestId === null) add('digest_id IS NULL');
    else if (filter.digestId !== undefined) add('digest_id = ?', filter.digestId);
    if (filter.dueBefore !== undefined) add(`status = 'open' AND acked = 0 AND escalate_at IS NOT NULL AND escalate_at <= ?`, filter.dueBefore);
    return this.alertSql<unknown[], { doc: string }>(
      `SELECT doc FROM alerts WHERE ${parts.length ? parts.join(' AND ') : '1'} ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
      .all(...params, limit)
      .map((r) => JSON.parse(r.doc) as AlertRecord);
  }

  async heldAlertDedupes(kind: AlertRecord['kind']): Promise<string[]> {
    return this.alertSql<[string], { dedupe: string }>(`SELECT dedupe FROM alerts WHERE kind = ? AND status != 'resolved'`)
      .all(kind)
      .map((r) => r.dedupe);
  }

  async markAlertsRead(userId: string, ids: string[], at: string): Promise<void> {
    const insert = this.alertSql(`INSERT INTO alert_reads (alert_id, user_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`);
    this.db.transaction(() => {
      for (const id of ids) insert.run(id, userId, at);
    })();
  }

  async readAlertIds(userId: string, ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    // one statement per list length: prepared per call, not kept
    return this.alerting()
      .prepare<unknown[], { alert_id: string }>(`SELECT alert_id FROM alert_reads WHERE user_id = ? AND alert_id IN (${ids.map(() => '?').join(', ')})`)
      .all(userId, ...ids)
      .map((r) => r.alert_id);
  }

  async putPushSubscription(sub: PushSubscriptionRecord): Promise<void> {
    this.putPushSubscriptionSync(sub);
  }

  private pushSubscriptionSync(endpoint: string): PushSubscriptionRecord | null {
    const r = this.alertSql<[string], { endpoint: string; user_id: string; keys: string; created_at: string }>(
      `SELECT * FROM push_subscriptions WHERE endpoint = ?`,
    ).get(endpoint);
    return r ? { endpoint: r.endpoint, userId: r.user_id, keys: JSON.parse(r.keys), createdAt: r.created_at } : null;
  }

  private putPushSubscriptionSync(sub: PushSubscriptionRecord): void {
    this.alertSql(
      `INSERT INTO push_subscriptions (endpoint, user_id, keys, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(endpoint) DO UPDATE SET user_id = excluded.user_id, keys = excluded.keys, created_at = excluded.created_at`,
    ).run(sub.endpoint, sub.userId, JSON.stringify(sub.keys), sub.createdAt);
  }

  async pushSubscriptions(userIds: string[]): Promise<PushSubscriptionRecord[]> {
    if (!userIds.length) return [];
    return this.alerting()
      .prepare<unknown[], { endpoint: string; user_id: string; keys: string; created_at: string }>(
        `SELECT * FROM push_subscriptions WHERE user_id IN (${userIds.map(() => '?').join(', ')}) ORDER BY created_at, endpoint`,
      )
      .all(...userIds)
      .map((r) => ({ endpoint: r.endpoint, userId: r.user_id, keys: JSON.parse(r.keys), createdAt: r.created_at }));
  }

  async deletePushSubscription(endpoint: string): Promise<boolean> {
    return this.alertSql(`DELETE FROM push_subscriptions WHERE endpoint = ?`).run(endpoint).changes > 0;
  }

  async appendEntriesAudited(entries: NewEntry[], audit: (stored: Entry[]) => NewAuditEntry | null): Promise<EntryOutcome[]> {
    this.foldIfPending(entries.map((e) => e.key));
    const s = this.stmt;
    const insertAudit = this.db.prepare(
      `INSERT INTO audit (at, actor_id, actor_name, actor_role, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return this.db.transaction((): EntryOutcome[] => {
      const outcomes = entries.map((entry): EntryOutcome => {
        const existing = s.entryByIdem.get(entry.idempotencyKey);
        if (existing) return { kind: 'duplicate', entry: toEntry(existing) };
        s.upsertBox.run(boxParams(entry.box));
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
      });
      const e = audit(outcomes.filter((o) => o.kind === 'stored').map((o) => o.entry));
      if (e) insertAudit.run(e.at, e.actor?.id ?? null, e.actor?.username ?? null, e.actor?.role ?? null, e.action, e.target, json(e.before), json(e.after));
      return outcomes;
    })();
  }

  // --- audited changes (issue 13, finding 15): the change and its audit record in one transaction ---

  /** Runs `change` and writes the record `audit` makes of it, in one transaction (a throw anywhere rolls both back). */
  private audited<T, D>(change: () => { result: T; done: D } | null, audit: AuditOf<D>): T | null {
    return this.db.transaction((): T | null => {
      const made = change();
      if (!made) return null;
      const record = audit(made.done);
      if (record) this.appendAuditSync(record);
      return made.result;
    })();
  }

  async createUserAudited(user: UserRecord, audit: AuditOf<UserRecord>): Promise<UserRecord | null> {
    return this.audited(() => {
      const created = this.createUserSync(user);
      return created && { result: created, done: created };
    }, audit);
  }

  async updateUserAudited(
    id: string,
    patch: UserPatch,
    audit: AuditOf<Changed<UserRecord>>,
    opts: { revokeRefreshTokensAt?: string } = {},
  ): Promise<UserRecord | null> {
    return this.audited(() => {
      const before = this.userByIdSync(id);
      if (!before) return null;
      const after = this.updateUserSync(id, patch)!;
      if (opts.revokeRefreshTokensAt)
        this.db.prepare(`UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`).run(opts.revokeRefreshTokensAt, id);
      return { result: after, done: { before, after } };
    }, audit);
  }

  async putSettingAudited(key: string, value: unknown, audit: AuditOf<Changed<unknown>>): Promise<void> {
    this.audited(() => {
      const before = this.settingSync(key);
      this.putSettingSync(key, value);
      return { result: true, done: { before, after: value } };
    }, audit);
  }

  async createComplaintAudited(complaint: ComplaintRecord, attachments: AttachmentRecord[], audit: AuditOf<ComplaintRecord>): Promise<ComplaintRecord> {
    return this.audited(() => {
      const created = this.createComplaintSync(complaint);
      for (const a of attachments) this.putAttachmentSync(a);
      return { result: created, done: created };
    }, audit)!;
  }

  async updateComplaintAudited(
    id: string,
    expected: ComplaintRecord['status'],
    patch: ComplaintPatch,
    audit: AuditOf<Changed<ComplaintRecord>>,
  ): Promise<ComplaintRecord | null> {
    return this.audited(() => {
      const changed = this.updateComplaintSync(id, expected, patch);
      return changed && { result: changed.after, done: changed };
    }, audit);
  }

  async createPetitionAudited(petition: PetitionRecord, audit: AuditOf<PetitionRecord>): Promise<PetitionRecord> {
    return this.audited(() => {
      const created = this.createPetitionSync(petition);
      return { result: created, done: created };
    }, audit)!;
  }

  async updatePetitionAudited(
    id: string,
    expected: PetitionRecord['status'],
    patch: PetitionPatch,
    audit: AuditOf<Changed<PetitionRecord>>,
    also: { setting?: { key: string; value: unknown } } = {},
  ): Promise<PetitionRecord | null> {
    return this.audited(() => {
      const changed = this.updatePetitionSync(id, expected, patch);
      if (!changed) return null;
      if (also.setting) this.putSettingSync(also.setting.key, also.setting.value);
      return { result: changed.after, done: changed };
    }, audit);
  }

  async moveDraftDeadlinesAudited(
    setting: { key: string; value: unknown },
    drafts: { province: number; district: number; deadline: string; updatedAt: string },
    audit: AuditOf<{ before: unknown; moved: string[] }>,
  ): Promise<string[]> {
    return this.audited(() => {
      const before = this.settingSync(setting.key);
      this.putSettingSync(setting.key, setting.value);
      const ids = this.db
        .prepare<[number, number], { id: string }>(
          `SELECT id FROM petitions WHERE province = ? AND district = ? AND status = 'draft' ORDER BY deadline, created_at, id`,
        )
        .all(drafts.province, drafts.district)
        .map((r) => r.id);
      const moved = ids.filter((id) => this.updatePetitionSync(id, 'draft', { deadline: drafts.deadline, updatedAt: drafts.updatedAt }));
      return { result: moved, done: { before, moved } };
    }, audit)!;
  }
  async putAttachmentAudited(attachment: AttachmentRecord, audit: AuditOf<AttachmentRecord>): Promise<AttachmentRecord> {
    return this.audited(() => {
      this.putAttachmentSync(attachment);
      return { result: { ...attachment }, done: { ...attachment } };
    }, audit)!;
  }

  async putPushSubscriptionAudited(sub: PushSubscriptionRecord, audit: AuditOf<Changed<PushSubscriptionRecord | null>>): Promise<void> {
    this.alerting(); // the alert tables made outside the transaction: a rolled-back change must not roll them back
    this.audited(() => {
      const before = this.pushSubscriptionSync(sub.endpoint);
      this.putPushSubscriptionSync(sub);
      return { result: true, done: { before, after: { ...sub } } };
    }, audit);
  }

  async deletePushSubscriptionAudited(endpoint: string, userId: string, audit: AuditOf<PushSubscriptionRecord>): Promise<boolean> {
    this.alerting(); // the alert tables made outside the transaction: a rolled-back change must not roll them back
    return (
      this.audited(() => {
        const held = this.pushSubscriptionSync(endpoint);
        if (!held || held.userId !== userId) return null;
        this.alertSql(`DELETE FROM push_subscriptions WHERE endpoint = ? AND user_id = ?`).run(endpoint, userId);
        return { result: true, done: held };
      }, audit) ?? false
    );
  }

  async createAlertAudited(
    alert: AlertRecord,
    audit: AuditOf<AlertRecord>,
    also: { members?: AlertMemberPatch[] } = {},
  ): Promise<{ alert: AlertRecord; created: boolean }> {
    this.alerting(); // the alert tables made outside the transaction: a rolled-back change must not roll them back
    const held = this.audited(() => {
      if (this.writeAlert(alert, true) !== 1) return null;
      for (const m of also.members ?? []) this.updateAlertSync(m.id, m.rev, m.patch);
      return { result: { ...alert }, done: { ...alert } };
    }, audit);
    if (held) return { alert: held, created: true };
    const row = this.alertSql<[string], { doc: string }>(`SELECT doc FROM alerts WHERE dedupe = ?`).get(alert.dedupe)!;
    return { alert: JSON.parse(row.doc) as AlertRecord, created: false };
  }

  async updateAlertAudited(
    id: string,
    rev: number,
    patch: AlertPatch,
    audit: AuditOf<Changed<AlertRecord>>,
    also: { members?: AlertMemberPatch[] } = {},
  ): Promise<AlertRecord | null> {
    this.alerting(); // the alert tables made outside the transaction: a rolled-back change must not roll them back
    return this.audited(() => {
      const changed = this.updateAlertSync(id, rev, patch);
      if (!changed) return null;
      for (const m of also.members ?? []) this.updateAlertSync(m.id, m.rev, m.patch);
      return { result: changed.after, done: changed };
    }, audit);
  }

  async putVotersAudited(voters: VoterRecord[], audit: AuditOf<number>): Promise<number> {
    return this.audited(() => {
      const n = this.putVotersSync(voters);
      return { result: n, done: n };
    }, audit)!;
  }
}
