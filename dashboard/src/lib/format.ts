/** Numbers, percentages, times and ages as the screens print them (tr-TR first, times in Istanbul). */
export type Lang = 'tr' | 'en';

export const TIME_ZONE = 'Europe/Istanbul';
const LOCALES: Record<Lang, string> = { tr: 'tr-TR', en: 'en-GB' };

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function numberFormat(lang: Lang, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const k = `n|${lang}|${JSON.stringify(opts)}`;
  let f = cache.get(k) as Intl.NumberFormat | undefined;
  if (!f) cache.set(k, (f = new Intl.NumberFormat(LOCALES[lang], opts)));
  return f;
}
function dateFormat(lang: Lang, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const k = `d|${lang}|${JSON.stringify(opts)}`;
  let f = cache.get(k) as Intl.DateTimeFormat | undefined;
  if (!f) cache.set(k, (f = new Intl.DateTimeFormat(LOCALES[lang], { timeZone: TIME_ZONE, ...opts })));
  return f;
}

const DASH = '–';

function finite(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

/** `12.234` (tr) / `12,234` (en). Always grouped, even below 10.000. */
export function formatInt(n: number | null | undefined, lang: Lang = 'tr'): string {
  if (!finite(n)) return DASH;
  return numberFormat(lang, { maximumFractionDigits: 0, useGrouping: 'always' } as Intl.NumberFormatOptions).format(Math.round(n));
}

/** Signed integer: `+12`, `−12` (true minus sign), `0`. */
export function formatSigned(n: number | null | undefined, lang: Lang = 'tr'): string {
  if (!finite(n)) return DASH;
  if (n === 0) return '0';
  return (n > 0 ? '+' : '−') + formatInt(Math.abs(n), lang);
}

/** A ratio 0..1 as `%45,6` (tr) / `45.6%` (en). */
export function formatPct(ratio: number | null | undefined, lang: Lang = 'tr', digits = 1): string {
  if (!finite(ratio)) return DASH;
  return numberFormat(lang, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(ratio);
}

/** part / whole, or null when whole is 0. */
export function ratio(part: number | null | undefined, whole: number | null | undefined): number | null {
  if (!finite(part) || !finite(whole) || whole <= 0) return null;
  return part / whole;
}

function toDate(d: string | number | Date | null | undefined): Date | null {
  if (d == null || d === '') return null;
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `22:14:05` in Istanbul. */
export function formatTime(d: string | number | Date | null | undefined, lang: Lang = 'tr'): string {
  const date = toDate(d);
  if (!date) return DASH;
  return dateFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(date);
}

/** `22:14` in Istanbul. */
export function formatHm(d: string | number | Date | null | undefined, lang: Lang = 'tr'): string {
  const date = toDate(d);
  if (!date) return DASH;
  return dateFormat(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
}

/** `28.11.2026 22:14` in Istanbul. */
export function formatDateTime(d: string | number | Date | null | undefined, lang: Lang = 'tr'): string {
  const date = toDate(d);
  if (!date) return DASH;
  const parts = dateFormat(lang, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
  const sep = lang === 'tr' ? '.' : '/';
  return `${get('day')}${sep}${get('month')}${sep}${get('year')} ${get('hour')}:${get('minute')}`;
}

/** A duration as `52 sn`, `52 dk`, `3 sa 05 dk` (tr) / `52 s`, `52 min`, `3 h 05 min` (en). */
export function formatAge(ms: number | null | undefined, lang: Lang = 'tr'): string {
  if (!finite(ms) || ms < 0) return DASH;
  const u = lang === 'tr' ? { s: 'sn', m: 'dk', h: 'sa', d: 'g' } : { s: 's', m: 'min', h: 'h', d: 'd' };
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} ${u.s}`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} ${u.m}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} ${u.h} ${String(m % 60).padStart(2, '0')} ${u.m}`;
  return `${Math.floor(h / 24)} ${u.d} ${h % 24} ${u.h}`;
}

/** Milliseconds as `420 ms` or `1,2 sn` / `1.2 s`. */
export function formatMs(ms: number | null | undefined, lang: Lang = 'tr'): string {
  if (!finite(ms)) return DASH;
  if (ms < 1000) return `${formatInt(ms, lang)} ms`;
  const s = numberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(ms / 1000);
  return `${s} ${lang === 'tr' ? 'sn' : 's'}`;
}

/** A decimal with one fraction digit: `4,8` / `4.8`. */
export function formatDecimal(n: number | null | undefined, lang: Lang = 'tr', digits = 1): string {
  if (!finite(n)) return DASH;
  return numberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}
