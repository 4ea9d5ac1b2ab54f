import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Worker, type Job, type Queue } from 'bullmq';
import type { BallotCode } from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { MetricsService } from '../metrics/metrics.service';
import { backoffDelay } from './backoff';
import { FeedService, type DistrictJob, type SweepJob } from './feed.service';
import { SpecialBoxesService, type SpecialJob } from './special-boxes';
import { YskFetchError } from './ysk.errors';

export const YSK_QUEUE = 'ysk';

type Handlers = {
  discover: (data: Record<string, never>) => Promise<unknown>;
  sweep: (data: SweepJob) => Promise<unknown>;
  district: (data: DistrictJob) => Promise<unknown>;
  special: (data: SpecialJob) => Promise<unknown>;
};

/** Requests-per-second cap as a BullMQ limiter (global across workers, kept in Redis); one job is one request. */
export function limiterFor(rps: number): { max: number; duration: number } {
  return rps >= 1 ? { max: Math.floor(rps), duration: 1000 } : { max: 1, duration: Math.round(1000 / rps) };
}

/**
 * Schedules the YSK poll as BullMQ jobs: one discovery, one job scheduler per ballot type and
 * province (the sweep), and a de-duplicated job per due district. Rate-capped, bounded
 * concurrency, exponential backoff with full jitter, Retry-After honoured for the whole queue.
 */
@Injectable()
export class FeedScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FeedScheduler.name);
  private worker: Worker | null = null;
  private depthTimer: NodeJS.Timeout | undefined;
  private readonly jobOpts: { attempts: number; backoff: { type: string }; removeOnComplete: boolean; removeOnFail: number };
  private readonly handlers: Handlers = {
    discover: () => this.discover(),
    sweep: (data) => this.sweep(data),
    district: (data) => this.feed.pollDistrict(data),
    special: (data) => this.special.poll(data),
  };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(YSK_QUEUE) private readonly queue: Queue,
    private readonly feed: FeedService,
    private readonly metrics: MetricsService,
    private readonly special: SpecialBoxesService,
  ) {
    this.jobOpts = { attempts: config.YSK_MAX_ATTEMPTS, backoff: { type: 'jitter' }, removeOnComplete: true, removeOnFail: 1000 };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.feed.client) {
      this.logger.log('YSK_BASE_URL is not set: the YSK feed is off');
      return;
    }
    if (!this.config.YSK_WORKER) {
      this.logger.log('YSK_WORKER=false: this node serves the API only; poll jobs run on worker nodes');
      return;
    }
    this.worker = new Worker(YSK_QUEUE, (job) => this.process(job), {
      connection: { url: this.config.REDIS_URL, maxRetriesPerRequest: null },
      prefix: this.queue.opts.prefix,
      concurrency: this.config.YSK_CONCURRENCY,
      limiter: limiterFor(this.config.YSK_MAX_RPS),
      settings: { backoffStrategy: (attemptsMade: number) => this.backoff(attemptsMade) },
    });
    this.worker.on('failed', (job, err) => this.logger.warn(`${job?.name} ${JSON.stringify(job?.data)} failed (attempt ${job?.attemptsMade}): ${err.message}`));
    this.worker.on('error', (err) => this.logger.error(`worker: ${err.message}`));
    await this.queue.add('discover', {}, { ...this.jobOpts, jobId: 'discover', attempts: 1_000 });
    this.depthTimer = setInterval(() => void this.sampleDepth(), 5_000);
    this.depthTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.depthTimer);
    await this.worker?.close();
    await this.queue.close();
  }

  private async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as keyof Handlers] as (data: unknown) => Promise<unknown>;
    if (!handler) throw new Error(`unknown job ${job.name}`);
    try {
      return await handler(job.data);
    } catch (err) {
      await this.feed.recordFailure(err, `${job.name} ${JSON.stringify(job.data)}`);
      if (err instanceof YskFetchError && err.retryAfterMs !== null && this.worker) {
        // YSK said when to come back: pause the whole queue (every worker) that long
        const wait = Math.min(err.retryAfterMs, this.config.YSK_BACKOFF_CAP_MS);
        await this.feed.holdUntil(Date.now() + wait);
        await this.worker.rateLimit(wait);
        throw Worker.RateLimitError();
      }
      throw err;
    }
  }

  private backoff(attemptsMade: number): number {
    const delay = backoffDelay(attemptsMade - 1, Math.random, { baseMs: this.config.YSK_BACKOFF_BASE_MS, capMs: this.config.YSK_BACKOFF_CAP_MS });
    void this.feed.holdUntil(Date.now() + delay);
    return delay;
  }

  /** Learns provinces and districts, then starts one job scheduler per ballot type and province. */
  private async discover(): Promise<{ schedulers: number }> {
    let schedulers = 0;
    for (const ballot of this.config.YSK_BALLOT_TYPES) {
      const provinces = await this.feed.discoverProvinces(ballot);
      for (const province of provinces) {
        await this.queue.upsertJobScheduler(
          `sweep:${ballot}:${province}`,
          { every: this.config.YSK_POLL_INTERVAL_MS },
          { name: 'sweep', data: { ballot, province } satisfies SweepJob, opts: { ...this.jobOpts, attempts: 1 } },
        );
        schedulers++;
      }
    }
    schedulers += await this.scheduleSpecial();
    this.logger.log(`YSK feed: ${schedulers} sweeps every ${this.config.YSK_POLL_INTERVAL_MS} ms over ballot types ${this.config.YSK_BALLOT_TYPES.join(', ')}`);
    return { schedulers };
  }

  /** One job scheduler per box kind (prison, customs, abroad) and general-election ballot type: see SpecialBoxesService. */
  private async scheduleSpecial(): Promise<number> {
    const jobs = this.special.jobs();
    for (const job of jobs) {
      await this.queue.upsertJobScheduler(
        `special:${job.ballot}:${job.kind}`,
        { every: this.config.YSK_POLL_INTERVAL_MS },
        { name: 'special', data: job, opts: { ...this.jobOpts, attempts: 1 } },
      );
    }
    return jobs.length;
  }

  /** Enqueues the province's due districts; a district already queued or running is not queued again. */
  private async sweep(job: SweepJob): Promise<{ queued: number }> {
    const due = await this.feed.dueDistricts(job);
    await this.queue.addBulk(
      due.map((district) => ({
        name: 'district',
        data: { ballot: job.ballot as BallotCode, province: job.province, district } satisfies DistrictJob,
        opts: { ...this.jobOpts, jobId: `district:${job.ballot}:${district}` },
      })),
    );
    return { queued: due.length };
  }

  private async sampleDepth(): Promise<void> {
    const counts = await this.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized').catch(() => null);
    if (!counts) return;
    for (const [state, n] of Object.entries(counts)) this.metrics.queueDepth.set({ state }, n);
  }

  async depth(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'failed');
  }
}
