import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reconcileBox, sheetHash, type Sheet } from '@gozcu/shared';
import { SimClock } from '../../server/src/simulator/clock';
import { BayburtWorld } from '../../server/src/simulator/bayburt';
import { startSimulator, type RunningSimulator } from '../../server/src/simulator/server';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';
import { SHARED_DATA } from '../support/paths';
import { NIGHT_START, eventually } from '../support/sim';

/** The real file, read here independently of the simulator's own reader. */
function bayburtFile(): { district: number; boxNo: number; sheet: Sheet }[] {
  const [header, ...lines] = readFileSync(join(SHARED_DATA, 'real', 'yerel2014_il69_bayburt.utf8.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const parties = header
    .split('\t')
    .slice(13)
    .map((p) => p.trim());
  return lines.map((line) => {
    const f = line.split('\t').map((x) => x.trim());
    const n = (i: number) => Number(f[i]);
    return {
      district: n(1),
      boxNo: n(6),
      sheet: {
        registered: n(7),
        voted: n(8),
        validUncontested: n(9),
        validAfterObjection: n(10),
        valid: n(11),
        invalid: n(12),
        votes: Object.fromEntries(parties.map((p, i) => [p, n(13 + i)])),
      },
    };
  });
}

/** Zero-vote parties may be left out of a stored sheet; compare on the union. */
function normal(s: Sheet): Sheet {
  return { ...s, votes: Object.fromEntries(Object.entries(s.votes).filter(([, v]) => v !== 0)) };
}

describe('the real Bayburt 2014 file served in YSK shape, polled through faults', () => {
  const ELECTION = `bayburt${process.pid}`;
  const file = bayburtFile();
  let sim: RunningSimulator;
  let app: RunningApp;
  let store: Store;
  let admin: Session;

  beforeAll(async () => {
    const world = new BayburtWorld(SHARED_DATA, ELECTION, 2, NIGHT_START, 3);
    sim = await startSimulator({ clock: new SimClock({ start: NIGHT_START, mode: 'manual' }), world, latencyMs: 1, host: '127.0.0.1', port: 0 });
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      YSK_BASE_URL: sim.apiUrl,
      YSK_PROVINCES: '69',
      YSK_POLL_INTERVAL_MS: '200',
      YSK_MAX_RPS: '200',
      YSK_BACKOFF_BASE_MS: '20',
      YSK_BACKOFF_CAP_MS: '300',
      YSK_MAX_ATTEMPTS: '50',
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOGIN_RATE_LIMIT: '10000',
    });
    store = app.app.get(STORE);
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('stores sheets equal to the file, row by row', async () => {
    expect(file).toHaveLength(105);
    sim.faults.add({ kind: 'http5xx', count: 4 }, sim.clock.now());
    sim.clock.set(NIGHT_START + 3 * 3_600_000);
    sim.faults.add({ kind: 'truncated', count: 2, endpoints: ['getSecimSandikSonucList'] }, sim.clock.now());
    sim.clock.set(NIGHT_START + 10 * 24 * 3_600_000);
    const keyOf = (r: { district: number; boxNo: number }) => `${ELECTION}:2:69:${r.district}:${r.boxNo}`;
    await eventually(async () => {
      for (const r of file) if (!(await store.latestVersion(keyOf(r)))) return `${keyOf(r)} not stored`;
      return null;
    }, 60_000);
    for (const r of file) {
      const versions = await store.versions(keyOf(r));
      expect(versions).toHaveLength(1);
      expect(sheetHash(normal(versions[0].sheet))).toBe(sheetHash(normal(r.sheet)));
      // YSK's own tracking, as the real 2014 rows carry it
      expect([versions[0].yskVersion, versions[0].changeReason]).toEqual([2671, 0]);
    }
    expect((await admin.get('/api/coverage?province=69&ballot=2')).body.boxes).toMatchObject({ yskPublished: 105, altered: 0 });
  }, 90_000);

  it('was served in the real JSON types (YSK-API.md, "JSON types"), not the ones a schema would like', async () => {
    const query = `secimId=${ELECTION}&secimTuru=2&ilId=69&ilceId=681&beldeId=&birimId=&muhtarlikId=&cezaeviId=&sandikTuru=&sandikNoIlk=&sandikNoSon=&ulkeId=&disTemsilcilikId=&gumrukId=&yurtIciDisi=1&sandikRumuzIlk=&sandikRumuzSon=&secimCevresiId=&sandikId=&sorguTuru=`;
    const rows = (await (await fetch(`${sim.apiUrl}/getSecimSandikSonucList?${query}`)).json()) as Record<string, unknown>[];
    const boxes = rows.filter((r) => r['sandik_NO'] !== null);
    expect(boxes).toHaveLength(14);
    for (const r of boxes) {
      expect(r).toMatchObject({ degisiklik_NEDENI: 0, versiyon: 2671, sandik_RUMUZ: null, secim_TURU: 2, il_ID: 69 });
      expect(r['son_ISLEM_TARIHI']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$/);
      for (const flag of ['sandik_SONUC_TUTANAGI', 'sandik_DOKUM_CETVELI', 'denetim_TUTANAGI', 'birlestirme_TUTANAGI_1']) expect([0, 1]).toContain(r[flag]);
      expect(typeof r['secmen_SAYISI']).toBe('number');
    }
    expect(rows[rows.length - 1]).toMatchObject({ sandik_NO: null, muhtarlik_ADI: null });
    const hoods = (await (
      await fetch(`${sim.apiUrl}/getMuhtarlikList?secimId=${ELECTION}&secimTuru=2&ilceId=681&beldeId=&birimId=&secimCevresiId=&sandikTuru=&yurtIciDisi=`)
    ).json()) as Record<string, unknown>[];
    expect(hoods.every((h) => typeof h['min_SANDIK_NO'] === 'string' && typeof h['max_SANDIK_NO'] === 'string')).toBe(true);
  });

  it('statuses and aggregates after observer entries equal an independent recomputation from the store', async () => {
    // observers enter 70 boxes: most as on the sheet, every fifth with CHP's figure off by 3
    const entered = file.slice(0, 70);
    for (const [i, r] of entered.entries()) {
      const votes = { ...r.sheet.votes };
      if (i % 5 === 0) {
        votes['AK PARTİ'] -= 3;
        votes.CHP += 3;
      }
      const res = await admin.post('/api/entries', {
        ref: { ballot: 2, province: 69, district: r.district, boxNo: r.boxNo },
        sheet: { ...r.sheet, votes },
        idempotencyKey: `bayburt-${process.pid}-${i}`,
      });
      expect(res.status).toBe(201);
    }
    // a second person enters the first 60 identically (ENTRY_CONFIRMATIONS 2): those are the
    // organisation's figures; the last 10 await confirmation and count as no figure yet
    const second = await userOf(app.url, admin, 'bayburt-veri', 'province_data', { province: 69 });
    for (const [i, r] of entered.slice(0, 60).entries()) {
      const votes = { ...r.sheet.votes };
      if (i % 5 === 0) {
        votes['AK PARTİ'] -= 3;
        votes.CHP += 3;
      }
      const res = await second.post('/api/entries', {
        ref: { ballot: 2, province: 69, district: r.district, boxNo: r.boxNo },
        sheet: { ...r.sheet, votes },
        idempotencyKey: `bayburt-2-${process.pid}-${i}`,
      });
      expect([res.status, res.body.box.unconfirmed]).toEqual([201, false]);
    }
    expect(app.config.ENTRY_CONFIRMATIONS).toBe(2);
    const now = Date.now();
    const counts = { match: 0, mismatch: 0, yskOnly: 0, orgOnly: 0 };
    const ysk: Record<string, number> = {};
    const org: Record<string, number> = {};
    for (const r of file) {
      const key = `${ELECTION}:2:69:${r.district}:${r.boxNo}`;
      const expected = reconcileBox({
        versions: await store.versions(key),
        entries: await store.entries(key),
        now,
        staleAfterMs: 20 * 60_000,
        confirmations: app.config.ENTRY_CONFIRMATIONS,
      });
      const { body } = await admin.get(`/api/boxes/${encodeURIComponent(key)}`);
      expect(body.summary.status).toBe(expected.status);
      expect(body.summary.totalAbsDifference).toBe(expected.totalAbsDifference);
      expect(body.summary.differences).toEqual(expected.differences);
      expect(body.summary.unconfirmed).toBe(expected.unconfirmed);
      if (expected.status === 'match') counts.match++;
      if (expected.status === 'mismatch') counts.mismatch++;
      if (expected.status === 'ysk_only') counts.yskOnly++;
      if (expected.status === 'org_only') counts.orgOnly++;
      for (const [p, v] of Object.entries(expected.ysk?.votes ?? {})) ysk[p] = (ysk[p] ?? 0) + v;
      for (const [p, v] of Object.entries(expected.org?.votes ?? {})) org[p] = (org[p] ?? 0) + v;
    }
    expect(counts).toEqual({ match: 48, mismatch: 12, yskOnly: 45, orgOnly: 0 });
    const cov = await admin.get('/api/coverage?province=69&ballot=2');
    expect(cov.body.boxes).toMatchObject({ ...counts, total: 105, yskPublished: 105, entered: 60, unconfirmed: 10 });
    const nonZero = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0));
    expect(nonZero(cov.body.votes.ysk)).toEqual(nonZero(ysk));
    expect(nonZero(cov.body.votes.org)).toEqual(nonZero(org));
  });
});
