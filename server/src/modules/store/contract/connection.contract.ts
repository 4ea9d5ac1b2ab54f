/* A slice of the store contract (store.contract.ts). The connection: what health and shutdown see. */
import type { Store } from '../store.port';
import { type StoreFactory } from './fixtures.contract';

export function connectionContract(open: StoreFactory): void {
  describe('connection', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('answers ping, and fails ping once closed', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await expect(store.ping()).rejects.toThrow();
      store = await open();
    });
  });
}
