import type Database from 'better-sqlite3';
import type { ColumnMap, FeedRepository, Incident, NewIncident } from '../store.port';
import type { SqliteContext } from './context';

function prepare(d: Database.Database) {
  return {
    insertIncident: d.prepare(`INSERT INTO incidents (kind, scope, started_at, cause, details, raw) VALUES (?, ?, ?, ?, ?, ?)`),
  };
}

/** The feed's column maps and incidents. */
export class SqliteFeed implements FeedRepository {
  private readonly stmt: ReturnType<typeof prepare>;

  constructor(private readonly c: SqliteContext) {
    this.stmt = prepare(c.db);
  }

  private get db() {
    return this.c.db;
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
}
