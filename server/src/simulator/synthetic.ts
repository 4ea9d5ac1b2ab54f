import { ABROAD_PROVINCE, bagimsizColumn, CHANGE_REASONS, ittifakColumn, partiColumn, type BallotCode } from '@gozcu/shared';
import { nightFractionAt, NIGHT_MS } from './curve';
import type { Geography } from './geography';
import { hash01, hash32, Prng } from './prng';
import { buildSpecialUnits, type SpecialKindName } from './special';
import {
  ballotsForProvince,
  type SimColumnRow,
  type SimDistrict,
  type SimProvince,
  type SimSheet,
  type SimVersion,
  type SimWorld,
  type SpecialUnit,
} from './world';

/** Parties with a rough national weight (2024 local election order of magnitude). */
const PARTIES: ReadonlyArray<readonly [string, number]> = [
  ['CHP', 37],
  ['AK PARTİ', 35],
  ['YENİDEN REFAH', 6],
  ['DEM PARTİ', 5.7],
  ['MHP', 5],
  ['İYİ PARTİ', 3.8],
  ['ZAFER', 1.7],
  ['BBP', 1],
  ['SAADET', 1],
  ['HÜDA PAR', 0.5],
  ['DSP', 0.5],
  ['TİP', 0.5],
  ['DP', 0.4],
  ['MEMLEKET', 0.2],
  ['EMEP', 0.2],
  ['GELECEK', 0.2],
  ['DEVA', 0.2],
  ['BTP', 0.15],
  ['SOL PARTİ', 0.1],
  ['VATAN', 0.1],
  ['ANAP', 0.08],
  ['ADALET', 0.06],
  ['MİLLİ YOL', 0.05],
  ['HAK-PAR', 0.04],
];
const FIRST = ['AHMET', 'MEHMET', 'AYŞE', 'FATMA', 'MUSTAFA', 'EMİNE', 'ALİ', 'HATİCE', 'HÜSEYİN', 'ZEYNEP', 'İBRAHİM', 'ELİF'];
const LAST = ['YILMAZ', 'KAYA', 'DEMİR', 'ŞAHİN', 'ÇELİK', 'YILDIZ', 'ÖZTÜRK', 'AYDIN', 'ARSLAN', 'DOĞAN', 'KILIÇ', 'KOÇ'];
const ALLIANCES = ['CUMHUR İTTİFAKI', 'MİLLET İTTİFAKI', 'EMEK VE ÖZGÜRLÜK İTTİFAKI'];
const PRESIDENTIAL = ['RECEP TAYYİP ERDOĞAN', 'MUHARREM İNCE', 'KEMAL KILIÇDAROĞLU', 'SİNAN OĞAN'];
/** `degisiklik_NEDENI` codes of revisions (the label table is shared: CHANGE_REASONS). */
const REASON_CODES = Object.keys(CHANGE_REASONS).map(Number);
/** Share of revisions YSK publishes without a change code (figures changed, degisiklik_NEDENI 0). */
const UNEXPLAINED = 0.15;

/** How many parties each ballot lists, and how many independents it may carry. */
const BALLOT_SHAPE: Record<BallotCode, { parties: number; independents: [number, number]; alliances: number; candidates?: readonly string[] }> = {
  2: { parties: 14, independents: [0, 3], alliances: 0 },
  3: { parties: 22, independents: [0, 0], alliances: 0 },
  4: { parties: 18, independents: [0, 0], alliances: 0 },
  6: { parties: 16, independents: [0, 4], alliances: 0 },
  7: { parties: 0, independents: [0, 0], alliances: 0, candidates: ['EVET', 'HAYIR'] },
  8: { parties: 24, independents: [0, 5], alliances: 3 },
  9: { parties: 0, independents: [0, 0], alliances: 0, candidates: PRESIDENTIAL },
};

interface Contestant {
  sira: number;
  name: string;
  column: string;
  weight: number;
  kind: 'parti' | 'bagimsiz' | 'ittifak';
}

export interface SyntheticWorldOptions {
  geography: Geography;
  seed: number;
  electionId: string;
  ballots: readonly BallotCode[];
  nightStart: number;
  nightMs?: number;
  /** Share of box results revised after publication (default 0.02). */
  revisionRate?: number;
  /**
   * Share of the revised box results that YSK revised before ever publishing them (default 0.1):
   * their first version is never served, the first one served is already a revision.
   */
  preFetchRevisionShare?: number;
  /** prison, customs and abroad boxes to make (general elections only; default all) */
  specialKinds?: readonly SpecialKindName[];
}

export class SyntheticWorld implements SimWorld {
  readonly electionId: string;
  readonly ballots: readonly BallotCode[];
  readonly nightStart: number;
  readonly nightMs: number;
  readonly provinces: readonly SimProvince[];
  readonly boxCount: number;
  private readonly seed: number;
  private readonly revisionRate: number;
  private readonly preFetchShare: number;
  /** YSK's `versiyon` of a first publication in this election, on the real feed's scale (e.g. 2671) */
  readonly versiyonBase: number;
  private readonly special: SpecialUnit[];
  private readonly byPlate = new Map<number, SimDistrict[]>();
  private readonly byId = new Map<number, SimDistrict>();
  private readonly contestants = new Map<string, Contestant[]>();

  constructor(opts: SyntheticWorldOptions) {
    this.seed = opts.seed >>> 0;
    this.electionId = opts.electionId;
    this.ballots = opts.ballots;
    this.nightStart = opts.nightStart;
    this.nightMs = opts.nightMs ?? NIGHT_MS;
    this.revisionRate = opts.revisionRate ?? 0.02;
    this.preFetchShare = opts.preFetchRevisionShare ?? 0.1;
    this.versiyonBase = 1000 + (hash32(this.seed, 61) % 2000);
    this.special = buildSpecialUnits({ geography: opts.geography, seed: this.seed, ballots: opts.ballots, kinds: opts.specialKinds });
    this.provinces = opts.geography.provinces;
    this.boxCount = opts.geography.boxCount;
    for (const d of opts.geography.districts) {
      const list = this.byPlate.get(d.plate) ?? [];
      list.push(d);
      this.byPlate.set(d.plate, list);
      this.byId.set(d.id, d);
    }
  }

  districtsOf(plate: number): readonly SimDistrict[] {
    return this.byPlate.get(plate) ?? [];
  }
  district(id: number): SimDistrict | undefined {
    return this.byId.get(id);
  }
  ballotsOf(plate: number): readonly BallotCode[] {
    if (plate === ABROAD_PROVINCE) return this.special.find((u) => u.sim.plate === ABROAD_PROVINCE)?.ballots ?? [];
    return this.byPlate.has(plate) ? ballotsForProvince(this.ballots, plate) : [];
  }

  specialUnits(): readonly SpecialUnit[] {
    return this.special;
  }

  /** The ballot of a province: ballot order (sira_NO) shuffled against the column numbers. */
  private contestantsOf(ballot: BallotCode, plate: number): Contestant[] {
    const key = `${ballot}:${plate}`;
    const cached = this.contestants.get(key);
    if (cached) return cached;
    const shape = BALLOT_SHAPE[ballot];
    // Column numbers are fixed per ballot for the whole election, ballot order per ballot too.
    const national = new Prng(hash32(this.seed, 11, ballot));
    const partyColumns = national.shuffle(Array.from({ length: 39 }, (_, i) => i + 1));
    const ballotOrder = national.shuffle(PARTIES.slice(0, shape.parties).map((p, i) => i));
    const local = new Prng(hash32(this.seed, 12, ballot, plate));
    const list: Contestant[] = [];
    let sira = 1;
    for (const p of ballotOrder) {
      const [name, weight] = PARTIES[p]!;
      list.push({ sira: sira++, name, column: partiColumn(partyColumns[p]!), weight: weight * Math.exp(local.normal(0, 0.5)), kind: 'parti' });
    }
    for (let a = 0; a < shape.alliances; a++) {
      list.push({ sira: sira++, name: ALLIANCES[a]!, column: ittifakColumn(a + 1), weight: 0.8, kind: 'ittifak' });
    }
    const candidates = shape.candidates ?? [];
    candidates.forEach((name, i) => {
      list.push({ sira: sira++, name, column: bagimsizColumn(i + 1), weight: (100 / (i + 1.2)) * Math.exp(local.normal(0, 0.3)), kind: 'bagimsiz' });
    });
    // the abroad ballot lists parties (or the candidates) only
    const independents = plate === ABROAD_PROVINCE ? 0 : local.int(shape.independents[0], shape.independents[1]);
    for (let i = 0; i < independents; i++) {
      const name = `${local.pick(FIRST)} ${local.pick(LAST)}`;
      list.push({ sira: sira++, name, column: bagimsizColumn(candidates.length + i + 1), weight: 0.3 + local.next() * 2, kind: 'bagimsiz' });
    }
    this.contestants.set(key, list);
    return list;
  }

  columnMap(ballot: BallotCode, plate: number, individualIndependents: boolean): SimColumnRow[] {
    if (!this.ballotsOf(plate).includes(ballot)) return [];
    const list = this.contestantsOf(ballot, plate);
    const rows: SimColumnRow[] = [];
    const hasParties = list.some((c) => c.kind === 'parti');
    // A withdrawn applicant: sira_NO 0, sharing the spare column.
    if (hasParties) rows.push({ sira_NO: 0, ad: 'ÇEKİLEN ADAY', column_NAME: partiColumn(40) });
    for (const c of list) {
      if (c.kind === 'bagimsiz' && !individualIndependents && !BALLOT_SHAPE[ballot].candidates) continue;
      rows.push({ sira_NO: c.sira, ad: c.name, column_NAME: c.column });
    }
    if (hasParties && list.some((c) => c.kind === 'bagimsiz')) {
      rows.push({ sira_NO: 999, ad: 'BAĞIMSIZ TOPLAM OY', column_NAME: 'bagimsiz_TOPLAM_OY' });
    }
    return rows;
  }

  /** Registered voters and turnout of a box (shared by its ballots). */
  private boxBasics(index: number): { registered: number; voted: number } {
    const rng = new Prng(hash32(this.seed, 21, index));
    const kind = rng.next();
    let registered: number;
    if (kind < 0.03) registered = rng.int(5, 25);
    else if (kind < 0.15) registered = rng.int(25, 180);
    else registered = Math.round(Math.min(400, Math.max(180, rng.normal(318, 42))));
    let voted = Math.round(registered * Math.min(0.97, Math.max(0.45, rng.normal(0.83, 0.06))));
    if (rng.next() < 0.01) voted = registered + rng.int(1, 3); // officials voting with a certificate
    return { registered, voted };
  }

  private sheetV1(district: SimDistrict, k: number, ballot: BallotCode, salt = 0): SimSheet {
    const index = district.boxBase + k;
    const { registered, voted } = this.boxBasics(index);
    const rng = new Prng(hash32(this.seed, 31 + salt, index, ballot));
    const invalidRate = (ballot === 3 || ballot === 4 ? 0.045 : 0.025) * Math.exp(rng.normal(0, 0.4));
    const invalid = Math.min(voted, Math.round(voted * invalidRate));
    const valid = voted - invalid;
    const validAfterObjection = rng.next() < 0.05 ? Math.min(valid, rng.int(1, 3)) : 0;
    const list = this.contestantsOf(ballot, district.plate);
    const weights = list.map((c) => c.weight * Math.exp(rng.normal(0, 0.35)));
    const total = weights.reduce((a, b) => a + b, 0);
    const exact = weights.map((w) => (valid * w) / total);
    const votes = exact.map(Math.floor);
    let rest = valid - votes.reduce((a, b) => a + b, 0);
    const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
    for (let j = 0; rest > 0; j++, rest--) votes[order[j % order.length]![1]]!++;
    if (rng.next() < 0.001) {
      // Σ votes short of the valid total by 1–21: a keying slip YSK lets through.
      const top = votes.indexOf(Math.max(...votes));
      votes[top] = Math.max(0, votes[top]! - rng.int(1, 21));
    }
    const byColumn: Record<string, number> = {};
    list.forEach((c, i) => (byColumn[c.column] = votes[i]!));
    return { registered, voted, validUncontested: valid - validAfterObjection, validAfterObjection, valid, invalid, votes: byColumn };
  }

  versions(district: SimDistrict, k: number, ballot: BallotCode): SimVersion[] {
    const index = district.boxBase + k;
    const quantile = hash01(this.seed, 41, index);
    const first = this.nightStart + Math.round((nightFractionAt(quantile) + hash01(this.seed, 42, index, ballot) * 0.01) * this.nightMs);
    const out: SimVersion[] = [{ versiyon: this.versiyonBase, at: first, reason: 0, sheet: this.sheetV1(district, k, ballot) }];
    const r = hash01(this.seed, 43, index, ballot);
    const revisions = r < this.revisionRate * 0.15 ? 2 : r < this.revisionRate ? 1 : 0;
    const rng = new Prng(hash32(this.seed, 44, index, ballot));
    // revised inside YSK before it was ever published: the first version is never served
    const beforePublished = revisions > 0 && hash01(this.seed, 45, index, ballot) < this.preFetchShare;
    if (beforePublished) out[0]!.hidden = true;
    for (let v = 0; v < revisions; v++) {
      const prev = out[out.length - 1]!;
      const gap = v === 0 && beforePublished ? (0.001 + rng.next() * 0.01) * this.nightMs : (0.05 + rng.next() * 1.2) * this.nightMs;
      const reason = rng.next() < UNEXPLAINED ? 0 : rng.pick(REASON_CODES);
      out.push({ versiyon: prev.versiyon + 1, at: prev.at + Math.round(gap), reason, sheet: revise(prev.sheet, rng) });
    }
    return out;
  }

  testSheet(district: SimDistrict, k: number, ballot: BallotCode): SimSheet {
    return this.sheetV1(district, k, ballot, 1000);
  }
}

/** A recount: some invalid votes become valid for one contestant, or votes move between two. */
function revise(sheet: SimSheet, rng: Prng): SimSheet {
  const votes = { ...sheet.votes };
  const columns = Object.keys(votes);
  const next = { ...sheet, votes };
  if (columns.length === 0) return next;
  if (sheet.invalid > 0 && rng.next() < 0.6) {
    const n = rng.int(1, Math.min(sheet.invalid, 12));
    const to = rng.pick(columns);
    votes[to] = votes[to]! + n;
    next.invalid -= n;
    next.valid += n;
    next.validAfterObjection += n;
  } else {
    const from = columns.reduce((a, b) => (votes[a]! >= votes[b]! ? a : b));
    const to = rng.pick(columns.filter((c) => c !== from).concat(from));
    const n = Math.min(votes[from]!, rng.int(1, 15));
    votes[from] = votes[from]! - n;
    votes[to] = votes[to]! + n;
  }
  return next;
}
