import { useQueryClient } from '@tanstack/react-query';
import { NavLink, Outlet, useNavigate } from 'react-router-dom';
import { Api } from '../api/endpoints';
import { useClinic } from '../api/hooks';
import { useAuth } from '../auth/store';
import { navFor } from '../lib/nav';
import { useUi } from '../state/ui';

export function Header() {
  const session = useAuth((s) => s.session);
  const refresh = useAuth((s) => s.refresh);
  const clear = useAuth((s) => s.clear);
  const { clinic } = useClinic();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const signOut = async () => {
    try {
      await Api.logout(refresh);
    } catch {
      /* signing out locally is what matters; the refresh token expires on its own */
    }
    clear();
    qc.clear();
    // The service worker keeps the last schedule for offline reading; it must not outlive the session.
    navigator.serviceWorker?.controller?.postMessage('clear-data');
    navigate('/login');
  };
  return (
    <header className="bg-blue-900 text-white">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-2 px-4 py-3">
        <div>
          <span className="text-lg font-bold">Clinic scheduling</span>
          {clinic && <span className="ml-2 text-blue-100">· {clinic.name}</span>}
        </div>
        {session && (
          <div className="flex items-center gap-3 text-sm">
            <span>
              <span className="sr-only">Signed in as </span>
              {session.username || 'user'} <span className="rounded bg-blue-700 px-1.5 py-0.5">{session.role}</span>
            </span>
            <button type="button" onClick={signOut} className="rounded border border-white px-2 py-1 hover:bg-blue-800">
              Sign out
            </button>
          </div>
        )}
      </div>
    </header>
  );
}

export function Navigation() {
  const session = useAuth((s) => s.session);
  if (!session) return null;
  return (
    <nav aria-label="Main" className="border-b border-slate-200 bg-white">
      <ul className="mx-auto flex max-w-7xl flex-wrap gap-1 px-4">
        {navFor(session.role).map((n) => (
          <li key={n.to}>
            <NavLink
              to={n.to}
              end={n.to === '/'}
              className={({ isActive }) =>
                `block border-b-4 px-3 py-2 ${isActive ? 'border-blue-800 font-semibold text-blue-900' : 'border-transparent text-slate-800 hover:border-slate-300'}`
              }
            >
              {n.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function Footer() {
  const live = useUi((s) => s.live);
  return (
    <footer className="mt-8 border-t border-slate-200 bg-white">
      <div className="mx-auto flex max-w-7xl flex-wrap justify-between gap-2 px-4 py-3 text-sm text-slate-700">
        <span>Clinic scheduling engine · open source</span>
        <span aria-live="polite">Live updates: {live === 'open' ? 'connected' : live === 'connecting' ? 'connecting…' : 'not connected'}</span>
      </div>
    </footer>
  );
}

export function OfflineBanner() {
  const online = useUi((s) => s.online);
  if (online) return null;
  return (
    <div role="status" className="bg-amber-200 px-4 py-2 text-center font-semibold text-amber-950" data-testid="offline-banner">
      You are offline. The schedule already loaded stays readable; changes need a connection.
    </div>
  );
}

export function Layout() {
  return (
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Header />
      <OfflineBanner />
      <Navigation />
      <main id="main" tabIndex={-1} className="mx-auto w-full max-w-7xl flex-1 px-4 py-6">
        <Outlet />
      </main>
      <Footer />
    </div>
  );
}
