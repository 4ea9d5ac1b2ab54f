import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, login } from '../support/auth';
import { privateRedis, startServer, waitFor } from './support';

/**
 * Issue 13, item 4: the store busy. Another connection takes the SQLite file's write lock (as a
 * backup tool or an operator's sqlite3 shell can) and holds it. Every write then answers a clear
 * 503 (code store_unavailable, Retry-After) instead of a bare 500, nothing is half-written (no
 * entry, account, setting or audit record from a refused request), reads and /healthz keep
 * answering, and once the lock is released the same requests go through, each with its record.
 */
const ELECTION = `chaos-busy-${Date.now()}`;
const ROWS = 50;
const header = 'ballot,province,district,boxNo,registered,voted,validUncontested,validAfterObjection,valid,invalid,AK PARTİ,CHP';
const csv = [header, ...Array.from({ length: ROWS }, (_, i) => `2,7,701,${i + 1},300,105,100,0,100,5,60,40`)].join('\n');
const TABLES = ['entries', 'boxes', 'users', 'settings', 'audit'];

describe('chaos: the store busy (its write lock held by another connection)', () => {
  it('answers every write a clear 503 and writes nothing of it, keeps reads answering, and recovers when the lock goes', async () => {
    const redis = await privateRedis();
    const dataDir = mkdtempSync(join(tmpdir(), 'gozcu-chaos-busy-'));
    const env = { REDIS_URL: redis.url, GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD, YSK_WORKER: 'false', YSK_ELECTION_ID: ELECTION, YSK_BALLOT_TYPES: '2', ENTRY_CONFIRMATIONS: '1', LOGIN_RATE_LIMIT: '10000', SQLITE_BUSY_TIMEOUT_MS: '200' };
    const server = await startServer(env, { dataDir });
    const locker = new Database(join(dataDir, 'gozcu.sqlite'));
    try {
      const admin = await login(server.url, 'admin', ADMIN_PASSWORD);
      expect((await admin.post('/api/entries', { ref: { ballot: 2, province: 7, district: 700, boxNo: 1 }, sheet: { registered: 300, voted: 105, validUncontested: 100, validAfterObjection: 0, valid: 100, invalid: 5, votes: { 'AK PARTİ': 60, CHP: 40 } }, idempotencyKey: `${ELECTION}-1` })).status).toBe(201);
      const counts = () => Object.fromEntries(TABLES.map((t) => [t, (locker.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n]));
      const writes = () => [
        admin.post('/api/entries', { ref: { ballot: 2, province: 7, district: 700, boxNo: 2 }, sheet: { registered: 300, voted: 105, validUncontested: 100, validAfterObjection: 0, valid: 100, invalid: 5, votes: { 'AK PARTİ': 55, CHP: 45 } }, idempotencyKey: `${ELECTION}-2` }),
        admin.post('/api/entries/import', csv),
        admin.post('/api/users', { username: 'busy-legal', role: 'district_legal', scope: { province: 7, district: 701 }, password: 'pw-busy-legal-0123456789' }),
        admin.post('/api/embargo', { until: new Date(Date.now() + 3_600_000).toISOString() }, 'PUT'),
      ];
      const before = counts();

      locker.exec('BEGIN IMMEDIATE');
      const lockedAt = Date.now();
      const refused = [];
      for (const w of writes()) refused.push(await w);
      for (const r of refused) {
        expect([r.status, r.body.code]).toEqual([503, 'store_unavailable']);
        expect(r.body.message).toMatch(/store/i);
        expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
      }
      // reads and health keep answering while writes are refused
      expect((await admin.get('/api/coverage?province=7&district=700&ballot=2')).body.boxes).toMatchObject({ entered: 1 });
      expect((await admin.get('/api/users?limit=5')).status).toBe(200);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      // nothing of the refused writes is in the file (read through the lock holder, which sees the committed state)
      expect(counts()).toEqual(before);
      locker.exec('ROLLBACK');
      const heldMs = Date.now() - lockedAt;

      // released: the same writes go through, each with its record, nothing twice
      const releasedAt = Date.now();
      await waitFor(async () => (await admin.post('/api/entries', { ref: { ballot: 2, province: 7, district: 700, boxNo: 2 }, sheet: { registered: 300, voted: 105, validUncontested: 100, validAfterObjection: 0, valid: 100, invalid: 5, votes: { 'AK PARTİ': 55, CHP: 45 } }, idempotencyKey: `${ELECTION}-2` })).status === 201, 10_000, 'a write to go through');
      const recoveredMs = Date.now() - releasedAt;
      const [, imported, user, embargo] = await Promise.all(writes());
      expect([imported.status, imported.body.stored, user.status, embargo.status]).toEqual([200, ROWS, 201, 200]);
      const after = counts();
      expect(after.entries).toBe(before.entries + 1 + ROWS);
      expect(after.users).toBe(before.users + 1);
      // one record each: the entry, the import, the account, the embargo
      expect(after.audit).toBe(before.audit + 4);
      process.stdout.write(`[chaos] store write-locked ${heldMs} ms: ${refused.length} writes answered 503 store_unavailable, nothing written; writes went through ${recoveredMs} ms after the lock was released\n`);
    } finally {
      if (locker.inTransaction) locker.exec('ROLLBACK');
      locker.close();
      server.proc.kill('SIGTERM');
      const timer = setTimeout(() => server.proc.kill('SIGKILL'), 15_000);
      await server.exited;
      clearTimeout(timer);
      await redis.kill();
    }
  }, 120_000);
});
