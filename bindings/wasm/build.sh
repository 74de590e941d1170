#!/usr/bin/env bash
# Builds the WASM module: pkg/ (`--target web`, the ES module the frontend imports) and pkg-node/
# (`--target nodejs`, what the shared JS tests and benchmarks load). Prints the gzipped size of the module.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
wasm_bindgen="$("$root/scripts/wasm-bindgen.sh")"
cd "$root"
cargo build -p clinic-wasm --target wasm32-unknown-unknown --profile wasm-release
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/clinic_wasm.wasm"
rm -rf "$here/pkg" "$here/pkg-node"
"$wasm_bindgen" --target web --out-dir "$here/pkg" "$wasm"
"$wasm_bindgen" --target nodejs --out-dir "$here/pkg-node" "$wasm"
# The nodejs target is CommonJS; this package is "type": "module", so mark the folder.
echo '{ "type": "commonjs" }' >"$here/pkg-node/package.json"
raw=$(wc -c <"$here/pkg/clinic_wasm_bg.wasm")
gz=$(gzip -9 -c "$here/pkg/clinic_wasm_bg.wasm" | wc -c)
echo "clinic_wasm_bg.wasm: $raw bytes, $gz bytes gzipped (-9)"
