import { createHash } from 'node:crypto';
import { contentHashes } from '@gozcu/shared';

/** The shared content hashes (the same hex), made with node:crypto's SHA-256 instead of the pure-JS one. */
export const { sheetHash, versionHash } = contentHashes((text) => createHash('sha256').update(text).digest('hex'));
