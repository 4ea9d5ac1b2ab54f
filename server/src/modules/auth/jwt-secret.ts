import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../../infra/config';

export const JWT_KEY = Symbol('JWT_KEY');

/**
 * JWT_SECRET when given; otherwise a secret generated once and kept in DATA_DIR/jwt-secret
 * (mode 600), so tokens survive a restart. Every API node of a scale-out run needs the same
 * JWT_SECRET.
 */
export function loadJwtSecret(config: Pick<AppConfig, 'JWT_SECRET' | 'DATA_DIR' | 'MONGO_URL'>): string {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const file = join(config.DATA_DIR, 'jwt-secret');
  if (existsSync(file)) {
    const held = readFileSync(file, 'utf8').trim();
    if (held.length >= 32) return held;
  }
  if (config.MONGO_URL) new Logger('Auth').warn('JWT_SECRET is not set: this node signs with its own secret; API nodes sharing a store must share JWT_SECRET');
  mkdirSync(config.DATA_DIR, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'w' });
  chmodSync(file, 0o600);
  return secret;
}
