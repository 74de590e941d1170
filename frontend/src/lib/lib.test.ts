import { invalidationsFor } from '../api/live';
import { problemFromResponse } from '../api/problem';
import { sessionFromToken } from '../auth/store';
import { bookingRequestDto, calendarInput, verdictFromDto } from '../engine/wasm';
import { verdictProblem } from '../pages/schedule/BookingDialog';
import { csvCell, toCsv } from './csv';
import { canAccess, navFor } from './nav';

describe('role-aware navigation', () => {
  it('follows the RBAC matrix', () => {
    expect(navFor('admin').map((n) => n.to)).toContain('/admin');
    expect(navFor('scheduler').map((n) => n.to)).not.toContain('/admin');
    expect(navFor('patient').map((n) => n.to)).toEqual(['/', '/schedule']);
    expect(canAccess('patient', '/patients')).toBe(false);
    expect(canAccess('practitioner', '/patients/123')).toBe(true);
  });
});

describe('tokens', () => {
  it('reads role and ids from the claims, and refuses a token without a known role', () => {
    const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    const t = `${b64({ alg: 'HS256' })}.${b64({ sub: 'u', role: 'practitioner', practitioner_id: 'd1' })}.x`;
    expect(sessionFromToken(t, 'drx')).toMatchObject({ role: 'practitioner', practitioner_id: 'd1', username: 'drx' });
    expect(sessionFromToken(`${b64({})}.${b64({ role: 'root' })}.x`)).toBeNull();
    expect(sessionFromToken('garbage')).toBeNull();
  });
});

describe('problem+json', () => {
  it('reads RFC 9457 bodies and wraps anything else with an HTTP code', async () => {
    const p = await problemFromResponse(
      new Response(JSON.stringify({ title: 'Bad', status: 422, code: 'INVALID_PHONE', detail: 'x' }), { status: 422, headers: { 'Content-Type': 'application/problem+json' } }),
    );
    expect(p.code).toBe('INVALID_PHONE');
    const q = await problemFromResponse(new Response('<html>gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    expect(q).toMatchObject({ code: 'HTTP_502', status: 502 });
  });
});

describe('live updates', () => {
  it('invalidates appointments and reports on appointment events, patients on patient events', () => {
    expect(invalidationsFor({ type: 'AppointmentBooked', seq: 1 }, 'c')).toEqual([['appointments', 'c'], ['report', 'c']]);
    expect(invalidationsFor({ type: 'PatientRegistered', seq: 2 }, 'c')).toEqual([['patients', 'c']]);
  });
});

describe('CSV', () => {
  it('quotes and neutralises formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(-3)).toBe('-3');
    expect(toCsv(['a'], [[1], ['x"y']])).toBe('a\r\n1\r\n"x""y"\r\n');
  });
});

describe('engine adapter (server shapes ↔ clinic-js-api DTOs)', () => {
  it('maps the loaded data and requests to camelCase DTOs', () => {
    const input = calendarInput({
      clinic: { id: 'c', name: 'C', time_zone: 'Europe/Berlin', contact: {}, closures: [] },
      practitioners: [{ id: 'd', clinic_id: 'c', name: 'Dr', contact: {}, active: true }],
      rooms: [],
      types: [{ id: 't', clinic_id: 'c', name: 'T', duration_minutes: 20, buffer_before_minutes: 0, buffer_after_minutes: 5, capacity: 1, min_notice_minutes: 0, max_horizon_days: 90, practitioner_ids: ['d'], active: true }],
      schedules: [{ id: 's', clinic_id: 'c', resource: { kind: 'practitioner', id: 'd' }, weekly_hours: [{ weekday: 'Mon', start: '09:00:00', end: '12:00:00' }], recurrences: [], breaks: [], exceptions: [], valid_from: '2027-01-01', valid_until: null, granularity_minutes: 10 }],
      appointments: [],
    });
    expect(input.clinic.timeZone).toBe('Europe/Berlin');
    expect(input.appointmentTypes[0]).toMatchObject({ durationMinutes: 20, bufferAfterMinutes: 5, practitionerIds: ['d'] });
    expect(input.schedules[0]).toMatchObject({ validFrom: '2027-01-01', granularityMinutes: 10, weeklyHours: [{ weekday: 'Mon' }] });
    expect(input.schedules[0]).not.toHaveProperty('validUntil');
    expect(bookingRequestDto({ patient_id: 'p', practitioner_id: 'd', appointment_type_id: 't', start: 'x', reschedule_of: 'a' })).toEqual({
      patientId: 'p',
      practitionerId: 'd',
      appointmentTypeId: 't',
      start: 'x',
      overbook: false,
      rescheduleOf: 'a',
    });
  });

  it('turns a rejected verdict into the problem the server would send', () => {
    const v = verdictFromDto({
      accepted: false,
      violations: [{ code: 'SLOT_CONFLICT_PRACTITIONER', message: 'Dr has another appointment', conflicting: ['a1'] }],
      overbooked: false,
      alternatives: { samePractitioner: [{ start: 's', end: 'e', practitionerId: 'd' }], otherPractitioners: [] },
    });
    expect(v.alternatives.same_practitioner[0]).toEqual({ start: 's', end: 'e', practitioner_id: 'd' });
    const p = verdictProblem(v.violations);
    expect(p.code).toBe('SLOT_CONFLICT_PRACTITIONER');
    expect(p.detail).toBe('Dr has another appointment');
  });
});
