import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { Api } from '../../api/endpoints';
import { keys } from '../../api/hooks';
import { patientName } from '../../api/names';
import type { BookingRequest, Problem, SlotOffer } from '../../api/types';
import { useAuth } from '../../auth/store';
import type { CalendarData, Engine } from '../../engine';
import { Modal } from '../../components/Modal';
import { ProblemView } from '../../components/ProblemView';
import { fmtDateTime, wallToInstant, zoned } from '../../lib/time';
import { hhmm, parseHhmm } from './model';

export interface BookingDraft {
  practitionerId: string;
  typeId: string;
  date: string;
  minute: number;
}

interface Form {
  patientQuery: string;
  patientId: string;
  typeId: string;
  roomId: string;
  date: string;
  time: string;
  reason: string;
}

/** The engine's refusal in the server's own shape, so the form shows exactly what the server would say. */
export function verdictProblem(violations: { code: string; message: string; conflicting?: string[] }[]): Problem {
  return {
    title: 'This booking breaks a scheduling rule',
    status: 409,
    code: violations[0]?.code ?? 'OUTSIDE_AVAILABILITY',
    detail: violations.map((v) => v.message).join(' '),
    violations: violations.map((v) => ({ ...v, conflicting: v.conflicting ?? [] })),
  };
}

export function BookingDialog({
  draft,
  onClose,
  data,
  engine,
  localComplete,
}: {
  draft: BookingDraft | null;
  onClose: () => void;
  data: CalendarData | null;
  engine: Engine;
  localComplete: boolean;
}) {
  const session = useAuth((s) => s.session)!;
  const qc = useQueryClient();
  const tz = data?.clinic.time_zone ?? 'UTC';
  const isPatient = session.role === 'patient';
  const [refusal, setRefusal] = useState<{ problem: Problem; alternatives: SlotOffer[] } | null>(null);
  // One key per opened booking: a retry of the same booking replays (never books twice), while the next
  // booking made from this page gets its own (the server refuses a key reused for another request).
  const idemKey = useMemo(() => crypto.randomUUID(), [draft]);
  const {
    register,
    handleSubmit,
    watch,
    setValue,
    formState: { errors },
  } = useForm<Form>({
    values: draft
      ? {
          patientQuery: '',
          patientId: isPatient ? session.patient_id ?? '' : '',
          typeId: draft.typeId,
          roomId: '',
          date: draft.date,
          time: hhmm(draft.minute),
          reason: '',
        }
      : undefined,
  });
  const q = watch('patientQuery') ?? '';
  const clinicId = data?.clinic.id ?? '';
  const search = useQuery({
    queryKey: [...keys.patients(clinicId), 'search', q],
    queryFn: () => Api.patients(clinicId, { q, limit: 10 }),
    enabled: !!draft && !isPatient && q.trim().length >= 1,
  });
  const practitioner = data?.practitioners.find((p) => p.id === draft?.practitionerId);
  const types = useMemo(
    () => (data?.types ?? []).filter((t) => t.active && (t.practitioner_ids.length === 0 || t.practitioner_ids.includes(draft?.practitionerId ?? ''))),
    [data, draft],
  );

  const book = useMutation({
    mutationFn: ({ reschedule_of: _r, ...req }: BookingRequest & { reason?: string }) => Api.createAppointment(clinicId, req, idemKey),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.appointments(clinicId) });
      void qc.invalidateQueries({ queryKey: keys.report(clinicId) });
      onClose();
    },
  });

  const onSubmit = (f: Form) => {
    setRefusal(null);
    book.reset();
    const minute = parseHhmm(f.time)!;
    const req: BookingRequest = {
      patient_id: f.patientId,
      practitioner_id: draft!.practitionerId,
      room_id: f.roomId || null,
      appointment_type_id: f.typeId,
      start: wallToInstant(f.date, minute, tz).toISOString(),
    };
    // The engine answers from the data on screen; a refusal stops here, before any request.
    const verdict = data && localComplete ? engine.checkBooking(data, req, new Date(), false) : null;
    if (verdict && !verdict.accepted) {
      setRefusal({ problem: verdictProblem(verdict.violations), alternatives: verdict.alternatives.same_practitioner.slice(0, 6) });
      return;
    }
    book.mutate({ ...req, reason: f.reason.trim() || undefined });
  };

  const pickAlternative = (s: SlotOffer) => {
    const z = zoned(s.start, tz);
    setValue('date', z.date);
    setValue('time', hhmm(z.hour * 60 + z.minute));
    setRefusal(null);
  };

  return (
    <Modal title={`Book with ${practitioner?.name ?? 'practitioner'}`} open={!!draft} onClose={onClose}>
      <form onSubmit={handleSubmit(onSubmit)} className="space-y-3" noValidate aria-describedby="booking-source">
        {!isPatient && (
          <div>
            <label htmlFor="b-patient-q" className="label">
              Find patient (name, MRN or phone)
            </label>
            <input id="b-patient-q" className="input" autoComplete="off" {...register('patientQuery')} />
            <label htmlFor="b-patient" className="label mt-2">
              Patient
            </label>
            <select
              id="b-patient"
              className="input"
              aria-invalid={!!errors.patientId}
              aria-describedby={errors.patientId ? 'b-patient-err' : undefined}
              {...register('patientId', { required: 'Choose a patient' })}
            >
              <option value="">— choose —</option>
              {(search.data?.items ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {patientName(p)}
                  {p.mrn ? ` (MRN ${p.mrn})` : ''}
                </option>
              ))}
            </select>
            {errors.patientId && (
              <p id="b-patient-err" className="field-error">
                {errors.patientId.message}
              </p>
            )}
          </div>
        )}
        <div>
          <label htmlFor="b-type" className="label">
            Appointment type
          </label>
          <select id="b-type" className="input" {...register('typeId', { required: 'Choose a type' })}>
            {types.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} ({t.duration_minutes} min)
              </option>
            ))}
          </select>
        </div>
        <div className="grid grid-cols-2 gap-2">
          <div>
            <label htmlFor="b-date" className="label">
              Date
            </label>
            <input id="b-date" type="date" className="input" {...register('date', { required: 'Choose a date' })} />
          </div>
          <div>
            <label htmlFor="b-time" className="label">
              Start time (HH:MM)
            </label>
            <input
              id="b-time"
              className="input"
              inputMode="numeric"
              aria-invalid={!!errors.time}
              aria-describedby={errors.time ? 'b-time-err' : undefined}
              {...register('time', { validate: (v) => parseHhmm(v) !== null || 'Enter a time as HH:MM' })}
            />
            {errors.time && (
              <p id="b-time-err" className="field-error">
                {errors.time.message}
              </p>
            )}
          </div>
        </div>
        {(data?.rooms.length ?? 0) > 0 && (
          <div>
            <label htmlFor="b-room" className="label">
              Room (optional)
            </label>
            <select id="b-room" className="input" {...register('roomId')}>
              <option value="">— none —</option>
              {data!.rooms
                .filter((r) => r.active)
                .map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
            </select>
          </div>
        )}
        <div>
          <label htmlFor="b-reason" className="label">
            Reason (optional)
          </label>
          <input id="b-reason" className="input" maxLength={500} {...register('reason')} />
        </div>
        {refusal && (
          <div data-testid="local-refusal" data-source="engine">
            <ProblemView error={refusal.problem} title={refusal.problem.title} />
            {refusal.alternatives.length > 0 && (
              <div className="mt-2">
                <p className="text-sm font-medium">Nearest free times:</p>
                <ul className="flex flex-wrap gap-1">
                  {refusal.alternatives.map((s) => (
                    <li key={s.start}>
                      <button type="button" className="btn-secondary text-sm" onClick={() => pickAlternative(s)}>
                        {fmtDateTime(s.start, tz)}
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </div>
        )}
        <ProblemView error={book.error} title="The server refused the booking" />
        <p id="booking-source" className="text-xs text-slate-700">
          {engine.source === 'wasm' && localComplete ? 'Checked instantly against the schedule on screen; the server confirms.' : 'The server checks this booking.'}
        </p>
        <div className="flex justify-end gap-2">
          <button type="button" className="btn-secondary" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="btn" disabled={book.isPending}>
            {book.isPending ? 'Booking…' : 'Book'}
          </button>
        </div>
      </form>
    </Modal>
  );
}


