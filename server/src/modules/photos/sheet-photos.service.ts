import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { parseBoxKey, type Principal, type SheetPhotoView } from '@gozcu/shared';
import { auditEntry } from '../audit/audit.service';
import { STORE, type AttachmentsRepository, type EntriesRepository } from '../store/store.port';
import { AttachmentsService, type UploadedFileLike } from './attachments.service';

/** Photos of the signed result sheet (tutanak), attached by a box officer to an entry of the box. */
@Injectable()
export class SheetPhotosService {
  constructor(
    @Inject(STORE) private readonly store: AttachmentsRepository & EntriesRepository,
    private readonly attachments: AttachmentsService,
  ) {}

  /** Attaches the photo to `entryId`, or to the caller's latest entry of the box (else the box's latest). */
  async upload(user: Principal, key: string, entryId: string | undefined, file: UploadedFileLike | undefined): Promise<SheetPhotoView> {
    if (!parseBoxKey(key)) throw new NotFoundException(`no box ${key}`);
    if (!file) throw new BadRequestException('send the photo as multipart/form-data in the field "photo"');
    const entries = await this.store.entries(key);
    const entry = entryId
      ? entries.find((e) => e.id === entryId)
      : ([...entries].reverse().find((e) => e.observer === user.username) ?? entries[entries.length - 1]);
    if (!entry) {
      if (entryId) throw new NotFoundException(`box ${key} has no entry ${entryId}`);
      throw new ConflictException(`box ${key} has no entry yet: enter the sheet's figures first, then attach its photo`);
    }
    const [{ inspected }] = await this.attachments.inspectAll([file], false);
    // the photo's record and its audit record in one transaction (issue 13, finding 15); its bytes are content-addressed blobs, stored first
    const staged = await this.attachments.stage('sheet', entry.id, key, inspected, file.buffer, user.username);
    const saved = await this.store.putAttachmentAudited(staged, (a) =>
      auditEntry(user, 'sheet_photo.upload', key, null, { attachmentId: a.id, entryId: entry.id, sha256: a.sha256, uploadedAt: a.uploadedAt, bytes: a.bytes }),
    );
    return { ...this.attachments.view(saved, user), entryId: entry.id, key };
  }

  async list(user: Principal, key: string): Promise<SheetPhotoView[]> {
    const found = await this.store.attachments({ owner: 'sheet', key });
    return found.map((a) => ({ ...this.attachments.view(a, user), entryId: a.ownerId, key }));
  }
}
