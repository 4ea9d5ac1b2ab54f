import webPush from 'web-push';
import type { AppConfig } from '../../infra/config';
import { readSecretFile, writeSecretFile } from '../../infra/secret-file';

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
  const text = readSecretFile(config.DATA_DIR, 'vapid.json');
  if (text !== null) {
    const held = JSON.parse(text) as Partial<VapidKeys>;
    if (held.publicKey && held.privateKey) return { publicKey: held.publicKey, privateKey: held.privateKey };
  }
  const keys = webPush.generateVAPIDKeys();
  writeSecretFile(config.DATA_DIR, 'vapid.json', `${JSON.stringify(keys)}\n`);
  return keys;
}
