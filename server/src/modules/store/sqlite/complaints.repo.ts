import type { AttachmentRecord, AuditOf, Changed, ComplaintFilter, ComplaintPatch, ComplaintRecord, ComplaintsRepository } from '../store.port';
import type { SqliteAttachments } from './attachments.repo';
import type { SqliteAudit } from './audit.repo';
import type { SqliteContext } from './context';
import { complaintWhere, toComplaint, type ComplaintRow } from './rows';

/** Citizens' complaints. */
export class SqliteComplaints implements ComplaintsRepository {
  constructor(
    private readonly c: SqliteContext,
    private readonly log: SqliteAudit,
    private readonly attachments: SqliteAttachments,
  ) {}

  private get db() {
    return this.c.db;
  }

  async createComplaint(c: ComplaintRecord): Promise<ComplaintRecord> {
    return this.createComplaintSync(c);
  }

  private createComplaintSync(c: ComplaintRecord): ComplaintRecord {
    this.db
      .prepare(
        `INSERT INTO complaints (id, tracking_code, status, election, ballot, key, province, district, box_no, text, contact, routed_to, filed_by, petition_id, created_at, updated_at, history)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.id,
        c.trackingCode,
        c.status,
        c.election,
        c.ballot,
        c.key,
        c.province,
        c.district,
        c.boxNo,
        c.text,
        c.contact,
        JSON.stringify(c.routedTo),
        c.filedBy,
        c.petitionId,
        c.createdAt,
        c.updatedAt,
        JSON.stringify(c.history),
      );
    return { ...c };
  }

  async complaint(id: string): Promise<ComplaintRecord | null> {
    const row = this.db.prepare<[string], ComplaintRow>(`SELECT * FROM complaints WHERE id = ?`).get(id);
    return row ? toComplaint(row) : null;
  }

  async complaintByCode(trackingCode: string): Promise<ComplaintRecord | null> {
    const row = this.db.prepare<[string], ComplaintRow>(`SELECT * FROM complaints WHERE tracking_code = ?`).get(trackingCode);
    return row ? toComplaint(row) : null;
  }

  async updateComplaint(id: string, expected: ComplaintRecord['status'], patch: ComplaintPatch): Promise<ComplaintRecord | null> {
    return this.updateComplaintSync(id, expected, patch)?.after ?? null;
  }

  private updateComplaintSync(
    id: string,
    expected: ComplaintRecord['status'],
    patch: ComplaintPatch,
  ): { before: ComplaintRecord; after: ComplaintRecord } | null {
    return this.db.transaction((): { before: ComplaintRecord; after: ComplaintRecord } | null => {
      const row = this.db.prepare<[string, string], ComplaintRow>(`SELECT * FROM complaints WHERE id = ? AND status = ?`).get(id, expected);
      if (!row) return null;
      const held = toComplaint(row);
      const next: ComplaintRecord = {
        ...held,
        status: patch.status ?? held.status,
        petitionId: patch.petitionId !== undefined ? patch.petitionId : held.petitionId,
        updatedAt: patch.updatedAt,
        history: patch.step ? [...held.history, patch.step] : held.history,
      };
      this.db
        .prepare(`UPDATE complaints SET status = ?, petition_id = ?, updated_at = ?, history = ? WHERE id = ?`)
        .run(next.status, next.petitionId, next.updatedAt, JSON.stringify(next.history), id);
      return { before: held, after: next };
    })();
  }

  async complaints(filter: ComplaintFilter, limit = 1000): Promise<ComplaintRecord[]> {
    const where = complaintWhere(filter);
    return this.db
      .prepare<unknown[], ComplaintRow>(`SELECT * FROM complaints WHERE ${where.sql} ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(...where.params, limit)
      .map(toComplaint);
  }

  async complaintCounts(filter: ComplaintFilter): Promise<Partial<Record<ComplaintRecord['status'], number>>> {
    const where = complaintWhere(filter);
    const rows = this.db
      .prepare<unknown[], { status: ComplaintRecord['status']; n: number }>(`SELECT status, COUNT(*) AS n FROM complaints WHERE ${where.sql} GROUP BY status`)
      .all(...where.params);
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  async createComplaintAudited(complaint: ComplaintRecord, attachments: AttachmentRecord[], audit: AuditOf<ComplaintRecord>): Promise<ComplaintRecord> {
    return this.log.audited(() => {
      const created = this.createComplaintSync(complaint);
      for (const a of attachments) this.attachments.putAttachmentSync(a);
      return { result: created, done: created };
    }, audit)!;
  }

  async updateComplaintAudited(
    id: string,
    expected: ComplaintRecord['status'],
    patch: ComplaintPatch,
    audit: AuditOf<Changed<ComplaintRecord>>,
  ): Promise<ComplaintRecord | null> {
    return this.log.audited(() => {
      const changed = this.updateComplaintSync(id, expected, patch);
      return changed && { result: changed.after, done: changed };
    }, audit);
  }
}
