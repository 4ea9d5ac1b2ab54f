import { Controller, Get } from '@nestjs/common';
import type { Principal } from '@gozcu/shared';
import { CurrentUser, Permission } from '../auth/auth.decorators';
import { EmbargoService } from '../auth/embargo.service';
import { redactFeedHealth } from './feed-health.redact';
import { FeedScheduler } from './feed.scheduler';
import { FeedService } from './feed.service';

@Controller('api/feed')
export class FeedController {
  constructor(
    private readonly feed: FeedService,
    private readonly scheduler: FeedScheduler,
    private readonly embargo: EmbargoService,
  ) {}

  /** Overall and per-endpoint state, latency percentiles over 1/5/15 minutes, backoff, last success per province, incidents. */
  @Get('health')
  @Permission('feed:read')
  async health(@CurrentUser() user: Principal) {
    const [report, queue] = await Promise.all([this.feed.healthReport(), this.scheduler.depth().catch(() => null)]);
    return redactFeedHealth({ ...report, queue }, user, this.embargo.yskVisible(user));
  }
}
