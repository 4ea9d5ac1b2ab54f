import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { BallotCode } from '@gozcu/shared';
import { Clock } from '../../infra/clock';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { InjectQueue, JobQueues, type Job, type Queue, type Worker } from '../../infra/job-queue';
import { MetricsService } from '../metrics/metrics.service';
import { backoffDelay } from './backoff';
import { FeedControls, type FeedControlsState } from './feed-controls';
import { FeedReport } from './feed-report.service';
import { FeedDiscovery } from './feed-discovery.service';
import { FeedPoller, type DistrictJob, type DueJob, type SweepJob } from './feed-poller.service';
import { FeedService, withTimeout } from './feed.service';
import { GateClosedError } from './rate-gate';
import { SpecialBoxesService, type SpecialJob } from './special-boxes';
import { YskFetchError } from './ysk.errors';

export const YSK_QUEUE = 'ysk';

/** A repeating job: one per ballot type and province (the sweep), one per special box kind and ballot type. */
interface ScheduledJob {
  id: string;
  name: keyof Handlers;
  data: unknown;
  /** attempts of each run (default 3: a failed sweep is retried once or twice right away) */
  attempts?: number;
}

type Handlers = {
  discover: (data: Record<string, never>) => Promise<unknown>;
  sweep: (data: SweepJob) => Promise<unknown>;
  district: (data: DistrictJob) => Promise<unknown>;
  special: (data: SpecialJob) => Promise<unknown>;
};

/** How often the queue, Redis and the schedulers are checked, and this worker's health published. */
const SIGNALS_MS = 1_000;
/** How often the published health also goes to the store (the fallback when Redis is gone). */
const STORE_SNAPSHOT_MS = 5_000;
/** A Redis command of the checks that takes longer than this counts as Redis not answering. */
const REDIS_CHECK_TIMEOUT_MS = 800;

/**
 * Schedules the YSK poll as BullMQ jobs: one discovery, one job scheduler per ballot type and
 * province (the sweep: its aggregates), and a de-duplicated, prioritized job per due district.
 *
 * Redis is not the source of truth for schedules: the list of sweeps comes from discovery (kept
 * here), and on every (re)connect of the queue's Redis, and by a watchdog every poll interval,
 * the job schedulers are rebuilt (`upsertJobScheduler`) and an operator's pause re-applied — so a
 * Redis that restarted empty has the feed polling again within one poll interval.
 *
 * Every request passes the feed's rate gate (the cap, shared through Redis); Retry-After holds
 * every worker; failed jobs retry with full-jitter backoff.
 */
/**
 * A district job's id: one per district and ballot type, so a district already queued or running
 * is not queued twice; `again` (its aggregate moved while it ran) is a second id. BullMQ refuses a
 * custom id with a ':' unless it has exactly three ':'-separated parts.
 */
export function districtJobId(ballot: BallotCode, district: number, again = false): string {
  return `district:${ballot}:${district}${again ? '-again' : ''}`;
}

@Injectable()
export class FeedScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FeedScheduler.name);
  private worker: Worker | null = null;
  private timers: NodeJS.Timeout[] = [];
  private readonly jobOpts: { attempts: number; backoff: { type: string }; removeOnComplete: boolean; removeOnFail: number };
  /** the job schedulers there should be (every one repeats each poll interval): from discovery, null until it ran */
  private expected: ScheduledJob[] | null = null;
  private readonly appliedResweeps = new Set<string>();
  private rebuilding: Promise<void> | null = null;
  private lastStoreSnapshot = 0;
  private stopping = false;
  /** when the queue's Redis last became ready again, and when the first poll succeeded after it */
  readonly recovery = { readyAt: null as number | null, schedulersAt: null as number | null, reconnects: 0 };
  private readonly handlers: Handlers = {
    discover: () => this.discover(),
    sweep: (data) => this.sweep(data),
    district: (data) => this.district(data),
    special: (data) => this.special.poll(data),
  };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(YSK_QUEUE) private readonly queue: Queue,
    private readonly feed: FeedService,
    private readonly discovery: FeedDiscovery,
    private readonly poller: FeedPoller,
    private readonly controls: FeedControls,
    private readonly metrics: MetricsService,
    private readonly special: SpecialBoxesService,
    private readonly report: FeedReport,
    private readonly clock: Clock,
    private readonly jobs: JobQueues,
  ) {
    this.jobOpts = { attempts: config.YSK_MAX_ATTEMPTS, backoff: { type: 'jitter' }, removeOnComplete: true, removeOnFail: 1000 };
  }

  async onApplicationBootstrap(): Promise<void> {
    // the queue's connection errors while Redis is down: one line per outage, not one per retry
    let lastError = 0;
    this.queue.on('error', (err: Error) => {
      if (this.clock.wall() - lastError > 30_000) this.logger.warn(`queue: ${err.message}`);
      lastError = this.clock.wall();
    });
    await this.controls.load();
    if (!this.feed.client) {
      this.logger.log('YSK_BASE_URL is not set: the YSK feed is off');
      return;
    }
    if (!this.config.YSK_WORKER) {
      this.logger.log('YSK_WORKER=false: this node serves the API only; poll jobs run on worker nodes');
      return;
    }
    this.worker = this.jobs.worker(YSK_QUEUE, (job) => this.process(job), {
      fastReconnect: true,
      concurrency: this.config.YSK_CONCURRENCY,
      settings: { backoffStrategy: (attemptsMade: number) => this.backoff(attemptsMade) },
    });
    this.worker.on('failed', (job, err) => {
      if (!(err instanceof GateClosedError))
        this.logger.warn(`${job?.name} ${JSON.stringify(job?.data)} failed (attempt ${job?.attemptsMade}): ${err.message}`);
    });
    let lastWorkerError = 0;
    this.worker.on('error', (err) => {
      if (this.clock.wall() - lastWorkerError > 30_000) this.logger.error(`worker: ${err.message}`);
      lastWorkerError = this.clock.wall();
    });
    this.controls.onChange((next, prev) => void this.onControls(next, prev));
    // every (re)connect of the queue's Redis: rebuild what Redis may have lost
    const client = await this.redisClient();
    client.on('ready', () => {
      this.recovery.readyAt = this.clock.wall();
      this.recovery.reconnects++;
      void this.rebuild('Redis (re)connected');
    });
    await this.rebuild('start');
    this.every(SIGNALS_MS, () => this.signals());
    this.every(Math.max(500, Math.min(this.controls.current.pollIntervalMs, 5_000)), () => this.watchdog());
    for (const r of this.controls.current.resweeps) this.appliedResweeps.add(r.id);
  }

  private every(ms: number, fn: () => Promise<void>): void {
    let running = false;
    const t = setInterval(() => {
      if (running || this.stopping) return;
      running = true;
      fn()
        .catch((e: Error) => this.logger.warn(e.message))
        .finally(() => (running = false));
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.feed.gate.close();
    await this.worker?.close();
    await this.queue.close();
  }

  private async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as keyof Handlers] as (data: unknown) => Promise<unknown>;
    if (!handler) throw new Error(`unknown job ${job.name}`);
    try {
      return await handler(job.data);
    } catch (err) {
      if (err instanceof GateClosedError) throw err;
      await this.feed.recordFailure(err, `${job.name} ${JSON.stringify(job.data)}`);
      if (err instanceof YskFetchError && err.retryAfterMs !== null && this.worker) {
        // YSK said when to come back: hold every request and pause taking jobs that long
        const wait = Math.min(err.retryAfterMs, this.config.YSK_BACKOFF_CAP_MS);
        await this.feed.holdUntil(this.clock.wall() + wait);
        await this.feed.gate.hold(wait);
        await this.worker.rateLimit(wait);
        throw this.jobs.rateLimitError();
      }
      throw err;
    }
  }

  private backoff(attemptsMade: number): number {
    const delay = backoffDelay(attemptsMade - 1, Math.random, { baseMs: this.config.YSK_BACKOFF_BASE_MS, capMs: this.config.YSK_BACKOFF_CAP_MS });
    void this.feed.holdUntil(this.clock.wall() + delay);
    return delay;
  }

  /** Learns provinces and districts, then (re)builds one job scheduler per ballot type and province. */
  private async discover(): Promise<{ schedulers: number }> {
    const expected: ScheduledJob[] = [];
    for (const ballot of this.config.YSK_BALLOT_TYPES) {
      for (const province of await this.discovery.discoverProvinces(ballot))
        expected.push({ id: `sweep:${ballot}:${province}`, name: 'sweep', data: { ballot, province } satisfies SweepJob });
    }
    // prison, customs and abroad boxes: one nationwide poll per kind and general-election ballot type (SpecialBoxesService)
    const special = this.special
      .jobs()
      .map((job): ScheduledJob => ({ id: `special:${job.ballot}:${job.kind}`, name: 'special', data: job satisfies SpecialJob, attempts: 1 }));
    this.expected = [...expected, ...special];
    await this.upsertSchedulers();
    this.logger.log(
      `YSK feed: ${expected.length} sweeps${special.length ? ` and ${special.length} special-box polls` : ''} every ${this.controls.current.pollIntervalMs} ms over ballot types ${this.config.YSK_BALLOT_TYPES.join(', ')}`,
    );
    return { schedulers: this.expected.length };
  }

  private async upsertSchedulers(): Promise<void> {
    for (const s of this.expected ?? []) {
      // a failed sweep is retried once or twice right away (after the backoff), not an interval later
      await this.queue.upsertJobScheduler(
        s.id,
        { every: this.controls.current.pollIntervalMs },
        { name: s.name, data: s.data, opts: { ...this.jobOpts, attempts: s.attempts ?? 3 } },
      );
    }
    this.recovery.schedulersAt = this.clock.wall();
    this.feed.setSignals({ schedulersMissing: 0 });
  }

  /**
   * Rebuilds what lives in Redis from what does not: the operator's pause (the store), the job
   * schedulers (discovery), or discovery itself when it never finished. Idempotent.
   */
  private rebuild(why: string): Promise<void> {
    this.rebuilding ??= (async () => {
      try {
        if (this.controls.current.paused) await this.queue.pause();
        else if (await this.queue.isPaused()) await this.queue.resume();
        if (this.expected) await this.upsertSchedulers();
        else await this.queue.add('discover', {}, { ...this.jobOpts, jobId: 'discover', attempts: 1_000 });
        if (why !== 'start') this.logger.warn(`YSK feed: ${why}: ${this.expected?.length ?? 0} sweeps rebuilt${this.expected ? '' : ', discovery queued'}`);
      } catch (e) {
        this.logger.warn(`YSK feed: rebuild after "${why}" failed (${(e as Error).message}); the watchdog retries`);
      } finally {
        this.rebuilding = null;
      }
    })();
    return this.rebuilding;
  }

  /** Every poll interval: are the sweeps still scheduled? (Redis may have restarted empty without us noticing a reconnect.) */
  private async watchdog(): Promise<void> {
    if (!this.expected || this.controls.current.paused) return;
    const count = await withTimeout(this.queue.getJobSchedulersCount(), REDIS_CHECK_TIMEOUT_MS).catch(() => null);
    if (count === null) return;
    if (count < this.expected.length) {
      this.feed.setSignals({ schedulersMissing: this.expected.length - count });
      await this.rebuild(`${this.expected.length - count} sweeps missing`);
    }
  }

  /** Samples the queue and Redis for the health state, and publishes this worker's health. */
  private async signals(): Promise<void> {
    const client = await this.redisClient();
    const reachable =
      client.status === 'ready' &&
      (await withTimeout(client.ping(), REDIS_CHECK_TIMEOUT_MS).then(
        () => true,
        () => false,
      ));
    const queuePaused = reachable ? await withTimeout(this.queue.isPaused(), REDIS_CHECK_TIMEOUT_MS).catch(() => null) : null;
    this.feed.setSignals({
      redisReachable: reachable,
      operatorPaused: this.controls.current.paused ? { by: this.controls.current.pausedBy, reason: this.controls.current.reason } : null,
      ...(queuePaused !== null ? { queuePaused } : {}),
    });
    const now = this.clock.wall();
    const toStore = now - this.lastStoreSnapshot >= STORE_SNAPSHOT_MS;
    if (toStore) this.lastStoreSnapshot = now;
    await this.report.publishSnapshot(toStore);
    const counts = reachable
      ? await withTimeout(this.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized'), REDIS_CHECK_TIMEOUT_MS).catch(() => null)
      : null;
    if (counts) for (const [state, n] of Object.entries(counts)) this.metrics.queueDepth.set({ state }, n);
  }

  /**
   * One district refresh. When its aggregate moved again meanwhile (a sweep ran while this job
   * did, and could not queue it: its id was taken), it is queued again at once, under a second id.
   */
  private async district(job: DistrictJob): Promise<unknown> {
    const out = await this.poller.pollDistrict(job);
    const again = out.again ? this.poller.dueAgain(job) : null;
    if (again) await this.enqueue(job.ballot, job.province, [again], true);
    return out;
  }

  /** Enqueues the province's due districts; a district already queued or running is not queued again. */
  private async sweep(job: SweepJob): Promise<{ queued: number }> {
    const due = await this.poller.sweep(job);
    await this.enqueue(job.ballot, job.province, due);
    return { queued: due.length };
  }

  private async enqueue(ballot: BallotCode, province: number, due: DueJob[], again = false): Promise<void> {
    if (!due.length) return;
    await this.queue.addBulk(
      due.map((d) => ({
        name: 'district',
        data: { ballot, province, district: d.district, kind: d.kind } satisfies DistrictJob,
        // a failed district job is dropped (its failure is an incident): a kept one would block its id
        opts: { ...this.jobOpts, removeOnFail: true, priority: d.priority, jobId: districtJobId(ballot, d.district, again) },
      })),
    );
  }

  /** Applies a change of the operator's controls (from this node's API or from the store). */
  private async onControls(next: FeedControlsState, prev: FeedControlsState): Promise<void> {
    try {
      if (next.paused !== prev.paused) {
        if (next.paused) await this.queue.pause();
        else await this.queue.resume();
        this.feed.setSignals({ operatorPaused: next.paused ? { by: next.pausedBy, reason: next.reason } : null, queuePaused: next.paused });
        this.logger.warn(`YSK feed ${next.paused ? `paused by ${next.pausedBy ?? 'an operator'}${next.reason ? `: ${next.reason}` : ''}` : 'resumed'}`);
      }
      if (next.pollIntervalMs !== prev.pollIntervalMs && this.expected) {
        await this.upsertSchedulers();
        this.logger.warn(`YSK feed: poll interval now ${next.pollIntervalMs} ms`);
      }
      for (const r of next.resweeps) {
        if (this.appliedResweeps.has(r.id)) continue;
        this.appliedResweeps.add(r.id);
        await this.resweep(r.province, r.ballot);
      }
    } catch (e) {
      this.logger.warn(`feed controls not applied yet: ${(e as Error).message}`);
    }
  }

  /** Queues every district of a province for a whole-list fetch, first in line. */
  async resweep(province: number, ballot: BallotCode | null): Promise<number> {
    let queued = 0;
    for (const { ballot: b, jobs } of await this.poller.resweep(province, ballot)) {
      await this.enqueue(b, province, jobs);
      queued += jobs.length;
    }
    this.logger.warn(`YSK feed: resweep of province ${province}${ballot ? ` (ballot ${ballot})` : ''}: ${queued} districts queued`);
    return queued;
  }

  /** The queue's own ioredis connection (BullMQ reconnects it; its `ready` marks every reconnect). */
  private async redisClient(): Promise<{ status: string; on(event: 'ready', fn: () => void): unknown; ping(): Promise<unknown> }> {
    return (await this.queue.getBackend().client) as unknown as { status: string; on(event: 'ready', fn: () => void): unknown; ping(): Promise<unknown> };
  }

  async depth(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'failed');
  }

  /** For the API: the schedulers there are and should be. */
  async schedulers(): Promise<{ expected: number | null; present: number | null }> {
    const present = await withTimeout(this.queue.getJobSchedulersCount(), REDIS_CHECK_TIMEOUT_MS).catch(() => null);
    return { expected: this.expected?.length ?? null, present };
  }
}
