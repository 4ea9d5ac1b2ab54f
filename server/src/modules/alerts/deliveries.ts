import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createHash, createHmac } from 'node:crypto';
import type { DeadLetter } from '@gozcu/shared';
import { ALERT_TRANSPORTS, type AlertTransports } from '../../infra/alert-transports';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { JobQueues, UnrecoverableError, type Job, type Queue, type Worker } from '../../infra/job-queue';
import { AuditService } from '../audit/audit.service';
import { STORE, type PushSubscriptionRecord, type AlertsRepository } from '../store/store.port';
import { VAPID_KEYS, type VapidKeys } from './vapid';

export const ALERT_QUEUE = 'alerts';

/** The webhook body (issue 15): exactly these fields. */
export interface WebhookBody {
  id: string;
  kind: string;
  severity: string;
  box?: string;
  province?: number;
  district?: number;
  title: string;
  createdAt: string;
  url: string;
}

export type DeliveryJob =
  | { channel: 'webhook'; alertId: string; url: string; body: string; signature: string }
  | { channel: 'push'; alertId: string; userId: string; username: string; subscription: Pick<PushSubscriptionRecord, 'endpoint' | 'keys'>; payload: string }
  | { channel: 'email'; alertId: string; userId: string; username: string; to: string; subject: string; text: string };

/** `sha256=<hex HMAC-SHA256 of the raw body>` */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

function targetOf(d: DeliveryJob): string {
  return d.channel === 'webhook' ? d.url : d.channel === 'push' ? `${d.username} ${new URL(d.subscription.endpoint).origin}` : `${d.username} <${d.to}>`;
}

/**
 * Deliveries that leave the process (webhooks, Web Push, e-mail) go through one BullMQ queue:
 * retried with exponential backoff, de-duplicated by job id (two nodes enqueueing the same
 * delivery send it once), and kept on the failed list (the dead letters) when every attempt failed.
 * Every delivery and every final failure is in the audit log.
 */
@Injectable()
export class AlertDeliveries implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AlertDeliveries.name);
  private queue!: Queue<DeliveryJob>;
  private worker: Worker<DeliveryJob> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: AlertsRepository,
    private readonly audit: AuditService,
    @Inject(VAPID_KEYS) readonly vapid: VapidKeys,
    private readonly jobs: JobQueues,
    @Inject(ALERT_TRANSPORTS) private readonly transports: AlertTransports,
  ) {
    if (config.ALERT_WEBHOOK_URL.length && !config.ALERT_WEBHOOK_SECRET) throw new Error('ALERT_WEBHOOK_SECRET is required when ALERT_WEBHOOK_URL is set');
  }

  get publicUrl(): string {
    return (this.config.PUBLIC_URL ?? `http://localhost:${this.config.PORT}`).replace(/\/$/, '');
  }

  get emailEnabled(): boolean {
    return this.transports.mailEnabled;
  }

  onModuleInit(): void {
    this.queue = this.jobs.queue<DeliveryJob>(ALERT_QUEUE, {
      defaultJobOptions: {
        attempts: this.config.ALERT_DELIVERY_ATTEMPTS,
        backoff: { type: 'exponential', delay: this.config.ALERT_BACKOFF_MS },
        removeOnComplete: { count: 1000 },
        removeOnFail: false,
      },
    });
    this.worker = this.jobs.worker<DeliveryJob>(ALERT_QUEUE, (job) => this.send(job), { concurrency: 8 });
    this.worker.on('completed', (job) => void this.audited('alert.delivered', job, null));
    this.worker.on('failed', (job, err) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError;
      this.logger.warn(`alert delivery ${job.data.channel} → ${targetOf(job.data)} failed (attempt ${job.attemptsMade}): ${err.message}`);
      if (final) void this.audited('alert.delivery.failed', job, err.message);
    });
    this.worker.on('error', (e) => this.logger.warn(`alert worker: ${e.message}`));
  }

  /** Bounded: with Redis unreachable BullMQ's close waits for a connection that never comes. */
  async onModuleDestroy(): Promise<void> {
    const closing = Promise.allSettled([this.worker?.close(), this.queue?.close()]);
    const within = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 3_000).unref());
    if ((await Promise.race([closing, within])) === 'timeout') {
      this.logger.warn('alert queue did not close within 3 s (Redis unreachable?); disconnecting');
      void Promise.allSettled([this.worker?.disconnect(), this.queue?.disconnect()]);
    }
    this.transports.close();
  }

  private async audited(action: string, job: Job<DeliveryJob>, error: string | null): Promise<void> {
    const d = job.data;
    await this.audit
      .record(null, action, `alert:${d.alertId}`, null, { channel: d.channel, target: targetOf(d), attempts: job.attemptsMade, ...(error ? { error } : {}) })
      .catch(() => undefined);
  }

  /** Webhooks of a new alert, one job per configured URL. */
  async webhook(body: WebhookBody, rev = 0): Promise<void> {
    if (!this.config.ALERT_WEBHOOK_URL.length) return;
    const raw = JSON.stringify(body);
    const signature = webhookSignature(this.config.ALERT_WEBHOOK_SECRET!, raw);
    await this.queue.addBulk(
      this.config.ALERT_WEBHOOK_URL.map((url) => ({
        name: 'webhook',
        data: { channel: 'webhook' as const, alertId: body.id, url, body: raw, signature },
        opts: { jobId: `wh-${body.id}-${rev}-${short(url)}` },
      })),
    );
  }

  async push(alertId: string, event: string, user: { userId: string; username: string }, subs: PushSubscriptionRecord[], payload: object): Promise<void> {
    if (!subs.length) return;
    const raw = JSON.stringify(payload);
    await this.queue.addBulk(
      subs.map((s) => ({
        name: 'push',
        data: {
          channel: 'push' as const,
          alertId,
          userId: user.userId,
          username: user.username,
          subscription: { endpoint: s.endpoint, keys: s.keys },
          payload: raw,
        },
        opts: { jobId: `push-${alertId}-${event}-${short(s.endpoint)}` },
      })),
    );
  }

  async email(alertId: string, event: string, user: { userId: string; username: string }, to: string, subject: string, text: string): Promise<void> {
    if (!this.transports.mailEnabled) return;
    await this.queue.add(
      'email',
      { channel: 'email', alertId, userId: user.userId, username: user.username, to, subject, text },
      { jobId: `mail-${alertId}-${event}-${short(to)}` },
    );
  }

  private async send(job: Job<DeliveryJob>): Promise<void> {
    const d = job.data;
    switch (d.channel) {
      case 'webhook': {
        const res = await this.transports.webhook(d.url, d.body, {
          'Content-Type': 'application/json',
          'X-Gozcu-Signature': d.signature,
          'X-Gozcu-Delivery': job.id ?? '',
          'User-Agent': 'Gozcu-Alerts/1',
        });
        if (!res.ok) throw new Error(`webhook answered ${res.status}`);
        return;
      }
      case 'push': {
        try {
          await this.transports.push(d.subscription, d.payload, {
            subject: this.config.VAPID_SUBJECT,
            publicKey: this.vapid.publicKey,
            privateKey: this.vapid.privateKey,
          });
        } catch (e) {
          const status = (e as { statusCode?: number }).statusCode;
          // the browser dropped the subscription: forget it, retrying cannot help
          if (status === 404 || status === 410) {
            await this.store.deletePushSubscription(d.subscription.endpoint);
            throw new UnrecoverableError(`push subscription gone (${status})`);
          }
          throw e;
        }
        return;
      }
      case 'email':
        await this.transports.mail({ from: this.config.SMTP_FROM, to: d.to, subject: d.subject, text: d.text, headers: { 'X-Gozcu-Alert': d.alertId } });
        return;
    }
  }

  /** Deliveries that failed every attempt, newest first. */
  async deadLetters(limit = 100): Promise<DeadLetter[]> {
    const jobs = await this.queue.getFailed(0, limit - 1);
    return jobs.map((j) => ({
      id: j.id ?? '',
      channel: j.data.channel,
      alertId: j.data.alertId,
      target: targetOf(j.data),
      attempts: j.attemptsMade,
      failedReason: j.failedReason,
      failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
    }));
  }

  /** Sends a dead letter again; false when there is no such failed delivery. */
  async retry(id: string): Promise<boolean> {
    const job = await this.queue.getJob(id);
    if (!job || !(await job.isFailed())) return false;
    await job.retry('failed');
    return true;
  }

  /** For tests and health: deliveries not yet done. */
  async pending(): Promise<number> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  }
}
