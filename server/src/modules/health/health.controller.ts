import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { healthzResponse, type Healthz } from '@gozcu/shared';
import { ApiResponse } from '../../infra/openapi';
import { REDIS, type RedisClient } from '../../infra/redis.module';
import { STORE, type StoreConnection } from '../store/store.port';
import { Public } from '../auth/auth.decorators';
import { FeedReport } from '../feed/feed-report.service';

const TIMEOUT_MS = 2000;

async function check(name: string, probe: () => Promise<unknown>): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return null;
  } catch (e) {
    return `${name}: ${(e as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

@Controller()
export class HealthController {
  constructor(
    @Inject(STORE) private readonly store: StoreConnection,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly feed: FeedReport,
  ) {}

  /**
   * 200 `ok` when the store and Redis answer and the YSK feed polls; 200 `degraded` naming the
   * feed's state when it is stalled (failing or paused: no fresh data, the API still serves);
   * 503 `unavailable` naming what failed when the store or Redis does not answer. Always answers
   * within a few seconds, also while Redis is down.
   */
  @Get('healthz')
  @Public()
  @ApiResponse(healthzResponse)
  async healthz(@Res({ passthrough: true }) res: Response): Promise<Healthz> {
    const [storeFail, redisFail, feed] = await Promise.all([
      check(`store (${this.store.kind})`, () => this.store.ping()),
      check('redis', () => this.redis.ping()),
      this.feedState(),
    ]);
    const failures = [storeFail, redisFail].filter((f): f is string => f !== null);
    if (failures.length) {
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'unavailable', failures, ...(feed ? { feed } : {}) };
    }
    const stalled = feed !== null && feed.enabled && (feed.overall === 'failing' || feed.overall === 'paused');
    res.status(HttpStatus.OK);
    return stalled
      ? { status: 'degraded', store: this.store.kind, redis: 'ok', feed }
      : { status: 'ok', store: this.store.kind, redis: 'ok', ...(feed?.enabled ? { feed } : {}) };
  }

  private async feedState() {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.feed.status(),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), TIMEOUT_MS);
        }),
      ]);
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
