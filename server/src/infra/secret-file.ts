import { Logger } from '@nestjs/common';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';

/**
 * Secrets a node makes once and keeps in a file of DATA_DIR (the JWT key, the voter-register
 * HMAC key, the VAPID pair), so they survive a restart. Modules get them through the
 * `SECRET_FILES` provider (ConfigModule), never from the file system themselves.
 */
export const SECRET_FILES = Symbol('SECRET_FILES');

export interface SecretFiles {
  /** Where `name` is kept (for error messages). */
  where(name: string): string;
  /** The text of `name`, or null when there is no such file. */
  read(name: string): string | null;
  /**
   * Creates `name` with `text`, readable by its owner only, and answers the text the file holds:
   * `text`, or the text of a node that created it first.
   */
  create(name: string, text: string): string;
}

/**
 * The secret files of `dir`, a directory made (mode 700) when missing. Nodes sharing DATA_DIR (the
 * compose volume) start together: a file is created exclusively (written whole under a name of
 * its own, then linked into place — link(2) fails when the file exists), so a node that loses the
 * race gets the winner's text instead of overwriting it.
 */
export function secretFilesIn(dir: string): SecretFiles {
  return {
    where: (name) => join(dir, name),
    read: (name) => {
      const file = join(dir, name);
      return existsSync(file) ? readFileSync(file, 'utf8') : null;
    },
    create: (name, text) => {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
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
    },
  };
}

/** A random key of at least this many characters. */
const MIN_SECRET = 32;

/**
 * A node's symmetric key: `given` (its setting) when set; otherwise the one kept in the secret
 * file `name`, generated (48 random bytes, base64url) and kept on the first start. A damaged held
 * key is refused, not silently replaced: a new key would sign everyone out or orphan every hash
 * made with the old one. `shared` (a scale-out store is configured) warns that nodes sharing the
 * store must share the setting.
 */
export function keptSecret(files: SecretFiles, o: { name: string; setting: string; given: string | undefined; shared: boolean; logger: string }): string {
  if (o.given) return o.given;
  const held = files.read(o.name)?.trim();
  if (held && held.length >= MIN_SECRET) return held;
  if (held === undefined && o.shared)
    new Logger(o.logger).warn(`${o.setting} is not set: this node keeps its own key in DATA_DIR; API nodes sharing a store must share ${o.setting}`);
  // nodes sharing DATA_DIR agree: the first to create the file wins
  const kept = held === undefined ? files.create(o.name, `${randomBytes(48).toString('base64url')}\n`).trim() : held;
  if (kept.length < MIN_SECRET) throw new Error(`${files.where(o.name)} holds no usable secret: remove it or set ${o.setting}`);
  return kept;
}
