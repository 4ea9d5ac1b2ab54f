import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';

/** argon2id with the library's defaults (64 MiB, t=3, p=4). */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A password for a generated account: 18 random bytes, URL-safe. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * The ~49,000 most common passwords (the `passwords-common` dictionary of
 * @zxcvbn-ts/language-common, MIT licence, drawn from public breach corpora), lower-cased.
 */
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  if (!common) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { dictionary } = require('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]> };
    common = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  }
  return common;
}

export const PASSWORD_MIN_LENGTH = 10;

/** Why a new password is refused (too short, too repetitive, or a common/breached one), or null. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (new Set(password).size < 4) return 'password must use at least 4 different characters';
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower) || /^(.{1,4})\1+$/.test(lower)) return 'password is one of the most common (breached) passwords: choose another';
  return null;
}
