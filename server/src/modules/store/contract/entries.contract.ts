/* A slice of the store contract (store.contract.ts). EntriesRepository: the observers’ entries. */
import type { Store } from '../store.port';
import { type StoreFactory, box, entry, sheet } from './fixtures.contract';

export function entriesContract(open: StoreFactory): void {
  describe('entries', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps observer entries with history, idempotent on the idempotency key', async () => {
      const b = box(1003);
      const e1 = await store.appendEntry(entry(b, sheet(1, 2), 'idem-0001'));
      expect(e1.kind).toBe('stored');
      const dup = await store.appendEntry(entry(b, sheet(9, 9), 'idem-0001'));
      expect(dup).toEqual({ kind: 'duplicate', entry: e1.entry });
      const e2 = await store.appendEntry(entry(b, sheet(1, 3), 'idem-0002', 'obs2'));
      const history = await store.entries(b.key);
      expect(history.map((e) => [e.observer, e.sheet.votes.CHP])).toEqual([
        ['obs1', 2],
        ['obs2', 3],
      ]);
      expect(history[1]).toEqual(e2.entry);
      const scoped = await store.entriesOf({ province: 69 }, { limit: 1 });
      expect(scoped.map((e) => e.idempotencyKey)).toEqual(['idem-0001']);
      const next = await store.entriesOf({ province: 69 }, { after: scoped[0].id });
      expect(next.map((e) => e.idempotencyKey)).toEqual(['idem-0002']);
      expect(await store.entriesOf({ province: 1 })).toEqual([]);
    });

    it('stores entries and their audit record together: all or nothing', async () => {
      const b = box(1004);
      const auditOf = (stored: { key: string }[]) =>
        stored.length
          ? { at: '2024-03-31T18:20:00.000Z', actor: null, action: 'entry.import', target: 'entries', before: null, after: { keys: stored.map((e) => e.key) } }
          : null;
      const first = await store.appendEntriesAudited([entry(b, sheet(1, 2), 'idem-a-001'), entry(b, sheet(1, 3), 'idem-a-002')], auditOf);
      expect(first.map((o) => o.kind)).toEqual(['stored', 'stored']);
      expect((await store.audit({ action: 'entry.import' })).map((a) => a.after)).toEqual([{ keys: [b.key, b.key] }]);
      // a retry stores nothing and writes no record
      const again = await store.appendEntriesAudited([entry(b, sheet(1, 2), 'idem-a-001')], auditOf);
      expect(again.map((o) => o.kind)).toEqual(['duplicate']);
      expect(await store.audit({ action: 'entry.import' })).toHaveLength(1);
      // a failure while writing rolls the entries back with the record
      await expect(
        store.appendEntriesAudited([entry(b, sheet(1, 4), 'idem-a-003')], () => {
          throw new Error('audit failed');
        }),
      ).rejects.toThrow('audit failed');
      expect((await store.entries(b.key)).map((e) => e.idempotencyKey)).toEqual(['idem-a-001', 'idem-a-002']);
    });
  });
}
