import type { Statement } from 'better-sqlite3';
import type { AuditEntry } from '@gozcu/shared';
import type { AuditFilter, AuditOf, AuditRepository, NewAuditEntry } from '../store.port';
import type { SqliteContext } from './context';
import { conditions, json, toAudit, toEntryId, type AuditRow } from './rows';

/** The append-only audit log, and the transaction every audited change of the other repositories runs in. */
export class SqliteAudit implements AuditRepository {
  constructor(private readonly c: SqliteContext) {}

  private get db() {
    return this.c.db;
  }

  async appendAudit(e: NewAuditEntry): Promise<AuditEntry> {
    return this.appendAuditSync(e);
  }

  /** prepared at first use: every audited change of every repository writes through it */
  private insert?: Statement;

  appendAuditSync(e: NewAuditEntry): AuditEntry {
    this.insert ??= this.db.prepare(`INSERT INTO audit (at, actor_id, actor_name, actor_role, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    const info = this.insert.run(
      e.at,
      e.actor?.id ?? null,
      e.actor?.username ?? null,
      e.actor?.role ?? null,
      e.action,
      e.target,
      json(e.before),
      json(e.after),
    );
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

  // --- audited changes (issue 13, finding 15): the change and its audit record in one transaction ---

  /** Runs `change` and writes the record `audit` makes of it, in one transaction (a throw anywhere rolls both back). */
  audited<T, D>(change: () => { result: T; done: D } | null, audit: AuditOf<D>): T | null {
    return this.db.transaction((): T | null => {
      const made = change();
      if (!made) return null;
      const record = audit(made.done);
      if (record) this.appendAuditSync(record);
      return made.result;
    })();
  }
}
