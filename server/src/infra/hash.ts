import * as crypto from 'node:crypto';
import { contentHashes } from '@gozcu/shared';

/** Hex SHA-256 of a text's UTF-8 bytes: node:crypto's one-shot hash (Node ≥ 20.12), else a Hash object. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
export const hexSha256: (text: string) => string = oneShot
  ? (text) => oneShot('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** The shared content hashes (the same hex), made with node:crypto's SHA-256 instead of the pure-JS one. */
export const { sheetHash, versionHash } = contentHashes(hexSha256);
