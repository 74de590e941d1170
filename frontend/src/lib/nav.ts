import type { Role } from '../api/types';

export interface NavItem {
  to: string;
  label: string;
}

/**
 * What each role sees in the navigation, following the core's RBAC matrix: admin everything; the front desk
 * (scheduler) no admin; practitioners their own schedule, patients and figures; patients their own record
 * and appointments. The server enforces the same on every route; this only hides dead ends.
 */
export function navFor(role: Role): NavItem[] {
  switch (role) {
    case 'admin':
      return [
        { to: '/', label: 'Dashboard' },
        { to: '/schedule', label: 'Schedule' },
        { to: '/patients', label: 'Patients' },
        { to: '/reports', label: 'Reports' },
        { to: '/admin', label: 'Admin' },
      ];
    case 'scheduler':
      return [
        { to: '/', label: 'Dashboard' },
        { to: '/schedule', label: 'Schedule' },
        { to: '/patients', label: 'Patients' },
        { to: '/reports', label: 'Reports' },
      ];
    case 'practitioner':
      return [
        { to: '/', label: 'Dashboard' },
        { to: '/schedule', label: 'My schedule' },
        { to: '/patients', label: 'My patients' },
        { to: '/reports', label: 'My figures' },
      ];
    case 'patient':
      return [
        { to: '/', label: 'My appointments' },
        { to: '/schedule', label: 'Book' },
      ];
  }
}

export function canAccess(role: Role, path: string): boolean {
  const first = '/' + (path.split('/')[1] ?? '');
  return navFor(role).some((n) => n.to === first);
}

/** Roles that may do front-desk actions on any appointment (book for others, status changes, overbook). */
export const STAFF: readonly Role[] = ['admin', 'scheduler', 'practitioner'];
