import { MAX_BOOST_INTERVALS, priorityOf, provinceLags, type DueDistrict } from './poll-priority';

const I = 2_000;
/** election night 2024 (its priority steps sit far from BullMQ's wrap-around) */
const T0 = Date.parse('2024-03-31T17:00:00Z');

/** Serves due districts as BullMQ does (lowest priority first, FIFO within one) at `capacity` per interval. */
function simulate(arrivals: (tick: number) => Array<{ id: string; d: DueDistrict }>, capacity: number, ticks: number) {
  const queue: Array<{ id: string; p: number; seq: number; since: number }> = [];
  const waited = new Map<string, number[]>();
  let seq = 0;
  for (let t = 0; t < ticks; t++) {
    const now = T0 + t * I;
    for (const a of arrivals(t)) if (!queue.some((q) => q.id === a.id)) queue.push({ id: a.id, p: priorityOf(a.d, I), seq: seq++, since: a.d.dueSince });
    queue.sort((a, b) => a.p - b.p || a.seq - b.seq);
    for (const job of queue.splice(0, capacity)) {
      const province = job.id.split(':')[0]!;
      waited.set(province, [...(waited.get(province) ?? []), now - job.since]);
    }
  }
  return { waited, left: queue.length };
}

describe('poll priority under the rate cap', () => {
  it('fetches the district with the most unseen change first among those due at the same time', () => {
    const at = T0;
    const big = priorityOf({ dueSince: at, unseen: 40, kind: 'change' }, I);
    const one = priorityOf({ dueSince: at, unseen: 1, kind: 'change' }, I);
    const quiet = priorityOf({ dueSince: at, unseen: 0, kind: 'quiet' }, I);
    const resweep = priorityOf({ dueSince: at, unseen: 0, kind: 'resweep' }, I);
    expect(big).toBeLessThan(one);
    expect(one).toBeLessThan(quiet);
    expect(resweep).toBeLessThanOrEqual(big);
    expect(big).toBeGreaterThanOrEqual(1);
  });

  it('lets a district that waits rise above newer ones: a bounded jump ahead', () => {
    const old = priorityOf({ dueSince: T0, unseen: 1, kind: 'change' }, I);
    const later = priorityOf({ dueSince: T0 + (MAX_BOOST_INTERVALS + 2) * I, unseen: 10_000, kind: 'change' }, I);
    expect(old).toBeLessThan(later);
  });

  it('starves no province when a busy one keeps the queue over capacity', () => {
    // province 34: 60 districts with many new boxes every interval; province 69: 2 with one box each
    const arrivals = (t: number) => [
      ...Array.from({ length: 60 }, (_, i) => ({ id: `34:${i}`, d: { dueSince: T0 + t * I, unseen: 30, kind: 'change' as const } })),
      ...(t % 3 === 0 ? [0, 1].map((i) => ({ id: `69:${i}`, d: { dueSince: T0 + t * I, unseen: 1, kind: 'change' as const } })) : []),
    ];
    const { waited } = simulate(arrivals, 40, 60);
    const worst = (p: string) => Math.max(...(waited.get(p) ?? [Infinity]));
    expect(waited.get('69')?.length).toBeGreaterThanOrEqual(15);
    expect(worst('34')).toBeLessThanOrEqual((MAX_BOOST_INTERVALS + 2) * I);
    expect(worst('69')).toBeLessThanOrEqual((MAX_BOOST_INTERVALS + 2) * I);
  });

  it('reports per-province lag from the oldest district last verified', () => {
    const lags = provinceLags(
      [
        { province: 6, lastVerifiedAt: 10_000, dueSince: null },
        { province: 6, lastVerifiedAt: 4_000, dueSince: 5_000 },
        { province: 69, lastVerifiedAt: 12_000, dueSince: null },
      ],
      14_000,
    );
    expect(lags).toEqual([
      { province: 6, lagSeconds: 10, due: 1, districts: 2, oldestVerifiedAt: new Date(4_000).toISOString() },
      { province: 69, lagSeconds: 2, due: 0, districts: 1, oldestVerifiedAt: new Date(12_000).toISOString() },
    ]);
  });
});
