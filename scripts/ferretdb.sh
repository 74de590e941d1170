#!/usr/bin/env bash
# Builds the embedded FerretDB dev server (deploy/ferretdb-dev, FerretDB v1.24.2 with the SQLite back end) with
# this machine's Go and prints the binary's path on stdout (everything else goes to stderr).
#
# The binary is cached in target/ferretdb/ (or $CLINIC_FERRETDB_CACHE_DIR) and rebuilt only when go.mod, go.sum
# or main.go change, or another Go version is in use: a cached run takes well under a second. The first build on
# a fresh machine downloads FerretDB's modules from the Go module proxy and takes about two minutes.
#
# Needs Go >= 1.24 (https://go.dev/dl). The clinic-mongo tests call this script unless CLINIC_FERRETDB_BIN or
# CLINIC_TEST_MONGODB_URI is set.
#
#   scripts/ferretdb.sh                      # build if needed, print the path
#   "$(scripts/ferretdb.sh)" -listen-addr 127.0.0.1:27017 -data-dir /tmp/ferretdb
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/deploy/ferretdb-dev"
out_dir="${CLINIC_FERRETDB_CACHE_DIR:-$root/target/ferretdb}"
bin="$out_dir/ferretdb-dev"
stamp="$out_dir/ferretdb-dev.stamp"
min_minor=24

fail() {
  printf 'scripts/ferretdb.sh: %s\n' "$*" >&2
  exit 1
}

for f in go.mod go.sum main.go; do
  [[ -f "$src/$f" ]] || fail "missing $src/$f"
done

command -v go >/dev/null 2>&1 ||
  fail "Go is not installed (or not on PATH). The MongoDB tests need Go >= 1.$min_minor to build FerretDB (https://go.dev/dl), or CLINIC_TEST_MONGODB_URI=mongodb://... pointing at a running MongoDB."

# Never let the go command fetch another toolchain: use the one that is here, or say it is too old.
export GOTOOLCHAIN=local
go_version="$(go env GOVERSION 2>/dev/null || true)"
if [[ ! "$go_version" =~ ^go1\.([0-9]+) ]]; then
  fail "cannot tell the Go version (go env GOVERSION said '$go_version'); Go >= 1.$min_minor is needed"
fi
if ((BASH_REMATCH[1] < min_minor)); then
  fail "$go_version is too old: building FerretDB v1.24.2 needs Go >= 1.$min_minor (https://go.dev/dl), or set CLINIC_TEST_MONGODB_URI=mongodb://... to test against a running MongoDB instead"
fi

mkdir -p "$out_dir"
want="$(cd "$src" && cat go.mod go.sum main.go | sha256sum | cut -d' ' -f1) $go_version $(go env GOOS GOARCH | tr '\n' ' ')"

fresh() { [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; }

if ! fresh; then
  # Several test binaries may ask at once: one builds, the others wait and reuse its result.
  exec 9>"$out_dir/.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
  if ! fresh; then
    printf 'scripts/ferretdb.sh: building FerretDB dev server with %s (first time: ~2 minutes)...\n' "$go_version" >&2
    start=$SECONDS
    tmp="$bin.tmp.$$"
    if ! (cd "$src" && go build -mod=readonly -trimpath -buildvcs=false -o "$tmp" .) >&2; then
      rm -f "$tmp"
      fail "go build of $src failed (see above). It needs the Go module proxy reachable for the first build, or a filled module cache."
    fi
    mv -f "$tmp" "$bin"
    printf '%s' "$want" >"$stamp"
    printf 'scripts/ferretdb.sh: built %s in %ss\n' "$bin" "$((SECONDS - start))" >&2
  fi
fi

printf '%s\n' "$bin"
