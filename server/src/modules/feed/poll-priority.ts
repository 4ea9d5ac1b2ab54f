/**
 * Which district to fetch first when more are due than the rate cap allows in one interval.
 *
 * Every due district gets a virtual deadline: the moment its aggregate moved, brought forward by
 * how much unseen change it carries (log-scaled: a district with 40 new boxes goes before one
 * with a single revision, but not forever), pushed back when it is only a routine quiet check.
 * BullMQ serves prioritized jobs lowest number first, FIFO within a number, so the deadline in
 * PRIORITY_RESOLUTION_MS steps is the job's priority. A job's deadline never changes while it
 * waits, and a newer job can only jump ahead by at most MAX_BOOST_INTERVALS intervals — so a
 * district passed over rises to the front as time passes, and no province starves.
 *
 * Priorities are absolute times modulo BullMQ's range (every worker computes the same number for
 * the same deadline): once every PRIORITY_SPAN × resolution (≈ 6 days) the numbers wrap and,
 * for one interval, newer jobs may go first. Pure.
 */

/** BullMQ's largest priority (2^21 − 1); 0 means "no priority" and is not used for districts. */
export const PRIORITY_MAX = 2_097_151;
export const PRIORITY_RESOLUTION_MS = 250;
/** the most a district's unseen change can bring its deadline forward, in poll intervals */
export const MAX_BOOST_INTERVALS = 6;
/** a routine quiet check waits this many intervals behind real changes */
export const QUIET_DELAY_INTERVALS = 4;

export interface DueDistrict {
  /** when its aggregate moved past what we hold (epoch ms) */
  dueSince: number;
  /** unseen change: boxes opened that we have not fetched (+1 for an unexplained revision) */
  unseen: number;
  /** a routine whole-list check of a quiet district, or an operator's resweep */
  kind: 'change' | 'quiet' | 'resweep';
}

/** The virtual deadline of a due district (epoch ms): earlier is fetched first. */
export function deadlineOf(d: DueDistrict, intervalMs: number): number {
  if (d.kind === 'resweep') return d.dueSince - MAX_BOOST_INTERVALS * intervalMs;
  if (d.kind === 'quiet') return d.dueSince + QUIET_DELAY_INTERVALS * intervalMs;
  const boost = Math.min(MAX_BOOST_INTERVALS, Math.log2(1 + Math.max(0, d.unseen))) * intervalMs;
  return d.dueSince - boost;
}

/** The BullMQ priority (1 … PRIORITY_MAX) of a due district. */
export function priorityOf(d: DueDistrict, intervalMs: number): number {
  const step = Math.floor(deadlineOf(d, intervalMs) / PRIORITY_RESOLUTION_MS);
  return 1 + (((step % PRIORITY_MAX) + PRIORITY_MAX) % PRIORITY_MAX);
}

/** Per-province lag: now − the oldest time any of its districts was last known current. */
export interface ProvinceLag {
  province: number;
  /** seconds */
  lagSeconds: number;
  /** districts whose aggregate moved past what we hold */
  due: number;
  districts: number;
  /** when the oldest district was last verified (ISO) */
  oldestVerifiedAt: string;
}

export function provinceLags(districts: Iterable<{ province: number; lastVerifiedAt: number; dueSince: number | null }>, now: number): ProvinceLag[] {
  const by = new Map<number, { oldest: number; due: number; districts: number }>();
  for (const d of districts) {
    const p = by.get(d.province) ?? { oldest: Infinity, due: 0, districts: 0 };
    p.oldest = Math.min(p.oldest, d.lastVerifiedAt);
    p.districts++;
    if (d.dueSince !== null) p.due++;
    by.set(d.province, p);
  }
  return [...by]
    .map(([province, p]) => ({
      province,
      lagSeconds: Math.max(0, (now - p.oldest) / 1000),
      due: p.due,
      districts: p.districts,
      oldestVerifiedAt: new Date(p.oldest).toISOString(),
    }))
    .sort((a, b) => a.province - b.province);
}
