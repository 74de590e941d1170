// Starts the real pieces the end-to-end tests drive: a clinic-server built from this workspace on a temporary
// data directory with demo data, the built frontend served by `vite preview` (proxying /api, WebSocket
// included, to that server), and Debian's Chromium through playwright-core. Nothing is mocked.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(FRONTEND, '..');
export const SHOTS = join(ROOT, 'target', 'e2e-screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The demo users `clinic-server seed-demo` creates (README "Demo users"); overridable as JSON in E2E_USERS. */
export const USERS = process.env.E2E_USERS
  ? JSON.parse(process.env.E2E_USERS)
  : {
      admin: { username: 'admin', password: 'admin-demo-2026' },
      scheduler: { username: 'frontdesk', password: 'frontdesk-demo-2026' },
      practitioner: { username: 'dr.okafor', password: 'okafor-demo-2026' },
      patient: { username: 'ada', password: 'ada-demo-2026' },
    };

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

async function waitFor(url, ms, proc, what) {
  const until = Date.now() + ms;
  let last;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode} before answering ${url}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not answer ${url} within ${ms} ms (${last})`);
}

export function serverBinary() {
  if (process.env.CLINIC_SERVER_BIN) return process.env.CLINIC_SERVER_BIN;
  const target = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(ROOT, 'target');
  return join(target, 'debug', 'clinic-server');
}

/** `cargo build -p clinic-server`; fails loudly with the reason when the workspace has no such crate yet. */
export function buildServer() {
  if (process.env.CLINIC_SERVER_BIN) return;
  if (!existsSync(join(ROOT, 'clinic-server', 'Cargo.toml'))) {
    throw new Error('clinic-server is not in this workspace (merge the server branch): the end-to-end tests need a real server');
  }
  const r = spawnSync('cargo', ['build', '-p', 'clinic-server'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`cargo build -p clinic-server failed (${r.status})`);
}

function run(bin, args, input) {
  const r = spawnSync(bin, args, { cwd: ROOT, input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export async function startStack() {
  const bin = serverBinary();
  if (!existsSync(bin)) throw new Error(`no server binary at ${bin}`);
  const data = mkdtempSync(join(tmpdir(), 'clinic-e2e-'));
  const seedOut = run(bin, ['seed-demo', '--data', data]);
  const apiPort = await freePort();
  const log = [];
  // By default `vite preview` serves the built app and proxies /api (WebSocket included) to the server.
  // E2E_WEB=server has clinic-server serve it (--web-dir), under the server's own CSP.
  const viaServer = (process.env.E2E_WEB ?? 'preview') === 'server';
  const serveArgs = ['serve', '--listen', `127.0.0.1:${apiPort}`, '--data', data, '--log-format', 'text'];
  if (viaServer) serveArgs.push('--web-dir', join(FRONTEND, 'dist'));
  const api = `http://127.0.0.1:${apiPort}`;
  let server = null;
  const startServer = async () => {
    server = spawn(bin, serveArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout.on('data', (d) => log.push(String(d)));
    server.stderr.on('data', (d) => log.push(String(d)));
    await waitFor(`${api}/healthz`, 30_000, server, 'clinic-server');
  };
  await startServer();

  let web = api;
  let vite = null;
  const webPort = viaServer ? apiPort : await freePort();
  const startVite = async () => {
    vite = spawn(process.execPath, [join(FRONTEND, 'node_modules', 'vite', 'bin', 'vite.js'), 'preview', '--port', String(webPort), '--strictPort', '--host', '127.0.0.1'], {
      cwd: FRONTEND,
      env: { ...process.env, CLINIC_API: api },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    vite.stdout.on('data', (d) => log.push(String(d)));
    vite.stderr.on('data', (d) => log.push(String(d)));
    await waitFor(`http://127.0.0.1:${webPort}/`, 30_000, vite, 'vite preview');
  };
  if (!viaServer) {
    await startVite();
    web = `http://127.0.0.1:${webPort}`;
  }
  const index = await (await fetch(`${web}/`)).text();
  if (!index.includes('id="root"')) throw new Error(`${web}/ does not serve the built frontend (run vite build first)`);

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  mkdirSync(SHOTS, { recursive: true });
  return {
    api,
    web,
    data,
    seedOut,
    browser,
    log,
    /** Takes the web origin away (a real outage, which the service worker's own fetches see too). */
    async stopWeb() {
      const p = viaServer ? server : vite;
      if (!p) return;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await gone;
      if (viaServer) server = null;
      else vite = null;
    },
    /** Brings the web origin back on the same port (the server keeps its data directory). */
    async startWeb() {
      if (viaServer && !server) await startServer();
      if (!viaServer && !vite) await startVite();
    },
    async stop() {
      await browser.close().catch(() => {});
      vite?.kill('SIGTERM');
      server?.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** Runs axe-core in the page; returns the serious and critical violations (the bar is none). */
export async function axe(page) {
  // Evaluated through the DevTools protocol, not a <script> tag: the server's CSP (rightly) refuses inline
  // scripts, and the scan must not need the policy loosened.
  const src = readFileSync(join(FRONTEND, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  await page.evaluate(src);
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function writeArtifact(name, bytes) {
  mkdirSync(SHOTS, { recursive: true });
  const p = join(SHOTS, name);
  writeFileSync(p, bytes);
  return p;
}
