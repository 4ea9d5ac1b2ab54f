import { connect, createServer, type AddressInfo } from 'node:net';
import { preframe, rawSocketOf, wsTextFrame } from './live.hub';

/** ws's frame parser (untyped in @types/ws). */
interface FrameReceiver {
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'error', fn: (e: Error) => void): void;
  write(chunk: Buffer): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Receiver = require('ws').Receiver as new (opts: { isServer: boolean }) => FrameReceiver;

/** Decodes one server → client frame with ws's own receiver (the parser every client shares). */
function decode(frame: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data: Buffer) => resolve(data.toString('utf8')));
    receiver.on('error', reject);
    receiver.write(frame);
  });
}

describe('pre-framed deltas', () => {
  it('frames a Socket.IO event as one whole WebSocket text frame, at every length encoding', async () => {
    for (const size of [10, 200, 70_000]) {
      const data = { room: 'country', seq: 7, pad: 'ç'.repeat(size) };
      const frame = preframe('delta', data);
      expect(frame[0]).toBe(0x81);
      expect(await decode(frame)).toBe(`42${JSON.stringify(['delta', data])}`);
    }
    expect(await decode(wsTextFrame(Buffer.from('6ping')))).toBe('6ping');
  });

  it('writes raw only to an open, idle WebSocket transport', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const tcp = connect(port, '127.0.0.1');
    await new Promise((r) => tcp.once('connect', r));
    try {
      const conn = (over: Record<string, unknown> = {}, transport: Record<string, unknown> = {}, ws: Record<string, unknown> = {}) => ({
        conn: {
          readyState: 'open',
          upgrading: false,
          writeBuffer: [],
          transport: {
            name: 'websocket',
            writable: true,
            opts: {},
            socket: { readyState: 1, _sender: { _state: 0, _queue: [] }, _socket: tcp, ...ws },
            ...transport,
          },
          ...over,
        },
      });
      expect(rawSocketOf(conn())).toBe(tcp);
      expect(rawSocketOf(conn({ writeBuffer: [{}] }))).toBeNull();
      expect(rawSocketOf(conn({ upgrading: true }))).toBeNull();
      expect(rawSocketOf(conn({ readyState: 'closing' }))).toBeNull();
      expect(rawSocketOf(conn({}, { name: 'polling' }))).toBeNull();
      expect(rawSocketOf(conn({}, { writable: false }))).toBeNull();
      expect(rawSocketOf(conn({}, { opts: { perMessageDeflate: { threshold: 1024 } } }))).toBeNull();
      expect(rawSocketOf(conn({}, {}, { _sender: { _state: 1, _queue: [] } }))).toBeNull();
      expect(rawSocketOf(conn({}, {}, { readyState: 2 }))).toBeNull();
    } finally {
      tcp.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
