import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, RoomDelta, RoomSnapshot, ServerToClientEvents } from '@gozcu/shared';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** `transports`: websocket only unless told (the dashboard allows polling too: the scale-out rehearsal uses both) */
export function connect(url: string, token: string | undefined, transports: ('websocket' | 'polling')[] = ['websocket']): Promise<LiveSocket> {
  const socket: LiveSocket = io(url, {
    auth: token ? { token } : {},
    transports,
    reconnection: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (e) => {
      socket.close();
      reject(e);
    });
  });
}

export function subscribe(socket: LiveSocket, room: string, ballot?: number): Promise<{ ok: true; data: RoomSnapshot } | { ok: false; msg: string }> {
  return new Promise((resolve) => socket.emit('subscribe', { room: room as never, ballot: ballot as never }, resolve));
}

/** Collects deltas of one room and resolves when `until` is satisfied (no sleeps). */
export function collectDeltas(socket: LiveSocket, room: string, until: (deltas: RoomDelta[]) => boolean, timeoutMs = 10_000): Promise<RoomDelta[]> {
  const deltas: RoomDelta[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('delta', onDelta);
      reject(new Error(`timed out after ${timeoutMs} ms with ${deltas.length} deltas for ${room}`));
    }, timeoutMs);
    const onDelta = (d: RoomDelta) => {
      if (d.room !== room) return;
      deltas.push(d);
      if (until(deltas)) {
        clearTimeout(timer);
        socket.off('delta', onDelta);
        resolve(deltas);
      }
    };
    socket.on('delta', onDelta);
  });
}
