import { Logger } from '@nestjs/common';
import webPush from 'web-push';
import type { AppConfig } from '../../infra/config';
import type { SecretFiles } from '../../infra/secret-file';

export const VAPID_KEYS = Symbol('VAPID_KEYS');

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/**
 * The VAPID key pair Web Push is signed with: VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY when given,
 * otherwise a pair generated once and kept in DATA_DIR/vapid.json (mode 600). Browsers subscribe
 * to one public key, so it must not change between restarts (nor between scale-out nodes: any
 * node's delivery worker may send a push, signed with its own pair). Nodes sharing DATA_DIR (the
 * compose volume) start together, so the file is created exclusively: a node that loses that race
 * takes the winner's pair instead of overwriting it.
 */
export function loadVapidKeys(config: Pick<AppConfig, 'VAPID_PUBLIC_KEY' | 'VAPID_PRIVATE_KEY' | 'MONGO_URL'>, files: SecretFiles): VapidKeys {
  if (config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY) return { publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY };
  const parse = (text: string | null): VapidKeys | null => {
    const keys = text ? (JSON.parse(text) as Partial<VapidKeys>) : null;
    return keys?.publicKey && keys.privateKey ? { publicKey: keys.publicKey, privateKey: keys.privateKey } : null;
  };
  const kept = parse(files.read('vapid.json'));
  if (kept) return kept;
  if (config.MONGO_URL)
    new Logger('Alerts').warn(
      'VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY are not set: this node keeps its own pair in DATA_DIR; nodes sharing a store must share DATA_DIR or the keys, or Web Push fails',
    );
  // a node that loses the race to create the file takes the winner's pair
  const winner = parse(files.create('vapid.json', `${JSON.stringify(webPush.generateVAPIDKeys())}\n`));
  if (!winner) throw new Error(`${files.where('vapid.json')} exists but holds no VAPID key pair: remove it or set VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY`);
  return winner;
}
