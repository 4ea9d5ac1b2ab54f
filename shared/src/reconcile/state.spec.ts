import type { BoxCounters, Scope } from '../api/contracts';
import type { BallotCode } from '../domain/ballot';
import { BOX_KINDS, boxKey, type BoxKind, type BoxRef, type Entry, type SheetVersion } from '../domain/box';
import type { Sheet } from '../domain/sheet';
import { reconcileBox } from './reconcile-box';
import type { ListHeads } from '../api/live';
import { LIST_SORTS, ReconciliationState } from './state';
import type { BoxReconciliation } from './types';
import { VersionBaseline } from './version-baseline';

const STALE_MS = 30 * 60_000;
const T0 = Date.parse('2024-03-31T17:00:00.000Z');

/** A tiny seeded PRNG so a failing sequence can be replayed. */
function prng(seed: number) {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

interface Log {
  ref: BoxRef;
  kind: BoxKind;
  versions: SheetVersion[];
  entries: Entry[];
}

/** Abroad boxes (rumuz, pseudo-province) and one prison box per domestic place. */
function kindOf(ref: BoxRef): BoxKind {
  if (ref.province === 99) return 'abroad';
  return ref.boxNo === 1004 ? 'prison' : 'domestic';
}

const zeroCounters = (): BoxCounters => ({
  total: 0,
  yskPublished: 0,
  entered: 0,
  match: 0,
  mismatch: 0,
  yskOnly: 0,
  orgOnly: 0,
  stale: 0,
  altered: 0,
  conflicting: 0,
  unconfirmed: 0,
});

/** The naive model: every box's full history, reconciled from scratch by `reconcileBox`. */
class Naive {
  readonly logs = new Map<string, Log>();
  constructor(readonly confirmations = 1) {}
  log(ref: BoxRef): Log {
    const key = boxKey(ref);
    let log = this.logs.get(key);
    // what the state knows before YSK or registration says: only where the box sits
    if (!log) this.logs.set(key, (log = { ref, kind: ref.province === 99 ? 'abroad' : 'domestic', versions: [], entries: [] }));
    return log;
  }
  /** The election's first versiyon of a ballot type from every box's first version (order does not matter). */
  baseline(ballot: BallotCode): number | null {
    const b = new VersionBaseline();
    for (const { ref, versions } of this.logs.values()) if (ref.ballot === ballot && versions[0]) b.add(versions[0].yskVersion);
    return b.value();
  }
  baselines(): Map<BallotCode, number | null> {
    return new Map(BALLOTS.map((b) => [b, this.baseline(b)]));
  }
  reconcile(log: Log, now: number, baselines = this.baselines()): BoxReconciliation {
    return reconcileBox({
      versions: log.versions,
      entries: log.entries,
      now,
      staleAfterMs: STALE_MS,
      confirmations: this.confirmations,
      firstVersionBaseline: baselines.get(log.ref.ballot) ?? null,
    });
  }
  coverage(scope: Scope, ballot: BallotCode | null, now: number) {
    const boxes: BoxCounters = zeroCounters();
    const kinds = Object.fromEntries(BOX_KINDS.map((k) => [k, zeroCounters()])) as Record<BoxKind, BoxCounters>;
    const ysk: Record<string, number> = {};
    const org: Record<string, number> = {};
    const both = { boxes: 0, ysk: {} as Record<string, number>, org: {} as Record<string, number> };
    const sums = { registered: 0, voted: 0, valid: 0, invalid: 0 };
    const baseline = this.baselines();
    for (const log of this.logs.values()) {
      const { ref } = log;
      if (ballot !== null && ref.ballot !== ballot) continue;
      if (scope.level !== 'country' && ref.province !== scope.province) continue;
      if (scope.level === 'district' && ref.district !== scope.district) continue;
      const r: BoxReconciliation = this.reconcile(log, now, baseline);
      for (const c of [boxes, kinds[log.kind]]) {
        c.total++;
        if (r.ysk) c.yskPublished++;
        if (r.org) c.entered++;
        const key = ({ match: 'match', mismatch: 'mismatch', ysk_only: 'yskOnly', org_only: 'orgOnly', awaiting: null } as const)[r.status];
        if (key) c[key]++;
        if (r.stale) c.stale++;
        if (r.altered) c.altered++;
        if (r.conflicting) c.conflicting++;
        if (r.unconfirmed) c.unconfirmed++;
      }
      if (r.ysk) {
        for (const f of ['registered', 'voted', 'valid', 'invalid'] as const) sums[f] += r.ysk[f];
        for (const [n, v] of Object.entries(r.ysk.votes)) ysk[n] = (ysk[n] ?? 0) + v;
      }
      if (r.org) for (const [n, v] of Object.entries(r.org.votes)) org[n] = (org[n] ?? 0) + v;
      // like with like: both sides' totals over the boxes that have both
      if (r.ysk && r.org) {
        both.boxes++;
        for (const [n, v] of Object.entries(r.ysk.votes)) both.ysk[n] = (both.ysk[n] ?? 0) + v;
        for (const [n, v] of Object.entries(r.org.votes)) both.org[n] = (both.org[n] ?? 0) + v;
      }
    }
    const nonZero = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0));
    return {
      boxes,
      kinds,
      votes: { ysk: nonZero(ysk), org: nonZero(org), both: { boxes: both.boxes, ysk: nonZero(both.ysk), org: nonZero(both.org) } },
      ...sums,
    };
  }
}

const PARTIES = ['AK PARTİ', 'CHP', 'MHP', 'İYİ', 'Diger'];
const BALLOTS: BallotCode[] = [2, 3, 6];
const PLACES = [
  { province: 6, district: 1 },
  { province: 6, district: 2 },
  { province: 34, district: 10 },
  { province: 69, district: 75 },
  // a foreign mission: boxes 1 and 2, each as A and B (one number, two boxes)
  { province: 99, district: 100118 },
];

function placeRefs(place: { province: number; district: number }, ballot: BallotCode): BoxRef[] {
  if (place.province !== 99) return [1001, 1002, 1003, 1004].map((boxNo) => ({ election: 'e', ballot, ...place, boxNo }));
  return [1, 2].flatMap((boxNo) => ['A', 'B'].map((rumuz) => ({ election: 'e', ballot, ...place, boxNo, rumuz })));
}

function randomSheet(rand: () => number): Sheet {
  const votes: Record<string, number> = {};
  const names = PARTIES.filter(() => rand() < 0.8);
  if (rand() < 0.5) names.reverse();
  for (const n of names) votes[n] = Math.floor(rand() * 4);
  const valid = Object.values(votes).reduce((a, b) => a + b, 0) + (rand() < 0.1 ? 1 : 0);
  const invalid = Math.floor(rand() * 2);
  return {
    registered: valid + invalid + Math.floor(rand() * 2) - (rand() < 0.1 ? 2 : 0),
    voted: valid + invalid,
    validUncontested: valid,
    validAfterObjection: 0,
    valid,
    invalid,
    votes,
  };
}

/** Calls `check` every `every` steps of a scenario (after a tick, so stale flags are current). */
interface Probe {
  every: number;
  check: (state: ReconciliationState, naive: Naive, now: number) => void;
}

function scenario(seed: number, steps: number, probe?: Probe, confirmations = 1) {
  const rand = prng(seed);
  let now = T0;
  const state = new ReconciliationState({ election: 'e', staleAfterMs: STALE_MS, now: () => now, expectedBoxResults: 4, confirmations });
  const naive = new Naive(confirmations);
  const refs: BoxRef[] = [];
  for (const place of PLACES) for (const ballot of BALLOTS) refs.push(...placeRefs(place, ballot));
  const sheets = Array.from({ length: 5 }, () => randomSheet(rand));
  const registered = refs.filter(() => rand() < 0.5);
  for (const ref of registered) {
    state.registerBox(ref, kindOf(ref));
    naive.log(ref).kind = kindOf(ref);
  }
  for (let step = 0; step < steps; step++) {
    now += Math.floor(rand() * 4 * 60_000);
    const ref = refs[Math.floor(rand() * refs.length)]!;
    const log = naive.log(ref);
    const sheet = rand() < 0.7 ? sheets[Math.floor(rand() * sheets.length)]! : randomSheet(rand);
    const roll = rand();
    if (roll < 0.4) {
      const seq = log.versions.length + 1;
      const publishedAt = log.versions.length ? Date.parse(log.versions[0]!.fetchedAt) : now;
      // YSK's versiyon on the real scale; some boxes are first seen already revised (a higher
      // versiyon, with or without a change code), some with a change code only
      const pre = seq === 1 ? rand() : 1;
      const prior = log.versions[log.versions.length - 1];
      const yskVersion = prior ? prior.yskVersion! + 1 : pre < 0.1 ? 2672 : 2671;
      const changeReason = seq > 1 || pre < 0.05 || (pre > 0.1 && pre < 0.14) ? 2 : 0;
      log.kind = kindOf(ref);
      const version = {
        key: boxKey(ref),
        seq,
        hash: '',
        sheet,
        yskVersion,
        yskChangedAt: null,
        changeReason,
        fetchedAt: new Date(seq === 1 ? publishedAt : now).toISOString(),
      };
      log.versions.push(version);
      state.applyYsk(ref, { sheet, seq, publishedAt, changedAt: now, kind: log.kind, first: seq === 1 ? { yskVersion, changeReason } : undefined });
    } else if (roll < 0.9) {
      const observer = `o${Math.floor(rand() * 3)}`;
      const source = rand() < 0.08 ? ('confirmation' as const) : ('observer' as const);
      const createdAt = now - Math.floor(rand() * 3) * 60_000;
      const id = `e${step}`;
      log.entries.push({
        id,
        key: boxKey(ref),
        sheet,
        hash: '',
        observer,
        source,
        idempotencyKey: id,
        createdAt: new Date(createdAt).toISOString(),
        warnings: [],
      });
      state.applyEntry(ref, { id, observer, source, sheet, createdAt });
    } else {
      state.tick(now);
    }
    if (probe && step % probe.every === 0) {
      state.tick(now);
      probe.check(state, naive, now);
    }
  }
  state.tick(now);
  return { state, naive, now, registered };
}

const SCOPES: Scope[] = [
  { level: 'country' },
  ...[...new Set(PLACES.map((p) => p.province))].map((province): Scope => ({ level: 'province', province })),
  ...PLACES.map((p): Scope => ({ level: 'district', ...p })),
];

/** seeds 1–8 with one entry enough (the rule before ENTRY_CONFIRMATIONS), 1–4 with two and with three */
const SEEDS_AND_N = [...[1, 2, 3, 4, 5, 6, 7, 8].map((seed) => [seed, 1] as const), ...[2, 3].flatMap((n) => [1, 2, 3, 4].map((seed) => [seed, n] as const))];

describe('ReconciliationState against a recomputation from scratch', () => {
  it.each(SEEDS_AND_N)('seed %i, ENTRY_CONFIRMATIONS %i: every scope and ballot type agrees', (seed, confirmations) => {
    const { state, naive, now } = scenario(seed, 400, undefined, confirmations);
    for (const scope of SCOPES) {
      for (const ballot of [...BALLOTS, null]) {
        const { scope: _s, ballot: _b, asOf: _a, ...actual } = state.coverage(scope, ballot);
        expect({ scope, ballot, ...actual }).toEqual({ scope, ballot, ...naive.coverage(scope, ballot, now) });
      }
    }
    for (const [key, log] of naive.logs) {
      const r = naive.reconcile(log, now);
      const s = state.summary(key)!;
      expect([
        key,
        s.kind,
        s.status,
        s.stale,
        s.conflicting,
        s.unconfirmed,
        s.altered,
        s.alteredBeforeSeen,
        s.differences,
        s.totalAbsDifference,
        s.warnings,
        s.org,
      ]).toEqual([
        key,
        log.kind,
        r.status,
        r.stale,
        r.conflicting,
        r.unconfirmed,
        r.altered,
        r.alteredBeforeSeen,
        r.differences,
        r.totalAbsDifference,
        r.warnings,
        r.org,
      ]);
    }
    for (const ballot of BALLOTS) expect([ballot, state.versionBaselineOf(ballot)]).toEqual([ballot, naive.baseline(ballot)]);
  });

  it('regions lists the children’s counters', () => {
    const { state } = scenario(9, 300);
    const provinces = state.regions({ level: 'country' }, 2);
    expect(Object.keys(provinces).sort()).toEqual(['34', '6', '69', '99']);
    expect(provinces['6']).toEqual(state.counters({ level: 'province', province: 6 }, 2));
    const districts = state.regions({ level: 'province', province: 6 }, null);
    expect(districts['2']).toEqual(state.counters({ level: 'district', province: 6, district: 2 }, null));
  });
});

const sheetA: Sheet = { registered: 10, voted: 8, validUncontested: 8, validAfterObjection: 0, valid: 8, invalid: 0, votes: { A: 5, B: 3 } };
const sheetB: Sheet = { ...sheetA, votes: { A: 3, B: 5 } };
const ref = (boxNo: number, district = 1): BoxRef => ({ election: 'e', ballot: 2, province: 6, district, boxNo });

describe('ReconciliationState transitions', () => {
  let now: number;
  let state: ReconciliationState;
  beforeEach(() => {
    now = T0;
    state = new ReconciliationState({ election: 'e', staleAfterMs: STALE_MS, now: () => now });
  });

  it.each([
    ['same sheet', sheetA, 'match', 0],
    ['other sheet', sheetB, 'mismatch', 4],
  ] as const)('YSK then entry (%s) → %s', (_, org, status, diff) => {
    const first = state.applyYsk(ref(1), { sheet: sheetA, seq: 1, publishedAt: now });
    expect([first.before, first.after.status, first.changed]).toEqual([null, 'ysk_only', true]);
    const second = state.applyEntry(ref(1), { id: 'x', observer: 'o', source: 'observer', sheet: org, createdAt: now });
    expect([second.before?.status, second.after.status, second.after.totalAbsDifference]).toEqual(['ysk_only', status, diff]);
  });

  it('re-applying the same version changes nothing; an older one is ignored', () => {
    state.applyYsk(ref(1), { sheet: sheetA, seq: 2, publishedAt: now });
    expect(state.applyYsk(ref(1), { sheet: sheetA, seq: 2, publishedAt: now }).changed).toBe(false);
    expect(state.applyYsk(ref(1), { sheet: sheetB, seq: 1, publishedAt: now }).changed).toBe(false);
    expect(state.summary(boxKey(ref(1)))?.ysk).toEqual(sheetA);
  });

  it('tick turns only the boxes past the threshold stale, oldest first, once', () => {
    state.applyYsk(ref(1), { sheet: sheetA, seq: 1, publishedAt: now });
    now += 10 * 60_000;
    state.applyYsk(ref(2), { sheet: sheetA, seq: 1, publishedAt: now });
    state.applyYsk(ref(3), { sheet: sheetA, seq: 1, publishedAt: now });
    state.applyEntry(ref(3), { id: 'x', observer: 'o', source: 'observer', sheet: sheetA, createdAt: now });
    now += 25 * 60_000;
    expect(state.tick().map((c) => [c.key, c.before?.stale, c.after.stale])).toEqual([[boxKey(ref(1)), false, true]]);
    now += 10 * 60_000;
    expect(state.tick().map((c) => c.key)).toEqual([boxKey(ref(2))]);
    expect(state.tick()).toEqual([]);
    expect(state.counters({ level: 'country' }, 2)).toMatchObject({ stale: 2, yskOnly: 2, match: 1 });
    expect(state.heads({ level: 'country' }, 2).stale.map((s) => s.key)).toEqual([boxKey(ref(1)), boxKey(ref(2))]);
    state.applyEntry(ref(1), { id: 'y', observer: 'o', source: 'observer', sheet: sheetB, createdAt: now });
    expect(state.counters({ level: 'country' }, 2)).toMatchObject({ stale: 1, yskOnly: 1, mismatch: 1 });
  });

  it('a second observer who disagrees makes it conflicting until a confirmation', () => {
    state.applyYsk(ref(1), { sheet: sheetA, seq: 1, publishedAt: now });
    state.applyEntry(ref(1), { id: '1', observer: 'o1', source: 'observer', sheet: sheetA, createdAt: now });
    const c = state.applyEntry(ref(1), { id: '2', observer: 'o2', source: 'observer', sheet: sheetB, createdAt: now + 1 });
    expect([c.after.conflicting, c.after.status]).toEqual([true, 'mismatch']);
    const resolved = state.confirm(ref(1), { id: '3', observer: 'legal', source: 'confirmation', sheet: sheetA, createdAt: now + 2 });
    expect([resolved.after.conflicting, resolved.after.status]).toEqual([false, 'match']);
  });

  describe.each([1, 2, 3])('ENTRY_CONFIRMATIONS %i', (n) => {
    const entry = (id: string, observer: string, sheet: Sheet, at = now, source: 'observer' | 'confirmation' = 'observer') => ({
      id,
      observer,
      source,
      sheet,
      createdAt: at,
    });
    beforeEach(() => {
      state = new ReconciliationState({ election: 'e', staleAfterMs: STALE_MS, now: () => now, confirmations: n });
      state.applyYsk(ref(1), { sheet: sheetA, seq: 1, publishedAt: now });
    });

    it(`the figure is the sheet of the ${n}th observer entering it identically; until then awaiting confirmation, no mismatch`, () => {
      for (let k = 1; k <= n; k++) {
        const c = state.applyEntry(ref(1), entry(`${k}`, `o${k}`, sheetB, now + k));
        const s = state.summary(boxKey(ref(1)))!;
        if (k < n) {
          expect([c.after.status, c.after.unconfirmed, s.org, s.enteredAt]).toEqual(['ysk_only', true, null, null]);
          expect(state.counters({ level: 'country' }, 2)).toMatchObject({ unconfirmed: 1, mismatch: 0, entered: 0, yskOnly: 1 });
          expect(state.heads({ level: 'country' }, 2).mismatches).toEqual([]);
        } else {
          expect([c.after.status, c.after.unconfirmed, s.org]).toEqual(['mismatch', false, sheetB]);
          expect(state.counters({ level: 'country' }, 2)).toMatchObject({ unconfirmed: 0, mismatch: 1, entered: 1 });
        }
      }
    });

    it('the same person entering twice counts once', () => {
      state.applyEntry(ref(1), entry('1', 'o1', sheetA, now + 1));
      const again = state.applyEntry(ref(1), entry('2', 'o1', sheetA, now + 2));
      expect([again.after.status, again.after.unconfirmed]).toEqual(n === 1 ? ['match', false] : ['ysk_only', true]);
    });

    it("a confirming role's confirmation wins at once, over agreeing and disagreeing entries", () => {
      state.applyEntry(ref(1), entry('1', 'o1', sheetB, now + 1));
      state.applyEntry(ref(1), entry('2', 'o2', sheetB, now + 2));
      state.applyEntry(ref(1), entry('3', 'o3', sheetB, now + 3));
      const confirmed = state.confirm(ref(1), entry('c', 'chief', sheetA, now + 4, 'confirmation'));
      expect([confirmed.after.status, confirmed.after.unconfirmed, confirmed.after.conflicting]).toEqual(['match', false, false]);
      // later observer entries change nothing any more
      expect(state.applyEntry(ref(1), entry('4', 'o4', sheetB, now + 5)).changed).toBe(false);
      expect(state.summary(boxKey(ref(1)))?.org).toEqual(sheetA);
    });

    it('disagreeing entries are conflicting; a correction that breaks the agreement takes the figure back', () => {
      for (let k = 1; k <= n; k++) state.applyEntry(ref(1), entry(`${k}`, `o${k}`, sheetA, now + k));
      expect(state.summary(boxKey(ref(1)))).toMatchObject({ status: 'match', unconfirmed: false, conflicting: false });
      const other = state.applyEntry(ref(1), entry('x', 'ox', sheetB, now + 10));
      // with one entry enough the latest is in force; otherwise the agreed one stays
      expect([other.after.status, other.after.conflicting]).toEqual([n === 1 ? 'mismatch' : 'match', true]);
      // o1 corrects to the other sheet: sheetA now has n − 1 supporters, sheetB two
      const corrected = state.applyEntry(ref(1), entry('y', 'o1', sheetB, now + 11));
      const expected = n === 1 ? ['mismatch', false, n > 1] : n === 2 ? ['mismatch', false, true] : ['ysk_only', true, true];
      expect([corrected.after.status, corrected.after.unconfirmed, corrected.after.conflicting]).toEqual(expected);
    });

    it('a box awaiting confirmation does not turn stale', () => {
      state.applyYsk(ref(2), { sheet: sheetA, seq: 1, publishedAt: now });
      state.applyEntry(ref(2), entry('1', 'o1', sheetA, now));
      now += STALE_MS + 60_000;
      const stale = state.tick().map((c) => c.key);
      // box 1 has no entry: stale; box 2 has one, awaiting confirmation (n > 1) or matching (n = 1)
      expect(stale).toEqual([boxKey(ref(1))]);
      expect(state.summary(boxKey(ref(2)))).toMatchObject({ stale: false, unconfirmed: n > 1, status: n === 1 ? 'match' : 'ysk_only' });
      expect(state.list({ flag: 'unconfirmed' }).items.map((s) => s.key)).toEqual(n > 1 ? [boxKey(ref(2))] : []);
    });
  });

  it('heads and list page through a scope in order', () => {
    for (let boxNo = 1; boxNo <= 7; boxNo++) {
      state.applyYsk(ref(boxNo, 1 + (boxNo % 2)), { sheet: sheetA, seq: 1, publishedAt: now });
      state.applyEntry(ref(boxNo, 1 + (boxNo % 2)), {
        id: `${boxNo}`,
        observer: 'o',
        source: 'observer',
        sheet: { ...sheetA, votes: { A: 5 - boxNo, B: 3 } },
        createdAt: now,
      });
    }
    expect(state.heads({ level: 'country' }, 2, 3).mismatches.map((s) => s.totalAbsDifference)).toEqual([7, 6, 5]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = state.list({ sort: 'difference', limit: 3, cursor });
      expect(page.total).toBe(7);
      seen.push(...page.items.map((s) => s.key));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((k) => state.summary(k)!.totalAbsDifference)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(state.list({ district: 2, status: 'mismatch', sort: 'key' }).items.map((s) => s.boxNo)).toEqual([1, 3, 5, 7]);
    // box 6 enters A: −1 (below zero): kept exactly, outside the 16-bit cells
    expect(state.summary(boxKey(ref(6, 1)))?.org?.votes).toEqual({ A: -1, B: 3 });
    expect(() => state.list({ cursor: 'nonsense' })).toThrow(RangeError);
  });

  it('rejects a box of another election', () => {
    expect(() => state.registerBox({ ...ref(1), election: 'other' })).toThrow(/not of election e/);
  });
});

/** Every scope × ballot type of the scenario, and null (all ballot types). */
const VIEWS = SCOPES.flatMap((scope) => [...BALLOTS, null].map((ballot) => ({ scope, ballot })));
const BALLOT_ORDER = [...BALLOTS].sort((a, b) => a - b);

/** What the list heads must be, from the naive model: sort, filter and cut, no caches. */
function expectedHeads(naive: Naive, scope: Scope, ballot: BallotCode | null, now: number, limit: number) {
  const baseline = naive.baselines();
  const rows = [...naive.logs.values()]
    .filter(
      ({ ref }) =>
        (ballot === null || ref.ballot === ballot) &&
        (scope.level === 'country' || ref.province === scope.province) &&
        (scope.level !== 'district' || ref.district === scope.district),
    )
    .filter(({ versions, entries }) => versions.length || entries.length)
    .map((log) => {
      const { ref, versions } = log;
      const r = naive.reconcile(log, now, baseline);
      const latest = versions.reduce((a, v) => (v.seq > a.seq ? v : a), versions[0]!);
      return { key: boxKey(ref), ref, r, changedAt: latest ? Date.parse(latest.fetchedAt) : 0 };
    });
  type Row = (typeof rows)[number];
  const rumuz = (a: Row, b: Row) => ((a.ref.rumuz ?? '') < (b.ref.rumuz ?? '') ? -1 : (a.ref.rumuz ?? '') > (b.ref.rumuz ?? '') ? 1 : 0);
  const tuple = (a: Row, b: Row) =>
    a.ref.province - b.ref.province ||
    a.ref.district - b.ref.district ||
    a.ref.boxNo - b.ref.boxNo ||
    rumuz(a, b) ||
    BALLOT_ORDER.indexOf(a.ref.ballot) - BALLOT_ORDER.indexOf(b.ref.ballot);
  const top = (keep: (row: Row) => boolean, order: (a: Row, b: Row) => number) =>
    rows
      .filter(keep)
      .sort((a, b) => order(a, b) || tuple(a, b))
      .slice(0, limit)
      .map((row) => row.key);
  return {
    stale: top(
      (row) => row.r.stale,
      (a, b) => a.r.yskPublishedAt! - b.r.yskPublishedAt!,
    ),
    altered: top(
      (row) => row.r.altered,
      (a, b) => b.changedAt - a.changedAt,
    ),
    mismatches: top(
      (row) => row.r.status === 'mismatch',
      (a, b) => b.r.totalAbsDifference - a.r.totalAbsDifference,
    ),
    waiting: top(
      (row) => row.r.status === 'ysk_only',
      (a, b) => a.r.yskPublishedAt! - b.r.yskPublishedAt!,
    ),
  };
}

const keysOf = (heads: ListHeads) => ({
  stale: heads.stale.map((s) => s.key),
  altered: heads.altered.map((s) => s.key),
  mismatches: heads.mismatches.map((s) => s.key),
  waiting: (heads.waiting ?? []).map((s) => s.key),
});

describe('ReconciliationState list heads', () => {
  it.each([1, 2, 3, 4, 5, 6].map((seed) => [seed, seed % 3 === 0 ? 2 : 1] as const))(
    'seed %i, ENTRY_CONFIRMATIONS %i: heads agree with a sort from scratch throughout the scenario',
    (seed, confirmations) => {
      let probes = 0;
      scenario(
        seed,
        400,
        {
          every: 7,
          check: (state, naive, now) => {
            probes++;
            for (const { scope, ballot } of VIEWS) {
              // limit 3 runs under the cached 20, limit 2 on the country merges several ballot types
              for (const limit of [3, 20]) {
                const heads = state.heads(scope, ballot, limit);
                expect([scope, ballot, limit, keysOf(heads)]).toEqual([scope, ballot, limit, expectedHeads(naive, scope, ballot, now, limit)]);
                // the (cached) summaries are those of now
                for (const list of [heads.stale, heads.altered, heads.mismatches, heads.waiting ?? []])
                  expect(list).toEqual(list.map((s) => state.summary(s.key)));
              }
            }
          },
        },
        confirmations,
      );
      expect(probes).toBeGreaterThan(50);
    },
  );

  it('orders ties by province, district, box number, then ballot type', () => {
    const now = T0;
    const state = new ReconciliationState({ election: 'e', staleAfterMs: STALE_MS, now: () => now });
    const refs = [ref(2, 9), { ...ref(1, 9), ballot: 3 as const }, ref(1, 9), { ...ref(1, 1), province: 7 }];
    for (const [k, r] of refs.entries()) {
      state.applyYsk(r, { sheet: sheetA, seq: 2, publishedAt: now, changedAt: now });
      state.applyEntry(r, { id: `${k}`, observer: 'o', source: 'observer', sheet: sheetB, createdAt: now });
    }
    const expected = [refs[2]!, refs[1]!, refs[0]!, refs[3]!].map(boxKey);
    expect(keysOf(state.heads({ level: 'country' }, null))).toEqual({ stale: [], altered: expected, mismatches: expected, waiting: [] });
  });

  it('grows the cached heads for a bigger limit, and gives none for limit 0', () => {
    const { state, naive, now } = scenario(3, 400);
    const altered = expectedHeads(naive, { level: 'country' }, null, now, 1000).altered;
    expect(altered.length).toBeGreaterThan(20);
    expect(keysOf(state.heads({ level: 'country' }, null)).altered).toEqual(altered.slice(0, 20));
    expect(keysOf(state.heads({ level: 'country' }, null, altered.length)).altered).toEqual(altered);
    expect(state.heads({ level: 'country' }, null, 0)).toEqual({ stale: [], altered: [], mismatches: [], waiting: [] });
  });
});

/** Replays what the incremental state holds through the bulk path, entries in their commit order. */
function bulkReplay(state: ReconciliationState, naive: Naive, now: number, order: (keys: string[]) => string[]) {
  const bulk = new ReconciliationState({ election: 'e', staleAfterMs: STALE_MS, now: () => now, confirmations: state.confirmations });
  const loader = bulk.beginBulk();
  const entries: { ref: BoxRef; entry: Entry }[] = [];
  for (const key of order([...naive.logs.keys()])) {
    if (!state.has(key)) continue;
    const { ref, versions, kind } = naive.logs.get(key)!;
    const latest = versions[versions.length - 1];
    const first = versions[0] && { yskVersion: versions[0].yskVersion, changeReason: versions[0].changeReason };
    loader.box(
      ref,
      latest && { sheet: latest.sheet, seq: latest.seq, publishedAt: Date.parse(versions[0]!.fetchedAt), changedAt: Date.parse(latest.fetchedAt), first },
      kind,
    );
  }
  for (const { ref, entries: logged } of naive.logs.values()) for (const entry of logged) entries.push({ ref, entry });
  entries.sort((a, b) => Number(a.entry.id.slice(1)) - Number(b.entry.id.slice(1)));
  for (const { ref, entry } of entries) {
    loader.entry(ref, { id: entry.id, observer: entry.observer, source: entry.source, sheet: entry.sheet, createdAt: Date.parse(entry.createdAt) });
  }
  loader.end();
  return bulk;
}

describe('ReconciliationState bulk load', () => {
  it.each(SEEDS_AND_N)('seed %i, ENTRY_CONFIRMATIONS %i: gives the state the incremental path built', (seed, confirmations) => {
    const { state, naive, now } = scenario(seed, 400, undefined, confirmations);
    // boxes in reverse key order: the load must not depend on the order boxes come in
    const bulk = bulkReplay(state, naive, now, (keys) => keys.sort().reverse());
    expect(bulk.size).toBe(state.size);
    for (const { scope, ballot } of VIEWS) {
      expect([scope, ballot, bulk.coverage(scope, ballot)]).toEqual([scope, ballot, state.coverage(scope, ballot)]);
      expect([scope, ballot, bulk.regions(scope, ballot)]).toEqual([scope, ballot, state.regions(scope, ballot)]);
      expect([scope, ballot, bulk.heads(scope, ballot)]).toEqual([scope, ballot, state.heads(scope, ballot)]);
    }
    for (const key of naive.logs.keys()) expect([key, bulk.summary(key)]).toEqual([key, state.summary(key)]);
    for (const sort of LIST_SORTS) expect(bulk.list({ sort, limit: 1000 })).toEqual(state.list({ sort, limit: 1000 }));
    // and both go on alike: the bulk-loaded one has its stale queue and caches in order
    const later = now + 45 * 60_000;
    expect(
      bulk
        .tick(later)
        .map((c) => c.key)
        .sort(),
    ).toEqual(
      state
        .tick(later)
        .map((c) => c.key)
        .sort(),
    );
    const { ref: first, versions } = naive.logs.values().next().value!;
    const entry = { id: 'late', observer: 'o9', source: 'observer' as const, sheet: versions[0]?.sheet ?? sheetA, createdAt: later };
    expect(bulk.applyEntry(first, entry)).toEqual(state.applyEntry(first, entry));
    expect(bulk.heads({ level: 'country' }, null)).toEqual(state.heads({ level: 'country' }, null));
  });

  it('applies entries of a box in the order they came, also around a live update during the load', () => {
    let now = T0;
    const state = new ReconciliationState({ election: 'e', staleAfterMs: STALE_MS, now: () => now });
    const loader = state.beginBulk();
    loader.box(ref(1), { sheet: sheetA, seq: 1, publishedAt: now });
    loader.entry(ref(1), { id: '1', observer: 'o', source: 'observer', sheet: sheetB, createdAt: now });
    // same time, same observer: the later one wins
    state.applyEntry(ref(1), { id: '2', observer: 'o', source: 'observer', sheet: sheetA, createdAt: now });
    loader.entry(ref(2), { id: '3', observer: 'o', source: 'observer', sheet: sheetB, createdAt: now });
    loader.entry(ref(2), { id: '4', observer: 'o', source: 'observer', sheet: sheetA, createdAt: now });
    loader.end();
    expect([state.summary(boxKey(ref(1)))?.status, state.summary(boxKey(ref(2)))?.org]).toEqual(['match', sheetA]);
    expect(state.counters({ level: 'country' }, 2)).toMatchObject({ total: 2, match: 1, orgOnly: 1, entered: 2 });
    expect(() => loader.end()).toThrow(/ended/);
    now += 1;
    expect(state.load([{ ref: ref(3), ysk: { sheet: sheetA, seq: 1, publishedAt: now }, entries: [] }])).toBeUndefined();
    expect(state.counters({ level: 'country' }, 2)).toMatchObject({ total: 3, match: 1, orgOnly: 1, yskOnly: 1 });
  });
});

describe('altered from the feed’s own signals, and box kinds', () => {
  let now: number;
  let state: ReconciliationState;
  beforeEach(() => {
    now = T0;
    state = new ReconciliationState({ election: 'e', staleAfterMs: STALE_MS, now: () => now });
  });
  const seen = (r: BoxRef, yskVersion: number | null, changeReason: number | null, seq = 1) =>
    state.applyYsk(r, { sheet: sheetA, seq, publishedAt: now, first: seq === 1 ? { yskVersion, changeReason } : undefined });

  it('a box first seen with a non-zero change code is altered, counted and listed, with one version', () => {
    seen(ref(1), 2671, 0);
    const c = seen(ref(2), 2671, 4);
    expect([c.after.altered, c.after.versions]).toEqual([true, 1]);
    expect(state.summary(boxKey(ref(2)))).toMatchObject({ altered: true, alteredBeforeSeen: true, versions: 1 });
    expect(state.summary(boxKey(ref(1)))).toMatchObject({ altered: false, alteredBeforeSeen: false });
    expect(state.counters({ level: 'country' }, 2).altered).toBe(1);
    expect(state.list({ flag: 'altered' }).items.map((s) => s.key)).toEqual([boxKey(ref(2))]);
    expect(state.heads({ level: 'country' }, 2).altered.map((s) => s.key)).toEqual([boxKey(ref(2))]);
  });

  it('a versiyon above the election’s first marks it, also when the revised box came first', () => {
    // the revised box is seen first: nothing to compare with yet
    seen(ref(1), 2672, 0);
    expect(state.summary(boxKey(ref(1)))?.altered).toBe(false);
    // then boxes at the election's first versiyon: the first one turns altered (a recount)
    seen(ref(2), 2671, 0);
    seen(ref(3), 2671, 0);
    expect(state.versionBaselineOf(2)).toBe(2671);
    // another ballot type learns its own
    expect(state.versionBaselineOf(3)).toBeNull();
    expect(state.summary(boxKey(ref(1)))).toMatchObject({ altered: true, alteredBeforeSeen: true });
    expect(state.counters({ level: 'country' }, 2).altered).toBe(1);
    // a later revision of a box seen unrevised is altered the usual way
    expect(seen(ref(2), 2673, 2, 2).after.altered).toBe(true);
    expect(state.summary(boxKey(ref(2)))?.alteredBeforeSeen).toBe(false);
  });

  it('learns the first versiyon per ballot type: two ballots numbered apart mark nothing altered', () => {
    for (let k = 1; k <= 3; k++) seen(ref(k), 2671, 0);
    for (let k = 1; k <= 3; k++)
      state.applyYsk({ ...ref(k), ballot: 3 }, { sheet: sheetA, seq: 1, publishedAt: now, first: { yskVersion: 3500, changeReason: 0 } });
    expect([state.versionBaselineOf(2), state.versionBaselineOf(3)]).toEqual([2671, 3500]);
    expect(state.counters({ level: 'country' }, null).altered).toBe(0);
  });

  it('a running versiyon counter (one value per box) switches the version signal off', () => {
    for (let k = 1; k <= 6; k++) seen(ref(k), 5000 + k, 0);
    expect(state.versionBaselineOf(2)).toBeNull();
    expect(state.counters({ level: 'country' }, 2).altered).toBe(0);
  });

  it('keeps boxes of one number apart by rumuz and counts each kind', () => {
    const a: BoxRef = { election: 'e', ballot: 8, province: 99, district: 100118, boxNo: 1, rumuz: 'A' };
    const b: BoxRef = { ...a, rumuz: 'B' };
    const prison: BoxRef = { election: 'e', ballot: 8, province: 69, district: 75, boxNo: 1092 };
    state.registerBox(a, 'abroad');
    state.registerBox(b, 'abroad');
    state.registerBox(prison, 'prison');
    state.registerBox({ ...prison, boxNo: 1001 });
    state.applyYsk(a, { sheet: sheetA, seq: 1, publishedAt: now, first: { yskVersion: 10, changeReason: 0 } });
    state.applyYsk(b, { sheet: sheetB, seq: 1, publishedAt: now, first: { yskVersion: 10, changeReason: 0 } });
    expect(state.summary('e:8:99:100118:1:A')?.ysk).toEqual(sheetA);
    expect(state.summary('e:8:99:100118:1:B')).toMatchObject({ ysk: sheetB, kind: 'abroad', rumuz: 'B', boxNo: 1 });
    const cov = state.coverage({ level: 'country' }, 8);
    expect(cov.boxes).toMatchObject({ total: 4, yskPublished: 2 });
    expect(cov.kinds).toMatchObject({ domestic: { total: 1 }, prison: { total: 1 }, customs: { total: 0 }, abroad: { total: 2, yskPublished: 2 } });
    expect(state.coverage({ level: 'province', province: 99 }, 8).kinds?.abroad.total).toBe(2);
    expect(state.list({ province: 99 }).items.map((s) => s.key)).toEqual(['e:8:99:100118:1:A', 'e:8:99:100118:1:B']);
  });
});

describe('ReconciliationState live revisions and corrections', () => {
  // sheets of one layout, of other layouts (order, a party fewer) and with figures beyond a 16-bit cell
  const sheets: Sheet[] = [
    { registered: 10, voted: 8, validUncontested: 8, validAfterObjection: 0, valid: 8, invalid: 0, votes: { A: 5, B: 3, C: 0 } },
    { registered: 12, voted: 9, validUncontested: 8, validAfterObjection: 1, valid: 9, invalid: 0, votes: { A: 2, B: 4, C: 3 } },
    { registered: 70_000, voted: 65_600, validUncontested: 65_535, validAfterObjection: 0, valid: 65_535, invalid: 65, votes: { A: 65_535, B: 0, C: 0 } },
    { registered: 12, voted: 9, validUncontested: 8, validAfterObjection: 1, valid: 9, invalid: 0, votes: { C: 3, A: 2, B: 4 } },
    { registered: 7, voted: 7, validUncontested: 7, validAfterObjection: 0, valid: 7, invalid: 0, votes: { A: 7, B: 0 } },
    { registered: 10, voted: 8, validUncontested: 8, validAfterObjection: 0, valid: 8, invalid: 0, votes: { A: 4, B: 3, C: 1 } },
  ];
  const views: { scope: Scope; ballot: BallotCode | null }[] = [
    ...[{ level: 'country' } as Scope, { level: 'province', province: 6 } as Scope, { level: 'district', province: 6, district: 2 } as Scope].flatMap((scope) =>
      [2 as BallotCode, 3 as BallotCode, null].map((ballot) => ({ scope, ballot })),
    ),
  ];

  it.each([1, 2, 3])('seed %i: the sums and differences are those a load of the final sheets gives', (seed) => {
    const rand = prng(seed);
    let now = T0;
    const state = new ReconciliationState({ election: 'e', staleAfterMs: STALE_MS, now: () => now });
    const refs = [1, 2, 3].flatMap((district) =>
      [1001, 1002].flatMap((boxNo) => [2, 3].map((ballot): BoxRef => ({ election: 'e', ballot: ballot as BallotCode, province: 6, district, boxNo }))),
    );
    const finals = new Map<
      string,
      { ref: BoxRef; ysk?: { sheet: Sheet; seq: number; publishedAt: number; changedAt: number }; entry?: { sheet: Sheet; createdAt: number } }
    >();
    for (let step = 0; step < 600; step++) {
      now += 1000;
      const ref = refs[Math.floor(rand() * refs.length)]!;
      const held = finals.get(boxKey(ref)) ?? { ref };
      finals.set(boxKey(ref), held);
      const sheet = sheets[Math.floor(rand() * sheets.length)]!;
      if (rand() < 0.5) {
        const seq = (held.ysk?.seq ?? 0) + 1;
        held.ysk = { sheet, seq, publishedAt: held.ysk?.publishedAt ?? now, changedAt: now };
        state.applyYsk(ref, held.ysk);
      } else {
        held.entry = { sheet, createdAt: now };
        state.applyEntry(ref, { id: `e${step}`, observer: 'o', source: 'observer', sheet, createdAt: now });
      }
    }
    const loaded = new ReconciliationState({ election: 'e', staleAfterMs: STALE_MS, now: () => now });
    loaded.load(
      [...finals.values()].map(({ ref, ysk, entry }) => ({
        ref,
        ysk,
        entries: entry ? [{ id: 'x', observer: 'o', source: 'observer' as const, ...entry }] : [],
      })),
    );
    for (const { scope, ballot } of views) expect([scope, ballot, state.coverage(scope, ballot)]).toEqual([scope, ballot, loaded.coverage(scope, ballot)]);
    for (const key of finals.keys()) expect([key, state.summary(key)]).toEqual([key, loaded.summary(key)]);
  });
});

describe('ReconciliationState images (the restart snapshot)', () => {
  /** Everything a reader can ask of a state, for every scope, ballot type and box. */
  function surface(state: ReconciliationState, keys: Iterable<string>) {
    const out: unknown[] = [];
    for (const scope of SCOPES) {
      for (const ballot of [...BALLOTS, null]) {
        out.push(state.coverage(scope, ballot), state.heads(scope, ballot, 50), state.regions(scope, ballot), state.kindCounters(scope, ballot));
      }
    }
    for (const sort of LIST_SORTS) out.push(state.list({ sort, limit: 1000 }), state.list({ sort, flag: 'stale', limit: 1000 }));
    for (const key of keys) out.push([key, state.summary(key)]);
    for (const ballot of BALLOTS) out.push(state.versionBaselineOf(ballot));
    return out;
  }

  it.each([
    [11, 1],
    [12, 2],
    [13, 3],
  ])('seed %i, ENTRY_CONFIRMATIONS %i: a restored image answers alike, and goes on alike', (seed, confirmations) => {
    const { state, naive, now: end } = scenario(seed, 300, undefined, confirmations);
    let now = end;
    const options = { election: 'e', staleAfterMs: STALE_MS, now: () => now, confirmations };
    // through the structured-clone algorithm, as a snapshot file carries it (node:v8 serialize)
    const restored = ReconciliationState.fromImage(options, structuredClone(state.image()));
    // the scenario's clock stopped at its end: from here on both states read this test's
    (state as unknown as { now: () => number }).now = options.now;
    const keys = [...naive.logs.keys()];
    expect(surface(restored, keys)).toEqual(surface(state, keys));
    // the same updates to both: revisions, entries of known and of new boxes, time passing
    const rand = prng(seed * 7);
    const refs = [...naive.logs.values()].map((l) => l.ref);
    refs.push({ election: 'e', ballot: 2, province: 6, district: 3, boxNo: 1001 });
    for (let step = 0; step < 200; step++) {
      now += 60_000;
      const ref = refs[Math.floor(rand() * refs.length)]!;
      const sheet = randomSheet(rand);
      for (const s of [state, restored]) {
        if (step % 3 === 0) s.applyYsk(ref, { sheet, seq: 50 + step, publishedAt: now - 3_600_000, changedAt: now });
        else s.applyEntry(ref, { id: `r${step}`, observer: `o${step % 4}`, source: step % 17 === 0 ? 'confirmation' : 'observer', sheet, createdAt: now });
        if (step % 10 === 0) s.tick(now);
      }
    }
    now += 3_600_000;
    expect(restored.tick(now)).toEqual(state.tick(now));
    keys.push(boxKey(refs[refs.length - 1]!));
    expect(surface(restored, keys)).toEqual(surface(state, keys));
    expect(restored.size).toBe(state.size);
  });

  it('staleRefs names the stale box-results in the list’s order', () => {
    const { state } = scenario(16, 400);
    const listed = state.list({ flag: 'stale', limit: 1000 }).items.map((b) => b.key);
    expect(listed.length).toBeGreaterThan(1);
    expect(state.staleRefs().map(boxKey)).toEqual(listed);
  });

  it('refuses an image of another election, stale threshold, confirmation rule or format', () => {
    const { state } = scenario(14, 50);
    const image = structuredClone(state.image());
    const base = { election: 'e', staleAfterMs: STALE_MS, now: () => T0 };
    expect(() => ReconciliationState.fromImage({ ...base, election: 'other' }, image)).toThrow(/election e, not other/);
    expect(() => ReconciliationState.fromImage({ ...base, staleAfterMs: 60_000 }, image)).toThrow(/staleAfterMs/);
    expect(() => ReconciliationState.fromImage({ ...base, confirmations: 2 }, image)).toThrow(/confirmations 1, not 2/);
    expect(() => ReconciliationState.fromImage(base, { ...image, format: 0 })).toThrow(/format 0/);
    expect(ReconciliationState.fromImage(base, image).size).toBe(state.size);
  });

  it('takes no image of a half-done bulk load, nor of a field it cannot carry', () => {
    const state = new ReconciliationState({ election: 'e', staleAfterMs: STALE_MS, now: () => T0 });
    const bulk = state.beginBulk();
    bulk.box(ref(1001));
    expect(() => state.image()).toThrow(/bulk load is in progress/);
    bulk.end();
    (state as unknown as { extra: unknown }).extra = new Date(T0);
    expect(() => state.image()).toThrow(/instance of Date is not registered/);
    (state as unknown as { extra: unknown }).extra = () => T0;
    expect(() => state.image()).toThrow(/cannot image extra: a function/);
  });

  it('packs the aggregates and the observers’ entries into a few flat arrays, and refuses an aggregate field it does not pack', () => {
    const { state } = scenario(17, 100, undefined, 2);
    const { aggregates, observerEntries, observers, multi } = state.image().fields as Record<string, Record<string, unknown>>;
    expect(Object.keys(aggregates!).sort()).toEqual(['count', 'counters', 'header', 'heads', 'kinds', 'spans', 'votes']);
    expect(aggregates!.count).toBeGreaterThan(10);
    for (const key of ['counters', 'header', 'heads', 'kinds', 'spans', 'votes']) expect(ArrayBuffer.isView(aggregates![key])).toBe(true);
    // the Maps of observers and of their latest entries go as arrays and two long strings
    expect([observers, multi]).toEqual([undefined, undefined]);
    const packed = observerEntries as unknown as { boxes: Int32Array; observers: { text: string; lengths: Int32Array }; contents: { text: string } };
    expect(packed.boxes.length).toBeGreaterThan(0);
    expect(packed.observers.lengths.length).toBeGreaterThan(1);
    expect(typeof packed.contents.text).toBe('string');
    for (const agg of (state as unknown as { totals: { aggregates: Record<string, unknown>[] } }).totals.aggregates) agg.extra = 1;
    expect(() => state.image()).toThrow(/cannot pack an aggregate of fields .*extra/);
  });

  it('hands typed arrays to `replace` and takes them back through `revive`', () => {
    const { state, naive, now } = scenario(15, 200);
    const sections: ArrayBufferView[] = [];
    const image = state.image({ replace: (a) => (a.byteLength >= 64 ? { section: sections.push(a) - 1 } : undefined) });
    expect(sections.length).toBeGreaterThan(10);
    const revived = ReconciliationState.fromImage({ election: 'e', staleAfterMs: STALE_MS, now: () => now }, structuredClone(image), {
      revive: (plain) => (typeof plain.section === 'number' ? sections[plain.section] : undefined),
    });
    const keys = [...naive.logs.keys()];
    expect(surface(revived, keys)).toEqual(surface(state, keys));
  });
});
