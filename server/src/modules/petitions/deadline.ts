const ZONE = 'Europe/Istanbul';

/** Minutes Europe/Istanbul is ahead of UTC at an instant (+180 since 2016). */
export function istanbulOffsetMinutes(at: Date): number {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone: ZONE, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** The default objection deadline: `days` after `now`'s date in Istanbul, at `hhmm` Istanbul time. */
export function istanbulDeadline(now: Date, days: number, hhmm: string): Date {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now).map((p) => [p.type, p.value]),
  );
  const [hh, mm] = hhmm.split(':').map(Number);
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day) + days, hh, mm);
  return new Date(wall - istanbulOffsetMinutes(new Date(wall)) * 60_000);
}

/** `31 Mart 2024 Pazar 14:00` in Istanbul time, for petitions. */
export function turkishDateTime(at: Date, withTime = true): string {
  return new Intl.DateTimeFormat('tr-TR', {
    timeZone: ZONE,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
  }).format(at);
}
