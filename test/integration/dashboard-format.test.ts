import { formatAge, formatDateTime, formatHm, formatInt, formatMs, formatPct, formatSigned, formatTime, ratio } from '../../dashboard/src/lib/format';

// Intl output may use narrow no-break spaces; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('dashboard formatting (tr-TR first, Istanbul time)', () => {
  test('integers are grouped with dots in Turkish, commas in English', () => {
    expect(formatInt(12234)).toBe('12.234');
    expect(formatInt(1234)).toBe('1.234');
    expect(formatInt(145210, 'en')).toBe('145,210');
    expect(formatInt(null)).toBe('–');
    expect(formatInt(Number.NaN)).toBe('–');
  });

  test('percentages read %45,6 in Turkish and 45.6% in English', () => {
    expect(plain(formatPct(0.456))).toBe('%45,6');
    expect(plain(formatPct(0.724, 'en'))).toBe('72.4%');
    expect(plain(formatPct(1, 'tr', 0))).toBe('%100');
    expect(formatPct(null)).toBe('–');
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(145210, 200512)).toBeCloseTo(0.7242, 4);
  });

  test('signed differences use a true minus', () => {
    expect(formatSigned(-12)).toBe('−12');
    expect(formatSigned(1500)).toBe('+1.500');
    expect(formatSigned(0)).toBe('0');
  });

  test('times are in Europe/Istanbul (UTC+3), 24-hour', () => {
    const t = '2026-11-28T19:14:05Z';
    expect(formatTime(t)).toBe('22:14:05');
    expect(formatHm(t)).toBe('22:14');
    expect(formatDateTime(t)).toBe('28.11.2026 22:14');
    expect(formatDateTime(t, 'en')).toBe('28/11/2026 22:14');
    expect(formatTime('not a date')).toBe('–');
    expect(formatTime(null)).toBe('–');
    // midnight rollover happens in Istanbul, not UTC
    expect(formatDateTime('2026-11-28T21:30:00Z')).toBe('29.11.2026 00:30');
  });

  test('ages and latencies', () => {
    expect(formatAge(52_000)).toBe('52 sn');
    expect(formatAge(52 * 60_000)).toBe('52 dk');
    expect(formatAge(3 * 3_600_000 + 5 * 60_000)).toBe('3 sa 05 dk');
    expect(formatAge(52 * 60_000, 'en')).toBe('52 min');
    expect(formatAge(-1)).toBe('–');
    expect(formatMs(420)).toBe('420 ms');
    expect(formatMs(1234)).toBe('1,2 sn');
    expect(formatMs(1234, 'en')).toBe('1.2 s');
  });
});
