/* A slice of the store contract (store.contract.ts). GeographyRepository: provinces, districts, neighbourhoods. */
import type { Store } from '../store.port';
import { type StoreFactory } from './fixtures.contract';

export function geographyContract(open: StoreFactory): void {
  describe('geography', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps reference data, upserting by id', async () => {
      await store.upsertProvinces([
        { plate: 69, name: 'Bayburt' },
        { plate: 6, name: 'Ankara' },
      ]);
      await store.upsertProvinces([{ plate: 69, name: 'BAYBURT' }]);
      expect(await store.provinces()).toEqual([
        { plate: 6, name: 'Ankara' },
        { plate: 69, name: 'BAYBURT' },
      ]);
      await store.upsertDistricts([
        { yskId: 681, province: 69, name: 'Demirözü' },
        { yskId: 1, province: 6, name: 'Çankaya' },
      ]);
      expect(await store.districts(69)).toEqual([{ yskId: 681, province: 69, name: 'Demirözü' }]);
      expect(await store.districts()).toHaveLength(2);
      await store.upsertNeighbourhoods([{ yskId: 115793, district: 681, province: 69, name: 'KARŞIYAKA', minBox: 1008, maxBox: 1009 }]);
      expect(await store.neighbourhoods(681)).toEqual([{ yskId: 115793, district: 681, province: 69, name: 'KARŞIYAKA', minBox: 1008, maxBox: 1009 }]);
    });
  });
}
