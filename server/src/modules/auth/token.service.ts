import { Inject, Injectable, Logger } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { PERMISSIONS, roleById, type Permission, type Principal, type PrincipalScope } from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { JWT_KEY } from './jwt-secret';

interface AccessClaims {
  sub: string;
  usr: string;
  role: string;
  scope: PrincipalScope;
  typ: 'access';
  /** session version (SessionService) */
  sv?: number;
}

const ISSUER = 'gozcu';
const EMBARGO_EXEMPT: Permission = 'ysk:read:embargoed';

/**
 * Signs and verifies access tokens (HS256 JWTs carrying user, role and scope) and makes
 * refresh tokens (random, stored by hash). `verifyAccessToken` is what the Socket.IO gateway
 * calls in its handshake.
 */
@Injectable()
export class TokenService {
  private readonly logger = new Logger(TokenService.name);
  /** a key object made once: given a string, jsonwebtoken first tries it as a PEM key (~20× slower per check) */
  private readonly key: KeyObject;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JWT_KEY) secret: string,
  ) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
    for (const role of config.EMBARGO_EXEMPT_ROLES) {
      if (!roleById(role)) this.logger.warn(`EMBARGO_EXEMPT_ROLES names an unknown role "${role}"`);
    }
  }

  /** The permissions of a role, with `ysk:read:embargoed` decided by EMBARGO_EXEMPT_ROLES when set. */
  permissionsOf(roleId: string): Permission[] {
    const role = roleById(roleId);
    if (!role) return [];
    const exempt = this.config.EMBARGO_EXEMPT_ROLES.length ? this.config.EMBARGO_EXEMPT_ROLES.includes(roleId) : role.permissions.includes(EMBARGO_EXEMPT);
    return PERMISSIONS.filter((p) => (p === EMBARGO_EXEMPT ? exempt : role.permissions.includes(p)));
  }

  signAccessToken(user: { id: string; username: string; role: string; scope: PrincipalScope; session?: number }): { token: string; expiresIn: number } {
    const claims: AccessClaims = { sub: user.id, usr: user.username, role: user.role, scope: user.scope, typ: 'access', sv: user.session ?? 0 };
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    return { token: jwt.sign(claims, this.key, { algorithm: 'HS256', expiresIn, issuer: ISSUER }), expiresIn };
  }

  /** The caller of a valid, unexpired access token; null for anything else. Synchronous. */
  verifyAccessToken(token: string): Principal | null {
    let claims: AccessClaims;
    try {
      claims = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER }) as AccessClaims;
    } catch {
      return null;
    }
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || !claims.scope || !roleById(claims.role)) return null;
    return {
      userId: claims.sub,
      username: claims.usr,
      role: claims.role,
      scope: claims.scope,
      permissions: this.permissionsOf(claims.role),
      session: typeof claims.sv === 'number' ? claims.sv : 0,
    };
  }

  /** A new refresh token and the hash it is stored under. */
  newRefreshToken(): { token: string; hash: string } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: hashRefreshToken(token) };
  }
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
