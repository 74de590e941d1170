import type { QueryClient } from '@tanstack/react-query';
import { useAuth } from '../auth/store';
import { useUi } from '../state/ui';
import { paths } from './endpoints';
import { keys } from './hooks';
import type { LiveEvent } from './types';

/** Which cached queries an event makes stale. */
export function invalidationsFor(ev: LiveEvent, clinicId: string): (readonly unknown[])[] {
  const t = ev.type ?? '';
  if (t.startsWith('Appointment')) return [keys.appointments(clinicId), keys.report(clinicId)];
  if (t.startsWith('Patient') || t === 'ImportCompleted') return [keys.patients(clinicId)];
  return [keys.appointments(clinicId), keys.patients(clinicId), keys.catalog(clinicId)];
}

export function liveUrl(token: string): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${paths.ws}?access_token=${encodeURIComponent(token)}`;
}

/**
 * Keeps one WebSocket to `/api/v1/ws` open while signed in; each event invalidates the queries it touches, so
 * every open page refetches what changed. Reconnects with backoff (capped), and at once when the browser comes
 * back online.
 */
export function startLive(qc: QueryClient): () => void {
  let ws: WebSocket | null = null;
  let stopped = false;
  let attempt = 0;
  let timer: number | undefined;

  const connect = () => {
    if (stopped) return;
    const token = useAuth.getState().access;
    const clinicId = useUi.getState().clinicId;
    if (!token || !navigator.onLine) {
      schedule();
      return;
    }
    useUi.getState().setLive('connecting');
    try {
      ws = new WebSocket(liveUrl(token));
    } catch {
      schedule();
      return;
    }
    ws.onopen = () => {
      attempt = 0;
      useUi.getState().setLive('open');
      // Anything may have changed while disconnected.
      if (clinicId) void qc.invalidateQueries({ queryKey: keys.appointments(clinicId) });
    };
    ws.onmessage = (m) => {
      let ev: LiveEvent;
      try {
        ev = JSON.parse(String(m.data)) as LiveEvent;
      } catch {
        return;
      }
      const c = useUi.getState().clinicId ?? ev.appointment?.clinic_id ?? ev.clinic_id;
      if (!c) return;
      for (const k of invalidationsFor(ev, c)) void qc.invalidateQueries({ queryKey: k });
    };
    ws.onclose = () => {
      useUi.getState().setLive('closed');
      ws = null;
      schedule();
    };
    ws.onerror = () => ws?.close();
  };

  const schedule = () => {
    if (stopped) return;
    window.clearTimeout(timer);
    const delay = Math.min(30_000, 500 * 2 ** attempt++);
    timer = window.setTimeout(connect, delay);
  };

  const onOnline = () => {
    attempt = 0;
    if (!ws) connect();
  };
  window.addEventListener('online', onOnline);
  connect();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    window.removeEventListener('online', onOnline);
    ws?.close();
  };
}
