import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseRecording, type BallotCode, type YskParams } from '@gozcu/shared';
import { readBayburt, BayburtWorld } from '../../simulator/bayburt';
import { SimClock } from '../../simulator/clock';
import type { FaultSpec } from '../../simulator/faults';
import { buildGeography, sharedDataDir } from '../../simulator/geography';
import { startSimulator, type RunningSimulator } from '../../simulator/server';
import { SyntheticWorld } from '../../simulator/synthetic';
import { YskClient, type YskCallEvent } from './ysk.client';
import { parseRetryAfter, YskFetchError } from './ysk.errors';
import { JsonlRecorder, recorderForDir } from '../../infra/jsonl-recorder';

const NIGHT_START = Date.parse('2024-03-31T17:00:00.000Z');
const HOUR = 3_600_000;
const ELECTION = 'sim2024';

async function startSynthetic(): Promise<RunningSimulator> {
  const geography = buildGeography({ plates: [69, 62], seed: 42, dataDir: sharedDataDir() });
  const world = new SyntheticWorld({ geography, seed: 42, electionId: ELECTION, ballots: [2, 3, 4, 6], nightStart: NIGHT_START, revisionRate: 0.2 });
  return startSimulator({ world, clock: new SimClock({ start: NIGHT_START, mode: 'manual' }), latencyMs: 0 });
}

async function admin(sim: RunningSimulator, route: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sim.url}/_admin/${route}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${route}: ${res.status} ${text}`);
  return route.startsWith('truth')
    ? text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : JSON.parse(text);
}

const boxParams = (ilId: number, ilceId: number | '', secimTuru: BallotCode): YskParams<'getSecimSandikSonucList'> => ({
  secimId: ELECTION,
  secimTuru,
  ilId,
  ilceId,
  yurtIciDisi: 1,
});

async function classify(p: Promise<unknown>): Promise<YskFetchError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof YskFetchError) return err;
    throw err;
  }
  throw new Error('expected a YskFetchError, got data');
}

describe('YskClient ↔ simulator over HTTP', () => {
  let sim: RunningSimulator;
  let events: YskCallEvent[];
  let client: YskClient;
  beforeEach(async () => {
    sim = await startSynthetic();
    events = [];
    client = new YskClient({ fetch, baseUrl: sim.apiUrl, timeoutMs: 2000, observer: { onCall: (e) => events.push(e) } });
  });
  afterEach(() => sim.close());

  it('reads the lists: provinces, districts, neighbourhoods', async () => {
    const il = await client.getIlList({ secimId: ELECTION, secimTuru: 4, yurtIciDisi: 1 });
    if (il.notModified) throw new Error('fresh expected');
    expect(il.rows.map((r) => [r.il_ID, r.il_ADI])).toEqual([
      [62, 'TUNCELİ'],
      [69, 'BAYBURT'],
    ]);
    const ilce = await client.getIlceList({ secimId: ELECTION, secimTuru: 2, ilId: 69 });
    if (ilce.notModified) throw new Error('fresh expected');
    expect(ilce.rows.map((r) => r.ilce_ID)).toEqual(expect.arrayContaining([75, 681]));
    const hoods = await client.getMuhtarlikList({ secimId: ELECTION, secimTuru: 2, ilceId: 75 });
    if (hoods.notModified) throw new Error('fresh expected');
    expect(hoods.rows.length).toBeGreaterThan(5);
    // served as strings, as the real feed does; read as numbers
    expect(typeof hoods.rows[0]!.min_SANDIK_NO).toBe('number');
    const raw = (await (
      await fetch(`${sim.apiUrl}/getMuhtarlikList?secimId=${ELECTION}&secimTuru=2&ilceId=75&beldeId=&birimId=&secimCevresiId=&sandikTuru=&yurtIciDisi=`)
    ).json()) as Record<string, unknown>[];
    expect(typeof raw[0]!['min_SANDIK_NO']).toBe('string');
    expect(events.map((e) => e.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(events.every((e) => e.bytes > 0 && e.latencyMs >= 0)).toBe(true);
  });

  it('a wrong combination answers []; a missing parameter is refused', async () => {
    const none = await client.getIlceList({ secimId: ELECTION, secimTuru: 6, ilId: 69 });
    expect(none.notModified ? null : none.rows).toEqual([]);
    const res = await fetch(`${sim.apiUrl}/getIlList?secimId=${ELECTION}&secimTuru=2`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/sandikTuru, yurtIciDisi/);
  });

  it('reads the column map: withdrawn entries out, positions not in column order', async () => {
    const columns = await client.getColumnMap({ secimId: ELECTION, ilId: 69, secimTuru: 3, yurtIciDisi: 1 });
    expect(columns.length).toBe(22);
    expect(columns.some((c) => c.position === 0)).toBe(false);
    const columnNumbers = columns.map((c) => Number(/\d+/.exec(c.column)![0]));
    expect(columnNumbers).not.toEqual([...columnNumbers].sort((a, b) => a - b));
    const onlyTotal = await client.getColumnMap({ secimId: ELECTION, ilId: 69, secimTuru: 2, bagimsiz: 0, yurtIciDisi: 1 });
    const listed = await client.getColumnMap({ secimId: ELECTION, ilId: 69, secimTuru: 2, yurtIciDisi: 1 });
    expect(onlyTotal.filter((c) => c.column.startsWith('bagimsiz')).every((c) => c.position === 999)).toBe(true);
    expect(listed.some((c) => c.position === 999)).toBe(false);
  });

  it('normalises box rows into observations equal to the truth as of now, and more appear as the clock runs', async () => {
    const columns = await client.getColumnMap({ secimId: ELECTION, ilId: 69, secimTuru: 2, yurtIciDisi: 1 });
    const ctx = { election: ELECTION, ballot: 2 as const };
    expect(await client.getBoxObservations(boxParams(69, '', 2), columns, ctx)).toEqual([]);
    for (const advance of [2 * HOUR, 4 * HOUR, 48 * HOUR]) {
      await admin(sim, 'clock', { advanceMs: advance });
      const obs = (await client.getBoxObservations(boxParams(69, '', 2), columns, ctx))!;
      const truth = (await admin(sim, 'truth?asOf=now&province=69&ballot=2')) as {
        ref: unknown;
        versions: { versiyon: number; at: string; reason: string | null; sheet: unknown }[];
      }[];
      expect(obs.length).toBe(truth.length);
      expect(obs.map((o) => ({ ref: o.ref, sheet: o.sheet, v: o.yskVersion, at: o.yskChangedAt, reason: o.changeReason }))).toEqual(
        truth.map((t) => {
          const last = t.versions[t.versions.length - 1]!;
          return { ref: t.ref, sheet: last.sheet, v: last.versiyon, at: last.at, reason: last.reason };
        }),
      );
    }
    const all = (await admin(sim, 'truth?province=69&ballot=2')) as { versions: unknown[] }[];
    expect(all.some((b) => b.versions.length > 1)).toBe(true);
  });

  it('answers 304 to a conditional request until something changes', async () => {
    await admin(sim, 'clock', { advanceMs: 2 * HOUR });
    const first = await client.getSecimSandikSonucList(boxParams(69, 75, 3));
    expect(first.notModified).toBe(false);
    expect((await client.getSecimSandikSonucList(boxParams(69, 75, 3))).notModified).toBe(true);
    expect(events.map((e) => e.outcome)).toEqual(['ok', 'not_modified']);
    await admin(sim, 'clock', { advanceMs: HOUR });
    expect((await client.getSecimSandikSonucList(boxParams(69, 75, 3))).notModified).toBe(false);
    expect((await client.getSecimSandikSonucList(boxParams(69, 75, 3), { conditional: false })).notModified).toBe(false);
  });

  const faultCases: [string, FaultSpec, string, number | null][] = [
    ['5xx', { kind: 'http5xx', status: 502, count: 1 }, 'http_5xx', null],
    ['429 with seconds', { kind: 'http429', retryAfter: 7, count: 1 }, 'http_429', 7000],
    ['503 with seconds', { kind: 'http503', retryAfter: 30, count: 1 }, 'http_5xx', 30000],
    ['truncated JSON', { kind: 'truncated', count: 1 }, 'parse', null],
    ['malformed JSON', { kind: 'malformed', count: 1 }, 'parse', null],
    ['HTML instead of JSON', { kind: 'malformed', variant: 'html', count: 1 }, 'parse', null],
    ['a renamed field', { kind: 'drift', count: 1 }, 'schema', null],
  ];
  it.each(faultCases)('classifies %s', async (_name, fault, kind, retryAfterMs) => {
    await admin(sim, 'faults', fault);
    const err = await classify(client.getIlList({ secimId: ELECTION, secimTuru: 2, yurtIciDisi: 1 }));
    expect(err.kind).toBe(kind);
    expect(err.retryAfterMs).toBe(retryAfterMs);
    expect(err.body).not.toBeNull();
    expect(events[events.length - 1]!.outcome).toBe(kind);
    // The fault was for one call only: the next one is data again.
    const ok = await client.getIlList({ secimId: ELECTION, secimTuru: 2, yurtIciDisi: 1 });
    expect(ok.notModified ? [] : ok.rows).toHaveLength(2);
  });

  it('reads an id sent as a numeric string (metadata), and rejects a figure sent as a string', async () => {
    await admin(sim, 'faults', { kind: 'drift', wrongType: 'il_ID', count: 1 });
    const il = await client.getIlList({ secimId: ELECTION, secimTuru: 2, yurtIciDisi: 1 });
    expect(il.notModified ? null : il.rows.map((r) => r.il_ID)).toEqual([62, 69]);
    await admin(sim, 'clock', { advanceMs: 3 * HOUR });
    await admin(sim, 'faults', { kind: 'drift', endpoints: ['getSecimSandikSonucList'], wrongType: 'secmen_SAYISI', count: 1 });
    const err = await classify(client.getSecimSandikSonucList(boxParams(69, 75, 2)));
    expect(err.kind).toBe('schema');
    expect(err.details.issues!.join(' ')).toMatch(/secmen_SAYISI: figure must be a number/);
  });

  it('serves and reads result rows in the real JSON types', async () => {
    await admin(sim, 'clock', { advanceMs: 30 * HOUR });
    const res = await fetch(
      `${sim.apiUrl}/getSecimSandikSonucList?secimId=${ELECTION}&secimTuru=2&ilId=69&ilceId=75&beldeId=&birimId=&muhtarlikId=&cezaeviId=&sandikTuru=&sandikNoIlk=&sandikNoSon=&ulkeId=&disTemsilcilikId=&gumrukId=&yurtIciDisi=1&sandikRumuzIlk=&sandikRumuzSon=&secimCevresiId=&sandikId=&sorguTuru=`,
    );
    const rows = (await res.json()) as Record<string, unknown>[];
    const boxes = rows.filter((r) => r['sandik_NO'] !== null);
    expect(boxes.length).toBeGreaterThan(50);
    for (const r of boxes) {
      expect([typeof r['degisiklik_NEDENI'], typeof r['versiyon'], typeof r['son_ISLEM_TARIHI'], typeof r['sandik_SONUC_TUTANAGI'], r['sandik_RUMUZ']]).toEqual(
        ['number', 'number', 'string', 'number', null],
      );
      expect(r['versiyon']).toBeGreaterThanOrEqual(1000);
    }
    expect(boxes.some((r) => (r['degisiklik_NEDENI'] as number) > 0)).toBe(true);
    expect(rows[rows.length - 1]).toMatchObject({ sandik_NO: null, muhtarlik_ADI: null });
  });

  it('classifies drift in result rows as schema, never data', async () => {
    await admin(sim, 'clock', { advanceMs: 3 * HOUR });
    await admin(sim, 'faults', { kind: 'drift', endpoints: ['getSecimSandikSonucList'], count: 1 });
    const err = await classify(client.getSecimSandikSonucList(boxParams(69, 75, 2)));
    expect(err.kind).toBe('schema');
    expect(err.details.issues!.join(' ')).toMatch(/oy_KULLANAN_SECMEN_SAYISI/);
    expect(err.body).toContain('oy_KULLANAN_SAYISI');
  });

  it('reads Retry-After given as an HTTP date', async () => {
    await admin(sim, 'faults', { kind: 'http429', retryAfter: 120, retryAfterDate: true, count: 1 });
    const err = await classify(client.getIlList({ secimId: ELECTION, secimTuru: 2 }));
    expect(err.kind).toBe('http_429');
    expect(err.retryAfterMs).toBeGreaterThan(118_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:27:00Z'))).toBe(60_000);
    expect(parseRetryAfter(null, 0)).toBeNull();
  });

  it('times out a call that hangs, and one slowed down ×50', async () => {
    const quick = new YskClient({ fetch, baseUrl: sim.apiUrl, timeoutMs: 150, observer: { onCall: (e) => events.push(e) } });
    await admin(sim, 'faults', { kind: 'timeout', count: 1 });
    expect((await classify(quick.getIlList({ secimId: ELECTION, secimTuru: 2 }))).kind).toBe('timeout');
    await admin(sim, 'faults', { kind: 'latency', factor: 50, count: 1 });
    const slow = await classify(quick.getIlList({ secimId: ELECTION, secimTuru: 2 }));
    expect(slow.kind).toBe('timeout');
    expect(slow.details.latencyMs).toBeGreaterThanOrEqual(140);
  });

  it('classifies a refused connection and a 4xx', async () => {
    const gone = await startSynthetic();
    const url = gone.apiUrl;
    await gone.close();
    const err = await classify(new YskClient({ fetch, baseUrl: url, timeoutMs: 1000 }).getIlList({}));
    expect(err.kind).toBe('connect');
    const wrongBase = new YskClient({ fetch, baseUrl: `${sim.url}/nope`, timeoutMs: 1000 });
    const notFound = await classify(wrongBase.getIlList({}));
    expect([notFound.kind, notFound.status]).toEqual(['http_4xx', 404]);
  });

  it('serves test data before the real data when told to', async () => {
    await admin(sim, 'faults', { kind: 'testData', endpoints: ['getSecimSandikSonucList'], count: 1 });
    const res = await client.getSecimSandikSonucList(boxParams(69, 75, 2));
    if (res.notModified) throw new Error('fresh expected');
    const boxes = res.rows.filter((r) => r.sandik_NO !== null);
    expect(boxes.length).toBeGreaterThan(50);
    expect(boxes.every((r) => r.versiyon === 0)).toBe(true);
    const real = await client.getSecimSandikSonucList(boxParams(69, 75, 2));
    expect(real.notModified ? null : real.rows).toEqual([]);
  });

  it('a pause stops new publications until it ends', async () => {
    await admin(sim, 'clock', { advanceMs: HOUR });
    const count = async () => ((await admin(sim, 'stats')) as { published: number }).published;
    const before = await count();
    await admin(sim, 'faults', { kind: 'pause', durationMs: 2 * HOUR });
    await admin(sim, 'clock', { advanceMs: 2 * HOUR - 1000 });
    expect(await count()).toBe(before);
    await admin(sim, 'clock', { advanceMs: 0.2 * HOUR });
    expect(await count()).toBeGreaterThan(before);
  });

  it('records raw responses and replays them', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ysk-rec-')), 'night.jsonl');
    const recorder = new JsonlRecorder(file);
    let wall = NIGHT_START;
    const recording = new YskClient({ fetch, baseUrl: sim.apiUrl, timeoutMs: 2000, recorder, now: () => wall });
    const bodies: string[] = [];
    for (const step of [1, 2, 3]) {
      await admin(sim, 'clock', { advanceMs: HOUR });
      wall += HOUR;
      const res = await recording.getSecimSandikSonucList(boxParams(69, 75, 2), { conditional: false });
      bodies.push(JSON.stringify(res.notModified ? null : res.rows));
      expect(step).toBeGreaterThan(0);
    }
    await recorder.close();
    const records = parseRecording(readFileSync(file, 'utf8'));
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ endpoint: 'getSecimSandikSonucList', status: 200 });
    expect(records[0]!.query).toContain('ilceId=75&beldeId=&');

    const clock = new SimClock({ start: Date.parse(records[0]!.at), mode: 'manual' });
    const replay = await startSimulator({ replay: records, clock });
    try {
      const player = new YskClient({ fetch, baseUrl: replay.apiUrl, timeoutMs: 2000 });
      const replayed: string[] = [];
      for (const step of [0, 1, 2]) {
        if (step) clock.advance(HOUR);
        const res = await player.getSecimSandikSonucList(boxParams(69, 75, 2), { conditional: false });
        replayed.push(JSON.stringify(res.notModified ? null : res.rows));
      }
      expect(replayed).toEqual(bodies);
      const other = await player.getSecimSandikSonucList(boxParams(69, 681, 2));
      expect(other.notModified ? null : other.rows).toEqual([]);
    } finally {
      await replay.close();
    }
  });
});

describe('YSK_RECORD_DIR', () => {
  it('records every answer as the client saw it: 304s and errors too, with headers and latency', async () => {
    const sim = await startSynthetic();
    try {
      const dir = path.join(mkdtempSync(path.join(tmpdir(), 'ysk-dir-')), 'nested');
      const recorder = recorderForDir(dir, Date.parse('2024-03-31T17:00:00.000Z'));
      expect(path.basename(recorder.file)).toBe(`ysk-2024-03-31T17-00-00-000Z-${process.pid}.jsonl`);
      const client = new YskClient({ fetch, baseUrl: sim.apiUrl, timeoutMs: 2000, recorder });
      await admin(sim, 'clock', { advanceMs: 2 * HOUR });
      await client.getSecimSandikSonucList(boxParams(69, 75, 2));
      await client.getSecimSandikSonucList(boxParams(69, 75, 2));
      await admin(sim, 'faults', { kind: 'http429', retryAfter: 3, count: 1 });
      await classify(client.getSecimSandikSonucList(boxParams(69, 75, 2)));
      await recorder.close();
      const records = parseRecording(readFileSync(recorder.file, 'utf8'));
      expect(records.map((r) => r.status)).toEqual([200, 304, 429]);
      expect(records[0]!.headers).toMatchObject({ etag: expect.any(String), 'last-modified': expect.any(String) });
      expect(JSON.parse(records[0]!.body).length).toBeGreaterThan(1);
      expect(records[1]!.body).toBe('');
      expect(records[2]!.headers?.['retry-after']).toBe('3');
      expect(records.every((r) => typeof r.latencyMs === 'number' && r.query.includes('ilceId=75'))).toBe(true);
    } finally {
      await sim.close();
    }
  });
});

describe('Bayburt mode: the real 2014 results in YSK shape', () => {
  it('normalised observations equal the TSV row by row', async () => {
    const dataDir = sharedDataDir();
    const world = new BayburtWorld(dataDir, '2014yerel', 2, NIGHT_START, 1);
    const sim = await startSimulator({ world, clock: new SimClock({ start: NIGHT_START + 30 * 24 * HOUR, mode: 'manual' }) });
    try {
      const client = new YskClient({ fetch, baseUrl: sim.apiUrl, timeoutMs: 2000 });
      const columns = await client.getColumnMap({ secimId: '2014yerel', ilId: 69, secimTuru: 2, yurtIciDisi: 1 });
      const observations = [];
      for (const ilceId of [75, 681]) {
        observations.push(
          ...(await client.getBoxObservations({ secimId: '2014yerel', secimTuru: 2, ilId: 69, ilceId }, columns, { election: '2014yerel', ballot: 2 }))!,
        );
      }
      const { rows } = readBayburt(dataDir);
      expect(rows).toHaveLength(105);
      expect(observations).toHaveLength(105);
      const got = observations.map((o) => ({ district: o.ref.district, boxNo: o.ref.boxNo, neighbourhood: o.neighbourhood, ...o.sheet }));
      const want = rows.map((r) => ({
        district: r.district,
        boxNo: r.boxNo,
        neighbourhood: r.neighbourhood,
        registered: r.registered,
        voted: r.voted,
        validUncontested: r.validUncontested,
        validAfterObjection: r.validAfterObjection,
        valid: r.valid,
        invalid: r.invalid,
        votes: r.votes,
      }));
      const byBox = (a: { district: number; boxNo: number }, b: { district: number; boxNo: number }) => a.district - b.district || a.boxNo - b.boxNo;
      expect(got.sort(byBox)).toEqual(want.sort(byBox));
      expect(Object.keys(observations[0]!.sheet.votes)).toEqual(['AK PARTİ', 'MHP', 'SAADET', 'CHP', 'BTP', 'BBP', 'DP', 'DSP', 'HDP', 'DBP', 'Diger']);
    } finally {
      await sim.close();
    }
  });
});
