import { createHmac } from 'node:crypto';
import { foldName } from '@gozcu/shared';

/**
 * What foldName (then "anything but a–z and 0–9 is a space") makes of one UTF-16 code unit:
 * a string of a–z/0–9, or '' for a separator. Computed once per code unit from foldName itself,
 * so the fast path below cannot drift from it.
 */
const FOLD = new Map<number, string>();
function foldOf(code: number): string {
  let f = FOLD.get(code);
  if (f === undefined) {
    // the unit between two letters: foldName trims, so a separator comes back as ''
    const folded = foldName(`a${String.fromCharCode(code)}a`);
    f = /^a[a-z0-9]*a$/.test(folded) ? folded.slice(1, -1) : '';
    FOLD.set(code, f);
  }
  return f;
}
const ASCII = new Array<string>(128);
for (let c = 0; c < 128; c++) ASCII[c] = foldOf(c);

/**
 * A name or address as the checks compare it: Turkish letters and case folded, punctuation and
 * extra spaces gone. The same as foldName(s) with every run of other characters one space (a test
 * holds the two equal), a code unit at a time: foldName's toLocaleLowerCase('tr-TR') and eleven
 * regular expressions were a fifth of a national import's time.
 */
export function normaliseText(s: string): string {
  let out = '';
  let gap = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const f = c < 128 ? ASCII[c] : foldOf(c);
    if (!f) {
      gap = out.length > 0;
      continue;
    }
    if (gap) {
      out += ' ';
      gap = false;
    }
    out += f;
  }
  return out;
}

/** The slow reference normalisation (foldName, then runs of other characters one space). */
export function normaliseTextReference(s: string): string {
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
  /** name keys of recent names (a register repeats its common names endlessly); bounded, cleared when full */
  private readonly names = new Map<string, string>();

  constructor(private readonly key: Buffer) {}

  nameKey(fullName: string): string {
    return this.nameKeyOf(normaliseText(fullName));
  }

  /** The name key of an already normalised name. */
  nameKeyOf(normalised: string): string {
    let k = this.names.get(normalised);
    if (k === undefined) {
      k = createHmac('sha256', this.key).update(`name\0${normalised}`).digest('hex').slice(0, 32);
      if (this.names.size >= 50_000) this.names.clear();
      this.names.set(normalised, k);
    }
    return k;
  }

  addressKey(province: number, district: number, address: string): string {
    return this.addressKeyOf(province, district, normaliseText(address));
  }

  /** The address key of an already normalised address. */
  addressKeyOf(province: number, district: number, normalised: string): string {
    return createHmac('sha256', this.key).update(`address\0${province}\0${district}\0${normalised}`).digest('hex').slice(0, 32);
  }
}
