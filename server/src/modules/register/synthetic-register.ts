/**
 * A seeded synthetic voter register: no real person anywhere. Turkish first names and surnames
 * with skewed (Zipf-like) frequencies, an electorate's age pyramid, households of 1–6 voters
 * at street addresses of the box's neighbourhood, boxes of 220–320 voters, valid TC Kimlik No
 * check digits, and, when asked, exactly one planted anomaly of each kind per chosen district.
 * Nothing else trips the rules at their default thresholds: (name, birth year) is unique per
 * province (and at national size, with uniqueNames off, homonyms have common names: expected to
 * share birth years, not reported), the planted duplicate has a rare name, ages stay within 18–100 (newcomers of a second pass are 18), households are small, box sizes stay within 1.5× of each other.
 */
import { withTcCheckDigits, type RegisterAnomalyKind } from '@gozcu/shared';
import type { RawRow } from './register-import.service';

export interface RegisterGeoDistrict {
  province: number;
  district: number;
  neighbourhoods: { name: string; minBox: number; maxBox: number }[];
}

export interface PlantedAnomaly {
  kind: RegisterAnomalyKind;
  province: number;
  district: number;
  box: number;
}

export interface SyntheticVoter {
  tc: string;
  name: string;
  birth_year: number;
  address: string;
  province: number;
  district: number;
  box: number;
  neighbourhood: string;
  school: string;
}

export interface SyntheticRegisterOptions {
  seed: number;
  /** the year ages are reckoned in (the display period's) */
  year: number;
  /** districts that get one planted anomaly of each kind (each needs at least 6 boxes) */
  plantIn?: number[];
  /** keep (name, birth year) unique per province (a Set per province: off for national-size benches) */
  uniqueNames?: boolean;
  /** at most this many boxes per district (the demo's size knob) */
  maxBoxesPerDistrict?: number;
  /** a fixed box size instead of 220–320 (benches) */
  boxSize?: number;
}

const MALE = [
  'Mehmet',
  'Mustafa',
  'Ahmet',
  'Ali',
  'Hüseyin',
  'Hasan',
  'İbrahim',
  'İsmail',
  'Osman',
  'Yusuf',
  'Murat',
  'Ömer',
  'Ramazan',
  'Halil',
  'Süleyman',
  'Abdullah',
  'Mahmut',
  'Recep',
  'Salih',
  'Fatih',
  'Kadir',
  'Emre',
  'Hakan',
  'Adem',
  'Kemal',
  'Yaşar',
  'Bekir',
  'Musa',
  'Metin',
  'Serkan',
  'Orhan',
  'Burak',
  'Cengiz',
  'Uğur',
  'Erkan',
  'Sinan',
  'Volkan',
  'Gökhan',
  'Tuncay',
  'Şükrü',
  'Yunus',
  'Onur',
  'Cem',
  'Erdem',
  'Barış',
  'Tolga',
  'Kaan',
  'Efe',
  'Eren',
  'Berk',
];
const FEMALE = [
  'Fatma',
  'Ayşe',
  'Emine',
  'Hatice',
  'Zeynep',
  'Elif',
  'Meryem',
  'Şerife',
  'Zehra',
  'Sultan',
  'Hanife',
  'Merve',
  'Havva',
  'Zeliha',
  'Esra',
  'Fadime',
  'Özlem',
  'Hülya',
  'Yasemin',
  'Leyla',
  'Melek',
  'Gülsüm',
  'Songül',
  'Dilek',
  'Büşra',
  'Kübra',
  'Derya',
  'Sevgi',
  'Rukiye',
  'Hacer',
  'Filiz',
  'Gül',
  'Nurcan',
  'Tuğba',
  'Aynur',
  'Sibel',
  'Elif Naz',
  'Ebru',
  'Pınar',
  'Gamze',
  'Seda',
  'Cansu',
  'Buse',
  'Ecrin',
  'Nisa',
  'Defne',
  'Aslı',
  'İrem',
  'Sena',
  'Şule',
];
const SURNAMES = [
  'Yılmaz',
  'Kaya',
  'Demir',
  'Şahin',
  'Çelik',
  'Yıldız',
  'Yıldırım',
  'Öztürk',
  'Aydın',
  'Özdemir',
  'Arslan',
  'Doğan',
  'Kılıç',
  'Aslan',
  'Çetin',
  'Kara',
  'Koç',
  'Kurt',
  'Özkan',
  'Şimşek',
  'Polat',
  'Özcan',
  'Korkmaz',
  'Çakır',
  'Erdoğan',
  'Yavuz',
  'Can',
  'Acar',
  'Şen',
  'Aktaş',
  'Güler',
  'Yalçın',
  'Güneş',
  'Bozkurt',
  'Bulut',
  'Keskin',
  'Ünal',
  'Turan',
  'Gül',
  'Özer',
  'Işık',
  'Kaplan',
  'Avcı',
  'Sarı',
  'Tekin',
  'Taş',
  'Köse',
  'Yüksel',
  'Ateş',
  'Aksoy',
  'Çiftçi',
  'Kaçar',
  'Erdem',
  'Karaca',
  'Uçar',
  'Tunç',
  'Altun',
  'Demirci',
  'Duman',
  'Kalkan',
  'Karakaya',
  'Akın',
  'Toprak',
  'Bayram',
  'Oral',
  'Coşkun',
  'Sönmez',
  'Başaran',
  'Bilgin',
  'Kocabaş',
  'Uysal',
  'Ekinci',
  'Eren',
  'Akbulut',
  'Tatlı',
  'Gündoğdu',
  'Kahraman',
  'Savaş',
  'Karataş',
  'Önal',
];
/** Surnames none of the generated voters has: the planted duplicate's, so its name is rare (see REGISTER_DUPLICATE_MAX_EXPECTED). */
const RARE_SURNAMES = ['Dumlupınar', 'Sarıkamışlı', 'Ilgazoğlu', 'Munzuroğlu', 'Kaçkarlı', 'Erciyesli', 'Palandöken', 'Nemrutlu'];
const STREETS = [
  'Atatürk Caddesi',
  'Cumhuriyet Caddesi',
  'İstiklal Caddesi',
  'Gazi Caddesi',
  'Fevzi Çakmak Sokak',
  'Menderes Caddesi',
  'Barış Sokak',
  'Lale Sokak',
  'Gül Sokak',
  'Papatya Sokak',
  'Okul Sokak',
  'Cami Sokak',
  'Pınar Sokak',
  'Çınar Sokak',
  'Bahar Sokak',
];
const SCHOOLS = ['İlkokulu', 'Ortaokulu', 'Anadolu Lisesi', 'İmam Hatip Ortaokulu'];

/** mulberry32: small, fast, seeded. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf-like pick: index i with weight 1/(i+3). */
function zipfTable(n: number): Float64Array {
  const cum = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) cum[i] = s += 1 / (i + 3);
  for (let i = 0; i < n; i++) cum[i] /= s;
  return cum;
}
const pick = (cum: Float64Array, u: number) => {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
const MALE_Z = zipfTable(MALE.length);
const FEMALE_Z = zipfTable(FEMALE.length);
const SURNAME_Z = zipfTable(SURNAMES.length);

/** An electorate's ages 18–100: flat to 45, then thinning out. */
const AGE_CUM = (() => {
  const w: number[] = [];
  for (let age = 19; age <= 100; age++) w.push(age <= 45 ? 1 : age <= 65 ? 0.85 - (age - 45) * 0.02 : Math.max(0.005, 0.45 * Math.exp(-(age - 65) / 9)));
  const cum = new Float64Array(w.length);
  let s = 0;
  w.forEach((x, i) => (cum[i] = s += x));
  return cum.map((x) => x / s);
})();

const title = (s: string) => s.toLocaleLowerCase('tr-TR').replace(/(^|[\s(])(\p{L})/gu, (_m, sp: string, ch: string) => sp + ch.toLocaleUpperCase('tr-TR'));
/** `CUMHURİYET MAH. (ARPALI BELDESİ)` → `Cumhuriyet Mahallesi (Arpalı Beldesi)`: one "Mahallesi", wherever YSK put it. */
const hood = (name: string) => {
  const t = title(name)
    .replace(/\s+Mah(\.|allesi)?(?=\s|$|\()/u, ' Mahallesi')
    .trim();
  return /Mahallesi/u.test(t) ? t : `${t} Mahallesi`;
};

/** 9-digit TC prefixes in a scrambled but unique order (an affine permutation of 10^8…10^9−1). */
const SPAN = 899_999_999;
const MULT = 387_420_489; // 3^18, coprime with SPAN (checked below)
function gcd(a: number, b: number): number {
  return b ? gcd(b, a % b) : a;
}
if (gcd(MULT, SPAN) !== 1) throw new Error('synthetic register: TC permutation multiplier is not coprime');
function tcOf(i: number, offset: number): string {
  const v = Number((BigInt(i + offset) * BigInt(MULT)) % BigInt(SPAN));
  return withTcCheckDigits(String(100_000_000 + v));
}

export interface SyntheticRegister {
  /** the register's rows; pass 2 is the same register re-sent with a few new voters per box (and the planted influx) */
  rows(pass: 1 | 2): Generator<SyntheticVoter>;
  planted: PlantedAnomaly[];
  /** how many rows each pass has (computed by a dry run of the box sizes) */
  size(pass: 1 | 2): number;
}

interface BoxPlan {
  province: number;
  district: number;
  box: number;
  neighbourhood: string;
  school: string;
  voters: number;
  /** new voters in pass 2 */
  fresh: number;
  plant: RegisterAnomalyKind | null;
}

export function syntheticRegister(geo: RegisterGeoDistrict[], opts: SyntheticRegisterOptions): SyntheticRegister {
  const plantIn = new Set(opts.plantIn ?? []);
  const planted: PlantedAnomaly[] = [];
  const plans: BoxPlan[] = [];
  const r = rng(opts.seed ^ 0x5eed);
  const PLANT_ORDER: RegisterAnomalyKind[] = ['address_crowded', 'implausible_age', 'duplicate_person', 'influx', 'box_oversized'];
  for (const d of geo) {
    const boxes: { box: number; neighbourhood: string; school: string }[] = [];
    for (const n of d.neighbourhoods) {
      for (let b = n.minBox; b <= n.maxBox; b++)
        boxes.push({
          box: b,
          neighbourhood: n.name,
          school: `${title(n.name)
            .replace(/\s+Mah(\.|allesi)?(?=\s|$|\()/u, '')
            .replace(/\s*\(.*\)$/u, '')} ${SCHOOLS[Math.floor((b - n.minBox) / 4) % SCHOOLS.length]}`,
        });
    }
    boxes.sort((a, b) => a.box - b.box);
    const used = opts.maxBoxesPerDistrict ? boxes.slice(0, opts.maxBoxesPerDistrict) : boxes;
    const plant = plantIn.has(d.district) && used.length >= 7;
    used.forEach((b, i) => {
      // the duplicate takes two boxes (its first registration in box i, the second in box i+1)
      const kind = plant ? (i < 3 ? PLANT_ORDER[i] : i === 3 ? null : i <= 5 ? PLANT_ORDER[i - 1] : null) : null;
      // the influx box has 240 voters before its 60 newcomers: +25 % (over REGISTER_INFLUX_RATIO) yet 300 in all (under 1.5 × any median)
      const voters = opts.boxSize ?? 220 + Math.floor(r() * 101);
      plans.push({
        province: d.province,
        district: d.district,
        ...b,
        voters: kind === 'box_oversized' ? 520 : kind === 'influx' ? 240 : voters,
        fresh: kind === 'influx' ? 60 : Math.floor(r() * 4),
        plant: kind,
      });
      if (kind) planted.push({ kind, province: d.province, district: d.district, box: b.box });
    });
  }

  const size = (pass: 1 | 2) => plans.reduce((n, p) => n + p.voters + (pass === 2 ? p.fresh : 0), 0);

  function* rows(pass: 1 | 2): Generator<SyntheticVoter> {
    // pass-1 voters draw from `rand` and are 19–100; pass-2 newcomers from `freshRand`, all 18:
    // so pass 2 re-sends every pass-1 voter exactly as before, and the two never share (name, year)
    const rand = rng(opts.seed);
    const freshRand = rng(opts.seed ^ 0xf7e5);
    const seen = new Map<number, Set<string>>();
    let index = 0;
    let freshIndex = 0;
    let street = 0;
    let freshStreet = 0;
    let dupIndex = 0;
    const person = (p: BoxPlan, draw: () => number, ageFixed?: number): { name: string; birth_year: number } => {
      const taken = opts.uniqueNames === false ? null : (seen.get(p.province) ?? seen.set(p.province, new Set()).get(p.province)!);
      for (let attempt = 0; ; attempt++) {
        const female = draw() < 0.5;
        let first = female ? FEMALE[pick(FEMALE_Z, draw())] : MALE[pick(MALE_Z, draw())];
        if (attempt > 3) first += ` ${female ? FEMALE[Math.floor(draw() * FEMALE.length)] : MALE[Math.floor(draw() * MALE.length)]}`;
        if (attempt > 8) first += ` ${MALE[Math.floor(draw() * MALE.length)]}`;
        const name = `${first} ${SURNAMES[pick(SURNAME_Z, draw())]}`;
        const birth_year = ageFixed !== undefined ? opts.year - ageFixed : opts.year - (19 + pick(AGE_CUM, draw()));
        const key = `${name.toLocaleLowerCase('tr-TR')}|${birth_year}`;
        if (!taken || !taken.has(key)) {
          taken?.add(key);
          return { name, birth_year };
        }
      }
    };
    const addressOf = (p: BoxPlan, n: number, fresh: boolean) =>
      fresh
        ? `${hood(p.neighbourhood)} Yeni Yerleşim Sokak No: ${1 + (n % 180)} Daire: ${1 + Math.floor(n / 180)}`
        : `${hood(p.neighbourhood)} ${STREETS[n % STREETS.length]} No: ${1 + (Math.floor(n / STREETS.length) % 180)} Daire: ${1 + Math.floor(n / (STREETS.length * 180))}`;
    for (let at = 0; at < plans.length; at++) {
      const p = plans[at];
      const total = p.voters + (pass === 2 ? p.fresh : 0);
      const boxRand = rng(opts.seed ^ (p.district * 7919 + p.box));
      let inHousehold = 0;
      let household = 0;
      let address = '';
      let first: SyntheticVoter | null = null;
      for (let v = 0; v < total; v++) {
        const fresh = v >= p.voters;
        if (inHousehold >= household || v === p.voters) {
          address = fresh ? addressOf(p, freshStreet++, true) : addressOf(p, street++, false);
          inHousehold = 0;
          household = p.plant === 'address_crowded' && v === 0 ? 40 : 1 + Math.floor(boxRand() * 6);
        }
        inHousehold++;
        let who = fresh ? person(p, freshRand, 18) : person(p, rand, p.plant === 'implausible_age' && v < 2 ? 128 + v * 3 : undefined);
        // the planted duplicate is a rare name (a surname nobody else has, two given names): a
        // common one shares its birth year with other people by chance, and is not reported
        if (p.plant === 'duplicate_person' && v === 0) {
          const given = who.name.split(' ')[0];
          const second = (FEMALE.includes(given) ? FEMALE : MALE)[Math.floor(dupIndex / RARE_SURNAMES.length) % MALE.length];
          who = { ...who, name: `${given} ${second} ${RARE_SURNAMES[dupIndex % RARE_SURNAMES.length]}` };
          dupIndex++;
        }
        const tc = fresh ? tcOf(500_000_000 + freshIndex++, opts.seed % 1000) : tcOf(index++, opts.seed % 1000);
        const voter: SyntheticVoter = {
          tc,
          ...who,
          address,
          province: p.province,
          district: p.district,
          box: p.box,
          neighbourhood: p.neighbourhood,
          school: p.school,
        };
        if (v === 0) first = voter;
        yield voter;
      }
      // the planted duplicate: the box's first voter again, under another TC, in the next box
      if (p.plant === 'duplicate_person' && first) {
        const next = plans[at + 1];
        yield {
          ...first,
          tc: tcOf(800_000_000 + at, opts.seed % 1000),
          address: addressOf(next, street++, false),
          box: next.box,
          neighbourhood: next.neighbourhood,
          school: next.school,
        };
      }
    }
  }

  return { rows, planted, size: (pass) => size(pass) + planted.filter((a) => a.kind === 'duplicate_person').length };
}

/** As import rows. */
export function* asRows(voters: Iterable<SyntheticVoter>): Generator<RawRow> {
  for (const v of voters) yield v as unknown as RawRow;
}
