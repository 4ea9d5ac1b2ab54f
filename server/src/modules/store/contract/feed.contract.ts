/* A slice of the store contract (store.contract.ts). FeedRepository: column maps and incidents. */
import type { Store } from '../store.port';
import { type StoreFactory } from './fixtures.contract';

export function feedContract(open: StoreFactory): void {
  describe('feed', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps one column map per election, ballot and province, and says when it changed', async () => {
      const map = {
        election: 'e1',
        ballot: 2 as const,
        province: 69,
        columns: [{ position: 1, name: 'AK PARTİ', column: 'parti1_ALDIGI_OY' }],
        fetchedAt: '2024-03-31T18:00:00.000Z',
      };
      expect(await store.putColumnMap(map)).toBe(true);
      expect(await store.putColumnMap({ ...map, fetchedAt: '2024-03-31T18:05:00.000Z' })).toBe(false);
      const grown = { ...map, columns: [...map.columns, { position: 2, name: 'CHP', column: 'parti2_ALDIGI_OY' }] };
      expect(await store.putColumnMap(grown)).toBe(true);
      expect(await store.columnMap('e1', 2, 69)).toEqual({ ...grown });
      expect(await store.columnMap('e1', 3, 69)).toBeNull();
    });

    it('opens and closes incidents, keeping the raw payload', async () => {
      const inc = await store.openIncident({
        kind: 'parse',
        scope: 'getSecimSandikSonucList',
        startedAt: '2024-03-31T19:00:00.000Z',
        cause: 'truncated JSON',
        details: { bytes: 12 },
        raw: '[{"il_ID":',
      });
      expect(await store.incidents({ open: true })).toEqual([inc]);
      await store.closeIncident(inc.id, '2024-03-31T19:05:00.000Z');
      expect(await store.incidents({ open: true })).toEqual([]);
      expect(await store.incidents()).toEqual([{ ...inc, endedAt: '2024-03-31T19:05:00.000Z' }]);
    });
  });
}
