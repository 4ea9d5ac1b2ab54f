/**
 * Sequence bookkeeping for one live room (shared/src/api/live.ts): a delta carries the
 * room's next sequence number; anything but last + 1 is either an old duplicate (ignore)
 * or a gap (drop state and resubscribe).
 */
export type SeqVerdict = 'apply' | 'duplicate' | 'gap';

export function judgeSeq(last: number, incoming: number): SeqVerdict {
  if (!Number.isInteger(incoming)) return 'gap';
  if (incoming <= last) return 'duplicate';
  return incoming === last + 1 ? 'apply' : 'gap';
}

export class SeqGate {
  #last: number;
  constructor(snapshotSeq: number) {
    this.#last = snapshotSeq;
  }
  get last(): number {
    return this.#last;
  }
  /** Judges `seq` and, when it applies, advances. */
  offer(seq: number): SeqVerdict {
    const v = judgeSeq(this.#last, seq);
    if (v === 'apply') this.#last = seq;
    return v;
  }
}

/**
 * A bounded FIFO. `push` returns false (and keeps nothing more) once full: the owner
 * must then drop its state and resync rather than apply a partial history.
 */
export class BoundedQueue<T> {
  #items: T[] = [];
  #overflowed = false;
  constructor(readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError('capacity must be positive');
  }
  get size(): number {
    return this.#items.length;
  }
  get overflowed(): boolean {
    return this.#overflowed;
  }
  push(item: T): boolean {
    if (this.#items.length >= this.capacity) {
      this.#overflowed = true;
      return false;
    }
    this.#items.push(item);
    return true;
  }
  /** Takes everything queued so far and resets the overflow flag. */
  drain(): T[] {
    const out = this.#items;
    this.#items = [];
    this.#overflowed = false;
    return out;
  }
  clear(): void {
    this.#items = [];
    this.#overflowed = false;
  }
}

/**
 * Deltas that arrived before the snapshot's ack: keep those after the snapshot's seq, in
 * order; report a gap when they do not continue it without a hole.
 */
export function catchUp<T extends { seq: number }>(snapshotSeq: number, early: readonly T[]): { apply: T[]; gap: boolean } {
  const sorted = [...early].sort((a, b) => a.seq - b.seq);
  const gate = new SeqGate(snapshotSeq);
  const apply: T[] = [];
  for (const d of sorted) {
    const v = gate.offer(d.seq);
    if (v === 'apply') apply.push(d);
    else if (v === 'gap') return { apply, gap: true };
  }
  return { apply, gap: false };
}

/** A frame scheduler: requestAnimationFrame in a browser, a timer elsewhere (tests, hidden tabs). */
export type Schedule = (fn: () => void) => () => void;

export const frameSchedule: Schedule = (fn) => {
  if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && !document.hidden) {
    const id = requestAnimationFrame(() => fn());
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(fn, 50);
  return () => clearTimeout(id);
};
