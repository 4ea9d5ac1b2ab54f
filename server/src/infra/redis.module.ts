import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from './config';
import { JobQueues } from './job-queue';
import { PUBSUB, RedisPubSub } from './pubsub';
import { redisRetry } from './redis-retry';
import { RedisStreamLog, STREAM_LOG } from './stream-log';

export const REDIS = Symbol('REDIS');

/** The client type of REDIS, for the modules that are handed it (sessions, health, the feed's gate and report). */
export type { Redis as RedisClient } from 'ioredis';

/**
 * One shared ioredis connection for commands (health, rate limits, sessions), and on it the
 * pub/sub (PUBSUB), the streams (STREAM_LOG) and the job queues' factory (JobQueues).
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new Redis(config.REDIS_URL, {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          lazyConnect: false,
          retryStrategy: redisRetry,
        }),
    },
    { provide: PUBSUB, inject: [REDIS], useFactory: (redis: Redis) => new RedisPubSub(redis) },
    { provide: STREAM_LOG, inject: [REDIS], useFactory: (redis: Redis) => new RedisStreamLog(redis) },
    JobQueues,
  ],
  exports: [REDIS, PUBSUB, STREAM_LOG, JobQueues],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PUBSUB) private readonly pubsub: RedisPubSub,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.pubsub.close();
    this.redis.disconnect();
  }
}
