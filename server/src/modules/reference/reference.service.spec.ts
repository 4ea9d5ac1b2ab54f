import type { Province } from '@gozcu/shared';
import type { Store } from '../store/store.port';
import { districtCatalog, linkDistricts, provinceCatalog, ReferenceService } from './reference.service';

describe('reference data', () => {
  it('has the 81 provinces with plate codes and 973 districts', () => {
    const provinces = provinceCatalog();
    expect(provinces).toHaveLength(81);
    expect(provinces.map((p) => p.plate)).toEqual(Array.from({ length: 81 }, (_, i) => i + 1));
    expect(provinces.find((p) => p.plate === 34)?.name).toBe('İstanbul');
    const districts = districtCatalog();
    expect([...districts.values()].reduce((n, d) => n + d.length, 0)).toBe(973);
  });

  it.each([
    [
      69,
      'Bayburt',
      [
        { yskId: 681, name: 'DEMİRÖZÜ' },
        { yskId: 173, name: 'BAYBURT' },
        { yskId: 1787, name: 'AYDINTEPE' },
      ],
      ['Demirözü', 'Merkez', 'Aydıntepe'],
      [],
    ],
    [
      1,
      'Adana',
      [
        { yskId: 4, name: 'SEYHAN' },
        { yskId: 650, name: 'ALADAĞ' },
        { yskId: 9999, name: 'ESKİ İLÇE' },
      ],
      ['Seyhan', 'Aladağ', 'Eski İlçe'],
      [9999],
    ],
  ])('links YSK districts of %i (%s) by folded name', (plate, name, rows, names, unmatchedIds) => {
    const { linked, unmatched } = linkDistricts(plate, name, rows, districtCatalog().get(plate)!);
    expect(linked.map((d) => d.name)).toEqual(names);
    expect(linked.map((d) => d.yskId)).toEqual(rows.map((r) => r.yskId));
    expect(linked.every((d) => d.province === plate)).toBe(true);
    expect(unmatched.map((u) => u.yskId)).toEqual(unmatchedIds);
  });
});

describe('ReferenceService at boot', () => {
  const fakeStore = (stored: Province[]) => {
    const writes: Province[][] = [];
    const store = {
      provinces: async () => stored.map((p) => ({ ...p })),
      upsertProvinces: async (rows: Province[]) => {
        writes.push(rows);
        for (const r of rows) {
          const i = stored.findIndex((p) => p.plate === r.plate);
          if (i >= 0) stored[i] = r;
          else stored.push(r);
        }
      },
    };
    return { store: store as unknown as Store, writes, stored };
  };

  it('fills an empty store with the 81 provinces, and a second boot writes nothing', async () => {
    const { store, writes, stored } = fakeStore([]);
    await new ReferenceService(store).onModuleInit();
    expect(writes).toHaveLength(1);
    expect(stored).toHaveLength(81);
    await new ReferenceService(store).onModuleInit();
    expect(writes).toHaveLength(1);
  });

  it('writes only the provinces the store lacks or names otherwise', async () => {
    const catalog = provinceCatalog();
    const { store, writes, stored } = fakeStore(catalog.filter((p) => p.plate !== 34).map((p) => (p.plate === 69 ? { plate: 69, name: 'BAYBURT' } : p)));
    await new ReferenceService(store).onModuleInit();
    expect(writes).toEqual([[catalog.find((p) => p.plate === 34), catalog.find((p) => p.plate === 69)]]);
    expect(stored.find((p) => p.plate === 69)?.name).toBe('Bayburt');
  });
});
