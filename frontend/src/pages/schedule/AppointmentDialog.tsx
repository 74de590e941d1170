import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Api } from '../../api/endpoints';
import { keys } from '../../api/hooks';
import type { Appointment, AppointmentStatus, Patient, Problem, SlotOffer } from '../../api/types';
import { useAuth } from '../../auth/store';
import type { CalendarData, Engine } from '../../engine';
import { Modal } from '../../components/Modal';
import { ProblemView } from '../../components/ProblemView';
import { STATUS_LABEL, StatusBadge } from '../../components/StatusBadge';
import { fmtDateTime, wallToInstant, zoned } from '../../lib/time';
import { verdictProblem } from './BookingDialog';
import { ACTIVE, hhmm, NEXT_STATUSES, parseHhmm } from './model';

export interface RescheduleTarget {
  date: string;
  minute: number;
  practitionerId?: string;
}

/** One appointment: status changes, reschedule (picked here or dropped on the grid), cancel with a reason. */
export function AppointmentDialog({
  appointment,
  patient,
  initialTarget,
  onClose,
  data,
  engine,
  localComplete,
}: {
  appointment: Appointment | null;
  patient: Patient | undefined;
  initialTarget: RescheduleTarget | null;
  onClose: () => void;
  data: CalendarData | null;
  engine: Engine;
  localComplete: boolean;
}) {
  const session = useAuth((s) => s.session)!;
  const qc = useQueryClient();
  const tz = data?.clinic.time_zone ?? 'UTC';
  const clinicId = data?.clinic.id ?? '';
  const a = appointment;
  const [date, setDate] = useState('');
  const [time, setTime] = useState('');
  const [prac, setPrac] = useState('');
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState('');
  const [refusal, setRefusal] = useState<{ problem: Problem; alternatives: SlotOffer[] } | null>(null);

  useEffect(() => {
    if (!a) return;
    const z = zoned(a.start, tz);
    setDate(initialTarget?.date ?? z.date);
    setTime(hhmm(initialTarget?.minute ?? z.hour * 60 + z.minute));
    setPrac(initialTarget?.practitionerId ?? a.practitioner_id);
    setReason('');
    setReasonError('');
    setRefusal(null);
    // Keyed on identity and version: a refetch of the same appointment must not wipe what is being typed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [a?.id, a?.version, initialTarget, tz]);

  const done = () => {
    void qc.invalidateQueries({ queryKey: keys.appointments(clinicId) });
    void qc.invalidateQueries({ queryKey: keys.report(clinicId) });
    onClose();
  };
  const status = useMutation({ mutationFn: (s: AppointmentStatus) => Api.setStatus(clinicId, a!, s), onSuccess: done });
  const cancel = useMutation({ mutationFn: (r: string) => Api.cancel(clinicId, a!, r), onSuccess: done });
  const move = useMutation({ mutationFn: (p: { start: string; prac: string }) => Api.reschedule(clinicId, a!, p.start, p.prac), onSuccess: done });

  if (!a) return <Modal title="Appointment" open={false} onClose={onClose}>{null}</Modal>;
  const active = ACTIVE.includes(a.status);
  const isPatient = session.role === 'patient';
  const pracName = (id: string) => data?.practitioners.find((p) => p.id === id)?.name ?? 'Practitioner';
  const typeName = data?.types.find((t) => t.id === a.appointment_type_id)?.name ?? 'Appointment';

  const onReschedule = (e: React.FormEvent) => {
    e.preventDefault();
    setRefusal(null);
    const m = parseHhmm(time);
    if (m === null || !date) return;
    const start = wallToInstant(date, m, tz).toISOString();
    const verdict =
      data && localComplete
        ? engine.checkBooking(
            data,
            {
              patient_id: a.patient_id,
              practitioner_id: prac,
              room_id: a.room_id ?? null,
              appointment_type_id: a.appointment_type_id,
              start,
              reschedule_of: a.id,
            },
            new Date(),
            false,
          )
        : null;
    if (verdict && !verdict.accepted) {
      setRefusal({ problem: verdictProblem(verdict.violations), alternatives: verdict.alternatives.same_practitioner.slice(0, 6) });
      return;
    }
    move.mutate({ start, prac });
  };

  const onCancel = (e: React.FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setReasonError('Give a reason for the cancellation');
      return;
    }
    setReasonError('');
    cancel.mutate(reason.trim());
  };

  return (
    <Modal title={`${typeName} · ${fmtDateTime(a.start, tz)}`} open={!!a} onClose={onClose}>
      <dl className="mb-3 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
        <dt className="font-medium">Patient</dt>
        <dd>{patient ? `${patient.given_name} ${patient.family_name}` : isPatient ? 'You' : '…'}</dd>
        <dt className="font-medium">Practitioner</dt>
        <dd>{pracName(a.practitioner_id)}</dd>
        <dt className="font-medium">Status</dt>
        <dd>
          <StatusBadge status={a.status} />
          {a.overbooked && <span className="ml-2 text-xs">(overbooked)</span>}
        </dd>
        {a.reason && (
          <>
            <dt className="font-medium">Reason</dt>
            <dd>{a.reason}</dd>
          </>
        )}
      </dl>

      {!isPatient && NEXT_STATUSES[a.status].length > 0 && (
        <fieldset className="mb-3">
          <legend className="label">Change status</legend>
          <div className="mt-1 flex flex-wrap gap-2">
            {NEXT_STATUSES[a.status].map((s) => (
              <button key={s} type="button" className="btn-secondary" disabled={status.isPending} onClick={() => status.mutate(s)}>
                Mark {STATUS_LABEL[s].toLowerCase()}
              </button>
            ))}
          </div>
          <ProblemView error={status.error} />
        </fieldset>
      )}

      {active && (
        <form onSubmit={onReschedule} className="mb-3 space-y-2 border-t border-slate-200 pt-3" aria-labelledby="resched-h">
          <h3 id="resched-h" className="font-semibold">
            Reschedule
          </h3>
          <div className="grid grid-cols-3 gap-2">
            <div>
              <label htmlFor="r-date" className="label">
                New date
              </label>
              <input id="r-date" type="date" className="input" value={date} onChange={(e) => setDate(e.target.value)} />
            </div>
            <div>
              <label htmlFor="r-time" className="label">
                New time
              </label>
              <input id="r-time" className="input" value={time} onChange={(e) => setTime(e.target.value)} />
            </div>
            <div>
              <label htmlFor="r-prac" className="label">
                Practitioner
              </label>
              <select id="r-prac" className="input" value={prac} onChange={(e) => setPrac(e.target.value)} disabled={isPatient}>
                {(data?.practitioners ?? []).map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {refusal && (
            <div data-testid="local-refusal" data-source="engine">
              <ProblemView error={refusal.problem} title={refusal.problem.title} />
              {refusal.alternatives.length > 0 && (
                <ul className="mt-1 flex flex-wrap gap-1" aria-label="Nearest free times">
                  {refusal.alternatives.map((s) => (
                    <li key={s.start}>
                      <button
                        type="button"
                        className="btn-secondary text-sm"
                        onClick={() => {
                          const z = zoned(s.start, tz);
                          setDate(z.date);
                          setTime(hhmm(z.hour * 60 + z.minute));
                          setRefusal(null);
                        }}
                      >
                        {fmtDateTime(s.start, tz)}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <ProblemView error={move.error} title="The server refused the move" />
          <button type="submit" className="btn" disabled={move.isPending}>
            {move.isPending ? 'Moving…' : 'Move appointment'}
          </button>
        </form>
      )}

      {active && (
        <form onSubmit={onCancel} className="space-y-2 border-t border-slate-200 pt-3" aria-labelledby="cancel-h">
          <h3 id="cancel-h" className="font-semibold">
            Cancel
          </h3>
          <label htmlFor="c-reason" className="label">
            Reason for cancelling
          </label>
          <input
            id="c-reason"
            className="input"
            value={reason}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={!!reasonError}
            aria-describedby={reasonError ? 'c-reason-err' : undefined}
          />
          {reasonError && (
            <p id="c-reason-err" className="field-error">
              {reasonError}
            </p>
          )}
          <ProblemView error={cancel.error} />
          <button type="submit" className="btn-danger" disabled={cancel.isPending}>
            Cancel appointment
          </button>
        </form>
      )}
    </Modal>
  );
}
