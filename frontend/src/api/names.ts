import { useQueries } from '@tanstack/react-query';
import { Api } from './endpoints';
import type { Patient } from './types';

/** Patient names for the ids on screen (appointments carry ids only); each patient is cached on its own. */
export function usePatientNames(clinicId: string | null, ids: string[]): Map<string, Patient> {
  const unique = [...new Set(ids)].slice(0, 200);
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: ['patient', clinicId, id],
      queryFn: () => Api.patient(clinicId!, id),
      enabled: !!clinicId,
      staleTime: 5 * 60_000,
      retry: false,
    })),
  });
  const map = new Map<string, Patient>();
  results.forEach((r) => r.data && map.set(r.data.id, r.data));
  return map;
}

export function patientName(p: Patient | undefined, fallback = 'Patient'): string {
  return p ? `${p.family_name}, ${p.given_name}` : fallback;
}
