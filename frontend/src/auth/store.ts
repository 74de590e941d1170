import { create } from 'zustand';
import type { Role, Session, TokenPair } from '../api/types';

/**
 * Tokens live in sessionStorage: a reload keeps the user signed in, closing the tab signs out, and nothing
 * outlives the browser session on a shared front-desk machine.
 */
const KEY = 'clinic.auth';

interface Stored {
  access: string;
  refresh: string;
  expiresAt: number;
  session: Session;
}

interface AuthState {
  access: string | null;
  refresh: string | null;
  expiresAt: number;
  session: Session | null;
  setTokens: (t: TokenPair, session?: Session) => void;
  setSession: (s: Session) => void;
  clear: () => void;
}

function load(): Stored | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

function save(s: Stored | null) {
  try {
    if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
    else sessionStorage.removeItem(KEY);
  } catch {
    /* storage disabled: the session lasts as long as the page */
  }
}

/** Reads the access token's claims (not verified: the server verifies; the UI only needs the role and ids). */
export function sessionFromToken(token: string, fallbackName = ''): Session | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const c = JSON.parse(json) as Record<string, unknown>;
    const role = String(c.role ?? (Array.isArray(c.roles) ? c.roles[0] : '')) as Role;
    if (!['admin', 'scheduler', 'practitioner', 'patient'].includes(role)) return null;
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    return {
      user_id: String(c.sub ?? ''),
      username: str(c.username) ?? str(c.preferred_username) ?? str(c.name) ?? fallbackName,
      role,
      clinic_id: str(c.clinic_id),
      practitioner_id: str(c.practitioner_id),
      patient_id: str(c.patient_id),
    };
  } catch {
    return null;
  }
}

const initial = load();

export const useAuth = create<AuthState>((set, get) => ({
  access: initial?.access ?? null,
  refresh: initial?.refresh ?? null,
  expiresAt: initial?.expiresAt ?? 0,
  session: initial?.session ?? null,
  setTokens: (t, session) => {
    const s = session ?? sessionFromToken(t.access_token, get().session?.username) ?? get().session;
    const expiresAt = Date.now() + t.expires_in * 1000;
    set({ access: t.access_token, refresh: t.refresh_token, expiresAt, session: s });
    if (s) save({ access: t.access_token, refresh: t.refresh_token, expiresAt, session: s });
  },
  setSession: (session) => {
    set({ session });
    const { access, refresh, expiresAt } = get();
    if (access && refresh) save({ access, refresh, expiresAt, session });
  },
  clear: () => {
    set({ access: null, refresh: null, expiresAt: 0, session: null });
    save(null);
  },
}));
