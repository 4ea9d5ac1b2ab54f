import { boxKey, sheetHash, type Sheet } from '@gozcu/shared';
import { AlertsService } from '../../server/src/modules/alerts/alerts.service';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf } from '../support/auth';

const ELECTION = `alertsrestart-${Date.now()}`;
const sheet: Sheet = { registered: 300, voted: 105, validUncontested: 100, validAfterObjection: 0, valid: 100, invalid: 5, votes: { A: 60, B: 40 } };

describe('alerts across a restart', () => {
  let app: RunningApp | null = null;
  afterAll(() => app?.close());

  it('a box that turned stale while the server was down gets its one alert from the stale escalation record at start', async () => {
    // the box is written to the store behind the running server's back (it never reaches its state):
    // a snapshot restore trusts that every commit reached the state, so this restart rebuilds from the store
    const env = {
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ALERT_SWEEP_SECONDS: '3600',
      RECONCILE_SNAPSHOT_MINUTES: '0',
    };
    app = await startApp(env);
    const admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    const chair = await userOf(app.url, admin, 'baskan681', 'district_chair', { province: 69, district: 681 });
    const key = boxKey({ election: ELECTION, ballot: 2, province: 69, district: 681, boxNo: 9 });
    // published 25 minutes ago: the server stops before its tick turns it stale
    const at = new Date(Date.now() - 25 * 60_000).toISOString();
    const box = { key, election: ELECTION, ballot: 2 as const, province: 69, district: 681, boxNo: 9, yskBoxId: null, neighbourhood: null };
    await app.app
      .get<Store>(STORE)
      .appendVersions([{ box, key, hash: sheetHash(sheet), sheet, yskVersion: 1, yskChangedAt: at, changeReason: null, fetchedAt: at }]);
    expect((await chair.get('/api/alerts')).body.items).toEqual([]);
    const dataDir = app.dataDir;
    const port = app.port;
    await app.close({ keepData: true });

    app = await startApp(env, { dataDir, port });
    await app.app.get(AlertsService).idle();
    expect(app.app.get(ReconcileService).state.summary(key)?.stale).toBe(true);
    const again = await login(app.url, 'baskan681', 'pw-baskan681-0123456789');
    const items = (await again.get('/api/alerts')).body.items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'stale', box: key, status: 'open' });
    // the next sweep finds nothing new
    await app.app.get(AlertsService).sweep();
    expect((await again.get('/api/alerts')).body.items).toHaveLength(1);
  });
});
