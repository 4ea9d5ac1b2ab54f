import type Database from 'better-sqlite3';
import type { AlertRecord } from '@gozcu/shared';
import type { AlertFilter, AlertMemberPatch, AlertPatch, AlertsRepository, AuditOf, Changed, PushSubscriptionRecord } from '../store.port';
import type { SqliteAudit } from './audit.repo';
import type { SqliteContext } from './context';
import { conditions } from './rows';
import { ALERT_SCHEMA } from './schema';

/** Alerts, their read marks and push subscriptions (issue 15). */
export class SqliteAlerts implements AlertsRepository {
  constructor(
    private readonly c: SqliteContext,
    private readonly log: SqliteAudit,
  ) {}

  private get db() {
    return this.c.db;
  }

  // the tables are created on first use, so the main schema stays as it was
  private alertTables = false;

  private alerting(): Database.Database {
    if (!this.alertTables) {
      this.db.exec(ALERT_SCHEMA);
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

  async putPushSubscriptionAudited(sub: PushSubscriptionRecord, audit: AuditOf<Changed<PushSubscriptionRecord | null>>): Promise<void> {
    this.alerting(); // the alert tables made outside the transaction: a rolled-back change must not roll them back
    this.log.audited(() => {
      const before = this.pushSubscriptionSync(sub.endpoint);
      this.putPushSubscriptionSync(sub);
      return { result: true, done: { before, after: { ...sub } } };
    }, audit);
  }

  async deletePushSubscriptionAudited(endpoint: string, userId: string, audit: AuditOf<PushSubscriptionRecord>): Promise<boolean> {
    this.alerting(); // the alert tables made outside the transaction: a rolled-back change must not roll them back
    return (
      this.log.audited(() => {
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
    const held = this.log.audited(() => {
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
    return this.log.audited(() => {
      const changed = this.updateAlertSync(id, rev, patch);
      if (!changed) return null;
      for (const m of also.members ?? []) this.updateAlertSync(m.id, m.rev, m.patch);
      return { result: changed.after, done: changed };
    }, audit);
  }
}
