import type { AlertTransports } from '../../infra/alert-transports';
import type { AppConfig } from '../../infra/config';
import { UnrecoverableError, type Job, type JobQueues, type Queue, type Worker } from '../../infra/job-queue';
import { notCalled, strictFake } from '../../infra/strict-fake';
import type { AuditService } from '../audit/audit.service';
import type { AlertsRepository } from '../store/store.port';
import { AlertDeliveries, webhookSignature, type DeliveryJob } from './deliveries';

const config = strictFake<AppConfig>('AppConfig', {
  ALERT_WEBHOOK_URL: ['https://hooks.example/a'],
  ALERT_WEBHOOK_SECRET: 's3cret-s3cret',
  ALERT_DELIVERY_ATTEMPTS: 5,
  ALERT_BACKOFF_MS: 2_000,
  VAPID_PUBLIC_KEY: 'B'.repeat(87),
  VAPID_PRIVATE_KEY: 'p'.repeat(43),
  VAPID_SUBJECT: 'mailto:ops@example.org',
  SMTP_FROM: 'Gözcü <gozcu@example.org>',
});

type Listener = (...args: unknown[]) => void;

/** AlertDeliveries on fakes: the queue records what is added, the worker hands out its processor and listeners. */
function setUp(transports: Partial<AlertTransports>, store: Partial<AlertsRepository> = {}) {
  const made: { queue?: unknown; worker?: unknown; processor?: (job: Job<DeliveryJob>) => Promise<unknown> } = {};
  const listeners: Record<string, Listener> = {};
  const queue = strictFake<Queue<DeliveryJob>>('Queue', { close: async () => undefined });
  const worker: Worker<DeliveryJob> = strictFake<Worker<DeliveryJob>>('Worker', {
    on: ((event: string, fn: Listener) => {
      listeners[event] = fn;
      return worker;
    }) as never,
    close: async () => undefined,
  });
  const jobs = strictFake<JobQueues>('JobQueues', {
    queue: ((name: string, opts: unknown) => {
      made.queue = { name, opts };
      return queue;
    }) as never,
    worker: ((name: string, processor: (job: Job<DeliveryJob>) => Promise<unknown>, opts: unknown) => {
      made.worker = { name, opts };
      made.processor = processor;
      return worker;
    }) as never,
  });
  const audited: { action: string; target: string; after: unknown }[] = [];
  const audit = strictFake<AuditService>('AuditService', {
    record: async (_actor, action, target, _before, after) => {
      audited.push({ action, target, after });
      return {} as never;
    },
  });
  const deliveries = new AlertDeliveries(
    config,
    strictFake<AlertsRepository>('Store', store),
    audit,
    { publicKey: config.VAPID_PUBLIC_KEY!, privateKey: config.VAPID_PRIVATE_KEY! },
    jobs,
    strictFake<AlertTransports>('AlertTransports', { close: () => undefined, ...transports }),
  );
  deliveries.onModuleInit();
  /** One attempt as the worker makes it: the processor, then its `completed` or `failed` listener. */
  const attempt = async (data: DeliveryJob, attemptsMade: number, attempts = config.ALERT_DELIVERY_ATTEMPTS) => {
    const job = { id: 'job-1', data, attemptsMade, opts: { attempts } } as Job<DeliveryJob>;
    try {
      await made.processor!(job);
      listeners.completed(job);
      return null;
    } catch (e) {
      listeners.failed(job, e);
      return e as Error;
    }
  };
  return { deliveries, made, attempt, audited };
}

const webhookJob: DeliveryJob = {
  channel: 'webhook',
  alertId: 'a1',
  url: 'https://hooks.example/a',
  body: '{"id":"a1"}',
  signature: webhookSignature('s3cret-s3cret', '{"id":"a1"}'),
};
const pushJob: DeliveryJob = {
  channel: 'push',
  alertId: 'a1',
  userId: 'u1',
  username: 'ayse',
  subscription: { endpoint: 'https://push.example/sub/1', keys: { p256dh: 'k', auth: 'a' } },
  payload: '{"title":"t"}',
};
const settle = () => new Promise((r) => setImmediate(r));

describe('AlertDeliveries', () => {
  it('makes its queue with the configured retries and exponential backoff, and a worker of 8', () => {
    const { made } = setUp({});
    expect(made.queue).toEqual({
      name: 'alerts',
      opts: { defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: { count: 1000 }, removeOnFail: false } },
    });
    expect(made.worker).toEqual({ name: 'alerts', opts: { concurrency: 8 } });
  });

  it('runs a webhook job through the webhook transport, signed, and audits the delivery', async () => {
    const calls: unknown[] = [];
    const { attempt, audited } = setUp({
      webhook: async (...args) => {
        calls.push(args);
        return { ok: true, status: 204 };
      },
      push: notCalled('push'),
      mail: notCalled('mail'),
    });
    expect(await attempt(webhookJob, 1)).toBeNull();
    expect(calls).toEqual([
      [
        'https://hooks.example/a',
        '{"id":"a1"}',
        { 'Content-Type': 'application/json', 'X-Gozcu-Signature': webhookJob.signature, 'X-Gozcu-Delivery': 'job-1', 'User-Agent': 'Gozcu-Alerts/1' },
      ],
    ]);
    await settle();
    expect(audited).toEqual([{ action: 'alert.delivered', target: 'alert:a1', after: { channel: 'webhook', target: 'https://hooks.example/a', attempts: 1 } }]);
  });

  it('fails an attempt the webhook refused (to be retried), and records the failure only after the last attempt', async () => {
    const { attempt, audited } = setUp({ webhook: async () => ({ ok: false, status: 503 }) });
    expect((await attempt(webhookJob, 1))?.message).toBe('webhook answered 503');
    await settle();
    expect(audited).toEqual([]);
    expect((await attempt(webhookJob, 5))?.message).toBe('webhook answered 503');
    await settle();
    expect(audited).toEqual([
      {
        action: 'alert.delivery.failed',
        target: 'alert:a1',
        after: { channel: 'webhook', target: 'https://hooks.example/a', attempts: 5, error: 'webhook answered 503' },
      },
    ]);
  });

  it('signs a push with the VAPID keys; a subscription the push service dropped is forgotten and not retried', async () => {
    const pushed: unknown[] = [];
    const forgotten: string[] = [];
    const { attempt, audited } = setUp(
      {
        push: async (target, payload, vapid) => {
          pushed.push({ target, payload, vapid });
          throw Object.assign(new Error('Received unexpected response code'), { statusCode: 410 });
        },
      },
      {
        deletePushSubscription: async (endpoint: string) => {
          forgotten.push(endpoint);
          return true;
        },
      },
    );
    const err = await attempt(pushJob, 1);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect(pushed).toEqual([
      {
        target: pushJob.subscription,
        payload: pushJob.payload,
        vapid: { subject: 'mailto:ops@example.org', publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY },
      },
    ]);
    expect(forgotten).toEqual(['https://push.example/sub/1']);
    await settle();
    // final at the first attempt: retrying cannot help
    expect(audited.map((a) => a.action)).toEqual(['alert.delivery.failed']);
  });

  it('fails a push attempt on another refusal without forgetting the subscription', async () => {
    const { attempt, audited } = setUp(
      { push: async () => Promise.reject(Object.assign(new Error('server error'), { statusCode: 500 })) },
      { deletePushSubscription: notCalled('deletePushSubscription') },
    );
    const err = await attempt(pushJob, 1);
    expect(err).not.toBeInstanceOf(UnrecoverableError);
    expect(err?.message).toBe('server error');
    await settle();
    expect(audited).toEqual([]);
  });

  it('mails an e-mail job from SMTP_FROM with the alert header', async () => {
    const mails: unknown[] = [];
    const { attempt } = setUp({ mail: async (m) => void mails.push(m), webhook: notCalled('webhook'), push: notCalled('push') });
    expect(await attempt({ channel: 'email', alertId: 'a1', userId: 'u1', username: 'ayse', to: 'ayse@example.org', subject: 'S', text: 'T' }, 1)).toBeNull();
    expect(mails).toEqual([{ from: 'Gözcü <gozcu@example.org>', to: 'ayse@example.org', subject: 'S', text: 'T', headers: { 'X-Gozcu-Alert': 'a1' } }]);
  });
});
