import { readFileSync } from 'node:fs';
import type { CalendarData } from './types';
import { loadWasmEngine } from './wasm';

// The real WASM engine from bindings/wasm/pkg, through the app's adapter. scripts/test-frontend.sh builds the
// package first and fails when it cannot; a checkout without it (frontend work alone) runs the rest.
const built = __WASM_BUILT__;

const C = '0190a000-0000-7000-8000-000000000001';
const D = '0190a000-0000-7000-8000-000000000002';
const T = '0190a000-0000-7000-8000-000000000003';
const S = '0190a000-0000-7000-8000-000000000004';
const P1 = '0190a000-0000-7000-8000-000000000005';
const P2 = '0190a000-0000-7000-8000-000000000006';
const A = '0190a000-0000-7000-8000-000000000007';

// Monday 2027-03-01, London (UTC+0 in March before the switch).
const data: CalendarData = {
  clinic: { id: C, name: 'Riverside', time_zone: 'Europe/London', contact: {}, closures: [] },
  practitioners: [{ id: D, clinic_id: C, name: 'Dr Okafor', contact: {}, active: true }],
  rooms: [],
  types: [{ id: T, clinic_id: C, name: 'Consultation', duration_minutes: 20, buffer_before_minutes: 0, buffer_after_minutes: 5, capacity: 1, min_notice_minutes: 30, max_horizon_days: 120, practitioner_ids: [], active: true }],
  schedules: [
    {
      id: S,
      clinic_id: C,
      resource: { kind: 'practitioner', id: D },
      weekly_hours: (['Mon', 'Tue', 'Wed', 'Thu', 'Fri'] as const).map((weekday) => ({ weekday, start: '09:00:00', end: '17:00:00' })),
      recurrences: [],
      breaks: [{ weekdays: [], start: '12:30:00', end: '13:30:00' }],
      exceptions: [],
      valid_from: '2027-01-01',
      valid_until: '2027-12-31',
      granularity_minutes: 10,
    },
  ],
  appointments: [
    {
      id: A,
      clinic_id: C,
      patient_id: P1,
      practitioner_id: D,
      appointment_type_id: T,
      start: '2027-03-01T10:00:00Z',
      end: '2027-03-01T10:20:00Z',
      status: 'booked',
      overbooked: false,
      version: 1,
      created_at: '2027-02-01T00:00:00Z',
      updated_at: '2027-02-01T00:00:00Z',
      history: [],
    },
  ],
};
const now = new Date('2027-02-26T08:00:00Z');

describe.runIf(built)('the WASM engine through the app adapter', () => {
  beforeAll(async () => {
    const mod = (await import('@clinic/wasm')) as unknown as { default: (o: { module_or_path: Uint8Array }) => Promise<unknown> };
    const url = new URL('clinic_wasm_bg.wasm', `file://${process.env.CLINIC_WASM_PKG ?? `${process.cwd()}/../bindings/wasm/pkg`}/`);
    await mod.default({ module_or_path: readFileSync(url) });
  });

  it('refuses a double booking with the core code and message, and offers the nearest free times', async () => {
    const engine = await loadWasmEngine();
    const v = engine.checkBooking(data, { patient_id: P2, practitioner_id: D, appointment_type_id: T, start: '2027-03-01T10:10:00Z' }, now, false)!;
    expect(v.accepted).toBe(false);
    expect(v.violations.map((x) => x.code)).toEqual(['SLOT_CONFLICT_PRACTITIONER']);
    expect(v.violations[0]!.conflicting).toEqual([A]);
    expect(v.violations[0]!.message).toMatch(/Dr Okafor|appointment/);
    expect(v.alternatives.same_practitioner.length).toBeGreaterThan(0);
  });

  it('accepts a free aligned start, refuses a misaligned one and one in the break', async () => {
    const engine = await loadWasmEngine();
    const at = (start: string) => engine.checkBooking(data, { patient_id: P2, practitioner_id: D, appointment_type_id: T, start }, now, false)!;
    expect(at('2027-03-01T09:00:00Z').accepted).toBe(true);
    expect(at('2027-03-01T09:05:00Z').violations.map((x) => x.code)).toContain('MISALIGNED_START');
    expect(at('2027-03-01T12:30:00Z').violations.map((x) => x.code)).toContain('OUTSIDE_AVAILABILITY');
  });

  it('lists free starts around the existing appointment and its buffer', async () => {
    const engine = await loadWasmEngine();
    const slots = engine.findSlots(data, { appointment_type_id: T, practitioner_ids: [D], from: '2027-03-01T09:00:00Z', to: '2027-03-01T11:00:00Z' }, now)!;
    const starts = slots.map((s) => s.start.slice(11, 16));
    expect(starts[0]).toBe('09:00');
    // A new booking keeps its own 5-minute buffer after it: 09:30–09:50(+5) is the last start before 10:00.
    expect(starts).toContain('09:30');
    expect(starts).not.toContain('09:40');
    expect(starts).not.toContain('10:10');
    expect(starts).toContain('10:30'); // after 10:20 + 5 min buffer, on the 10-minute grid
    expect(slots.every((s) => s.practitioner_id === D)).toBe(true);
  });

  it('reads a patients file in the browser like the server import', async () => {
    const engine = await loadWasmEngine();
    const csv = 'given_name,family_name,date_of_birth,phone\nAda,Lovelace,1985-12-10,+44 20 7946 0101\n,Nameless,1980-01-01,\nAlan,Turing,1912-06-23,not-a-phone\n';
    const r = engine.checkPatientFile(Uint8Array.from(Buffer.from(csv)))!;
    expect(r.accepted).toBe(1);
    expect(r.rejected).toBe(2);
    expect(r.rejections.map((x) => x.code)).toEqual(expect.arrayContaining(['REQUIRED', 'INVALID_PHONE']));
  });
});
