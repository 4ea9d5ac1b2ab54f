import type { FeedHealthEvent } from '@gozcu/shared';
import { api } from '../api';
import { appendSample, incidentFromEvent, normalizeHealth, sampleOf, type FeedHealth, type HealthSample, type Incident } from '../health';
import type { LiveConnection } from './connection.svelte';

/**
 * The YSK feed's health: polls `GET /api/feed/health`, takes `feed:health` transitions from
 * the socket at once, and keeps the last hour of samples for the operator's charts.
 */
export class FeedHealthManager {
  health = $state.raw<FeedHealth | null>(null);
  history = $state.raw<HealthSample[]>([]);
  /** transitions seen on the socket, newest first (bounded) */
  events = $state.raw<Incident[]>([]);
  error = $state<string | null>(null);
  fetchedAt = $state<number | null>(null);

  #conn: LiveConnection;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #abort: AbortController | null = null;
  #intervalMs: number;
  #running = false;

  constructor(conn: LiveConnection, intervalMs = 5_000) {
    this.#conn = conn;
    this.#intervalMs = intervalMs;
  }

  #off: (() => void) | null = null;

  start(): () => void {
    if (this.#running) return () => this.stop();
    this.#running = true;
    const s = this.#conn.socket;
    const onHealth = (e: FeedHealthEvent) => this.#onEvent(e);
    s?.on('feed:health', onHealth);
    this.#off = () => s?.off('feed:health', onHealth);
    void this.#poll();
    return () => this.stop();
  }

  stop(): void {
    this.#running = false;
    this.#off?.();
    this.#off = null;
    this.#abort?.abort();
    if (this.#timer) clearTimeout(this.#timer);
  }

  refresh(): void {
    if (this.#timer) clearTimeout(this.#timer);
    void this.#poll();
  }

  async #poll(): Promise<void> {
    if (!this.#running) return;
    this.#abort?.abort();
    const ac = (this.#abort = new AbortController());
    let ok = false;
    try {
      const h = normalizeHealth(await api.feedHealth(ac.signal));
      this.health = h;
      this.history = appendSample(this.history, sampleOf(h, Date.now()));
      this.error = null;
      this.fetchedAt = Date.now();
      ok = true;
    } catch (e) {
      if (ac.signal.aborted) return;
      this.error = e instanceof Error ? e.message : String(e);
    }
    if (this.#running) this.#timer = setTimeout(() => void this.#poll(), ok ? this.#intervalMs : this.#intervalMs * 3);
  }

  #onEvent(e: FeedHealthEvent): void {
    if (!e) return;
    const inc = incidentFromEvent(e);
    this.events = [inc, ...this.events].slice(0, 200);
    if (this.health && inc.state) {
      const endpoints = e.endpoint ? this.health.endpoints.map((x) => (x.name === e.endpoint ? { ...x, state: inc.state! } : x)) : this.health.endpoints;
      this.health = { ...this.health, overall: e.endpoint ? this.health.overall : inc.state, endpoints };
    }
    this.refresh();
  }
}
