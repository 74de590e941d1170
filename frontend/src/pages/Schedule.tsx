import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Api } from '../api/endpoints';
import { useAppointments, useCatalog, useClinic } from '../api/hooks';
import { patientName, usePatientNames } from '../api/names';
import type { Appointment, SlotOffer } from '../api/types';
import { useAuth } from '../auth/store';
import type { CalendarData } from '../engine';
import { useEngine } from '../engine/useEngine';
import { ProblemView } from '../components/ProblemView';
import { StatusBadge } from '../components/StatusBadge';
import { addDays, dayRange, fmtDate, fmtDateTime, today, weekStart } from '../lib/time';
import { useUi } from '../state/ui';
import { AppointmentDialog, type RescheduleTarget } from './schedule/AppointmentDialog';
import { BookingDialog, type BookingDraft } from './schedule/BookingDialog';
import { Grid } from './schedule/Grid';

export function Schedule() {
  const session = useAuth((s) => s.session)!;
  const online = useUi((s) => s.online);
  const { clinic, clinicId, error: clinicError } = useClinic();
  const catalog = useCatalog(clinicId);
  const engine = useEngine();
  const tz = clinic?.time_zone ?? 'UTC';
  const isPatient = session.role === 'patient';
  const [view, setView] = useState<'day' | 'week'>('week');
  const [mode, setMode] = useState<'practitioner' | 'room'>('practitioner');
  const [date, setDate] = useState<string | null>(null);
  const [pracChoice, setPracChoice] = useState('');
  const [roomChoice, setRoomChoice] = useState('');
  const [typeChoice, setTypeChoice] = useState('');
  const [draft, setDraft] = useState<BookingDraft | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [target, setTarget] = useState<RescheduleTarget | null>(null);

  const day = date ?? today(tz);
  const first = view === 'day' ? day : weekStart(day);
  const dates = useMemo(() => Array.from({ length: view === 'day' ? 1 : 7 }, (_, i) => addDays(first, i)), [first, view]);
  const range = dayRange(first, addDays(first, dates.length), tz);

  const practitioners = (catalog.data?.practitioners ?? []).filter((p) => p.active);
  const practitionerId =
    session.role === 'practitioner' && session.practitioner_id ? session.practitioner_id : pracChoice || practitioners[0]?.id || '';
  const rooms = catalog.data?.rooms ?? [];
  const roomId = roomChoice || rooms[0]?.id || '';
  const types = (catalog.data?.types ?? []).filter((t) => t.active && (t.practitioner_ids.length === 0 || t.practitioner_ids.includes(practitionerId)));
  const typeId = types.some((t) => t.id === typeChoice) ? typeChoice : types[0]?.id ?? '';

  // Staff load the whole clinic's appointments for the range, so the engine sees every conflict on screen.
  const appts = useAppointments(clinicId, range.from, range.to, isPatient ? { patient_id: session.patient_id ?? undefined } : {});
  const all = appts.data ?? [];
  const localComplete = !isPatient;
  const data: CalendarData | null = useMemo(
    () => (clinic && catalog.data ? { clinic, ...catalog.data, appointments: all } : null),
    [clinic, catalog.data, all],
  );

  const shown = all.filter((a) => (mode === 'room' ? a.room_id === roomId : isPatient || a.practitioner_id === practitionerId));
  const now = new Date();
  const slotQuery = typeId && practitionerId ? { appointment_type_id: typeId, practitioner_ids: [practitionerId], from: range.from, to: range.to, patient_id: isPatient ? session.patient_id : null } : null;
  const localSlots = useMemo(
    () => (data && slotQuery && localComplete && mode === 'practitioner' ? engine.findSlots(data, slotQuery, now) : null),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [data, engine, typeId, practitionerId, range.from, range.to, mode],
  );
  const serverSlots = useQuery({
    queryKey: ['availability', clinicId, slotQuery],
    queryFn: () => Api.availability(clinicId!, slotQuery!),
    enabled: !!clinicId && !!slotQuery && localSlots === null && mode === 'practitioner',
  });
  const free: SlotOffer[] = mode === 'room' ? [] : localSlots ?? serverSlots.data ?? [];
  const names = usePatientNames(isPatient ? null : clinicId, shown.map((a) => a.patient_id));
  const opened = all.find((a) => a.id === openId) ?? null;
  const canBook = online && !!typeId;

  const label =
    mode === 'room'
      ? `Room ${rooms.find((r) => r.id === roomId)?.name ?? ''}, ${view === 'day' ? fmtDate(first) : `week of ${fmtDate(first)}`}`
      : `${practitioners.find((p) => p.id === practitionerId)?.name ?? 'Practitioner'}, ${view === 'day' ? fmtDate(first) : `week of ${fmtDate(first)}`}`;

  return (
    <section aria-labelledby="sched-title">
      <h1 id="sched-title" className="h1">
        {isPatient ? 'Book an appointment' : 'Schedule'}
      </h1>
      <ProblemView error={clinicError ?? catalog.error ?? appts.error} />
      <div className="mb-3 flex flex-wrap items-end gap-3" role="toolbar" aria-label="Schedule controls">
        <fieldset className="flex gap-1">
          <legend className="label">View</legend>
          {(['day', 'week'] as const).map((v) => (
            <button key={v} type="button" aria-pressed={view === v} className={view === v ? 'btn' : 'btn-secondary'} onClick={() => setView(v)}>
              {v === 'day' ? 'Day' : 'Week'}
            </button>
          ))}
        </fieldset>
        {!isPatient && rooms.length > 0 && (
          <fieldset className="flex gap-1">
            <legend className="label">By</legend>
            {(['practitioner', 'room'] as const).map((v) => (
              <button key={v} type="button" aria-pressed={mode === v} className={mode === v ? 'btn' : 'btn-secondary'} onClick={() => setMode(v)}>
                {v === 'room' ? 'Room' : 'Practitioner'}
              </button>
            ))}
          </fieldset>
        )}
        {mode === 'practitioner' && session.role !== 'practitioner' && (
          <div>
            <label htmlFor="s-prac" className="label">
              Practitioner
            </label>
            <select id="s-prac" className="input" value={practitionerId} onChange={(e) => setPracChoice(e.target.value)}>
              {practitioners.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
        )}
        {mode === 'room' && (
          <div>
            <label htmlFor="s-room" className="label">
              Room
            </label>
            <select id="s-room" className="input" value={roomId} onChange={(e) => setRoomChoice(e.target.value)}>
              {rooms.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </div>
        )}
        {mode === 'practitioner' && (
          <div>
            <label htmlFor="s-type" className="label">
              Free slots for
            </label>
            <select id="s-type" className="input" value={typeId} onChange={(e) => setTypeChoice(e.target.value)}>
              {types.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.duration_minutes} min)
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="flex flex-wrap items-end gap-1">
          <button type="button" className="btn-secondary" onClick={() => setDate(addDays(day, view === 'day' ? -1 : -7))}>
            ‹ Previous
          </button>
          <div>
            <label htmlFor="s-date" className="label">
              Date
            </label>
            <input id="s-date" type="date" className="input" value={day} onChange={(e) => e.target.value && setDate(e.target.value)} />
          </div>
          <button type="button" className="btn-secondary" onClick={() => setDate(addDays(day, view === 'day' ? 1 : 7))}>
            Next ›
          </button>
          <button type="button" className="btn-secondary" onClick={() => setDate(null)}>
            Today
          </button>
        </div>
      </div>
      <p className="mb-2 text-sm text-slate-700" aria-live="polite">
        {appts.isFetching ? 'Loading…' : `${shown.length} appointments, ${online ? `${free.length} free start times shown` : 'free times hidden while offline'}`}
        {engine.source === 'wasm' ? ' · free slots computed in the browser' : ' · free slots from the server'}
      </p>
      <Grid
        label={label}
        dates={dates}
        appointments={shown}
        free={free}
        tz={tz}
        names={names}
        canBook={canBook}
        onBook={(d, m) => setDraft({ practitionerId, typeId, date: d, minute: m })}
        onOpen={(a) => {
          setTarget(null);
          setOpenId(a.id);
        }}
        onDrop={(id, d, m) => {
          setTarget({ date: d, minute: m, practitionerId: mode === 'practitioner' ? practitionerId : undefined });
          setOpenId(id);
        }}
      />
      {!isPatient && (
        <div className="mt-3">
          <button type="button" className="btn" disabled={!canBook} onClick={() => setDraft({ practitionerId, typeId, date: day, minute: 9 * 60 })}>
            Book at a chosen time…
          </button>
        </div>
      )}
      <h2 className="mb-2 mt-6 text-lg font-semibold">Agenda</h2>
      <ul className="space-y-1" aria-label="Appointments in this view">
        {shown.length === 0 && <li>No appointments in this view.</li>}
        {shown
          .slice()
          .sort((a, b) => a.start.localeCompare(b.start))
          .map((a: Appointment) => (
            <li key={a.id}>
              <button type="button" className="flex w-full flex-wrap items-center gap-2 rounded px-2 py-1 text-left hover:bg-slate-100" onClick={() => setOpenId(a.id)} data-agenda={a.id}>
                <span className="font-mono">{fmtDateTime(a.start, tz)}</span>
                <span>{isPatient ? practitioners.find((p) => p.id === a.practitioner_id)?.name : patientName(names.get(a.patient_id))}</span>
                <StatusBadge status={a.status} />
              </button>
            </li>
          ))}
      </ul>
      <BookingDialog draft={draft} onClose={() => setDraft(null)} data={data} engine={engine} localComplete={localComplete} />
      <AppointmentDialog
        appointment={opened}
        patient={opened ? names.get(opened.patient_id) : undefined}
        initialTarget={target}
        onClose={() => {
          setOpenId(null);
          setTarget(null);
        }}
        data={data}
        engine={engine}
        localComplete={localComplete}
      />
    </section>
  );
}
