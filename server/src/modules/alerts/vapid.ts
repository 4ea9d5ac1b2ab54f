import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webPush from 'web-push';
import type { AppConfig } from '../../infra/config';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/**
 * The VAPID key pair Web Push is signed with: VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY when given,
 * otherwise a pair generated once and kept in DATA_DIR/vapid.json (mode 600). Browsers subscribe
 * to one public key, so it must not change between restarts (nor between scale-out nodes).
 */
export function loadVapidKeys(config: Pick<AppConfig, 'DATA_DIR' | 'VAPID_PUBLIC_KEY' | 'VAPID_PRIVATE_KEY'>): VapidKeys {
  if (config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY) return { publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY };
  const file = join(config.DATA_DIR, 'vapid.json');
  if (existsSync(file)) {
    const held = JSON.parse(readFileSync(file, 'utf8')) as Partial<VapidKeys>;
    if (held.publicKey && held.privateKey) return { publicKey: held.publicKey, privateKey: held.privateKey };
  }
  mkdirSync(config.DATA_DIR, { recursive: true });
  const keys = webPush.generateVAPIDKeys();
  writeFileSync(file, `${JSON.stringify(keys)}\n`, { mode: 0o600, flag: 'w' });
  chmodSync(file, 0o600);
  return keys;
}
