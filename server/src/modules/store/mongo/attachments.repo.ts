import type { AttachmentFilter, AttachmentRecord, AttachmentsRepository, AuditOf } from '../store.port';
import type { MongoAudit } from './audit.repo';
import type { MongoContext } from './context';
import { upsertRetrying, withId } from './docs';

/** The records of complaints' evidence and sheet photos. */
export class MongoAttachments implements AttachmentsRepository {
  constructor(
    private readonly c: MongoContext,
    private readonly log: MongoAudit,
  ) {}

  private get m() {
    return this.c.m;
  }

  async putAttachment(a: AttachmentRecord): Promise<void> {
    const { id, ...rest } = a;
    await this.m.attachments.insertMany([{ _id: id, ...rest }]);
  }

  private toAttachment(d: (Omit<AttachmentRecord, 'id'> & { _id: string }) | null): AttachmentRecord | null {
    if (!d) return null;
    const a = withId<AttachmentRecord>(d);
    return { ...a, key: a.key ?? null, width: a.width ?? null, height: a.height ?? null, uploadedBy: a.uploadedBy ?? null };
  }

  async attachment(id: string): Promise<AttachmentRecord | null> {
    return this.toAttachment(await this.m.attachments.findById(id).lean());
  }

  async attachments(filter: AttachmentFilter): Promise<AttachmentRecord[]> {
    const q: Record<string, unknown> = { owner: filter.owner };
    if (filter.ownerId !== undefined) q.ownerId = filter.ownerId;
    if (filter.key !== undefined) q.key = filter.key;
    const docs = await this.m.attachments.find(q).sort({ uploadedAt: 1, _id: 1 }).lean();
    return docs.map((d) => this.toAttachment(d as never)!);
  }

  async putAttachmentAudited(attachment: AttachmentRecord, audit: AuditOf<AttachmentRecord>): Promise<AttachmentRecord> {
    const record = audit({ ...attachment });
    if (record) await this.log.writeRecord(record);
    const { id, ...rest } = attachment;
    await upsertRetrying(() => this.m.attachments.updateOne({ _id: id }, { $setOnInsert: rest }, { upsert: true }));
    return { ...attachment };
  }
}
