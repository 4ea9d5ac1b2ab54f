/* A slice of the store contract (store.contract.ts). BlobsRepository: file bytes by their SHA-256. */
import { createHash } from 'node:crypto';
import type { Store } from '../store.port';
import { type StoreFactory } from './fixtures.contract';

export function blobsContract(open: StoreFactory): void {
  describe('blobs', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps blobs by their SHA-256, once', async () => {
      const sha = createHash('sha256').update('photo').digest('hex');
      const shown = createHash('sha256').update('shown').digest('hex');
      await store.putBlob(sha, Buffer.from('photo'));
      await store.putBlob(sha, Buffer.from('photo'));
      expect((await store.blob(sha))?.toString()).toBe('photo');
      expect(await store.blob(shown)).toBeNull();
      await expect(store.putBlob('../../etc/passwd', Buffer.from('x'))).rejects.toThrow(RangeError);
    });
  });
}
