import type { BallotCode } from '../domain/ballot';
import type { AlertEvent } from './alerts';
import type { BoxCounters, BoxSummary, Coverage } from './contracts';

/**
 * Socket.IO rooms: `country`, `province:<plate>`, `district:<yskId>`, `box:<key>`, `ops`.
 * A socket may join only rooms inside its scope.
 */
export type Room = 'country' | 'ops' | `province:${number}` | `district:${number}` | `box:${string}`;

export function roomOf(scope: { province?: number | null; district?: number | null }): Room {
  if (scope.district) return `district:${scope.district}`;
  if (scope.province) return `province:${scope.province}`;
  return 'country';
}

/** Counters of one child region of a room: provinces of `country`, districts of `province:NN`. */
export type RegionCounters = Record<string, BoxCounters>;

/** The heads of the lists the war room shows. */
export interface ListHeads {
  /** oldest first */
  stale: BoxSummary[];
  /** newest change first */
  altered: BoxSummary[];
  /** biggest total absolute difference first */
  mismatches: BoxSummary[];
  /** every box YSK published that has no entry yet, waiting longest first (stale or not yet) */
  waiting?: BoxSummary[];
}

/** What a room looks like now: sent on subscribe and on resync. */
export interface RoomSnapshot {
  room: Room;
  seq: number;
  ballot: BallotCode;
  coverage: Coverage;
  regions: RegionCounters;
  lists: ListHeads;
}

/**
 * A coalesced batch of changes for one room (at most one per room every LIVE_BATCH_MS).
 * `seq` is the room's next sequence number: a client that sees seq ≠ last + 1 resubscribes.
 * The batch carries the room's fresh coverage, the regions that changed, the list heads
 * when they changed, and the changed boxes themselves.
 */
export interface RoomDelta {
  room: Room;
  seq: number;
  ballot: BallotCode;
  coverage: Coverage;
  regions: RegionCounters;
  lists: ListHeads | null;
  boxes: BoxSummary[];
}

export type FeedHealthState = 'healthy' | 'slow' | 'failing' | 'paused';

export interface FeedHealthEvent {
  state: FeedHealthState;
  previous: FeedHealthState;
  endpoint: string | null;
  at: string;
  cause: string;
}

/** Server → client events. */
export interface ServerToClientEvents {
  delta: (delta: RoomDelta) => void;
  /** the server dropped the client's buffer for this room: resubscribe */
  resync: (msg: { room: Room; reason: string }) => void;
  'feed:health': (event: FeedHealthEvent) => void;
  /** an alert routed to this user: new, taken, escalated or resolved (each socket is in its user's room) */
  alert: (event: AlertEvent) => void;
  /** the session ended (revoked, user disabled) or the access token expired: the server disconnects next */
  'session:ended': (msg: { reason: string }) => void;
}

/** Client → server commands, each answering with an ack envelope. */
export interface ClientToServerEvents {
  subscribe: (req: { room: Room; ballot?: BallotCode }, ack: (res: { ok: true; data: RoomSnapshot } | { ok: false; msg: string }) => void) => void;
  unsubscribe: (req: { room: Room }, ack: (res: { ok: true; data: null } | { ok: false; msg: string }) => void) => void;
}
