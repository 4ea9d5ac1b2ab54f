import { ChangeBus } from '../../infra/events';
import { FeedMetrics } from './feed-metrics.listener';
import { MetricsService } from './metrics.service';

/** The real bus and the real registry: what the feed emits is what /metrics shows. */
function setup() {
  const bus = new ChangeBus();
  const metrics = new MetricsService();
  const listener = new FeedMetrics(bus, metrics);
  listener.onModuleInit();
  return { bus, metrics, listener };
}

const valueOf = async (metric: { get(): Promise<{ values: Array<{ labels: object; value: number; metricName?: string }> }> }, labels: object, name?: string) =>
  (await metric.get()).values.find((v) => (!name || v.metricName === name) && JSON.stringify(v.labels) === JSON.stringify(labels))?.value;

describe('FeedMetrics: the feed metrics listen to its events', () => {
  it('a YSK call: its request by outcome, its bytes, and its latency as ok or error', async () => {
    const { bus, metrics } = setup();
    bus.emit('ysk.call', { endpoint: 'getIlList', outcome: 'ok', latencyMs: 250, bytes: 1000 });
    bus.emit('ysk.call', { endpoint: 'getIlList', outcome: 'not_modified', latencyMs: 50, bytes: 0 });
    bus.emit('ysk.call', { endpoint: 'getIlList', outcome: 'timeout', latencyMs: 8000, bytes: 0 });
    expect(await valueOf(metrics.yskRequests, { endpoint: 'getIlList', outcome: 'ok' })).toBe(1);
    expect(await valueOf(metrics.yskRequests, { endpoint: 'getIlList', outcome: 'not_modified' })).toBe(1);
    expect(await valueOf(metrics.yskRequests, { endpoint: 'getIlList', outcome: 'timeout' })).toBe(1);
    expect(await valueOf(metrics.yskBytes, { endpoint: 'getIlList' })).toBe(1000);
    const latency = 'gozcu_ysk_request_duration_seconds';
    expect(await valueOf(metrics.yskLatency, { endpoint: 'getIlList', outcome: 'ok' }, `${latency}_count`)).toBe(2);
    expect(await valueOf(metrics.yskLatency, { endpoint: 'getIlList', outcome: 'ok' }, `${latency}_sum`)).toBeCloseTo(0.3);
    expect(await valueOf(metrics.yskLatency, { endpoint: 'getIlList', outcome: 'error' }, `${latency}_sum`)).toBe(8);
  });

  it('versions stored: first and revised counted (a YSK-derived metric: on the YSK registry only)', async () => {
    const { bus, metrics } = setup();
    bus.emit('versions.stored', { first: 3, revised: 0 });
    bus.emit('versions.stored', { first: 1, revised: 2 });
    expect(await valueOf(metrics.versionsStored, { kind: 'first' })).toBe(4);
    expect(await valueOf(metrics.versionsStored, { kind: 'revised' })).toBe(2);
    expect(await metrics.yskRegistry.getSingleMetricAsString('gozcu_versions_stored_total')).toMatch(/kind="revised"} 2/);
    expect(metrics.registry.getSingleMetric('gozcu_versions_stored_total')).toBeUndefined();
  });

  it("a state change sets the endpoint's gauge (overall: endpoint \"\"); another node's re-emitted feed.health is not this node's", async () => {
    const { bus, metrics } = setup();
    bus.emit('feed.state', { endpoint: 'getSecimSandikSonucList', state: 'failing', previous: 'healthy', at: '2026-11-28T19:00:00.000Z' });
    bus.emit('feed.state', { endpoint: null, state: 'slow', previous: 'healthy', at: '2026-11-28T19:00:00.000Z' });
    bus.emit('feed.health', { state: 'paused', previous: 'healthy', endpoint: null, at: '2026-11-28T19:00:01.000Z', cause: 'node B', replica: true });
    expect(await valueOf(metrics.feedState, { endpoint: 'getSecimSandikSonucList' })).toBe(2);
    expect(await valueOf(metrics.feedState, { endpoint: '' })).toBe(1);
  });

  it('unsubscribes at shutdown', async () => {
    const { bus, metrics, listener } = setup();
    listener.onModuleDestroy();
    bus.emit('ysk.call', { endpoint: 'getIlList', outcome: 'ok', latencyMs: 1, bytes: 1 });
    expect(await valueOf(metrics.yskRequests, { endpoint: 'getIlList', outcome: 'ok' })).toBeUndefined();
  });
});
