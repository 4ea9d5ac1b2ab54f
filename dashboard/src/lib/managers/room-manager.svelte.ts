import type { BallotCode, BoxSummary, Room, RoomDelta, RoomSnapshot } from '@gozcu/shared';
import { applyDeltas, asOfOf } from '../live';
import { BoundedQueue, catchUp, frameSchedule, SeqGate, type Schedule } from '../seq';
import type { LiveConnection } from './connection.svelte';

export type RoomPhase = 'idle' | 'subscribing' | 'live' | 'error';

export interface RoomManagerOptions {
  /** deltas held between two frames before the manager gives up and resyncs */
  bufferSize?: number;
  schedule?: Schedule;
  ackTimeoutMs?: number;
}

/**
 * One live room (`country`, `province:NN`, `district:ID`): subscribes with an ack, holds the
 * snapshot, checks each delta's seq, applies deltas in batches once per animation frame from
 * a bounded buffer, and resubscribes on a gap, a `resync`, an overflow or a reconnect.
 */
export class RoomManager {
  snapshot = $state.raw<RoomSnapshot | null>(null);
  phase = $state<RoomPhase>('idle');
  error = $state<string | null>(null);
  /** when the last batch was applied (ms epoch) */
  appliedAt = $state<number | null>(null);
  /** how many times the manager dropped its state and resubscribed */
  resyncs = $state(0);
  asOf = $derived(asOfOf(this.snapshot));

  readonly room: Room;
  #ballot: BallotCode | null;
  #conn: LiveConnection;
  #gate: SeqGate | null = null;
  #early: RoomDelta[] = [];
  #earlyOverflow = false;
  #queue: BoundedQueue<RoomDelta>;
  #schedule: Schedule;
  #cancelFrame: (() => void) | null = null;
  #generation = 0;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #lastSubscribeAt = 0;
  #ackTimeoutMs: number;
  #boxListeners = new Set<(boxes: BoxSummary[]) => void>();
  #detach: (() => void) | null = null;

  constructor(conn: LiveConnection, room: Room, ballot: BallotCode | null, opts: RoomManagerOptions = {}) {
    this.#conn = conn;
    this.room = room;
    this.#ballot = ballot;
    this.#queue = new BoundedQueue(opts.bufferSize ?? 256);
    this.#schedule = opts.schedule ?? frameSchedule;
    this.#ackTimeoutMs = opts.ackTimeoutMs ?? 10_000;
  }

  get connected(): boolean {
    return this.#conn.connected;
  }

  get ballot(): BallotCode | null {
    return this.#ballot ?? this.snapshot?.ballot ?? null;
  }

  /** Listens for changed boxes carried by the deltas (the box list applies them in place). */
  onBoxes(fn: (boxes: BoxSummary[]) => void): () => void {
    this.#boxListeners.add(fn);
    return () => this.#boxListeners.delete(fn);
  }

  start(): () => void {
    const s = this.#conn.socket;
    if (!s || this.#detach) return () => this.destroy();
    const onDelta = (d: RoomDelta) => this.#receive(d);
    const onResync = (m: { room: Room }) => {
      if (m?.room === this.room) this.#resubscribe();
    };
    const onConnect = () => this.#subscribe();
    const onDisconnect = () => {
      this.#generation++;
      this.#gate = null;
      this.#queue.clear();
      this.phase = 'idle';
    };
    s.on('delta', onDelta);
    s.on('resync', onResync);
    s.on('connect', onConnect);
    s.on('disconnect', onDisconnect);
    this.#detach = () => {
      s.off('delta', onDelta);
      s.off('resync', onResync);
      s.off('connect', onConnect);
      s.off('disconnect', onDisconnect);
    };
    if (s.connected) this.#subscribe();
    return () => this.destroy();
  }

  /** Switches ballot type: drops the snapshot and subscribes afresh. */
  setBallot(ballot: BallotCode | null): void {
    if (ballot === this.#ballot) return;
    this.#ballot = ballot;
    this.snapshot = null;
    this.#subscribe();
  }

  destroy(): void {
    this.#generation++;
    this.#cancelFrame?.();
    this.#cancelFrame = null;
    if (this.#retry) clearTimeout(this.#retry);
    this.#detach?.();
    this.#detach = null;
    const s = this.#conn.socket;
    if (s?.connected) s.emit('unsubscribe', { room: this.room }, () => {});
    this.#boxListeners.clear();
  }

  #subscribe(): void {
    const s = this.#conn.socket;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    if (!s || !s.connected) return;
    const gen = ++this.#generation;
    this.#gate = null;
    this.#early = [];
    this.#earlyOverflow = false;
    this.#queue.clear();
    this.phase = 'subscribing';
    this.#lastSubscribeAt = Date.now();
    const req = this.#ballot != null ? { room: this.room, ballot: this.#ballot } : { room: this.room };
    s.timeout(this.#ackTimeoutMs).emit('subscribe', req, (err, res) => {
      if (gen !== this.#generation) return;
      if (err || !res) return this.#fail(err ? 'timeout' : 'no answer');
      if (!res.ok) return this.#fail(res.msg ?? 'refused');
      const snap = res.data;
      if (!snap || typeof snap.seq !== 'number') return this.#fail('bad snapshot');
      const { apply, gap } = catchUp(snap.seq, this.#early);
      this.#early = [];
      if (gap || this.#earlyOverflow) return this.#resubscribe();
      this.snapshot = apply.length ? applyDeltas(snap, apply) : snap;
      this.#gate = new SeqGate(this.snapshot.seq);
      this.error = null;
      this.phase = 'live';
      this.appliedAt = Date.now();
      for (const d of apply) this.#emitBoxes(d);
    });
  }

  #fail(msg: string): void {
    this.error = msg;
    this.phase = 'error';
    this.#retry = setTimeout(() => this.#subscribe(), 3_000);
  }

  /** Drops the room's sequence state and subscribes again, at most every 250 ms. */
  #resubscribe(): void {
    this.resyncs++;
    this.#generation++;
    this.#gate = null;
    this.#queue.clear();
    const wait = Math.max(0, 250 - (Date.now() - this.#lastSubscribeAt));
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = setTimeout(() => this.#subscribe(), wait);
  }

  #receive(d: RoomDelta): void {
    if (!d || d.room !== this.room) return;
    const ballot = this.ballot;
    if (ballot != null && d.ballot != null && d.ballot !== ballot) return;
    if (!this.#gate) {
      if (this.phase !== 'subscribing') return;
      if (this.#early.length >= this.#queue.capacity) this.#earlyOverflow = true;
      else this.#early.push(d);
      return;
    }
    const verdict = this.#gate.offer(d.seq);
    if (verdict === 'duplicate') return;
    if (verdict === 'gap' || !this.#queue.push(d)) return this.#resubscribe();
    if (!this.#cancelFrame) this.#cancelFrame = this.#schedule(() => this.#flush());
  }

  #flush(): void {
    this.#cancelFrame = null;
    const batch = this.#queue.drain();
    if (!batch.length || !this.snapshot) return;
    this.snapshot = applyDeltas(this.snapshot, batch);
    this.appliedAt = Date.now();
    for (const d of batch) this.#emitBoxes(d);
  }

  #emitBoxes(d: RoomDelta): void {
    if (!d.boxes?.length) return;
    for (const fn of this.#boxListeners) fn(d.boxes);
  }
}
