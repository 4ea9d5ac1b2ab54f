import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, login } from '../support/auth';
import { connect, type LiveSocket } from '../support/live';
import { privateRedis, startServer, waitFor } from './support';

/**
 * Issue 13, item 4: Redis frozen (SIGSTOP: the connection stays open and nothing answers, the
 * hardest case for a client) and resumed. While it is frozen the server stays answerable:
 * /healthz answers (503, naming Redis), REST reads answer, sign-in works on the in-process
 * fallback of the rate limits, and observer entries are stored (the store is the source of
 * truth). After SIGCONT nothing is lost: every entry is stored once with its audit record, the
 * change stream in Redis carries every changed box, and a socket subscribed throughout ends
 * equal to the API.
 */
const ELECTION = `chaos-freeze-${Date.now()}`;
const BEFORE = 10;
const DURING = 20;
const sheet = (n: number) => ({
  registered: 300,
  voted: 105,
  validUncontested: 100,
  validAfterObjection: 0,
  valid: 100,
  invalid: 5,
  votes: { 'AK PARTİ': 50 + (n % 7), CHP: 50 - (n % 7) },
});
const entry = (boxNo: number) => ({ ref: { ballot: 2, province: 7, district: 700, boxNo }, sheet: sheet(boxNo), idempotencyKey: `${ELECTION}-${boxNo}` });
/** an answer within this long, or the server is not answerable (a liveness bound, not a speed figure) */
const ANSWER_MS = 15_000;

describe('chaos: Redis frozen (SIGSTOP) and resumed', () => {
  it('keeps the server answerable while Redis is frozen, and loses nothing after it resumes', async () => {
    const redis = await privateRedis();
    const dataDir = mkdtempSync(join(tmpdir(), 'gozcu-chaos-freeze-'));
    const env = {
      REDIS_URL: redis.url,
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      YSK_WORKER: 'false',
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      ENTRY_CONFIRMATIONS: '1',
      LOGIN_RATE_LIMIT: '10000',
    };
    const server = await startServer(env, { dataDir });
    const sockets: LiveSocket[] = [];
    const timed = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { ...init, signal: AbortSignal.timeout(ANSWER_MS) });
    try {
      const admin = await login(server.url, 'admin', ADMIN_PASSWORD);
      const coverage = async () => (await admin.get('/api/coverage?province=7&district=700&ballot=2')).body;
      for (let b = 1; b <= BEFORE; b++) expect((await admin.post('/api/entries', entry(b))).status).toBe(201);
      // a live client follows the district through the freeze
      const socket = await connect(server.url, admin.token);
      sockets.push(socket);
      let view: { seq: number; coverage: { boxes: unknown; votes: unknown } } | null = null;
      let gaps = 0;
      // the snapshot is taken in the ack callback itself (deltas right after it may come in the same read)
      const resubscribe = () =>
        new Promise<void>((resolve, reject) => {
          view = null;
          socket.emit('subscribe', { room: 'district:700', ballot: 2 }, (snap) => {
            if (!snap.ok) return reject(new Error(`subscribe refused: ${snap.msg}`));
            view = { seq: snap.data.seq, coverage: snap.data.coverage };
            resolve();
          });
        });
      socket.on('delta', (d) => {
        if (!view || d.room !== 'district:700') return;
        if (d.seq !== view.seq + 1) {
          gaps++;
          void resubscribe();
          return;
        }
        view = { seq: d.seq, coverage: d.coverage };
      });
      socket.on('resync', () => void resubscribe());
      socket.io.on('reconnect', () => void resubscribe());
      await resubscribe();

      redis.proc.kill('SIGSTOP');
      const frozenAt = Date.now();
      let faults = 0;
      // /healthz answers, and says Redis does not
      const health = await timed('/healthz');
      expect(health.status).toBe(503);
      expect(JSON.stringify(await health.json())).toMatch(/redis/);
      faults++;
      // REST reads answer
      expect((await timed('/api/coverage?province=7&district=700&ballot=2', { headers: { authorization: `Bearer ${admin.token}` } })).status).toBe(200);
      faults++;
      // sign-in works on the in-process rate-limit fallback; a wrong password is still refused
      const signIn = (password: string) =>
        timed('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      expect((await signIn('wrong-password-0000000')).status).toBe(401);
      const relogin = await signIn(ADMIN_PASSWORD);
      expect(relogin.status).toBe(200);
      const fresh = ((await relogin.json()) as { accessToken: string }).accessToken;
      faults++;
      // observer entries are stored while Redis is frozen, and the node's own reads show them
      for (let b = BEFORE + 1; b <= BEFORE + DURING; b++) {
        const res = await timed('/api/entries', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${fresh}` },
          body: JSON.stringify(entry(b)),
        });
        expect(res.status).toBe(201);
      }
      faults++;
      expect((await coverage()).boxes).toMatchObject({ entered: BEFORE + DURING });
      const frozenMs = Date.now() - frozenAt;

      redis.proc.kill('SIGCONT');
      const resumedAt = Date.now();
      await waitFor(async () => (await timed('/healthz')).status === 200, 30_000, '/healthz to say ok again');
      const healthyMs = Date.now() - resumedAt;

      // nothing lost: every entry once, each with its audit record
      const db = new Database(join(dataDir, 'gozcu.sqlite'), { readonly: true });
      try {
        const stored = (db.prepare(`SELECT key FROM entries`).all() as { key: string }[]).map((r) => r.key);
        expect(stored).toHaveLength(BEFORE + DURING);
        expect(new Set(stored).size).toBe(BEFORE + DURING);
        const audited = db.prepare(`SELECT COUNT(*) AS n FROM audit WHERE action LIKE 'entry.%'`).get() as { n: number };
        expect(audited.n).toBe(BEFORE + DURING);
      } finally {
        db.close();
      }
      // the change stream (what other nodes catch up from) carries every changed box
      const probe = new Redis(redis.url, { maxRetriesPerRequest: 1 });
      try {
        await waitFor(
          async () => {
            const entries = (await probe.xrange(`gozcu:changelog:${ELECTION}`, '-', '+')) as [string, string[]][];
            const keys = new Set(entries.flatMap(([, f]) => (f[f.indexOf('keys') + 1] ?? '').split(',')));
            return Array.from({ length: BEFORE + DURING }, (_, i) => `${ELECTION}:2:7:700:${i + 1}`).every((k) => keys.has(k));
          },
          20_000,
          'every changed box in the change stream',
        );
      } finally {
        probe.disconnect();
      }
      // the live client ends equal to the API, with no gap in what it applied
      const api = await coverage();
      await waitFor(
        () => JSON.stringify(view?.coverage.boxes) === JSON.stringify(api.boxes) && JSON.stringify(view?.coverage.votes) === JSON.stringify(api.votes),
        20_000,
        'the live view to equal the API',
      );
      expect(gaps).toBe(0);
      const recoveredMs = Date.now() - resumedAt;
      process.stdout.write(
        `[chaos] Redis frozen ${frozenMs} ms: ${faults} probes answered (healthz 503, REST read, login fallback, ${DURING} entries stored); healthy ${healthyMs} ms after SIGCONT, stream and live view whole ${recoveredMs} ms after\n`,
      );
    } finally {
      for (const s of sockets) s.close();
      redis.proc.kill('SIGCONT');
      server.proc.kill('SIGTERM');
      const timer = setTimeout(() => server.proc.kill('SIGKILL'), 15_000);
      await server.exited;
      clearTimeout(timer);
      await redis.kill();
    }
  }, 120_000);
});
