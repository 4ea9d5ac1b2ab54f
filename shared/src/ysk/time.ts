/**
 * YSK timestamps are UTC written with a `+0000` offset: `2018-06-24T19:00:27.000+0000`
 * (22:00 in Turkey). These turn them into ISO strings (`…Z`) and back.
 */
const YSK_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** `2018-06-24T19:00:27.000+0000` → `2018-06-24T19:00:27.000Z`; null/empty → null; anything else → throws. */
export function parseYskTime(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const m = YSK_TIME.exec(value.trim());
  if (!m) throw new Error(`not a YSK timestamp: "${value}"`);
  const [, y, mo, d, h, mi, s = '00', ms = '0', zone = 'Z'] = m;
  let offsetMin = 0;
  if (zone !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMin = (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const local = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Number(ms.padEnd(3, '0'))));
  if (local.getUTCMonth() !== +mo - 1 || local.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) {
    throw new Error(`not a valid date: "${value}"`);
  }
  const date = new Date(local.getTime() - offsetMin * 60_000);
  return date.toISOString();
}

/** Epoch ms or Date → `2018-06-24T19:00:27.000+0000`, the way YSK writes it. */
export function formatYskTime(at: number | Date): string {
  return new Date(at).toISOString().replace('Z', '+0000');
}
