import { io } from 'socket.io-client';
import type { RoomDelta, Sheet } from '@gozcu/shared';
import { ChangeBus } from '../../server/src/infra/events';
import { freePort, startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';
import { collectDeltas, connect, subscribe, type LiveSocket } from '../support/live';

/** Issue 13, findings 8–11 and the Socket.IO CORS finding: rooms as strict as REST. Each failed before its fix. */
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
  idempotencyKey: `sec-live-${process.pid}-${++idem}`,
});

describe('live rooms carry only what REST would (issue 13)', () => {
  const ELECTION = `seclive${process.pid}`;
  let app: RunningApp;
  let admin: Session;
  const sockets: LiveSocket[] = [];
  const open = async (token: string) => {
    const s = await connect(app.url, token);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    app = await startApp(
      {
        YSK_ELECTION_ID: ELECTION,
        YSK_BALLOT_TYPES: '2',
        ENTRY_CONFIRMATIONS: '1' /* one entry is the organisation's figure here: these tests are about access, not N-entry confirmation */,
        GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LIVE_BATCH_MS: '100',
        LOGIN_RATE_LIMIT: '10000',
      },
      { port: await freePort() },
    );
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    for (const boxNo of [1001, 1002, 1003]) expect((await admin.post('/api/entries', entry(6, 1, boxNo))).status).toBe(201);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await app.close();
  });

  it("finding 8: a box officer's box room carries their box only, not the district's coverage", async () => {
    const officer = await userOf(app.url, admin, `kutu-${process.pid}`, 'box_officer', { boxes: ['6:1:1001'] });
    const s = await open(officer.token);
    const res = await subscribe(s, `box:${ELECTION}:2:6:1:1001`);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.data.coverage.boxes.total).toBe(1);
    expect(res.data.coverage.votes.org).toEqual({ A: 10, B: 20 });
    const next = collectDeltas(s, `box:${ELECTION}:2:6:1:1001`, (d) => d.length >= 1);
    // another box of the district changes, then this one: the room's coverage stays this box's
    expect((await admin.post('/api/entries', entry(6, 1, 1002, 40, 40))).status).toBe(201);
    expect((await admin.post('/api/entries', entry(6, 1, 1001, 11, 21))).status).toBe(201);
    const [delta] = await next;
    expect(delta.coverage.boxes.total).toBe(1);
    expect(delta.coverage.votes.org).toEqual({ A: 11, B: 21 });
    expect(delta.boxes.map((b) => b.key)).toEqual([`${ELECTION}:2:6:1:1001`]);
  });

  it('finding 9: an IT administrator (no boxes:read) gets counters but no per-box figures, and no box room', async () => {
    const it = await userOf(app.url, admin, `bt-${process.pid}`, 'it_admin');
    const s = await open(it.token);
    expect((await subscribe(s, `box:${ELECTION}:2:6:1:1001`)).ok).toBe(false);
    const res = await subscribe(s, 'district:1');
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.data.lists).toEqual({ stale: [], altered: [], mismatches: [] });
    const next = collectDeltas(s, 'district:1', (d) => d.length >= 1);
    expect((await admin.post('/api/entries', entry(6, 1, 1003, 50, 60))).status).toBe(201);
    const [delta] = await next;
    expect(delta.boxes).toEqual([]);
    expect(delta.coverage.boxes.entered).toBe(3);
    // the citizen role (no coverage:read) joins no region room
    const citizen = await userOf(app.url, admin, `vatandas-${process.pid}`, 'citizen');
    const c = await open(citizen.token);
    expect((await subscribe(c, 'country')).ok).toBe(false);
  });

  it('finding 10: feed:health reaches only sockets with feed:read', async () => {
    const observer = await userOf(app.url, admin, `gozlemci-${process.pid}`, 'box_officer', { boxes: ['6:1:1002'] });
    const operator = await userOf(app.url, admin, `operator-${process.pid}`, 'feed_operator');
    const [o, p] = [await open(observer.token), await open(operator.token)];
    const got = { observer: 0, operator: 0 };
    o.on('feed:health', () => got.observer++);
    const reached = new Promise<void>((resolve) => p.on('feed:health', () => (got.operator++, resolve())));
    app.app.get(ChangeBus).emit('feed.health', { state: 'failing', previous: 'healthy', endpoint: 'getIlList', at: new Date().toISOString(), cause: 'test' });
    await reached;
    // a round trip on the observer's socket after the event: anything sent to it has arrived by then
    await subscribe(o, `box:${ELECTION}:2:6:1:1002`);
    expect(got).toEqual({ observer: 0, operator: 1 });
  });

  it('finding 11: disabling a user closes their open socket within seconds', async () => {
    const leaver = await userOf(app.url, admin, `ayrilan-${process.pid}`, 'province_viewer', { province: 6 });
    const s = await open(leaver.token);
    expect((await subscribe(s, 'province:6')).ok).toBe(true);
    const closed = new Promise<string>((resolve) => s.on('disconnect', (reason) => resolve(reason)));
    s.io.opts.reconnection = false;
    expect((await admin.post(`/api/users/${leaver.user.id}`, { disabled: true }, 'PATCH')).status).toBe(200);
    expect(await closed).toBe('io server disconnect');
    await expect(connect(app.url, leaver.token)).rejects.toThrow(/unauthorized/);
  });

  it('Socket.IO refuses foreign origins (CORS as strict as REST)', async () => {
    const viewer = await userOf(app.url, admin, `izleyici-${process.pid}`, 'province_viewer', { province: 6 });
    const foreign = io(app.url, {
      auth: { token: viewer.token },
      transports: ['polling'],
      extraHeaders: { origin: 'https://evil.example' },
      reconnection: false,
      forceNew: true,
    });
    const outcome = await new Promise<string>((resolve) => {
      foreign.once('connect', () => resolve('connected'));
      foreign.once('connect_error', (e) => resolve(`refused: ${e.message}`));
    });
    foreign.close();
    expect(outcome).toMatch(/^refused/);
    const preflight = await fetch(`${app.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'https://evil.example' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const same = io(app.url, {
      auth: { token: viewer.token },
      transports: ['polling'],
      extraHeaders: { origin: app.url },
      reconnection: false,
      forceNew: true,
    });
    const ok = await new Promise<string>((resolve) => {
      same.once('connect', () => resolve('connected'));
      same.once('connect_error', (e) => resolve(`refused: ${e.message}`));
    });
    same.close();
    expect(ok).toBe('connected');
  });
});

export type { RoomDelta };
