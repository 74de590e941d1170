import { useAuth } from '../auth/store';
import { ApiError, CLIENT_CODES, problemFromResponse } from './problem';
import type { TokenPair } from './types';

/** Every request of the app goes through here: one place for the base path, the token and its refresh. */
export const API_BASE = '/api/v1';

/** Same origin in the browser; tests point it at a real local server (Node's fetch needs absolute URLs). */
let origin = '';
export function setApiOrigin(o: string) {
  origin = o.replace(/\/$/, '');
}
const url = (p: string) => origin + p;

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** A FormData body is sent as multipart (imports); anything else as JSON. */
  form?: FormData;
  headers?: Record<string, string>;
  /** `json` (default), `text` or `blob`. */
  as?: 'json' | 'text' | 'blob' | 'none';
  signal?: AbortSignal;
  /** Login and refresh themselves must not try to refresh. */
  noAuth?: boolean;
}

let refreshing: Promise<boolean> | null = null;

/** One refresh at a time: parallel 401s wait for the same rotation (a second rotation would revoke the family). */
export function refreshTokens(): Promise<boolean> {
  if (!refreshing) {
    refreshing = (async () => {
      const { refresh, setTokens, clear } = useAuth.getState();
      if (!refresh) return false;
      try {
        const res = await fetch(url(`${API_BASE}/auth/refresh`), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ refresh_token: refresh }),
        });
        if (!res.ok) {
          clear();
          return false;
        }
        setTokens((await res.json()) as TokenPair);
        return true;
      } catch {
        return false;
      }
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function send(path: string, o: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...o.headers };
  const token = useAuth.getState().access;
  if (token && !o.noAuth) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (o.form) body = o.form;
  else if (o.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(o.body);
  }
  try {
    return await fetch(url(path.startsWith('/') ? path : `${API_BASE}/${path}`), {
      method: o.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      signal: o.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError({ title: 'Offline', status: 0, code: CLIENT_CODES.offline, detail: undefined });
  }
}

export async function api<T = unknown>(path: string, o: RequestOptions = {}): Promise<T> {
  const sentWith = useAuth.getState().access;
  let res = await send(path, o);
  if (res.status === 401 && !o.noAuth) {
    // A token that expired between two requests: rotate once and retry. If another request already rotated
    // it while this one was in flight, just retry with the new token (a second rotation is wasted work).
    const rotated = useAuth.getState().access !== sentWith && !!useAuth.getState().access;
    if (rotated || (await refreshTokens())) res = await send(path, o);
    else throw new ApiError({ title: 'Signed out', status: 401, code: CLIENT_CODES.sessionExpired });
  }
  if (!res.ok) throw new ApiError(await problemFromResponse(res));
  switch (o.as ?? 'json') {
    case 'none':
      return undefined as T;
    case 'text':
      return (await res.text()) as T;
    case 'blob':
      return (await res.blob()) as T;
    default: {
      if (res.status === 204) return undefined as T;
      const text = await res.text();
      try {
        return (text ? JSON.parse(text) : undefined) as T;
      } catch {
        throw new ApiError({ title: 'Unreadable answer', status: res.status, code: CLIENT_CODES.badResponse, detail: text.slice(0, 200) });
      }
    }
  }
}

/** Refreshes ahead of expiry so a WebSocket reconnect or a long form never meets an expired token. */
export function scheduleProactiveRefresh(): () => void {
  const id = window.setInterval(() => {
    const { access, expiresAt } = useAuth.getState();
    if (access && expiresAt && expiresAt - Date.now() < 60_000 && navigator.onLine) void refreshTokens();
  }, 15_000);
  return () => window.clearInterval(id);
}

/**
 * Multipart upload with progress (fetch cannot report upload progress): same token, same one-shot refresh on
 * 401, same problem+json errors as `api`.
 */
export async function upload<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  const once = () =>
    new Promise<{ status: number; text: string; type: string }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url(`${API_BASE}/${path}`));
      const token = useAuth.getState().access;
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
      xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
      xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText, type: xhr.getResponseHeader('Content-Type') ?? '' });
      xhr.onerror = () => reject(new ApiError({ title: 'Offline', status: 0, code: CLIENT_CODES.offline }));
      xhr.send(form);
    });
  let r = await once();
  if (r.status === 401 && (await refreshTokens())) r = await once();
  const res = new Response(r.text, { status: r.status, headers: { 'Content-Type': r.type } });
  if (!res.ok) throw new ApiError(await problemFromResponse(res));
  onProgress(1);
  return JSON.parse(r.text) as T;
}
