import type { BookingRequest, FieldError, PatientInput, Rejection, SlotOffer, SlotQuery, Verdict } from '../api/types';
import type { CalendarData, Engine } from './types';

/**
 * The one adapter to `bindings/wasm` (the shared `clinic-js-api`: a `Calendar` class built from camelCase DTOs,
 * `check(request, {now, mayOverbook})` and `findAvailableSlots(query, now)`; errors carry the core's `.code`).
 * The server speaks the core's snake_case serde shapes; this file is the only place that maps between the two,
 * so a change of the module's API changes only this file.
 */
interface JsCalendar {
  check(request: unknown, options: unknown): unknown;
  findAvailableSlots(query: unknown, now: string): unknown;
  free?: () => void;
}
type CalendarCtor = new (input: unknown) => JsCalendar;

const stripNull = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as T;

/** The calendar DTO of clinic-js-api from what the page loaded. */
export function calendarInput(d: CalendarData) {
  return {
    clinic: stripNull({ id: d.clinic.id, name: d.clinic.name, timeZone: d.clinic.time_zone, closures: d.clinic.closures ?? [] }),
    practitioners: d.practitioners.map((p) => ({ id: p.id, clinicId: p.clinic_id, name: p.name, active: p.active })),
    rooms: d.rooms.map((r) => ({ id: r.id, clinicId: r.clinic_id, name: r.name, active: r.active })),
    appointmentTypes: d.types.map((t) => ({
      id: t.id,
      clinicId: t.clinic_id,
      name: t.name,
      durationMinutes: t.duration_minutes,
      bufferBeforeMinutes: t.buffer_before_minutes,
      bufferAfterMinutes: t.buffer_after_minutes,
      capacity: t.capacity,
      minNoticeMinutes: t.min_notice_minutes,
      maxHorizonDays: t.max_horizon_days,
      practitionerIds: t.practitioner_ids,
      active: t.active,
    })),
    schedules: d.schedules.map((s) =>
      stripNull({
        id: s.id,
        clinicId: s.clinic_id,
        resource: s.resource,
        weeklyHours: s.weekly_hours,
        recurrences: (s.recurrences ?? []).map((r) => ({ rrule: r.rrule, start: r.start, durationMinutes: r.duration_minutes })),
        breaks: s.breaks ?? [],
        exceptions: s.exceptions ?? [],
        validFrom: s.valid_from,
        validUntil: s.valid_until,
        granularityMinutes: s.granularity_minutes,
      }),
    ),
    appointments: d.appointments.map((a) =>
      stripNull({
        id: a.id,
        patientId: a.patient_id,
        practitionerId: a.practitioner_id,
        roomId: a.room_id,
        appointmentTypeId: a.appointment_type_id,
        start: a.start,
        status: a.status,
      }),
    ),
  };
}

export function bookingRequestDto(r: BookingRequest) {
  return stripNull({
    patientId: r.patient_id,
    practitionerId: r.practitioner_id,
    roomId: r.room_id,
    appointmentTypeId: r.appointment_type_id,
    start: r.start,
    overbook: r.overbook ?? false,
    rescheduleOf: r.reschedule_of,
  });
}

interface OfferDto {
  start: string;
  end: string;
  practitionerId: string;
}
const offer = (o: OfferDto): SlotOffer => ({ start: o.start, end: o.end, practitioner_id: o.practitionerId });

export function verdictFromDto(v: {
  accepted: boolean;
  violations: { code: string; message: string; conflicting?: string[] }[];
  overbooked: boolean;
  alternatives?: { samePractitioner?: OfferDto[]; otherPractitioners?: OfferDto[] };
}): Verdict {
  return {
    accepted: v.accepted,
    violations: v.violations.map((x) => ({ code: x.code, message: x.message, conflicting: x.conflicting ?? [] })),
    overbooked: v.overbooked,
    alternatives: {
      same_practitioner: (v.alternatives?.samePractitioner ?? []).map(offer),
      other_practitioners: (v.alternatives?.otherPractitioners ?? []).map(offer),
    },
  };
}

export async function loadWasmEngine(): Promise<Engine> {
  const mod = (await import('@clinic/wasm')) as unknown as Record<string, unknown>;
  if (mod.NOT_BUILT) throw new Error('the WASM engine is not built');
  const init = mod.default;
  if (typeof init === 'function') await (init as () => Promise<unknown>)();
  const Calendar = (mod.Calendar ?? mod.JsCalendar) as CalendarCtor | undefined;
  if (typeof Calendar !== 'function') throw new Error('the WASM module exports no Calendar class');
  const validateImport = typeof mod.validatePatientImport === 'function' ? (mod.validatePatientImport as (d: Uint8Array, o?: unknown) => unknown) : null;

  // One engine calendar per loaded data set: pages rebuild CalendarData only when a query refetches.
  let last: { data: CalendarData; cal: JsCalendar } | null = null;
  const calendarFor = (data: CalendarData): JsCalendar => {
    if (last?.data === data) return last.cal;
    last?.cal.free?.();
    const cal = new Calendar(calendarInput(data));
    last = { data, cal };
    return cal;
  };

  return {
    source: 'wasm',
    checkBooking(data, req, now, mayOverbook) {
      const v = calendarFor(data).check(bookingRequestDto(req), { now: now.toISOString(), mayOverbook, alternatives: true });
      return verdictFromDto(v as Parameters<typeof verdictFromDto>[0]);
    },
    findSlots(data, q: SlotQuery, now) {
      const dto = stripNull({
        appointmentTypeId: q.appointment_type_id,
        practitionerIds: q.practitioner_ids ?? [],
        from: q.from,
        to: q.to,
        patientId: q.patient_id,
        roomId: q.room_id,
        exclude: q.exclude,
        limit: q.limit,
      });
      return (calendarFor(data).findAvailableSlots(dto, now.toISOString()) as OfferDto[]).map(offer);
    },
    validatePatient(_input: PatientInput): FieldError[] | null {
      // clinic-js-api validates import files, not single patients: the server validates the form.
      return null;
    },
    checkPatientFile(bytes) {
      if (!validateImport) return null;
      const r = validateImport(bytes, { includeAccepted: false }) as {
        acceptedCount: number;
        rejectedCount: number;
        rejections: Rejection[];
      };
      return { accepted: r.acceptedCount, rejected: r.rejectedCount, rejections: r.rejections };
    },
  };
}
