#!/usr/bin/env bash
# The frontend's checks: npm ci, the generated API types against the server's OpenAPI document, typecheck,
# Vitest, production build, then the end-to-end run in Debian's
# Chromium against a real clinic-server (built here) with demo data. Idempotent: Chromium is installed only
# when missing; npm ci reuses npm's cache.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

step() { printf '\n==> frontend: %s\n' "$*"; }

step "Chromium (Debian) for the end-to-end tests"
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Debian's chromium is missing and this is not root: run 'sudo apt-get install -y chromium'" >&2
    exit 1
  fi
fi
command -v pdftotext >/dev/null || { echo "pdftotext missing: scripts/test-tools.sh installs poppler-utils" >&2; exit 1; }

step "WASM engine (bindings/wasm/pkg, or CLINIC_WASM_PKG) for client-side checks"
WASM_PKG=${CLINIC_WASM_PKG:-bindings/wasm/pkg}
if [ -d bindings/wasm ] && [ ! -f "$WASM_PKG/clinic_wasm.js" ]; then
  if [ -x scripts/build-wasm.sh ]; then
    scripts/build-wasm.sh
  elif [ -x scripts/test-js.sh ]; then
    scripts/test-js.sh
  fi
fi
if [ ! -f "$WASM_PKG/clinic_wasm.js" ]; then
  # Without it the engine tests would be skipped and the client-side refusal could not be shown: fail here.
  echo "bindings/wasm/pkg/clinic_wasm.js is missing: build the WASM module (scripts/test-js.sh) before the frontend checks" >&2
  exit 1
fi

if [ -z "${CLINIC_SERVER_BIN:-}" ]; then
  step "clinic-server (its OpenAPI document and the end-to-end run)"
  cargo build -p clinic-server
fi

cd frontend
step "npm ci"
npm ci --no-audit --no-fund

step "API types (src/api/schema.gen.ts) match the server's OpenAPI document"
npm run check:api

step "typecheck (tsc --noEmit, strict)"
npm run typecheck

step "unit and component tests (Vitest, jsdom)"
npx vitest run

step "production build (vite build)"
npx vite build

step "end to end (playwright-core + /usr/bin/chromium, real clinic-server, axe-core scan, screenshots)"
npm run e2e
echo "screenshots: $ROOT/target/e2e-screenshots/"
