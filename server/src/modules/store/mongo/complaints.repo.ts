import type { AttachmentRecord, AuditOf, Changed, ComplaintFilter, ComplaintPatch, ComplaintRecord, ComplaintsRepository } from '../store.port';
import type { MongoAudit } from './audit.repo';
import type { MongoContext } from './context';
import { complaintQuery, upsertRetrying, withId } from './docs';

/** Citizens' complaints. */
export class MongoComplaints implements ComplaintsRepository {
  constructor(
    private readonly c: MongoContext,
    private readonly log: MongoAudit,
  ) {}

  private get m() {
    return this.c.m;
  }

  async createComplaint(c: ComplaintRecord): Promise<ComplaintRecord> {
    const { id, ...rest } = c;
    await this.m.complaints.insertMany([{ _id: id, ...rest }]);
    return { ...c };
  }

  private toComplaint(d: (Omit<ComplaintRecord, 'id'> & { _id: string }) | null): ComplaintRecord | null {
    if (!d) return null;
    const c = withId<ComplaintRecord>(d);
    return {
      ...c,
      ballot: c.ballot ?? null,
      key: c.key ?? null,
      contact: c.contact ?? null,
      filedBy: c.filedBy ?? null,
      petitionId: c.petitionId ?? null,
      routedTo: [...(c.routedTo ?? [])],
      history: c.history ?? [],
    };
  }

  async complaint(id: string): Promise<ComplaintRecord | null> {
    return this.toComplaint(await this.m.complaints.findById(id).lean());
  }

  async complaintByCode(trackingCode: string): Promise<ComplaintRecord | null> {
    return this.toComplaint(await this.m.complaints.findOne({ trackingCode }).lean());
  }

  async updateComplaint(id: string, expected: ComplaintRecord['status'], patch: ComplaintPatch): Promise<ComplaintRecord | null> {
    const set: Record<string, unknown> = { updatedAt: patch.updatedAt };
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.petitionId !== undefined) set.petitionId = patch.petitionId;
    const update: Record<string, unknown> = { $set: set };
    if (patch.step) update.$push = { history: patch.step };
    return this.toComplaint(await this.m.complaints.findOneAndUpdate({ _id: id, status: expected }, update, { returnDocument: 'after' }).lean());
  }

  async complaints(filter: ComplaintFilter, limit = 1000): Promise<ComplaintRecord[]> {
    const docs = await this.m.complaints.find(complaintQuery(filter)).sort({ createdAt: -1, _id: -1 }).limit(limit).lean();
    return docs.map((d) => this.toComplaint(d as never)!);
  }

  async complaintCounts(filter: ComplaintFilter): Promise<Partial<Record<ComplaintRecord['status'], number>>> {
    const rows = await this.m.complaints.aggregate<{ _id: ComplaintRecord['status']; n: number }>([
      { $match: complaintQuery(filter) },
      { $group: { _id: '$status', n: { $sum: 1 } } },
    ]);
    return Object.fromEntries(rows.map((r) => [r._id, r.n]));
  }

  async createComplaintAudited(complaint: ComplaintRecord, attachments: AttachmentRecord[], audit: AuditOf<ComplaintRecord>): Promise<ComplaintRecord> {
    const record = audit({ ...complaint });
    if (record) await this.log.writeRecord(record);
    const { id, ...rest } = complaint;
    await upsertRetrying(() => this.m.complaints.updateOne({ _id: id }, { $setOnInsert: rest }, { upsert: true }));
    if (attachments.length) {
      await this.c.bulk(
        this.m.attachments,
        attachments.map(({ id: aid, ...a }) => ({ updateOne: { filter: { _id: aid }, update: { $setOnInsert: a }, upsert: true } })),
      );
    }
    return { ...complaint };
  }

  async updateComplaintAudited(
    id: string,
    expected: ComplaintRecord['status'],
    patch: ComplaintPatch,
    audit: AuditOf<Changed<ComplaintRecord>>,
  ): Promise<ComplaintRecord | null> {
    const before = await this.complaint(id);
    if (!before || before.status !== expected) return null;
    const after: ComplaintRecord = {
      ...before,
      status: patch.status ?? before.status,
      petitionId: patch.petitionId !== undefined ? patch.petitionId : before.petitionId,
      updatedAt: patch.updatedAt,
      history: patch.step ? [...before.history, patch.step] : before.history,
    };
    const record = audit({ before, after });
    const rid = record ? await this.log.writeRecord(record) : null;
    const done = await this.updateComplaint(id, expected, patch);
    if (!done && rid) await this.log.voidRecord(rid, record!, `the complaint was no longer ${expected}`);
    return done;
  }
}
