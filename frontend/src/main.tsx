import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App';
import { scheduleProactiveRefresh } from './api/client';
import { startLive } from './api/live';
import { useAuth } from './auth/store';
import { useUi } from './state/ui';
import './index.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // Offline, keep showing what was loaded rather than an error.
      retry: (n, e) => n < 2 && (e as { status?: number }).status !== 401 && (e as { status?: number }).status !== 403,
      refetchOnWindowFocus: true,
    },
  },
});

function Connectivity() {
  const access = useAuth((s) => s.access);
  useEffect(() => {
    const set = () => useUi.getState().setOnline(navigator.onLine);
    window.addEventListener('online', set);
    window.addEventListener('offline', set);
    return () => {
      window.removeEventListener('online', set);
      window.removeEventListener('offline', set);
    };
  }, []);
  useEffect(() => scheduleProactiveRefresh(), []);
  useEffect(() => (access ? startLive(queryClient) : undefined), [!!access]); // eslint-disable-line react-hooks/exhaustive-deps
  return null;
}

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch((e) => console.warn('service worker not registered', e));
  });
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Connectivity />
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
