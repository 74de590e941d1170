#!/usr/bin/env bash
# Prints the path of a `wasm-bindgen` CLI whose version is exactly the `wasm-bindgen` crate's in Cargo.lock
# (the two must match), installing it first with `cargo install` into <target>/tools when it is missing.
# The npm `wasm-pack` downloads a prebuilt binary from outside the registries and fails here (DESIGN.md §8).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
[[ -n "$version" ]] || { echo "no wasm-bindgen in Cargo.lock" >&2; exit 1; }
root="$target/tools"
bin="$root/bin/wasm-bindgen"
if [[ -x "$bin" && "$("$bin" --version)" == "wasm-bindgen $version" ]]; then
  echo "$bin"
  exit 0
fi
echo "installing wasm-bindgen-cli $version into $root (a few minutes, once)" >&2
# --locked first; the registry may lack a version the CLI's own lock file pins (seen: webpki-roots 1.0.11),
# in which case cargo resolves the CLI's dependencies afresh within their semver ranges.
CARGO_TARGET_DIR="$target/tools-build" cargo install wasm-bindgen-cli --version "$version" --locked --root "$root" >&2 ||
  CARGO_TARGET_DIR="$target/tools-build" cargo install wasm-bindgen-cli --version "$version" --root "$root" >&2
echo "$bin"
