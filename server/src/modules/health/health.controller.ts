import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { REDIS } from '../../infra/redis.module';
import { STORE, type Store } from '../store/store.port';
import { Public } from '../auth/auth.decorators';

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
    @Inject(STORE) private readonly store: Store,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** 200 when the store and Redis answer; 503 naming what failed. */
  @Get('healthz')
  @Public()
  async healthz(@Res() res: Response): Promise<void> {
    const failures = (await Promise.all([check(`store (${this.store.kind})`, () => this.store.ping()), check('redis', () => this.redis.ping())])).filter(
      (f): f is string => f !== null,
    );
    res
      .status(failures.length ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK)
      .json(failures.length ? { status: 'unavailable', failures } : { status: 'ok', store: this.store.kind, redis: 'ok' });
  }
}
