import type { LocaleManager } from './managers/locale.svelte';
import * as f from './format';

/** Formatters bound to the current language (reactive through `locale.lang`). */
export function formatters(locale: LocaleManager) {
  return {
    int: (n: number | null | undefined) => f.formatInt(n, locale.lang),
    signed: (n: number | null | undefined) => f.formatSigned(n, locale.lang),
    pct: (r: number | null | undefined, digits = 1) => f.formatPct(r, locale.lang, digits),
    time: (d: string | number | Date | null | undefined) => f.formatTime(d, locale.lang),
    hm: (d: string | number | Date | null | undefined) => f.formatHm(d, locale.lang),
    dateTime: (d: string | number | Date | null | undefined) => f.formatDateTime(d, locale.lang),
    age: (ms: number | null | undefined) => f.formatAge(ms, locale.lang),
    ms: (ms: number | null | undefined) => f.formatMs(ms, locale.lang),
    dec: (n: number | null | undefined, digits = 1) => f.formatDecimal(n, locale.lang, digits),
  };
}
export type Formatters = ReturnType<typeof formatters>;
