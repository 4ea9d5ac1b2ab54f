/* A slice of the store contract (store.contract.ts). AttachmentsRepository: the records of evidence and sheet photos. */
import { createHash } from 'node:crypto';
import type { AttachmentRecord, Store } from '../store.port';
import { type StoreFactory, box } from './fixtures.contract';

export function attachmentsContract(open: StoreFactory): void {
  describe('attachments', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps attachments by owner and box', async () => {
      const sha = createHash('sha256').update('photo').digest('hex');
      const shown = createHash('sha256').update('shown').digest('hex');
      const att = (id: string, over: Partial<AttachmentRecord> = {}): AttachmentRecord => ({
        id,
        owner: 'complaint',
        ownerId: 'c1',
        key: box(1001).key,
        kind: 'image',
        contentType: 'image/jpeg',
        bytes: 5,
        sha256: sha,
        width: 10,
        height: 20,
        shownBlob: shown,
        shownContentType: 'image/jpeg',
        uploadedAt: '2024-03-31T20:00:00.000Z',
        uploadedBy: null,
        ...over,
      });
      await store.putAttachment(att('x1'));
      await store.putAttachment(att('x2', { owner: 'sheet', ownerId: 'entry-1', uploadedBy: 'ayse', uploadedAt: '2024-03-31T20:01:00.000Z' }));
      await store.putAttachment(att('x3', { kind: 'pdf', contentType: 'application/pdf', width: null, height: null, uploadedAt: '2024-03-31T20:02:00.000Z' }));
      expect(await store.attachment('x2')).toEqual(
        att('x2', { owner: 'sheet', ownerId: 'entry-1', uploadedBy: 'ayse', uploadedAt: '2024-03-31T20:01:00.000Z' }),
      );
      expect(await store.attachment('nope')).toBeNull();
      expect((await store.attachments({ owner: 'complaint', ownerId: 'c1' })).map((a) => a.id)).toEqual(['x1', 'x3']);
      expect((await store.attachments({ owner: 'sheet', key: box(1001).key })).map((a) => a.id)).toEqual(['x2']);
    });
  });
}
