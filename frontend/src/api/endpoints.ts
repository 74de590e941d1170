import { api, upload } from './client';
import type {
  Appointment,
  AppointmentStatus,
  AppointmentType,
  AppointmentTypeInput,
  Clinic,
  CreateAppointmentBody,
  ImportMode,
  ImportReport,
  Page,
  Patient,
  PatientInput,
  Practitioner,
  Report,
  Role,
  Room,
  Schedule,
  ScheduleInput,
  Session,
  SlotOffer,
  SlotQuery,
  TokenPair,
  User,
  Uuid,
} from './types';

/** Every server path the app uses, in one table, so realigning with the server's routes is one edit. */
export const paths = {
  login: 'auth/login',
  refresh: 'auth/refresh',
  logout: 'auth/logout',
  me: 'auth/me',
  clinics: 'clinics',
  clinic: (c: Uuid) => `clinics/${c}`,
  practitioners: (c: Uuid) => `clinics/${c}/practitioners`,
  practitioner: (c: Uuid, id: Uuid) => `clinics/${c}/practitioners/${id}`,
  rooms: (c: Uuid) => `clinics/${c}/rooms`,
  room: (c: Uuid, id: Uuid) => `clinics/${c}/rooms/${id}`,
  types: (c: Uuid) => `clinics/${c}/appointment-types`,
  type: (c: Uuid, id: Uuid) => `clinics/${c}/appointment-types/${id}`,
  schedules: (c: Uuid) => `clinics/${c}/schedules`,
  schedule: (c: Uuid, id: Uuid) => `clinics/${c}/schedules/${id}`,
  patients: (c: Uuid) => `clinics/${c}/patients`,
  patient: (c: Uuid, id: Uuid) => `clinics/${c}/patients/${id}`,
  patientImport: (c: Uuid) => `clinics/${c}/imports/patients`,
  appointments: (c: Uuid) => `clinics/${c}/appointments`,
  appointment: (c: Uuid, id: Uuid) => `clinics/${c}/appointments/${id}`,
  reschedule: (c: Uuid, id: Uuid) => `clinics/${c}/appointments/${id}/reschedule`,
  cancel: (c: Uuid, id: Uuid) => `clinics/${c}/appointments/${id}/cancel`,
  status: (c: Uuid, id: Uuid) => `clinics/${c}/appointments/${id}/status`,
  availability: (c: Uuid) => `clinics/${c}/availability`,
  report: (c: Uuid) => `clinics/${c}/reports`,
  users: 'users',
  ws: '/api/v1/ws',
} as const;

function qs(params: Record<string, string | number | boolean | null | undefined | string[]>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => u.append(k, x));
    else u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** Lists come back as `{items, next_cursor}`; a bare array is accepted too. */
export function asPage<T>(x: Page<T> | T[] | undefined): Page<T> {
  if (!x) return { items: [] };
  return Array.isArray(x) ? { items: x } : x;
}

/** Follows cursors to the end (catalog lists are small; bounded so a server bug cannot loop forever). */
async function all<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = asPage(await api<Page<T> | T[]>(path + qs({ ...params, cursor })));
    out.push(...page.items);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return out;
}

export const Api = {
  login: (username: string, password: string) =>
    api<TokenPair>(paths.login, { body: { username, password }, noAuth: true }),
  logout: (refresh_token: string | null) =>
    api(paths.logout, { method: 'POST', body: refresh_token ? { refresh_token } : {}, as: 'none' }),
  me: () => api<Session>(paths.me),

  clinics: () => all<Clinic>(paths.clinics),
  clinic: (c: Uuid) => api<Clinic>(paths.clinic(c)),
  updateClinic: (c: Uuid, body: Omit<Clinic, 'id'>) => api<Clinic>(paths.clinic(c), { method: 'PUT', body }),

  practitioners: (c: Uuid) => all<Practitioner>(paths.practitioners(c)),
  savePractitioner: (c: Uuid, p: Partial<Practitioner> & { name: string }) =>
    p.id
      ? api<Practitioner>(paths.practitioner(c, p.id), { method: 'PUT', body: p })
      : api<Practitioner>(paths.practitioners(c), { method: 'POST', body: p }),
  rooms: (c: Uuid) => all<Room>(paths.rooms(c)),
  saveRoom: (c: Uuid, r: Partial<Room> & { name: string }) =>
    r.id ? api<Room>(paths.room(c, r.id), { method: 'PUT', body: r }) : api<Room>(paths.rooms(c), { method: 'POST', body: r }),
  types: (c: Uuid) => all<AppointmentType>(paths.types(c)),
  saveType: (c: Uuid, t: AppointmentTypeInput & { id?: Uuid }) =>
    t.id
      ? api<AppointmentType>(paths.type(c, t.id), { method: 'PUT', body: t })
      : api<AppointmentType>(paths.types(c), { method: 'POST', body: t }),
  schedules: (c: Uuid) => all<Schedule>(paths.schedules(c)),
  saveSchedule: (c: Uuid, s: ScheduleInput & { id?: Uuid }) =>
    s.id
      ? api<Schedule>(paths.schedule(c, s.id), { method: 'PUT', body: s })
      : api<Schedule>(paths.schedules(c), { method: 'POST', body: s }),

  patients: (c: Uuid, q: { q?: string; cursor?: string; limit?: number }) =>
    api<Page<Patient> | Patient[]>(paths.patients(c) + qs(q)).then(asPage),
  patient: (c: Uuid, id: Uuid) => api<Patient>(paths.patient(c, id)),
  createPatient: (c: Uuid, p: PatientInput) =>
    api<Patient>(paths.patients(c), { method: 'POST', body: p, headers: { 'Idempotency-Key': crypto.randomUUID() } }),
  updatePatient: (c: Uuid, id: Uuid, p: PatientInput, version?: number) =>
    api<Patient>(paths.patient(c, id), {
      method: 'PUT',
      body: p,
      headers: version !== undefined ? { 'If-Match': `"${version}"` } : {},
    }),
  importPatients: (c: Uuid, file: File, mode: ImportMode, onProgress: (f: number) => void = () => {}) => {
    const form = new FormData();
    form.append('mode', mode);
    form.append('file', file, file.name);
    return upload<ImportReport>(paths.patientImport(c) + qs({ mode }), form, onProgress);
  },

  appointments: (c: Uuid, q: { from?: string; to?: string; practitioner_id?: Uuid; patient_id?: Uuid; room_id?: Uuid }) =>
    all<Appointment>(paths.appointments(c), q),
  createAppointment: (c: Uuid, body: CreateAppointmentBody, idempotencyKey: string) =>
    api<Appointment>(paths.appointments(c), { method: 'POST', body, headers: { 'Idempotency-Key': idempotencyKey } }),
  reschedule: (c: Uuid, a: Appointment, start: string, practitioner_id?: Uuid) =>
    api<Appointment>(paths.reschedule(c, a.id), {
      method: 'POST',
      body: { start, practitioner_id: practitioner_id ?? a.practitioner_id },
      headers: { 'If-Match': `"${a.version}"` },
    }),
  cancel: (c: Uuid, a: Appointment, reason: string) =>
    api<Appointment>(paths.cancel(c, a.id), { method: 'POST', body: { reason }, headers: { 'If-Match': `"${a.version}"` } }),
  setStatus: (c: Uuid, a: Appointment, status: AppointmentStatus) =>
    api<Appointment>(paths.status(c, a.id), { method: 'POST', body: { status }, headers: { 'If-Match': `"${a.version}"` } }),
  availability: (c: Uuid, q: SlotQuery) =>
    api<SlotOffer[] | Page<SlotOffer>>(
      paths.availability(c) +
        qs({
          appointment_type_id: q.appointment_type_id,
          practitioner_id: q.practitioner_ids ?? [],
          from: q.from,
          to: q.to,
          patient_id: q.patient_id,
          room_id: q.room_id,
          exclude: q.exclude,
          limit: q.limit,
        }),
    ).then((x) => asPage(x).items),

  report: (c: Uuid, from: string, to: string, practitioner_ids: Uuid[] = []) =>
    api<Report>(paths.report(c) + qs({ from, to, practitioner_id: practitioner_ids })),
  reportCsv: (c: Uuid, from: string, to: string) =>
    api<string>(paths.report(c) + qs({ from, to, format: 'csv' }), { as: 'text', headers: { Accept: 'text/csv' } }),

  users: () => all<User>(paths.users),
  createUser: (u: { username: string; role: Role; password: string; practitioner_id?: Uuid | null; patient_id?: Uuid | null }) =>
    api<User>(paths.users, { method: 'POST', body: u }),
};
