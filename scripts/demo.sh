#!/usr/bin/env bash
# The main job in one command: builds what the staff app needs when it is missing (the WASM engine in
# bindings/wasm/pkg, the frontend in frontend/dist), then starts clinic-server on http://127.0.0.1:8080 over an
# embedded SQLite file (./clinic-data), seeding the demo clinic, a month of appointments and one user per role
# when the store is empty, and serving the app at /. Extra arguments go to `clinic-server serve`.
# A second run skips the builds; FRONTEND_REBUILD=1 forces the frontend build.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f bindings/wasm/pkg/clinic_wasm.js ]; then
  echo "==> building the WASM engine (bindings/wasm/pkg)"
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  bindings/wasm/build.sh
fi
if [ ! -f frontend/dist/index.html ] || [ "${FRONTEND_REBUILD:-0}" = 1 ]; then
  echo "==> building the frontend (frontend/dist)"
  (cd frontend && npm ci --no-audit --no-fund && npx vite build)
fi
echo "==> clinic-server on http://127.0.0.1:8080 (demo users: README \"Server\")"
exec cargo run --release -p clinic-server -- serve --demo --web-dir frontend/dist "$@"
