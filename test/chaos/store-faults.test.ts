import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, login } from '../support/auth';
import { privateRedis, startServer, waitFor } from './support';

/**
 * Issue 13, item 4: the store busy, and the store unable to write.
 *
 * Busy: Another connection takes the SQLite file's write lock (as a
 * backup tool or an operator's sqlite3 shell can) and holds it. Every write then answers a clear
 * 503 (code store_unavailable, Retry-After) instead of a bare 500, nothing is half-written (no
 * entry, account, setting or audit record from a refused request), reads and /healthz keep
 * answering, /healthz says the store cannot write, and once the lock is released the same
 * requests go through, each with its record.
 *
 * Unable to write: the server's file-size limit (RLIMIT_FSIZE, set on the running process with
 * prlimit, no privileges needed) is brought to 1 byte, so every write to its files fails as on
 * a full or read-only disk (EFBIG → SQLITE_IOERR_WRITE). The same holds: 503s, nothing
 * half-written, reads answer, and writes go through once the limit is lifted.
 */
const ELECTION = `chaos-busy-${Date.now()}`;
const ROWS = 50;
const header = 'ballot,province,district,boxNo,registered,voted,validUncontested,validAfterObjection,valid,invalid,AK PARTİ,CHP';
const csv = [header, ...Array.from({ length: ROWS }, (_, i) => `2,7,701,${i + 1},300,105,100,0,100,5,60,40`)].join('\n');
const TABLES = ['entries', 'boxes', 'users', 'settings', 'audit'];

const sheetOf = (ak: number) => ({
  registered: 300,
  voted: 105,
  validUncontested: 100,
  validAfterObjection: 0,
  valid: 100,
  invalid: 5,
  votes: { 'AK PARTİ': ak, CHP: 100 - ak },
});

/** Runs the scenario with `fault` applied to a running server and `lift` taking it away. */
async function writesRefusedThenRecovered(
  name: string,
  fault: (server: { pid: number; locker: Database.Database }) => void,
  lift: (server: { pid: number; locker: Database.Database }) => void,
): Promise<void> {
  const redis = await privateRedis();
  const dataDir = mkdtempSync(join(tmpdir(), 'gozcu-chaos-store-'));
  const env = {
    REDIS_URL: redis.url,
    GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
    YSK_WORKER: 'false',
    YSK_ELECTION_ID: `${ELECTION}-${name}`,
    YSK_BALLOT_TYPES: '2',
    ENTRY_CONFIRMATIONS: '1',
    LOGIN_RATE_LIMIT: '10000',
    SQLITE_BUSY_TIMEOUT_MS: '200',
  };
  let server = await startServer(env, { dataDir });
  const locker = new Database(join(dataDir, 'gozcu.sqlite'));
  const target = { pid: server.proc.pid!, locker };
  let faulted = false;
  try {
    const admin = await login(server.url, 'admin', ADMIN_PASSWORD);
    expect(
      (
        await admin.post('/api/entries', {
          ref: { ballot: 2, province: 7, district: 700, boxNo: 1 },
          sheet: sheetOf(60),
          idempotencyKey: `${ELECTION}-${name}-1`,
        })
      ).status,
    ).toBe(201);
    const counts = () => Object.fromEntries(TABLES.map((t) => [t, (locker.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n]));
    const writes = () => [
      admin.post('/api/entries', { ref: { ballot: 2, province: 7, district: 700, boxNo: 2 }, sheet: sheetOf(55), idempotencyKey: `${ELECTION}-${name}-2` }),
      admin.post('/api/entries/import', csv),
      admin.post('/api/users', { username: 'busy-legal', role: 'district_legal', scope: { province: 7, district: 701 }, password: 'pw-busy-legal-0123456789' }),
      admin.post('/api/embargo', { until: new Date(Date.now() + 3_600_000).toISOString() }, 'PUT'),
    ];
    const before = counts();

    fault(target);
    faulted = true;
    const faultAt = Date.now();
    const refused = [];
    for (const w of writes()) refused.push(await w);
    for (const r of refused) {
      expect([r.status, r.body.code]).toEqual([503, 'store_unavailable']);
      expect(r.body.message).toMatch(/store/i);
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    // reads keep answering while writes are refused, and /healthz tells the truth: 503, the store cannot write
    expect((await admin.get('/api/coverage?province=7&district=700&ballot=2')).body.boxes).toMatchObject({ entered: 1 });
    expect((await admin.get('/api/users?limit=5')).status).toBe(200);
    const health = await fetch(`${server.url}/healthz`);
    expect([health.status, JSON.stringify(await health.json())]).toEqual([503, expect.stringMatching(/store \(sqlite\).*cannot write/)]);
    // nothing of the refused writes is in the file (the committed state, read by a second connection)
    expect(counts()).toEqual(before);
    lift(target);
    faulted = false;
    const heldMs = Date.now() - faultAt;

    // lifted: the same writes go through, each with its record, nothing twice
    const liftedAt = Date.now();
    await waitFor(
      async () =>
        (
          await admin.post('/api/entries', {
            ref: { ballot: 2, province: 7, district: 700, boxNo: 2 },
            sheet: sheetOf(55),
            idempotencyKey: `${ELECTION}-${name}-2`,
          })
        ).status === 201,
      10_000,
      'a write to go through',
    );
    const recoveredMs = Date.now() - liftedAt;
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const [, imported, user, embargo] = await Promise.all(writes());
    expect([imported.status, imported.body.stored, user.status, embargo.status]).toEqual([200, ROWS, 201, 200]);
    const after = counts();
    expect(after.entries).toBe(before.entries + 1 + ROWS);
    expect(after.users).toBe(before.users + 1);
    // one record each: the entry, the import, the account, the embargo
    expect(after.audit).toBe(before.audit + 4);
    // the file is whole, and so is the server across a restart on it
    expect(locker.pragma('integrity_check', { simple: true })).toBe('ok');
    server.proc.kill('SIGTERM');
    await server.exited;
    server = await startServer(env, { dataDir });
    const again = await login(server.url, 'admin', ADMIN_PASSWORD);
    expect((await again.get('/api/coverage?province=7&district=700&ballot=2')).body.boxes).toMatchObject({ entered: 2 });
    expect((await again.get('/api/coverage?province=7&district=701&ballot=2')).body.boxes).toMatchObject({ entered: ROWS });
    process.stdout.write(
      `[chaos] store ${name} ${heldMs} ms: ${refused.length} writes answered 503 store_unavailable, nothing written; writes went through ${recoveredMs} ms after it was lifted\n`,
    );
  } finally {
    if (faulted) lift(target);
    locker.close();
    server.proc.kill('SIGTERM');
    const timer = setTimeout(() => server.proc.kill('SIGKILL'), 15_000);
    await server.exited;
    clearTimeout(timer);
    await redis.kill();
  }
}

describe('chaos: the store busy or unable to write', () => {
  it('write-locked by another connection: every write a clear 503 with nothing of it written, reads answering, recovery when the lock goes', async () => {
    await writesRefusedThenRecovered(
      'write-locked',
      ({ locker }) => locker.exec('BEGIN IMMEDIATE'),
      ({ locker }) => locker.inTransaction && locker.exec('ROLLBACK'),
    );
  }, 120_000);

  it('unable to write its files (as a full or read-only disk): every write a clear 503 with nothing of it written, reads answering, recovery when it can write again', async () => {
    await writesRefusedThenRecovered(
      'unwritable',
      ({ pid }) => execFileSync('prlimit', ['--pid', String(pid), '--fsize=1:unlimited']),
      ({ pid }) => execFileSync('prlimit', ['--pid', String(pid), '--fsize=unlimited:unlimited']),
    );
  }, 120_000);
});
