import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Server } from 'socket.io';
import type { BallotCode, BoxSummary, Coverage, ListHeads, RegionCounters, Room, RoomDelta, RoomSnapshot, Scope } from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ChangeBus, type ChangeEvents } from '../../infra/events';
import { ReconcileService } from '../reconcile/reconcile.service';
import { channelOf, type ParsedRoom } from './rooms';
import { LIVE_VIEW_POLICY, type LiveViewPolicy } from './token-verifier';

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
  return `${part(lists.stale)}|${part(lists.altered)}|${part(lists.mismatches)}`;
}

/** Packets engine.io has not yet written to the socket's transport (its private write buffer). */
function pendingPackets(socket: { conn: unknown }): number {
  return (socket.conn as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
}

/**
 * Coalesces box changes into at most one sequenced delta per channel (room × ballot × view)
 * every LIVE_BATCH_MS, and answers subscriptions with the channel's snapshot and sequence.
 */
@Injectable()
export class LiveHub implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LiveHub.name);
  private readonly channels = new Map<string, Channel>();
  private server: Server | null = null;
  private timer: NodeJS.Timeout | undefined;
  private off: (() => void) | undefined;
  /** deltas and resyncs sent, for the benchmark and metrics */
  readonly stats = { deltas: 0, resyncs: 0 };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reconcile: ReconcileService,
    private readonly bus: ChangeBus,
    @Inject(LIVE_VIEW_POLICY) private readonly views: LiveViewPolicy,
  ) {}
  private epoch = '';

  onModuleInit(): void {
    this.off = this.bus.on('boxes.changed', (e) => this.markDirty(e));
    this.timer = setInterval(() => this.flush(), this.config.LIVE_BATCH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    this.off?.();
    clearInterval(this.timer);
  }

  attach(server: Server): void {
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
    if (p.scope.level === 'district') return this.reconcile.scopeOf({ district: p.scope.district }) ?? { level: 'district', province: 0, district: p.scope.district };
    return p.scope;
  }

  /** A region room's coverage; a box room carries only its own box (never its district's). */
  private coverageOf(channel: Channel, scope: Scope): Coverage {
    if (channel.parsed.kind !== 'box') return this.reconcile.state.coverage(scope, channel.ballot);
    return boxCoverage(this.reconcile.state.summary(channel.parsed.key), scope, channel.ballot);
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
    // the open views once per batch, not once per changed box and room (a burst is thousands of boxes)
    const views = new Set([...this.channels.values()].map((c) => c.view));
    for (const change of e.changes) {
      const { ref, key } = change;
      for (const room of ['country', `province:${ref.province}`, `district:${ref.district}`, `box:${key}`]) {
        const child = room === 'country' ? String(ref.province) : room.startsWith('province:') ? String(ref.district) : null;
        for (const channel of this.channelsOf(room, ref.ballot, views)) {
          channel.dirty = true;
          if (child) channel.regions.add(child);
          if (channel.overflow) continue;
          channel.keys.add(key);
          if (channel.keys.size > MAX_BOXES_PER_DELTA) {
            channel.overflow = true;
            channel.keys.clear();
          }
        }
      }
    }
  }

  private *channelsOf(room: string, ballot: BallotCode, views: Set<string>): Iterable<Channel> {
    for (const view of views) {
      const c = this.channels.get(`${room}#${ballot}#${view}`);
      if (c) yield c;
    }
  }

  /** Sends one delta per dirty channel; drops channels nobody listens to any more. */
  flush(): void {
    const server = this.server;
    if (!server) return;
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
      const slow: string[] = [];
      for (const id of members) {
        const socket = server.of('/').sockets.get(id);
        if (socket && pendingPackets(socket) > this.config.LIVE_MAX_BUFFER) slow.push(id);
      }
      for (const id of slow) {
        const socket = server.of('/').sockets.get(id)!;
        void socket.leave(channel.name);
        socket.emit('resync', { room: channel.room, reason: 'too far behind' });
        this.stats.resyncs++;
      }
      server.to(channel.name).except(slow).emit('delta', delta);
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
export function boxCoverage(s: BoxSummary | null, scope: Scope, ballot: BallotCode): Coverage {
  const one = (b: boolean) => (s && b ? 1 : 0);
  return {
    scope,
    ballot,
    asOf: new Date().toISOString(),
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
    },
    votes: { ysk: { ...(s?.ysk?.votes ?? {}) }, org: { ...(s?.org?.votes ?? {}) } },
    registered: s?.ysk?.registered ?? 0,
    voted: s?.ysk?.voted ?? 0,
    valid: s?.ysk?.valid ?? 0,
    invalid: s?.ysk?.invalid ?? 0,
  };
}
