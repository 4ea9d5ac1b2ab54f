import type { AttachmentFilter, AttachmentRecord, AttachmentsRepository, AuditOf } from '../store.port';
import type { SqliteAudit } from './audit.repo';
import type { SqliteContext } from './context';
import { conditions, toAttachment, type AttachmentRow } from './rows';

/** The records of complaints' evidence and sheet photos. */
export class SqliteAttachments implements AttachmentsRepository {
  constructor(
    private readonly c: SqliteContext,
    private readonly log: SqliteAudit,
  ) {}

  private get db() {
    return this.c.db;
  }

  async putAttachment(a: AttachmentRecord): Promise<void> {
    this.putAttachmentSync(a);
  }

  putAttachmentSync(a: AttachmentRecord): void {
    this.db
      .prepare(
        `INSERT INTO attachments (id, owner, owner_id, key, kind, content_type, bytes, sha256, width, height, shown_blob, shown_content_type, uploaded_at, uploaded_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        a.id,
        a.owner,
        a.ownerId,
        a.key,
        a.kind,
        a.contentType,
        a.bytes,
        a.sha256,
        a.width,
        a.height,
        a.shownBlob,
        a.shownContentType,
        a.uploadedAt,
        a.uploadedBy,
      );
  }

  async attachment(id: string): Promise<AttachmentRecord | null> {
    const row = this.db.prepare<[string], AttachmentRow>(`SELECT * FROM attachments WHERE id = ?`).get(id);
    return row ? toAttachment(row) : null;
  }

  async attachments(filter: AttachmentFilter): Promise<AttachmentRecord[]> {
    const { parts, params, add } = conditions();
    add('owner = ?', filter.owner);
    if (filter.ownerId !== undefined) add('owner_id = ?', filter.ownerId);
    if (filter.key !== undefined) add('key = ?', filter.key);
    return this.db
      .prepare<unknown[], AttachmentRow>(`SELECT * FROM attachments WHERE ${parts.join(' AND ')} ORDER BY uploaded_at, rowid`)
      .all(...params)
      .map(toAttachment);
  }

  async putAttachmentAudited(attachment: AttachmentRecord, audit: AuditOf<AttachmentRecord>): Promise<AttachmentRecord> {
    return this.log.audited(() => {
      this.putAttachmentSync(attachment);
      return { result: { ...attachment }, done: { ...attachment } };
    }, audit)!;
  }
}
