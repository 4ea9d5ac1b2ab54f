import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Permission as PermissionId, Principal } from '@gozcu/shared';
import type { AppConfig } from '../../infra/config';
import type { ScopeExtractor } from './scope';

export const PUBLIC_KEY = 'gozcu:public';
export const PERMISSION_KEY = 'gozcu:permission';
export const SCOPE_KEY = 'gozcu:scope';

/** Request as the guard leaves it: the caller's principal when a valid bearer token came. */
export interface AuthedRequest {
  headers: Record<string, string | string[] | undefined>;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  ip?: string;
  principal?: Principal;
}

/**
 * A route anyone may call, without a token. With a predicate, public only when the config says
 * so (`/metrics` with METRICS_PUBLIC); otherwise the route's @Permission applies.
 */
export const Public = (when: true | ((config: AppConfig) => boolean) = true) => SetMetadata(PUBLIC_KEY, when);

/** The permissions a caller's role must hold (all of them). Without it a route needs any signed-in, non-public role. */
export const Permission = (...permissions: PermissionId[]) => SetMetadata(PERMISSION_KEY, permissions);

/** Which regions or boxes a request touches; the guard answers 403 when one is outside the caller's scope. */
export const Scoped = (extractor: ScopeExtractor) => SetMetadata(SCOPE_KEY, extractor);

/** The authenticated caller (set by the guard). */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<AuthedRequest>().principal;
});
