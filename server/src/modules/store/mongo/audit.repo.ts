import mongoose from 'mongoose';
import type { AuditEntry } from '@gozcu/shared';
import type { AuditFilter, AuditRepository, NewAuditEntry } from '../store.port';
import type { MongoContext } from './context';
import { escapeRegex, toAudit, type AuditDoc } from './docs';

/** The append-only audit log, and the records of the audited changes of the other repositories. */
export class MongoAudit implements AuditRepository {
  constructor(private readonly c: MongoContext) {}

  private get m() {
    return this.c.m;
  }

  async appendAudit(e: NewAuditEntry): Promise<AuditEntry> {
    const [doc] = await this.m.audit.insertMany([{ ...e, before: e.before ?? null, after: e.after ?? null }]);
    return toAudit(doc.toObject() as AuditDoc);
  }

  async audit(filter: AuditFilter, page: { before?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const query: Record<string, unknown> = {};
    if (filter.actor !== undefined) query['actor.username'] = filter.actor;
    if (filter.action !== undefined) query.action = filter.action;
    if (filter.target !== undefined) query.target = { $regex: `^${escapeRegex(filter.target)}` };
    if (filter.since !== undefined || filter.until !== undefined) {
      query.at = { ...(filter.since !== undefined ? { $gte: filter.since } : {}), ...(filter.until !== undefined ? { $lt: filter.until } : {}) };
    }
    if (page.before !== undefined) query._id = { $lt: new mongoose.Types.ObjectId(page.before) };
    const docs = await this.m.audit
      .find(query)
      .sort({ _id: -1 })
      .limit(page.limit ?? 100)
      .lean<AuditDoc[]>();
    return docs.map(toAudit);
  }

  // --- audited changes (issue 13, finding 15), without a multi-document transaction (FerretDB has
  // none), as appendEntriesAudited: the change is checked first, its record written, then the
  // change made idempotently; one that loses a race after its record is followed by a record saying so.

  async writeRecord(record: NewAuditEntry): Promise<mongoose.Types.ObjectId> {
    const _id = new mongoose.Types.ObjectId();
    await this.m.audit.insertMany([{ _id, ...record, before: record.before ?? null, after: record.after ?? null }]);
    return _id;
  }

  /** The change of a written record was not made (or only in part): append-only, so a record that says so. */
  async voidRecord(id: mongoose.Types.ObjectId, record: NewAuditEntry, reason: string, extra: Record<string, unknown> = {}): Promise<void> {
    await this.m.audit.insertMany([
      {
        at: new Date().toISOString(),
        actor: record.actor,
        action: Object.keys(extra).length ? 'audit.amend' : 'audit.void',
        target: record.target,
        before: null,
        after: { [Object.keys(extra).length ? 'amends' : 'voids']: id.toHexString(), action: record.action, reason, ...extra },
      },
    ]);
  }
}
