import { districtCatalog, linkDistricts, provinceCatalog } from './reference.service';

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
    [69, 'Bayburt', [{ yskId: 681, name: 'DEMİRÖZÜ' }, { yskId: 173, name: 'BAYBURT' }, { yskId: 1787, name: 'AYDINTEPE' }], ['Demirözü', 'Merkez', 'Aydıntepe'], []],
    [1, 'Adana', [{ yskId: 4, name: 'SEYHAN' }, { yskId: 650, name: 'ALADAĞ' }, { yskId: 9999, name: 'ESKİ İLÇE' }], ['Seyhan', 'Aladağ', 'Eski İlçe'], [9999]],
  ])('links YSK districts of %i (%s) by folded name', (plate, name, rows, names, unmatchedIds) => {
    const { linked, unmatched } = linkDistricts(plate, name, rows, districtCatalog().get(plate)!);
    expect(linked.map((d) => d.name)).toEqual(names);
    expect(linked.map((d) => d.yskId)).toEqual(rows.map((r) => r.yskId));
    expect(linked.every((d) => d.province === plate)).toBe(true);
    expect(unmatched.map((u) => u.yskId)).toEqual(unmatchedIds);
  });
});
