/**
 * The observer's on-device queue (issue 12): every entry goes into IndexedDB first, with its
 * idempotency key made once, then is sent; one that cannot be sent (no network, a server
 * error) waits there — across reloads and restarts of the phone — and is sent when the network
 * returns. The key makes a retry safe: the server answers a resend with the entry it already
 * holds (200), so an entry lands once however often it is sent. A sheet photo waits with its
 * entry and is uploaded after it (once: a photo already on the server, by SHA-256, is not sent
 * again). Entries are kept per signed-in user and sent only under that user's session.
 */
import type { BoxRef, MyBoxesResponse, Sheet } from '@gozcu/shared';

export type OutboxState =
  /** waiting to be sent (new, or the last try met no network / a server error) */
  | 'pending'
  /** the entry is stored on the server; its photo still waits */
  | 'photo'
  /** the server refused it (400/403/409): it needs the observer (edit and send again, or discard) */
  | 'failed';

export interface OutboxItem {
  /** the idempotency key, made once when the observer pressed send */
  id: string;
  /** the signed-in user who entered it: sent only under their session */
  user: string;
  key: string;
  ref: Pick<BoxRef, 'election' | 'ballot' | 'province' | 'district' | 'boxNo'>;
  sheet: Sheet;
  /** the sheet photo straight from the camera, uploaded after the entry */
  photo: Blob | null;
  photoName: string | null;
  /** ms since epoch, when the observer pressed send */
  createdAt: number;
  state: OutboxState;
  attempts: number;
  lastTriedAt: number | null;
  /** why the last try did not land (a message code or the server's message) */
  lastError: string | null;
  /** the stored entry's id, once the server has it */
  entryId: string | null;
}

/** `outbox` (key: id, index byUser) and `boxes` (the last "my boxes" answer per user: the screens work offline from it). */
interface CachedBoxes {
  user: string;
  at: number;
  data: MyBoxesResponse;
}

/** An IndexedDB request as a promise. */
function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Runs `work` in one transaction; resolves with its value once the transaction has committed. */
function inTx<T>(db: IDBDatabase, stores: string[], mode: IDBTransactionMode, work: (tx: IDBTransaction) => Promise<T>): Promise<T> {
  const tx = db.transaction(stores, mode);
  const committed = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
  return work(tx).then(async (value) => {
    await committed;
    return value;
  });
}

export const DB_NAME = 'gozcu-observer';

/** What sending needs from the network (the real one is `observer-api.ts`). */
export interface Transport {
  /** POST /api/entries */
  sendEntry(item: OutboxItem): Promise<SendResult>;
  /** POST /api/boxes/:key/sheet-photos (after checking the photo is not there yet) */
  sendPhoto(item: OutboxItem & { entryId: string; photo: Blob }): Promise<SendResult>;
}

export type SendResult =
  | { kind: 'ok'; entryId: string; duplicate: boolean }
  /** no answer (offline, timeout): try again later */
  | { kind: 'network' }
  /** an answer that says try again later (5xx, 429, an expired session) */
  | { kind: 'later'; message: string }
  /** refused for good (400, 403, 404, 409) */
  | { kind: 'refused'; message: string };

export interface FlushReport {
  sent: OutboxItem[];
  failed: OutboxItem[];
  /** stopped early: no network or a server error */
  stopped: 'network' | 'later' | null;
}

export class Outbox {
  #db: Promise<IDBDatabase> | null = null;
  #flushing: Promise<FlushReport> | null = null;

  constructor(private readonly name = DB_NAME) {}

  db(): Promise<IDBDatabase> {
    return (this.#db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(this.name, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore('outbox', { keyPath: 'id' }).createIndex('byUser', 'user');
        db.createObjectStore('boxes', { keyPath: 'user' });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    }));
  }

  async #get(id: string): Promise<OutboxItem | undefined> {
    const db = await this.db();
    return inTx(db, ['outbox'], 'readonly', (tx) => done(tx.objectStore('outbox').get(id) as IDBRequest<OutboxItem | undefined>));
  }

  /** A user's waiting entries, oldest first. */
  async list(user: string): Promise<OutboxItem[]> {
    const db = await this.db();
    const items = await inTx(db, ['outbox'], 'readonly', (tx) => done(tx.objectStore('outbox').index('byUser').getAll(user) as IDBRequest<OutboxItem[]>));
    return items.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /**
   * Queues an entry. One waiting entry per box and user: a new one for the same box replaces
   * a waiting one that never landed (the observer corrected it before it was sent).
   */
  async add(input: Pick<OutboxItem, 'user' | 'key' | 'ref' | 'sheet' | 'photo' | 'photoName'> & { id?: string; createdAt?: number }): Promise<OutboxItem> {
    const db = await this.db();
    const item: OutboxItem = {
      id: input.id ?? newIdempotencyKey(),
      user: input.user,
      key: input.key,
      ref: input.ref,
      sheet: input.sheet,
      photo: input.photo,
      photoName: input.photoName,
      createdAt: input.createdAt ?? Date.now(),
      state: 'pending',
      attempts: 0,
      lastTriedAt: null,
      lastError: null,
      entryId: null,
    };
    await inTx(db, ['outbox'], 'readwrite', async (tx) => {
      const store = tx.objectStore('outbox');
      const held = (await done(store.index('byUser').getAll(input.user))) as OutboxItem[];
      for (const h of held) if (h.key === input.key && h.state !== 'photo') store.delete(h.id);
      store.put(item);
    });
    return item;
  }

  async remove(id: string): Promise<void> {
    const db = await this.db();
    await inTx(db, ['outbox'], 'readwrite', (tx) => done(tx.objectStore('outbox').delete(id)));
  }

  async put(item: OutboxItem): Promise<void> {
    const db = await this.db();
    await inTx(db, ['outbox'], 'readwrite', (tx) => done(tx.objectStore('outbox').put(item)));
  }

  async cacheBoxes(user: string, data: MyBoxesResponse): Promise<void> {
    const db = await this.db();
    const value: CachedBoxes = { user, at: Date.now(), data };
    await inTx(db, ['boxes'], 'readwrite', (tx) => done(tx.objectStore('boxes').put(value)));
  }

  async cachedBoxes(user: string): Promise<{ at: number; data: MyBoxesResponse } | null> {
    const db = await this.db();
    const held = await inTx(db, ['boxes'], 'readonly', (tx) => done(tx.objectStore('boxes').get(user) as IDBRequest<CachedBoxes | undefined>));
    return held ? { at: held.at, data: held.data } : null;
  }

  /**
   * Sends the user's waiting entries in order, one at a time (one flush at a time per page, and
   * across tabs through the Web Locks API where there is one). Stops at the first entry that
   * meets no network or a server error: the rest wait for the next flush.
   */
  flush(user: string, transport: Transport): Promise<FlushReport> {
    if (this.#flushing) return this.#flushing;
    const run = () => this.#flush(user, transport);
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    const p = (locks ? (locks.request(`${this.name}:flush`, run) as Promise<FlushReport>) : run()).finally(() => {
      this.#flushing = null;
    });
    this.#flushing = p;
    return p;
  }

  async #flush(user: string, transport: Transport): Promise<FlushReport> {
    const report: FlushReport = { sent: [], failed: [], stopped: null };
    for (const listed of await this.list(user)) {
      // another tab may have sent or replaced it meanwhile
      const item = await this.#get(listed.id);
      if (!item || item.state === 'failed') continue;
      item.attempts++;
      item.lastTriedAt = Date.now();
      if (item.state === 'pending') {
        const res = await transport.sendEntry(item);
        if (res.kind !== 'ok') {
          if (res.kind === 'refused') {
            item.state = 'failed';
            item.lastError = res.message;
            await this.put(item);
            report.failed.push(item);
            continue;
          }
          item.lastError = res.kind === 'network' ? 'network' : res.message;
          await this.put(item);
          report.stopped = res.kind;
          return report;
        }
        item.entryId = res.entryId;
        item.lastError = null;
        if (!item.photo) {
          await this.remove(item.id);
          report.sent.push(item);
          continue;
        }
        item.state = 'photo';
        await this.put(item);
      }
      if (item.state === 'photo' && item.photo && item.entryId) {
        const res = await transport.sendPhoto(item as OutboxItem & { entryId: string; photo: Blob });
        if (res.kind === 'network' || res.kind === 'later') {
          item.lastError = res.kind === 'network' ? 'network' : res.message;
          await this.put(item);
          report.stopped = res.kind;
          return report;
        }
        if (res.kind === 'refused') {
          // the entry is in; the photo was refused (not an image, too large): keep it visible
          item.state = 'failed';
          item.lastError = res.message;
          await this.put(item);
          report.failed.push(item);
          continue;
        }
        await this.remove(item.id);
        report.sent.push(item);
      }
    }
    return report;
  }
}

/** 8–128 characters the server takes as an idempotency key: `obs-` and a random UUID. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return `obs-${c.randomUUID()}`;
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return `obs-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
