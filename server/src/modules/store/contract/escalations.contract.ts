/* A slice of the store contract (store.contract.ts). EscalationsRepository: stale boxes escalated to the district. */
import type { Store } from '../store.port';
import { type StoreFactory, box } from './fixtures.contract';

export function escalationsContract(open: StoreFactory): void {
  describe('escalations', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('escalates many boxes at once as one by one: once per box and reason, the first time kept', async () => {
      const one = { key: box(1001).key, province: 69, district: 681, reason: 'stale' as const, at: '2024-03-31T19:00:00.000Z' };
      const two = { key: box(1002).key, province: 69, district: 681, reason: 'stale' as const, at: '2024-03-31T19:00:00.000Z' };
      await store.escalate(one);
      await store.escalateMany([]);
      await store.escalateMany([{ ...one, at: '2024-03-31T20:00:00.000Z' }, two, { ...two, at: '2024-03-31T20:00:00.000Z' }]);
      const held = await store.escalations({});
      expect(held.map((e) => [e.key, e.at])).toEqual([
        [one.key, one.at],
        [two.key, two.at],
      ]);
      expect(await store.escalate({ ...two, at: '2024-03-31T21:00:00.000Z' })).toEqual(held[1]);
    });

    it('escalates a box once per reason and lists escalations by scope, oldest first', async () => {
      const a = await store.escalate({ key: box(1001).key, province: 69, district: 681, reason: 'stale', at: '2024-03-31T19:00:00.000Z' });
      const again = await store.escalate({ key: box(1001).key, province: 69, district: 681, reason: 'stale', at: '2024-03-31T19:30:00.000Z' });
      expect(again).toEqual(a);
      await store.escalate({ key: box(1002).key, province: 69, district: 681, reason: 'stale', at: '2024-03-31T18:59:00.000Z' });
      await store.escalate({ key: box(1001, { province: 1, district: 650 }).key, province: 1, district: 650, reason: 'stale', at: '2024-03-31T18:00:00.000Z' });
      expect((await store.escalations({ district: 681 })).map((e) => e.key)).toEqual([box(1002).key, box(1001).key]);
      expect(await store.escalations({})).toHaveLength(3);
    });
  });
}
