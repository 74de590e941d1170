#!/usr/bin/env bash
# Runs every test of the project. Idempotent: installs only what is missing (rustup components and the
# wasm32 target), so a second run goes straight to the checks.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain: rustfmt, clippy, wasm32-unknown-unknown"
installed_components=$(rustup component list --installed 2>/dev/null || true)
for c in rustfmt clippy; do
  grep -q "^$c" <<<"$installed_components" || rustup component add "$c"
done
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

step "test tools: Python venv (icalendar, jsonschema, openpyxl, xlwt, aiosmtpd), pdftotext, FHIR R4 schema"
scripts/test-tools.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test (unit, integration, conformance kit, test vectors, property tests, bench smoke runs)"
cargo test --workspace --all-targets

step "doc tests"
cargo test --workspace --doc

step "clinic-core builds for wasm32-unknown-unknown"
cargo build -p clinic-core --target wasm32-unknown-unknown

step "clinic-core depends on nothing that does I/O"
if cargo tree -p clinic-core -e normal --prefix none | awk '{print $1}' | grep -xE 'tokio|mio|hyper|reqwest|rusqlite|libsqlite3-sys|mongodb|socket2|ureq|async-std'; then
  echo "clinic-core must not depend on an I/O crate (listed above)" >&2
  exit 1
fi
echo "ok: no I/O crates"

step "supply chain: cargo deny (licences, bans, sources)"; scripts/test-supply-chain.sh

step "fuzz smoke run: every fuzz/ target for a few seconds"; scripts/test-fuzz.sh

step "Python binding: abi3 wheel, fresh-venv install, pytest (vectors, API, bad input, bench smoke)"
scripts/test-python.sh

step "Node and WASM bindings (scripts/test-js.sh)"; scripts/test-js.sh

step "data protection at rest: clinic-protect free of I/O (scripts/test-protect.sh)"; scripts/test-protect.sh

step "frontend: typecheck, Vitest, build, end-to-end in Chromium with axe (scripts/test-frontend.sh)"
scripts/test-frontend.sh

step "deployment files: promtool, amtool, compose/k8s/Grafana structure, actionlint, npm audit"; scripts/test-deploy.sh

step "all checks passed"
