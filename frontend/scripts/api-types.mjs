// The API's TypeScript types, generated from the OpenAPI document of the real server (utoipa, served at
// /api/openapi.json) by openapi-typescript, into src/api/schema.gen.ts (committed, so the app type-checks
// against exactly what the server declares).
//
//   node scripts/api-types.mjs          write src/api/schema.gen.ts
//   node scripts/api-types.mjs --check  fail when the committed file differs from what the server gives now
//
// The server binary is the one the e2e run uses (CLINIC_SERVER_BIN, else <target>/debug/clinic-server); it
// is started on a free loopback port over an empty temporary data directory and stopped again.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { FRONTEND, freePort, serverBinary } from '../e2e/harness.mjs';

const OUT = join(FRONTEND, 'src', 'api', 'schema.gen.ts');
const check = process.argv.includes('--check');

async function fetchSpec() {
  const bin = serverBinary();
  if (!existsSync(bin)) throw new Error(`no server binary at ${bin} (cargo build -p clinic-server)`);
  const data = mkdtempSync(join(tmpdir(), 'clinic-openapi-'));
  const port = await freePort();
  const server = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data', data, '--log-format', 'text'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (d) => (stderr += d));
  try {
    const until = Date.now() + 30_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`clinic-server exited with ${server.exitCode}:\n${stderr}`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/openapi.json`);
        if (r.ok) return await r.json();
      } catch {
        /* not listening yet */
      }
      if (Date.now() > until) throw new Error(`clinic-server did not serve /api/openapi.json within 30 s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    server.kill('SIGTERM');
    rmSync(data, { recursive: true, force: true });
  }
}

const spec = await fetchSpec();
const header = [
  '/**',
  ' * GENERATED from the OpenAPI document of clinic-server by openapi-typescript: do not edit.',
  ' * Regenerate with `npm run gen:api` (scripts/api-types.mjs); `npm run check:api` fails when it is stale.',
  ' */',
  '',
].join('\n');
const text = header + astToString(await openapiTS(spec, { alphabetize: true }));

if (check) {
  const committed = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
  if (committed !== text) {
    const a = committed.split('\n');
    const b = text.split('\n');
    const i = a.findIndex((line, k) => line !== b[k]);
    const at = i === -1 ? Math.min(a.length, b.length) : i;
    console.error(`src/api/schema.gen.ts is out of date with the server's OpenAPI document (first difference at line ${at + 1}):`);
    console.error(`  committed: ${a[at] ?? '(end of file)'}`);
    console.error(`  server:    ${b[at] ?? '(end of file)'}`);
    console.error('Run `npm run gen:api` in frontend/ and commit the result.');
    process.exit(1);
  }
  console.log('src/api/schema.gen.ts matches the server\'s OpenAPI document');
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}`);
}
