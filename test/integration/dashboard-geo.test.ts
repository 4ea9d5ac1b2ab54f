import * as fs from 'node:fs';
import * as path from 'node:path';
import { plateForMapName, provinceGeometries, type TopoGeometry } from '../../dashboard/src/lib/geo';
import { mapRows, metricDomain } from '../../dashboard/src/lib/map-data';
import { PLATES, PROVINCE_NAMES, provinceName } from '../../dashboard/src/lib/provinces';

const topoPath = path.join(__dirname, '../../dashboard/src/geo/tr-provinces.topo.json');

describe('dashboard province map names', () => {
  test('81 provinces with unique plate codes and names', () => {
    expect(PLATES).toHaveLength(81);
    expect(new Set(Object.values(PROVINCE_NAMES)).size).toBe(81);
    expect(provinceName(34)).toBe('İstanbul');
    expect(provinceName(99)).toBe('#99');
  });

  test('the three misspellings map by hand; Turkish letters fold', () => {
    expect(plateForMapName('K. Maras')).toBe(46);
    expect(plateForMapName('Zinguldak')).toBe(67);
    expect(plateForMapName('Kinkkale')).toBe(71);
    expect(plateForMapName('Istanbul')).toBe(34);
    expect(plateForMapName('Iğdir')).toBe(76);
    expect(plateForMapName('Sanliurfa')).toBe(63);
    expect(plateForMapName('Çankiri')).toBe(18);
    expect(plateForMapName(null)).toBeNull();
    expect(plateForMapName('Atlantis')).toBeNull();
  });

  test('every named geometry of the TopoJSON matches one province; the islet is dropped', () => {
    const topo = JSON.parse(fs.readFileSync(topoPath, 'utf8')) as { objects: { tur: { geometries: TopoGeometry[] } } };
    const geoms = topo.objects.tur.geometries;
    expect(geoms).toHaveLength(82);
    const unmatched = geoms.filter((g) => g.properties?.name && plateForMapName(g.properties.name) == null).map((g) => g.properties?.name);
    expect(unmatched).toEqual([]);
    const kept = provinceGeometries(geoms);
    expect(kept).toHaveLength(81);
    expect(new Set(kept.map((g) => g.properties.plate))).toEqual(new Set(PLATES));
    expect(kept.find((g) => g.properties.plate === 46)?.properties.name).toBe('Kahramanmaraş');
  });

  test('map rows cover all 81 provinces; no data stays null', () => {
    const c = {
      total: 200,
      yskPublished: 50,
      entered: 20,
      match: 10,
      mismatch: 7,
      yskOnly: 30,
      orgOnly: 0,
      stale: 2,
      altered: 1,
      conflicting: 0,
      unconfirmed: 0,
    };
    const rows = mapRows({ '36': c, '06': { ...c, mismatch: 3 } }, 'yskCoverage');
    expect(rows).toHaveLength(81);
    expect(rows.find((r) => r.plate === 36)?.value).toBe(0.25);
    expect(rows.find((r) => r.plate === 6)?.value).toBe(0.25);
    expect(rows.find((r) => r.plate === 1)?.value).toBeNull();
    expect(metricDomain(rows, 'yskCoverage')).toEqual({ min: 0, max: 1 });
    const mm = mapRows({ '36': c }, 'mismatch');
    expect(mm.find((r) => r.plate === 36)?.value).toBe(7);
    expect(metricDomain(mm, 'mismatch')).toEqual({ min: 0, max: 7 });
    expect(metricDomain(mapRows({}, 'pending'), 'pending')).toEqual({ min: 0, max: 1 });
  });
});
