#!/usr/bin/env bash
# Supply-chain checks with cargo-deny (policy in deny.toml): licences, banned crates and duplicate versions,
# and that every crate comes from crates.io — for the main workspace and the fuzz crate. Advisories are not
# checked: the RustSec database lives on github.com, which is not reachable here (see deny.toml).
# Idempotent: cargo-deny is installed only when the pinned version is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DENY_VERSION=0.20.2
if [ "$(cargo deny --version 2>/dev/null | head -1)" != "cargo-deny $CARGO_DENY_VERSION" ]; then
  echo "installing cargo-deny $CARGO_DENY_VERSION"
  # Its release profile asks for fat LTO and one codegen unit (minutes of extra build for a CI tool); a plain
  # optimized build checks the same.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked
fi

cargo deny --all-features check licenses bans sources
cargo deny --config deny.toml --manifest-path fuzz/Cargo.toml --all-features check licenses bans sources
echo "ok: licences, bans and sources"
