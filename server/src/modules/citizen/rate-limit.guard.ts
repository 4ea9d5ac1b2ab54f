import { HttpException, HttpStatus, Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { RateLimitRepository } from './rate-limit.repository';

/** The public routes' limits: name → per-client limit and window. */
export const RATE_LIMITS = {
  'citizen.lookup': (c: AppConfig) => ({ limit: c.CITIZEN_RATE_LIMIT, windowMs: 60_000 }),
  'citizen.tc': (c: AppConfig) => ({ limit: c.CITIZEN_TC_RATE_LIMIT, windowMs: 3_600_000 }),
  'citizen.complaint': (c: AppConfig) => ({ limit: c.COMPLAINT_RATE_LIMIT, windowMs: 3_600_000 }),
} as const;
export type RateLimitName = keyof typeof RATE_LIMITS;

const RATE_KEY = 'gozcu:rate-limits';
/** Counts each call of the route against these limits (all of them); past one, 429 with Retry-After. */
export const RateLimited = (...names: RateLimitName[]) => SetMetadata(RATE_KEY, names);

/** A client as the counters know it: a short hash of its address (addresses are not kept). */
export function clientOf(req: { ip?: string; socket?: { remoteAddress?: string } }): string {
  return createHash('sha256')
    .update(req.ip ?? req.socket?.remoteAddress ?? 'unknown')
    .digest('hex')
    .slice(0, 16);
}

export class TooManyRequests extends HttpException {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message, HttpStatus.TOO_MANY_REQUESTS);
  }
}

/** Sets Retry-After and throws 429. */
export function refuse(res: Response, message: string, resetMs: number): never {
  const retryAfterS = Math.max(1, Math.ceil(resetMs / 1000));
  res.setHeader('Retry-After', String(retryAfterS));
  throw new TooManyRequests(`${message}; try again in ${retryAfterS} s`, retryAfterS);
}

@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimitRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const names = this.reflector.get<RateLimitName[] | undefined>(RATE_KEY, ctx.getHandler());
    if (!names?.length || ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest();
    const res = ctx.switchToHttp().getResponse<Response>();
    const client = clientOf(req);
    for (const name of names) {
      const { limit, windowMs } = RATE_LIMITS[name](this.config);
      const { hits, resetMs } = await this.limits.hit(name, client, windowMs);
      res.setHeader(`X-RateLimit-Limit`, String(limit));
      res.setHeader(`X-RateLimit-Remaining`, String(Math.max(0, limit - hits)));
      if (hits > limit) refuse(res, `too many requests (${limit} per ${windowMs / 60_000} min from one address)`, resetMs);
    }
    return true;
  }
}
