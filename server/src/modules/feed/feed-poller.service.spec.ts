import { boxKey, emptyResultRow, parseColumnMap, parseYskPayload, versionAt, type BoxChange, type YskResultRow } from '@gozcu/shared';
import type { Clock } from '../../infra/clock';
import type { AppConfig } from '../../infra/config';
import { ChangeBus, type ChangeEvents } from '../../infra/events';
import { strictFake } from '../../infra/strict-fake';
import type { ReconcileService } from '../reconcile/reconcile.service';
import type { AppendOutcome, NewVersion, VersionsRepository } from '../store/store.port';
import type { FeedControls } from './feed-controls';
import type { FeedDiscovery } from './feed-discovery.service';
import { FeedPoller } from './feed-poller.service';
import type { RowProblems } from './feed-rows';
import { zeroTotals, type FeedService } from './feed.service';
import type { YskClient, YskResponse } from './ysk.client';
import { YskFetchError } from './ysk.errors';

const T = Date.parse('2024-03-31T19:00:00.000Z');
const ELECTION = '2024yerel';
const columns = parseColumnMap([
  { sira_NO: 1, ad: 'CHP', column_NAME: 'parti21_ALDIGI_OY' },
  { sira_NO: 2, ad: 'AK PARTİ', column_NAME: 'parti3_ALDIGI_OY' },
]);

/** A box row of district 405 (province 6) the way YSK sends it. */
function boxRow(boxNo: number, chp: number): YskResultRow {
  const row = Object.assign(emptyResultRow(), {
    il_ID: 6,
    ilce_ID: 405,
    muhtarlik_ID: 120345,
    sandik_ID: 8_800_000 + boxNo,
    sandik_NO: boxNo,
    secim_TURU: 2,
    secmen_SAYISI: 300,
    oy_KULLANAN_SECMEN_SAYISI: 200,
    itirazsiz_GECERLI_OY_SAYISI: 190,
    itirazli_GECERLI_OY_SAYISI: 0,
    gecerli_OY_TOPLAMI: 190,
    gecersiz_OY_TOPLAMI: 10,
    parti21_ALDIGI_OY: chp,
    parti3_ALDIGI_OY: 190 - chp,
    versiyon: 7,
    son_ISLEM_TARIHI: '2024-03-31T18:59:00.000+0000',
    degisiklik_NEDENI: 3,
  });
  const parsed = parseYskPayload('getSecimSandikSonucList', [row]);
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.rows[0]!;
}

function rowsAnswer<Row>(rows: Row[]): YskResponse<Row> {
  return { notModified: false, rows, rejected: [], notes: [], fetchedAt: new Date(T).toISOString(), bytes: 100 };
}

/** The poller with strict fakes around it; `answer` is what YSK's box list answers. */
function setup(answer: () => Promise<YskResponse<YskResultRow>>) {
  const calls = { appended: [] as NewVersion[], reconciled: [] as AppendOutcome[], successes: [] as number[], failures: [] as unknown[], forgotten: 0 };
  const client = strictFake<YskClient>('YskClient', {
    getSecimSandikSonucList: async () => answer(),
    getSecimSonucList: async () => {
      throw new YskFetchError('http_4xx', 'getSecimSonucList', 'HTTP 404', { url: '', status: 404, retryAfterMs: null, body: 'no', latencyMs: 1 });
    },
    forget: () => void calls.forgotten++,
  });
  const totals = zeroTotals();

  const feed = strictFake<FeedService>('FeedService', {
    ysk: (call) => call(client),
    yskClient: () => client,
    totals,
    health: strictFake<FeedService['health']>('FeedHealth', { overallStats: () => ({ count: 0 }) as ReturnType<FeedService['health']['overallStats']> }),
    rowProblems: strictFake<RowProblems>('RowProblems', { boxRows: async () => undefined }),
    markSuccess: (province) => void calls.successes.push(province),
    recordFailure: async (err) => void calls.failures.push(err),
  });
  const store = strictFake<VersionsRepository>('VersionsRepository', {
    appendVersions: async (versions) => {
      calls.appended.push(...versions);
      return versions.map((v): AppendOutcome => ({
        kind: 'first',
        version: versionAt(v, 1),
      }));
    },
  });
  const reconcile = strictFake<ReconcileService>('ReconcileService', {
    applyYsk: (outcomes): BoxChange[] => {
      calls.reconciled.push(...outcomes);
      return [];
    },
  });
  const bus = new ChangeBus();
  const stored: Array<ChangeEvents['versions.stored']> = [];
  bus.on('versions.stored', (e) => void stored.push(e));
  const controls = strictFake<FeedControls>('FeedControls', {
    current: { paused: false, pollIntervalMs: 1_000, maxRps: 10 } as FeedControls['current'],
  });
  const discovery = strictFake<FeedDiscovery>('FeedDiscovery', {
    isRegistered: () => true,
    registerOf: () => [1, 2, 3],
    columnsOf: async () => columns,
    districtsOf: async () => [405],
    refreshColumns: async () => columns,
  });
  const config = strictFake<AppConfig>('AppConfig', { YSK_ELECTION_ID: ELECTION, FEED_MAX_RANGES: 4, FEED_RANGE_GAP: 8, FEED_QUIET_CHECK_MS: 60_000 });
  const clock = strictFake<Clock>('Clock', { wall: () => T, now: () => T });
  const poller = new FeedPoller(config, store, reconcile, bus, controls, discovery, feed, clock);
  return { poller, calls, totals, stored };
}

describe('FeedPoller (strict fakes: YSK client, repositories, a fixed clock)', () => {
  it('a poll that returns a changed box appends a version and reports it to the reconciliation', async () => {
    const { poller, calls, totals, stored } = setup(async () => rowsAnswer([boxRow(1, 100)]));
    const out = await poller.pollDistrict({ ballot: 2, province: 6, district: 405, kind: 'quiet' });
    const key = boxKey({ election: ELECTION, ballot: 2, province: 6, district: 405, boxNo: 1 });
    expect(calls.appended.map((v) => [v.key, v.sheet.votes, v.yskVersion, v.fetchedAt])).toEqual([
      [key, { CHP: 100, 'AK PARTİ': 90 }, 7, '2024-03-31T19:00:00.000Z'],
    ]);
    expect(calls.reconciled).toEqual([expect.objectContaining({ kind: 'first', version: expect.objectContaining({ key }) })]);
    expect(out).toMatchObject({ stored: 1, observations: 1, unchanged: false });
    expect(totals.versions).toBe(1);
    // the metrics listen: one first version stored
    expect(stored).toEqual([{ first: 1, revised: 0 }]);
    expect(calls.successes).toEqual([6]);
    // the district is known current as of the clock's time: no lag
    expect(poller.lags(T)).toEqual([expect.objectContaining({ ballot: 2, province: 6, lagSeconds: 0 })]);
  });

  it('a poll that fails is an error for the scheduler to record, not data', async () => {
    const outage = new YskFetchError('http_5xx', 'getSecimSandikSonucList', 'HTTP 503', {
      url: '',
      status: 503,
      retryAfterMs: null,
      body: 'down',
      latencyMs: 5,
    });
    const { poller, calls } = setup(async () => {
      throw outage;
    });
    await expect(poller.pollDistrict({ ballot: 2, province: 6, district: 405, kind: 'quiet' })).rejects.toBe(outage);
    expect(calls.appended).toEqual([]);
    expect(calls.reconciled).toEqual([]);
    expect(calls.successes).toEqual([]);
  });

  it('aggregates refused three sweeps in a row: the failure is recorded and the districts are polled without them', async () => {
    const { poller, calls } = setup(async () => rowsAnswer([]));
    for (let i = 0; i < 2; i++) await expect(poller.sweep({ ballot: 2, province: 6 })).rejects.toBeInstanceOf(YskFetchError);
    expect(calls.failures).toHaveLength(0);
    const due = await poller.sweep({ ballot: 2, province: 6 });
    expect(calls.failures).toEqual([expect.objectContaining({ kind: 'http_4xx', status: 404 })]);
    expect(due.map((d) => [d.district, d.kind])).toEqual([[405, 'legacy']]);
    expect(calls.appended).toEqual([]);
  });
});
