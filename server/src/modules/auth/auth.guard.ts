import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { ReconcileService } from '../reconcile/reconcile.service';
import { SessionService } from './session.service';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { PERMISSION_KEY, PUBLIC_KEY, SCOPE_KEY, type AuthedRequest } from './auth.decorators';
import { scopeAllows, type ScopeExtractor } from './scope';
import { TokenService } from './token.service';

/**
 * The one guard of every REST route (global APP_GUARD): authenticates `Authorization: Bearer`,
 * checks the route's @Permission, and checks every region or box the request names (@Scoped)
 * against the caller's scope. Routes without @Permission need a signed-in, non-public role;
 * @Public routes need nothing. Socket.IO rooms are checked by the gateway with the same token
 * verifier and scope functions.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionService,
    private readonly modules: ModuleRef,
  ) {}

  /** The province a district belongs to, from the register (undefined when unknown). */
  private provinceOf(district: number): number | undefined {
    try {
      return this.modules.get(ReconcileService, { strict: false }).provinceOfDistrict(district);
    } catch {
      return undefined;
    }
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const meta = <T>(key: string) => this.reflector.getAllAndOverride<T | undefined>(key, [ctx.getHandler(), ctx.getClass()]);

    const publicWhen = meta<true | ((config: AppConfig) => boolean)>(PUBLIC_KEY);
    const isPublic = publicWhen === true || (typeof publicWhen === 'function' && publicWhen(this.config));
    const bearer = bearerOf(req.headers.authorization);
    const verified = bearer ? this.tokens.verifyAccessToken(bearer) : null;
    const live = verified ? await this.sessions.valid(verified) : false;
    const principal = live ? verified : null;
    if (principal) req.principal = principal;
    if (isPublic) return true;
    if (!bearer) throw new UnauthorizedException({ message: 'sign in first: send Authorization: Bearer <accessToken>', code: 'auth.required' });
    if (!verified) throw new UnauthorizedException({ message: 'the access token is invalid or has expired', code: 'auth.expired' });
    if (!principal)
      throw new UnauthorizedException({
        message: 'this session was ended (signed out everywhere, password or role changed, or account disabled); sign in again',
        code: 'auth.ended',
      });

    const needed = meta<string[]>(PERMISSION_KEY);
    if (needed) {
      const missing = needed.filter((p) => !principal.permissions.includes(p));
      if (missing.length)
        throw new ForbiddenException({
          message: `your role (${principal.role}) lacks ${missing.join(', ')}`,
          code: 'forbidden.permission',
          params: { role: principal.role, permission: missing.join(', ') },
        });
    } else if (principal.scope.level === 'public') {
      throw new ForbiddenException({
        message: `your role (${principal.role}) cannot use this route`,
        code: 'forbidden.role',
        params: { role: principal.role },
      });
    }

    const extractor = meta<ScopeExtractor>(SCOPE_KEY);
    if (extractor) {
      for (const named of extractor(req, this.config)) {
        // the whole scope: a district is judged with its real province, whatever province the request names
        let target = named;
        if ('region' in named && named.region.district !== undefined) {
          const province = this.provinceOf(named.region.district);
          if (province !== undefined && named.region.province !== undefined && province !== named.region.province) {
            throw new ForbiddenException(`district ${named.region.district} is not in province ${named.region.province}`);
          }
          if (province !== undefined) target = { region: { province, district: named.region.district } };
        }
        if (!scopeAllows(principal.scope, target)) {
          const what = 'box' in target ? `box ${target.box.key}` : describeRegion(target.region);
          throw new ForbiddenException({ message: `${what} is outside your scope`, code: 'forbidden.scope', params: { what } });
        }
      }
    }
    return true;
  }
}

function bearerOf(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return m ? m[1] : null;
}

function describeRegion(r: { province?: number; district?: number }): string {
  return (
    [r.province !== undefined ? `province ${r.province}` : null, r.district !== undefined ? `district ${r.district}` : null].filter(Boolean).join(', ') ||
    'the whole country'
  );
}
