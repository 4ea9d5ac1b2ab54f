import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `GZ-XXXXX-XXXXX`: 50 random bits in Crockford base 32 (no I, L, O, U), read aloud without confusion. */
export function newTrackingCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => ALPHABET[b & 31]);
  return `GZ-${chars.slice(0, 5).join('')}-${chars.slice(5, 10).join('')}`;
}
