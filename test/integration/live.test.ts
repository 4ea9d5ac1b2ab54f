import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { RoomDelta, Sheet } from '@gozcu/shared';
import { freePort, startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';
import { collectDeltas, connect, subscribe, type LiveSocket } from '../support/live';
import { REPO_ROOT, TS_NODE, TS_NODE_ENV } from '../support/paths';

const sheet = (a: number, b: number): Sheet => ({
  registered: 300,
  voted: a + b + 2,
  validUncontested: a + b,
  validAfterObjection: 0,
  valid: a + b,
  invalid: 2,
  votes: { A: a, B: b },
});
let idem = 0;
const entry = (province: number, district: number, boxNo: number, a = 10, b = 20) => ({
  ref: { ballot: 2, province, district, boxNo },
  sheet: sheet(a, b),
  idempotencyKey: `live-${process.pid}-${++idem}`,
});

describe('live deltas over Socket.IO', () => {
  const ELECTION = `live${process.pid}`;
  // the transport of changes, not the N-entry rule: each entry is the box's figure at once (and
  // node B below must run with the same rule as node A)
  const env = {
    YSK_ELECTION_ID: ELECTION,
    YSK_BALLOT_TYPES: '2,3',
    GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LIVE_BATCH_MS: '100',
    LOGIN_RATE_LIMIT: '10000',
    ENTRY_CONFIRMATIONS: '1',
  };
  let app: RunningApp;
  let admin: Session;
  const sockets: LiveSocket[] = [];
  const open = async (token?: string) => {
    const s = await connect(app.url, token);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    app = await startApp(env, { port: await freePort() });
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await app.close();
  });

  it('refuses a handshake without a valid token', async () => {
    await expect(connect(app.url, undefined)).rejects.toThrow(/unauthorized/);
    await expect(connect(app.url, 'not-a-token')).rejects.toThrow(/unauthorized/);
  });

  it('refuses rooms outside the caller scope with an ack error, and sends nothing from them', async () => {
    const chair = await userOf(app.url, admin, `chair06-${process.pid}`, 'province_chair', { province: 6 });
    const s = await open(chair.token);
    const seen: RoomDelta[] = [];
    s.on('delta', (d) => seen.push(d));
    for (const room of ['country', 'province:34', 'district:1234', `box:${ELECTION}:2:34:1:1001`, 'nonsense']) {
      const res = await subscribe(s, room, 2);
      expect(res.ok).toBe(false);
    }
    const own = await subscribe(s, 'province:6', 2);
    expect(own).toMatchObject({ ok: true, data: { room: 'province:6', ballot: 2 } });
    // a change in province 34 must not reach this socket; one in 6 must
    await admin.post('/api/entries', entry(34, 1, 1001));
    await admin.post('/api/entries', entry(6, 2, 1001));
    const deltas = await collectDeltas(s, 'province:6', (d) => d.length >= 1);
    expect(deltas[0].boxes.map((b) => b.province)).toEqual([6]);
    expect(seen.every((d) => d.room === 'province:6')).toBe(true);
  });

  it('answers subscribe with a snapshot, then sends ordered, coalesced deltas', async () => {
    const s = await open(admin.token);
    const snap = await subscribe(s, 'country', 2);
    if (!snap.ok) throw new Error(snap.msg);
    const before = snap.data.coverage.boxes.entered;
    const N = 30;
    const pending = collectDeltas(s, 'country', (d) => d[d.length - 1].coverage.boxes.entered >= before + N);
    await Promise.all(Array.from({ length: N }, (_, i) => admin.post('/api/entries', entry(69, 681, 2001 + i))));
    const deltas = await pending;
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => snap.data.seq + 1 + i));
    expect(deltas.length).toBeLessThan(N);
    expect(deltas.flatMap((d) => d.boxes).filter((b) => b.district === 681 && b.boxNo > 2000)).toHaveLength(N);
    expect(deltas[deltas.length - 1].regions['69'].entered).toBeGreaterThanOrEqual(N);
    // resubscribing (what a client does on a gap) gives a fresh snapshot at the current sequence
    const again = await subscribe(s, 'country', 2);
    expect(again).toMatchObject({ ok: true, data: { seq: deltas[deltas.length - 1].seq } });
    if (again.ok) expect(again.data.coverage.boxes.entered).toBe(before + N);
  });

  it('keeps ballot types apart', async () => {
    const s = await open(admin.token);
    await subscribe(s, 'district:681', 3);
    const seen: RoomDelta[] = [];
    s.on('delta', (d) => seen.push(d));
    const other = await open(admin.token);
    await subscribe(other, 'district:681', 2);
    await admin.post('/api/entries', entry(69, 681, 3001));
    await collectDeltas(other, 'district:681', (d) => d.length >= 1);
    expect(seen).toEqual([]);
  });

  it('resubscribes after a server restart and gets the state back from the store', async () => {
    const s = await open(admin.token);
    const first = await subscribe(s, 'province:69', 2);
    if (!first.ok) throw new Error(first.msg);
    const entered = first.data.coverage.boxes.entered;
    const reconnected = new Promise<void>((resolve) => s.io.once('reconnect', () => resolve()));
    const port = app.port;
    await app.close({ keepData: true });
    app = await startApp(env, { dataDir: app.dataDir, port });
    await reconnected;
    const after = await subscribe(s, 'province:69', 2);
    expect(after).toMatchObject({ ok: true, data: { seq: 0 } });
    if (after.ok) expect(after.data.coverage.boxes.entered).toBe(entered);
  });

  describe('two nodes', () => {
    let nodeB: ChildProcess | undefined;
    // wait for node B to exit: at SIGTERM it writes its reconciliation snapshot into the data folder
    // the outer afterAll then removes
    afterAll(async () => {
      if (!nodeB || nodeB.exitCode !== null) return;
      const exited = new Promise((resolve) => nodeB!.once('exit', resolve));
      nodeB.kill('SIGTERM');
      await exited;
    }, 30_000);

    it('a change ingested on one node reaches a socket connected to another', async () => {
      const port = await freePort();
      nodeB = spawn(process.execPath, [...TS_NODE, join(REPO_ROOT, 'server', 'src', 'main.ts')], {
        cwd: REPO_ROOT,
        // an API-only node of the scale-out shape: it polls nothing (and runs no simulator)
        env: { ...process.env, ...TS_NODE_ENV, ...env, DATA_DIR: app.dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', YSK_WORKER: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await new Promise<void>((resolve, reject) => {
        let out = '';
        nodeB!.stdout!.on('data', (d) => {
          out += d;
          if (out.includes('Gözcü is running')) resolve();
        });
        nodeB!.stderr!.on('data', (d) => (out += d));
        nodeB!.once('exit', (code) => reject(new Error(`node B exited ${code}: ${out}`)));
      });
      const urlB = `http://127.0.0.1:${port}`;
      const onB = await login(urlB, 'admin', ADMIN_PASSWORD);
      const s = await connect(urlB, onB.token);
      sockets.push(s);
      const snap = await subscribe(s, 'district:681', 2);
      expect(snap.ok).toBe(true);
      const pending = collectDeltas(s, 'district:681', (d) => d.some((x) => x.boxes.some((b) => b.boxNo === 4001)), 20_000);
      const res = await admin.post('/api/entries', entry(69, 681, 4001, 77, 11));
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
      const deltas = await pending;
      const box = deltas.flatMap((d) => d.boxes).find((b) => b.boxNo === 4001)!;
      expect(box.org?.votes).toEqual({ A: 77, B: 11 });
    }, 90_000);
  });
});
