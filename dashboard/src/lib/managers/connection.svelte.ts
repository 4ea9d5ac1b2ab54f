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
  #onUnauthorized: (() => Promise<boolean>) | null;
  #authRetries = 0;

  /** `onUnauthorized`: the handshake was refused for the token; refresh it and say whether to try again. */
  constructor(onUnauthorized: (() => Promise<boolean>) | null = null) {
    this.#onUnauthorized = onUnauthorized;
  }

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
      this.#authRetries = 0;
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
      // a refused handshake is not retried by socket.io: refresh the token and reconnect with it
      if (/unauthori[sz]ed/i.test(err?.message ?? '') && this.#onUnauthorized && this.#authRetries < 3) {
        this.#authRetries++;
        void this.#onUnauthorized().then((ok) => {
          if (ok && this.socket === s && !s.connected) s.connect();
        });
      }
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
