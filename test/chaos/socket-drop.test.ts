import type { RoomDelta } from '@gozcu/shared';
import { ADMIN_PASSWORD, login } from '../support/auth';
import { connect, type LiveSocket } from '../support/live';
import { cuttableProxy, privateRedis, startServer, waitFor } from './support';

/**
 * Issue 13, item 4: sockets dropped and reconnected under load. Many Socket.IO clients follow a
 * district through a TCP proxy while observer entries stream in; every connection through the
 * proxy is reset several times mid-stream. Each client resubscribes when it reconnects (or when
 * the server tells it to resync) and must never see a sequence gap or a repeated delta after its
 * snapshot, and every client ends equal to the API.
 */
const ELECTION = `chaos-sockets-${Date.now()}`;
const CLIENTS = Number(process.env.CHAOS_SOCKET_CLIENTS ?? 40);
const ENTRIES = Number(process.env.CHAOS_SOCKET_ENTRIES ?? 300);
const CUTS = 3;
/** entries written once every client is back from the last drop: they can only reach a client as deltas */
const TAIL = 20;
const WRITERS = 4;
const ROOM = 'district:700';
const sheet = (n: number) => ({
  registered: 300,
  voted: 105,
  validUncontested: 100,
  validAfterObjection: 0,
  valid: 100,
  invalid: 5,
  votes: { 'AK PARTİ': 50 + (n % 9), CHP: 50 - (n % 9) },
});

interface Follower {
  socket: LiveSocket;
  view: { seq: number; coverage: RoomDelta['coverage'] } | null;
  snapshots: number;
  deltas: number;
  gaps: number;
  repeats: number;
  resyncs: number;
  reconnects: number;
}

async function follow(url: string, token: string): Promise<Follower> {
  const f: Follower = { socket: await connect(url, token), view: null, snapshots: 0, deltas: 0, gaps: 0, repeats: 0, resyncs: 0, reconnects: 0 };
  // the snapshot is taken in the ack callback itself: the deltas after it can arrive in the same
  // TCP read, handled before any promise continuation would run
  const resubscribe = () =>
    new Promise<void>((resolve, reject) => {
      f.view = null;
      f.socket.emit('subscribe', { room: ROOM, ballot: 2 }, (snap) => {
        if (!snap.ok) return reject(new Error(`subscribe refused: ${snap.msg}`));
        f.snapshots++;
        f.view = { seq: snap.data.seq, coverage: snap.data.coverage };
        resolve();
      });
    });
  f.socket.on('delta', (d) => {
    if (d.room !== ROOM || !f.view) return;
    if (d.seq <= f.view.seq) f.repeats++;
    else if (d.seq !== f.view.seq + 1) f.gaps++;
    else {
      f.deltas++;
      f.view = { seq: d.seq, coverage: d.coverage };
    }
  });
  f.socket.on('resync', () => {
    f.resyncs++;
    void resubscribe();
  });
  f.socket.on('disconnect', () => (f.view = null));
  f.socket.io.on('reconnect', () => {
    f.reconnects++;
    void resubscribe();
  });
  await resubscribe();
  return f;
}

describe('chaos: sockets dropped and reconnected under load', () => {
  it(`${CLIENTS} clients resync after ${CUTS} network drops and then follow by deltas with no sequence gap and end equal to the API`, async () => {
    const redis = await privateRedis();
    const env = {
      REDIS_URL: redis.url,
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      YSK_WORKER: 'false',
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      ENTRY_CONFIRMATIONS: '1',
      LOGIN_RATE_LIMIT: '10000',
    };
    const server = await startServer(env);
    const proxy = await cuttableProxy(Number(new URL(server.url).port));
    const followers: Follower[] = [];
    try {
      const admin = await login(server.url, 'admin', ADMIN_PASSWORD);
      const post = async (boxNo: number) => {
        const res = await admin.post('/api/entries', {
          ref: { ballot: 2, province: 7, district: 700, boxNo },
          sheet: sheet(boxNo),
          idempotencyKey: `${ELECTION}-${boxNo}`,
        });
        if (res.status !== 201) throw new Error(`entry ${boxNo}: ${res.status} ${JSON.stringify(res.body)}`);
      };
      await post(1); // the district's first entry makes it known (a room is joined only in a known place)
      for (let i = 0; i < CLIENTS; i++) followers.push(await follow(proxy.url, admin.token));
      expect(proxy.open()).toBe(CLIENTS);

      // the load: observer entries from a few writers (straight to the server), bounded
      let next = 2;
      let cutsDone = 0;
      let cutConnections = 0;
      let lastCutAt = 0;
      let cutting = false;
      const writer = async () => {
        for (let boxNo = next++; boxNo <= ENTRIES; boxNo = next++) {
          await post(boxNo);
          // mid-stream, every connection through the proxy is reset
          if (cutsDone < CUTS && !cutting && boxNo >= ((cutsDone + 1) * ENTRIES) / (CUTS + 1)) {
            // once every client is back from the drop before (the other writers go on meanwhile)
            cutting = true;
            await waitFor(() => proxy.open() === CLIENTS && followers.every((f) => f.view !== null), 30_000, 'every client to be back before the next drop');
            cutsDone++;
            cutting = false;
            cutConnections += proxy.cut();
            lastCutAt = Date.now();
          }
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, writer));
      expect(cutsDone).toBe(CUTS);
      // the writers can finish while the clients are still reconnecting (then every figure came
      // with a snapshot): a tail written after they are all back must arrive as deltas
      await waitFor(() => proxy.open() === CLIENTS && followers.every((f) => f.view !== null), 30_000, 'every client to be back from the last drop');
      const deltasBeforeTail = followers.map((f) => f.deltas);
      for (let boxNo = ENTRIES + 1; boxNo <= ENTRIES + TAIL; boxNo++) await post(boxNo);

      const api = (await admin.get('/api/coverage?province=7&district=700&ballot=2')).body;
      expect(api.boxes).toMatchObject({ entered: ENTRIES + TAIL });
      const same = (f: Follower) =>
        !!f.view && JSON.stringify(f.view.coverage.boxes) === JSON.stringify(api.boxes) && JSON.stringify(f.view.coverage.votes) === JSON.stringify(api.votes);
      await waitFor(() => followers.every(same), 30_000, `every client to equal the API (${followers.filter(same).length}/${CLIENTS} do)`);
      const recoveredMs = Date.now() - lastCutAt;

      const sum = (k: keyof Omit<Follower, 'socket' | 'view'>) => followers.reduce((n, f) => n + f[k], 0);
      process.stdout.write(
        `[chaos] ${CLIENTS} sockets, ${ENTRIES} entries, ${CUTS} drops (${cutConnections} connections reset): ${sum('reconnects')} reconnects, ${sum('snapshots')} snapshots, ${sum('deltas')} deltas applied, ${sum('resyncs')} server resyncs, ${sum('gaps')} gaps, ${sum('repeats')} repeats; every client equal to the API ${recoveredMs} ms after the last drop\n`,
      );
      // the drops happened and every client came back from each
      expect(cutConnections).toBeGreaterThanOrEqual(CUTS * CLIENTS);
      for (const f of followers) expect(f.reconnects).toBeGreaterThanOrEqual(CUTS);
      expect(sum('gaps')).toBe(0);
      expect(sum('repeats')).toBe(0);
      // and every client followed the tail through deltas
      expect(followers.filter((f, i) => f.deltas === deltasBeforeTail[i])).toHaveLength(0);
    } finally {
      for (const f of followers) f.socket.close();
      await proxy.close();
      server.proc.kill('SIGTERM');
      const timer = setTimeout(() => server.proc.kill('SIGKILL'), 15_000);
      await server.exited;
      clearTimeout(timer);
      await redis.kill();
    }
  }, 120_000);
});
