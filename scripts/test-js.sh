#!/usr/bin/env bash
# Node and WASM bindings (README "Node and WASM"): builds the napi addon and both WASM builds, runs the
# shared `node --test` suite against each (every test vector, API and bad-input tests; the Node build's
# Scheduler over a temp SQLite file), checks the WASM
# size budget (≤ 1 MiB gzipped) and smoke-runs the JS benchmark on small data. Idempotent: the wasm-bindgen
# CLI is cached under target/tools and `npm ci` runs only when package-lock.json changed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
mkdir -p "$CARGO_TARGET_DIR"
CARGO_TARGET_DIR="$(cd "$CARGO_TARGET_DIR" && pwd)"

step() { printf '\n==> %s\n' "$*"; }
budget=$((1024 * 1024))

step "js: wasm-bindgen CLI (the exact version of the wasm-bindgen crate)"
scripts/wasm-bindgen.sh

step "js: npm ci in bindings/node (@napi-rs/cli)"
stamp=bindings/node/node_modules/.clinic-lock-stamp
if [[ -f "$stamp" ]] && cmp -s "$stamp" bindings/node/package-lock.json; then
  echo "up to date"
else
  (cd bindings/node && npm ci --no-audit --no-fund)
  cp bindings/node/package-lock.json "$stamp"
fi

step "js: Node addon (napi build --release) with generated index.d.ts"
(cd bindings/node && npx napi build --platform --release --strip)
grep -q "export declare class Calendar" bindings/node/index.d.ts
grep -q "export declare class Scheduler" bindings/node/index.d.ts
grep -q "export declare function validateAppointmentImport" bindings/node/index.d.ts
grep -q "export interface CalendarInput" bindings/node/index.d.ts

step "js: WASM module (--target web → pkg/, --target nodejs → pkg-node/)"
bindings/wasm/build.sh
grep -q "export class Calendar" bindings/wasm/pkg/clinic_wasm.d.ts
grep -q "export function validateAppointmentImport" bindings/wasm/pkg/clinic_wasm.d.ts
grep -q "export interface CalendarInput" bindings/wasm/pkg/clinic_wasm.d.ts

step "js: WASM size budget (≤ 1 MiB gzipped)"
gz=$(gzip -9 -c bindings/wasm/pkg/clinic_wasm_bg.wasm | wc -c)
echo "clinic_wasm_bg.wasm gzipped: $gz bytes (budget $budget)"
if ((gz > budget)); then
  echo "the WASM module is over its size budget" >&2
  exit 1
fi

step "js: node --test (bindings/js-tests, against the addon and the WASM module)"
(cd bindings/js-tests && node --test)

step "js: benchmark smoke run (small data; real figures: README \"Node and WASM\")"
cargo run -q -p clinic-js-api --example export_bench_data -- "$CARGO_TARGET_DIR/js-bench-data-small" --small
node bindings/js-tests/bench.mjs "$CARGO_TARGET_DIR/js-bench-data-small" --quick
