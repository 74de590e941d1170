import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState, type ReactNode } from 'react';
import { useForm } from 'react-hook-form';
import { Api } from '../api/endpoints';
import { keys, useCatalog, useClinic } from '../api/hooks';
import { WEEKDAYS, type AppointmentType, type Closure, type Practitioner, type Room, type Schedule, type Weekday } from '../api/types';
import { DataTable } from '../components/DataTable';
import { ProblemView } from '../components/ProblemView';
import { Users } from './admin/Users';

const TABS = ['Users', 'Practitioners', 'Rooms', 'Appointment types', 'Schedules', 'Closures'] as const;
type Tab = (typeof TABS)[number];

export function Admin() {
  const [tab, setTab] = useState<Tab>('Users');
  const { clinic, clinicId } = useClinic();
  const catalog = useCatalog(clinicId);
  const onKey = (e: React.KeyboardEvent, i: number) => {
    const n = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : null;
    if (n === null) return;
    const next = TABS[(n + TABS.length) % TABS.length]!;
    setTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  };
  return (
    <section aria-labelledby="admin-h">
      <h1 id="admin-h" className="h1">
        Administration
      </h1>
      <div role="tablist" aria-label="Administration sections" className="mb-4 flex flex-wrap gap-1 border-b border-slate-300">
        {TABS.map((t, i) => (
          <button
            key={t}
            id={`tab-${t}`}
            role="tab"
            type="button"
            aria-selected={tab === t}
            aria-controls="admin-panel"
            tabIndex={tab === t ? 0 : -1}
            onKeyDown={(e) => onKey(e, i)}
            onClick={() => setTab(t)}
            className={`-mb-px border-b-4 px-3 py-2 ${tab === t ? 'border-blue-800 font-semibold' : 'border-transparent'}`}
          >
            {t}
          </button>
        ))}
      </div>
      <div id="admin-panel" role="tabpanel" aria-labelledby={`tab-${tab}`} tabIndex={0}>
        <ProblemView error={catalog.error} />
        {clinicId && tab === 'Users' && <Users clinicId={clinicId} practitioners={catalog.data?.practitioners ?? []} />}
        {clinicId && tab === 'Practitioners' && <Practitioners clinicId={clinicId} items={catalog.data?.practitioners ?? []} />}
        {clinicId && tab === 'Rooms' && <Rooms clinicId={clinicId} items={catalog.data?.rooms ?? []} />}
        {clinicId && tab === 'Appointment types' && <Types clinicId={clinicId} items={catalog.data?.types ?? []} practitioners={catalog.data?.practitioners ?? []} />}
        {clinicId && tab === 'Schedules' && <Schedules clinicId={clinicId} items={catalog.data?.schedules ?? []} practitioners={catalog.data?.practitioners ?? []} rooms={catalog.data?.rooms ?? []} />}
        {clinic && tab === 'Closures' && <Closures clinic={clinic} />}
      </div>
    </section>
  );
}

function Field({ id, label, error, children }: { id: string; label: string; error?: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="label">
        {label}
      </label>
      {children}
      {error && (
        <p id={`${id}-err`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function useSave<T>(fn: (x: T) => Promise<unknown>, invalidate: readonly unknown[], after?: () => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: invalidate });
      after?.();
    },
  });
}

function NameList<T extends { id: string; name: string; active: boolean }>({ items, caption, onSave, error }: { items: T[]; caption: string; onSave: (name: string) => void; error: unknown }) {
  const [name, setName] = useState('');
  const [err, setErr] = useState('');
  const cols: ColumnDef<T>[] = [
    { accessorKey: 'name', header: 'Name' },
    { accessorKey: 'active', header: 'Active', cell: (c) => (c.getValue() ? 'yes' : 'no') },
  ];
  const id = caption.replace(/\W/g, '').toLowerCase();
  return (
    <div className="space-y-4">
      <DataTable data={items} columns={cols} caption={caption} rowKey={(x) => x.id} />
      <form
        className="card flex flex-wrap items-end gap-3"
        aria-label={`Add ${caption.toLowerCase()}`}
        onSubmit={(e) => {
          e.preventDefault();
          if (!name.trim()) return setErr('Enter a name');
          setErr('');
          onSave(name.trim());
          setName('');
        }}
      >
        <Field id={`${id}-name`} label="Name" error={err}>
          <input id={`${id}-name`} className="input" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!!err} />
        </Field>
        <button className="btn" type="submit">
          Add
        </button>
        <div className="w-full">
          <ProblemView error={error} />
        </div>
      </form>
    </div>
  );
}

function Practitioners({ clinicId, items }: { clinicId: string; items: Practitioner[] }) {
  const save = useSave((name: string) => Api.savePractitioner(clinicId, { name, active: true }), keys.catalog(clinicId));
  return <NameList items={items} caption="Practitioners" onSave={(n) => save.mutate(n)} error={save.error} />;
}

function Rooms({ clinicId, items }: { clinicId: string; items: Room[] }) {
  const save = useSave((name: string) => Api.saveRoom(clinicId, { name, active: true }), keys.catalog(clinicId));
  return <NameList items={items} caption="Rooms" onSave={(n) => save.mutate(n)} error={save.error} />;
}

function Types({ clinicId, items, practitioners }: { clinicId: string; items: AppointmentType[]; practitioners: Practitioner[] }) {
  const { register, handleSubmit, reset, formState: { errors } } = useForm({
    defaultValues: { name: '', duration_minutes: 20, buffer_before_minutes: 0, buffer_after_minutes: 0, capacity: 1, min_notice_minutes: 0, max_horizon_days: 90 },
  });
  const save = useSave(
    (v: { name: string; duration_minutes: number; buffer_before_minutes: number; buffer_after_minutes: number; capacity: number; min_notice_minutes: number; max_horizon_days: number }) =>
      Api.saveType(clinicId, { ...v, practitioner_ids: practitioners.map((p) => p.id), active: true }),
    keys.catalog(clinicId),
    () => reset(),
  );
  const cols: ColumnDef<AppointmentType>[] = [
    { accessorKey: 'name', header: 'Name' },
    { accessorKey: 'duration_minutes', header: 'Minutes' },
    { accessorKey: 'capacity', header: 'Capacity' },
    { accessorKey: 'min_notice_minutes', header: 'Min notice (min)' },
    { accessorKey: 'max_horizon_days', header: 'Horizon (days)' },
  ];
  const num = (name: 'duration_minutes' | 'buffer_before_minutes' | 'buffer_after_minutes' | 'capacity' | 'min_notice_minutes' | 'max_horizon_days', label: string, min: number, max: number) => (
    <Field id={`t-${name}`} label={label} error={errors[name]?.message}>
      <input id={`t-${name}`} type="number" className="input" {...register(name, { valueAsNumber: true, min: { value: min, message: `At least ${min}` }, max: { value: max, message: `At most ${max}` } })} />
    </Field>
  );
  return (
    <div className="space-y-4">
      <DataTable data={items} columns={cols} caption="Appointment types" rowKey={(t) => t.id} />
      <form onSubmit={handleSubmit((v) => save.mutate(v))} className="card grid gap-3 sm:grid-cols-4" noValidate aria-label="Add appointment type">
        <Field id="t-name" label="Name" error={errors.name?.message}>
          <input id="t-name" className="input" {...register('name', { required: 'Required' })} />
        </Field>
        {num('duration_minutes', 'Duration (minutes)', 1, 720)}
        {num('buffer_before_minutes', 'Buffer before', 0, 240)}
        {num('buffer_after_minutes', 'Buffer after', 0, 240)}
        {num('capacity', 'Capacity', 1, 100)}
        {num('min_notice_minutes', 'Minimum notice (minutes)', 0, 100000)}
        {num('max_horizon_days', 'Booking horizon (days)', 1, 730)}
        <div className="sm:col-span-4">
          <ProblemView error={save.error} />
          <button className="btn" type="submit">
            Add type
          </button>
        </div>
      </form>
    </div>
  );
}

function Schedules({ clinicId, items, practitioners, rooms }: { clinicId: string; items: Schedule[]; practitioners: Practitioner[]; rooms: Room[] }) {
  const name = (s: Schedule) => (s.resource.kind === 'practitioner' ? practitioners.find((p) => p.id === s.resource.id)?.name : rooms.find((r) => r.id === s.resource.id)?.name) ?? s.resource.id;
  const { register, handleSubmit, formState: { errors } } = useForm({
    defaultValues: { resource: practitioners[0] ? `practitioner:${practitioners[0].id}` : '', days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'] as Weekday[], start: '09:00', end: '17:00', valid_from: new Date().toISOString().slice(0, 10), granularity_minutes: 15 },
  });
  const save = useSave(
    (v: { resource: string; days: Weekday[]; start: string; end: string; valid_from: string; granularity_minutes: number }) => {
      const [kind, id] = v.resource.split(':') as ['practitioner' | 'room', string];
      return Api.saveSchedule(clinicId, {
        resource: { kind, id },
        weekly_hours: v.days.map((weekday) => ({ weekday, start: v.start, end: v.end })),
        recurrences: [],
        breaks: [],
        exceptions: [],
        valid_from: v.valid_from,
        valid_until: null,
        granularity_minutes: v.granularity_minutes,
      });
    },
    keys.catalog(clinicId),
  );
  const cols: ColumnDef<Schedule>[] = [
    { id: 'res', header: 'Resource', accessorFn: name },
    { id: 'hours', header: 'Weekly hours', accessorFn: (s) => s.weekly_hours.map((h) => `${h.weekday} ${h.start.slice(0, 5)}–${h.end.slice(0, 5)}`).join(', ') },
    { accessorKey: 'valid_from', header: 'From' },
    { accessorKey: 'valid_until', header: 'Until', cell: (c) => c.getValue() ?? '—' },
    { accessorKey: 'granularity_minutes', header: 'Step (min)' },
  ];
  return (
    <div className="space-y-4">
      <DataTable data={items} columns={cols} caption="Schedules" rowKey={(s) => s.id} />
      <form onSubmit={handleSubmit((v) => save.mutate(v))} className="card grid gap-3 sm:grid-cols-3" noValidate aria-label="Add schedule">
        <Field id="s-res" label="Resource">
          <select id="s-res" className="input" {...register('resource', { required: true })}>
            {practitioners.map((p) => (
              <option key={p.id} value={`practitioner:${p.id}`}>
                {p.name}
              </option>
            ))}
            {rooms.map((r) => (
              <option key={r.id} value={`room:${r.id}`}>
                Room {r.name}
              </option>
            ))}
          </select>
        </Field>
        <fieldset>
          <legend className="label">Days</legend>
          <div className="flex flex-wrap gap-2">
            {WEEKDAYS.map((d) => (
              <label key={d} className="text-sm">
                <input type="checkbox" value={d} {...register('days')} /> {d}
              </label>
            ))}
          </div>
        </fieldset>
        <Field id="s-gran" label="Slot step (minutes)">
          <input id="s-gran" type="number" className="input" {...register('granularity_minutes', { valueAsNumber: true })} />
        </Field>
        <Field id="s-start" label="Opens (HH:MM)" error={errors.start?.message}>
          <input id="s-start" className="input" {...register('start', { pattern: { value: /^\d{2}:\d{2}$/, message: 'HH:MM' } })} />
        </Field>
        <Field id="s-end" label="Closes (HH:MM)" error={errors.end?.message}>
          <input id="s-end" className="input" {...register('end', { pattern: { value: /^\d{2}:\d{2}$/, message: 'HH:MM' } })} />
        </Field>
        <Field id="s-from" label="Valid from">
          <input id="s-from" type="date" className="input" {...register('valid_from')} />
        </Field>
        <div className="sm:col-span-3">
          <ProblemView error={save.error} />
          <button className="btn" type="submit">
            Add schedule
          </button>
        </div>
      </form>
    </div>
  );
}

function Closures({ clinic }: { clinic: import('../api/types').Clinic }) {
  const qc = useQueryClient();
  const [c, setC] = useState<Closure>({ date: '', reason: '' });
  const save = useMutation({
    mutationFn: (closures: Closure[]) => Api.updateClinic(clinic, closures),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.clinics });
      void qc.invalidateQueries({ queryKey: keys.clinic(clinic.id) });
      setC({ date: '', reason: '' });
    },
  });
  return (
    <div className="space-y-4">
      <ul className="card space-y-1">
        {clinic.closures.length === 0 && <li>No closures.</li>}
        {clinic.closures.map((x, i) => (
          <li key={i} className="flex items-center justify-between gap-2">
            <span>
              {x.date} {x.start ? `${x.start}–${x.end}` : '(whole day)'} {x.reason}
            </span>
            <button type="button" className="btn-secondary text-sm" onClick={() => save.mutate(clinic.closures.filter((_, j) => j !== i))}>
              Remove<span className="sr-only"> closure on {x.date}</span>
            </button>
          </li>
        ))}
      </ul>
      <form
        className="card flex flex-wrap items-end gap-3"
        aria-label="Add closure"
        onSubmit={(e) => {
          e.preventDefault();
          if (c.date) save.mutate([...clinic.closures, { ...c, start: c.start || null, end: c.end || null }]);
        }}
      >
        <Field id="cl-date" label="Date">
          <input id="cl-date" type="date" className="input" required value={c.date} onChange={(e) => setC({ ...c, date: e.target.value })} />
        </Field>
        <Field id="cl-start" label="From (optional)">
          <input id="cl-start" className="input" placeholder="HH:MM" value={c.start ?? ''} onChange={(e) => setC({ ...c, start: e.target.value })} />
        </Field>
        <Field id="cl-end" label="To (optional)">
          <input id="cl-end" className="input" placeholder="HH:MM" value={c.end ?? ''} onChange={(e) => setC({ ...c, end: e.target.value })} />
        </Field>
        <Field id="cl-reason" label="Reason">
          <input id="cl-reason" className="input" value={c.reason} onChange={(e) => setC({ ...c, reason: e.target.value })} />
        </Field>
        <button className="btn" type="submit">
          Add closure
        </button>
        <div className="w-full">
          <ProblemView error={save.error} />
        </div>
      </form>
    </div>
  );
}
