/* A slice of the store contract (store.contract.ts). VotersRepository: the voter-register lines. */
import type { Store } from '../store.port';
import { type StoreFactory } from './fixtures.contract';

export function votersContract(open: StoreFactory): void {
  describe('voters', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps voter-register lines by hash only, a re-import moving a voter', async () => {
      const at = '2024-03-31T08:00:00.000Z';
      const h = (n: number) => n.toString(16).padStart(64, '0');
      expect(
        await store.putVoters([
          { hash: h(1), province: 6, district: 1, boxNo: 1001, importedAt: at },
          { hash: h(2), province: 6, district: 1, boxNo: 1002, importedAt: at },
        ]),
      ).toBe(2);
      await store.putVoters([{ hash: h(1), province: 34, district: 10, boxNo: 5, importedAt: at }]);
      expect(await store.voterByHash(h(1))).toEqual({ hash: h(1), province: 34, district: 10, boxNo: 5, importedAt: at });
      expect(await store.voterByHash(h(3))).toBeNull();
      expect(await store.voterCount()).toBe(2);
      expect(await store.putVoters([])).toBe(0);
    });
  });
}
