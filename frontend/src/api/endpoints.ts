import { api, upload } from './client';
import type {
  Appointment,
  Bodies,
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
  practitioner: (id: Uuid) => `practitioners/${id}`,
  rooms: (c: Uuid) => `clinics/${c}/rooms`,
  room: (id: Uuid) => `rooms/${id}`,
  types: (c: Uuid) => `clinics/${c}/appointment-types`,
  type: (id: Uuid) => `appointment-types/${id}`,
  schedules: (c: Uuid) => `clinics/${c}/schedules`,
  schedule: (id: Uuid) => `schedules/${id}`,
  patients: (c: Uuid) => `clinics/${c}/patients`,
  patient: (id: Uuid) => `patients/${id}`,
  patientImport: (c: Uuid) => `clinics/${c}/imports/patients`,
  appointments: 'appointments',
  book: 'appointments',
  appointment: (id: Uuid) => `appointments/${id}`,
  reschedule: (id: Uuid) => `appointments/${id}/reschedule`,
  cancel: (id: Uuid) => `appointments/${id}/cancel`,
  status: (id: Uuid) => `appointments/${id}/status`,
  availability: (c: Uuid) => `clinics/${c}/availability`,
  rejectionsCsv: (importId: Uuid) => `imports/${importId}/rejections.csv`,
  report: (c: Uuid) => `clinics/${c}/reports`,
  users: 'users',
  user: (id: Uuid) => `users/${id}`,
  userPassword: (id: Uuid) => `users/${id}/password`,
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
    api<TokenPair>(paths.login, { body: { username, password } satisfies Bodies['login'], noAuth: true }),
  logout: (refresh_token: string | null) =>
    api(paths.logout, { method: 'POST', body: refresh_token ? { refresh_token } : {}, as: 'none' }),
  me: () => api<Session>(paths.me),

  clinics: () => all<Clinic>(paths.clinics),
  clinic: (c: Uuid) => api<Clinic>(paths.clinic(c)),
  updateClinic: (c: Clinic, closures: Clinic['closures']) =>
    api<Clinic>(paths.clinic(c.id), {
      method: 'PUT',
      body: { name: c.name, time_zone: c.time_zone, address: c.address ?? null, contact: c.contact ?? {}, closures } satisfies Bodies['clinic'],
    }),

  practitioners: (c: Uuid) => all<Practitioner>(paths.practitioners(c)),
  savePractitioner: (c: Uuid, p: { id?: Uuid; name: string; active: boolean; contact?: Practitioner['contact'] }) => {
    const body = { name: p.name, active: p.active, contact: p.contact ?? {} } satisfies Bodies['practitioner'];
    return p.id
      ? api<Practitioner>(paths.practitioner(p.id), { method: 'PUT', body })
      : api<Practitioner>(paths.practitioners(c), { method: 'POST', body });
  },
  rooms: (c: Uuid) => all<Room>(paths.rooms(c)),
  saveRoom: (c: Uuid, r: { id?: Uuid; name: string; active: boolean }) => {
    const body = { name: r.name, active: r.active } satisfies Bodies['room'];
    return r.id ? api<Room>(paths.room(r.id), { method: 'PUT', body }) : api<Room>(paths.rooms(c), { method: 'POST', body });
  },
  types: (c: Uuid) => all<AppointmentType>(paths.types(c)),
  saveType: (c: Uuid, { id, ...body }: AppointmentTypeInput & { id?: Uuid }) =>
    id ? api<AppointmentType>(paths.type(id), { method: 'PUT', body }) : api<AppointmentType>(paths.types(c), { method: 'POST', body }),
  schedules: (c: Uuid) => all<Schedule>(paths.schedules(c)),
  saveSchedule: (c: Uuid, { id, ...body }: ScheduleInput & { id?: Uuid }) =>
    id ? api<Schedule>(paths.schedule(id), { method: 'PUT', body }) : api<Schedule>(paths.schedules(c), { method: 'POST', body }),

  /** The server searches by name prefix, exact MRN or phone; one box in the UI asks each that fits. */
  patients: async (c: Uuid, q: { q?: string; cursor?: string; limit?: number }): Promise<Page<Patient>> => {
    const text = q.q?.trim() ?? '';
    if (!text) return asPage(await api<Page<Patient>>(paths.patients(c) + qs({ cursor: q.cursor, limit: q.limit })));
    const asks: Promise<Page<Patient>>[] = [api<Page<Patient>>(paths.patients(c) + qs({ name: text, cursor: q.cursor, limit: q.limit }))];
    if (/\d/.test(text) && !q.cursor) asks.push(api<Page<Patient>>(paths.patients(c) + qs({ mrn: text, limit: q.limit })));
    if (/^\+?[\d\s()./-]{5,}$/.test(text) && !q.cursor)
      asks.push(api<Page<Patient>>(paths.patients(c) + qs({ phone: text, limit: q.limit })).catch(() => ({ items: [] })));
    const pages = await Promise.all(asks);
    const seen = new Set<string>();
    const items = pages.flatMap((p) => asPage(p).items).filter((p) => !seen.has(p.id) && !!seen.add(p.id));
    return { items, next_cursor: pages[0]?.next_cursor ?? null };
  },
  patient: (_c: Uuid, id: Uuid) => api<Patient>(paths.patient(id)),
  createPatient: (c: Uuid, p: PatientInput) =>
    api<Patient>(paths.patients(c), { method: 'POST', body: p, headers: { 'Idempotency-Key': crypto.randomUUID() } }),
  updatePatient: (_c: Uuid, id: Uuid, p: PatientInput, version?: number) =>
    api<Patient>(paths.patient(id), {
      method: 'PUT',
      body: p,
      headers: version !== undefined ? { 'If-Match': `"${version}"` } : {},
    }),
  importPatients: (c: Uuid, file: File, mode: ImportMode, onProgress: (f: number) => void = () => {}) => {
    const form = new FormData();
    form.append('mode', mode);
    form.append('file', file, file.name);
    return upload<ImportReport>(paths.patientImport(c), form, onProgress);
  },
  /** The server's own rejection report (the core's CSV writer), kept for the importing user. */
  rejectionsCsv: (importId: Uuid) => api<Blob>(paths.rejectionsCsv(importId), { as: 'blob', headers: { Accept: 'text/csv' } }),

  appointments: (c: Uuid, q: { from?: string; to?: string; practitioner_id?: Uuid; patient_id?: Uuid; room_id?: Uuid }) =>
    all<Appointment>(paths.appointments, { clinic_id: c, limit: 500, ...q }),
  /** A retried booking carries the same Idempotency-Key, so it never books twice. */
  createAppointment: (c: Uuid, req: Omit<CreateAppointmentBody, 'clinic_id'>, idempotencyKey: string) =>
    api<Appointment>(paths.book, {
      method: 'POST',
      body: { clinic_id: c, ...req },
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  // Updates carry the version read (body `expected_version` and `If-Match`): a stale change is refused.
  reschedule: (_c: Uuid, a: Appointment, start: string, practitioner_id?: Uuid) =>
    api<Appointment>(paths.reschedule(a.id), {
      method: 'POST',
      body: { start, practitioner_id: practitioner_id ?? a.practitioner_id, expected_version: a.version } satisfies Bodies['reschedule'],
      headers: { 'If-Match': `"${a.version}"` },
    }),
  cancel: (_c: Uuid, a: Appointment, reason: string) =>
    api<Appointment>(paths.cancel(a.id), { method: 'POST', body: { reason, expected_version: a.version } satisfies Bodies['cancel'], headers: { 'If-Match': `"${a.version}"` } }),
  setStatus: (_c: Uuid, a: Appointment, status: AppointmentStatus) =>
    api<Appointment>(paths.status(a.id), { method: 'POST', body: { status, expected_version: a.version } satisfies Bodies['status'], headers: { 'If-Match': `"${a.version}"` } }),
  availability: (c: Uuid, q: SlotQuery) =>
    api<SlotOffer[] | Page<SlotOffer>>(
      paths.availability(c) +
        qs({
          appointment_type_id: q.appointment_type_id,
          practitioner_ids: q.practitioner_ids?.length ? q.practitioner_ids.join(',') : undefined,
          from: q.from,
          to: q.to,
          patient_id: q.patient_id,
          room_id: q.room_id,
          limit: q.limit,
        }),
    ).then((x) => asPage(x).items),

  report: (c: Uuid, from: string, to: string, practitioner_ids: Uuid[] = []) =>
    api<Report>(paths.report(c) + qs({ from, to, practitioner_ids: practitioner_ids.length ? practitioner_ids.join(',') : undefined })),
  reportCsv: (c: Uuid, from: string, to: string) =>
    api<string>(paths.report(c) + qs({ from, to, format: 'csv' }), { as: 'text', headers: { Accept: 'text/csv' } }),

  users: () => all<User>(paths.users),
  createUser: (u: Bodies['newUser']) =>
    api<User>(paths.users, { method: 'POST', body: u }),
  updateUser: (id: Uuid, u: Bodies['updateUser']) =>
    api<User>(paths.user(id), { method: 'PUT', body: u }),
  resetPassword: (id: Uuid, password: string) => api(paths.userPassword(id), { method: 'POST', body: { password } satisfies Bodies['password'], as: 'none' }),
};
