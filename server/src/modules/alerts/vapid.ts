import { Logger } from '@nestjs/common';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webPush from 'web-push';
import type { AppConfig } from '../../infra/config';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

function held(file: string): VapidKeys | null {
  if (!existsSync(file)) return null;
  const keys = JSON.parse(readFileSync(file, 'utf8')) as Partial<VapidKeys>;
  return keys.publicKey && keys.privateKey ? { publicKey: keys.publicKey, privateKey: keys.privateKey } : null;
}

/**
 * The VAPID key pair Web Push is signed with: VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY when given,
 * otherwise a pair generated once and kept in DATA_DIR/vapid.json (mode 600). Browsers subscribe
 * to one public key, so it must not change between restarts (nor between scale-out nodes: any
 * node's delivery worker may send a push, signed with its own pair). Nodes sharing DATA_DIR (the
 * compose volume) start together, so the file is created exclusively: a node that loses that race
 * takes the winner's pair instead of overwriting it.
 */
export function loadVapidKeys(config: Pick<AppConfig, 'DATA_DIR' | 'VAPID_PUBLIC_KEY' | 'VAPID_PRIVATE_KEY' | 'MONGO_URL'>): VapidKeys {
  if (config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY) return { publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY };
  const file = join(config.DATA_DIR, 'vapid.json');
  const kept = held(file);
  if (kept) return kept;
  if (config.MONGO_URL) new Logger('Alerts').warn('VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY are not set: this node keeps its own pair in DATA_DIR; nodes sharing a store must share DATA_DIR or the keys, or Web Push fails');
  mkdirSync(config.DATA_DIR, { recursive: true });
  const keys = webPush.generateVAPIDKeys();
  // written whole under a name of its own, then linked into place: link(2) fails when the file exists
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(keys)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  try {
    linkSync(tmp, file);
    return keys;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const winner = held(file);
    if (!winner) throw new Error(`${file} exists but holds no VAPID key pair`);
    return winner;
  } finally {
    rmSync(tmp, { force: true });
  }
}
