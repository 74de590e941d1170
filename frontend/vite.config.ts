import { defineConfig } from 'vitest/config';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The WASM engine is built by bindings/wasm into a gitignored pkg/ (scripts/test-js.sh). When it has not been
// built, `@clinic/wasm` resolves to a stub that says so, and the app falls back to the server for slots
// (the server decides bookings either way), so the frontend builds and runs without it.
// CLINIC_WASM_PKG points elsewhere (another checkout's build) when set.
const wasmPkg = process.env.CLINIC_WASM_PKG ?? fileURLToPath(new URL('../bindings/wasm/pkg', import.meta.url));
const wasmJs = `${wasmPkg}/clinic_wasm.js`;
const hasWasm = existsSync(wasmJs);
const wasmEntry = hasWasm ? wasmJs : fileURLToPath(new URL('./src/engine/wasm-missing.ts', import.meta.url));

const api = process.env.CLINIC_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  // JSX through esbuild's automatic runtime: no React plugin needed (Fast Refresh is a dev nicety only).
  esbuild: { jsx: 'automatic' },
  resolve: { alias: { '@clinic/wasm': wasmEntry } },
  define: { __WASM_BUILT__: JSON.stringify(hasWasm) },
  server: { proxy: { '/api': { target: api, ws: true } } },
  preview: { proxy: { '/api': { target: api, ws: true } } },
  build: { target: 'es2022', sourcemap: false },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test-setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    // Component tests render whole forms; on a loaded 2-core machine they can take seconds.
    testTimeout: 30_000,
  },
});
