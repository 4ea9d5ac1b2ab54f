import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

export const STREAM_LOG = Symbol('STREAM_LOG');

/** One entry of a stream: its id (`<ms>-<n>`, ordered, given by Redis) and its fields. */
export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
}

/** Reads of a stream that wait through a Redis outage (a dedicated connection with an offline queue). */
export interface StreamReader {
  /** the id of the newest entry, null when the stream is empty or gone */
  latestId(stream: string): Promise<string | null>;
  /** the id of the oldest entry still kept, null when the stream is empty or gone */
  firstId(stream: string): Promise<string | null>;
  /** entries after `after`, waiting up to `blockMs` for one; null when none came */
  read(stream: string, after: string, count: number, blockMs: number): Promise<StreamEntry[] | null>;
  close(): void;
}

/** Ordered, kept announcements (Redis streams). Appends and `latestId` fail fast while Redis is down. */
export interface StreamLog {
  /** Appends an entry, trimming the stream to about `maxLen` entries; resolves with its id. */
  append(stream: string, fields: Record<string, string>, maxLen: number): Promise<string>;
  latestId(stream: string): Promise<string | null>;
  /** A reader on its own connection; `name` prefixes its connection warnings. */
  reader(name: string): StreamReader;
}

type RawEntry = [string, string[]];

const entryOf = ([id, flat]: RawEntry): StreamEntry => {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  return { id, fields };
};

async function latestIdOn(conn: Redis, stream: string): Promise<string | null> {
  const last = (await conn.xrevrange(stream, '+', '-', 'COUNT', 1)) as RawEntry[];
  return last[0]?.[0] ?? null;
}

export class RedisStreamLog implements StreamLog {
  private readonly logger = new Logger('StreamLog');

  constructor(private readonly redis: Redis) {}

  async append(stream: string, fields: Record<string, string>, maxLen: number): Promise<string> {
    const id = await this.redis.xadd(stream, 'MAXLEN', '~', String(maxLen), '*', ...Object.entries(fields).flat());
    return id ?? '';
  }

  latestId(stream: string): Promise<string | null> {
    return latestIdOn(this.redis, stream);
  }

  reader(name: string): StreamReader {
    const conn = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    conn.on('error', (e: Error) => this.logger.warn(`${name}: ${e.message}`));
    return {
      latestId: (stream) => latestIdOn(conn, stream),
      firstId: async (stream) => {
        const first = (await conn.xrange(stream, '-', '+', 'COUNT', 1)) as RawEntry[];
        return first[0]?.[0] ?? null;
      },
      read: async (stream, after, count, blockMs) => {
        const res = (await conn.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', stream, after)) as [string, RawEntry[]][] | null;
        return res ? res.flatMap(([, entries]) => entries.map(entryOf)) : null;
      },
      close: () => conn.disconnect(),
    };
  }
}
