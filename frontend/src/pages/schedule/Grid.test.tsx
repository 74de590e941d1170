import { fireEvent, render, screen } from '@testing-library/react';
import type { Appointment } from '../../api/types';
import { Grid } from './Grid';
import { buildCells } from './model';

const tz = 'Europe/Berlin';
const appt: Appointment = {
  id: 'a1',
  clinic_id: 'c',
  patient_id: 'p1',
  practitioner_id: 'd1',
  appointment_type_id: 't',
  start: '2027-01-04T08:00:00Z',
  end: '2027-01-04T08:20:00Z',
  status: 'booked',
  overbooked: false,
  version: 1,
  created_at: '2027-01-01T00:00:00Z',
  updated_at: '2027-01-01T00:00:00Z',
  history: [],
};
const free = [
  { start: '2027-01-04T08:30:00Z', end: '2027-01-04T08:50:00Z', practitioner_id: 'd1' },
  { start: '2027-01-04T08:35:00Z', end: '2027-01-04T08:55:00Z', practitioner_id: 'd1' },
];
const names = new Map([['p1', { id: 'p1', clinic_id: 'c', given_name: 'Ada', family_name: 'Lovelace', sex: 'female' as const, contact: {}, identifiers: [] }]]);

describe('calendar grid', () => {
  it('places appointments and the earliest free start in clinic-local cells', () => {
    const cells = buildCells(['2027-01-04'], [appt], free, tz);
    expect(cells.get('2027-01-04|540')?.appointments.map((a) => a.id)).toEqual(['a1']); // 09:00 local
    expect(cells.get('2027-01-04|570')?.free?.start).toBe('2027-01-04T08:30:00Z'); // 09:30 local, earliest
  });

  it('is an ARIA grid with one tab stop, moved by the arrow keys; Enter opens or books', () => {
    const onBook = vi.fn();
    const onOpen = vi.fn();
    render(
      <Grid label="Dr A, week" dates={['2027-01-04', '2027-01-05']} appointments={[appt]} free={free} tz={tz} names={names} onBook={onBook} onOpen={onOpen} onDrop={() => {}} canBook />,
    );
    const grid = screen.getByRole('grid', { name: 'Dr A, week' });
    const focusable = grid.querySelectorAll('[role="gridcell"][tabindex="0"]');
    expect(focusable).toHaveLength(1);
    const start = focusable[0] as HTMLElement;
    expect(start.textContent).toContain('Lovelace, Ada');
    expect(document.getElementById(start.getAttribute('aria-describedby')!)?.textContent).toContain('booked');
    start.focus();
    fireEvent.keyDown(start, { key: 'Enter' });
    expect(onOpen).toHaveBeenCalledWith(appt);
    fireEvent.keyDown(start, { key: 'ArrowDown' });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    const freeCell = document.activeElement as HTMLElement;
    expect(freeCell.getAttribute('data-time')).toBe('09:30');
    expect(document.getElementById(freeCell.getAttribute('aria-describedby')!)?.textContent).toContain('free at 09:30');
    fireEvent.keyDown(freeCell, { key: 'Enter' });
    expect(onBook).toHaveBeenCalledWith('2027-01-04', 570, free[0]);
    fireEvent.keyDown(freeCell, { key: 'ArrowRight' });
    expect((document.activeElement as HTMLElement).getAttribute('data-date')).toBe('2027-01-05');
    expect(grid.querySelectorAll('[role="gridcell"][tabindex="0"]')).toHaveLength(1);
  });

  it('moves an appointment from the keyboard: M picks it up, arrows carry it, Enter drops it; Escape leaves it', () => {
    const onDrop = vi.fn();
    const onOpen = vi.fn();
    render(
      <Grid label="Dr A, week" dates={['2027-01-04', '2027-01-05']} appointments={[appt]} free={free} tz={tz} names={names} onBook={() => {}} onOpen={onOpen} onDrop={onDrop} canBook />,
    );
    const start = screen.getByRole('grid').querySelector('[role="gridcell"][tabindex="0"]') as HTMLElement;
    start.focus();
    fireEvent.keyDown(start, { key: 'm' });
    expect(screen.getByTestId('move-status').textContent).toContain('Moving the 09:00 appointment of Lovelace, Ada');
    fireEvent.keyDown(start, { key: 'Escape' });
    expect(screen.getByTestId('move-status').textContent).toBe('');
    fireEvent.keyDown(start, { key: 'M' });
    fireEvent.keyDown(start, { key: 'ArrowDown' });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    const target = document.activeElement as HTMLElement;
    expect(target.getAttribute('data-move-target')).toBe('true');
    fireEvent.keyDown(target, { key: 'Enter' });
    // Dropped at the cell's free start (09:30 clinic time), not opened.
    expect(onDrop).toHaveBeenCalledWith('a1', '2027-01-04', 570);
    expect(onOpen).not.toHaveBeenCalled();
    expect(screen.getByTestId('move-status').textContent).toBe('');
  });
});
