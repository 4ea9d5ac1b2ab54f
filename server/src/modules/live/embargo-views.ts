import { Injectable } from '@nestjs/common';
import type { Principal, RoomDelta, RoomSnapshot } from '@gozcu/shared';
import { blindDelta, blindSnapshot } from '../auth/embargo.shape';
import { EmbargoService } from '../auth/embargo.service';
import type { LiveViewPolicy } from './token-verifier';

const COUNTS = '-counts';

/**
 * Views: `full` (YSK visible) and `org` (observers' figures only, during the embargo), each
 * with a `-counts` variant for callers without `boxes:read` (region counters only: no box
 * lists, no per-box figures, as REST refuses them /api/boxes).
 */
@Injectable()
export class EmbargoViews implements LiveViewPolicy {
  constructor(private readonly embargo: EmbargoService) {}

  viewOf(principal: Principal): string {
    return `${this.embargo.yskVisible(principal) ? 'full' : 'org'}${principal.permissions.includes('boxes:read') ? '' : COUNTS}`;
  }

  snapshot(view: string, s: RoomSnapshot): RoomSnapshot {
    const shaped = view.startsWith('full') ? s : blindSnapshot(s);
    return view.endsWith(COUNTS) ? { ...shaped, lists: { stale: [], altered: [], mismatches: [] } } : shaped;
  }

  delta(view: string, d: RoomDelta): RoomDelta {
    const shaped = view.startsWith('full') ? d : blindDelta(d);
    return view.endsWith(COUNTS) ? { ...shaped, lists: shaped.lists && { stale: [], altered: [], mismatches: [] }, boxes: [] } : shaped;
  }

  epoch(): string {
    return String(this.embargo.active);
  }
}
