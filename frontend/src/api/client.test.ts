import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useAuth } from '../auth/store';
import { api, setApiOrigin } from './client';
import { Api } from './endpoints';
import { ApiError } from './problem';

/**
 * A real HTTP server on port 0 that behaves like clinic-server's auth: short-lived access tokens, rotating
 * refresh tokens (reuse revokes), problem+json errors.
 */
function jwt(claims: object): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'EdDSA', typ: 'JWT' })}.${b64(claims)}.sig`;
}

let server: Server;
let valid = new Set<string>();
let refreshes = new Set<string>();
let rotations = 0;
let seen: string[] = [];

function pair(n: number) {
  const access = jwt({ sub: 'u1', role: 'scheduler', username: 'desk', clinic_id: 'c1', n });
  const refresh = `r${n}`;
  valid.add(access);
  refreshes.add(refresh);
  return { access_token: access, refresh_token: refresh, token_type: 'Bearer', expires_in: 300 };
}

function problem(res: ServerResponse, status: number, code: string, detail: string) {
  res.writeHead(status, { 'Content-Type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'about:blank', title: 'Problem', status, code, detail }));
}

async function body(req: IncomingMessage): Promise<Record<string, string>> {
  let s = '';
  for await (const c of req) s += c;
  return s ? JSON.parse(s) : {};
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/api/v1/auth/login') {
      const b = await body(req);
      if (b.username === 'desk' && b.password === 'pw') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify(pair(++rotations)));
      }
      return problem(res, 401, 'INVALID_CREDENTIALS', 'wrong username or password');
    }
    if (req.url === '/api/v1/auth/refresh') {
      const b = await body(req);
      if (!refreshes.delete(b.refresh_token ?? '')) return problem(res, 401, 'INVALID_REFRESH_TOKEN', 'revoked');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify(pair(++rotations)));
    }
    const token = (req.headers.authorization ?? '').replace('Bearer ', '');
    if (!valid.has(token)) return problem(res, 401, 'UNAUTHENTICATED', 'token expired');
    if (req.url?.startsWith('/api/v1/appointments')) return problem(res, 409, 'SLOT_CONFLICT_PRACTITIONER', 'Dr A already has an appointment at 09:00');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ items: [{ id: 'c1', name: 'Clinic', time_zone: 'Europe/Berlin', closures: [] }], next_cursor: null }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  setApiOrigin(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  useAuth.getState().clear();
  valid = new Set();
  refreshes = new Set();
  seen = [];
});

describe('API client against a real HTTP server', () => {
  it('logs in and reads the role from the token', async () => {
    const t = await Api.login('desk', 'pw');
    useAuth.getState().setTokens(t);
    expect(useAuth.getState().session).toMatchObject({ role: 'scheduler', username: 'desk', clinic_id: 'c1' });
    const clinics = await Api.clinics();
    expect(clinics.map((c) => c.id)).toEqual(['c1']);
  });

  it('turns a refused login into a problem with its code', async () => {
    const e = await Api.login('desk', 'nope').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('INVALID_CREDENTIALS');
    expect((e as ApiError).status).toBe(401);
  });

  it('refreshes an expired access token once, even for parallel requests, and retries', async () => {
    useAuth.getState().setTokens(await Api.login('desk', 'pw'));
    valid.clear(); // the access token expired on the server
    const before = rotations;
    const [a, b, c] = await Promise.all([Api.clinics(), Api.clinics(), Api.clinics()]);
    expect([a, b, c].every((x) => x.length === 1)).toBe(true);
    expect(rotations - before).toBe(1);
    expect(seen.filter((s) => s.includes('/auth/refresh'))).toHaveLength(1);
  });

  it('signs out when the refresh token is refused', async () => {
    useAuth.getState().setTokens(await Api.login('desk', 'pw'));
    valid.clear();
    refreshes.clear();
    const e = await api('clinics').catch((x: unknown) => x);
    expect((e as ApiError).code).toBe('SESSION_EXPIRED');
    expect(useAuth.getState().session).toBeNull();
  });

  it('carries the domain code and detail of a problem+json answer', async () => {
    useAuth.getState().setTokens(await Api.login('desk', 'pw'));
    const e = await Api.createAppointment(
      'c1',
      { patient_id: 'p', practitioner_id: 'd', appointment_type_id: 't', start: '2027-01-04T08:00:00Z' },
      'key-1',
    ).catch((x: unknown) => x);
    expect((e as ApiError).code).toBe('SLOT_CONFLICT_PRACTITIONER');
    expect((e as ApiError).message).toContain('already has an appointment');
  });

  it('reports an unreachable server as offline, with a code', async () => {
    setApiOrigin('http://127.0.0.1:9');
    const e = await api('clinics').catch((x: unknown) => x);
    setApiOrigin(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect((e as ApiError).code).toBe('NETWORK_UNAVAILABLE');
  });
});
