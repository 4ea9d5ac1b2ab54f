import type { AppConfig } from '../../infra/config';
import { keptSecret, type SecretFiles } from '../../infra/secret-file';

export const JWT_KEY = Symbol('JWT_KEY');

/**
 * JWT_SECRET when given; otherwise a secret generated once and kept in DATA_DIR/jwt-secret
 * (mode 600), so tokens survive a restart. Every API node of a scale-out run needs the same
 * JWT_SECRET.
 */
export function loadJwtSecret(config: Pick<AppConfig, 'JWT_SECRET' | 'MONGO_URL'>, files: SecretFiles): string {
  return keptSecret(files, { name: 'jwt-secret', setting: 'JWT_SECRET', given: config.JWT_SECRET, shared: !!config.MONGO_URL, logger: 'Auth' });
}
