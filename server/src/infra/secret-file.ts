import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Secrets a node makes once and keeps in a file of DATA_DIR (the JWT key, the voter-register
 * HMAC key, the VAPID pair), so they survive a restart.
 */

/** The text of DATA_DIR/`name`, or null when there is no such file. */
export function readSecretFile(dir: string, name: string): string | null {
  const file = join(dir, name);
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

/** Writes DATA_DIR/`name` readable by its owner only (mode 600), making the directory when needed. */
export function writeSecretFile(dir: string, name: string, text: string, dirMode?: number): void {
  mkdirSync(dir, dirMode === undefined ? { recursive: true } : { recursive: true, mode: dirMode });
  const file = join(dir, name);
  writeFileSync(file, text, { mode: 0o600, flag: 'w' });
  chmodSync(file, 0o600);
}
