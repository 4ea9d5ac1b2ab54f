import { ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { scopeAllowsBox, scopeAllowsRegion, type AttachmentView, type Principal, refOfKey } from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { STORE, type AttachmentRecord, type AttachmentsRepository, type BlobsRepository, type ComplaintsRepository } from '../store/store.port';
import { inspectUpload, type InspectedUpload } from './upload.inspector';

/** A file as multer hands it over (memory storage). */
export interface UploadedFileLike {
  originalname: string;
  buffer: Buffer;
  size: number;
}

/** Who may see the original bytes (metadata included): the legal officers. */
export const ORIGINAL_PERMISSION = 'complaints:handle';

/** The types an attachment is sent as (what the content checks let in), with their file extension. */
export const ATTACHMENT_EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
};

/**
 * Uploaded files (complaint evidence, result-sheet photos): checked by content, the original
 * kept for the legal officers, a metadata-free version for everyone else; bytes as blobs in the
 * store (DATA_DIR/files, or GridFS), content-addressed by SHA-256.
 */
@Injectable()
export class AttachmentsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: AttachmentsRepository & BlobsRepository & ComplaintsRepository,
  ) {}

  /** Checks every file before storing any: one bad file refuses the whole upload. */
  async inspectAll(files: UploadedFileLike[], allowPdf: boolean): Promise<{ file: UploadedFileLike; inspected: InspectedUpload }[]> {
    const out = [];
    for (const file of files) {
      out.push({
        file,
        inspected: await inspectUpload(file.buffer, file.originalname, {
          maxBytes: this.config.UPLOAD_MAX_BYTES,
          maxPixels: this.config.UPLOAD_MAX_PIXELS,
          allowPdf,
        }),
      });
    }
    return out;
  }

  /**
   * Stores a file's bytes (content-addressed blobs, idempotent) and answers its record, not yet
   * stored: the caller stores it with its owner and audit record in one transaction.
   */
  async stage(
    owner: AttachmentRecord['owner'],
    ownerId: string,
    key: string | null,
    inspected: InspectedUpload,
    original: Buffer,
    uploadedBy: string | null,
    at = new Date(),
  ): Promise<AttachmentRecord> {
    const shownBlob = createHash('sha256').update(inspected.shown).digest('hex');
    await this.store.putBlob(inspected.sha256, original);
    if (shownBlob !== inspected.sha256) await this.store.putBlob(shownBlob, inspected.shown);
    const record: AttachmentRecord = {
      id: randomUUID(),
      owner,
      ownerId,
      key,
      kind: inspected.kind,
      contentType: inspected.contentType,
      bytes: inspected.bytes,
      sha256: inspected.sha256,
      width: inspected.width,
      height: inspected.height,
      shownBlob,
      shownContentType: inspected.shownContentType,
      uploadedAt: at.toISOString(),
      uploadedBy,
    };
    return record;
  }

  view(a: AttachmentRecord, viewer: Pick<Principal, 'permissions'> | null): AttachmentView {
    const original = !!viewer?.permissions.includes(ORIGINAL_PERMISSION);
    return {
      id: a.id,
      kind: a.kind,
      contentType: a.contentType,
      bytes: a.bytes,
      sha256: a.sha256,
      width: a.width,
      height: a.height,
      uploadedAt: a.uploadedAt,
      uploadedBy: a.uploadedBy,
      url: `/api/attachments/${a.id}`,
      originalUrl: original ? `/api/attachments/${a.id}?original=1` : null,
    };
  }

  /**
   * The bytes of an attachment for a signed-in caller: complaint evidence needs complaints:read
   * in the complaint's region; sheet photos need boxes:read on the box. The original (with its
   * metadata) and PDFs (whose metadata is not stripped) only for legal officers.
   */
  async download(user: Principal, id: string, original: boolean): Promise<{ data: Buffer; contentType: string; name: string }> {
    const a = await this.store.attachment(id);
    if (!a) throw new NotFoundException(`no attachment ${id}`);
    await this.assertMayRead(user, a);
    const legal = user.permissions.includes(ORIGINAL_PERMISSION);
    if ((original || a.kind === 'pdf') && !legal) {
      throw new ForbiddenException(
        a.kind === 'pdf'
          ? 'PDF evidence is shown to legal officers only (its metadata is not stripped)'
          : 'the original file (with its metadata) is shown to legal officers only',
      );
    }
    const blobId = original ? a.sha256 : a.shownBlob;
    const data = await this.store.blob(blobId);
    if (!data) throw new NotFoundException(`the file of attachment ${id} is missing`);
    const ext = ATTACHMENT_EXTENSIONS[original ? a.contentType : a.shownContentType] ?? 'bin';
    return { data, contentType: original ? a.contentType : a.shownContentType, name: `${a.id}.${ext}` };
  }

  private async assertMayRead(user: Principal, a: AttachmentRecord): Promise<void> {
    if (a.owner === 'sheet') {
      const box = a.key ? refOfKey(a.key) : null;
      if (
        !user.permissions.includes('boxes:read') ||
        !a.key ||
        !box ||
        !scopeAllowsBox(user.scope, { province: box.province, district: box.district, key: a.key })
      ) {
        throw new ForbiddenException(`attachment ${a.id} is outside your scope`);
      }
      return;
    }
    const complaint = await this.store.complaint(a.ownerId);
    const inScope =
      !!complaint &&
      user.permissions.includes('complaints:read') &&
      (scopeAllowsRegion(user.scope, { province: complaint.province, district: complaint.district }) ||
        (!!complaint.key && scopeAllowsBox(user.scope, { province: complaint.province, district: complaint.district, key: complaint.key })));
    if (!inScope) throw new ForbiddenException(`attachment ${a.id} is outside your scope`);
  }
}
