import { create } from 'zustand';

/** Client-only state: which clinic the staff member works in, connectivity, and the live-socket state. */
interface UiState {
  clinicId: string | null;
  online: boolean;
  live: 'connecting' | 'open' | 'closed';
  setClinic: (id: string | null) => void;
  setOnline: (v: boolean) => void;
  setLive: (v: UiState['live']) => void;
}

export const useUi = create<UiState>((set) => ({
  clinicId: null,
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  live: 'closed',
  setClinic: (clinicId) => set({ clinicId }),
  setOnline: (online) => set({ online }),
  setLive: (live) => set({ live }),
}));
