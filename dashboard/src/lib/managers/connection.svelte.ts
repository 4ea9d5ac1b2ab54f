import { connectLive, type LiveSocket } from '../api';

/**
 * The one Socket.IO connection every live manager shares. Exposes whether it is up, and
 * when it last went down, so the wall can show its red banner the moment it drops.
 */
export class LiveConnection {
  connected = $state(false);
  /** true once the socket has been up at least once */
  everConnected = $state(false);
  /** a connect attempt has failed (server unreachable) */
  failed = $state(false);
  lastError = $state<string | null>(null);
  disconnectedAt = $state<number | null>(null);
  socket: LiveSocket | null = null;

  start(): () => void {
    if (this.socket) return () => this.stop();
    const s = connectLive();
    this.socket = s;
    s.on('connect', () => {
      this.connected = true;
      this.everConnected = true;
      this.failed = false;
      this.lastError = null;
      this.disconnectedAt = null;
    });
    s.on('disconnect', (reason) => {
      this.connected = false;
      this.disconnectedAt = Date.now();
      this.lastError = String(reason);
    });
    s.on('connect_error', (err) => {
      this.connected = false;
      this.failed = true;
      this.lastError = err?.message ?? 'connect_error';
      this.disconnectedAt ??= Date.now();
    });
    return () => this.stop();
  }

  stop(): void {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.connected = false;
  }
}
