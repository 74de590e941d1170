/**
 * Wire types of the clinic-server API (`/api/v1`), written from the serde shapes of `clinic-core` that the
 * server exposes. Kept in this one module so realigning with `/api/openapi.json` (`npm run gen:api`) touches
 * one file.
 */

export type Uuid = string;
/** RFC 3339 instant, UTC. */
export type Instant = string;
/** `YYYY-MM-DD`, clinic-local. */
export type LocalDate = string;
/** `HH:MM[:SS]`, clinic-local wall time. */
export type LocalTime = string;

export type Role = 'admin' | 'scheduler' | 'practitioner' | 'patient';
export const ROLES: readonly Role[] = ['admin', 'scheduler', 'practitioner', 'patient'];

export type AppointmentStatus = 'proposed' | 'booked' | 'arrived' | 'fulfilled' | 'cancelled' | 'noshow';
export const STATUSES: readonly AppointmentStatus[] = ['proposed', 'booked', 'arrived', 'fulfilled', 'cancelled', 'noshow'];
export type Weekday = 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun';
export const WEEKDAYS: readonly Weekday[] = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

export interface ContactInfo {
  phone?: string | null;
  email?: string | null;
}

export interface Address {
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postal_code: string;
  country: string;
}

export interface Closure {
  date: LocalDate;
  start?: LocalTime | null;
  end?: LocalTime | null;
  reason: string;
}

export interface Clinic {
  id: Uuid;
  name: string;
  time_zone: string;
  address?: Address | null;
  contact?: ContactInfo;
  closures: Closure[];
}

export interface Practitioner {
  id: Uuid;
  clinic_id: Uuid;
  name: string;
  user_id?: Uuid | null;
  contact?: ContactInfo;
  active: boolean;
}

export interface Room {
  id: Uuid;
  clinic_id: Uuid;
  name: string;
  active: boolean;
}

export interface AppointmentTypeInput {
  name: string;
  duration_minutes: number;
  buffer_before_minutes: number;
  buffer_after_minutes: number;
  capacity: number;
  min_notice_minutes: number;
  max_horizon_days: number;
  practitioner_ids: Uuid[];
  active: boolean;
}
export interface AppointmentType extends AppointmentTypeInput {
  id: Uuid;
  clinic_id: Uuid;
}

export interface ResourceRef {
  kind: 'practitioner' | 'room';
  id: Uuid;
}

export interface WeeklyHours {
  weekday: Weekday;
  start: LocalTime;
  end: LocalTime;
}
export interface Break {
  weekdays: Weekday[];
  start: LocalTime;
  end: LocalTime;
}
export interface ScheduleException {
  date: LocalDate;
  kind: 'extra' | 'absence';
  start?: LocalTime | null;
  end?: LocalTime | null;
  reason: string;
}
export interface ScheduleInput {
  resource: ResourceRef;
  weekly_hours: WeeklyHours[];
  recurrences: { rrule: string; start: LocalTime; duration_minutes: number }[];
  breaks: Break[];
  exceptions: ScheduleException[];
  valid_from: LocalDate;
  valid_until?: LocalDate | null;
  granularity_minutes: number;
}
export interface Schedule extends ScheduleInput {
  id: Uuid;
  clinic_id: Uuid;
}

export type Sex = 'female' | 'male' | 'other' | 'unknown';
export interface PatientInput {
  mrn?: string | null;
  given_name: string;
  family_name: string;
  date_of_birth?: LocalDate | null;
  sex: Sex;
  contact: ContactInfo;
  address?: Address | null;
  identifiers?: { system: string; value: string }[];
}
export interface Patient extends PatientInput {
  id: Uuid;
  clinic_id: Uuid;
  version?: number;
}

export interface TimeSlot {
  start: Instant;
  end: Instant;
}

/** One entry of an appointment's history (server `HistoryDto`). */
export interface HistoryEntry {
  kind: 'rescheduled' | 'status_changed' | string;
  at: Instant;
  from_status?: AppointmentStatus;
  to_status?: AppointmentStatus;
  from_start?: Instant;
  to_start?: Instant;
}

/** Server `AppointmentView`. */
export interface Appointment {
  id: Uuid;
  clinic_id: Uuid;
  patient_id: Uuid;
  practitioner_id: Uuid;
  room_id?: Uuid | null;
  appointment_type_id: Uuid;
  start: Instant;
  end: Instant;
  status: AppointmentStatus;
  reason?: string | null;
  notes?: string | null;
  overbooked: boolean;
  /** Send back as `If-Match` to update. */
  version: number;
  created_at: Instant;
  updated_at: Instant;
  history: HistoryEntry[];
}

/** The booking request the engine checks (core `BookingRequest`). */
export interface BookingRequest {
  patient_id: Uuid;
  practitioner_id: Uuid;
  room_id?: Uuid | null;
  appointment_type_id: Uuid;
  start: Instant;
  overbook?: boolean;
  reschedule_of?: Uuid | null;
}

/** Server `BookingBody` (strict: no other fields). */
export interface CreateAppointmentBody extends Omit<BookingRequest, 'reschedule_of'> {
  clinic_id: Uuid;
  reason?: string | null;
  notes?: string | null;
  proposed?: boolean;
}

export interface SlotOffer {
  start: Instant;
  end: Instant;
  practitioner_id: Uuid;
}

export interface Violation {
  code: string;
  message: string;
  conflicting?: Uuid[];
}
export interface Alternatives {
  same_practitioner: SlotOffer[];
  other_practitioners: SlotOffer[];
}
export interface Verdict {
  accepted: boolean;
  violations: Violation[];
  overbooked: boolean;
  alternatives: Alternatives;
}

export interface FieldError {
  code: string;
  field: string;
  message: string;
}

export interface SlotQuery {
  appointment_type_id: Uuid;
  practitioner_ids?: Uuid[];
  from: Instant;
  to: Instant;
  patient_id?: Uuid | null;
  room_id?: Uuid | null;
  exclude?: Uuid | null;
  limit?: number | null;
}

/** Cursor-paginated list. */
export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export type ImportMode = 'dry_run' | 'atomic' | 'partial';
export interface Rejection {
  row: number;
  column: string;
  code: string;
  message: string;
  value: string;
}
export interface ImportReport {
  /** Names the server-kept rejection report (`GET /imports/{id}/rejections.csv`). */
  import_id?: Uuid;
  mode: ImportMode;
  rows: number;
  valid: number;
  stored: number;
  rejected_rows: number;
  committed: boolean;
  accepted_ids: Uuid[];
  rejections: Rejection[];
}

export interface StatusCounts {
  proposed: number;
  booked: number;
  arrived: number;
  fulfilled: number;
  cancelled: number;
  noshow: number;
}
export interface Figures {
  appointments: number;
  by_status: StatusCounts;
  available_minutes: number;
  booked_minutes: number;
  utilization: number | null;
  no_show_rate: number | null;
  cancellation_rate: number | null;
  late_cancellations: number;
  median_cancellation_lead_minutes: number | null;
  median_booking_lead_minutes: number | null;
}
export interface DayFigures {
  date: LocalDate;
  figures: Figures;
}
export interface WeekFigures {
  week: string;
  first_date: LocalDate;
  last_date: LocalDate;
  figures: Figures;
}
export interface Report {
  clinic_id: Uuid;
  clinic_name: string;
  time_zone: string;
  from: LocalDate;
  to: LocalDate;
  practitioner_ids: Uuid[];
  totals: Figures;
  days: DayFigures[];
  weeks: WeekFigures[];
  practitioners: { practitioner_id: Uuid; name: string; totals: Figures; days: DayFigures[]; weeks: WeekFigures[] }[];
}

export interface User {
  id: Uuid;
  username: string;
  role: Role;
  clinic_id?: Uuid | null;
  practitioner_id?: Uuid | null;
  patient_id?: Uuid | null;
}

/** Who is signed in, from `GET /auth/me` or, failing that, the access token's claims. */
export interface Session {
  user_id: string | null;
  username: string;
  role: Role;
  clinic_id?: Uuid | null;
  practitioner_id?: Uuid | null;
  patient_id?: Uuid | null;
}

/** RFC 9457 problem details with the engine's code and, for validation and bookings, the details. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  errors?: FieldError[];
  violations?: Violation[];
  alternatives?: Alternatives;
}

/** A live event from `/api/v1/ws` (the core's `DomainEvent`, tagged by `type`). */
export interface LiveEvent {
  type: string;
  appointment?: Appointment;
  clinic_id?: Uuid;
  patient_id?: Uuid;
}
