import type { BoxCounters, BoxSummary, Coverage, RoomDelta, RoomSnapshot } from '@gozcu/shared';
import { applyDelta, applyDeltas, asOfOf, mergeBoxes } from '../../dashboard/src/lib/live';
import { BoundedQueue, catchUp, judgeSeq, SeqGate } from '../../dashboard/src/lib/seq';

const counters = (n: number): BoxCounters => ({
  total: 100,
  yskPublished: n,
  entered: 0,
  match: 0,
  mismatch: 0,
  yskOnly: n,
  orgOnly: 0,
  stale: 0,
  altered: 0,
  conflicting: 0,
  unconfirmed: 0,
});
const coverage = (n: number, asOf = '2026-11-28T19:14:02.000Z'): Coverage => ({
  scope: { level: 'country' },
  ballot: 6,
  asOf,
  boxes: counters(n),
  votes: { ysk: {}, org: {} },
  registered: 0,
  voted: 0,
  valid: 0,
  invalid: 0,
});
const box = (key: string, over: Partial<BoxSummary> = {}): BoxSummary => ({
  key,
  election: 'e',
  ballot: 6,
  province: 36,
  district: 1,
  boxNo: 1,
  status: 'ysk_only',
  altered: false,
  conflicting: false,
  unconfirmed: false,
  stale: false,
  yskAgeMs: 1000,
  yskPublishedAt: null,
  enteredAt: null,
  ysk: null,
  org: null,
  differences: {},
  totalAbsDifference: 0,
  versions: 1,
  warnings: [],
  ...over,
});
const snapshot = (seq: number): RoomSnapshot => ({
  room: 'country',
  seq,
  ballot: 6,
  coverage: coverage(1),
  regions: { '36': counters(1), '6': counters(2) },
  lists: { stale: [box('a'), box('b')], altered: [], mismatches: [] },
});
const delta = (seq: number, over: Partial<RoomDelta> = {}): RoomDelta => ({
  room: 'country',
  seq,
  ballot: 6,
  coverage: coverage(seq),
  regions: {},
  lists: null,
  boxes: [],
  ...over,
});

describe('dashboard seq bookkeeping', () => {
  test('next seq applies, old seq is a duplicate, a hole is a gap', () => {
    expect(judgeSeq(5, 6)).toBe('apply');
    expect(judgeSeq(5, 5)).toBe('duplicate');
    expect(judgeSeq(5, 2)).toBe('duplicate');
    expect(judgeSeq(5, 7)).toBe('gap');
    expect(judgeSeq(5, Number.NaN)).toBe('gap');
  });

  test('SeqGate advances only on apply', () => {
    const g = new SeqGate(10);
    expect(g.offer(11)).toBe('apply');
    expect(g.offer(11)).toBe('duplicate');
    expect(g.offer(13)).toBe('gap');
    expect(g.last).toBe(11);
    expect(g.offer(12)).toBe('apply');
    expect(g.last).toBe(12);
  });

  test('BoundedQueue refuses past capacity and flags the overflow until drained', () => {
    const q = new BoundedQueue<number>(2);
    expect(q.push(1)).toBe(true);
    expect(q.push(2)).toBe(true);
    expect(q.push(3)).toBe(false);
    expect(q.overflowed).toBe(true);
    expect(q.drain()).toEqual([1, 2]);
    expect(q.size).toBe(0);
    expect(q.overflowed).toBe(false);
    expect(() => new BoundedQueue(0)).toThrow(RangeError);
  });

  test('catchUp keeps early deltas after the snapshot, in order, and spots holes', () => {
    const early = [delta(12), delta(9), delta(11), delta(10)];
    const r = catchUp(10, early);
    expect(r.gap).toBe(false);
    expect(r.apply.map((d) => d.seq)).toEqual([11, 12]);
    expect(catchUp(10, [delta(12)]).gap).toBe(true);
    expect(catchUp(10, [])).toEqual({ apply: [], gap: false });
  });
});

describe('dashboard delta application', () => {
  test('a delta replaces coverage, merges changed regions, keeps lists when none sent', () => {
    const s = snapshot(4);
    const next = applyDelta(s, delta(5, { regions: { '36': counters(50) } }));
    expect(next.seq).toBe(5);
    expect(next.coverage.boxes.yskPublished).toBe(5);
    expect(next.regions['36']!.yskPublished).toBe(50);
    expect(next.regions['6']).toBe(s.regions['6']);
    expect(next.lists).toBe(s.lists);
    expect(s.seq).toBe(4);
    expect(s.regions['36']!.yskPublished).toBe(1);
  });

  test('sent list heads replace; otherwise changed boxes are patched in place', () => {
    const s = snapshot(1);
    const lists = { stale: [box('z')], altered: [box('y')], mismatches: [] };
    expect(applyDelta(s, delta(2, { lists })).lists).toBe(lists);
    const patched = applyDelta(s, delta(2, { boxes: [box('b', { yskAgeMs: 99 })] }));
    expect(patched.lists.stale.map((b) => [b.key, b.yskAgeMs])).toEqual([
      ['a', 1000],
      ['b', 99],
    ]);
  });

  test('applyDeltas runs in order; asOf comes from the coverage', () => {
    const s = applyDeltas(snapshot(1), [delta(2), delta(3, { coverage: coverage(3, '2026-11-28T19:20:00.000Z') })]);
    expect(s.seq).toBe(3);
    expect(asOfOf(s)).toBe('2026-11-28T19:20:00.000Z');
    expect(asOfOf(null)).toBeNull();
    expect(asOfOf({ ...s, coverage: { ...s.coverage, asOf: 'nonsense' } })).toBeNull();
  });

  test('mergeBoxes swaps changed rows by key and leaves the list alone otherwise', () => {
    const rows = [box('a'), box('b')];
    expect(mergeBoxes(rows, [box('c')])).toBe(rows);
    expect(mergeBoxes(rows, [box('b', { status: 'match' })]).map((b) => b.status)).toEqual(['ysk_only', 'match']);
  });
});
