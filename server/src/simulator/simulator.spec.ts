import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { YskRecord } from '@gozcu/shared';
import { SimClock } from './clock';
import { readRecording, Replay } from './replay';
import { unitsOfCall } from './special';
import { nightFractionAt } from './curve';
import { SimEngine, type TruthBox } from './engine';
import { buildGeography, sharedDataDir } from './geography';
import { SyntheticWorld } from './synthetic';
import { simulatorOptionsFromEnv } from './config';
import { startSimulator } from './server';

const NIGHT_START = Date.parse('2024-03-31T17:00:00.000Z');
const NIGHT = 6 * 3_600_000;

function engine(seed: number, plates = [69, 62], revisionRate = 0.02): SimEngine {
  const geography = buildGeography({ plates, seed, dataDir: sharedDataDir() });
  const world = new SyntheticWorld({ geography, seed, electionId: 'sim2024', ballots: [2, 3, 4, 6], nightStart: NIGHT_START, revisionRate });
  return new SimEngine(world, new SimClock({ start: NIGHT_START, mode: 'manual' }));
}

const allTruth = (e: SimEngine): TruthBox[] => [...e.truth()];

describe('simulator world', () => {
  it('repeats exactly for a seed, and differs for another', () => {
    const a = JSON.stringify(allTruth(engine(7)));
    expect(JSON.stringify(allTruth(engine(7)))).toBe(a);
    expect(JSON.stringify(allTruth(engine(8)))).not.toBe(a);
  });

  it('only serves the ballots a province has (4 outside, 6 inside metropolitan provinces)', () => {
    const e = engine(1, [69, 6]);
    expect(e.world.ballotsOf(69)).toEqual([2, 3, 4]);
    expect(e.world.ballotsOf(6)).toEqual([2, 3, 6]);
    expect(e.world.ballotsOf(34)).toEqual([]);
  });

  it('publishes along the curve: a few early, ~10 % by a fifth of the night, ~half by half, ~90 % near the end', () => {
    const e = engine(3, [69, 62, 79, 4, 74]);
    const firstAt = [...e.truth()].map((b) => Date.parse(b.versions[0]!.at));
    const share = (fraction: number) => firstAt.filter((t) => t <= NIGHT_START + fraction * NIGHT).length / firstAt.length;
    expect(e.stats(NIGHT_START + 0.5 * NIGHT).publishedShare).toBeCloseTo(share(0.5), 10);
    expect(share(0)).toBe(0);
    expect(share(0.05)).toBeGreaterThan(0.01);
    expect(share(0.05)).toBeLessThan(0.07);
    expect(share(0.2)).toBeGreaterThan(0.07);
    expect(share(0.2)).toBeLessThan(0.14);
    expect(share(0.5)).toBeGreaterThan(0.44);
    expect(share(0.5)).toBeLessThan(0.58);
    expect(share(1)).toBeGreaterThan(0.88);
    expect(share(1)).toBeLessThan(0.96);
    expect(share(40)).toBe(1);
    expect(nightFractionAt(0.5)).toBeCloseTo(0.48);
  });

  it('makes realistic sheets: box sizes, tiny boxes, turnout over registered, invalid votes, revisions', () => {
    const e = engine(5, [26, 69], 0.05);
    const truth = allTruth(e);
    const firsts = truth.map((b) => b.versions[0]!.sheet);
    const sizes = firsts.map((s) => s.registered).sort((a, b) => a - b);
    const median = sizes[Math.floor(sizes.length / 2)]!;
    expect(median).toBeGreaterThan(280);
    expect(median).toBeLessThan(335);
    expect(sizes[0]!).toBeLessThan(30);
    const over = firsts.filter((s) => s.voted > s.registered).length / firsts.length;
    expect(over).toBeGreaterThan(0.004);
    expect(over).toBeLessThan(0.02);
    const broken = firsts.filter((s) => s.validUncontested + s.validAfterObjection !== s.valid || s.valid + s.invalid !== s.voted);
    expect(broken).toEqual([]);
    expect(firsts.some((s) => s.invalid > 0)).toBe(true);
    const revised = truth.filter((b) => b.versions.length > 1);
    expect(revised.length).toBeGreaterThan(0);
    const v1 = revised[0]!.versions[0]!;
    const v2 = revised[0]!.versions[1]!;
    // versiyon on the real feed's scale (e.g. 2671), +1 per revision; degisiklik_NEDENI a number
    expect(v1.versiyon).toBeGreaterThanOrEqual(1000);
    expect(v1.reason).toBe(0);
    expect(v2.versiyon).toBe(v1.versiyon + 1);
    expect(typeof v2.reason).toBe('number');
    expect(truth.filter((b) => b.versions.length > 1).some((b) => b.versions[1]!.reason > 0)).toBe(true);
    expect(Date.parse(v2.at)).toBeGreaterThan(Date.parse(v1.at));
  });

  it('lets Σ votes fall short of the valid total in about one box in a thousand', () => {
    const e = engine(9, [6]);
    const sheets = [...e.truth({ ballot: 3 })].map((b) => b.versions[0]!.sheet);
    const short = sheets.filter((s) => Object.values(s.votes).reduce((a, b) => a + b, 0) < s.valid).length / sheets.length;
    expect(short).toBeGreaterThan(0.0002);
    expect(short).toBeLessThan(0.003);
  });

  it('a pause holds back publications, which then arrive together', () => {
    const e = engine(11);
    const from = NIGHT_START + 0.3 * NIGHT;
    const until = from + 0.2 * NIGHT;
    const before = e.stats(from).published;
    e.addPause(from, until);
    expect(e.stats(until - 1).published).toBe(before);
    expect(e.stats(until + 0.02 * NIGHT).published).toBeGreaterThan(before);
  });

  it('reads its configuration from the environment and rejects bad values', () => {
    const opts = simulatorOptionsFromEnv({ SIM_PROVINCES: '69', SIM_CLOCK: 'manual', SIM_BALLOT_TYPES: '8,9' });
    expect(opts.world?.ballots).toEqual([8, 9]);
    expect(opts.world?.provinces.map((p) => p.plate)).toEqual([69]);
    expect(() => simulatorOptionsFromEnv({ SIM_PROVINCES: '82' })).toThrow(/SIM_PROVINCES/);
    expect(() => simulatorOptionsFromEnv({ SIM_BALLOT_TYPES: '5' })).toThrow(/SIM_BALLOT_TYPES/);
  });
});

describe('replaying a recording', () => {
  const q = (ilceId: number) => `secimId=x&secimTuru=2&ilId=69&ilceId=${ilceId}`;
  const rec = (at: string, endpoint: YskRecord['endpoint'], query: string, status: number, body: string): YskRecord => ({ at, endpoint, query, status, body });
  const records: YskRecord[] = [
    rec('2024-03-31T18:00:10.000Z', 'getMuhtarlikList', 'secimId=x&secimTuru=2&ilceId=75', 200, '[{"muhtarlik_ID":1}]'),
    rec('2024-03-31T18:00:00.000Z', 'getSecimSandikSonucList', q(75), 200, '[1]'),
    rec('2024-03-31T18:00:05.000Z', 'getSecimSandikSonucList', q(75), 304, ''),
    rec('2024-03-31T18:01:00.000Z', 'getSecimSandikSonucList', q(75), 503, 'busy'),
    rec('2024-03-31T18:02:00.000Z', 'getSecimSandikSonucList', q(75), 200, '[1,2]'),
  ];
  const replay = new Replay(records);
  const at = (iso: string) => Date.parse(iso);

  it('answers the latest answer at or before now, a 304 meaning the one before, and a failure as it was', () => {
    expect(replay.start).toBe(at('2024-03-31T18:00:00.000Z'));
    expect(replay.find('getSecimSandikSonucList', q(75), at('2024-03-31T18:00:30.000Z'))?.body).toBe('[1]');
    expect(replay.find('getSecimSandikSonucList', q(75), at('2024-03-31T18:01:30.000Z'))?.status).toBe(503);
    expect(replay.find('getSecimSandikSonucList', q(75), at('2024-03-31T19:00:00.000Z'))?.body).toBe('[1,2]');
    // parameters in another order, empty ones left out: the same call
    expect(replay.find('getSecimSandikSonucList', 'ilceId=75&ilId=69&secimTuru=2&secimId=x', at('2024-03-31T19:00:00.000Z'))?.body).toBe('[1,2]');
  });

  it('a list asked before it was recorded gets its first recording; results are not published yet', () => {
    expect(replay.find('getMuhtarlikList', 'secimId=x&secimTuru=2&ilceId=75', at('2024-03-31T18:00:00.000Z'))?.body).toBe('[{"muhtarlik_ID":1}]');
    expect(replay.find('getSecimSandikSonucList', q(75), at('2024-03-31T17:59:00.000Z'))).toBeNull();
    expect(replay.find('getSecimSandikSonucList', q(681), at('2024-03-31T19:00:00.000Z'))).toBeNull();
  });

  it('reads a YSK_RECORD_DIR directory and runs it at SIM_REPLAY_SPEED', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sim-replay-'));
    writeFileSync(path.join(dir, 'ysk-b.jsonl'), `${JSON.stringify(records[4])}\n`);
    writeFileSync(
      path.join(dir, 'ysk-a.jsonl'),
      records
        .slice(0, 4)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    writeFileSync(path.join(dir, 'notes.txt'), 'not a recording');
    expect(readRecording(dir).map((r) => r.at)).toEqual([...records].map((r) => r.at).sort());
    let wall = 1_000;
    const opts = simulatorOptionsFromEnv({ SIM_REPLAY: dir, SIM_REPLAY_SPEED: '30' }, () => wall);
    expect(opts.replay).toHaveLength(5);
    expect(opts.clock.now()).toBe(replay.start);
    wall += 2_000;
    expect(opts.clock.now()).toBe(replay.start + 60_000);
    expect(() => readRecording(mkdtempSync(path.join(tmpdir(), 'sim-empty-')))).toThrow(/no .jsonl recording/);
  });
});

describe('prison, customs and abroad boxes', () => {
  const geography = buildGeography({ plates: [22, 69], seed: 21, dataDir: sharedDataDir() });
  const general = new SyntheticWorld({ geography, seed: 21, electionId: 'g', ballots: [8], nightStart: NIGHT_START });
  const local = new SyntheticWorld({ geography, seed: 21, electionId: 'l', ballots: [2, 3], nightStart: NIGHT_START });

  it('exist in small numbers in general elections only', () => {
    expect(local.specialUnits()).toEqual([]);
    const units = general.specialUnits();
    const boxes = (kind: string) => units.filter((u) => u.kind === kind).reduce((n, u) => n + u.sim.boxNos.length, 0);
    expect(boxes('prison')).toBeGreaterThan(0);
    expect(boxes('prison')).toBeLessThanOrEqual(6);
    expect(boxes('customs')).toBeGreaterThan(0);
    expect(units.filter((u) => u.kind === 'customs').every((u) => u.plate === 22 && u.rumuz === 'G')).toBe(true);
    expect(boxes('abroad')).toBeGreaterThan(20);
    expect(boxes('abroad') + boxes('customs') + boxes('prison')).toBeLessThan(geography.boxCount * 0.2);
    // a prison box is numbered after its district's ordinary boxes
    const prison = units.find((u) => u.kind === 'prison')!;
    const district = geography.districts.find((d) => d.id === prison.ilceId)!;
    expect(prison.sim.boxNos[0]).toBe(Math.max(...district.boxNos) + 1);
  });

  it('serve their units, rows and truth in the real shape', () => {
    const e = new SimEngine(general, new SimClock({ start: NIGHT_START + 20 * 24 * 3_600_000, mode: 'manual' }));
    const abroad = unitsOfCall(e.specialUnits, { sandikTuru: '3', yurtIciDisi: '2' });
    expect(abroad.length).toBeGreaterThan(5);
    expect(unitsOfCall(e.specialUnits, { sandikTuru: '2', yurtIciDisi: '1', ilId: '22' }).every((u) => u.kind === 'prison' && u.plate === 22)).toBe(true);
    expect(unitsOfCall(e.specialUnits, { sandikTuru: '0', yurtIciDisi: '1' })).toEqual([]);
    const rows = e.specialRows(abroad, 8, e.clock.now());
    const box = rows[0]!;
    expect(box).toMatchObject({
      il_ID: null,
      ilce_ID: null,
      sandik_RUMUZ: 'A',
      degisiklik_NEDENI: expect.any(Number),
      versiyon: expect.any(Number),
      cezaevi_ID: null,
    });
    expect(typeof box['ulke_ID']).toBe('number');
    expect(rows[rows.length - 1]).toMatchObject({ sandik_NO: null });
    const truth = [...e.truth({ plate: 99 })];
    expect(truth.length).toBe(rows.length - 1);
    expect(truth.every((t) => t.kind === 'abroad' && t.key.split(':').length === 6)).toBe(true);
  });
});

describe('simulator aggregates (getSecimSonucList)', () => {
  const at = NIGHT_START + 0.5 * NIGHT;

  it('answers a province-level call with one row per district in the real shape, summing what the box lists show', () => {
    const e = engine(13, [69, 62]);
    const rows = e.summaryRows(2, { plate: 69 }, at);
    const districts = e.world.districtsOf(69);
    expect(rows.map((r) => r['ilce_ID'])).toEqual(districts.map((d) => d.id));
    for (const [i, row] of rows.entries()) {
      expect(row['sandik_NO']).toBeNull();
      expect(row['il_ID']).toBe(69);
      expect(typeof row['versiyon']).toBe('number');
      expect(typeof row['toplam_SANDIK_SAYISI']).toBe('number');
      expect(typeof row['acilan_SANDIK_SAYISI']).toBe('number');
      const boxes = e.resultRows(2, { district: districts[i]!.id }, at).filter((r) => r['sandik_NO'] !== null);
      expect(row['toplam_SANDIK_SAYISI']).toBe(districts[i]!.boxNos.length);
      expect(row['acilan_SANDIK_SAYISI']).toBe(boxes.length);
      if (boxes.length) expect(row['son_ISLEM_TARIHI']).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/));
      for (const key of ['oy_KULLANAN_SECMEN_SAYISI', 'gecerli_OY_TOPLAMI', 'gecersiz_OY_TOPLAMI', 'parti1_ALDIGI_OY']) {
        const sum = boxes.reduce((s, b) => s + ((b[key] as number | null) ?? 0), 0);
        if (boxes.length) expect(row[key] ?? 0).toBe(sum);
      }
    }
    // a district, and a box-number range of it, answer one row each
    const d = districts[0]!;
    expect(e.summaryRows(2, { district: d.id }, at)).toHaveLength(1);
    const part = e.summaryRows(2, { district: d.id, boxNoFrom: d.boxNos[0], boxNoTo: d.boxNos[2] }, at)[0]!;
    expect(part['toplam_SANDIK_SAYISI']).toBe(3);
    // with neither ilId nor ilceId: one row per province
    expect(e.summaryRows(2, {}, at).map((r) => r['il_ID'])).toEqual([62, 69]);
  });

  it('moves a district aggregate when one of its boxes is published or revised', () => {
    const e = engine(17, [69], 0.3);
    const revised = [...e.truth({ ballot: 2 })].find((b) => b.versions.length > 1)!;
    const t = Date.parse(revised.versions[1]!.at);
    const row = (when: number) => e.summaryRows(2, { plate: 69 }, when).find((r) => r['ilce_ID'] === revised.ref.district)!;
    const before = row(t - 1);
    const after = row(t);
    expect(after['versiyon']).toBe((before['versiyon'] as number) + 1);
    expect(after['acilan_SANDIK_SAYISI']).toBe(before['acilan_SANDIK_SAYISI']);
  });
});

describe('simulator HTTP: ETag switch and rate limit', () => {
  const q = (ballot: number, plate: number) =>
    `secimId=sim2024&secimTuru=${ballot}&ilId=${plate}&ilceId=&beldeId=&birimId=&muhtarlikId=&cezaeviId=&sandikTuru=0&sandikNoIlk=&sandikNoSon=&ulkeId=&disTemsilcilikId=&gumrukId=&yurtIciDisi=1&sandikRumuzIlk=&sandikRumuzSon=&secimCevresiId=&sandikId=`;

  it('SIM_ETAG=0 sends no validators and never answers 304', async () => {
    const opts = simulatorOptionsFromEnv({ SIM_PROVINCES: '69', SIM_CLOCK: 'manual', SIM_ETAG: '0', SIM_LATENCY_MS: '0' });
    const sim = await startSimulator(opts);
    try {
      const url = `${sim.apiUrl}/getSecimSonucList?${q(2, 69)}`;
      const first = await fetch(url);
      await first.text();
      expect(first.headers.get('etag')).toBeNull();
      expect(first.headers.get('last-modified')).toBeNull();
      const again = await fetch(url, { headers: { 'if-none-match': '"x"', 'if-modified-since': new Date(Date.now() + 86_400_000).toUTCString() } });
      expect(again.status).toBe(200);
      expect(JSON.parse(await again.text()).length).toBeGreaterThan(1);
    } finally {
      await sim.close();
    }
  });

  it('SIM_GZIP=1 compresses answers for a client that accepts gzip, and counts the bytes on the wire', async () => {
    const opts = simulatorOptionsFromEnv({ SIM_PROVINCES: '69', SIM_CLOCK: 'manual', SIM_GZIP: '1', SIM_LATENCY_MS: '0' });
    const sim = await startSimulator(opts);
    try {
      const res = await fetch(`${sim.apiUrl}/getSecimSonucList?${q(2, 69)}`);
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect(JSON.parse(await res.text()).length).toBeGreaterThan(1);
      expect(sim.traffic.bytes).toBeLessThan(sim.traffic.decodedBytes / 3);
    } finally {
      await sim.close();
    }
  });

  it('SIM_MAX_RPS answers 429 with Retry-After above the limit', async () => {
    const opts = simulatorOptionsFromEnv({ SIM_PROVINCES: '69', SIM_CLOCK: 'manual', SIM_MAX_RPS: '5', SIM_LATENCY_MS: '0' });
    const sim = await startSimulator(opts);
    try {
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          fetch(`${sim.apiUrl}/getSecimSonucList?${q(2, 69)}`).then(async (r) => [r.status, r.headers.get('retry-after'), await r.text()] as const),
        ),
      );
      expect(answers.filter(([s]) => s === 200)).toHaveLength(5);
      expect(answers.filter(([s]) => s === 429).map(([, ra]) => ra)).toEqual(['1', '1', '1']);
      expect(sim.traffic).toMatchObject({ requests: 8, throttled: 3 });
    } finally {
      await sim.close();
    }
  });
});
