/* A slice of the store contract (store.contract.ts). PetitionsRepository: petitions to the district board. */
import type { PetitionRecord, Store } from '../store.port';
import { type StoreFactory, petitionRecord } from './fixtures.contract';

export function petitionsContract(open: StoreFactory): void {
  describe('petitions', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps petitions: compare-and-set status, scoped lists soonest deadline first', async () => {
      const text = {
        addressee: 'Demirözü İlçe Seçim Kurulu Başkanlığına',
        subject: 'İtiraz',
        body: 'ğüşıöçİ',
        figures: [{ label: 'Geçerli oy', ysk: 150, sheet: 140, difference: 10 }],
        evidence: [],
        requests: 'düzeltilmesini',
        place: 'Demirözü',
        signatureName: 'Av. Ayşe',
        signatureTitle: 'İlçe Hukuk Sorumlusu',
      };
      const petition = (id: string, deadline: string, over: Partial<PetitionRecord> = {}): PetitionRecord =>
        petitionRecord(id, '2024-03-31T20:00:00.000Z', { text, deadline, createdBy: 'hukuk681', ...over });
      const late = await store.createPetition(petition('p1', '2024-04-01T11:00:00.000Z'));
      await store.createPetition(petition('p2', '2024-04-01T09:00:00.000Z', { complaintId: 'c1' }));
      await store.createPetition(petition('p3', '2024-04-01T08:00:00.000Z', { province: 1, district: 650 }));
      expect(await store.petition('p1')).toEqual(late);
      expect(await store.petition('none')).toBeNull();
      const edited = await store.updatePetition('p1', 'draft', { text: { ...text, body: 'düzeltildi' }, updatedAt: '2024-03-31T20:10:00.000Z' });
      expect(edited).toEqual({ ...late, text: { ...text, body: 'düzeltildi' }, updatedAt: '2024-03-31T20:10:00.000Z' });
      const filed = await store.updatePetition('p2', 'draft', {
        status: 'filed',
        filedAt: '2024-03-31T21:00:00.000Z',
        filedBy: 'hukuk681',
        reference: '2024/15',
        updatedAt: '2024-03-31T21:00:00.000Z',
      });
      expect(filed).toMatchObject({ status: 'filed', filedBy: 'hukuk681', reference: '2024/15' });
      expect(await store.updatePetition('p2', 'draft', { status: 'withdrawn', updatedAt: '2024-03-31T21:01:00.000Z' })).toBeNull();
      expect((await store.petitions({})).map((p) => p.id)).toEqual(['p3', 'p2', 'p1']);
      expect((await store.petitions({ district: 681, statuses: ['draft'] })).map((p) => p.id)).toEqual(['p1']);
      expect((await store.petitions({ complaintId: 'c1' })).map((p) => p.id)).toEqual(['p2']);
      expect(await store.petitions({ statuses: [] })).toEqual([]);
    });
  });
}
