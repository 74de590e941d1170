import { useQuery } from '@tanstack/react-query';
import { Api } from '../api/endpoints';
import { keys, useAppointments, useCatalog, useClinic } from '../api/hooks';
import { patientName, usePatientNames } from '../api/names';
import { STATUSES } from '../api/types';
import { useAuth } from '../auth/store';
import { ProblemView } from '../components/ProblemView';
import { STATUS_LABEL, StatusBadge } from '../components/StatusBadge';
import { addDays, dayRange, fmtDateTime, fmtTime, today } from '../lib/time';

function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : `${Math.round(x * 1000) / 10}%`;
}

/** Today at a glance; live because the WebSocket invalidates the appointment queries it reads. */
export function Dashboard() {
  const session = useAuth((s) => s.session)!;
  const { clinic, clinicId, error } = useClinic();
  const tz = clinic?.time_zone ?? 'UTC';
  const day = today(tz);
  const range = dayRange(day, addDays(day, 1), tz);
  const isPatient = session.role === 'patient';
  const upcomingTo = dayRange(day, addDays(day, 60), tz).to;
  const appts = useAppointments(clinicId, range.from, isPatient ? upcomingTo : range.to, {
    practitioner_id: session.role === 'practitioner' ? session.practitioner_id ?? undefined : undefined,
    patient_id: isPatient ? session.patient_id ?? undefined : undefined,
  });
  const catalog = useCatalog(clinicId);
  const report = useQuery({
    queryKey: [...keys.report(clinicId ?? ''), 'today', day],
    queryFn: () => Api.report(clinicId!, day, addDays(day, 1)),
    enabled: !!clinicId && !isPatient && !!clinic,
  });
  const list = (appts.data ?? []).slice().sort((a, b) => a.start.localeCompare(b.start));
  const names = usePatientNames(isPatient ? null : clinicId, list.map((a) => a.patient_id));
  const pracName = (id: string) => catalog.data?.practitioners.find((p) => p.id === id)?.name ?? 'Practitioner';
  const now = new Date().toISOString();
  const next = list.filter((a) => a.end >= now && (a.status === 'booked' || a.status === 'arrived')).slice(0, 8);

  if (isPatient) {
    return (
      <section aria-labelledby="dash-title">
        <h1 id="dash-title" className="h1">
          My appointments
        </h1>
        <ProblemView error={error ?? appts.error} />
        <ul className="space-y-2" aria-live="polite">
          {list.length === 0 && !appts.isLoading && <li className="card">No upcoming appointments.</li>}
          {list.map((a) => (
            <li key={a.id} className="card flex flex-wrap items-center justify-between gap-2">
              <span>
                {fmtDateTime(a.start, tz)} with {pracName(a.practitioner_id)}
              </span>
              <StatusBadge status={a.status} />
            </li>
          ))}
        </ul>
      </section>
    );
  }

  const counts = Object.fromEntries(STATUSES.map((s) => [s, list.filter((a) => a.status === s).length]));
  return (
    <section aria-labelledby="dash-title">
      <h1 id="dash-title" className="h1">
        Today
      </h1>
      <ProblemView error={error ?? appts.error} />
      <div className="grid gap-4 md:grid-cols-3">
        <div className="card" aria-labelledby="by-status">
          <h2 id="by-status" className="mb-2 font-semibold">
            Appointments by status
          </h2>
          <dl className="grid grid-cols-2 gap-1" data-testid="status-counts" aria-live="polite">
            {STATUSES.map((s) => (
              <div key={s} className="contents">
                <dt>{STATUS_LABEL[s]}</dt>
                <dd className="text-right font-mono" data-status={s}>
                  {counts[s]}
                </dd>
              </div>
            ))}
            <dt className="font-semibold">Total</dt>
            <dd className="text-right font-mono font-semibold" data-testid="total-today">
              {list.length}
            </dd>
          </dl>
        </div>
        <div className="card">
          <h2 className="mb-2 font-semibold">Next patients</h2>
          <ol className="space-y-1">
            {next.length === 0 && <li>No one else is expected today.</li>}
            {next.map((a) => (
              <li key={a.id} className="flex justify-between gap-2">
                <span>
                  <span className="font-mono">{fmtTime(a.start, tz)}</span> {patientName(names.get(a.patient_id))}
                </span>
                <span className="text-sm text-slate-700">{pracName(a.practitioner_id)}</span>
              </li>
            ))}
          </ol>
        </div>
        <div className="card">
          <h2 className="mb-2 font-semibold">Utilization</h2>
          <p className="text-3xl font-bold" data-testid="utilization">
            {pct(report.data?.totals.utilization)}
          </p>
          <p className="text-sm text-slate-700">
            {report.data ? `${report.data.totals.booked_minutes} of ${report.data.totals.available_minutes} available minutes booked` : 'booked ÷ available minutes today'}
          </p>
          {report.data && (
            <ul className="mt-2 text-sm">
              {report.data.practitioners.map((p) => (
                <li key={p.practitioner_id} className="flex justify-between">
                  <span>{p.name}</span>
                  <span className="font-mono">{pct(p.totals.utilization)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
