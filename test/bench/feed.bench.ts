/* Feed benchmarks: politeness (requests and bytes per detected change vs naive polling),
 * change-visible-to-stored latency, and ingest throughput of a whole national night. */
import { YURT_ICI, SANDIK_TURU, type BallotCode, type YskObservation } from '@gozcu/shared';
import { FeedPoller } from '../../server/src/modules/feed/feed-poller.service';
import { FeedService } from '../../server/src/modules/feed/feed.service';
import { YskClient } from '../../server/src/modules/feed/ysk.client';
import { ChangeBus } from '../../server/src/infra/events';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { buildGeography, sharedDataDir } from '../../server/src/simulator/geography';
import { SyntheticWorld } from '../../server/src/simulator/synthetic';
import { startApp } from '../support/app';
import { ADMIN_PASSWORD } from '../support/auth';
import { NIGHT_START, startSmallNight, truth } from '../support/sim';
import { percentile, printTable, rssMb, type Row } from './table';

const BALLOTS: BallotCode[] = [2, 3, 4, 6];

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

/** A simulated night polled by Gözcü's adaptive, conditional poller and, side by side, by a naive poller. */
async function politeness(): Promise<void> {
  const plates = (process.env.BENCH_FEED_PROVINCES ?? '55,69').split(',').map(Number);
  const cycles = Number(process.env.BENCH_FEED_CYCLES ?? 24);
  const election = `benchfeed${process.pid}`;
  const sim = await startSmallNight({ election, plates, ballots: BALLOTS, revisionRate: 0.02, latencyMs: 1 });
  const app = await startApp({
    YSK_ELECTION_ID: election,
    YSK_BALLOT_TYPES: BALLOTS.join(','),
    YSK_BASE_URL: sim.apiUrl,
    YSK_PROVINCES: plates.join(','),
    YSK_POLL_INTERVAL_MS: '300',
    YSK_MAX_RPS: '1000',
    YSK_CONCURRENCY: '4',
    GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
  const feed = app.app.get(FeedService);
  const bus = app.app.get(ChangeBus);
  try {
    const final = await truth(sim);
    const end = Math.max(...final.flatMap((b) => b.versions.map((v) => Date.parse(v.at)))) + 1;
    const totalVersions = final.reduce((n, b) => n + b.versions.length, 0);
    // naive: every district of every ballot, every cycle, unconditionally
    let naiveBytes = 0;
    const naive = new YskClient({ fetch, baseUrl: sim.apiUrl, timeoutMs: 30_000, observer: { onCall: (e) => (naiveBytes += e.bytes) } });
    const targets: { ballot: BallotCode; plate: number; district: number }[] = [];
    for (const ballot of BALLOTS) {
      for (const plate of plates) {
        const res = await naive.getIlceList(
          { secimId: election, secimTuru: ballot, ilId: plate, secimCevresiId: '', sandikTuru: SANDIK_TURU.ordinary, yurtIciDisi: YURT_ICI },
          { conditional: false },
        );
        if (!res.notModified) for (const r of res.rows) targets.push({ ballot, plate, district: r.ilce_ID });
      }
    }
    naiveBytes = 0;
    const naiveSeen = new Map<string, string>();
    let naiveRequests = 0;
    let naiveChanges = 0;
    // latency: from the moment a cycle makes new versions visible to the moment each is stored
    let cycleStart = 0;
    const latencies: number[] = [];
    bus.on('boxes.changed', (e) => {
      if (e.cause === 'ysk') for (let i = 0; i < e.changes.length; i++) latencies.push(Date.now() - cycleStart);
    });
    const start = { ...feed.totals };
    let missed = 0;
    for (let c = 1; c <= cycles; c++) {
      const at = NIGHT_START + Math.round(((end - NIGHT_START) * c) / cycles);
      if (at <= sim.clock.now()) continue;
      const visibleBefore = feed.totals.versions;
      sim.clock.set(at);
      cycleStart = Date.now();
      const naiveBefore = naiveChanges;
      for (const t of targets) {
        const res = await naive.getSecimSandikSonucList(
          {
            secimId: election,
            secimTuru: t.ballot,
            ilId: t.plate,
            ilceId: t.district,
            sandikTuru: SANDIK_TURU.ordinary,
            yurtIciDisi: YURT_ICI,
          },
          { conditional: false },
        );
        naiveRequests++;
        if (res.notModified) continue;
        for (const row of res.rows) {
          if (row.sandik_NO == null) continue;
          const key = `${t.ballot}:${t.district}:${row.sandik_NO}`;
          const h = JSON.stringify([row.versiyon, row.son_ISLEM_TARIHI, row.gecerli_OY_TOPLAMI, row.oy_KULLANAN_SECMEN_SAYISI]);
          if (naiveSeen.get(key) !== h) {
            naiveSeen.set(key, h);
            naiveChanges++;
          }
        }
      }
      const expected = visibleBefore + (naiveChanges - naiveBefore);
      if (!(await until(() => feed.totals.versions >= expected, 8_000))) missed++;
    }
    const ours = {
      requests: feed.totals.requests - start.requests,
      bytes: feed.totals.bytes - start.bytes,
      changes: feed.totals.versions - start.versions,
      notModified: feed.totals.notModified - start.notModified,
    };
    // what a naive poller would have sent at Gözcü's own cadence: every district of every sweep, full answers
    const sweptNaive = feed.totals.districtsSwept - start.districtsSwept;
    const naiveBytesPerRequest = naiveBytes / Math.max(1, naiveRequests);
    latencies.sort((a, b) => a - b);
    printTable(
      `Feed politeness over a simulated night (${plates.join(', ')}; ballot types ${BALLOTS.join(',')}; ${targets.length} district polls per cycle; ${cycles} cycles)`,
      [
        {
          poller: 'Gözcü (adaptive, conditional, per district)',
          requests: ours.requests,
          'MB received': +(ours.bytes / 1048576).toFixed(1),
          'changes found': ours.changes,
          'requests/change': +(ours.requests / Math.max(1, ours.changes)).toFixed(2),
          'KB/change': +(ours.bytes / 1024 / Math.max(1, ours.changes)).toFixed(1),
          '304 answers': ours.notModified,
        },
        {
          poller: "naive at Gözcü's cadence (estimated)",
          requests: sweptNaive,
          'MB received': +((sweptNaive * naiveBytesPerRequest) / 1048576).toFixed(1),
          'changes found': ours.changes,
          'requests/change': +(sweptNaive / Math.max(1, ours.changes)).toFixed(2),
          'KB/change': +((sweptNaive * naiveBytesPerRequest) / 1024 / Math.max(1, ours.changes)).toFixed(1),
          '304 answers': 0,
        },
        {
          poller: 'naive, once per cycle (measured)',
          requests: naiveRequests,
          'MB received': +(naiveBytes / 1048576).toFixed(1),
          'changes found': naiveChanges,
          'requests/change': +(naiveRequests / Math.max(1, naiveChanges)).toFixed(2),
          'KB/change': +(naiveBytes / 1024 / Math.max(1, naiveChanges)).toFixed(1),
          '304 answers': 0,
        },
      ],
    );
    // the naive poller runs in this same process during each cycle, so these latencies include its CPU time
    printTable('Change visible at YSK → stored and reconciled (poll interval 300 ms; naive poller competing in-process)', [
      {
        versions: latencies.length,
        'p50 ms': percentile(latencies, 50),
        'p95 ms': percentile(latencies, 95),
        'p99 ms': percentile(latencies, 99),
        'versions in truth': totalVersions,
        'cycles not caught up in 8 s': missed,
      },
    ]);
  } finally {
    await app.close();
    await sim.close();
  }
}

/** Every box-result of a national night through the ingest path (hash → store → reconciliation). */
async function nationalIngest(): Promise<void> {
  const platesEnv = process.env.BENCH_INGEST_PROVINCES ?? 'all';
  const plates = platesEnv === 'all' ? Array.from({ length: 81 }, (_, i) => i + 1) : platesEnv.split(',').map(Number);
  const election = `benchingest${process.pid}`;
  const seed = 11;
  const geography = buildGeography({ plates, seed, dataDir: sharedDataDir() });
  const world = new SyntheticWorld({ geography, seed, electionId: election, ballots: BALLOTS, nightStart: NIGHT_START, revisionRate: 0.02 });
  const app = await startApp({ YSK_ELECTION_ID: election, YSK_BALLOT_TYPES: BALLOTS.join(','), GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD });
  const poller = app.app.get(FeedPoller);
  const reconcile = app.app.get(ReconcileService);
  try {
    const names = new Map<string, Map<string, string>>();
    const nameOf = (ballot: BallotCode, plate: number) => {
      const k = `${ballot}:${plate}`;
      let m = names.get(k);
      if (!m) names.set(k, (m = new Map(world.columnMap(ballot, plate, true).map((c) => [c.column_NAME, c.ad]))));
      return m;
    };
    let versions = 0;
    let batches = 0;
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    for (const province of world.provinces) {
      for (const d of world.districtsOf(province.plate)) {
        for (const ballot of world.ballotsOf(province.plate)) {
          const cols = nameOf(ballot, province.plate);
          const batch: YskObservation[] = [];
          for (let k = 0; k < d.boxNos.length; k++) {
            const all = world.versions(d, k, ballot);
            const v = all[all.length - 1];
            if (!v) continue;
            const votes: Record<string, number> = {};
            for (const [col, n] of Object.entries(v.sheet.votes)) votes[cols.get(col) ?? col] = n;
            batch.push({
              ref: { election, ballot, province: province.plate, district: d.id, boxNo: d.boxNos[k] },
              kind: 'domestic',
              yskBoxId: d.boxBase + k,
              neighbourhood: d.neighbourhoods[d.boxNeighbourhood[k]]?.id ?? null,
              sheet: { ...v.sheet, votes },
              yskVersion: v.versiyon,
              yskChangedAt: new Date(v.at).toISOString(),
              changeReason: v.reason,
              fetchedAt: new Date().toISOString(),
            });
          }
          const r = await poller.ingest(batch);
          versions += r.stored;
          batches++;
        }
      }
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    const rows: Row[] = [
      {
        provinces: world.provinces.length,
        boxes: world.boxCount,
        'box-results stored': versions,
        'district polls (batches)': batches,
        'total s': +(ms / 1000).toFixed(1),
        'versions/s': Math.round(versions / (ms / 1000)),
        'µs/version': +((ms * 1000) / versions).toFixed(1),
        'CPU s': +((cpu.user + cpu.system) / 1e6).toFixed(1),
        'RSS MB': rssMb(),
      },
    ];
    printTable('Ingest of a whole national night (hash → SQLite append → reconciliation), one process', rows);
    // the same state rebuilt from the store, as after a restart
    const fresh = await reconcile.rebuild();
    printTable('Cold rebuild of the reconciliation from the SQLite store after that night', [
      { 'box-results': fresh.boxes, entries: fresh.entries, 'ms (store read + bulk load)': fresh.ms, 'RSS MB': rssMb() },
    ]);
  } finally {
    await app.close();
  }
}

export async function run(): Promise<void> {
  if (process.env.BENCH_FEED_POLITENESS !== '0') await politeness();
  if (process.env.BENCH_FEED_INGEST !== '0') await nationalIngest();
}
