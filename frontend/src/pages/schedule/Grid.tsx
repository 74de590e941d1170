import { useRef, useState, type KeyboardEvent } from 'react';
import type { Appointment, Patient, SlotOffer } from '../../api/types';
import { patientName } from '../../api/names';
import { fmtDate, fmtTime } from '../../lib/time';
import { buildCells, hhmm, rowsOfDay } from './model';

/**
 * The calendar as an ARIA grid: days are columns, quarter hours are rows. One cell is in the tab order at a
 * time (roving tabindex); arrow keys, Home/End and PageUp/PageDown move, Enter opens the cell's first
 * appointment or books its free slot. Appointments can be dragged onto a free cell to reschedule; the keyboard
 * way is the same move: M picks up the cell's appointment, the arrow keys carry it, Enter drops it (Escape
 * puts it back), and the drop opens the same confirmation the drag does.
 */
export function Grid({
  label,
  dates,
  appointments,
  free,
  tz,
  names,
  onBook,
  onOpen,
  onDrop,
  canBook,
}: {
  label: string;
  dates: string[];
  appointments: Appointment[];
  free: SlotOffer[];
  tz: string;
  names: Map<string, Patient>;
  onBook: (date: string, minute: number, offer: SlotOffer | null) => void;
  onOpen: (a: Appointment) => void;
  onDrop: (appointmentId: string, date: string, minute: number) => void;
  canBook: boolean;
}) {
  const rows = rowsOfDay();
  const cells = buildCells(dates, appointments, free, tz);
  const firstBusy = rows.findIndex((m) => dates.some((d) => (cells.get(`${d}|${m}`)?.appointments.length ?? 0) > 0 || cells.get(`${d}|${m}`)?.free));
  const [pos, setPos] = useState<[number, number]>([Math.max(0, firstBusy), 0]);
  const table = useRef<HTMLTableElement>(null);
  const [moving, setMoving] = useState<Appointment | null>(null);
  const movable = (a: Appointment) => a.status === 'booked' || a.status === 'proposed';

  const focusCell = (r: number, c: number) => {
    const rr = Math.max(0, Math.min(rows.length - 1, r));
    const cc = Math.max(0, Math.min(dates.length - 1, c));
    setPos([rr, cc]);
    table.current?.querySelector<HTMLElement>(`[data-cell="${rr}-${cc}"]`)?.focus();
  };

  const onKey = (e: KeyboardEvent, r: number, c: number) => {
    const moves: Record<string, [number, number]> = {
      ArrowDown: [r + 1, c],
      ArrowUp: [r - 1, c],
      ArrowRight: [r, c + 1],
      ArrowLeft: [r, c - 1],
      Home: [r, 0],
      End: [r, dates.length - 1],
      PageDown: [r + 4, c],
      PageUp: [r - 4, c],
    };
    const to = moves[e.key];
    if (to) {
      e.preventDefault();
      focusCell(to[0], to[1]);
      return;
    }
    const cell = cells.get(`${dates[c]}|${rows[r]}`);
    if ((e.key === 'm' || e.key === 'M') && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const a = cell?.appointments.find(movable);
      if (a) {
        e.preventDefault();
        setMoving(a);
      }
      return;
    }
    if (e.key === 'Escape' && moving) {
      e.preventDefault();
      e.stopPropagation();
      setMoving(null);
      return;
    }
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      if (!cell) return;
      if (moving) {
        const id = moving.id;
        setMoving(null);
        onDrop(id, cell.date, minuteOf(cell.free, tz, cell.minute));
        return;
      }
      if (cell.appointments[0]) onOpen(cell.appointments[0]);
      else if (cell.free && canBook) onBook(cell.date, cell.minute, cell.free);
    }
  };

  return (
    <div>
    <p id="grid-help" className="mb-1 text-xs text-slate-700">
      Keyboard: arrow keys move between cells, Enter opens an appointment or books a free time, M picks an appointment up to move it (Enter drops it, Escape cancels).
    </p>
    <p role="status" aria-live="assertive" data-testid="move-status" className={moving ? 'mb-1 rounded bg-amber-100 px-2 py-1 text-sm text-amber-950' : 'sr-only'}>
      {moving
        ? `Moving the ${fmtTime(moving.start, tz)} appointment of ${patientName(names.get(moving.patient_id), 'the patient')}: go to the new time and press Enter, or Escape to leave it.`
        : ''}
    </p>
    <div className="relative overflow-x-auto rounded border border-slate-300 bg-white">
      <table ref={table} role="grid" aria-label={label} aria-describedby="grid-help" className="w-full table-fixed border-collapse text-sm">
        <thead>
          <tr role="row">
            <th role="columnheader" scope="col" className="w-16 border-b border-slate-300 p-1 text-left">
              <span className="sr-only">Time</span>
            </th>
            {dates.map((d) => (
              <th key={d} role="columnheader" scope="col" className="border-b border-l border-slate-300 p-1 text-left" data-date={d}>
                {fmtDate(d)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((m, r) => (
            <tr role="row" key={m} className={m % 60 === 0 ? 'border-t border-slate-300' : ''}>
              <th role="rowheader" scope="row" className="p-1 text-left align-top font-mono text-xs font-normal text-slate-700">
                {m % 30 === 0 ? hhmm(m) : <span className="sr-only">{hhmm(m)}</span>}
              </th>
              {dates.map((d, c) => {
                const cell = cells.get(`${d}|${m}`)!;
                const active = pos[0] === r && pos[1] === c;
                const desc = [
                  ...cell.appointments.map((a) => `${fmtTime(a.start, tz)} ${patientName(names.get(a.patient_id), 'appointment')} ${a.status}`),
                  cell.free ? `free at ${fmtTime(cell.free.start, tz)}` : '',
                ]
                  .filter(Boolean)
                  .join(', ');
                return (
                  <td
                    key={d}
                    role="gridcell"
                    tabIndex={active ? 0 : -1}
                    data-cell={`${r}-${c}`}
                    data-date={d}
                    data-time={hhmm(m)}
                    aria-describedby={desc ? `cell-desc-${r}-${c}` : undefined}
                    onFocus={() => setPos([r, c])}
                    onKeyDown={(e) => onKey(e, r, c)}
                    onDragOver={(e) => e.preventDefault()}
                    onDrop={(e) => {
                      e.preventDefault();
                      const id = e.dataTransfer.getData('text/appointment-id');
                      if (id) onDrop(id, d, minuteOf(cell.free, tz, m));
                    }}
                    data-move-target={moving && active ? 'true' : undefined}
                    className={`h-7 border-l border-slate-200 p-0.5 align-top ${moving && active ? 'outline outline-2 -outline-offset-2 outline-amber-600' : ''}`}
                  >
                    {/* The cell's name is its visible content plus where it is, so screen readers hear both. */}
                    <span className="sr-only">
                      {fmtDate(d)} {hhmm(m)}
                    </span>
                    {desc && (
                      <span id={`cell-desc-${r}-${c}`} hidden>
                        {desc}
                      </span>
                    )}
                    {cell.appointments.map((a) => (
                      <button
                        key={a.id}
                        type="button"
                        tabIndex={-1}
                        draggable={movable(a)}
                        onDragStart={(e) => e.dataTransfer.setData('text/appointment-id', a.id)}
                        onClick={() => onOpen(a)}
                        data-appointment={a.id}
                        data-status={a.status}
                        data-moving={moving?.id === a.id ? 'true' : undefined}
                        className={`mb-0.5 block w-full truncate rounded px-1 text-left text-xs ${
                          a.status === 'cancelled' ? 'bg-red-100 text-red-900 line-through' : a.status === 'noshow' ? 'bg-purple-100 text-purple-900' : 'bg-blue-800 text-white'
                        }`}
                      >
                        {fmtTime(a.start, tz)} {patientName(names.get(a.patient_id), 'Appointment')}
                      </button>
                    ))}
                    {cell.free && canBook && cell.appointments.length === 0 && (
                      <button
                        type="button"
                        tabIndex={-1}
                        onClick={() => onBook(d, m, cell.free)}
                        data-free={cell.free.start}
                        className="block w-full rounded border border-dashed border-green-700 px-1 text-left text-xs text-green-900 hover:bg-green-50"
                      >
                        Free {fmtTime(cell.free.start, tz)}
                      </button>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
    </div>
  );
}

function minuteOf(free: SlotOffer | null, tz: string, fallback: number): number {
  if (!free) return fallback;
  const [h, m] = fmtTime(free.start, tz).split(':').map(Number) as [number, number];
  return h * 60 + m;
}
