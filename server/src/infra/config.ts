import { z } from 'zod';
import { BALLOT_CODES, type BallotCode } from '@gozcu/shared';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const csvOf = <T>(item: z.ZodType<T>, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item) as unknown as z.ZodType<T[], string[]>);

const ballotCode = z.coerce
  .number()
  .int()
  .refine((n) => (BALLOT_CODES as number[]).includes(n), { message: `each ballot type must be one of ${BALLOT_CODES.join(', ')}` })
  .transform((n) => n as BallotCode);

const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((u) => protocols.some((p) => u.startsWith(`${p}:`)), { message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}` });

/** Every environment variable Gözcü reads, validated once at boot. `.env.example` documents them. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: url(['redis', 'rediss']),
  MONGO_URL: url(['mongodb', 'mongodb+srv']).optional(),
  /**
   * How long a write waits for the SQLite file's write lock held by another connection (a backup
   * tool, an operator's sqlite3 shell) before it is refused with 503. better-sqlite3 waits
   * synchronously, holding up the whole process meanwhile, so this stays short.
   */
  SQLITE_BUSY_TIMEOUT_MS: int(0, 60_000).default(1000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Every JSON answer checked against the response schema its route declares (`@ApiResponse`):
   * `strict` answers 500 naming the mismatch, `log` logs it and answers as it is, `off` checks
   * nothing. Unset: `strict` under NODE_ENV=test (every test checks the contract), else `off`.
   */
  API_RESPONSE_CHECK: z.enum(['off', 'log', 'strict']).optional(),
  DASHBOARD_DIR: z.string().optional(),
  YSK_BASE_URL: url(['http', 'https']).optional(),
  YSK_ELECTION_ID: z
    .string()
    .regex(/^[^:\s]+$/, 'must be a YSK secimId without spaces or ":"')
    .default('sim2024'),
  YSK_BALLOT_TYPES: csvOf(ballotCode, '2,3,4,6'),
  /** the followed election's name as people say it (shown instead of the secimId) */
  YSK_ELECTION_NAME: z.string().trim().min(1).max(200).optional(),
  /** plate codes to watch (99: the abroad pseudo-province); empty = every province the feed lists, and abroad */
  YSK_PROVINCES: csvOf(
    z.coerce
      .number()
      .int()
      .refine((n) => (n >= 1 && n <= 81) || n === 99, { message: 'each province must be a plate code 1–81, or 99 (abroad)' }),
    '',
  ),
  /** the kinds of box beyond ordinary domestic ones to poll (general elections only: ballot types 7, 8, 9); `none` for none */
  YSK_BOX_KINDS: csvOf(z.enum(['prison', 'customs', 'abroad', 'none']), 'prison,customs,abroad').transform(
    (kinds) => kinds.filter((k) => k !== 'none') as ('prison' | 'customs' | 'abroad')[],
  ),
  /** when set, every raw YSK answer (endpoint, query, status, headers, body, time) is appended to a JSONL file here, for SIM_REPLAY */
  YSK_RECORD_DIR: z.string().min(1).optional(),
  YSK_POLL_INTERVAL_MS: int(200).default(15_000),
  YSK_TIMEOUT_MS: int(100).default(10_000),
  YSK_MAX_RPS: z.coerce.number().positive().default(5),
  YSK_CONCURRENCY: int(1, 64).default(4),
  /** attempts per poll job before it is given up (each retry after a full-jitter backoff) */
  YSK_MAX_ATTEMPTS: int(1, 100).default(8),
  YSK_BACKOFF_BASE_MS: int(1).default(1_000),
  YSK_BACKOFF_CAP_MS: int(1).default(120_000),
  /** feed health thresholds: healthy → slow → failing → paused and back, judged over FEED_WINDOW_MS */
  FEED_SLOW_P95_MS: int(1).default(2_000),
  FEED_SLOW_ERROR_RATE: z.coerce.number().min(0).max(1).default(0.1),
  FEED_FAILING_ERROR_RATE: z.coerce.number().min(0).max(1).default(0.5),
  FEED_PAUSED_AFTER_MS: int(1).default(120_000),
  FEED_WINDOW_MS: int(1_000).default(60_000),
  /** a district whose aggregate has not moved for this long has its whole box list fetched once (bounds what an aggregate could hide) */
  FEED_QUIET_CHECK_MS: int(1_000).default(600_000),
  /** box-list requests at most per district refresh for boxes not seen yet (scaled down by how busy the rate cap is) */
  FEED_MAX_RANGES: int(1, 64).default(12),
  /** runs of unseen boxes at most this many seen boxes apart are fetched as one range */
  FEED_RANGE_GAP: int(0, 10_000).default(2),
  /** false on API-only nodes of the scale-out deployment: poll jobs run on worker nodes */
  YSK_WORKER: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  STALE_AFTER_MINUTES: z.coerce.number().positive().default(20),
  /**
   * the organisation's figure of a box: a sheet this many different people entered identically
   * (or one a confirming role confirmed); until then the box awaits confirmation
   */
  ENTRY_CONFIRMATIONS: int(1, 10).default(2),
  /**
   * how often the reconciliation's state is written to DATA_DIR as a snapshot (and always at a
   * clean shutdown), so a restart restores it and re-reads only the boxes changed since; 0 = never
   * (every start rebuilds from the whole store). SQLite store only.
   */
  RECONCILE_SNAPSHOT_MINUTES: z.coerce.number().min(0).default(10),
  /** live deltas are coalesced per room into at most one batch this often */
  LIVE_BATCH_MS: int(10, 10_000).default(250),
  /** a socket with more packets than this waiting is told to resync instead of buffering more */
  LIVE_MAX_BUFFER: int(1, 100_000).default(100),

  /** the seeded `admin`'s password; when unset, one is generated and printed once at first start */
  GOZCU_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  /** HMAC key of access tokens; when unset, one is generated and kept in DATA_DIR/jwt-secret */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: int(30, 86_400).default(900),
  REFRESH_TOKEN_TTL_HOURS: int(1, 24 * 90).default(24),
  /** failed logins in a row that lock an account */
  LOGIN_MAX_FAILURES: int(1, 100).default(5),
  LOGIN_LOCKOUT_MINUTES: z.coerce.number().positive().default(15),
  /** login attempts per client address per minute */
  LOGIN_RATE_LIMIT: int(1, 100_000).default(20),
  /** YSK embargo of YSK_ELECTION_ID: before this time YSK figures reach only the exempt roles */
  EMBARGO_UNTIL: z.string().datetime({ offset: true, message: 'must be an ISO date-time, e.g. 2024-03-31T21:00:00+03:00' }).optional(),
  /** roles that see YSK figures during the embargo; empty = the catalog's roles with ysk:read:embargoed */
  EMBARGO_EXEMPT_ROLES: csvOf(z.string().regex(/^[a-z_]+$/, 'must be a role id'), ''),
  /** dashboard origins allowed by CORS (comma-separated); empty = same origin only */
  CORS_ORIGINS: csvOf(url(['http', 'https']), ''),
  /**
   * which proxies to believe for the client address (X-Forwarded-For), as Express's `trust proxy`:
   * false (default: the socket's peer), true (any), a hop count, or addresses/subnets
   * (comma-separated; `loopback`, `uniquelocal`, …). Set it behind a load balancer, or every
   * client shares the balancer's address in rate limits and login backoff.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v))
    .refine((v) => typeof v !== 'string' || /^[0-9a-fA-F:.,/ a-z]+$/.test(v), {
      message: 'must be true, false, a hop count or comma-separated addresses/subnets',
    }),
  /** when false, GET /metrics needs a token with feed:read */
  METRICS_PUBLIC: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),

  /** HMAC key of the voter register's TC Kimlik No hashes; when unset, one is generated and kept in DATA_DIR/voter-hmac-secret */
  VOTER_HMAC_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** citizen look-ups (and tracking-code checks) per client address per minute */
  CITIZEN_RATE_LIMIT: int(1, 100_000).default(30),
  /** look-ups by TC Kimlik No per client address per hour */
  CITIZEN_TC_RATE_LIMIT: int(1, 100_000).default(20),
  /** TC Kimlik No look-ups that find nothing (or fail the check digits) per client per hour before the client is blocked for the hour */
  CITIZEN_ENUMERATION_LIMIT: int(1, 100_000).default(5),
  /** seconds a citizen's box answer is cached (server and Cache-Control) */
  CITIZEN_CACHE_SECONDS: int(0, 3600).default(15),
  /** when true, citizens also see the observers' figures of a box */
  CITIZEN_SHOW_ORG_FIGURES: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** complaints a client address may file per hour */
  COMPLAINT_RATE_LIMIT: int(1, 100_000).default(10),
  /** the largest uploaded file (bytes): complaint evidence and sheet photos */
  UPLOAD_MAX_BYTES: int(1024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  /** the largest image (width × height) decoded; larger ones are refused as decompression bombs */
  UPLOAD_MAX_PIXELS: int(1, 1_000_000_000).default(40_000_000),
  /** a petition's default deadline: this many days after drafting, at PETITION_DEADLINE_TIME Europe/Istanbul */
  PETITION_DEADLINE_DAYS: int(0, 30).default(1),
  PETITION_DEADLINE_TIME: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour), e.g. 14:00')
    .default('14:00'),

  /** alerts (issue 15): an alert nobody took goes one level up (district → province → HQ) after this many minutes */
  ALERT_ESCALATE_MINUTES: z.coerce.number().positive().default(10),
  /** an objection deadline this close (minutes) with the petition still unfiled raises an alert */
  ALERT_DEADLINE_MINUTES: z.coerce.number().positive().default(60),
  /** this many new alerts of one rule in one district at once become one digest */
  ALERT_DIGEST_MIN: int(2, 100_000).default(10),
  /** a storm touching this many provinces at once also sends HQ one country-wide digest */
  ALERT_STORM_PROVINCES: int(1, 81).default(3),
  /** how often escalations and deadlines are checked (seconds) */
  ALERT_SWEEP_SECONDS: int(1, 3600).default(15),
  /** webhook targets, comma-separated; each gets every new alert as signed JSON */
  ALERT_WEBHOOK_URL: csvOf(url(['http', 'https']), ''),
  /** HMAC-SHA256 key of the X-Gozcu-Signature header (required when ALERT_WEBHOOK_URL is set) */
  ALERT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** attempts per delivery (webhook, push, e-mail) before it lands on the dead-letter list, with exponential backoff from ALERT_BACKOFF_MS */
  ALERT_DELIVERY_ATTEMPTS: int(1, 50).default(6),
  ALERT_BACKOFF_MS: int(10).default(2_000),
  /** the dashboard's public address, for links in webhooks, pushes and e-mails; default http://localhost:PORT */
  PUBLIC_URL: url(['http', 'https']).optional(),
  /** SMTP server for e-mail alerts, e.g. smtp://user:pass@mail.example:587; unset = no e-mail */
  SMTP_URL: url(['smtp', 'smtps']).optional(),
  SMTP_FROM: z.string().min(3).default('Gözcü <gozcu@localhost>'),
  /** Web Push VAPID keys; when unset, a pair is generated once into DATA_DIR/vapid.json (scale-out nodes must share them) */
  VAPID_PUBLIC_KEY: z.string().min(40).optional(),
  VAPID_PRIVATE_KEY: z.string().min(20).optional(),
  VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:\/\/)/, 'must be a mailto: or https:// address')
    .default('mailto:gozcu@localhost'),
  /** a PEM file of extra certificate authorities trusted for push services (a self-hosted push service) */
  ALERT_PUSH_CA_FILE: z.string().optional(),
  /** e-seçmen: the end of the register's display (askı) period, the deadline of register objections; unset = PETITION_DEADLINE_* */
  REGISTER_DISPLAY_UNTIL: z.string().datetime({ offset: true, message: 'must be an ISO date-time, e.g. 2024-02-14T17:00:00+03:00' }).optional(),
  /** an address with more voters than this is reported */
  REGISTER_ADDRESS_MAX_VOTERS: int(1, 100_000).default(15),
  /** a voter older than this (in the display period's year) is reported; younger than 18 always is */
  REGISTER_MAX_AGE: int(60, 150).default(110),
  /** a box with more voters than this many times its district's median box is reported */
  REGISTER_BOX_SIZE_FACTOR: z.coerce.number().min(1).default(1.5),
  /** a box that gained at least this many new voters since the previous import… */
  REGISTER_INFLUX_MIN: int(1, 100_000).default(20),
  /** …and more than this share of the voters it had before, is reported */
  REGISTER_INFLUX_RATIO: z.coerce.number().positive().default(0.2),
  /**
   * the same name and birth year in two boxes of a province is reported only when fewer than this
   * many such coincidences are expected by chance among the province's holders of that name
   * (pairs of them × the chance two voters of the province share a birth year): a common name
   * shares birth years by the thousand at national scale
   */
  REGISTER_DUPLICATE_MAX_EXPECTED: z.coerce.number().positive().default(0.05),
  /** rows per staged chunk of a register import */
  REGISTER_IMPORT_BATCH: int(100, 100_000).default(20_000),
  /** load a synthetic register of the simulated provinces in the background at start (npm start sets it) */
  REGISTER_DEMO_SEED: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export type AppConfig = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment; a bad value throws a ConfigError naming each variable and what is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? '(environment)');
        const value = cleaned[name];
        const item = i.path.length > 1 ? `item ${Number(i.path[1]) + 1}: ` : '';
        const what = i.code === 'invalid_type' ? (value === undefined ? 'is required' : `must be a ${i.expected}`) : i.message;
        return `${name}: ${item}${what}${value !== undefined ? ` (got "${value}")` : ''}`;
      }),
    );
  }
  if (parsed.data.ALERT_WEBHOOK_URL.length && !parsed.data.ALERT_WEBHOOK_SECRET) {
    throw new ConfigError(['ALERT_WEBHOOK_SECRET: is required when ALERT_WEBHOOK_URL is set (webhooks are signed with it)']);
  }
  return parsed.data;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
