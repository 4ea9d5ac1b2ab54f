import { createHmac } from 'node:crypto';
import { foldName } from '@gozcu/shared';

/** A name or address as the checks compare it: Turkish letters and case folded, punctuation and extra spaces gone. */
export function normaliseText(s: string): string {
  return foldName(s)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * The keyed hashes of the register under the voter HMAC key (the same key as the TC Kimlik No
 * hashes, each with its own domain prefix): a name or address key links equal values without
 * holding them. 128 bits each (collisions negligible at 61 million voters).
 */
export class RegisterKeys {
  constructor(private readonly key: Buffer) {}

  nameKey(fullName: string): string {
    return createHmac('sha256', this.key).update(`name\0${normaliseText(fullName)}`).digest('hex').slice(0, 32);
  }

  addressKey(province: number, district: number, address: string): string {
    return createHmac('sha256', this.key).update(`address\0${province}\0${district}\0${normaliseText(address)}`).digest('hex').slice(0, 32);
  }
}
