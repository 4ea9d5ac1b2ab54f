import type Database from 'better-sqlite3';
import type { Entry, Sheet } from '@gozcu/shared';
import type { BoxFilter, EntriesRepository, EntryOutcome, NewAuditEntry, NewEntry, RebuildEntry } from '../store.port';
import type { SqliteContext } from './context';
import { scopeWhere, toEntry, toEntryId, type EntryRow, type RebuildEntryRow } from './rows';
import type { SqliteAudit } from './audit.repo';
import type { SqliteVersions } from './versions.repo';

function prepare(d: Database.Database) {
  return {
    entryByIdem: d.prepare<[string], EntryRow>(`SELECT * FROM entries WHERE idempotency_key = ?`),
    insertEntry: d.prepare(
      `INSERT INTO entries (key, hash, sheet, observer, source, idempotency_key, created_at, warnings)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING`,
    ),
    entriesOf: d.prepare<[string], EntryRow>(`SELECT * FROM entries WHERE key = ? ORDER BY id`),
    // the rebuild's read (RebuildEntryRow): the columns it uses, as arrays
    rebuildEntries: d
      .prepare<[number, number, string, number]>(
        // the election by the key's first part (no election has a ':'), as entriesOf's join with boxes
        // finds it (appendEntry writes the box row of every entry), without a boxes look-up per entry
        `SELECT e.id, e.key, e.observer, e.source, e.sheet, e.created_at FROM entries e WHERE e.id > ? AND substr(e.key, 1, ?) = ? ORDER BY e.id LIMIT ?`,
      )
      .raw(),
  };
}

/** The observers' entries. */
export class SqliteEntries implements EntriesRepository {
  private readonly stmt: ReturnType<typeof prepare>;

  constructor(
    private readonly c: SqliteContext,
    private readonly versions: SqliteVersions,
    private readonly audit: SqliteAudit,
  ) {
    this.stmt = prepare(c.db);
  }

  private get db() {
    return this.c.db;
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
    this.versions.foldIfPending([entry.key]);
    return this.db.transaction(() => this.insertEntry(entry))();
  }

  /**
   * One entry inside the caller's transaction: a known idempotency key is a duplicate (the insert
   * does nothing, the stored entry is read); else the entry, then its box row when it has none.
   */
  private insertEntry(entry: NewEntry): EntryOutcome {
    const s = this.stmt;
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
    if (!info.changes) return { kind: 'duplicate', entry: toEntry(s.entryByIdem.get(entry.idempotencyKey)!) };
    this.versions.addBox(entry.box);
    const { box: _box, ...rest } = entry;
    return { kind: 'stored', entry: { ...rest, id: toEntryId(Number(info.lastInsertRowid)) } };
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

  async appendEntriesAudited(entries: NewEntry[], audit: (stored: Entry[]) => NewAuditEntry | null): Promise<EntryOutcome[]> {
    this.versions.foldIfPending(entries.map((e) => e.key));
    return this.audit.audited(() => {
      const outcomes = entries.map((entry) => this.insertEntry(entry));
      return { result: outcomes, done: outcomes.filter((o) => o.kind === 'stored').map((o) => o.entry) };
    }, audit)!;
  }
}
