import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../infra/config';
import { readSecretFile, writeSecretFile } from '../../infra/secret-file';

export const JWT_KEY = Symbol('JWT_KEY');

/**
 * JWT_SECRET when given; otherwise a secret generated once and kept in DATA_DIR/jwt-secret
 * (mode 600), so tokens survive a restart. Every API node of a scale-out run needs the same
 * JWT_SECRET.
 */
export function loadJwtSecret(config: Pick<AppConfig, 'JWT_SECRET' | 'DATA_DIR' | 'MONGO_URL'>): string {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const held = readSecretFile(config.DATA_DIR, 'jwt-secret')?.trim();
  if (held && held.length >= 32) return held;
  if (config.MONGO_URL) new Logger('Auth').warn('JWT_SECRET is not set: this node signs with its own secret; API nodes sharing a store must share JWT_SECRET');
  const secret = randomBytes(48).toString('base64url');
  // nodes sharing DATA_DIR agree: the first to create the file wins
  const kept = writeSecretFile(config.DATA_DIR, 'jwt-secret', `${secret}\n`, 0o700).trim();
  if (kept.length < 32) throw new Error(`${config.DATA_DIR}/jwt-secret holds no usable secret: remove it or set JWT_SECRET`);
  return kept;
}
