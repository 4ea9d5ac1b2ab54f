import { Injectable } from '@nestjs/common';
import type { Principal, RoomDelta, RoomSnapshot } from '@gozcu/shared';
import { blindDelta, blindSnapshot } from '../auth/embargo.shape';
import { EmbargoService } from '../auth/embargo.service';
import type { LiveViewPolicy } from './token-verifier';

/** Two views: `full` (YSK visible) and `org` (observers' figures only, during the embargo). */
@Injectable()
export class EmbargoViews implements LiveViewPolicy {
  constructor(private readonly embargo: EmbargoService) {}

  viewOf(principal: Principal): string {
    return this.embargo.yskVisible(principal) ? 'full' : 'org';
  }

  snapshot(view: string, s: RoomSnapshot): RoomSnapshot {
    return view === 'full' ? s : blindSnapshot(s);
  }

  delta(view: string, d: RoomDelta): RoomDelta {
    return view === 'full' ? d : blindDelta(d);
  }

  epoch(): string {
    return String(this.embargo.active);
  }
}
