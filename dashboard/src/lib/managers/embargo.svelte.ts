import type { EmbargoState } from '@gozcu/shared';
import { api, onEmbargo } from '../api';

/** The publication ban (Yayın yasağı): `GET /api/embargo`, refreshed by every response that carries `embargo`. */
export class EmbargoManager {
  state = $state.raw<EmbargoState | null>(null);
  #timer: ReturnType<typeof setInterval> | null = null;
  #off: (() => void) | null = null;

  start(intervalMs = 30_000): () => void {
    this.#off = onEmbargo((e) => {
      const s = this.state;
      if (!s || s.active !== e.active || s.until !== e.until || s.yskVisible !== e.yskVisible) this.state = { ...(s ?? { election: '' }), ...e };
    });
    const poll = () =>
      api
        .embargo()
        .then((e) => (this.state = e))
        .catch(() => undefined);
    void poll();
    this.#timer = setInterval(poll, intervalMs);
    return () => this.stop();
  }

  stop(): void {
    this.#off?.();
    this.#off = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
