import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useAuth } from '../auth/store';
import { useUi } from '../state/ui';
import { Api } from './endpoints';
import type { Clinic } from './types';

/** Query keys, one table: live updates invalidate by these prefixes. */
export const keys = {
  clinics: ['clinics'] as const,
  clinic: (c: string) => ['clinic', c] as const,
  catalog: (c: string) => ['catalog', c] as const,
  appointments: (c: string) => ['appointments', c] as const,
  patients: (c: string) => ['patients', c] as const,
  report: (c: string) => ['report', c] as const,
  users: ['users'] as const,
};

/** The clinic the user works in: the token's clinic, else the first the server lists. */
export function useClinic(): { clinic: Clinic | undefined; clinicId: string | null; isLoading: boolean; error: unknown } {
  const session = useAuth((s) => s.session);
  const { clinicId, setClinic } = useUi();
  const clinics = useQuery({ queryKey: keys.clinics, queryFn: Api.clinics, enabled: !!session, staleTime: 5 * 60_000 });
  const wanted = clinicId ?? session?.clinic_id ?? clinics.data?.[0]?.id ?? null;
  useEffect(() => {
    if (wanted && wanted !== clinicId) setClinic(wanted);
  }, [wanted, clinicId, setClinic]);
  const clinic = clinics.data?.find((c) => c.id === wanted);
  const single = useQuery({
    queryKey: keys.clinic(wanted ?? ''),
    queryFn: () => Api.clinic(wanted!),
    enabled: !!wanted && !clinic && !clinics.isLoading,
  });
  return {
    clinic: clinic ?? single.data,
    clinicId: wanted,
    isLoading: clinics.isLoading || single.isLoading,
    error: clinics.error ?? single.error,
  };
}

/** Practitioners, rooms, types and schedules: what the engine needs besides appointments. */
export function useCatalog(clinicId: string | null) {
  return useQuery({
    queryKey: keys.catalog(clinicId ?? ''),
    enabled: !!clinicId,
    staleTime: 60_000,
    queryFn: async () => {
      const c = clinicId!;
      const [practitioners, rooms, types, schedules] = await Promise.all([
        Api.practitioners(c),
        Api.rooms(c).catch(() => []),
        Api.types(c),
        Api.schedules(c).catch(() => []),
      ]);
      return { practitioners, rooms, types, schedules };
    },
  });
}

export function useAppointments(clinicId: string | null, from: string, to: string, filter: { practitioner_id?: string; patient_id?: string } = {}) {
  return useQuery({
    queryKey: [...keys.appointments(clinicId ?? ''), from, to, filter],
    enabled: !!clinicId,
    queryFn: () => Api.appointments(clinicId!, { from, to, ...filter }),
  });
}
