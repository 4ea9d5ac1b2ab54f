import { DEFAULT_THRESHOLDS, ENDPOINT_RULES, FeedHealth, OVERALL_RULES, type Transition } from './feed-health';

const T = DEFAULT_THRESHOLDS;
const EP = 'getSecimSandikSonucList';

/** n requests one `step` apart; each success is also a successful poll. */
function feed(h: FeedHealth, from: number, n: number, ms: number, failure: Parameters<FeedHealth['record']>[4] = null, step = 1000): Transition[] {
  const out: Transition[] = [];
  for (let i = 0; i < n; i++) {
    out.push(...h.record(EP, from + i * step, ms, 1000, failure));
    if (!failure) out.push(...h.pollSucceeded(from + i * step));
  }
  return out;
}

describe('FeedHealth', () => {
  it('is written down as tables that end with a rule that always holds', () => {
    for (const table of [ENDPOINT_RULES, OVERALL_RULES]) {
      expect(new Set(table.map((r) => r.id)).size).toBe(table.length);
      expect(table[table.length - 1]!.state).toBe('healthy');
      for (const r of table) expect(r.says.length).toBeGreaterThan(10);
    }
  });

  it('stays healthy on fast successful polls', () => {
    const h = new FeedHealth(T, 0);
    expect(feed(h, 0, 30, 200).map((t) => t.to)).toEqual(['healthy']);
    expect(h.state()).toBe('healthy');
    expect(h.stats(EP, 29_000, '1m')).toMatchObject({ count: 30, p50: 200, p95: 200, errorRate: 0 });
  });

  it('is not healthy before the first successful poll, and failing once a window passes without one', () => {
    const h = new FeedHealth(T, 0);
    expect(h.state()).toBe('slow');
    expect(h.reason().rule).toBe('no_success_yet');
    // requests that answer but are not polls (the province list) do not make it healthy
    h.record('getIlList', 1_000, 100, 500, null);
    expect(h.state()).toBe('slow');
    expect(h.evaluate(T.windowMs).map((t) => [t.to, t.rule])).toEqual([['failing', 'no_recent_success']]);
  });

  it('says failing when polls stop succeeding for a window, even with no request failing (nothing is polled)', () => {
    const h = new FeedHealth(T, 0);
    feed(h, 0, 5, 200);
    expect(h.state()).toBe('healthy');
    const t = h.evaluate(4_000 + T.windowMs);
    expect(t.map((x) => [x.endpoint, x.to, x.rule])).toEqual([[null, 'failing', 'no_recent_success']]);
    expect(t[0]!.cause).toMatch(/no successful poll for 60 s/);
    feed(h, 70_000, 1, 200);
    expect(h.state()).toBe('healthy');
  });

  it('turns slow when p95 latency crosses the threshold, and recovers', () => {
    const h = new FeedHealth(T, 0);
    feed(h, 0, 10, 200);
    const slow = feed(h, 10_000, 20, T.slowP95Ms * 5);
    expect(slow.map((t) => [t.endpoint, t.from, t.to])).toEqual([
      [EP, 'healthy', 'slow'],
      [null, 'healthy', 'slow'],
    ]);
    expect(slow[0]!.cause).toMatch(/p95 latency 10000 ms/);
    const back = feed(h, 30_000, 60, 150);
    expect(back.map((t) => t.to)).toEqual(['healthy', 'healthy']);
  });

  it.each([
    ['timeout' as const, 'failing'],
    ['http_5xx' as const, 'failing'],
    ['parse' as const, 'failing'],
  ])('turns %s failures into %s and names the class', (failure, state) => {
    const h = new FeedHealth(T, 0);
    feed(h, 0, 5, 200);
    const t = feed(h, 5_000, 10, 500, failure);
    expect(h.state(EP)).toBe(state);
    expect(t.find((x) => x.to === 'failing')?.cause).toContain(failure);
    expect(h.stats(EP, 15_000, '1m').errors[failure]).toBe(10);
  });

  it('goes paused when nothing succeeds for the pause threshold, and back when a request succeeds', () => {
    const h = new FeedHealth(T, 0);
    feed(h, 0, 3, 200);
    feed(h, 3_000, 10, 10_000, 'timeout', 10_000);
    expect(h.evaluate(2_000 + T.pausedAfterMs + 1_000).map((t) => t.to)).toContain('paused');
    expect(h.state()).toBe('paused');
    feed(h, 200_000, 1, 300);
    expect(h.state(EP)).not.toBe('paused');
    expect(h.state()).not.toBe('paused');
  });

  it('does not keep an endpoint we stopped calling after a failure paused (its calls are no longer needed)', () => {
    const h = new FeedHealth(T, 0);
    feed(h, 0, 3, 200);
    h.record('getSecimSandikSonucList', 3_000, 500, 0, 'timeout');
    // only the aggregates are polled from now on, and they succeed
    for (let at = 4_000; at < 4_000 + T.pausedAfterMs * 2; at += 2_000) {
      h.record('getSecimSonucList', at, 50, 500, null);
      h.pollSucceeded(at);
    }
    expect(h.state('getSecimSandikSonucList')).toBe('healthy');
    expect(h.state()).toBe('healthy');
  });

  it('counts "no successful answer" from when an idle endpoint is called again, not from its last success long ago', () => {
    const h = new FeedHealth(T, 0);
    h.record(EP, 0, 100, 0, null);
    // idle for ten minutes (only aggregates polled), then called again and failing
    const again = 600_000;
    h.record(EP, again, 100, 0, 'http_5xx');
    h.record(EP, again + 1_000, 100, 0, 'http_5xx');
    expect(h.state(EP)).not.toBe('paused');
    for (let at = again + 10_000; at <= again + T.pausedAfterMs; at += 10_000) h.record(EP, at, 100, 0, 'http_5xx');
    expect(h.state(EP)).toBe('paused');
  });

  it('does not call an endpoint paused just because it is called rarely', () => {
    const h = new FeedHealth(T, 0);
    h.record('getIlList', 0, 100, 500, null);
    for (let at = 1_000; at < T.pausedAfterMs * 3; at += 5_000) feed(h, at, 1, 200);
    expect(h.evaluate(T.pausedAfterMs * 3).filter((t) => t.to === 'paused')).toEqual([]);
    expect(h.state('getIlList')).toBe('healthy');
  });

  it('a long Retry-After holds the overall state at paused while it lasts — also once less than the threshold is left', () => {
    const h = new FeedHealth(T, 0);
    feed(h, 0, 5, 200);
    const until = 5_000 + T.pausedAfterMs + 60_000;
    const t = h.hold(until, 5_000);
    expect(t.map((x) => [x.endpoint, x.to, x.rule])).toEqual([[null, 'paused', 'retry_after']]);
    expect(t[0]!.cause).toMatch(/asked us to wait/);
    expect(h.evaluate(until - 10_000)).toEqual([]);
    expect(h.state()).toBe('paused');
    // the wait is over: not healthy until a poll succeeds
    expect(h.evaluate(until + 1).map((x) => [x.to, x.rule])).toEqual([['slow', 'recovering']]);
    feed(h, until + 2_000, 1, 200);
    expect(h.state()).toBe('healthy');
  });

  it('does not flip from paused to healthy while the queue is still paused', () => {
    const h = new FeedHealth(T, 0);
    feed(h, 0, 5, 200);
    h.setSignals({ operatorPaused: { by: 'op', reason: 'YSK maintenance' } }, 5_000);
    expect(h.state()).toBe('paused');
    expect(h.reason().cause).toBe('paused by an operator (op): YSK maintenance');
    // the operator resumes, but the queue is still paused (another node, or BullMQ had not caught up)
    h.setSignals({ operatorPaused: null, queuePaused: true }, 6_000);
    expect(h.state()).toBe('paused');
    // in-flight requests still succeed while the queue is paused: still paused
    feed(h, 7_000, 3, 200);
    expect(h.state()).toBe('paused');
    h.setSignals({ queuePaused: false }, 20_000);
    expect(h.state()).toBe('slow');
    expect(h.reason().rule).toBe('recovering');
    // and a long pause does not read "failing: no poll for 5 minutes" the moment it ends
    h.setSignals({ queuePaused: true }, 21_000);
    h.setSignals({ queuePaused: false }, 21_000 + 5 * 60_000);
    expect(h.reason().rule).toBe('recovering');
    feed(h, 21_000 + 5 * 60_000 + 500, 1, 200);
    expect(h.state()).toBe('healthy');
  });

  it('says failing while Redis is unreachable or sweeps are missing from the queue', () => {
    const h = new FeedHealth(T, 0);
    feed(h, 0, 5, 200);
    expect(h.setSignals({ redisReachable: false }, 5_000).map((t) => [t.to, t.rule])).toEqual([['failing', 'redis_unreachable']]);
    h.setSignals({ redisReachable: true, schedulersMissing: 3 }, 6_000);
    expect(h.reason()).toEqual({ rule: 'schedulers_missing', cause: '3 province sweeps missing from the queue' });
    h.setSignals({ schedulersMissing: 0 }, 7_000);
    feed(h, 8_000, 1, 200);
    expect(h.state()).toBe('healthy');
  });

  it('does not call two failures out of two "failing" before the window has enough samples', () => {
    const h = new FeedHealth(T, 0);
    feed(h, 0, 1, 200);
    feed(h, 1000, 1, 200, 'http_5xx');
    expect(h.state()).toBe('slow');
  });

  it('forgets samples older than 15 minutes', () => {
    const h = new FeedHealth(T, 0);
    feed(h, 0, 10, 200, 'http_5xx');
    feed(h, 16 * 60_000, 5, 100);
    expect(h.stats(EP, 16 * 60_000 + 5_000, '15m').count).toBe(5);
  });
});
