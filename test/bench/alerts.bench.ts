/*
 * Alert delivery latency: a box turns stale (the reconciliation's tick) → the signed webhook is
 * received by a real HTTP server on loopback; then a storm (BENCH_ALERT_STORM boxes stale at
 * once) → its digests received. Sizes: BENCH_ALERT_BOXES (default 50), BENCH_ALERT_STORM (1000).
 */
import { boxKey, sheetHash, type Sheet } from '@gozcu/shared';
import { AlertsService } from '../../server/src/modules/alerts/alerts.service';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type NewVersion, type Store } from '../../server/src/modules/store/store.port';
import { until, webhookReceiver } from '../support/alerts';
import { startApp } from '../support/app';
import { ADMIN_PASSWORD } from '../support/auth';
import { percentile, printTable } from './table';

const sheet = (n: number): Sheet => ({
  registered: 300,
  voted: 105 + n,
  validUncontested: 100 + n,
  validAfterObjection: 0,
  valid: 100 + n,
  invalid: 5,
  votes: { A: 60, B: 40 + n },
});

export async function run(): Promise<void> {
  const boxes = Number(process.env.BENCH_ALERT_BOXES ?? 50);
  const storm = Number(process.env.BENCH_ALERT_STORM ?? 1000);
  const election = `alertbench${process.pid}`;
  const hook = await webhookReceiver();
  const app = await startApp({
    YSK_ELECTION_ID: election,
    YSK_BALLOT_TYPES: '2',
    GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ALERT_WEBHOOK_URL: hook.url,
    ALERT_WEBHOOK_SECRET: 'bench-secret-0123456789',
    ALERT_SWEEP_SECONDS: '3600',
  });
  try {
    const store = app.app.get<Store>(STORE);
    const reconcile = app.app.get(ReconcileService);
    const alerts = app.app.get(AlertsService);
    const version = (province: number, district: number, boxNo: number): NewVersion => {
      const key = boxKey({ election, ballot: 2, province, district, boxNo });
      const s = sheet(boxNo % 7);
      const at = new Date().toISOString();
      return {
        box: { key, election, ballot: 2, province, district, boxNo, yskBoxId: null, neighbourhood: null },
        key,
        hash: sheetHash(s),
        sheet: s,
        yskVersion: 1,
        yskChangedAt: at,
        changeReason: null,
        fetchedAt: at,
      };
    };
    const late = () => Date.now() + 21 * 60_000;

    // one box at a time: stale tick → webhook received
    const latencies: number[] = [];
    for (let i = 1; i <= boxes; i++) {
      reconcile.applyYsk(await store.appendVersions([version(69, 681, i)]));
      const before = hook.received.length;
      const w0 = Date.now();
      await reconcile.tick(late());
      const got = await until('the webhook', () => hook.received.length > before && hook.received[before]);
      latencies.push(got.at - w0);
    }
    latencies.sort((a, b) => a - b);

    // a storm: many boxes over 10 districts of 5 provinces stale in one tick
    const versions: NewVersion[] = [];
    for (let i = 0; i < storm; i++) versions.push(version(70 + (i % 5), 700 + (i % 10), 1 + Math.floor(i / 10)));
    for (let i = 0; i < versions.length; i += 500) reconcile.applyYsk(await store.appendVersions(versions.slice(i, i + 500)));
    const before = hook.received.length;
    const s0 = Date.now();
    await reconcile.tick(late());
    await alerts.idle();
    const handled = Date.now() - s0;
    await until('the storm digests', () => hook.received.length - before >= 11, 60_000);
    const stormMs = Math.max(...hook.received.slice(before).map((r) => r.at)) - s0;
    const webhooks = hook.received.length - before;

    printTable(`Alert delivery (SQLite, one node, loopback webhook receiver; ${boxes} boxes one by one, then a storm of ${storm})`, [
      { what: 'box stale (tick) → signed webhook received, p50', ms: percentile(latencies, 50) },
      { what: 'box stale (tick) → signed webhook received, p95', ms: percentile(latencies, 95) },
      { what: 'box stale (tick) → signed webhook received, max', ms: latencies[latencies.length - 1] },
      { what: `storm of ${storm}: alerts stored, audited, digested`, ms: handled },
      { what: `storm of ${storm}: last digest webhook received (${webhooks} webhooks)`, ms: stormMs },
    ]);
    process.stdout.write(
      `(the reconciliation ticks every 5 s, so on a live night a box is seen stale up to 5 s after its threshold, plus the latency above)\n`,
    );
  } finally {
    await app.close();
    await hook.close();
  }
}
