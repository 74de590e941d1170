/**
 * Clinic-local dates and times for display and for building query ranges. Wall time → instant conversion
 * here only decides which UTC range to ask about or which cell to draw in; whether a time is bookable
 * (DST gaps included) is always the engine's answer.
 */

export type LocalDate = string; // YYYY-MM-DD

const partsCache = new Map<string, Intl.DateTimeFormat>();
function partsFormat(tz: string): Intl.DateTimeFormat {
  let f = partsCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      weekday: 'short',
    });
    partsCache.set(tz, f);
  }
  return f;
}

export interface ZonedParts {
  date: LocalDate;
  hour: number;
  minute: number;
  /** 0 = Monday … 6 = Sunday */
  weekday: number;
}

const WD: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

export function zoned(instant: Date | string, tz: string): ZonedParts {
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  const p: Record<string, string> = {};
  for (const x of partsFormat(tz).formatToParts(d)) p[x.type] = x.value;
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    hour: Number(p.hour) % 24,
    minute: Number(p.minute),
    weekday: WD[p.weekday ?? 'Mon'] ?? 0,
  };
}

/** Minutes east of UTC that `tz` is at `instant`. */
export function offsetMinutes(instant: Date, tz: string): number {
  const z = zoned(instant, tz);
  const [y, m, d] = z.date.split('-').map(Number) as [number, number, number];
  const asUtc = Date.UTC(y, m - 1, d, z.hour, z.minute);
  return Math.round((asUtc - Math.floor(instant.getTime() / 60000) * 60000) / 60000);
}

/** The instant a clinic-local wall time falls on (earlier instant when ambiguous; shifted forward in a gap). */
export function wallToInstant(date: LocalDate, minutesOfDay: number, tz: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const naive = Date.UTC(y, m - 1, d, 0, minutesOfDay);
  // The offsets in force a day either side bound the candidates (no zone changes twice within a day).
  const offsets = new Set([-86_400_000, 0, 86_400_000].map((dt) => offsetMinutes(new Date(naive + dt), tz)));
  const candidates = [...offsets].map((o) => naive - o * 60000).sort((a, b) => a - b);
  const valid = candidates.filter((c) => {
    const z = zoned(new Date(c), tz);
    return z.date === date && z.hour * 60 + z.minute === minutesOfDay;
  });
  // Ambiguous (fall-back): the earlier instant. Nonexistent (spring-forward gap): past the gap.
  return new Date(valid.length ? valid[0]! : candidates[candidates.length - 1]!);
}

export function addDays(date: LocalDate, n: number): LocalDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return t.toISOString().slice(0, 10);
}

/** Monday of the ISO week holding `date`. */
export function weekStart(date: LocalDate): LocalDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wd = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  return addDays(date, -wd);
}

export function today(tz: string, now: Date = new Date()): LocalDate {
  return zoned(now, tz).date;
}

/** `[start, end)` instants of a clinic-local day range (`to` exclusive). */
export function dayRange(from: LocalDate, to: LocalDate, tz: string): { from: string; to: string } {
  return { from: wallToInstant(from, 0, tz).toISOString(), to: wallToInstant(to, 0, tz).toISOString() };
}

export function fmtTime(instant: string | Date, tz: string): string {
  const z = zoned(instant, tz);
  return `${String(z.hour).padStart(2, '0')}:${String(z.minute).padStart(2, '0')}`;
}

export function fmtDate(date: LocalDate, opts: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short' }): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat('en-GB', { ...opts, timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

export function fmtDateTime(instant: string, tz: string): string {
  const z = zoned(instant, tz);
  return `${fmtDate(z.date)} ${fmtTime(instant, tz)}`;
}

export function minutesOfDay(instant: string | Date, tz: string): number {
  const z = zoned(instant, tz);
  return z.hour * 60 + z.minute;
}
