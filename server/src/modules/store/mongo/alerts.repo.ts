import type { AlertRecord } from '@gozcu/shared';
import { bulkWriteChunked } from '../mongo-bulk';
import type { AlertFilter, AlertMemberPatch, AlertPatch, AlertsRepository, AuditOf, Changed, PushSubscriptionRecord } from '../store.port';
import type { MongoAudit } from './audit.repo';
import type { MongoContext } from './context';
import { stripId } from './docs';

/** Alerts, their read marks and push subscriptions (issue 15). */
export class MongoAlerts implements AlertsRepository {
  constructor(
    private readonly c: MongoContext,
    private readonly log: MongoAudit,
  ) {}

  // --- alerts (issue 15): plain collections, no multi-document transactions (FerretDB has none):
  // one document per alert, unique on its dedupe key; compare-and-set by rev; idempotent upserts.
  private alertIndexes: Promise<void> | null = null;

  private async alertCols() {
    const db = this.c.conn.db!;
    const cols = {
      alerts: db.collection<AlertRecord & { _id: string }>('alerts'),
      reads: db.collection<{ _id: string; userId: string; alertId: string; at: string }>('alert_reads'),
      subs: db.collection<{ _id: string; userId: string; keys: PushSubscriptionRecord['keys']; createdAt: string }>('push_subscriptions'),
    };
    this.alertIndexes ??= (async () => {
      await cols.alerts.createIndex({ dedupe: 1 }, { unique: true });
      await cols.alerts.createIndex({ province: 1, district: 1, createdAt: -1 });
      await cols.alerts.createIndex({ status: 1, escalateAt: 1 });
      await cols.reads.createIndex({ userId: 1, alertId: 1 });
      await cols.subs.createIndex({ userId: 1 });
    })();
    await this.alertIndexes;
    return cols;
  }

  async createAlert(alert: AlertRecord): Promise<{ alert: AlertRecord; created: boolean }> {
    const { alerts } = await this.alertCols();
    try {
      const res = await alerts.updateOne({ dedupe: alert.dedupe }, { $setOnInsert: { ...alert, _id: alert.id } }, { upsert: true });
      if (res.upsertedCount === 1) return { alert: { ...alert }, created: true };
    } catch (e) {
      // two nodes upserting the same dedupe key at once: one wins, the other reads the winner
      if ((e as { code?: number }).code !== 11000) throw e;
    }
    const held = await alerts.findOne({ dedupe: alert.dedupe });
    return { alert: stripId(held!), created: false };
  }

  async alert(id: string): Promise<AlertRecord | null> {
    const { alerts } = await this.alertCols();
    const doc = await alerts.findOne({ _id: id });
    return doc ? stripId(doc) : null;
  }

  async updateAlert(id: string, rev: number, patch: Partial<Omit<AlertRecord, 'id' | 'dedupe' | 'rev'>>): Promise<AlertRecord | null> {
    const { alerts } = await this.alertCols();
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const doc = await alerts.findOneAndUpdate({ _id: id, rev }, { $set: { ...set, rev: rev + 1 } }, { returnDocument: 'after' });
    return doc ? stripId(doc) : null;
  }

  async alerts(filter: AlertFilter, limit = 200): Promise<AlertRecord[]> {
    const { alerts } = await this.alertCols();
    const q: Record<string, unknown> = {};
    if (filter.province !== undefined) q.province = filter.province;
    if (filter.district !== undefined) q.district = filter.district;
    if (filter.levels !== undefined) q.level = { $in: filter.levels };
    if (filter.status !== undefined) q.status = filter.status;
    if (filter.kind !== undefined) q.kind = filter.kind;
    if (filter.box !== undefined) q.box = filter.box;
    if (filter.digestId !== undefined) q.digestId = filter.digestId;
    if (filter.dueBefore !== undefined) Object.assign(q, { status: 'open', ack: null, escalateAt: { $ne: null, $lte: filter.dueBefore } });
    const docs = await alerts.find(q).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
    return docs.map(stripId);
  }

  async heldAlertDedupes(kind: AlertRecord['kind']): Promise<string[]> {
    const { alerts } = await this.alertCols();
    const docs = await alerts.find({ kind, status: { $ne: 'resolved' } }, { projection: { dedupe: 1 } }).toArray();
    return docs.map((d) => (d as unknown as { dedupe: string }).dedupe);
  }

  async markAlertsRead(userId: string, ids: string[], at: string): Promise<void> {
    if (!ids.length) return;
    const { reads } = await this.alertCols();
    await bulkWriteChunked(
      reads,
      ids.map((alertId) => ({ updateOne: { filter: { _id: `${userId}|${alertId}` }, update: { $setOnInsert: { userId, alertId, at } }, upsert: true } })),
      this.c.updateStatements,
    );
  }

  async readAlertIds(userId: string, ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    const { reads } = await this.alertCols();
    const docs = await reads.find({ _id: { $in: ids.map((id) => `${userId}|${id}`) } }).toArray();
    return docs.map((d) => d.alertId);
  }

  async putPushSubscription(sub: PushSubscriptionRecord): Promise<void> {
    const { subs } = await this.alertCols();
    await subs.updateOne({ _id: sub.endpoint }, { $set: { userId: sub.userId, keys: sub.keys, createdAt: sub.createdAt } }, { upsert: true });
  }

  async pushSubscriptions(userIds: string[]): Promise<PushSubscriptionRecord[]> {
    if (!userIds.length) return [];
    const { subs } = await this.alertCols();
    const docs = await subs
      .find({ userId: { $in: userIds } })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return docs.map((d) => ({ endpoint: d._id, userId: d.userId, keys: d.keys, createdAt: d.createdAt }));
  }

  async deletePushSubscription(endpoint: string): Promise<boolean> {
    const { subs } = await this.alertCols();
    return (await subs.deleteOne({ _id: endpoint })).deletedCount > 0;
  }

  async putPushSubscriptionAudited(sub: PushSubscriptionRecord, audit: AuditOf<Changed<PushSubscriptionRecord | null>>): Promise<void> {
    const { subs } = await this.alertCols();
    const held = await subs.findOne({ _id: sub.endpoint });
    const before = held ? { endpoint: held._id, userId: held.userId, keys: held.keys, createdAt: held.createdAt } : null;
    const record = audit({ before, after: { ...sub } });
    if (record) await this.log.writeRecord(record);
    await this.putPushSubscription(sub);
  }

  async deletePushSubscriptionAudited(endpoint: string, userId: string, audit: AuditOf<PushSubscriptionRecord>): Promise<boolean> {
    const { subs } = await this.alertCols();
    const held = await subs.findOne({ _id: endpoint, userId });
    if (!held) return false;
    const record = audit({ endpoint: held._id, userId: held.userId, keys: held.keys, createdAt: held.createdAt });
    const rid = record ? await this.log.writeRecord(record) : null;
    const gone = (await subs.deleteOne({ _id: endpoint, userId })).deletedCount > 0;
    if (!gone && rid) await this.log.voidRecord(rid, record!, 'the subscription was gone (or moved to another user) meanwhile');
    return gone;
  }

  /** A digest's members, each compare-and-set on its rev (one that moved on meanwhile is left as it is). */
  private async patchMembers(members: AlertMemberPatch[] = []): Promise<void> {
    for (const m of members) await this.updateAlert(m.id, m.rev, m.patch);
  }

  async createAlertAudited(
    alert: AlertRecord,
    audit: AuditOf<AlertRecord>,
    also: { members?: AlertMemberPatch[] } = {},
  ): Promise<{ alert: AlertRecord; created: boolean }> {
    const { alerts } = await this.alertCols();
    const held = await alerts.findOne({ dedupe: alert.dedupe });
    if (held) return { alert: stripId(held), created: false };
    const record = audit({ ...alert });
    const rid = record ? await this.log.writeRecord(record) : null;
    const made = await this.createAlert(alert);
    if (!made.created) {
      if (rid) await this.log.voidRecord(rid, record!, 'another node raised the same alert meanwhile');
      return made;
    }
    await this.patchMembers(also.members);
    return made;
  }

  async updateAlertAudited(
    id: string,
    rev: number,
    patch: AlertPatch,
    audit: AuditOf<Changed<AlertRecord>>,
    also: { members?: AlertMemberPatch[] } = {},
  ): Promise<AlertRecord | null> {
    const before = await this.alert(id);
    if (!before || before.rev !== rev) return null;
    const after: AlertRecord = {
      ...before,
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
      id: before.id,
      dedupe: before.dedupe,
      rev: rev + 1,
    };
    const record = audit({ before, after });
    const rid = record ? await this.log.writeRecord(record) : null;
    const done = await this.updateAlert(id, rev, patch);
    if (!done) {
      if (rid) await this.log.voidRecord(rid, record!, `the alert was no longer at rev ${rev}`);
      return null;
    }
    await this.patchMembers(also.members);
    return done;
  }
}
