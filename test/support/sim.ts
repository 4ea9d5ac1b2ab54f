import { sheetHash, type BallotCode } from '@gozcu/shared';
import type { Store } from '../../server/src/modules/store/store.port';
import { SimClock } from '../../server/src/simulator/clock';
import type { TruthBox } from '../../server/src/simulator/engine';
import { buildGeography, sharedDataDir } from '../../server/src/simulator/geography';
import { startSimulator, type RunningSimulator } from '../../server/src/simulator/server';
import { SyntheticWorld } from '../../server/src/simulator/synthetic';

export type { TruthBox };

export const NIGHT_START = Date.parse('2024-03-31T17:00:00Z');

/** A small synthetic election night on a manual clock, served over real HTTP. */
export async function startSmallNight(opts: {
  election: string;
  plates: number[];
  ballots: BallotCode[];
  seed?: number;
  revisionRate?: number;
  /** share of revised boxes YSK revised before first publishing them */
  preFetchRevisionShare?: number;
  latencyMs?: number;
  /** false: no ETag/Last-Modified, never 304 (SIM_ETAG=0) */
  etag?: boolean;
  /** answer 429 above this many requests a second (SIM_MAX_RPS) */
  maxRps?: number;
}): Promise<RunningSimulator> {
  const seed = opts.seed ?? 7;
  const geography = buildGeography({ plates: opts.plates, seed, dataDir: sharedDataDir() });
  const world = new SyntheticWorld({
    geography,
    seed,
    electionId: opts.election,
    ballots: opts.ballots,
    nightStart: NIGHT_START,
    revisionRate: opts.revisionRate ?? 0.05,
    preFetchRevisionShare: opts.preFetchRevisionShare,
  });
  return startSimulator({
    clock: new SimClock({ start: NIGHT_START, mode: 'manual' }),
    world,
    latencyMs: opts.latencyMs ?? 1,
    etag: opts.etag,
    maxRps: opts.maxRps,
    host: '127.0.0.1',
    port: 0,
  });
}

/** The simulator's truth: every box-result with its versions (as of a time, or the final truth). */
export async function truth(sim: RunningSimulator, asOf?: 'now' | string): Promise<TruthBox[]> {
  const res = await fetch(`${sim.url}/_admin/truth${asOf ? `?asOf=${asOf}` : ''}`);
  if (!res.ok) throw new Error(`truth: ${res.status}`);
  return (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TruthBox);
}

/** Polls a condition until it holds (no fixed sleeps); fails with the last reason after the deadline. */
export async function eventually(check: () => Promise<string | null>, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let reason: string | null = 'not checked';
  while (Date.now() < deadline) {
    reason = await check();
    if (reason === null) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms: ${reason}`);
}

/** Every box-result the simulator publishes now is stored with YSK's latest figures and versiyon (null), or the first that is not. */
export async function storeCaughtUp(sim: RunningSimulator, store: Store): Promise<string | null> {
  for (const box of await truth(sim, 'now')) {
    const latest = await store.latestVersion(box.key);
    const want = box.versions[box.versions.length - 1]!;
    if (!latest) return `${box.key} (${box.kind}) not stored yet`;
    if (sheetHash(latest.sheet) !== sheetHash(want.sheet) || latest.yskVersion !== want.versiyon)
      return `${box.key} at versiyon ${latest.yskVersion}, YSK has ${want.versiyon}`;
  }
  return null;
}
