import { Controller, Get } from '@nestjs/common';
import { Permission } from '../auth/auth.decorators';
import { FeedScheduler } from './feed.scheduler';
import { FeedService } from './feed.service';

@Controller('api/feed')
export class FeedController {
  constructor(
    private readonly feed: FeedService,
    private readonly scheduler: FeedScheduler,
  ) {}

  /** Overall and per-endpoint state, latency percentiles over 1/5/15 minutes, backoff, last success per province, incidents. */
  @Get('health')
  @Permission('feed:read')
  async health() {
    const [report, queue] = await Promise.all([this.feed.healthReport(), this.scheduler.depth().catch(() => null)]);
    return { ...report, queue };
  }
}
