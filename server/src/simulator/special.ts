import { ABROAD_DISTRICT_BASE, ABROAD_PROVINCE, CUSTOMS_DISTRICT_BASE, SPECIAL_KIND_BALLOTS, type BallotCode } from '@gozcu/shared';
import type { Geography } from './geography';
import { hash01, Prng } from './prng';
import type { SimDistrict, SpecialUnit } from './world';

/**
 * Prison, customs and abroad boxes of a simulated general election, in realistic small
 * numbers: a prison with 1–3 boxes in about 40 % of the provinces (in their first district,
 * numbered after its ordinary boxes), a few customs gates in the border provinces simulated
 * (2–5 boxes, `sandik_RUMUZ` "G"), and foreign missions under the abroad pseudo-province (3–8
 * boxes as series "A", the larger missions a second series "B" with the same numbers).
 * Only ballot types 7, 8, 9 have them (SPECIAL_KIND_BALLOTS).
 */
export type SpecialKindName = SpecialUnit['kind'];
export const SPECIAL_KINDS: readonly SpecialKindName[] = ['prison', 'customs', 'abroad'];

/** Border gates and international airports with customs ballot boxes, by plate. */
const GATES: ReadonlyArray<readonly [number, number, string]> = [
  [22, 1, 'KAPIKULE GÜMRÜK KAPISI'],
  [22, 2, 'PAZARKULE GÜMRÜK KAPISI'],
  [22, 3, 'İPSALA GÜMRÜK KAPISI'],
  [39, 4, 'DEREKÖY GÜMRÜK KAPISI'],
  [8, 5, 'SARP GÜMRÜK KAPISI'],
  [31, 6, 'CİLVEGÖZÜ GÜMRÜK KAPISI'],
  [79, 7, 'ÖNCÜPINAR GÜMRÜK KAPISI'],
  [76, 8, 'DİLUCU GÜMRÜK KAPISI'],
  [4, 9, 'GÜRBULAK GÜMRÜK KAPISI'],
  [73, 10, 'HABUR GÜMRÜK KAPISI'],
  [34, 11, 'İSTANBUL HAVALİMANI'],
  [34, 12, 'SABİHA GÖKÇEN HAVALİMANI'],
  [6, 13, 'ESENBOĞA HAVALİMANI'],
  [35, 14, 'ADNAN MENDERES HAVALİMANI'],
  [7, 15, 'ANTALYA HAVALİMANI'],
];

/** Missions: [country id, country, mission id, mission]. */
const MISSIONS: ReadonlyArray<readonly [number, string, number, string]> = [
  [32, 'ALMANYA', 118, 'BERLİN BÜYÜKELÇİLİĞİ'],
  [32, 'ALMANYA', 119, 'KÖLN BAŞKONSOLOSLUĞU'],
  [32, 'ALMANYA', 120, 'MÜNİH BAŞKONSOLOSLUĞU'],
  [32, 'ALMANYA', 121, 'STUTTGART BAŞKONSOLOSLUĞU'],
  [41, 'FRANSA', 140, 'PARİS BÜYÜKELÇİLİĞİ'],
  [41, 'FRANSA', 141, 'LYON BAŞKONSOLOSLUĞU'],
  [55, 'HOLLANDA', 160, 'LAHEY BÜYÜKELÇİLİĞİ'],
  [55, 'HOLLANDA', 161, 'ROTTERDAM BAŞKONSOLOSLUĞU'],
  [12, 'AVUSTURYA', 170, 'VİYANA BÜYÜKELÇİLİĞİ'],
  [13, 'BELÇİKA', 175, 'BRÜKSEL BÜYÜKELÇİLİĞİ'],
  [73, 'İNGİLTERE', 180, 'LONDRA BAŞKONSOLOSLUĞU'],
  [1, 'AMERİKA BİRLEŞİK DEVLETLERİ', 190, 'NEW YORK BAŞKONSOLOSLUĞU'],
];

export interface SpecialOptions {
  geography: Geography;
  seed: number;
  ballots: readonly BallotCode[];
  /** which kinds to make (default all) */
  kinds?: readonly SpecialKindName[];
}

/** The special units of a world; their box indexes (`sim.boxBase`) follow the domestic ones. */
export function buildSpecialUnits(opts: SpecialOptions): SpecialUnit[] {
  const ballots = opts.ballots.filter((b) => SPECIAL_KIND_BALLOTS.includes(b));
  if (!ballots.length) return [];
  const kinds = new Set(opts.kinds ?? SPECIAL_KINDS);
  const units: SpecialUnit[] = [];
  let boxBase = opts.geography.boxCount;
  let unitId = 0;
  const add = (u: Omit<SpecialUnit, 'sim' | 'muhtarlikId' | 'ballots'> & { simPlate: number; boxNos: number[] }) => {
    unitId++;
    const muhtarlikId = 900_000 + unitId;
    const boxNos = Int32Array.from(u.boxNos);
    const sim: SimDistrict = {
      id: 9_000_000 + unitId,
      plate: u.simPlate,
      name: u.name,
      neighbourhoods: [{ id: muhtarlikId, name: u.name, minBox: u.boxNos[0]!, maxBox: u.boxNos[u.boxNos.length - 1]! }],
      boxNos,
      boxNeighbourhood: new Int32Array(boxNos.length),
      boxBase,
    };
    boxBase += boxNos.length;
    const { simPlate: _p, boxNos: _b, ...rest } = u;
    units.push({ ...rest, muhtarlikId, ballots, sim });
  };
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  if (kinds.has('prison')) {
    for (const province of opts.geography.provinces) {
      if (hash01(opts.seed, 71, province.plate) >= 0.4) continue;
      const district = opts.geography.districts.find((d) => d.plate === province.plate);
      if (!district) continue;
      const rng = new Prng(opts.seed * 31 + province.plate);
      const next = Math.max(...district.boxNos) + 1;
      add({
        kind: 'prison',
        name: `${province.name} E TİPİ KAPALI CEZA İNFAZ KURUMU`,
        plate: province.plate,
        ilceId: district.id,
        cezaeviId: 300 + province.plate,
        gumrukId: null,
        ulkeId: null,
        ulkeName: null,
        misyonId: null,
        misyonName: null,
        rumuz: null,
        place: { province: province.plate, district: district.id },
        simPlate: province.plate,
        boxNos: range(next, rng.int(1, 3)),
      });
    }
  }
  if (kinds.has('customs')) {
    const plates = new Set(opts.geography.provinces.map((p) => p.plate));
    for (const [plate, gate, name] of GATES) {
      if (!plates.has(plate)) continue;
      const rng = new Prng(opts.seed * 37 + gate);
      add({
        kind: 'customs',
        name,
        plate,
        ilceId: null,
        cezaeviId: null,
        gumrukId: gate,
        ulkeId: null,
        ulkeName: null,
        misyonId: null,
        misyonName: null,
        rumuz: 'G',
        place: { province: plate, district: CUSTOMS_DISTRICT_BASE + gate },
        simPlate: ABROAD_PROVINCE,
        boxNos: range(1, rng.int(2, 5)),
      });
    }
  }
  if (kinds.has('abroad')) {
    for (const [ulkeId, ulkeName, misyonId, misyonName] of MISSIONS) {
      const rng = new Prng(opts.seed * 41 + misyonId);
      const series: [string, number][] = [['A', rng.int(3, 8)]];
      if (rng.next() < 0.4) series.push(['B', rng.int(2, 4)]);
      for (const [rumuz, n] of series) {
        add({
          kind: 'abroad',
          name: `${misyonName} (${rumuz})`,
          plate: null,
          ilceId: null,
          cezaeviId: null,
          gumrukId: null,
          ulkeId,
          ulkeName,
          misyonId,
          misyonName,
          rumuz,
          place: { province: ABROAD_PROVINCE, district: ABROAD_DISTRICT_BASE + misyonId },
          simPlate: ABROAD_PROVINCE,
          boxNos: range(1, n),
        });
      }
    }
  }
  return units;
}

/** The units a call selects: its `sandikTuru`/`yurtIciDisi` (and, when given, province, district, unit ids). */
export function unitsOfCall(units: readonly SpecialUnit[], p: Record<string, string>): SpecialUnit[] {
  const int = (s: string | undefined) => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : undefined);
  const turu = int(p['sandikTuru']);
  const yurt = int(p['yurtIciDisi']);
  const kind =
    turu === 2 && (yurt === 1 || yurt === undefined)
      ? 'prison'
      : turu === 1 && yurt === 2
        ? 'customs'
        : turu === 3 && yurt === 2
          ? 'abroad'
          : turu === -1 && yurt === 2
            ? 'yurtdisi'
            : null;
  if (!kind) return [];
  const plate = int(p['ilId']);
  const ilce = int(p['ilceId']);
  const cezaevi = int(p['cezaeviId']);
  const gumruk = int(p['gumrukId']);
  const ulke = int(p['ulkeId']);
  const misyon = int(p['disTemsilcilikId']);
  return units.filter(
    (u) =>
      (kind === 'yurtdisi' ? u.kind !== 'prison' : u.kind === kind) &&
      (plate === undefined || u.plate === plate) &&
      (ilce === undefined || u.ilceId === ilce) &&
      (cezaevi === undefined || u.cezaeviId === cezaevi) &&
      (gumruk === undefined || u.gumrukId === gumruk) &&
      (ulke === undefined || u.ulkeId === ulke) &&
      (misyon === undefined || u.misyonId === misyon),
  );
}

/** The unit's `getMuhtarlikList` row (bounds as strings, as the real feed sends them). */
export function unitListRow(u: SpecialUnit): Record<string, unknown> {
  const h = u.sim.neighbourhoods[0]!;
  return {
    muhtarlik_ID: u.muhtarlikId,
    muhtarlik_ADI: u.name,
    min_SANDIK_NO: String(h.minBox),
    max_SANDIK_NO: String(h.maxBox),
    ilce_ID: u.ilceId,
    il_ID: u.plate,
    belde_ID: null,
    birim_ID: u.ilceId,
    cezaevi_ID: u.cezaeviId,
    cezaevi_ADI: u.kind === 'prison' ? u.name : null,
    gumruk_ID: u.gumrukId,
    gumruk_ADI: u.kind === 'customs' ? u.name : null,
    ulke_ID: u.ulkeId,
    ulke_ADI: u.ulkeName,
    dis_TEMSILCILIK_ID: u.misyonId,
    dis_TEMSILCILIK_ADI: u.misyonName,
    sandik_RUMUZ: u.rumuz,
  };
}

/** The ids of a unit's box rows. */
export function unitRowIds(u: SpecialUnit): Record<string, unknown> {
  return {
    il_ID: u.plate,
    ilce_ID: u.ilceId,
    muhtarlik_ID: u.muhtarlikId,
    muhtarlik_ADI: u.name,
    cezaevi_ID: u.cezaeviId,
    gumruk_ID: u.gumrukId,
    ulke_ID: u.ulkeId,
    dis_TEMSILCILIK_ID: u.misyonId,
    sandik_RUMUZ: u.rumuz,
    gumruk_SANDIK_TARIHI: null,
  };
}
