import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { RedisPubSub } from './pubsub';
import { RedisStreamLog } from './stream-log';

const url = process.env.REDIS_URL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await sleep(20);
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

if (!url) {
  describe('Redis pub/sub and streams', () => {
    it('has a Redis to run against', () => {
      throw new Error('no Redis: run through scripts/with-redis.mjs (npm test) or set REDIS_URL');
    });
  });
} else {
  describe('RedisPubSub', () => {
    let redis: Redis;
    let pubsub: RedisPubSub;
    beforeEach(() => {
      redis = new Redis(url, { maxRetriesPerRequest: 1 });
      pubsub = new RedisPubSub(redis);
    });
    afterEach(() => {
      pubsub.close();
      redis.disconnect();
    });

    it('delivers a message to every handler of its channel only, until unsubscribed', async () => {
      const channel = `t:${randomUUID()}`;
      const got: string[] = [];
      const other: string[] = [];
      const off = pubsub.subscribe(channel, (t) => got.push(`1:${t}`));
      const off2 = pubsub.subscribe(channel, (t) => got.push(`2:${t}`));
      pubsub.subscribe(`${channel}:other`, (t) => other.push(t));
      await sleep(100); // the SUBSCRIBE is not awaited by subscribe()
      await pubsub.publish(channel, 'hello');
      await until(() => got.length === 2, 'both handlers');
      expect(got.sort()).toEqual(['1:hello', '2:hello']);
      off();
      await pubsub.publish(channel, 'again');
      await until(() => got.length === 3, 'the remaining handler');
      expect(got[2]).toBe('2:again');
      off2();
      await sleep(100);
      // no handler left: the channel was unsubscribed in Redis
      expect(await redis.pubsub('NUMSUB', channel)).toEqual([channel, 0]);
      expect(other).toEqual([]);
    });

    it('subscribes without waiting when Redis is unreachable, and rejects a publish', async () => {
      const down = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
      const offline = new RedisPubSub(down);
      try {
        const off = offline.subscribe('t', () => undefined);
        expect(typeof off).toBe('function');
        await expect(offline.publish('t', 'x')).rejects.toThrow();
      } finally {
        offline.close();
        down.disconnect();
      }
    });
  });

  describe('RedisStreamLog', () => {
    it('appends in order, reads after an id, and reports the first and latest ids', async () => {
      const redis = new Redis(url, { maxRetriesPerRequest: 1 });
      const log = new RedisStreamLog(redis);
      const reader = log.reader('test reader');
      const stream = `t:${randomUUID()}`;
      try {
        expect(await log.latestId(stream)).toBeNull();
        expect(await reader.firstId(stream)).toBeNull();
        const a = await log.append(stream, { node: 'n1', keys: 'k1,k2' }, 1000);
        const b = await log.append(stream, { node: 'n2', keys: 'k3' }, 1000);
        expect(await log.latestId(stream)).toBe(b);
        expect(await reader.latestId(stream)).toBe(b);
        expect(await reader.firstId(stream)).toBe(a);
        expect(await reader.read(stream, '0-0', 10, 100)).toEqual([
          { id: a, fields: { node: 'n1', keys: 'k1,k2' } },
          { id: b, fields: { node: 'n2', keys: 'k3' } },
        ]);
        expect(await reader.read(stream, a, 10, 100)).toEqual([{ id: b, fields: { node: 'n2', keys: 'k3' } }]);
        // nothing after the last one: blocks for blockMs, then null
        expect(await reader.read(stream, b, 10, 50)).toBeNull();
      } finally {
        await redis.del(stream);
        reader.close();
        redis.disconnect();
      }
    });
  });
}
