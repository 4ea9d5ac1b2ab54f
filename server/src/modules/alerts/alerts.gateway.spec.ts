import type { AlertEvent } from '@gozcu/shared';
import type { AppConfig } from '../../infra/config';
import type { PubSub } from '../../infra/pubsub';
import { strictFake } from '../../infra/strict-fake';
import type { LiveServer } from '../live/live.gateway';
import { AlertsGateway } from './alerts.gateway';

/** Two nodes' gateways on one in-memory pub/sub (every subscriber gets every message, as in Redis); each records its socket emissions. */
function twoNodes() {
  const handlers = new Map<string, Set<(text: string) => void>>();
  const published: { channel: string; text: string }[] = [];
  const pubsub = strictFake<PubSub>('PubSub', {
    publish: async (channel, text) => {
      published.push({ channel, text });
      for (const h of handlers.get(channel) ?? []) h(text);
    },
    subscribe: (channel, handler) => {
      const set = handlers.get(channel) ?? new Set();
      handlers.set(channel, set.add(handler));
      return () => void set.delete(handler);
    },
  });
  const config = strictFake<AppConfig>('AppConfig', { YSK_ELECTION_ID: 'e1' });
  const node = () => {
    const emitted: { room: string; event: string; payload: unknown }[] = [];
    const gateway = new AlertsGateway(config, pubsub);
    gateway.server = strictFake<LiveServer>('LiveServer', {
      to: ((room: string) => ({ emit: (event: string, payload: unknown) => emitted.push({ room, event, payload }) })) as never,
    });
    gateway.onModuleInit();
    return { gateway, emitted };
  };
  return { a: node(), b: node(), handlers, published };
}

const event = { type: 'new', alert: { id: 'al1' } } as unknown as AlertEvent;

describe('AlertsGateway across nodes', () => {
  it("emits an alert to its user's room here, and every other node emits it to its own sockets of that user once", async () => {
    const { a, b, published } = twoNodes();
    a.gateway.toUser('u1', event);
    await new Promise((r) => setImmediate(r));
    expect(published.map((p) => p.channel)).toEqual(['gozcu:alerts:e1']);
    // node A: its own emission only (its own message on the channel is not emitted again)
    expect(a.emitted).toEqual([{ room: 'user:u1', event: 'alert', payload: event }]);
    expect(b.emitted).toEqual([{ room: 'user:u1', event: 'alert', payload: event }]);
  });

  it('ignores what is not JSON, and stops listening when destroyed', async () => {
    const { a, b, handlers } = twoNodes();
    for (const h of handlers.get('gozcu:alerts:e1') ?? []) h('not json');
    expect(a.emitted).toEqual([]);
    b.gateway.onModuleDestroy();
    a.gateway.toUser('u1', event);
    await new Promise((r) => setImmediate(r));
    expect(b.emitted).toEqual([]);
    expect(handlers.get('gozcu:alerts:e1')?.size).toBe(1);
  });
});
