/* A slice of the store contract (store.contract.ts). ComplaintsRepository: citizens’ complaints. */
import type { ComplaintRecord, Store } from '../store.port';
import { type StoreFactory, box, complaintRecord } from './fixtures.contract';

export function complaintsContract(open: StoreFactory): void {
  describe('complaints', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps complaints: unique tracking codes, compare-and-set steps with history, scoped lists and counts', async () => {
      const at = (m: number) => `2024-03-31T2${m}:00:00.000Z`;
      const complaint = (id: string, over: Partial<ComplaintRecord> = {}): ComplaintRecord =>
        complaintRecord(id, at(0), { text: 'Sayım tutanağı farklı', routedTo: ['hukuk681'], ...over });
      const a = await store.createComplaint(complaint('a'));
      await store.createComplaint(complaint('b', { createdAt: at(1), updatedAt: at(1), key: box(1002).key, boxNo: 1002 }));
      await store.createComplaint(complaint('c', { province: 1, district: 650, key: null, ballot: null, createdAt: at(2), updatedAt: at(2) }));
      const duplicate = await store.createComplaint(complaint('d', { trackingCode: 'GZ-a' })).then(
        () => 'stored',
        (e: unknown) => `refused: ${String((e as Error)?.message ?? e)}`,
      );
      expect(duplicate).toMatch(/^refused/);
      expect(await store.complaint('a')).toEqual(a);
      expect(await store.complaintByCode('GZ-b')).toMatchObject({ id: 'b' });
      expect(await store.complaintByCode('GZ-zzz')).toBeNull();

      const step = { at: at(3), status: 'in_review' as const, by: 'hukuk681', note: 'bakıyorum' };
      const moved = await store.updateComplaint('a', 'new', { status: 'in_review', updatedAt: at(3), step });
      expect(moved).toEqual({ ...a, status: 'in_review', updatedAt: at(3), history: [...a.history, step] });
      expect(await store.updateComplaint('a', 'new', { status: 'rejected', updatedAt: at(4) })).toBeNull();
      expect(await store.updateComplaint('a', 'in_review', { petitionId: 'p1', updatedAt: at(4) })).toMatchObject({ status: 'in_review', petitionId: 'p1' });
      expect(await store.updateComplaint('missing', 'new', { updatedAt: at(4) })).toBeNull();

      expect((await store.complaints({})).map((c) => c.id)).toEqual(['c', 'b', 'a']);
      expect((await store.complaints({ district: 681 })).map((c) => c.id)).toEqual(['b', 'a']);
      expect((await store.complaints({ keys: [box(1002).key] })).map((c) => c.id)).toEqual(['b']);
      expect(await store.complaints({ keys: [] })).toEqual([]);
      expect((await store.complaints({ status: 'in_review' })).map((c) => c.id)).toEqual(['a']);
      expect(await store.complaintCounts({ province: 69 })).toEqual({ new: 1, in_review: 1 });
      expect(await store.complaintCounts({ district: 999 })).toEqual({});
    });
  });
}
