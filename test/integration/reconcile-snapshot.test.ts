import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boxKey, sheetHash, type BallotCode, type BoxInfo, type Sheet } from '@gozcu/shared';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD } from '../support/auth';

const ELECTION = `snapshot-${Date.now()}`;
const BALLOTS: BallotCode[] = [2, 3];
const env = { YSK_ELECTION_ID: ELECTION, YSK_BALLOT_TYPES: '2,3', GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD, ALERT_SWEEP_SECONDS: '3600' };
const snapshotOf = (app: RunningApp) => join(app.dataDir, `reconcile-${ELECTION}.snapshot`);

function sheetOf(n: number): Sheet {
  const a = 40 + (n % 17);
  const b = 30 + (n % 11);
  return { registered: 300, voted: a + b + 3, validUncontested: a + b, validAfterObjection: 0, valid: a + b, invalid: 3, votes: { A: a, B: b } };
}

function boxOf(ballot: BallotCode, n: number): BoxInfo {
  const province = n % 2 ? 6 : 34;
  const district = province === 6 ? 1 + (n % 3) : 10 + (n % 2);
  const boxNo = 1001 + n;
  return {
    key: boxKey({ election: ELECTION, ballot, province, district, boxNo }),
    election: ELECTION,
    ballot,
    province,
    district,
    boxNo,
    yskBoxId: null,
    neighbourhood: null,
  };
}

/** YSK versions and observer entries, committed and applied as the feed and the entry screens do. */
async function write(app: RunningApp, ns: number[], round: number): Promise<void> {
  const store = app.app.get<Store>(STORE);
  const reconcile = app.app.get(ReconcileService);
  const at = new Date(Date.now() - 40 * 60_000 + round * 60_000).toISOString();
  for (const ballot of BALLOTS) {
    const versions = ns.map((n) => {
      const box = boxOf(ballot, n);
      const sheet = sheetOf(n + round);
      return { box, key: box.key, hash: sheetHash(sheet), sheet, yskVersion: 2671 + round, yskChangedAt: at, changeReason: round ? 2 : 0, fetchedAt: at };
    });
    reconcile.applyYsk(await store.appendVersions(versions));
    for (const n of ns.filter((n) => n % 3 !== 0)) {
      const box = boxOf(ballot, n);
      for (const observer of n % 5 === 0 ? ['o1', 'o2'] : ['o1']) {
        // every seventh box the observers count one vote more than YSK (a mismatch)
        const sheet =
          n % 7 === 0 ? { ...sheetOf(n + round), votes: { A: sheetOf(n + round).votes.A! + 1, B: sheetOf(n + round).votes.B! } } : sheetOf(n + round);
        const outcome = await store.appendEntry({
          box,
          key: box.key,
          sheet,
          hash: sheetHash(sheet),
          observer,
          source: 'observer',
          idempotencyKey: `${box.key}:${observer}:${round}`,
          createdAt: new Date(Date.parse(at) + 1000).toISOString(),
          warnings: [],
        });
        reconcile.applyEntries([outcome.entry]);
      }
    }
  }
}

/** What the state answers, less the clock's share (ages, asOf). */
function surface(app: RunningApp): unknown {
  const state = app.app.get(ReconcileService).state;
  const keys = BALLOTS.flatMap((ballot) => Array.from({ length: 40 }, (_, n) => boxOf(ballot, n).key));
  return JSON.parse(
    JSON.stringify({
      coverage: [...BALLOTS, null].map((ballot) => state.coverage({ level: 'country' }, ballot)),
      regions: state.regions({ level: 'country' }, null),
      summaries: keys.map((key) => state.summary(key)),
      list: state.list({ sort: 'difference', limit: 200 }),
    }),
    (k, v: unknown) => (k === 'asOf' || k === 'yskAgeMs' || k === 'nextCursor' ? undefined : v),
  );
}

describe('the reconciliation snapshot across restarts', () => {
  let app: RunningApp | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('a restart restores the last snapshot, re-reads only what changed after it, and answers as a full rebuild', async () => {
    app = await startApp(env);
    expect(app.app.get(ReconcileService).startedFrom).toEqual({ from: 'store' });
    await write(
      app,
      Array.from({ length: 30 }, (_, n) => n),
      0,
    );
    const periodic = await app.app.get(ReconcileService).snapshot(0);
    expect(periodic?.bytes).toBeGreaterThan(0);
    const kept = `${snapshotOf(app)}.periodic`;
    copyFileSync(snapshotOf(app), kept);
    // after the periodic snapshot: revisions of 5 boxes and 4 new ones, per ballot type
    await write(app, [2, 5, 7, 10, 14, 30, 31, 32, 33], 1);
    const before = surface(app);
    const { dataDir, port } = app;
    await app.close({ keepData: true });

    // the clean shutdown wrote a snapshot of everything: nothing to re-read
    app = await startApp(env, { dataDir, port });
    expect(app.app.get(ReconcileService).startedFrom).toEqual({ from: 'snapshot', reread: 0 });
    expect(surface(app)).toEqual(before);
    await app.close({ keepData: true });

    // as after a crash: the periodic snapshot, 9 boxes × 2 ballot types changed after it
    copyFileSync(kept, join(dataDir, `reconcile-${ELECTION}.snapshot`));
    app = await startApp(env, { dataDir, port });
    expect(app.app.get(ReconcileService).startedFrom).toEqual({ from: 'snapshot', reread: 18 });
    expect(surface(app)).toEqual(before);
    await app.close({ keepData: true });

    // without snapshots: the full rebuild from the store, the same answers
    app = await startApp({ ...env, RECONCILE_SNAPSHOT_MINUTES: '0' }, { dataDir, port });
    expect(app.app.get(ReconcileService).startedFrom).toEqual({ from: 'store' });
    expect(surface(app)).toEqual(before);
  });

  it('rebuilds from the store when the snapshot cannot be used: boxes registered since, an unreadable file, another store', async () => {
    app = await startApp(env);
    await write(
      app,
      Array.from({ length: 10 }, (_, n) => n),
      0,
    );
    const { dataDir, port } = app;
    const snapshot = snapshotOf(app);
    await app.close({ keepData: true });
    expect(existsSync(snapshot)).toBe(true);
    const kept = `${snapshot}.kept`;
    copyFileSync(snapshot, kept);

    // boxes registered (reference data) after the snapshot: they carry no id to catch up from
    app = await startApp(env, { dataDir, port });
    await app.app.get(ReconcileService).registerBoxes([boxOf(2, 35)]);
    const before = surface(app);
    await app.close({ keepData: true });
    copyFileSync(kept, snapshot);
    app = await startApp(env, { dataDir, port });
    expect(app.app.get(ReconcileService).startedFrom).toEqual({ from: 'store' });
    expect(app.app.get(ReconcileService).state.has(boxOf(2, 35).key)).toBe(true);
    await app.close({ keepData: true });

    writeFileSync(snapshot, 'not a snapshot');
    app = await startApp(env, { dataDir, port });
    expect(app.app.get(ReconcileService).startedFrom).toEqual({ from: 'store' });
    expect(surface(app)).toEqual(before);
    await app.close({ keepData: true });

    // the snapshot of this store, beside a fresh store in another directory
    const other = await startApp(env);
    const otherDir = other.dataDir;
    await other.close({ keepData: true });
    copyFileSync(kept, join(otherDir, `reconcile-${ELECTION}.snapshot`));
    app = await startApp(env, { dataDir: otherDir });
    expect(app.app.get(ReconcileService).startedFrom).toEqual({ from: 'store' });
    expect(app.app.get(ReconcileService).state.size).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
