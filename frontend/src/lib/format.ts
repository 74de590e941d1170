import type { Figures, Report } from '../api/types';

/** A rate as a percentage with one decimal; `-` for a figure over nothing (the core's null). */
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '-' : `${(Math.round(x * 1000) / 10).toFixed(1)}%`;
}

export function reportCsv(r: Report): string {
  const rows: unknown[][] = [];
  const push = (scope: string, name: string, kind: string, period: string, f: Figures) =>
    rows.push([scope, name, kind, period, f.appointments, f.by_status.booked, f.by_status.fulfilled, f.by_status.cancelled, f.by_status.noshow, f.available_minutes, f.booked_minutes, f.utilization ?? '', f.no_show_rate ?? '', f.cancellation_rate ?? '', f.late_cancellations]);
  push('clinic', '', 'total', `${r.from}..${r.to}`, r.totals);
  r.days.forEach((d) => push('clinic', '', 'day', d.date, d.figures));
  r.weeks.forEach((w) => push('clinic', '', 'week', w.week, w.figures));
  r.practitioners.forEach((p) => {
    push('practitioner', p.name, 'total', `${r.from}..${r.to}`, p.totals);
    p.days.forEach((d) => push('practitioner', p.name, 'day', d.date, d.figures));
  });
  return [
    ['scope', 'practitioner', 'period_kind', 'period', 'appointments', 'booked', 'fulfilled', 'cancelled', 'noshow', 'available_minutes', 'booked_minutes', 'utilization', 'no_show_rate', 'cancellation_rate', 'late_cancellations'],
    ...rows,
  ]
    .map((r) => r.map((c) => (/[",\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c))).join(','))
    .join('\r\n');
}
