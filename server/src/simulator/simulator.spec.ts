import { SimClock } from './clock';
import { nightFractionAt } from './curve';
import { SimEngine, type TruthBox } from './engine';
import { buildGeography, sharedDataDir } from './geography';
import { SyntheticWorld } from './synthetic';
import { simulatorOptionsFromEnv } from './config';

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
