import type { Problem } from './types';

/** An API failure as the UI shows it: words for people, the stable code for support and tests. */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.problem = problem;
  }
  get code(): string {
    return this.problem.code;
  }
  get status(): number {
    return this.problem.status;
  }
}

/** Codes the client itself produces (no server answer to carry one). */
export const CLIENT_CODES = {
  offline: 'NETWORK_UNAVAILABLE',
  badResponse: 'BAD_RESPONSE',
  sessionExpired: 'SESSION_EXPIRED',
} as const;

/** Reads an RFC 9457 body; anything else still becomes a Problem with a code, so the UI has one shape. */
export async function problemFromResponse(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '');
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (body && typeof body === 'object') {
    const b = body as Partial<Problem> & { message?: string; error?: string };
    return {
      ...b,
      title: b.title ?? b.error ?? res.statusText ?? 'Request failed',
      status: b.status ?? res.status,
      detail: b.detail ?? b.message,
      code: b.code ?? `HTTP_${res.status}`,
    } as Problem;
  }
  return { title: res.statusText || 'Request failed', status: res.status, detail: text || undefined, code: `HTTP_${res.status}` };
}

/** Plain words for the codes people meet most; anything else falls back to the server's own detail. */
const WORDS: Record<string, string> = {
  SLOT_CONFLICT_PRACTITIONER: 'The practitioner already has an appointment at that time.',
  SLOT_CONFLICT_ROOM: 'The room is already booked at that time.',
  PATIENT_DOUBLE_BOOKED: 'The patient already has an appointment at that time.',
  OUTSIDE_AVAILABILITY: 'That time is outside the practitioner’s working hours.',
  CLINIC_CLOSED: 'The clinic is closed at that time.',
  MIN_NOTICE_VIOLATED: 'That is too soon to book this type of appointment.',
  BEYOND_BOOKING_HORIZON: 'That is too far ahead to book this type of appointment.',
  VERSION_CONFLICT: 'Someone else changed this in the meantime. Reload and try again.',
  FORBIDDEN: 'You are not allowed to do this.',
  NETWORK_UNAVAILABLE: 'The server cannot be reached. Check the connection; you may be offline.',
  SESSION_EXPIRED: 'Your session has ended. Please sign in again.',
};

export function problemWords(p: Problem): string {
  return p.detail || WORDS[p.code] || p.title;
}

export function toProblem(e: unknown): Problem {
  if (e instanceof ApiError) return e.problem;
  if (e && typeof e === 'object' && 'code' in e && 'title' in e && 'status' in e) return e as Problem;
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const x = e as { code: string; message: string };
    return { title: x.message, status: 0, code: String(x.code), detail: x.message };
  }
  return { title: e instanceof Error ? e.message : String(e), status: 0, code: 'UNEXPECTED' };
}
