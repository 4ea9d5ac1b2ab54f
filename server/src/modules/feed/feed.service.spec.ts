import type { Redis } from 'ioredis';
import type { Clock } from '../../infra/clock';
import type { AppConfig } from '../../infra/config';
import { ChangeBus, type ChangeEvents } from '../../infra/events';
import { strictFake } from '../../infra/strict-fake';
import type { FeedRepository, Incident } from '../store/store.port';
import type { FeedControls } from './feed-controls';
import { FeedService } from './feed.service';
import type { YskClient, YskClientObserver } from './ysk.client';

const T = Date.parse('2024-03-31T19:00:00.000Z');

/** FeedService with strict fakes and the real bus; `call` plays the YSK client reporting a call. */
function setup() {
  const bus = new ChangeBus();
  const events = { calls: [] as Array<ChangeEvents['ysk.call']>, states: [] as Array<ChangeEvents['feed.state']> };
  bus.on('ysk.call', (e) => void events.calls.push(e));
  bus.on('feed.state', (e) => void events.states.push(e));
  let observer: YskClientObserver | null = null;
  const client = strictFake<YskClient>('YskClient', { observe: (o) => void (observer = o) });
  const config = strictFake<AppConfig>('AppConfig', {
    YSK_ELECTION_ID: '2024yerel',
    FEED_SLOW_P95_MS: 800,
    FEED_SLOW_ERROR_RATE: 0.05,
    FEED_FAILING_ERROR_RATE: 0.5,
    FEED_PAUSED_AFTER_MS: 600_000,
    FEED_WINDOW_MS: 60_000,
  });
  let n = 0;
  const store = strictFake<FeedRepository>('FeedRepository', {
    openIncident: async (i) => ({ ...i, id: `inc${++n}`, endedAt: null }) as Incident,
    closeIncident: async () => undefined,
  });
  const controls = strictFake<FeedControls>('FeedControls', { current: { paused: false, pollIntervalMs: 1_000, maxRps: 10 } as FeedControls['current'] });
  const clock = strictFake<Clock>('Clock', { wall: () => T, now: () => T });
  const feed = new FeedService(config, store, strictFake<Redis>('Redis', {}), bus, controls, clock, client, null);
  const call = (outcome: ChangeEvents['ysk.call']['outcome'], latencyMs = 100, bytes = 10) =>
    observer!.onCall({ endpoint: 'getSecimSandikSonucList', outcome, status: outcome === 'ok' ? 200 : null, latencyMs, bytes });
  return { feed, events, call };
}

describe('FeedService: each YSK call and each state change is an event (the metrics listen)', () => {
  it('a call is counted in the totals and emitted as ysk.call', async () => {
    const { feed, events, call } = setup();
    try {
      call('ok', 120, 500);
      call('not_modified', 30, 0);
      expect(events.calls).toEqual([
        { endpoint: 'getSecimSandikSonucList', outcome: 'ok', latencyMs: 120, bytes: 500 },
        { endpoint: 'getSecimSandikSonucList', outcome: 'not_modified', latencyMs: 30, bytes: 0 },
      ]);
      expect(feed.totals).toMatchObject({ requests: 2, bytes: 500, notModified: 1 });
    } finally {
      await feed.onModuleDestroy();
    }
  });

  it('calls that fail turn the endpoint (and the feed) slow, then failing: feed.state events', async () => {
    const { feed, events, call } = setup();
    try {
      for (let i = 0; i < 6; i++) call('timeout', 8_000, 0);
      await new Promise((r) => setImmediate(r));
      expect(events.calls.map((e) => e.outcome)).toEqual(Array(6).fill('timeout'));
      const at = new Date(T).toISOString();
      expect(events.states).toEqual([
        { endpoint: 'getSecimSandikSonucList', state: 'slow', previous: 'healthy', at },
        { endpoint: 'getSecimSandikSonucList', state: 'failing', previous: 'slow', at },
        // the overall state follows: the one `feed.health` also announces
        { endpoint: null, state: 'failing', previous: 'slow', at },
      ]);
    } finally {
      await feed.onModuleDestroy();
    }
  });
});
