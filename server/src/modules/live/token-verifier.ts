import type { Principal, RoomDelta, RoomSnapshot } from '@gozcu/shared';

/** Turns a handshake token into the caller's principal (the auth module provides it). */
export interface TokenVerifier {
  verifyAccessToken(token: string): Principal | null | Promise<Principal | null>;
}

export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');

/**
 * Which figures a principal may see right now (the YSK embargo). Each view is its own channel,
 * so a delta is shaped once per view, not once per socket.
 */
export interface LiveViewPolicy {
  viewOf(principal: Principal): string;
  snapshot(view: string, snapshot: RoomSnapshot): RoomSnapshot;
  delta(view: string, delta: RoomDelta): RoomDelta;
  /** changes whenever views may have changed (the embargo was set or lifted) */
  epoch(): string;
}

export const LIVE_VIEW_POLICY = Symbol('LIVE_VIEW_POLICY');
