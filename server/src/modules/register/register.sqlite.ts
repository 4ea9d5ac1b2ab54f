import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RegisterStatus } from '@gozcu/shared';
import type {
  LostVoterCaseRecord,
  RegisterAddressRow,
  RegisterAddressStat,
  RegisterAgeStat,
  RegisterAnomalyRecord,
  RegisterBoxRow,
  RegisterBoxStat,
  RegisterDuplicateStat,
  RegisterFilter,
  RegisterImportRecord,
  RegisterMergedVoter,
  RegisterStatusCount,
  RegisterStore,
  RegisterVoterFound,
  RegisterVoterRow,
} from './register.port';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS reg_imports (
  id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, finished_at TEXT, by TEXT,
  rows INTEGER NOT NULL DEFAULT 0, stored INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0, provinces TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS reg_voters (
  hash BLOB PRIMARY KEY, province INTEGER NOT NULL, district INTEGER NOT NULL, box_no INTEGER NOT NULL,
  name_key BLOB NOT NULL, birth_year INTEGER NOT NULL, address_key BLOB NOT NULL,
  first_import INTEGER NOT NULL, last_import INTEGER NOT NULL) WITHOUT ROWID;
DROP INDEX IF EXISTS reg_voters_address;
CREATE TABLE IF NOT EXISTS reg_boxes (
  province INTEGER NOT NULL, district INTEGER NOT NULL, box_no INTEGER NOT NULL, neighbourhood TEXT, school TEXT,
  PRIMARY KEY (province, district, box_no)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reg_addresses (
  address_key BLOB PRIMARY KEY, province INTEGER NOT NULL, district INTEGER NOT NULL, text TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reg_anomalies (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, province INTEGER NOT NULL, district INTEGER NOT NULL, box INTEGER,
  evidence TEXT NOT NULL, status TEXT NOT NULL, detected_at TEXT NOT NULL, updated_at TEXT NOT NULL, petition_id TEXT);
CREATE INDEX IF NOT EXISTS reg_anomalies_scope ON reg_anomalies (province, district, kind, status);
CREATE TABLE IF NOT EXISTS reg_cases (
  id TEXT PRIMARY KEY, tracking_code TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, hash BLOB, province INTEGER NOT NULL,
  district INTEGER NOT NULL, neighbourhood TEXT, registered_district INTEGER, registered_box INTEGER, note TEXT,
  contact TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, petition_id TEXT);
CREATE INDEX IF NOT EXISTS reg_cases_scope ON reg_cases (province, district, status);
`;

/**
 * The secondary indexes of reg_voters. The address index leads with the district (an address key
 * is keyed with its district), so a box list's rows land in one district's small subtree.
 */
const VOTER_INDEXES = [
  `CREATE INDEX IF NOT EXISTS reg_voters_box ON reg_voters (province, district, box_no, first_import, birth_year)`,
  `CREATE INDEX IF NOT EXISTS reg_voters_addr ON reg_voters (province, district, address_key, box_no)`,
  `CREATE INDEX IF NOT EXISTS reg_voters_name ON reg_voters (province, name_key, birth_year, district, box_no)`,
];
const VOTER_INDEX_NAMES = ['reg_voters_box', 'reg_voters_addr', 'reg_voters_name'];

/**
 * A bulk load's stage: a file of its own beside the register (no journal, no fsync), attached as
 * `stage`, deleted when the last import staged in it is merged. Rows are appended, in arrival
 * order, to one of PARTS tables by their hash's first byte (addresses likewise by key): a table
 * is 1/256 of the import, so at merge each sorts in memory and goes in with one INSERT … SELECT
 * in key order, its own transaction.
 */
const PARTS = 256;
const stageVoters = (importId: number, part: number) => `stage.v${importId}_${part}`;
const stageAddresses = (importId: number, part: number) => `stage.a${importId}_${part}`;
/** Voters handed back per page after a merge. */
const MERGE_PAGE = 20_000;
/** A stage at least this large, and at least a quarter of the register, is merged with the secondary indexes dropped and then rebuilt (sorted builds instead of random inserts). */
const REBUILD_MIN = 200_000;

const hex = (b: Buffer | null): string | null => (b ? b.toString('hex') : null);
const bin = (s: string): Buffer => Buffer.from(s, 'hex');

interface AnomalyRow {
  id: string;
  kind: RegisterAnomalyRecord['kind'];
  province: number;
  district: number;
  box: number | null;
  evidence: string;
  status: RegisterStatus;
  detected_at: string;
  updated_at: string;
  petition_id: string | null;
}
const toAnomaly = (r: AnomalyRow): RegisterAnomalyRecord => ({
  id: r.id,
  kind: r.kind,
  province: r.province,
  district: r.district,
  ...(r.box !== null ? { box: r.box } : {}),
  evidence: JSON.parse(r.evidence),
  status: r.status,
  detectedAt: r.detected_at,
  updatedAt: r.updated_at,
  petitionId: r.petition_id,
});

interface CaseRow {
  id: string;
  tracking_code: string;
  kind: LostVoterCaseRecord['kind'];
  hash: Buffer | null;
  province: number;
  district: number;
  neighbourhood: string | null;
  registered_district: number | null;
  registered_box: number | null;
  note: string | null;
  contact: string | null;
  status: RegisterStatus;
  created_at: string;
  updated_at: string;
  petition_id: string | null;
}
const toCase = (r: CaseRow): LostVoterCaseRecord => ({
  id: r.id,
  trackingCode: r.tracking_code,
  kind: r.kind,
  hash: hex(r.hash),
  province: r.province,
  district: r.district,
  neighbourhood: r.neighbourhood,
  registeredDistrict: r.registered_district,
  registeredBox: r.registered_box,
  note: r.note,
  contact: r.contact,
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  petitionId: r.petition_id,
});

function where(filter: RegisterFilter): { sql: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  for (const [col, v] of [
    ['province', filter.province],
    ['district', filter.district],
    ['kind', filter.kind],
    ['status', filter.status],
  ] as const) {
    if (v === undefined) continue;
    parts.push(`${col} = ?`);
    args.push(v);
  }
  return { sql: parts.length ? parts.join(' AND ') : '1', args };
}

/** The register in its own SQLite file (WAL) beside the main store's. */
export class SqliteRegisterStore implements RegisterStore {
  private db!: Database.Database;
  private upsertVoter!: Database.Statement;
  /** the bulk loads under way: rows staged, and the partitions each has */
  private readonly staging = new Map<
    number,
    { rows: number; voters: Set<number>; addresses: Set<number>; insert: { v: Database.Statement[]; a: Database.Statement[] } }
  >();
  private stageAttached = false;

  constructor(private readonly file: string) {}

  async init(): Promise<void> {
    if (this.file !== ':memory:') mkdirSync(dirname(this.file), { recursive: true });
    this.db = new Database(this.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -65536'); // 64 MB page cache: bounded, whatever the register's size
    this.db.pragma('journal_size_limit = 67108864'); // the WAL shrinks back to 64 MB after a bulk merge's checkpoints
    this.db.exec(SCHEMA);
    for (const sql of VOTER_INDEXES) this.db.exec(sql);
    this.upsertVoter = this.db.prepare(
      `INSERT INTO reg_voters (hash, province, district, box_no, name_key, birth_year, address_key, first_import, last_import)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(hash) DO UPDATE SET province = excluded.province, district = excluded.district, box_no = excluded.box_no,
         name_key = excluded.name_key, birth_year = excluded.birth_year, address_key = excluded.address_key, last_import = excluded.last_import`,
    );
  }

  async close(): Promise<void> {
    if (this.db?.open) this.dropStage();
    if (this.db?.open) this.db.close();
  }

  private get stageFile(): string {
    return this.file === ':memory:' ? ':memory:' : `${this.file}-stage`;
  }

  private attachStage(): void {
    if (this.stageAttached) return;
    // a stage left by a crash (its import never finished) is discarded
    if (this.file !== ':memory:') rmSync(this.stageFile, { force: true });
    this.db.prepare(`ATTACH DATABASE ? AS stage`).run(this.stageFile);
    this.db.pragma('stage.journal_mode = OFF');
    this.db.pragma('stage.synchronous = OFF');
    this.db.pragma('stage.cache_size = -16384'); // 16 MB: the stage is written and read in order (a partition's sort has the sorter's own memory)
    this.stageAttached = true;
  }

  private dropStage(): void {
    this.staging.clear();
    if (!this.stageAttached) return;
    if (this.db.open) this.db.exec(`DETACH DATABASE stage`);
    this.stageAttached = false;
    if (this.file !== ':memory:') rmSync(this.stageFile, { force: true });
  }

  /**
   * Appends to the stage: no index but the arrival order, so a chunk costs the same at row
   * 60,000,000 as at row 1 (a random hash into a B-tree of tens of millions would not).
   */
  async stageVoters(rows: RegisterVoterRow[], addresses: RegisterAddressRow[], importId: number): Promise<void> {
    this.attachStage();
    const st =
      this.staging.get(importId) ?? this.staging.set(importId, { rows: 0, voters: new Set(), addresses: new Set(), insert: { v: [], a: [] } }).get(importId)!;
    const insert = (kind: 'v' | 'a', part: number): Database.Statement => {
      let stmt = st.insert[kind][part];
      if (!stmt) {
        if (kind === 'v') {
          this.db.exec(
            `CREATE TABLE IF NOT EXISTS ${stageVoters(importId, part)} (seq INTEGER PRIMARY KEY, hash BLOB, province INTEGER, district INTEGER, box_no INTEGER, name_key BLOB, birth_year INTEGER, address_key BLOB)`,
          );
          stmt = this.db.prepare(
            `INSERT INTO ${stageVoters(importId, part)} (hash, province, district, box_no, name_key, birth_year, address_key) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          );
          st.voters.add(part);
        } else {
          this.db.exec(
            `CREATE TABLE IF NOT EXISTS ${stageAddresses(importId, part)} (seq INTEGER PRIMARY KEY, address_key BLOB, province INTEGER, district INTEGER, text TEXT)`,
          );
          stmt = this.db.prepare(`INSERT INTO ${stageAddresses(importId, part)} (address_key, province, district, text) VALUES (?, ?, ?, ?)`);
          st.addresses.add(part);
        }
        st.insert[kind][part] = stmt;
      }
      return stmt;
    };
    const parts = rows.map((r) => parseInt(r.hash.slice(0, 2), 16));
    const addressParts = addresses.map((a) => parseInt(a.addressKey.slice(0, 2), 16));
    // the statements (and tables) first: no schema change inside the transaction
    for (const p of new Set(parts)) insert('v', p);
    for (const p of new Set(addressParts)) insert('a', p);
    const v = st.insert.v;
    const a = st.insert.a;
    this.db.transaction(() => {
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        v[parts[i]].run(bin(r.hash), r.province, r.district, r.boxNo, bin(r.nameKey), r.birthYear, bin(r.addressKey));
      }
      for (let i = 0; i < addresses.length; i++) {
        const x = addresses[i];
        a[addressParts[i]].run(bin(x.addressKey), x.province, x.district, x.text);
      }
    })();
    st.rows += rows.length;
  }

  /**
   * Merges an import's stage a partition at a time, in hash order: one INSERT … SELECT … ORDER BY
   * hash, seq (the last repeat of a hash wins, as with putVoters) and one transaction each; the
   * partition's voters then handed back in pages read by the primary key. A large stage is merged
   * with the secondary indexes dropped, and they are rebuilt after. Addresses likewise, in key
   * order, the first text of a key kept.
   */
  async *mergeStaged(importId: number): AsyncGenerator<RegisterMergedVoter[]> {
    const st = this.staging.get(importId);
    if (!st) return;
    const rebuild = st.rows >= REBUILD_MIN && st.rows * 4 >= this.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM reg_voters`).get()!.n;
    if (rebuild) for (const name of VOTER_INDEX_NAMES) this.db.exec(`DROP INDEX IF EXISTS ${name}`);
    const page = this.db
      .prepare<[Buffer, Buffer, number, number], [Buffer, number, number, number]>(
        `SELECT hash, province, district, box_no FROM reg_voters WHERE hash > ? AND hash < ? AND last_import = ? ORDER BY hash LIMIT ?`,
      )
      .raw();
    try {
      for (const part of [...st.voters].sort((a, b) => a - b)) {
        const table = stageVoters(importId, part);
        this.db.transaction(() => {
          this.db
            .prepare(
              `INSERT INTO reg_voters (hash, province, district, box_no, name_key, birth_year, address_key, first_import, last_import)
               SELECT hash, province, district, box_no, name_key, birth_year, address_key, ?, ? FROM ${table} WHERE true ORDER BY hash, seq
               ON CONFLICT(hash) DO UPDATE SET province = excluded.province, district = excluded.district, box_no = excluded.box_no,
                 name_key = excluded.name_key, birth_year = excluded.birth_year, address_key = excluded.address_key, last_import = excluded.last_import`,
            )
            .run(importId, importId);
        })();
        this.db.exec(`DROP TABLE ${table}`);
        // the partition's voters, by the primary key: [part] < every hash of it < [part + 1]
        let after: Buffer = Buffer.from([part]);
        const before = part < PARTS - 1 ? Buffer.from([part + 1]) : Buffer.alloc(33, 0xff);
        for (;;) {
          const rows = page.all(after, before, importId, MERGE_PAGE);
          if (!rows.length) break;
          after = rows[rows.length - 1][0];
          yield rows.map((r): RegisterMergedVoter => ({ hash: r[0].toString('hex'), province: r[1], district: r[2], boxNo: r[3] }));
          if (rows.length < MERGE_PAGE) break;
        }
      }
      for (const part of [...st.addresses].sort((a, b) => a - b)) {
        const table = stageAddresses(importId, part);
        this.db.transaction(() => {
          this.db
            .prepare(
              `INSERT OR IGNORE INTO reg_addresses (address_key, province, district, text) SELECT address_key, province, district, text FROM ${table} ORDER BY address_key, seq`,
            )
            .run();
        })();
        this.db.exec(`DROP TABLE ${table}`);
      }
    } finally {
      if (rebuild) for (const sql of VOTER_INDEXES) this.db.exec(sql);
      this.staging.delete(importId);
      if (!this.staging.size) this.dropStage();
      else
        for (const [kind, parts] of [
          ['v', st.voters],
          ['a', st.addresses],
        ] as const)
          for (const p of parts) this.db.exec(`DROP TABLE IF EXISTS ${kind === 'v' ? stageVoters(importId, p) : stageAddresses(importId, p)}`);
    }
  }

  async beginImport(startedAt: string, by: string | null): Promise<number> {
    return Number(this.db.prepare(`INSERT INTO reg_imports (started_at, by) VALUES (?, ?)`).run(startedAt, by).lastInsertRowid);
  }

  async finishImport(id: number, p: Pick<RegisterImportRecord, 'finishedAt' | 'rows' | 'stored' | 'rejected' | 'provinces'>): Promise<void> {
    this.db
      .prepare(`UPDATE reg_imports SET finished_at = ?, rows = ?, stored = ?, rejected = ?, provinces = ? WHERE id = ?`)
      .run(p.finishedAt, p.rows, p.stored, p.rejected, JSON.stringify(p.provinces), id);
  }

  async imports(limit = 100): Promise<RegisterImportRecord[]> {
    return this.db
      .prepare<
        [number],
        { id: number; started_at: string; finished_at: string | null; by: string | null; rows: number; stored: number; rejected: number; provinces: string }
      >(`SELECT * FROM reg_imports ORDER BY id DESC LIMIT ?`)
      .all(limit)
      .map((r) => ({
        id: r.id,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        by: r.by,
        rows: r.rows,
        stored: r.stored,
        rejected: r.rejected,
        provinces: JSON.parse(r.provinces),
      }));
  }

  async putVoters(rows: RegisterVoterRow[], importId: number): Promise<number> {
    if (!rows.length) return 0;
    const s = this.upsertVoter;
    return this.db.transaction(() => {
      let n = 0;
      for (const v of rows)
        n += s.run(bin(v.hash), v.province, v.district, v.boxNo, bin(v.nameKey), v.birthYear, bin(v.addressKey), importId, importId).changes;
      return n;
    })();
  }

  async putBoxes(rows: RegisterBoxRow[]): Promise<void> {
    const s = this.db.prepare(
      `INSERT INTO reg_boxes (province, district, box_no, neighbourhood, school) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET neighbourhood = coalesce(excluded.neighbourhood, neighbourhood), school = coalesce(excluded.school, school)`,
    );
    this.db.transaction(() => rows.forEach((b) => s.run(b.province, b.district, b.boxNo, b.neighbourhood, b.school)))();
  }

  async putAddresses(rows: RegisterAddressRow[]): Promise<void> {
    const s = this.db.prepare(`INSERT OR IGNORE INTO reg_addresses (address_key, province, district, text) VALUES (?, ?, ?, ?)`);
    this.db.transaction(() => rows.forEach((a) => s.run(bin(a.addressKey), a.province, a.district, a.text)))();
  }

  async voterByHash(hash: string): Promise<RegisterVoterFound | null> {
    const r = this.db
      .prepare<[Buffer], { province: number; district: number; box_no: number; neighbourhood: string | null; school: string | null }>(
        `SELECT v.province, v.district, v.box_no, b.neighbourhood, b.school FROM reg_voters v
         LEFT JOIN reg_boxes b ON b.province = v.province AND b.district = v.district AND b.box_no = v.box_no WHERE v.hash = ?`,
      )
      .get(bin(hash));
    return r ? { province: r.province, district: r.district, boxNo: r.box_no, neighbourhood: r.neighbourhood, school: r.school } : null;
  }

  async voterCount(province?: number): Promise<number> {
    if (province === undefined) return this.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM reg_voters`).get()!.n;
    return this.db.prepare<[number], { n: number }>(`SELECT COUNT(*) AS n FROM reg_voters WHERE province = ?`).get(province)!.n;
  }

  async address(addressKey: string): Promise<RegisterAddressRow | null> {
    const r = this.db
      .prepare<[Buffer], { province: number; district: number; text: string }>(`SELECT province, district, text FROM reg_addresses WHERE address_key = ?`)
      .get(bin(addressKey));
    return r ? { addressKey, ...r } : null;
  }

  async boxStats(province: number, importId: number): Promise<RegisterBoxStat[]> {
    return this.db
      .prepare<[number, number], { district: number; box_no: number; voters: number; fresh: number }>(
        `SELECT district, box_no, COUNT(*) AS voters, SUM(first_import = ?) AS fresh FROM reg_voters WHERE province = ? GROUP BY district, box_no ORDER BY district, box_no`,
      )
      .all(importId, province)
      .map((r) => ({ district: r.district, boxNo: r.box_no, voters: r.voters, fresh: r.fresh }));
  }

  async crowdedAddresses(province: number, moreThan: number): Promise<RegisterAddressStat[]> {
    return this.db
      .prepare<[number, number], { address_key: Buffer; district: number; voters: number; boxes: string }>(
        `SELECT address_key, MIN(district) AS district, COUNT(*) AS voters, group_concat(DISTINCT box_no) AS boxes FROM reg_voters
         WHERE province = ? GROUP BY district, address_key HAVING COUNT(*) > ? ORDER BY district, voters DESC`,
      )
      .all(province, moreThan)
      .map((r) => ({
        district: r.district,
        addressKey: r.address_key.toString('hex'),
        voters: r.voters,
        boxes: r.boxes
          .split(',')
          .map(Number)
          .sort((a, b) => a - b),
      }));
  }

  async implausibleAges(province: number, minYear: number, maxYear: number): Promise<RegisterAgeStat[]> {
    return this.db
      .prepare<[number, number, number], { district: number; box_no: number; years: string }>(
        `SELECT district, box_no, group_concat(birth_year) AS years FROM reg_voters WHERE province = ? AND (birth_year < ? OR birth_year > ?)
         GROUP BY district, box_no ORDER BY district, box_no`,
      )
      .all(province, minYear, maxYear)
      .map((r) => ({
        district: r.district,
        boxNo: r.box_no,
        birthYears: r.years
          .split(',')
          .map(Number)
          .sort((a, b) => a - b),
      }));
  }

  async duplicates(province: number, maxHolders = Number.MAX_SAFE_INTEGER): Promise<RegisterDuplicateStat[]> {
    return this.db
      .prepare<[number, number, number], { name_key: Buffer; birth_year: number; regs: string; holders: number }>(
        `WITH names AS (SELECT name_key, COUNT(*) AS holders FROM reg_voters WHERE province = ? GROUP BY name_key HAVING COUNT(*) BETWEEN 2 AND ?)
         SELECT v.name_key, v.birth_year, group_concat(v.district || ':' || v.box_no) AS regs, names.holders FROM names
         JOIN reg_voters v ON v.province = ? AND v.name_key = names.name_key
         GROUP BY v.name_key, v.birth_year HAVING COUNT(*) > 1`,
      )
      .all(province, maxHolders, province)
      .map((r) => ({
        nameKey: r.name_key.toString('hex'),
        birthYear: r.birth_year,
        holders: r.holders,
        registrations: r.regs
          .split(',')
          .map((s) => s.split(':').map(Number))
          .map(([district, boxNo]) => ({ district, boxNo }))
          .sort((a, b) => a.district - b.district || a.boxNo - b.boxNo),
      }));
  }

  async birthYearCounts(province: number): Promise<{ birthYear: number; n: number }[]> {
    return this.db
      .prepare<[number], { birthYear: number; n: number }>(
        `SELECT birth_year AS birthYear, COUNT(*) AS n FROM reg_voters WHERE province = ? GROUP BY birth_year ORDER BY birth_year`,
      )
      .all(province);
  }

  async upsertAnomalies(list: RegisterAnomalyRecord[]): Promise<void> {
    this.db.transaction(() => list.forEach((a) => this.upsertOne(a)))();
  }

  async upsertAnomaly(a: RegisterAnomalyRecord): Promise<void> {
    this.upsertOne(a);
  }

  private upsertOne(a: RegisterAnomalyRecord): void {
    this.db
      .prepare(
        `INSERT INTO reg_anomalies (id, kind, province, district, box, evidence, status, detected_at, updated_at, petition_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET evidence = excluded.evidence, updated_at = excluded.updated_at`,
      )
      .run(a.id, a.kind, a.province, a.district, a.box ?? null, JSON.stringify(a.evidence), a.status, a.detectedAt, a.updatedAt, a.petitionId);
  }

  async anomaly(id: string): Promise<RegisterAnomalyRecord | null> {
    const r = this.db.prepare<[string], AnomalyRow>(`SELECT * FROM reg_anomalies WHERE id = ?`).get(id);
    return r ? toAnomaly(r) : null;
  }

  async anomalies(filter: RegisterFilter, limit = 1000): Promise<RegisterAnomalyRecord[]> {
    const w = where(filter);
    return this.db
      .prepare<unknown[], AnomalyRow>(`SELECT * FROM reg_anomalies WHERE ${w.sql} ORDER BY province, district, kind, box, id LIMIT ?`)
      .all(...w.args, limit)
      .map(toAnomaly);
  }

  async setAnomalyStatus(id: string, expected: RegisterStatus, status: RegisterStatus, at: string, petitionId?: string): Promise<RegisterAnomalyRecord | null> {
    const res = this.db
      .prepare(`UPDATE reg_anomalies SET status = ?, updated_at = ?, petition_id = coalesce(?, petition_id) WHERE id = ? AND status = ?`)
      .run(status, at, petitionId ?? null, id, expected);
    return res.changes ? this.anomaly(id) : null;
  }

  async createCase(c: LostVoterCaseRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO reg_cases (id, tracking_code, kind, hash, province, district, neighbourhood, registered_district, registered_box, note, contact, status, created_at, updated_at, petition_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.id,
        c.trackingCode,
        c.kind,
        c.hash ? bin(c.hash) : null,
        c.province,
        c.district,
        c.neighbourhood,
        c.registeredDistrict,
        c.registeredBox,
        c.note,
        c.contact,
        c.status,
        c.createdAt,
        c.updatedAt,
        c.petitionId,
      );
  }

  async case(id: string): Promise<LostVoterCaseRecord | null> {
    const r = this.db.prepare<[string], CaseRow>(`SELECT * FROM reg_cases WHERE id = ?`).get(id);
    return r ? toCase(r) : null;
  }

  async cases(filter: Omit<RegisterFilter, 'kind'>, limit = 1000): Promise<LostVoterCaseRecord[]> {
    const w = where(filter);
    return this.db
      .prepare<unknown[], CaseRow>(`SELECT * FROM reg_cases WHERE ${w.sql} ORDER BY created_at, id LIMIT ?`)
      .all(...w.args, limit)
      .map(toCase);
  }

  async setCaseStatus(id: string, expected: RegisterStatus, status: RegisterStatus, at: string, petitionId?: string): Promise<LostVoterCaseRecord | null> {
    const res = this.db
      .prepare(`UPDATE reg_cases SET status = ?, updated_at = ?, petition_id = coalesce(?, petition_id) WHERE id = ? AND status = ?`)
      .run(status, at, petitionId ?? null, id, expected);
    return res.changes ? this.case(id) : null;
  }

  async anomalyCounts(province?: number): Promise<RegisterStatusCount[]> {
    return this.counts('reg_anomalies', province);
  }

  async caseCounts(province?: number): Promise<RegisterStatusCount[]> {
    return this.counts('reg_cases', province);
  }

  private counts(table: string, province?: number): RegisterStatusCount[] {
    const w = where({ province });
    return this.db
      .prepare<unknown[], RegisterStatusCount>(
        `SELECT province, district, status, COUNT(*) AS n FROM ${table} WHERE ${w.sql} GROUP BY province, district, status ORDER BY province, district, status`,
      )
      .all(...w.args);
  }
}
