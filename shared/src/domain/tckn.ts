/**
 * TC Kimlik No (Turkish national ID): 11 digits, the first not 0; the 10th digit is
 * ((d1 + d3 + d5 + d7 + d9) × 7 − (d2 + d4 + d6 + d8)) mod 10, the 11th is (d1 + … + d10) mod 10.
 * The problem messages never repeat the number (it must not reach logs or error bodies).
 */
export type TcKimlikProblem = 'not_digits' | 'length' | 'leading_zero' | 'check_digit_10' | 'check_digit_11';

export const TC_KIMLIK_MESSAGES: Record<TcKimlikProblem, { tr: string; en: string }> = {
  not_digits: { tr: 'TC Kimlik No yalnızca rakamlardan oluşur', en: 'a TC Kimlik No has digits only' },
  length: { tr: 'TC Kimlik No 11 hanelidir', en: 'a TC Kimlik No has 11 digits' },
  leading_zero: { tr: 'TC Kimlik No 0 ile başlamaz', en: 'a TC Kimlik No does not start with 0' },
  check_digit_10: { tr: 'TC Kimlik No geçersiz: 10. hane (kontrol hanesi) tutmuyor', en: 'not a valid TC Kimlik No: the 10th (check) digit is wrong' },
  check_digit_11: { tr: 'TC Kimlik No geçersiz: 11. hane (kontrol hanesi) tutmuyor', en: 'not a valid TC Kimlik No: the 11th (check) digit is wrong' },
};

/** What is wrong with a TC Kimlik No, or null when it is valid. Surrounding spaces are ignored. */
export function tcKimlikProblem(input: string): TcKimlikProblem | null {
  const s = input.trim();
  if (!/^\d*$/.test(s) || s === '') return s === '' ? 'length' : 'not_digits';
  if (s.length !== 11) return 'length';
  if (s[0] === '0') return 'leading_zero';
  const d = [...s].map(Number);
  const odd = d[0] + d[2] + d[4] + d[6] + d[8];
  const even = d[1] + d[3] + d[5] + d[7];
  if ((((odd * 7 - even) % 10) + 10) % 10 !== d[9]) return 'check_digit_10';
  if (d.slice(0, 10).reduce((a, b) => a + b, 0) % 10 !== d[10]) return 'check_digit_11';
  return null;
}

export function isValidTcKimlikNo(input: string): boolean {
  return tcKimlikProblem(input) === null;
}

/** Completes 9 leading digits (the first not 0) with both check digits: for tests and fixtures. */
export function withTcCheckDigits(first9: string): string {
  if (!/^[1-9]\d{8}$/.test(first9)) throw new RangeError('needs 9 digits, the first not 0');
  const d = [...first9].map(Number);
  const d10 = ((((d[0] + d[2] + d[4] + d[6] + d[8]) * 7 - (d[1] + d[3] + d[5] + d[7])) % 10) + 10) % 10;
  const d11 = (d.reduce((a, b) => a + b, 0) + d10) % 10;
  return `${first9}${d10}${d11}`;
}

/** Replaces every valid TC Kimlik No inside free text (a complaint's text) so none is stored in clear. */
export function maskTcKimlikNos(text: string, mask = '[TC Kimlik No gizlendi]'): string {
  return text.replace(/(?<!\d)\d{11}(?!\d)/g, (m) => (isValidTcKimlikNo(m) ? mask : m));
}
