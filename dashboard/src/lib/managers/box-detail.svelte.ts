import type { BallotCode, RoomDelta } from '@gozcu/shared';
import { api, ApiError, type BoxDetail } from '../api';
import type { LiveConnection } from './connection.svelte';

/**
 * One box's detail (`GET /api/boxes/:key`): reloaded when the box's room (`box:<key>`)
 * or any delta carrying the box says it changed, at most once a second.
 */
export class BoxDetailManager {
  detail = $state.raw<BoxDetail | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  notFound = $state(false);
  loadedAt = $state<number | null>(null);

  readonly key: string;
  #conn: LiveConnection;
  #ballot: BallotCode | null;
  #abort: AbortController | null = null;
  #pending: ReturnType<typeof setTimeout> | null = null;
  #lastLoad = 0;
  #detach: (() => void) | null = null;

  constructor(conn: LiveConnection, key: string, ballot: BallotCode | null) {
    this.#conn = conn;
    this.key = key;
    this.#ballot = ballot;
  }

  get room(): `box:${string}` {
    return `box:${this.key}`;
  }

  start(): () => void {
    void this.load();
    const s = this.#conn.socket;
    if (s) {
      const onDelta = (d: RoomDelta) => {
        if (d?.room === this.room || d?.boxes?.some((b) => b.key === this.key)) this.#reloadSoon();
      };
      const onConnect = () => {
        this.#subscribe();
        this.#reloadSoon();
      };
      s.on('delta', onDelta);
      s.on('connect', onConnect);
      if (s.connected) this.#subscribe();
      this.#detach = () => {
        s.off('delta', onDelta);
        s.off('connect', onConnect);
        if (s.connected) s.emit('unsubscribe', { room: this.room }, () => {});
      };
    }
    return () => this.destroy();
  }

  #subscribe(): void {
    const req = this.#ballot != null ? { room: this.room, ballot: this.#ballot } : { room: this.room };
    this.#conn.socket?.timeout(10_000).emit('subscribe', req, () => {});
  }

  #reloadSoon(): void {
    if (this.#pending) return;
    const wait = Math.max(0, 1000 - (Date.now() - this.#lastLoad));
    this.#pending = setTimeout(() => {
      this.#pending = null;
      void this.load();
    }, wait);
  }

  async load(): Promise<void> {
    this.#abort?.abort();
    const ac = (this.#abort = new AbortController());
    this.loading = true;
    this.#lastLoad = Date.now();
    try {
      const d = await api.box(this.key, ac.signal);
      this.detail = {
        summary: d.summary,
        versions: Array.isArray(d.versions) ? [...d.versions].sort((a, b) => a.seq - b.seq) : [],
        entries: Array.isArray(d.entries) ? d.entries : [],
        alteredBeforeSeen: d.alteredBeforeSeen ?? null,
      };
      this.error = null;
      this.notFound = false;
      this.loadedAt = Date.now();
    } catch (e) {
      if (ac.signal.aborted) return;
      this.notFound = e instanceof ApiError && e.status === 404;
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      if (this.#abort === ac) this.loading = false;
    }
  }

  destroy(): void {
    this.#abort?.abort();
    if (this.#pending) clearTimeout(this.#pending);
    this.#detach?.();
    this.#detach = null;
  }
}
