import type Database from 'better-sqlite3';
import type { Escalation, EscalationsRepository } from '../store.port';
import type { SqliteContext } from './context';
import { scopeWhere } from './rows';

function prepare(d: Database.Database) {
  return {
    escalate: d.prepare(`INSERT INTO escalations (key, province, district, reason, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key, reason) DO NOTHING`),
  };
}

/** Stale boxes escalated to the district. */
export class SqliteEscalations implements EscalationsRepository {
  private readonly stmt: ReturnType<typeof prepare>;

  constructor(private readonly c: SqliteContext) {
    this.stmt = prepare(c.db);
  }

  private get db() {
    return this.c.db;
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
}
