import { parseBoxKey, type BallotCode, type Principal, type Room, type Scope, scopeAllowsBox, scopeAllowsRegion } from '@gozcu/shared';

export type ParsedRoom =
  | { kind: 'scope'; room: Room; scope: Scope | { level: 'district'; district: number } }
  | { kind: 'box'; room: Room; key: string; province: number; district: number; ballot: BallotCode }
  | { kind: 'ops'; room: 'ops' };

/** Parses a public room name; null when it is not one. */
export function parseRoom(room: unknown): ParsedRoom | null {
  if (typeof room !== 'string' || room.length > 200) return null;
  if (room === 'country') return { kind: 'scope', room, scope: { level: 'country' } };
  if (room === 'ops') return { kind: 'ops', room };
  let m = /^province:(\d{1,2})$/.exec(room);
  if (m && +m[1] >= 1 && +m[1] <= 81) return { kind: 'scope', room: room as Room, scope: { level: 'province', province: +m[1] } };
  m = /^district:(\d{1,9})$/.exec(room);
  if (m && +m[1] > 0) return { kind: 'scope', room: room as Room, scope: { level: 'district', district: +m[1] } };
  if (room.startsWith('box:')) {
    const ref = parseBoxKey(room.slice(4));
    if (ref) return { kind: 'box', room: room as Room, key: room.slice(4), province: ref.province, district: ref.district, ballot: ref.ballot };
  }
  return null;
}

/** Whether the caller may join the room (server-side scope check). */
export function mayJoin(principal: Principal, room: ParsedRoom, districtProvince: (district: number) => number | undefined): boolean {
  // the same permissions as REST: a box's figures need boxes:read, a region's counters coverage:read
  switch (room.kind) {
    case 'ops':
      return principal.permissions.includes('feed:read');
    case 'box':
      return principal.permissions.includes('boxes:read') && scopeAllowsBox(principal.scope, room);
    case 'scope': {
      if (!principal.permissions.includes('coverage:read')) return false;
      const s = room.scope;
      if (s.level === 'country') return scopeAllowsRegion(principal.scope, {});
      if (s.level === 'province') return scopeAllowsRegion(principal.scope, { province: s.province });
      const province = districtProvince(s.district);
      return province !== undefined && scopeAllowsRegion(principal.scope, { province, district: s.district });
    }
  }
}

/** The Socket.IO room a subscription lives in: one per public room, ballot type and view (embargo). */
export function channelOf(room: Room, ballot: BallotCode, view: string): string {
  return `${room}#${ballot}#${view}`;
}
