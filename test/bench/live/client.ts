/**
 * A lean dashboard client for the live benchmark, run as a child process (`fork`) so the
 * server's process (and its CPU figures) is not the clients'. It speaks engine.io v4 /
 * socket.io v5 text frames over raw `ws`: no socket.io-client, no JSON.parse of deltas (it reads
 * `seq`, `coverage.asOf` and `coverage.boxes.entered` from the frame's head), one number per
 * receipt. The parent drives it over the IPC channel (see ClientCommand / ClientReply).
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export type ClientCommand =
  { cmd: 'open'; url: string; token: string; count: number; concurrency: number } | { cmd: 'report'; finalSeq: number } | { cmd: 'close' };

export interface OpenReply {
  type: 'opened';
  opened: number;
  failed: number;
  errors: string[];
  ms: number;
  total: number;
}

export interface ReportReply {
  type: 'report';
  /** per delta seq: when each socket received it (ms since the epoch, sub-ms) */
  receipts: Record<number, number[]>;
  /** per delta seq: coverage.asOf (the server built the delta then) and coverage.boxes.entered */
  info: Record<number, { asOf: number; entered: number; bytes: number }>;
  sockets: number;
  /** Σ over sockets of deltas the socket should have had since its snapshot, up to finalSeq */
  expected: number;
  received: number;
  /** seq ≠ last + 1 */
  gaps: number;
  resyncs: number;
  /** sockets whose last seq is not finalSeq after the drain */
  behind: number;
  closed: number;
  /** full JSON.parse of one socket's deltas found a malformed frame */
  malformed: number;
  cpu: NodeJS.CpuUsage;
  rssMb: number;
  /** bytes of each top-level field of the last delta socket 0 parsed */
  anatomy: Record<string, number>;
  /** ms from send to receipt of each raw broadcast frame (the anchor: engine.io noop `6<µs since epoch>`) */
  raw: number[];
}

export type ClientReply = OpenReply | ReportReply | { type: 'closed' };

interface Sock {
  ws: WebSocket;
  /** the snapshot's seq; -1 until subscribed */
  snapSeq: number;
  lastSeq: number;
  received: number;
  gaps: number;
  closed: boolean;
  ackId: number;
}

const now = () => performance.timeOrigin + performance.now();
const send = (msg: ClientReply) => process.send!(msg);

const socks: Sock[] = [];
let receipts = new Map<number, number[]>();
let info = new Map<number, { asOf: number; entered: number; bytes: number }>();
let resyncs = 0;
let malformed = 0;
let anatomy: Record<string, number> = {};
let raw: number[] = [];

/** The unsigned integer right after `key` in `s` (from `from`), or -1. */
function intAfter(s: string, key: string, from = 0): [number, number] {
  const at = s.indexOf(key, from);
  if (at < 0) return [-1, -1];
  let i = at + key.length;
  let n = 0;
  for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i)) n = n * 10 + (c - 48);
  return [n, i];
}

function subscribe(sock: Sock): void {
  sock.ws.send(`42${sock.ackId}["subscribe",{"room":"country","ballot":2}]`);
}

function onDelta(sock: Sock, buf: Buffer, t: number, index: number): void {
  // the frame's head: 42["delta",{"room":"country","seq":N,"ballot":2,"coverage":{"scope":{…},"ballot":2,"asOf":"…","boxes":{"total":…,"yskPublished":…,"entered":E
  const head = buf.toString('latin1', 0, Math.min(buf.length, 600));
  const [seq, afterSeq] = intAfter(head, '"seq":');
  if (seq < 0 || sock.snapSeq < 0) return;
  if (seq !== sock.lastSeq + 1) sock.gaps++;
  sock.lastSeq = seq;
  sock.received++;
  let list = receipts.get(seq);
  if (!list) receipts.set(seq, (list = []));
  list.push(t);
  if (!info.has(seq)) {
    const a = head.indexOf('"asOf":"', afterSeq);
    const asOf = a < 0 ? NaN : Date.parse(head.slice(a + 8, head.indexOf('"', a + 8)));
    const [entered] = intAfter(head, '"entered":', a);
    info.set(seq, { asOf, entered, bytes: buf.length });
  }
  if (index === 0) {
    // one socket per process checks that the frames are whole, well-formed deltas
    try {
      const [name, delta] = JSON.parse(buf.toString('utf8', 2)) as [string, { room: string; seq: number; boxes: unknown[] }];
      if (name !== 'delta' || delta.room !== 'country' || delta.seq !== seq || !Array.isArray(delta.boxes)) malformed++;
      anatomy = Object.fromEntries(Object.entries(delta).map(([k, v]) => [k, Buffer.byteLength(JSON.stringify(v) ?? '')]));
    } catch {
      malformed++;
    }
  }
}

function openOne(url: string, token: string, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
    const sock: Sock = { ws, snapSeq: -1, lastSeq: -1, received: 0, gaps: 0, closed: false, ackId: 0 };
    let settled = false;
    const settle = (e?: Error) => {
      if (settled) return;
      settled = true;
      if (e) {
        ws.terminate();
        reject(e);
      } else {
        socks.push(sock);
        resolve();
      }
    };
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const t = now();
      const type = data[0];
      if (type === 0x32 /* '2' ping */) return ws.send('3');
      if (type === 0x30 /* '0' engine.io open */) return ws.send(`40${JSON.stringify({ token })}`);
      if (type === 0x36 /* '6' noop: the bench's raw broadcast, sent at µs since the epoch */)
        return void raw.push(t - Number(data.toString('latin1', 1, 17)) / 1000);
      if (type !== 0x34 /* '4' socket.io message */) return;
      const kind = data[1];
      if (kind === 0x32 /* '2' event */) {
        if (data.indexOf('["delta"', 2) === 2) onDelta(sock, data, t, index);
        else if (data.indexOf('["resync"', 2) === 2) {
          resyncs++;
          sock.snapSeq = -1;
          sock.ackId++;
          subscribe(sock);
        }
      } else if (kind === 0x33 /* '3' ack */) {
        const s = data.toString('utf8');
        const [seq] = intAfter(s, '"seq":');
        if (!s.includes('"ok":true') || seq < 0) return settle(new Error(`subscribe refused: ${s.slice(0, 200)}`));
        sock.snapSeq = seq;
        sock.lastSeq = seq;
        settle();
      } else if (kind === 0x30 /* '0' connected */) subscribe(sock);
      else if (kind === 0x34 /* '4' connect error */) settle(new Error(`connect refused: ${data.toString('utf8').slice(0, 200)}`));
    });
    ws.on('error', (e) => settle(e));
    ws.on('close', () => {
      sock.closed = true;
      settle(new Error('closed before subscribing'));
    });
  });
}

async function open(c: Extract<ClientCommand, { cmd: 'open' }>): Promise<OpenReply> {
  const t0 = now();
  let next = 0;
  let opened = 0;
  let failed = 0;
  const errors: string[] = [];
  const base = socks.length;
  const lane = async () => {
    while (next < c.count) {
      const i = next++;
      try {
        await openOne(c.url, c.token, base + i);
        opened++;
      } catch (e) {
        failed++;
        if (errors.length < 5) errors.push((e as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(c.concurrency, c.count) }, lane));
  return { type: 'opened', opened, failed, errors, ms: now() - t0, total: socks.length };
}

function report(finalSeq: number): ReportReply {
  let expected = 0;
  let received = 0;
  let gaps = 0;
  let behind = 0;
  let closed = 0;
  for (const s of socks) {
    if (s.closed) closed++;
    expected += Math.max(0, finalSeq - s.snapSeq);
    received += s.received;
    gaps += s.gaps;
    if (s.lastSeq !== finalSeq) behind++;
    // the next report counts from here
    s.snapSeq = s.lastSeq;
    s.received = 0;
    s.gaps = 0;
  }
  const out: ReportReply = {
    type: 'report',
    receipts: Object.fromEntries(receipts),
    info: Object.fromEntries(info),
    sockets: socks.length,
    expected,
    received,
    gaps,
    resyncs,
    behind,
    closed,
    malformed,
    cpu: process.cpuUsage(),
    rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
    anatomy,
    raw,
  };
  raw = [];
  receipts = new Map();
  info = new Map();
  resyncs = 0;
  return out;
}

async function close(): Promise<void> {
  await Promise.all(
    socks.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.ws.readyState === WebSocket.CLOSED) return resolve();
          s.ws.once('close', () => resolve());
          s.ws.close();
          setTimeout(() => (s.ws.terminate(), resolve()), 2000).unref();
        }),
    ),
  );
}

process.on('message', (m: ClientCommand) => {
  if (m.cmd === 'open') void open(m).then(send);
  else if (m.cmd === 'report') send(report(m.finalSeq));
  else if (m.cmd === 'close') void close().then(() => send({ type: 'closed' }));
});
process.on('disconnect', () => process.exit(0));
