import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boxKey, normaliseResultRows, parseColumnMap, parseQuery, parseYskPayload, sheetHash, type Column, type Sheet, type YskRecord } from '@gozcu/shared';
import { simulatorOptionsFromEnv } from '../../server/src/simulator/config';
import { readRecording } from '../../server/src/simulator/replay';
import { startSimulator, type RunningSimulator } from '../../server/src/simulator/server';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD } from '../support/auth';
import { NIGHT_START, eventually, startSmallNight, truth } from '../support/sim';

const HOUR = 3_600_000;

/** What the recording says each box ended at: its last readable row, read independently of the server. */
function finalBoxes(records: YskRecord[], election: string): Map<string, { sheet: Sheet; yskVersion: number | null }> {
  const maps = new Map<string, Column[]>();
  const out = new Map<string, { sheet: Sheet; yskVersion: number | null }>();
  for (const r of records) {
    if (r.status !== 200) continue;
    let payload: unknown;
    try {
      payload = JSON.parse(r.body);
    } catch {
      continue; // a truncated answer is in the recording as it came
    }
    const { params } = parseQuery(r.endpoint, r.query);
    if (r.endpoint === 'getSandikSecimSonucBaslikList') {
      const parsed = parseYskPayload('getSandikSecimSonucBaslikList', payload);
      if (parsed.ok) maps.set(`${params['secimTuru']}:${params['ilId']}`, parseColumnMap(parsed.rows));
    }
    if (r.endpoint !== 'getSecimSandikSonucList') continue;
    const parsed = parseYskPayload('getSecimSandikSonucList', payload);
    const columns = maps.get(`${params['secimTuru']}:${params['ilId']}`);
    if (!parsed.ok || !columns) continue;
    const ballot = Number(params['secimTuru']) as 2;
    for (const o of normaliseResultRows(parsed.rows, columns, { election, ballot, fetchedAt: r.at }).observations)
      out.set(boxKey(o.ref), { sheet: o.sheet, yskVersion: o.yskVersion });
  }
  return out;
}

/**
 * YSK_RECORD_DIR and SIM_REPLAY: a short simulated night (with faults) recorded through the
 * client of one Gözcü, then replayed at 5× by the simulator to a fresh Gözcü, which must end up
 * with exactly the boxes the recording holds.
 */
describe('record a night and replay it to a fresh Gözcü', () => {
  const ELECTION = `replay${process.pid}`;
  const recordDir = mkdtempSync(join(tmpdir(), 'gozcu-rec-'));
  let sim: RunningSimulator;
  let replay: RunningSimulator | null = null;
  let recorder: RunningApp;
  let player: RunningApp | null = null;
  const env = (baseUrl: string, extra: Record<string, string> = {}) => ({
    YSK_ELECTION_ID: ELECTION,
    YSK_BALLOT_TYPES: '2',
    YSK_BASE_URL: baseUrl,
    YSK_PROVINCES: '69',
    YSK_POLL_INTERVAL_MS: '250',
    YSK_MAX_RPS: '200',
    YSK_BACKOFF_BASE_MS: '20',
    YSK_BACKOFF_CAP_MS: '300',
    YSK_MAX_ATTEMPTS: '100',
    GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ...extra,
  });

  beforeAll(async () => {
    sim = await startSmallNight({ election: ELECTION, plates: [69], ballots: [2], seed: 5, revisionRate: 0.1 });
    recorder = await startApp(env(sim.apiUrl, { YSK_RECORD_DIR: recordDir }));
  });
  afterAll(async () => {
    await player?.close();
    await replay?.close();
    await sim?.close();
    rmSync(recordDir, { recursive: true, force: true });
  });

  it('records every raw answer as the client saw it, then replays it to the same boxes', async () => {
    const store = recorder.app.get<Store>(STORE);
    const caughtUp = async () => {
      for (const box of await truth(sim, 'now')) {
        const latest = await store.latestVersion(box.key);
        if (!latest || latest.yskVersion !== box.versions[box.versions.length - 1]!.versiyon) return `${box.key} not caught up`;
      }
      return null;
    };
    sim.clock.set(NIGHT_START + 2 * HOUR);
    sim.faults.add({ kind: 'http5xx', count: 3 }, sim.clock.now());
    await eventually(caughtUp, 60_000);
    sim.clock.set(NIGHT_START + 4 * HOUR);
    sim.faults.add({ kind: 'truncated', count: 2, endpoints: ['getSecimSandikSonucList'] }, sim.clock.now());
    await eventually(caughtUp, 60_000);
    sim.clock.set(NIGHT_START + 12 * 24 * HOUR);
    await eventually(caughtUp, 60_000);
    // the night is over: the next re-poll of a district that did not change answers 304 (on a loaded
    // machine the catch-up can end before any re-poll happened); wait for one instead of racing it
    const has304 = async () => {
      try {
        return readRecording(recordDir).some((r) => r.status === 304) ? null : 'no 304 recorded yet';
      } catch {
        return 'recording being written';
      }
    };
    await eventually(has304, 30_000);
    await recorder.close();

    expect(readdirSync(recordDir).filter((f) => f.endsWith('.jsonl'))).toHaveLength(1);
    const records = readRecording(recordDir);
    const statuses = new Set(records.map((r) => r.status));
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 304, 500]));
    expect(new Set(records.map((r) => r.endpoint))).toEqual(
      new Set(['getIlList', 'getIlceList', 'getMuhtarlikList', 'getSandikSecimSonucBaslikList', 'getSecimSandikSonucList', 'getSecimSonucList']),
    );
    const good = records.find((r) => r.status === 200 && r.endpoint === 'getSecimSandikSonucList')!;
    expect(good.headers).toMatchObject({ etag: expect.any(String), 'content-type': expect.stringContaining('json') });
    expect(good.query).toContain(`secimId=${ELECTION}&secimTuru=2&ilId=69&ilceId=`);
    expect(typeof good.latencyMs).toBe('number');
    expect(
      records.some(
        (r) =>
          r.status === 200 &&
          r.body.length > 0 &&
          (() => {
            try {
              JSON.parse(r.body);
              return false;
            } catch {
              return true;
            }
          })(),
      ),
    ).toBe(true);

    const want = finalBoxes(records, ELECTION);
    const final = await truth(sim);
    expect(want.size).toBe(final.length);

    // the recording at 5×, as `SIM_REPLAY=<dir> SIM_REPLAY_SPEED=5` would run it
    const { describe: what, ...opts } = simulatorOptionsFromEnv({ SIM_REPLAY: recordDir, SIM_REPLAY_SPEED: '5', SIM_CLOCK: 'realtime', SIM_LATENCY_MS: '1' });
    expect(what).toMatch(/replaying \d+ responses .* at 5×/);
    expect(opts.clock.speed).toBe(5);
    replay = await startSimulator(opts);
    player = await startApp(env(replay.apiUrl));
    const replayed = player.app.get<Store>(STORE);
    await eventually(async () => {
      for (const [key, box] of want) {
        const latest = await replayed.latestVersion(key);
        if (!latest) return `${key} not replayed yet`;
        if (sheetHash(latest.sheet) !== sheetHash(box.sheet) || latest.yskVersion !== box.yskVersion)
          return `${key} at versiyon ${latest.yskVersion}, the recording ends at ${box.yskVersion}`;
      }
      return null;
    }, 120_000);
    const stored: string[] = [];
    for (let after: string | undefined; ;) {
      const page = await replayed.boxes({ election: ELECTION }, { after, limit: 1000 });
      if (!page.length) break;
      stored.push(...page.filter((p) => p.latest).map((p) => p.box.key));
      after = page[page.length - 1]!.box.key;
    }
    expect(stored.sort()).toEqual([...want.keys()].sort());
    const info = (await (await fetch(`${replay.url}/_admin/info`)).json()) as { mode: string; replay: { records: number } };
    expect(info).toMatchObject({ mode: 'replay', replay: { records: records.length } });
  }, 300_000);
});
