import type {
  Appointment,
  AppointmentType,
  BookingRequest,
  Clinic,
  FieldError,
  PatientInput,
  Rejection,
  Practitioner,
  Room,
  Schedule,
  SlotOffer,
  SlotQuery,
  Verdict,
} from '../api/types';

/** What the page has loaded from the server: the engine checks against exactly this. */
export interface CalendarData {
  clinic: Clinic;
  practitioners: Practitioner[];
  rooms: Room[];
  types: AppointmentType[];
  schedules: Schedule[];
  appointments: Appointment[];
}

/**
 * The engine as the UI sees it. Every method either answers with the core's own verdict or returns `null`
 * ("cannot tell here"), and then the server is asked. Nothing in the UI decides a rule itself.
 */
export interface Engine {
  readonly source: 'wasm' | 'none';
  checkBooking(data: CalendarData, req: BookingRequest, now: Date, mayOverbook: boolean): Verdict | null;
  findSlots(data: CalendarData, q: SlotQuery, now: Date): SlotOffer[] | null;
  validatePatient(input: PatientInput): FieldError[] | null;
  /** Reads a patients file (CSV/XLS/XLSX) the way the server's import will: counts and every rejection. */
  checkPatientFile(bytes: Uint8Array): LocalImportCheck | null;
}

export interface LocalImportCheck {
  accepted: number;
  rejected: number;
  rejections: Rejection[];
}
