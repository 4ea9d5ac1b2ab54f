import { Injectable, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ModuleRef } from '@nestjs/core';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { AuthedRequest } from '../auth/auth.decorators';
import { AuditService } from './audit.service';

export const AUDIT_KEY = 'gozcu:audit';

/** How a route's change is written to the audit log, after the handler succeeded. */
export interface AuditSpec<R = unknown> {
  action: string;
  /** what changed: a box key, `user:<name>`, `embargo:<election>` */
  target: (req: AuthedRequest, result: R) => string;
  /** the state before, read before the handler runs */
  before?: (req: AuthedRequest, modules: ModuleRef) => unknown;
  /** the state after; defaults to the handler's result */
  after?: (result: R, req: AuthedRequest) => unknown;
  /** true when nothing changed (a retried request): nothing is written */
  unchanged?: (result: R) => boolean;
}

/** Writes one audit line for each successful call of the route. */
export const Audited = <R = unknown>(spec: AuditSpec<R>) => SetMetadata(AUDIT_KEY, spec);

@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
    private readonly modules: ModuleRef,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<AuditSpec | undefined>(AUDIT_KEY, ctx.getHandler());
    if (!spec || ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    return from(this.run(spec, req, next));
  }

  private async run(spec: AuditSpec, req: AuthedRequest, next: CallHandler): Promise<unknown> {
    const before = spec.before ? await spec.before(req, this.modules) : null;
    const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
    if (!spec.unchanged?.(result)) {
      await this.audit.record(req.principal ?? null, spec.action, spec.target(req, result), before, spec.after ? spec.after(result, req) : result);
    }
    return result;
  }
}
