import { Inject, Injectable } from '@nestjs/common';
import { Queue, Worker, type Processor, type QueueOptions, type WorkerOptions } from 'bullmq';
import { APP_CONFIG, type AppConfig } from './config';
import { redisRetry } from './redis-retry';

// What the modules use of BullMQ: its job and queue types, the error that stops retries, and
// @nestjs/bullmq's queue injection (the queue registered in feed.module.ts).
export { UnrecoverableError, type Job, type Queue, type Worker } from 'bullmq';
export { InjectQueue } from '@nestjs/bullmq';

/** The connection of a queue or worker: `fastReconnect` retries at most every 500 ms (redisRetry) instead of ioredis' default up to 2 s. */
export interface JobConnection {
  fastReconnect?: boolean;
}

/**
 * Makes the BullMQ queues and workers on the app's Redis, in the election's key namespace
 * (`gozcu:<election>`, so two elections or two test runs never share jobs). Each queue and
 * worker has its own connections (BullMQ's blocking reads need them); `maxRetriesPerRequest:
 * null` as BullMQ requires. The owner closes what it made.
 */
@Injectable()
export class JobQueues {
  readonly prefix: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.prefix = `gozcu:${config.YSK_ELECTION_ID}`;
  }

  /** Connection and prefix for BullModule.forRootAsync (the queues @nestjs/bullmq registers). */
  options({ fastReconnect = false }: JobConnection = {}): Pick<QueueOptions, 'connection' | 'prefix'> {
    return {
      connection: { url: this.config.REDIS_URL, maxRetriesPerRequest: null, ...(fastReconnect ? { retryStrategy: redisRetry } : {}) },
      prefix: this.prefix,
    };
  }

  queue<T>(name: string, opts: Omit<QueueOptions, 'connection' | 'prefix'> & JobConnection = {}): Queue<T> {
    const { fastReconnect, ...rest } = opts;
    return new Queue<T>(name, { ...rest, ...this.options({ fastReconnect }) });
  }

  worker<T>(name: string, processor: Processor<T>, opts: Omit<WorkerOptions, 'connection' | 'prefix'> & JobConnection = {}): Worker<T> {
    const { fastReconnect, ...rest } = opts;
    return new Worker<T>(name, processor, { ...rest, ...this.options({ fastReconnect }) });
  }

  /** Thrown by a processor after `worker.rateLimit(ms)`: the job goes back to wait, no attempt used. */
  rateLimitError(): Error {
    return Worker.RateLimitError();
  }
}
