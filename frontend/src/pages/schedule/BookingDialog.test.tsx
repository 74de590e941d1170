import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { keys } from '../../api/hooks';
import type { BookingRequest, Verdict } from '../../api/types';
import type { CalendarData, Engine } from '../../engine';
import { useAuth } from '../../auth/store';
import { BookingDialog } from './BookingDialog';

// The patient search answer is put in the query cache, so the form has a patient to pick without a server
// here; the end-to-end run books against the real one.
let posts: string[] = [];
const fetchSpy = vi.fn();
beforeAll(() => {
  useAuth.setState({ access: 'x', session: { user_id: 'u', username: 'desk', role: 'scheduler' } });
  vi.stubGlobal('fetch', (...args: unknown[]) => {
    fetchSpy(...args);
    posts.push(String(args[0]));
    return Promise.reject(new Error('no network in this test'));
  });
});
afterAll(() => vi.unstubAllGlobals());

const data: CalendarData = {
  clinic: { id: 'c', name: 'C', time_zone: 'Europe/London', contact: {}, closures: [] },
  practitioners: [{ id: 'd1', clinic_id: 'c', name: 'Dr Okafor', contact: {}, active: true }],
  rooms: [],
  types: [{ id: 't1', clinic_id: 'c', name: 'Consultation', duration_minutes: 20, buffer_before_minutes: 0, buffer_after_minutes: 5, capacity: 1, min_notice_minutes: 0, max_horizon_days: 90, practitioner_ids: [], active: true }],
  schedules: [],
  appointments: [],
};

/** Stands in for the WASM engine, whose real verdicts the end-to-end run checks; here: what the form does with one. */
function engineSaying(v: Verdict | null, seen: BookingRequest[]): Engine {
  return { source: 'wasm', checkBooking: (_d, r) => (seen.push(r), v), findSlots: () => [], validatePatient: () => null, checkPatientFile: () => null };
}

function renderDialog(engine: Engine) {
  const qc = new QueryClient();
  qc.setQueryData([...keys.patients('c'), 'search', 'Lov'], { items: [{ id: 'p1', clinic_id: 'c', given_name: 'Ada', family_name: 'Lovelace', sex: 'female', contact: {} }] });
  render(
    <QueryClientProvider client={qc}>
      <BookingDialog draft={{ practitionerId: 'd1', typeId: 't1', date: '2027-01-04', minute: 9 * 60 }} onClose={() => {}} data={data} engine={engine} localComplete />
    </QueryClientProvider>,
  );
}

async function choosePatient() {
  fireEvent.change(screen.getByLabelText('Find patient (name, MRN or phone)'), { target: { value: 'Lov' } });
  await screen.findByRole('option', { name: 'Lovelace, Ada' });
  fireEvent.change(screen.getByLabelText('Patient'), { target: { value: 'p1' } });
}

describe('booking form', () => {
  beforeEach(() => {
    posts = [];
  });

  it('refuses a booking the engine rejects, with its code and alternatives, and sends nothing', async () => {
    const seen: BookingRequest[] = [];
    renderDialog(
      engineSaying(
        {
          accepted: false,
          overbooked: false,
          violations: [{ code: 'SLOT_CONFLICT_PRACTITIONER', message: 'Dr Okafor has another appointment at 09:00', conflicting: ['a9'] }],
          alternatives: { same_practitioner: [{ start: '2027-01-04T09:30:00Z', end: '2027-01-04T09:50:00Z', practitioner_id: 'd1' }], other_practitioners: [] },
        },
        seen,
      ),
    );
    await choosePatient();
    fireEvent.click(screen.getByRole('button', { name: 'Book' }));
    const refusal = await screen.findByTestId('local-refusal');
    expect(refusal.textContent).toContain('Dr Okafor has another appointment at 09:00');
    expect(refusal.querySelector('code')?.textContent).toBe('SLOT_CONFLICT_PRACTITIONER');
    // 09:00 London in January is 09:00Z.
    expect(seen[0]).toMatchObject({ patient_id: 'p1', practitioner_id: 'd1', appointment_type_id: 't1', start: '2027-01-04T09:00:00.000Z' });
    fireEvent.click(screen.getByRole('button', { name: /09:30/ }));
    expect((screen.getByLabelText('Start time (HH:MM)') as HTMLInputElement).value).toBe('09:30');
    await new Promise((r) => setTimeout(r, 100));
    expect(posts.filter((u) => u.includes('/appointments'))).toEqual([]); // no booking request left the form
  });

  it('sends an accepted booking (the engine said yes) to the server', async () => {
    renderDialog(engineSaying({ accepted: true, overbooked: false, violations: [], alternatives: { same_practitioner: [], other_practitioners: [] } }, []));
    await choosePatient();
    fireEvent.click(screen.getByRole('button', { name: 'Book' }));
    await waitFor(() => expect(posts.some((u) => u.endsWith('/api/v1/appointments'))).toBe(true));
    expect(await screen.findByText('The server refused the booking')).toBeTruthy();
  });
});
