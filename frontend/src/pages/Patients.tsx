import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { Api } from '../api/endpoints';
import { keys, useAppointments, useCatalog, useClinic } from '../api/hooks';
import { usePatientNames } from '../api/names';
import type { Patient } from '../api/types';
import { useAuth } from '../auth/store';
import { DataTable } from '../components/DataTable';
import { ProblemView } from '../components/ProblemView';
import { StatusBadge } from '../components/StatusBadge';
import { useEngine } from '../engine/useEngine';
import { addDays, dayRange, fmtDateTime, today } from '../lib/time';
import { ImportPanel } from './patients/ImportPanel';
import { PatientForm } from './patients/PatientForm';

const PAGE = 25;

function useDebounced<T>(v: T, ms = 250): T {
  const [d, setD] = useState(v);
  useEffect(() => {
    const t = setTimeout(() => setD(v), ms);
    return () => clearTimeout(t);
  }, [v, ms]);
  return d;
}

export function Patients() {
  const { id } = useParams();
  const session = useAuth((s) => s.session)!;
  const { clinicId, error: clinicError } = useClinic();
  const engine = useEngine();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const query = useDebounced(q);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [creating, setCreating] = useState(false);
  useEffect(() => setCursors([undefined]), [query]);
  const cursor = cursors[cursors.length - 1];
  const isPractitioner = session.role === 'practitioner';
  const list = useQuery({
    queryKey: [...keys.patients(clinicId ?? ''), 'list', query, cursor],
    queryFn: () => Api.patients(clinicId!, { q: query || undefined, cursor, limit: PAGE }),
    enabled: !!clinicId && !id && !isPractitioner,
    placeholderData: (prev) => prev,
  });
  // A practitioner may read only the patients they see: those come from their own appointments.
  const own = useOwnPatients(isPractitioner ? clinicId : null, query);
  const canWrite = session.role === 'admin' || session.role === 'scheduler';

  const columns: ColumnDef<Patient>[] = [
    {
      id: 'name',
      header: 'Name',
      accessorFn: (p) => `${p.family_name}, ${p.given_name}`,
      cell: (c) => (
        <Link className="text-blue-800 underline" to={`/patients/${c.row.original.id}`}>
          {String(c.getValue())}
        </Link>
      ),
    },
    { accessorKey: 'mrn', header: 'MRN', cell: (c) => c.getValue() ?? '—' },
    { accessorKey: 'date_of_birth', header: 'Date of birth', cell: (c) => c.getValue() ?? '—' },
    { id: 'phone', header: 'Phone', accessorFn: (p) => p.contact?.phone ?? '', cell: (c) => c.getValue() || '—' },
    { id: 'email', header: 'E-mail', accessorFn: (p) => p.contact?.email ?? '', cell: (c) => c.getValue() || '—' },
  ];

  if (id && clinicId) return <PatientDetail clinicId={clinicId} id={id} canWrite={canWrite} onBack={() => navigate('/patients')} engine={engine} />;

  return (
    <section aria-labelledby="patients-h">
      <h1 id="patients-h" className="h1">
        Patients
      </h1>
      <ProblemView error={clinicError ?? list.error} />
      <div className="mb-3 flex flex-wrap items-end gap-3">
        <div className="grow">
          <label htmlFor="pat-search" className="label">
            Search by name, MRN or phone
          </label>
          <input id="pat-search" type="search" className="input" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        {canWrite && (
          <button type="button" className="btn" onClick={() => setCreating((v) => !v)} aria-expanded={creating}>
            New patient
          </button>
        )}
      </div>
      {creating && clinicId && (
        <div className="card mb-4">
          <h2 className="mb-2 text-lg font-semibold">New patient</h2>
          <PatientForm
            clinicId={clinicId}
            patient={null}
            engine={engine}
            onDone={(p) => {
              setCreating(false);
              navigate(`/patients/${p.id}`);
            }}
          />
        </div>
      )}
      <DataTable data={isPractitioner ? own : list.data?.items ?? []} columns={columns} caption="Patients" rowKey={(p) => p.id} empty={list.isLoading ? 'Loading…' : 'No patients match.'} />
      {!isPractitioner && (
      <nav aria-label="Patient pages" className="mt-2 flex items-center gap-2">
        <button type="button" className="btn-secondary" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
          ‹ Previous
        </button>
        <span className="text-sm">Page {cursors.length}</span>
        <button type="button" className="btn-secondary" disabled={!list.data?.next_cursor} onClick={() => setCursors((c) => [...c, list.data?.next_cursor ?? undefined])}>
          Next ›
        </button>
      </nav>
      )}
      {canWrite && clinicId && <ImportPanel clinicId={clinicId} engine={engine} />}
    </section>
  );
}

function useOwnPatients(clinicId: string | null, filter: string): Patient[] {
  const { clinic } = useClinic();
  const tz = clinic?.time_zone ?? 'UTC';
  const t = today(tz);
  const range = dayRange(addDays(t, -30), addDays(t, 60), tz);
  const appts = useAppointments(clinicId, range.from, range.to);
  const names = usePatientNames(clinicId, (appts.data ?? []).map((a) => a.patient_id));
  const f = filter.trim().toLowerCase();
  return [...names.values()].filter(
    (p) => !f || p.given_name.toLowerCase().startsWith(f) || p.family_name.toLowerCase().startsWith(f) || p.mrn?.toLowerCase() === f,
  );
}

function PatientDetail({ clinicId, id, canWrite, onBack, engine }: { clinicId: string; id: string; canWrite: boolean; onBack: () => void; engine: ReturnType<typeof useEngine> }) {
  const { clinic } = useClinic();
  const catalog = useCatalog(clinicId);
  const patient = useQuery({ queryKey: ['patient', clinicId, id], queryFn: () => Api.patient(clinicId, id) });
  const appts = useQuery({ queryKey: [...keys.appointments(clinicId), 'patient', id], queryFn: () => Api.appointments(clinicId, { patient_id: id }) });
  const [editing, setEditing] = useState(false);
  const tz = clinic?.time_zone ?? 'UTC';
  const p = patient.data;
  return (
    <section aria-labelledby="pd-h">
      <button type="button" className="btn-secondary mb-3" onClick={onBack}>
        ‹ All patients
      </button>
      <ProblemView error={patient.error} />
      {p && (
        <>
          <h1 id="pd-h" className="h1">
            {p.given_name} {p.family_name}
          </h1>
          {editing ? (
            <div className="card mb-4">
              <PatientForm clinicId={clinicId} patient={p} engine={engine} onDone={() => setEditing(false)} />
            </div>
          ) : (
            <div className="card mb-4">
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
                <dt className="font-medium">MRN</dt>
                <dd>{p.mrn ?? '—'}</dd>
                <dt className="font-medium">Date of birth</dt>
                <dd>{p.date_of_birth ?? '—'}</dd>
                <dt className="font-medium">Phone</dt>
                <dd>{p.contact?.phone ?? '—'}</dd>
                <dt className="font-medium">E-mail</dt>
                <dd>{p.contact?.email ?? '—'}</dd>
              </dl>
              {canWrite && (
                <button type="button" className="btn mt-3" onClick={() => setEditing(true)}>
                  Edit
                </button>
              )}
            </div>
          )}
          <h2 className="mb-2 text-lg font-semibold">Appointments</h2>
          <ProblemView error={appts.error} />
          <ul className="space-y-1">
            {(appts.data ?? []).length === 0 && <li>No appointments.</li>}
            {(appts.data ?? [])
              .slice()
              .sort((a, b) => b.start.localeCompare(a.start))
              .map((a) => (
                <li key={a.id} className="flex flex-wrap gap-2">
                  <span className="font-mono">{fmtDateTime(a.start, tz)}</span>
                  <span>{catalog.data?.practitioners.find((x) => x.id === a.practitioner_id)?.name}</span>
                  <span>{catalog.data?.types.find((x) => x.id === a.appointment_type_id)?.name}</span>
                  <StatusBadge status={a.status} />
                </li>
              ))}
          </ul>
        </>
      )}
    </section>
  );
}
