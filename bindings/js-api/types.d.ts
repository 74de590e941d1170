// The JSON-shaped objects of the clinic scheduling engine's JavaScript API: the TypeScript mirror of
// bindings/js-api/src/dto.rs, shared by the Node addon's and the WASM module's declarations.
// Ids are UUID strings; instants are RFC 3339 strings with an offset ("2027-02-01T14:00:00Z") and come back
// in UTC; dates are "YYYY-MM-DD"; local times "HH:MM" or "HH:MM:SS".

/** A stable engine error code, e.g. "SLOT_CONFLICT_PRACTITIONER", "OUTSIDE_AVAILABILITY", "INVALID_ID". */
export type ErrorCode = string;

/** What every API call throws (an `Error` with these extra properties). */
export interface ClinicErrorInfo {
  /** The first problem's code. */
  code: ErrorCode;
  message: string;
  /** Every problem, located by a camelCase path into the argument ("calendar.schedules[0].weeklyHours[2]"). */
  errors: { loc: string; code: ErrorCode; message: string }[];
}

export type Weekday = "Mon" | "Tue" | "Wed" | "Thu" | "Fri" | "Sat" | "Sun";
export type AppointmentStatus = "proposed" | "booked" | "arrived" | "fulfilled" | "cancelled" | "noshow";

export interface Contact { phone?: string; email?: string }
export interface Address {
  line1: string; line2?: string; city: string; region?: string; postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}
/** A clinic closure: a whole day, or `[start, end)` local time on that day. */
export interface Closure { date: string; start?: string; end?: string; reason?: string }
export interface Clinic {
  id: string; name: string;
  /** IANA zone, e.g. "Europe/London". */
  timeZone: string;
  address?: Address; contact?: Contact; closures?: Closure[];
}
export interface Practitioner { id: string; clinicId?: string; name: string; contact?: Contact; active?: boolean }
export interface Room { id: string; clinicId?: string; name: string; active?: boolean }
export interface AppointmentType {
  id: string; clinicId?: string; name: string; durationMinutes: number;
  bufferBeforeMinutes?: number; bufferAfterMinutes?: number;
  /** 1 (default) = individual; more = a group session of that many patients. */
  capacity?: number;
  minNoticeMinutes?: number; maxHorizonDays?: number;
  /** Practitioners who offer the type; empty = all. */
  practitionerIds?: string[];
  active?: boolean;
}
export interface WeeklyHours { weekday: Weekday; start: string; end: string }
export interface Recurrence { rrule: string; start: string; durationMinutes: number }
/** A daily break (on the given weekdays; empty = every day). */
export interface Break { weekdays?: Weekday[]; start: string; end: string }
export interface ScheduleException {
  date: string; kind: "extra" | "absence"; start?: string; end?: string; reason?: string;
}
export interface Schedule {
  id: string; clinicId?: string;
  resource: { kind: "practitioner" | "room"; id: string };
  weeklyHours?: WeeklyHours[]; recurrences?: Recurrence[]; breaks?: Break[]; exceptions?: ScheduleException[];
  validFrom: string; validUntil?: string; granularityMinutes?: number;
}
/** An existing appointment; its end and buffers come from its type. */
export interface Appointment {
  id: string; patientId: string; practitionerId: string; roomId?: string; appointmentTypeId: string;
  start: string;
  /** Default "booked"; cancelled, fulfilled and noshow appointments hold no slot. */
  status?: AppointmentStatus;
}
export interface CalendarInput {
  clinic: Clinic;
  practitioners?: Practitioner[];
  rooms?: Room[];
  appointmentTypes: AppointmentType[];
  schedules?: Schedule[];
  appointments?: Appointment[];
}

export interface BookingRequest {
  patientId: string; practitionerId: string; roomId?: string; appointmentTypeId: string;
  start: string;
  /** Ask to bypass rule 1; honoured only with `mayOverbook`. */
  overbook?: boolean;
  /** The appointment being moved (it does not conflict with itself). */
  rescheduleOf?: string;
}
export interface CheckOptions {
  /** The clock the horizon rules use. */
  now: string;
  /** The caller's role may overbook (rule 6). */
  mayOverbook?: boolean;
  /** Search alternatives for a rejection: default true for `check`, false for `checkMany`. */
  alternatives?: boolean;
}
export interface SlotQuery {
  appointmentTypeId: string;
  /** Empty or absent = every practitioner who offers the type. */
  practitionerIds?: string[];
  from: string; to: string;
  patientId?: string; roomId?: string;
  /** An appointment being rescheduled: its own slot does not block. */
  exclude?: string;
  limit?: number;
}

export interface SlotOffer { start: string; end: string; practitionerId: string }
export interface Violation { code: ErrorCode; message: string; conflicting: string[] }
export interface Verdict {
  accepted: boolean;
  /** The violated rules' codes in the engine's order. */
  codes: ErrorCode[];
  violations: Violation[];
  /** Accepted only because an allowed overbooking bypassed rule 1. */
  overbooked: boolean;
  alternatives: { samePractitioner: SlotOffer[]; otherPractitioners: SlotOffer[] };
}

export interface ImportOptions {
  clinicId?: string;
  /** How "01/02/1980" reads; ISO dates and Excel serials are always accepted. Default "dayFirst". */
  dateOrder?: "dayFirst" | "monthFirst";
  /** Region for phone numbers without +country, e.g. "GB". */
  defaultRegion?: string;
  maxCellChars?: number;
  /** Birth dates after this date are rejected. */
  today?: string;
  /** Return the accepted patients (default true). */
  includeAccepted?: boolean;
}
export interface Patient {
  id: string; clinicId: string; mrn?: string; givenName: string; familyName: string;
  dateOfBirth?: string; sex: "female" | "male" | "other" | "unknown";
  contact: Contact; address?: Address; identifiers: { system: string; value: string }[];
}
export interface Rejection { row: number; column: string; code: ErrorCode; message: string; value: string }
export interface PatientImport {
  acceptedCount: number;
  /** Rows with at least one problem. */
  rejectedCount: number;
  accepted: { row: number; patient: Patient }[];
  rejections: Rejection[];
  /** The rejection report as CSV (row,column,code,message,value). */
  rejectionsCsv: string;
}

// ---- appointment import validation (both builds) ----

/** A syntactically valid appointment row; names are resolved (and rules checked) by a store's import. */
export interface AppointmentRow {
  row: number; mrn: string; practitioner: string; appointmentType: string;
  /** "YYYY-MM-DDTHH:MM:SS" clinic wall time when `startIsLocal`, else RFC 3339 in UTC. */
  start: string; startIsLocal: boolean;
  room?: string; reason?: string;
}
export interface AppointmentImport {
  acceptedCount: number; rejectedCount: number;
  accepted: AppointmentRow[];
  rejections: Rejection[];
  rejectionsCsv: string;
}

// ---- Scheduler (Node addon only): the core's entities and commands, camelCase keys ----
// Enumerated values keep the core's spelling ("dry_run", "day_first", "noshow").

/** Who is acting; omitted = the all-powerful system actor. */
export interface Actor {
  role: "admin" | "scheduler" | "practitioner" | "patient";
  userId?: string; clinicId?: string; practitionerId?: string; patientId?: string;
}
export type ClinicInput = Omit<Clinic, "id">;
/** `id` defaults to a new UUIDv7; `clinicId` is required. */
export type PractitionerInput = Omit<Practitioner, "id"> & { id?: string; clinicId: string; userId?: string };
export type RoomInput = Omit<Room, "id"> & { id?: string; clinicId: string };
export type AppointmentTypeInput = Omit<AppointmentType, "id"> & { id?: string; clinicId: string };
export type ScheduleInput = Omit<Schedule, "id"> & { id?: string; clinicId: string };
export interface PatientInput {
  givenName: string; familyName: string; mrn?: string; dateOfBirth?: string;
  sex?: "female" | "male" | "other" | "unknown";
  contact?: Contact; address?: Address; identifiers?: { system: string; value: string }[];
}
export interface CreateAppointment extends BookingRequest { proposed?: boolean; reason?: string; notes?: string }
export interface RescheduleAppointment {
  start: string; practitionerId?: string; roomId?: string | null; overbook?: boolean; expectedVersion?: number;
}
/** An appointment as stored: participants, slot, status, version and history. */
export interface StoredAppointment {
  id: string; clinicId: string; patientId: string; practitionerId: string; roomId?: string;
  appointmentTypeId: string; slot: { start: string; end: string };
  bufferBeforeMinutes: number; bufferAfterMinutes: number;
  status: AppointmentStatus; reason?: string; notes?: string; overbooked: boolean;
  version: number; createdAt: string; updatedAt: string;
  history: { at: string; from?: AppointmentStatus; to: AppointmentStatus; [k: string]: unknown }[];
}
export interface AppointmentFilter {
  clinicId?: string; practitionerId?: string; roomId?: string; patientId?: string;
  from?: string; to?: string; statuses?: AppointmentStatus[]; after?: string; limit?: number;
}
export interface StoreImportOptions {
  /** "dry_run" (default) validates only; "atomic" stores all or nothing; "partial" stores the valid rows. */
  mode?: "dry_run" | "atomic" | "partial";
  dateOrder?: "day_first" | "month_first";
  defaultRegion?: string; maxCellChars?: number;
}
export interface ImportReport {
  mode: "dry_run" | "atomic" | "partial";
  rows: number; valid: number; stored: number; rejectedRows: number; committed: boolean;
  acceptedIds: string[]; rejections: Rejection[];
}
export type AppointmentImportReport = ImportReport;
/** GenerateReport: utilization, statuses, no-show and cancellation rates, lead times; plus `csv`. */
export interface Report { csv: string; [k: string]: unknown }
/** A FHIR R4 resource as FHIR writes it. */
export type FhirResource = { resourceType: string; [k: string]: unknown };
