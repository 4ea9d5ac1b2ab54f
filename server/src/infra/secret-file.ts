import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
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

/**
 * Creates DATA_DIR/`name` with `text`, readable by its owner only (mode 600), making the directory
 * when needed, and answers the text the file holds. Nodes sharing DATA_DIR (the compose volume)
 * start together: the file is created exclusively (written whole under a name of its own, then
 * linked into place — link(2) fails when the file exists), so a node that loses the race gets the
 * winner's text instead of overwriting it.
 */
export function writeSecretFile(dir: string, name: string, text: string, dirMode?: number): string {
  mkdirSync(dir, dirMode === undefined ? { recursive: true } : { recursive: true, mode: dirMode });
  const file = join(dir, name);
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  try {
    linkSync(tmp, file);
    return text;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(tmp, { force: true });
  }
}
