import type { AppConfig } from '../../infra/config';
import { keptSecret, type SecretFiles } from '../../infra/secret-file';

export const VOTER_KEY = Symbol('VOTER_KEY');

/**
 * The HMAC key of the voter register: VOTER_HMAC_SECRET when given; otherwise generated once and
 * kept in DATA_DIR/voter-hmac-secret (mode 600). API nodes sharing a store must share it.
 */
export function loadVoterSecret(config: Pick<AppConfig, 'VOTER_HMAC_SECRET' | 'MONGO_URL'>, files: SecretFiles): Buffer {
  const key = keptSecret(files, {
    name: 'voter-hmac-secret',
    setting: 'VOTER_HMAC_SECRET',
    given: config.VOTER_HMAC_SECRET,
    shared: !!config.MONGO_URL,
    logger: 'VoterRegister',
  });
  return Buffer.from(key, 'utf8');
}
