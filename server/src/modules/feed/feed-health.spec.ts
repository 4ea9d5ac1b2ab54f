import { DEFAULT_THRESHOLDS, FeedHealth, type Transition } from './feed-health';

const T = DEFAULT_THRESHOLDS;
const EP = 'getSecimSandikSonucList';

function feed(h: FeedHealth, from: number, n: number, ms: number, failure: Parameters<FeedHealth['record']>[4] = null, step = 1000): Transition[] {
  const out: Transition[] = [];
  for (let i = 0; i < n; i++) out.push(...h.record(EP, from + i * step, ms, 1000, failure));
  return out;
}

describe('FeedHealth', () => {
  it('stays healthy on fast successful requests', () => {
    const h = new FeedHealth();
    expect(feed(h, 0, 30, 200)).toEqual([]);
    expect(h.state()).toBe('healthy');
    expect(h.stats(EP, 29_000, '1m')).toMatchObject({ count: 30, p50: 200, p95: 200, errorRate: 0 });
  });

  it('turns slow when p95 latency crosses the threshold, and recovers', () => {
    const h = new FeedHealth();
    feed(h, 0, 10, 200);
    const slow = feed(h, 10_000, 20, T.slowP95Ms * 5);
    expect(slow.map((t) => [t.endpoint, t.from, t.to])).toEqual([
      [EP, 'healthy', 'slow'],
      [null, 'healthy', 'slow'],
    ]);
    expect(slow[0].cause).toMatch(/p95 latency 10000 ms/);
    const back = feed(h, 100_000, 60, 150);
    expect(back.map((t) => t.to)).toEqual(['healthy', 'healthy']);
  });

  it.each([
    ['timeout' as const, 'failing'],
    ['http_5xx' as const, 'failing'],
    ['parse' as const, 'failing'],
  ])('turns %s failures into %s and names the class', (failure, state) => {
    const h = new FeedHealth();
    feed(h, 0, 5, 200);
    const t = feed(h, 5_000, 10, 500, failure);
    expect(h.state(EP)).toBe(state);
    expect(t.find((x) => x.to === 'failing')?.cause).toContain(failure);
    expect(h.stats(EP, 15_000, '1m').errors[failure]).toBe(10);
  });

  it('goes paused when nothing succeeds for the pause threshold, and back when a request succeeds', () => {
    const h = new FeedHealth();
    feed(h, 0, 3, 200);
    feed(h, 3_000, 10, 10_000, 'timeout', 10_000);
    expect(h.evaluate(2_000 + T.pausedAfterMs + 1_000).map((t) => t.to)).toContain('paused');
    expect(h.state()).toBe('paused');
    feed(h, 200_000, 1, 300);
    expect(h.state(EP)).not.toBe('paused');
  });

  it('does not call an endpoint paused just because it is called rarely', () => {
    const h = new FeedHealth();
    h.record('getIlList', 0, 100, 500, null);
    feed(h, 1_000, 5, 200);
    expect(h.evaluate(T.pausedAfterMs * 3).filter((t) => t.to === 'paused')).toEqual([]);
    expect(h.state('getIlList')).toBe('healthy');
  });

  it('a long Retry-After holds the overall state at paused while it lasts', () => {
    const h = new FeedHealth();
    feed(h, 0, 5, 200);
    const t = h.hold(5_000 + T.pausedAfterMs + 60_000, 5_000);
    expect(t.map((x) => [x.endpoint, x.to])).toEqual([[null, 'paused']]);
    expect(t[0].cause).toMatch(/asked us to wait/);
    const after = 5_000 + T.pausedAfterMs + 61_000;
    feed(h, after, 1, 200);
    expect(h.state()).toBe('healthy');
  });

  it('does not call two failures out of two "failing" before the window has enough samples', () => {
    const h = new FeedHealth();
    feed(h, 0, 1, 200);
    feed(h, 1000, 1, 200, 'http_5xx');
    expect(h.state()).toBe('slow');
  });

  it('forgets samples older than 15 minutes', () => {
    const h = new FeedHealth();
    feed(h, 0, 10, 200, 'http_5xx');
    feed(h, 16 * 60_000, 5, 100);
    expect(h.stats(EP, 16 * 60_000 + 5_000, '15m').count).toBe(5);
  });
});
