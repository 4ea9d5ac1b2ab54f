import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { BallotCode, BoxSummary, Coverage, ListHeads, RegionCounters, Room, RoomDelta, RoomSnapshot, Scope } from '@gozcu/shared';
import { Clock } from '../../infra/clock';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ChangeBus, type ChangeEvents } from '../../infra/events';
import { ReconcileService } from '../reconcile/reconcile.service';
import { channelOf, type ParsedRoom } from './rooms';
import { LIVE_VIEW_POLICY, type LiveViewPolicy } from './token-verifier';
import type { LiveServer } from './live.gateway';

/** Changed boxes listed in one delta at most; past that a delta carries counters and list heads only. */
const MAX_BOXES_PER_DELTA = 200;

interface Channel {
  name: string;
  room: Room;
  ballot: BallotCode;
  view: string;
  parsed: Exclude<ParsedRoom, { kind: 'ops' }>;
  seq: number;
  dirty: boolean;
  keys: Set<string>;
  /** child regions (provinces of `country`, districts of `province:NN`) touched since the last delta */
  regions: Set<string>;
  overflow: boolean;
  /** the list heads last sent, to leave them out of a delta when unchanged */
  listsSig: string;
}

/** What identifies the list heads' content: keys, versions and ages in order. */
function listsSignature(lists: ListHeads): string {
  const part = (items: BoxSummary[]) => items.map((b) => `${b.key}/${b.versions}/${b.status}/${b.totalAbsDifference}/${b.stale ? 1 : 0}`).join(',');
  return `${part(lists.stale)}|${part(lists.altered)}|${part(lists.mismatches)}|${part(lists.waiting ?? [])}`;
}

/** Packets engine.io has not yet written to the socket's transport (its private write buffer). */
function pendingPackets(socket: { conn: unknown }): number {
  return (socket.conn as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
}

/** The engine.io internals the pre-framed write path reads (engine.io 6 over ws 8). */
interface EngineConn {
  readyState?: string;
  upgrading?: boolean;
  writeBuffer?: unknown[];
  transport?: {
    name?: string;
    writable?: boolean;
    opts?: { perMessageDeflate?: unknown };
    socket?: { readyState?: number; _sender?: { _state?: number; _queue?: unknown[] }; _socket?: import('node:net').Socket };
  };
}

/**
 * A whole WebSocket text frame (server → client: unmasked, FIN) carrying a Socket.IO event
 * `42["<event>",<data>]`: serialised and framed once, then written as is to every socket.
 */
export function preframe(event: string, data: unknown): Buffer {
  return wsTextFrame(Buffer.from(`42${JSON.stringify([event, data])}`, 'utf8'));
}

/** A whole unmasked, final WebSocket text frame around `payload`. */
export function wsTextFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x81;
  if (head === 2) frame[1] = n;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
  payload.copy(frame, head);
  return frame;
}

/**
 * The TCP socket under a Socket.IO socket when a pre-framed write may go straight to it
 * without reordering anything: WebSocket transport, open, not upgrading, nothing queued in
 * engine.io or in ws (no compression, no pending frame); otherwise null (use engine.io).
 */
export function rawSocketOf(socket: { conn: unknown }): import('node:net').Socket | null {
  const conn = socket.conn as EngineConn;
  if (conn.readyState !== 'open' || conn.upgrading || conn.writeBuffer?.length) return null;
  const t = conn.transport;
  if (!t || t.name !== 'websocket' || !t.writable || t.opts?.perMessageDeflate) return null;
  const ws = t.socket;
  if (!ws || ws.readyState !== 1 || !ws._sender || ws._sender._state !== 0 || ws._sender._queue?.length) return null;
  const raw = ws._socket;
  return raw && raw.writable && !raw.destroyed ? raw : null;
}

/** Gather window: a delta goes out this long after the last change of a burst (bounded by LIVE_BATCH_MS). */
const QUIET_MS = 20;

/**
 * Coalesces box changes into at most one sequenced delta per channel (room × ballot × view)
 * every LIVE_BATCH_MS, and answers subscriptions with the channel's snapshot and sequence.
 */
@Injectable()
export class LiveHub implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LiveHub.name);
  private readonly channels = new Map<string, Channel>();
  private server: LiveServer | null = null;
  private timer: NodeJS.Timeout | undefined;
  /** the flush armed by a change (see due()) */
  private soon: NodeJS.Timeout | undefined;
  /** when a flush last sent a delta; when the pending changes started and last came (0: none pending) */
  private lastFlushAt = 0;
  private firstDirtyAt = 0;
  private lastDirtyAt = 0;
  private off: (() => void) | undefined;
  /** deltas and resyncs sent, for the benchmark and metrics */
  readonly stats = { deltas: 0, resyncs: 0, framed: 0, fallback: 0 };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reconcile: ReconcileService,
    private readonly bus: ChangeBus,
    @Inject(LIVE_VIEW_POLICY) private readonly views: LiveViewPolicy,
    private readonly clock: Clock,
  ) {}
  private epoch = '';

  onModuleInit(): void {
    this.off = this.bus.on('boxes.changed', (e) => this.markDirty(e));
    // the interval sees embargo changes and empty channels; changes arm their own flush (arm())
    this.timer = setInterval(() => {
      if (!this.firstDirtyAt || this.clock.wall() >= this.due()) this.flush();
    }, this.config.LIVE_BATCH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    this.off?.();
    clearInterval(this.timer);
    clearTimeout(this.soon);
  }

  /**
   * When the pending changes go out: QUIET_MS after the last one (a burst committed change by
   * change goes out as one delta), at most LIVE_BATCH_MS after the first, and never sooner
   * than LIVE_BATCH_MS after the previous delta (at most one delta per room per LIVE_BATCH_MS).
   */
  private due(): number {
    const batch = this.config.LIVE_BATCH_MS;
    return Math.max(this.lastFlushAt + batch, Math.min(this.lastDirtyAt + Math.min(QUIET_MS, batch), this.firstDirtyAt + batch));
  }

  private arm(): void {
    if (this.soon) return;
    this.soon = setTimeout(
      () => {
        this.soon = undefined;
        if (!this.firstDirtyAt) return;
        if (this.clock.wall() < this.due()) return this.arm();
        this.flush();
      },
      Math.max(0, this.due() - this.clock.wall()),
    );
    this.soon.unref();
  }

  attach(server: LiveServer): void {
    this.server = server;
  }

  /** Opens (or reuses) the channel and returns its current snapshot. */
  snapshot(parsed: Exclude<ParsedRoom, { kind: 'ops' }>, ballot: BallotCode, view: string): { channel: string; snapshot: RoomSnapshot } {
    const name = channelOf(parsed.room, ballot, view);
    let channel = this.channels.get(name);
    if (!channel) {
      channel = { name, room: parsed.room, ballot, view, parsed, seq: 0, dirty: false, keys: new Set(), regions: new Set(), overflow: false, listsSig: '' };
      this.channels.set(name, channel);
    }
    const scope = this.scopeOf(channel);
    const lists = this.heads(channel, scope);
    channel.listsSig = listsSignature(lists);
    return {
      channel: name,
      snapshot: this.views.snapshot(view, {
        room: channel.room,
        seq: channel.seq,
        ballot,
        coverage: this.coverageOf(channel, scope),
        regions: channel.parsed.kind === 'box' ? {} : this.reconcile.state.regions(scope, ballot),
        lists,
      }),
    };
  }

  private scopeOf(channel: Channel): Scope {
    const p = channel.parsed;
    if (p.kind === 'box') return { level: 'district', province: p.province, district: p.district };
    if (p.scope.level === 'district')
      return this.reconcile.scopeOf({ district: p.scope.district }) ?? { level: 'district', province: 0, district: p.scope.district };
    return p.scope;
  }

  /** A region room's coverage; a box room carries only its own box (never its district's). */
  private coverageOf(channel: Channel, scope: Scope): Coverage {
    if (channel.parsed.kind !== 'box') return this.reconcile.state.coverage(scope, channel.ballot);
    return boxCoverage(this.reconcile.state.summary(channel.parsed.key), scope, channel.ballot, new Date(this.clock.wall()).toISOString());
  }

  private heads(channel: Channel, scope: Scope): ListHeads {
    if (channel.parsed.kind === 'box') {
      const summary = this.reconcile.state.summary(channel.parsed.key);
      return { stale: [], altered: [], mismatches: summary ? [summary] : [] };
    }
    return this.reconcile.state.heads(scope, channel.ballot);
  }

  private markDirty(e: ChangeEvents['boxes.changed']): void {
    if (!this.channels.size) return;
    // the open channels by room and ballot once per batch, not a look-up per changed box, room and view (a burst is thousands of boxes)
    const open = new Map<string, Channel[]>();
    for (const c of this.channels.values()) {
      const id = `${c.room}#${c.ballot}`;
      const list = open.get(id);
      if (list) list.push(c);
      else open.set(id, [c]);
    }
    const mark = (channels: Channel[] | undefined, key: string, child: string | null) => {
      if (!channels) return;
      for (const channel of channels) {
        channel.dirty = true;
        if (child) channel.regions.add(child);
        if (channel.overflow) continue;
        channel.keys.add(key);
        if (channel.keys.size > MAX_BOXES_PER_DELTA) {
          channel.overflow = true;
          channel.keys.clear();
        }
      }
    };
    for (const { ref, key } of e.changes) {
      mark(open.get(`country#${ref.ballot}`), key, String(ref.province));
      mark(open.get(`province:${ref.province}#${ref.ballot}`), key, String(ref.district));
      mark(open.get(`district:${ref.district}#${ref.ballot}`), key, null);
      mark(open.get(`box:${key}#${ref.ballot}`), key, null);
    }
    const at = this.clock.wall();
    if (!this.firstDirtyAt) this.firstDirtyAt = at;
    this.lastDirtyAt = at;
    this.arm();
  }

  /**
   * Sends one delta per dirty channel; drops channels nobody listens to any more. Each delta is
   * serialised and framed once and written straight to every WebSocket (engine.io takes the
   * sockets that cannot take a raw frame now: polling, upgrading, something queued).
   */
  flush(): void {
    const server = this.server;
    if (!server) return;
    if (this.firstDirtyAt) this.lastFlushAt = this.clock.wall();
    this.firstDirtyAt = 0;
    const rooms = server.of('/').adapter.rooms;
    const epoch = this.views.epoch();
    if (epoch !== this.epoch) {
      // the embargo was set or lifted: every subscriber takes a fresh snapshot in its new view
      const stale = this.epoch !== '';
      this.epoch = epoch;
      if (stale) {
        for (const channel of this.channels.values()) {
          server.to(channel.name).emit('resync', { room: channel.room, reason: 'embargo changed' });
          server.in(channel.name).socketsLeave(channel.name);
        }
        this.channels.clear();
        return;
      }
    }
    for (const channel of this.channels.values()) {
      const members = rooms.get(channel.name);
      if (!members?.size) {
        this.channels.delete(channel.name);
        continue;
      }
      if (!channel.dirty) continue;
      const delta = this.delta(channel);
      channel.dirty = false;
      channel.overflow = false;
      channel.keys.clear();
      channel.regions.clear();
      const frame = preframe('delta', delta);
      const sockets = server.of('/').sockets;
      const slow: string[] = [];
      const viaEngine: string[] = [];
      for (const id of members) {
        const socket = sockets.get(id);
        if (!socket) continue;
        const raw = rawSocketOf(socket);
        // raw frames queued in the kernel's wake count as packets, as engine.io's own buffer does
        const pending = pendingPackets(socket) + (raw ? Math.ceil(raw.writableLength / frame.length) : 0);
        if (pending > this.config.LIVE_MAX_BUFFER) slow.push(id);
        else if (raw) {
          raw.write(frame);
          this.stats.framed++;
        } else viaEngine.push(id);
      }
      for (const id of slow) {
        const socket = sockets.get(id)!;
        void socket.leave(channel.name);
        socket.emit('resync', { room: channel.room, reason: 'too far behind' });
        this.stats.resyncs++;
      }
      // each socket is in the room of its own id: one encoding for all of them
      if (viaEngine.length) server.to(viaEngine).emit('delta', delta);
      this.stats.fallback += viaEngine.length;
      this.stats.deltas++;
    }
  }

  private delta(channel: Channel): RoomDelta {
    channel.seq++;
    const scope = this.scopeOf(channel);
    const boxes: BoxSummary[] = [];
    for (const key of channel.keys) {
      const summary = this.reconcile.state.summary(key);
      if (summary) boxes.push(summary);
    }
    // only the regions that changed, and the list heads only when they changed (smaller frames × every socket)
    const regions: RegionCounters = {};
    if (channel.parsed.kind !== 'box' && channel.regions.size) {
      const all = this.reconcile.state.regions(scope, channel.ballot);
      for (const id of channel.regions) if (all[id]) regions[id] = all[id];
    }
    const lists = this.heads(channel, scope);
    const sig = listsSignature(lists);
    const listsChanged = sig !== channel.listsSig;
    channel.listsSig = sig;
    return this.views.delta(channel.view, {
      room: channel.room,
      seq: channel.seq,
      ballot: channel.ballot,
      coverage: this.coverageOf(channel, scope),
      regions,
      lists: listsChanged ? lists : null,
      boxes,
    });
  }
}

/** The coverage of one box: its counters (0 or 1 each) and its own figures. */
export function boxCoverage(s: BoxSummary | null, scope: Scope, ballot: BallotCode, asOf: string): Coverage {
  const one = (b: boolean) => (s && b ? 1 : 0);
  return {
    scope,
    ballot,
    asOf,
    boxes: {
      total: one(true),
      yskPublished: one(!!s?.ysk),
      entered: one(!!s?.org),
      match: one(s?.status === 'match'),
      mismatch: one(s?.status === 'mismatch'),
      yskOnly: one(s?.status === 'ysk_only'),
      orgOnly: one(s?.status === 'org_only'),
      stale: one(!!s?.stale),
      altered: one(!!s?.altered),
      conflicting: one(!!s?.conflicting),
      unconfirmed: one(!!s?.unconfirmed),
    },
    votes: { ysk: { ...(s?.ysk?.votes ?? {}) }, org: { ...(s?.org?.votes ?? {}) } },
    registered: s?.ysk?.registered ?? 0,
    voted: s?.ysk?.voted ?? 0,
    valid: s?.ysk?.valid ?? 0,
    invalid: s?.ysk?.invalid ?? 0,
  };
}
