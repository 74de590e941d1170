#!/usr/bin/env bash
# The Python binding (bindings/python): lint the crate, build the abi3 wheel with maturin, install the wheel into
# a FRESH venv (pip installs a wheel: no Rust toolchain is involved) and run its pytest suite there — the shared
# test vectors, the API and bad-input tests, and a smoke run of the benchmark script.
#
# Idempotent: the build venv (target/py-bind-venv, maturin pinned in requirements-build.txt) and cargo's cache
# are reused; the test venv is recreated every run so it only ever holds the wheel and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
py=${PYTHON:-python3}
manifest=bindings/python/Cargo.toml
build_venv=target/py-bind-venv
test_venv=target/py-bind-test-venv
wheels=target/py-bind-wheels
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}

step() { printf '\n--> %s\n' "$*"; }

step "python binding: rustfmt and clippy (its own workspace, excluded from the root one)"
cargo fmt --manifest-path "$manifest" -- --check
cargo clippy --manifest-path "$manifest" --all-targets -- -D warnings

step "python binding: maturin (pinned) in $build_venv"
[ -x "$build_venv/bin/python" ] || "$py" -m venv "$build_venv"
want=$(sed -n 's/^maturin==//p' bindings/python/requirements-build.txt)
have=$("$build_venv/bin/maturin" --version 2>/dev/null | awk '{print $2}' || true)
[ "$have" = "$want" ] || "$build_venv/bin/pip" install -q -r bindings/python/requirements-build.txt

step "python binding: build the abi3 wheel (release: the same wheel the benchmarks use)"
rm -rf "$wheels"
"$build_venv/bin/maturin" build -q -m "$manifest" --release -i "$py" -o "$wheels"
wheel=$(ls "$wheels"/clinic_scheduling-*-abi3-*.whl)
echo "built $(basename "$wheel")"

step "python binding: install the wheel into a fresh venv and run pytest there"
rm -rf "$test_venv"
"$py" -m venv "$test_venv"
"$test_venv/bin/pip" install -q -r bindings/python/requirements-test.txt
# No build backend can run here: a wheel, no index, no sdist — the install needs no Rust toolchain.
"$test_venv/bin/pip" install -q --no-index --no-deps --only-binary=:all: "$wheel"
"$test_venv/bin/python" - <<'PY'
import clinic_scheduling, sys
assert "site-packages" in clinic_scheduling.__file__, clinic_scheduling.__file__
print("installed:", clinic_scheduling.__file__)
PY
(cd bindings/python && "$root/$test_venv/bin/python" -m pytest -q -p no:cacheprovider tests)
