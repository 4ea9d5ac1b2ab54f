import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, login } from '../support/auth';
import { freePort } from '../support/app';
import { privateRedis, startServer, waitFor } from './support';

/**
 * Issue 13, finding 15: rows stored by an import killed midway had no audit record. The server
 * is SIGKILLed while a CSV import runs, at several points into it; after a restart on the same
 * data the store holds either the whole import with its audit record or nothing of it.
 */
const ROWS = Number(process.env.CHAOS_IMPORT_ROWS ?? 1500);
const header = 'ballot,province,district,boxNo,registered,voted,validUncontested,validAfterObjection,valid,invalid,AK PARTİ,CHP';
const csv = (run: number) =>
  [header, ...Array.from({ length: ROWS }, (_, i) => `2,7,${700 + run},${i + 1},300,105,100,0,100,5,${60 + run},${40 - run}`)].join('\n');

function audit(dataDir: string) {
  const db = new Database(join(dataDir, 'gozcu.sqlite'), { readonly: true });
  try {
    const imported = db.prepare(`SELECT key FROM entries WHERE source = 'import'`).all() as { key: string }[];
    const records = (db.prepare(`SELECT after FROM audit WHERE action = 'entry.import'`).all() as { after: string }[]).map(
      (r) => JSON.parse(r.after) as { stored: number; keys: string[] },
    );
    return { imported: imported.map((r) => r.key).sort(), audited: records.flatMap((r) => r.keys).sort(), records };
  } finally {
    db.close();
  }
}

describe('chaos: the server SIGKILLed mid-import', () => {
  it('leaves every import whole with its audit record, or absent; nothing duplicated after a restart', async () => {
    const redis = await privateRedis();
    const dataDir = mkdtempSync(join(tmpdir(), 'gozcu-chaos-import-'));
    const env = { REDIS_URL: redis.url, GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD, YSK_WORKER: 'false', YSK_BALLOT_TYPES: '2', LOGIN_RATE_LIMIT: '10000' };
    const port = await freePort();
    try {
      // how long one import takes here, to kill the next ones at points inside it
      let server = await startServer(env, { dataDir, port });
      let admin = await login(server.url, 'admin', ADMIN_PASSWORD);
      const t0 = Date.now();
      const first = await admin.post('/api/entries/import', csv(0));
      const took = Date.now() - t0;
      expect([first.status, first.body.rows?.[0]]).toEqual([200, expect.objectContaining({ ok: true })]);
      expect(first.body).toMatchObject({ stored: ROWS, rejected: 0 });
      let kills = 0;
      for (const [run, fraction] of [
        [1, 0.2],
        [2, 0.5],
        [3, 0.9],
      ] as const) {
        const sent = admin.post('/api/entries/import', csv(run)).catch(() => null);
        await new Promise((r) => setTimeout(r, Math.max(5, took * fraction)));
        server.proc.kill('SIGKILL');
        await server.exited;
        await sent;
        kills++;
        server = await startServer(env, { dataDir, port });
        admin = await login(server.url, 'admin', ADMIN_PASSWORD);
        const after = audit(dataDir);
        // every imported row is in an audit record and the other way round, and no row twice
        expect(after.imported).toEqual(after.audited);
        expect(new Set(after.imported).size).toBe(after.imported.length);
        for (const r of after.records) expect([r.stored, r.keys.length]).toEqual([ROWS, ROWS]);
        // the store answers, the import can be retried, and a retry stores exactly what is missing
        const retry = await admin.post('/api/entries/import', csv(run));
        expect([retry.status, retry.body.rows?.[0]]).toEqual([200, expect.objectContaining({ ok: true })]);
        expect(retry.body.stored + retry.body.duplicates).toBe(ROWS);
        expect([0, ROWS]).toContain(retry.body.stored);
      }
      const final = audit(dataDir);
      expect(final.imported.length).toBe(ROWS * 4);
      process.stdout.write(`[chaos] import of ${ROWS} rows took ${took} ms; SIGKILLed ${kills} times mid-import: store consistent every time\n`);
      server.proc.kill('SIGTERM');
      await server.exited;
    } finally {
      await redis.kill();
    }
  }, 180_000);

  it('leaves every imported account with its audit record and every record with its account, killed at any row', async () => {
    const redis = await privateRedis();
    const dataDir = mkdtempSync(join(tmpdir(), 'gozcu-chaos-users-'));
    const env = { REDIS_URL: redis.url, GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD, YSK_WORKER: 'false', YSK_BALLOT_TYPES: '2', LOGIN_RATE_LIMIT: '10000' };
    const port = await freePort();
    const USERS = 20;
    const people = [
      'username,role,province,district,password',
      ...Array.from({ length: USERS }, (_, i) => `kisi-${i + 1},district_legal,7,${700 + (i % 5)},pw-kisi-${i + 1}-0123456789`),
    ].join('\n');
    const held = () => {
      const db = new Database(join(dataDir, 'gozcu.sqlite'), { readonly: true });
      try {
        const users = (db.prepare(`SELECT username FROM users WHERE username != 'admin'`).all() as { username: string }[])
          .map((r) => `user:${r.username}`)
          .sort();
        const records = (db.prepare(`SELECT target FROM audit WHERE action = 'user.create' AND target != 'user:admin'`).all() as { target: string }[])
          .map((r) => r.target)
          .sort();
        return { users, records };
      } finally {
        db.close();
      }
    };
    let server = await startServer(env, { dataDir, port });
    try {
      let kills = 0;
      for (const atUsers of [3, 9, 15]) {
        const admin = await login(server.url, 'admin', ADMIN_PASSWORD);
        const sent = admin.post('/api/users/import', people).catch(() => null);
        // killed once the import has stored this many accounts (each row hashes its password first: seconds in all)
        await waitFor(() => held().users.length >= atUsers, 60_000, `${atUsers} accounts imported`);
        server.proc.kill('SIGKILL');
        await server.exited;
        await sent;
        kills++;
        const after = held();
        expect(after.users).toEqual(after.records);
        expect(new Set(after.records).size).toBe(after.records.length);
        server = await startServer(env, { dataDir, port });
      }
      // the retried import creates exactly the missing accounts, each with one record
      const admin = await login(server.url, 'admin', ADMIN_PASSWORD);
      const retry = await admin.post('/api/users/import', people);
      expect(retry.status).toBe(200);
      const final = held();
      expect(final.users).toHaveLength(USERS);
      expect(final.records).toEqual(final.users);
      expect(retry.body.created + retry.body.rejected).toBe(USERS);
      process.stdout.write(
        `[chaos] users import of ${USERS} accounts SIGKILLed ${kills} times mid-import: every account with its record, every record with its account\n`,
      );
    } finally {
      server.proc.kill('SIGKILL');
      await server.exited;
      await redis.kill();
    }
  }, 240_000);
});
