import { isValidTcKimlikNo, maskTcKimlikNos, tcKimlikProblem, withTcCheckDigits, type TcKimlikProblem } from './tckn';

describe('TC Kimlik No', () => {
  it.each<[string, string, TcKimlikProblem | null]>([
    ['a known valid number', '10000000146', null],
    ['another valid number', '12345678950', null],
    ['a valid number with surrounding spaces', ' 10000000146 ', null],
    ['the empty string', '', 'length'],
    ['too short', '1000000014', 'length'],
    ['too long', '100000001460', 'length'],
    ['letters inside', '1000000O146', 'not_digits'],
    ['a sign', '-1000000146', 'not_digits'],
    ['spaces inside', '100 0000 0146', 'not_digits'],
    ['a leading zero (check digits otherwise right)', '01234567890', 'leading_zero'],
    ['a wrong 10th digit', '10000000156', 'check_digit_10'],
    ['a wrong 11th digit', '10000000145', 'check_digit_11'],
    ['two digits swapped', '12345678905', 'check_digit_10'],
    ['all ones (10th digit happens to hold)', '11111111111', 'check_digit_11'],
  ])('%s: %s → %s', (_label, input, problem) => {
    expect(tcKimlikProblem(input)).toBe(problem);
    expect(isValidTcKimlikNo(input)).toBe(problem === null);
  });

  it('completes nine digits with both check digits, and every completion validates', () => {
    expect(withTcCheckDigits('100000001')).toBe('10000000146');
    for (let i = 0; i < 500; i++) {
      const first9 = String(100_000_000 + ((i * 7_919_311) % 900_000_000));
      const tc = withTcCheckDigits(first9);
      expect(tcKimlikProblem(tc)).toBeNull();
      // changing any one of the last two digits breaks it
      const bad10 = `${tc.slice(0, 9)}${(Number(tc[9]) + 1) % 10}${tc[10]}`;
      const bad11 = `${tc.slice(0, 10)}${(Number(tc[10]) + 1) % 10}`;
      expect(tcKimlikProblem(bad10)).toBe('check_digit_10');
      expect(tcKimlikProblem(bad11)).toBe('check_digit_11');
    }
    expect(() => withTcCheckDigits('012345678')).toThrow(RangeError);
  });

  it('masks valid numbers inside free text, leaving other digit runs', () => {
    expect(maskTcKimlikNos('TC: 10000000146, tel 05321234567, sandık 1001')).toBe('TC: [TC Kimlik No gizlendi], tel 05321234567, sandık 1001');
    expect(maskTcKimlikNos('100000001460')).toBe('100000001460');
  });
});
