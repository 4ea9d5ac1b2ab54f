import { z } from 'zod';
import { BALLOT_CODES, type BallotCode } from '@gozcu/shared';
import { BayburtWorld } from './bayburt';
import { SimClock } from './clock';
import { NIGHT_MS } from './curve';
import { faultSpecSchema } from './faults';
import { buildGeography, sharedDataDir } from './geography';
import { readRecording } from './replay';
import { createReplayStart, type SimulatorOptions } from './server';
import { SPECIAL_KINDS, type SpecialKindName } from './special';
import { SyntheticWorld } from './synthetic';

const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    );

/** Every variable the simulator reads. */
export const simEnvSchema = z.object({
  SIM_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  SIM_HOST: z.string().default('127.0.0.1'),
  SIM_SEED: z.coerce.number().int().default(20240331),
  SIM_PROVINCES: z
    .string()
    .default('1,6,55,69')
    .transform((s, ctx) => {
      if (s.trim() === 'all') return Array.from({ length: 81 }, (_, i) => i + 1);
      const plates = s.split(',').map((x) => Number(x.trim()));
      if (plates.some((p) => !Number.isInteger(p) || p < 1 || p > 81)) ctx.addIssue({ code: 'custom', message: 'plate codes 1–81, comma separated, or "all"' });
      return plates;
    }),
  SIM_BALLOT_TYPES: csv('2,3,4,6').transform((items, ctx) => {
    const codes = items.map(Number);
    if (codes.some((n) => !(BALLOT_CODES as number[]).includes(n))) ctx.addIssue({ code: 'custom', message: `ballot types are ${BALLOT_CODES.join(', ')}` });
    return codes;
  }),
  SIM_NIGHT_MINUTES: z.coerce.number().positive().default(6),
  SIM_ELECTION_ID: z
    .string()
    .regex(/^[^:\s]+$/)
    .default('sim2024'),
  /** When the publication ban lifts, simulated (default 31 March 2024 20:00 Turkey time). */
  SIM_NIGHT_START: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'ISO time')
    .default('2024-03-31T17:00:00.000Z'),
  SIM_SOURCE: z.enum(['synthetic', 'bayburt']).default('synthetic'),
  SIM_CLOCK: z.enum(['realtime', 'manual']).default('realtime'),
  SIM_LATENCY_MS: z.coerce.number().min(0).default(20),
  /** 0: no ETag/Last-Modified and no 304 answers (the real server may not offer conditional requests) */
  SIM_ETAG: z
    .enum(['0', '1'])
    .default('1')
    .transform((v) => v === '1'),
  /** answer 429 (Retry-After: 1) above this many calls per second; 0 = no limit */
  SIM_MAX_RPS: z.coerce.number().min(0).default(0),
  /** 1: gzip the answers when the client accepts it */
  SIM_GZIP: z
    .enum(['0', '1'])
    .default('0')
    .transform((v) => v === '1'),
  SIM_REVISION_RATE: z.coerce.number().min(0).max(1).default(0.02),
  /** share of the revised boxes YSK revised before it ever published them (first version never served) */
  SIM_PRE_FETCH_REVISIONS: z.coerce.number().min(0).max(1).default(0.1),
  /** prison, customs and abroad boxes served for general-election ballot types (7, 8, 9); `none` for none */
  SIM_SPECIAL: csv(SPECIAL_KINDS.join(',')).transform((items, ctx) => {
    const kinds = items.filter((k) => k !== 'none');
    if (kinds.some((k) => !(SPECIAL_KINDS as readonly string[]).includes(k)))
      ctx.addIssue({ code: 'custom', message: `kinds are ${SPECIAL_KINDS.join(', ')} or none` });
    return kinds as SpecialKindName[];
  }),
  SIM_BOX_SCALE: z.coerce.number().positive().default(1.15),
  /** JSON array of fault specs (see faults.ts). */
  SIM_FAULTS: z.string().default('[]'),
  /** a recording to replay instead of a world: one JSONL file, or a YSK_RECORD_DIR directory */
  SIM_REPLAY: z.string().optional(),
  SIM_REPLAY_SPEED: z.coerce.number().positive().default(1),
  GOZCU_SHARED_DATA: z.string().optional(),
});
export type SimEnv = z.infer<typeof simEnvSchema>;

export function loadSimEnv(env: NodeJS.ProcessEnv): SimEnv {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => (k.startsWith('SIM_') || k === 'GOZCU_SHARED_DATA') && v));
  const parsed = simEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new Error(`Invalid simulator configuration:\n${parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return parsed.data;
}

/** Turns the environment into simulator options (world or recording, clock, faults). */
export function simulatorOptionsFromEnv(env: NodeJS.ProcessEnv, wallNow: () => number = Date.now): SimulatorOptions & { describe: string } {
  const cfg = loadSimEnv(env);
  const speed = NIGHT_MS / (cfg.SIM_NIGHT_MINUTES * 60_000);
  const faults = z.array(faultSpecSchema).parse(JSON.parse(cfg.SIM_FAULTS));
  const base = {
    host: cfg.SIM_HOST,
    port: cfg.SIM_PORT,
    latencyMs: cfg.SIM_LATENCY_MS,
    faults,
    etag: cfg.SIM_ETAG,
    maxRps: cfg.SIM_MAX_RPS,
    gzip: cfg.SIM_GZIP,
  };
  if (cfg.SIM_REPLAY) {
    const replay = readRecording(cfg.SIM_REPLAY);
    const clock = new SimClock({ start: createReplayStart(replay), mode: cfg.SIM_CLOCK, speed: cfg.SIM_REPLAY_SPEED, wallNow });
    return { ...base, replay, clock, describe: `replaying ${replay.length} responses from ${cfg.SIM_REPLAY} at ${cfg.SIM_REPLAY_SPEED}×` };
  }
  const nightStart = Date.parse(cfg.SIM_NIGHT_START);
  const clock = new SimClock({ start: nightStart, mode: cfg.SIM_CLOCK, speed, wallNow });
  const dataDir = sharedDataDir(env);
  const ballots = cfg.SIM_BALLOT_TYPES as BallotCode[];
  if (cfg.SIM_SOURCE === 'bayburt') {
    const ballot = env['SIM_BALLOT_TYPES'] ? ballots[0]! : 2;
    const world = new BayburtWorld(dataDir, cfg.SIM_ELECTION_ID, ballot, nightStart, cfg.SIM_SEED);
    return { ...base, world, clock, describe: `real Bayburt 2014 data, ${world.boxCount} boxes, secimTuru ${ballot}` };
  }
  const geography = buildGeography({ plates: cfg.SIM_PROVINCES, seed: cfg.SIM_SEED, dataDir, boxScale: cfg.SIM_BOX_SCALE });
  const world = new SyntheticWorld({
    geography,
    seed: cfg.SIM_SEED,
    electionId: cfg.SIM_ELECTION_ID,
    ballots,
    nightStart,
    revisionRate: cfg.SIM_REVISION_RATE,
    preFetchRevisionShare: cfg.SIM_PRE_FETCH_REVISIONS,
    specialKinds: cfg.SIM_SPECIAL,
  });
  const special = world.specialUnits();
  return {
    ...base,
    world,
    clock,
    describe: `${geography.provinces.length} provinces, ${geography.districts.length} districts, ${geography.boxCount} boxes${special.length ? ` (+ ${special.reduce((n, u) => n + u.sim.boxNos.length, 0)} prison/customs/abroad)` : ''}, secimTuru ${ballots.join(',')}, seed ${cfg.SIM_SEED}, night ${cfg.SIM_NIGHT_MINUTES} min`,
  };
}
