import type { AppointmentStatus } from '../api/types';

const STYLE: Record<AppointmentStatus, string> = {
  proposed: 'bg-slate-200 text-slate-900',
  booked: 'bg-blue-100 text-blue-900',
  arrived: 'bg-amber-100 text-amber-900',
  fulfilled: 'bg-green-100 text-green-900',
  cancelled: 'bg-red-100 text-red-900 line-through',
  noshow: 'bg-purple-100 text-purple-900',
};

export const STATUS_LABEL: Record<AppointmentStatus, string> = {
  proposed: 'Proposed',
  booked: 'Booked',
  arrived: 'Arrived',
  fulfilled: 'Fulfilled',
  cancelled: 'Cancelled',
  noshow: 'No-show',
};

export function StatusBadge({ status }: { status: AppointmentStatus }) {
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${STYLE[status]}`}>{STATUS_LABEL[status]}</span>;
}
