import type { BoxRef, MyBoxesResponse, Sheet } from '@gozcu/shared';
import { readSession } from '../auth';
import { httpTransport, observerApi } from '../observer-api';
import { Outbox, type FlushReport, type OutboxItem, type Transport } from '../outbox';

const RETRY_MS = 15_000;

/**
 * The observer's screens' state: "my boxes" (from the server, else the copy kept on the
 * device), the waiting entries, the network. Sends the queue when the page starts, when the
 * network comes back (`online`), when the page becomes visible again, and every 15 s while
 * something waits. One per page (`observerState()`), it outlives the views.
 */
export class ObserverState {
  items = $state.raw<OutboxItem[]>([]);
  boxes = $state.raw<MyBoxesResponse | null>(null);
  /** when `boxes` was fetched (ms); from the device's copy when offline */
  boxesAt = $state<number | null>(null);
  boxesError = $state<string | null>(null);
  /** true while the last contact with the server failed, or the browser says offline */
  offline = $state(typeof navigator !== 'undefined' ? !navigator.onLine : false);
  flushing = $state(false);
  /** entries that landed in this page's life (idempotency keys), for the "sent" notice */
  lastReport = $state.raw<FlushReport | null>(null);

  readonly #outbox: Outbox;
  readonly #transport: Transport;
  #started = false;
  #lastUser: string | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(outbox = new Outbox(), transport: Transport = httpTransport) {
    this.#outbox = outbox;
    this.#transport = transport;
  }

  get user(): string | null {
    return readSession()?.user?.username ?? null;
  }

  /** Starts once per page; later calls only reload. */
  start(): void {
    if (this.#started) {
      // a view opened again (or a new sign-in): what waits goes out now, not at the next tick
      void this.reload().then(() => this.flush());
      return;
    }
    this.#started = true;
    window.addEventListener('online', () => {
      this.offline = false;
      void this.flush();
    });
    window.addEventListener('offline', () => (this.offline = true));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.flush();
    });
    this.#timer = setInterval(() => {
      if (this.items.some((i) => i.state !== 'failed')) void this.flush();
    }, RETRY_MS);
    void this.reload().then(() => this.flush());
  }

  /** The queue and my boxes, from the device first, then from the server. */
  async reload(): Promise<void> {
    const user = this.user;
    if (!user) return;
    if (user !== this.#lastUser) {
      // another user signed in on this phone: nothing of the previous one shows
      this.#lastUser = user;
      this.boxes = null;
      this.boxesAt = null;
      this.items = [];
    }
    await this.#readQueue(user);
    if (!this.boxes) {
      const held = await this.#outbox.cachedBoxes(user).catch(() => null);
      if (held && !this.boxes) {
        this.boxes = held.data;
        this.boxesAt = held.at;
      }
    }
    try {
      const fresh = await observerApi.myBoxes();
      this.boxes = fresh;
      this.boxesAt = Date.now();
      this.boxesError = null;
      this.offline = false;
      await this.#outbox.cacheBoxes(user, fresh).catch(() => undefined);
    } catch (e) {
      const msg = (e as Error).message;
      if (msg === 'network') this.offline = true;
      else this.boxesError = msg;
    }
  }

  async #readQueue(user: string): Promise<void> {
    this.items = await this.#outbox.list(user).catch(() => []);
  }

  /** Queues an entry (the observer pressed send) and tries to send it at once. */
  async submit(ref: BoxRef & { key?: string }, key: string, sheet: Sheet, photo: Blob | null, photoName: string | null): Promise<OutboxItem> {
    const user = this.user;
    if (!user) throw new Error('not signed in');
    const item = await this.#outbox.add({
      user,
      key,
      ref: { election: ref.election, ballot: ref.ballot, province: ref.province, district: ref.district, boxNo: ref.boxNo },
      sheet,
      photo,
      photoName,
    });
    await this.#readQueue(user);
    void this.flush();
    return item;
  }

  /** Sends what waits; then refreshes my boxes when something landed. */
  async flush(): Promise<void> {
    const user = this.user;
    if (!user) return;
    this.flushing = true;
    try {
      const report = await this.#outbox.flush(user, this.#transport);
      this.lastReport = report;
      if (report.stopped === 'network') this.offline = true;
      else if (report.sent.length || report.failed.length || report.stopped === null) this.offline = false;
      await this.#readQueue(user);
      if (report.sent.length || (this.offline === false && !this.boxes)) await this.reload();
    } finally {
      this.flushing = false;
    }
  }

  /** A refused entry: send it again as it is (after the observer fixed the cause, e.g. a scope). */
  async retry(id: string): Promise<void> {
    const item = this.items.find((i) => i.id === id);
    if (!item) return;
    await this.#outbox.put({ ...item, state: item.entryId ? 'photo' : 'pending', lastError: null });
    await this.flush();
  }

  async discard(id: string): Promise<void> {
    await this.#outbox.remove(id);
    const user = this.user;
    if (user) await this.#readQueue(user);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

let shared: ObserverState | null = null;
/** The page's one observer state. */
export function observerState(): ObserverState {
  return (shared ??= new ObserverState());
}
