import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { z } from 'zod';
import {
  feedControlsView,
  feedHealthResponse,
  feedPauseBody as pauseBody,
  feedResweepBody as resweepBody,
  feedResweepResponse,
  feedSettingsBody as settingsBody,
  type BallotCode,
  type FeedHealthResponse,
  type Principal,
} from '@gozcu/shared';
import { ZodPipe } from '../../infra/http';
import { ApiResponse } from '../../infra/openapi';
import { CurrentUser, Permission } from '../auth/auth.decorators';
import { EmbargoService } from '../auth/embargo.service';
import { redactFeedHealth } from './feed-health.redact';
import { FeedControls, publicView } from './feed-controls';
import { FeedScheduler } from './feed.scheduler';
import { FeedReport } from './feed-report.service';
import { withTimeout } from './feed.service';

/** The YSK feed: its health for everyone with `feed:read`, its controls for `feed:admin` (each audited). */
@Controller('api/feed')
export class FeedController {
  constructor(
    private readonly report: FeedReport,
    private readonly scheduler: FeedScheduler,
    private readonly controls: FeedControls,
    private readonly embargo: EmbargoService,
  ) {}

  /**
   * Overall and per-endpoint state (with the rule that decided it), latency percentiles over
   * 1/5/15 minutes, backoff, lag per province, controls, incidents, the queue. Answers while Redis
   * is down (`redis: "unreachable"`, `queue: null`), from this node's state or the stored one.
   */
  @Get('health')
  @Permission('feed:read')
  @ApiResponse(feedHealthResponse)
  async health(@CurrentUser() user: Principal): Promise<FeedHealthResponse> {
    const [report, queue, schedulers] = await Promise.all([
      this.report.healthReport(),
      withTimeout(this.scheduler.depth(), 800).catch(() => null),
      this.scheduler.schedulers().catch(() => null),
    ]);
    // raw payloads, incident details, other provinces and (embargo) YSK counts by role and scope
    return redactFeedHealth({ ...report, queue, schedulers }, user, this.embargo.yskVisible(user));
  }

  @Get('controls')
  @Permission('feed:read')
  @ApiResponse(feedControlsView)
  current() {
    return publicView(this.controls.current);
  }

  /** `{ reason? }`: no request goes to YSK until resumed. */
  @Post('pause')
  @HttpCode(200)
  @Permission('feed:admin')
  @ApiResponse(feedControlsView)
  async pause(@CurrentUser() user: Principal, @Body(new ZodPipe(pauseBody, 'pause')) body: z.infer<typeof pauseBody>) {
    return publicView(await this.controls.pause(user, body.reason ?? null));
  }

  @Post('resume')
  @HttpCode(200)
  @Permission('feed:admin')
  @ApiResponse(feedControlsView)
  async resume(@CurrentUser() user: Principal) {
    return publicView(await this.controls.resume(user));
  }

  /** `{ pollIntervalMs?, maxRps? }`: applied by every worker within a second, no restart. */
  @Put('settings')
  @Permission('feed:admin')
  @ApiResponse(feedControlsView)
  async settings(@CurrentUser() user: Principal, @Body(new ZodPipe(settingsBody, 'settings')) body: z.infer<typeof settingsBody>) {
    return publicView(await this.controls.settings(user, body));
  }

  /** `{ province, ballot? }`: every district of the province fetched whole again, first in line. */
  @Post('resweep')
  @HttpCode(202)
  @Permission('feed:admin')
  @ApiResponse(feedResweepResponse)
  async resweep(@CurrentUser() user: Principal, @Body(new ZodPipe(resweepBody, 'resweep')) body: z.infer<typeof resweepBody>) {
    const state = await this.controls.resweep(user, body.province, (body.ballot ?? null) as BallotCode | null);
    return { accepted: true, resweep: state.resweeps.at(-1), controls: publicView(state) };
  }
}
