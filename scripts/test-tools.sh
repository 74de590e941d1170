#!/usr/bin/env bash
# Installs the independent tools some tests check the project's output with, idempotently:
#   - a Python venv at target/py-venv with scripts/requirements-test.txt (icalendar, jsonschema, openpyxl, xlwt, aiosmtpd);
#   - pdftotext (Debian's poppler-utils), when it is missing;
#   - the official FHIR R4 JSON schema, fetched and hash-checked by scripts/fhir-schema.sh;
#   - promtool at target/tools/bin/promtool (from Debian's prometheus package), when not on PATH.
# A second run only compares a stamp and returns. Tests find the venv's python at target/py-venv/bin/python
# (or $CLINIC_TEST_PYTHON) and fail with a message naming this script when it is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/target/py-venv"
req="$root/scripts/requirements-test.txt"
stamp="$venv/.requirements.sha256"

want="$(sha256sum "$req" | cut -d' ' -f1) $(python3 --version 2>&1)"
if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "scripts/test-tools.sh: creating $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
  printf '%s' "$want" >"$stamp"
fi

if ! command -v pdftotext >/dev/null 2>&1; then
  echo "scripts/test-tools.sh: installing poppler-utils (pdftotext)" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get install -y -qq poppler-utils >/dev/null 2>&1 ||
    { "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq poppler-utils; }
fi
command -v pdftotext >/dev/null || { echo "scripts/test-tools.sh: pdftotext still missing" >&2; exit 1; }

# promtool (checks the server's Prometheus exposition): only the binary, extracted from Debian's `prometheus`
# package into target/tools/bin, so no Prometheus service is installed or started. Skipped when on PATH.
promtool="$root/target/tools/bin/promtool"
if ! command -v promtool >/dev/null 2>&1 && [[ ! -x "$promtool" ]]; then
  echo "scripts/test-tools.sh: extracting promtool from Debian's prometheus package" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  dl="$(mktemp -d)"
  (cd "$dl" && { apt-get download prometheus >/dev/null 2>&1 ||
    { "${sudo_cmd[@]}" apt-get update -qq && apt-get download prometheus; }; })
  dpkg-deb -x "$dl"/prometheus_*.deb "$dl/x"
  mkdir -p "$(dirname "$promtool")"
  cp "$dl/x/usr/bin/promtool" "$promtool"
  rm -rf "$dl"
fi
command -v promtool >/dev/null || "$promtool" --version >/dev/null ||
  { echo "scripts/test-tools.sh: promtool still missing" >&2; exit 1; }

"$root/scripts/fhir-schema.sh"
