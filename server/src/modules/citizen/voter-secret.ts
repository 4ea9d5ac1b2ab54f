import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../infra/config';
import { readSecretFile, writeSecretFile } from '../../infra/secret-file';

export const VOTER_KEY = Symbol('VOTER_KEY');

/**
 * The HMAC key of the voter register: VOTER_HMAC_SECRET when given; otherwise generated once and
 * kept in DATA_DIR/voter-hmac-secret (mode 600). API nodes sharing a store must share it.
 */
export function loadVoterSecret(config: Pick<AppConfig, 'VOTER_HMAC_SECRET' | 'DATA_DIR' | 'MONGO_URL'>): Buffer {
  if (config.VOTER_HMAC_SECRET) return Buffer.from(config.VOTER_HMAC_SECRET, 'utf8');
  const held = readSecretFile(config.DATA_DIR, 'voter-hmac-secret')?.trim();
  if (held && held.length >= 32) return Buffer.from(held, 'utf8');
  if (config.MONGO_URL)
    new Logger('VoterRegister').warn('VOTER_HMAC_SECRET is not set: this node hashes with its own key; API nodes sharing a store must share VOTER_HMAC_SECRET');
  const secret = randomBytes(48).toString('base64url');
  // nodes sharing DATA_DIR agree: the first to create the file wins
  const kept = writeSecretFile(config.DATA_DIR, 'voter-hmac-secret', `${secret}\n`).trim();
  if (kept.length < 32) throw new Error(`${config.DATA_DIR}/voter-hmac-secret holds no usable secret: remove it or set VOTER_HMAC_SECRET`);
  return Buffer.from(kept, 'utf8');
}
