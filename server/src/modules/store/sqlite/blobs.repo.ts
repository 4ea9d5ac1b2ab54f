import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BlobsRepository } from '../store.port';
import type { SqliteContext } from './context';

/** blob ids are SHA-256 hex: nothing else reaches the file system */
const BLOB_ID = /^[0-9a-f]{64}$/;

/** File bytes by their SHA-256: files under `files/` beside the SQLite file. */
export class SqliteBlobs implements BlobsRepository {
  constructor(private readonly c: SqliteContext) {}

  private blobPath(id: string): string {
    if (!BLOB_ID.test(id)) throw new RangeError('a blob id is a SHA-256 hex digest');
    return join(this.c.blobDir, id.slice(0, 2), id);
  }

  async putBlob(id: string, data: Buffer): Promise<void> {
    const path = this.blobPath(id);
    if (existsSync(path)) return;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
  }

  async blob(id: string): Promise<Buffer | null> {
    const path = this.blobPath(id);
    return existsSync(path) ? readFileSync(path) : null;
  }
}
