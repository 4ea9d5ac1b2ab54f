import type { FeedHealthEvent } from '@gozcu/shared';
import type { AppConfig } from '../../infra/config';
import { ChangeBus } from '../../infra/events';
import type { PubSub } from '../../infra/pubsub';
import type { StreamEntry, StreamLog, StreamReader } from '../../infra/stream-log';
import { strictFake } from '../../infra/strict-fake';
import type { ReconcileService } from '../reconcile/reconcile.service';
import type { VersionsRepository } from '../store/store.port';
import { ChangeReplicator } from './replicator';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls (bounded) until `check` holds. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await sleep(20);
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

/** Redis pub/sub in memory: every subscriber of a channel gets every message, its publisher's too (as in Redis). */
function memoryPubSub(): () => PubSub {
  const channels = new Map<string, Set<(text: string) => void>>();
  return () =>
    strictFake<PubSub>('PubSub', {
      publish: async (channel, text) => {
        for (const handler of channels.get(channel) ?? []) handler(text);
      },
      subscribe: (channel, handler) => {
        const set = channels.get(channel) ?? new Set();
        channels.set(channel, set.add(handler));
        return () => void set.delete(handler);
      },
    });
}

/** Redis streams in memory, ids `<n>-0`; `down` makes appends fail as with Redis unreachable. */
function memoryStreams() {
  const entries = new Map<string, StreamEntry[]>();
  let seq = 0;
  const state = { down: false };
  const of = (stream: string) => entries.get(stream) ?? [];
  const latestId = async (stream: string) => of(stream).at(-1)?.id ?? null;
  const after = (id: string) => (e: StreamEntry) => Number(e.id.split('-')[0]) > Number(id.split('-')[0]);
  const log = () =>
    strictFake<StreamLog>('StreamLog', {
      append: async (stream, fields) => {
        if (state.down) throw new Error('Connection is closed.');
        const id = `${++seq}-0`;
        entries.set(stream, [...of(stream), { id, fields }]);
        return id;
      },
      latestId,
      reader: () =>
        strictFake<StreamReader>('StreamReader', {
          latestId,
          firstId: async (stream) => of(stream)[0]?.id ?? null,
          read: async (stream, from, count) => {
            const found = of(stream).filter(after(from)).slice(0, count);
            if (found.length) return found;
            await sleep(10); // BLOCK
            return null;
          },
          close: () => undefined,
        }),
    });
  return { log, state, entries };
}

const config = strictFake<AppConfig>('AppConfig', { YSK_ELECTION_ID: 'e1' });

function node(pubsub: () => PubSub, streams: () => StreamLog) {
  const bus = new ChangeBus();
  const refreshed: string[][] = [];
  const reconcile = strictFake<ReconcileService>('ReconcileService', {
    isReady: true,
    refresh: async (keys: string[]) => {
      refreshed.push(keys);
      return [];
    },
  });
  const health: (FeedHealthEvent & { replica?: boolean })[] = [];
  bus.on('feed.health', (e) => health.push(e));
  const replicator = new ChangeReplicator(config, pubsub(), streams(), bus, reconcile, strictFake<VersionsRepository>('Store', {}));
  return { bus, refreshed, health, replicator };
}

const healthEvent: FeedHealthEvent = { state: 'failing', previous: 'healthy', endpoint: '/x', at: '2026-06-14T20:00:00.000Z', cause: 'timeouts' };

describe('ChangeReplicator', () => {
  let nodes: ReturnType<typeof node>[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.replicator.onModuleDestroy()));
    nodes = [];
  });

  async function twoNodes() {
    const pubsub = memoryPubSub();
    const streams = memoryStreams();
    nodes = [node(pubsub, streams.log), node(pubsub, streams.log)];
    for (const n of nodes) await n.replicator.onModuleInit();
    return { a: nodes[0], b: nodes[1], streams };
  }

  it('hands a feed health transition to the other nodes as a replica, and ignores its own', async () => {
    const { a, b } = await twoNodes();
    a.bus.emit('feed.health', healthEvent);
    await until(() => b.health.length > 0, 'node B to get the transition');
    expect(b.health).toEqual([{ ...healthEvent, replica: true }]);
    // node A saw only its own emission: its own message on the channel was not re-emitted
    expect(a.health).toEqual([healthEvent]);
    // a replica is not published again (no ping-pong)
    await sleep(50);
    expect(a.health).toHaveLength(1);
    expect(b.health).toHaveLength(1);
  });

  it('announces committed changes in the stream; the other node re-reads those boxes, the announcing node does not', async () => {
    const { a, b, streams } = await twoNodes();
    a.bus.emit('boxes.changed', { changes: [{ key: 'k1' }, { key: 'k2' }] as never, cause: 'ysk' });
    await until(() => b.refreshed.length > 0, 'node B to refresh');
    expect(b.refreshed).toEqual([['k1', 'k2']]);
    expect([...streams.entries.values()][0]).toEqual([{ id: '1-0', fields: { node: a.replicator.node, keys: 'k1,k2' } }]);
    // changes that node B applied as a replica are not announced again
    b.bus.emit('boxes.changed', { changes: [{ key: 'k1' }] as never, cause: 'replica' });
    await sleep(60);
    expect(a.refreshed).toEqual([]);
    expect([...streams.entries.values()][0]).toHaveLength(1);
  });

  it('keeps an announcement Redis refused and writes it once Redis is back', async () => {
    const { a, b, streams } = await twoNodes();
    streams.state.down = true;
    a.bus.emit('boxes.registered', { keys: ['k9'] });
    await until(() => a.replicator.stats.outboxRetries > 0, 'a refused append');
    expect(b.refreshed).toEqual([]);
    streams.state.down = false;
    await until(() => b.refreshed.length > 0, 'the retried announcement'); // the outbox retries every 500 ms
    expect(b.refreshed).toEqual([['k9']]);
  });
});
