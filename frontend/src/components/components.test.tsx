import { fireEvent, render, screen, within } from '@testing-library/react';
import type { ColumnDef } from '@tanstack/react-table';
import { ApiError } from '../api/problem';
import { DataTable } from './DataTable';
import { ProblemView } from './ProblemView';

describe('ProblemView', () => {
  it('says the problem in words and keeps the code in a details element', () => {
    render(<ProblemView error={new ApiError({ title: 'Conflict', status: 409, code: 'SLOT_CONFLICT_PRACTITIONER', detail: 'Dr Adams already has an appointment at 09:00' })} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Dr Adams already has an appointment at 09:00');
    const details = alert.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(within(details as HTMLElement).getByText('SLOT_CONFLICT_PRACTITIONER')).toBeTruthy();
    expect(alert.getAttribute('data-code')).toBe('SLOT_CONFLICT_PRACTITIONER');
  });

  it('lists every violation and field error', () => {
    render(
      <ProblemView
        error={new ApiError({
          title: 'Invalid',
          status: 422,
          code: 'INVALID_PHONE',
          errors: [
            { code: 'INVALID_PHONE', field: 'contact.phone', message: 'not a phone number' },
            { code: 'REQUIRED', field: 'given_name', message: 'required' },
          ],
        })}
        title="Not saved"
      />,
    );
    expect(screen.getByText('contact.phone: not a phone number')).toBeTruthy();
    expect(screen.getByText('given_name: required')).toBeTruthy();
  });

  it('renders nothing without an error', () => {
    const { container } = render(<ProblemView error={null} />);
    expect(container.innerHTML).toBe('');
  });
});

describe('DataTable', () => {
  const rows = [
    { id: '1', name: 'Baker', dob: '1980-01-01' },
    { id: '2', name: 'Adams', dob: '1990-01-01' },
    { id: '3', name: 'Clark', dob: '1970-01-01' },
  ];
  const cols: ColumnDef<(typeof rows)[number]>[] = [
    { accessorKey: 'name', header: 'Name' },
    { accessorKey: 'dob', header: 'Born' },
  ];
  it('sorts by a column and announces the order with aria-sort', () => {
    render(<DataTable data={rows} columns={cols} caption="People" rowKey={(r) => r.id} />);
    const names = () => screen.getAllByRole('row').slice(1).map((r) => r.querySelector('td')!.textContent);
    expect(names()).toEqual(['Baker', 'Adams', 'Clark']);
    fireEvent.click(screen.getByRole('button', { name: /Name/ }));
    expect(names()).toEqual(['Adams', 'Baker', 'Clark']);
    expect(screen.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(screen.getByRole('button', { name: /Name/ }));
    expect(names()).toEqual(['Clark', 'Baker', 'Adams']);
    expect(screen.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('descending');
  });
});
