import type { Appointment, AppointmentStatus, SlotOffer } from '../../api/types';
import { minutesOfDay, zoned } from '../../lib/time';

export const DAY_START = 7 * 60;
export const DAY_END = 20 * 60;
export const ROW_MINUTES = 15;

export function rowsOfDay(): number[] {
  const out: number[] = [];
  for (let m = DAY_START; m < DAY_END; m += ROW_MINUTES) out.push(m);
  return out;
}

export function hhmm(min: number): string {
  return `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
}

export function parseHhmm(s: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  return h < 24 && mi < 60 ? h * 60 + mi : null;
}

export interface Cell {
  date: string;
  minute: number;
  appointments: Appointment[];
  /** The earliest free start inside this cell, if any. */
  free: SlotOffer | null;
}

/** Places appointments and free starts into `date × row` cells (clinic-local). */
export function buildCells(dates: string[], appts: Appointment[], free: SlotOffer[], tz: string): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  const key = (d: string, m: number) => `${d}|${m}`;
  for (const d of dates) for (const m of rowsOfDay()) cells.set(key(d, m), { date: d, minute: m, appointments: [], free: null });
  const rowOf = (iso: string) => {
    const z = zoned(iso, tz);
    const m = minutesOfDay(iso, tz);
    return cells.get(key(z.date, Math.floor(m / ROW_MINUTES) * ROW_MINUTES));
  };
  for (const a of appts) rowOf(a.start)?.appointments.push(a);
  for (const f of free) {
    const c = rowOf(f.start);
    if (c && (!c.free || f.start < c.free.start)) c.free = f;
  }
  return cells;
}

/** Status buttons offered in the UI (the server's state machine decides; this only avoids dead buttons). */
export const NEXT_STATUSES: Record<AppointmentStatus, AppointmentStatus[]> = {
  proposed: ['booked'],
  booked: ['arrived', 'noshow'],
  arrived: ['fulfilled'],
  fulfilled: [],
  cancelled: [],
  noshow: [],
};

export const ACTIVE: AppointmentStatus[] = ['proposed', 'booked', 'arrived'];
