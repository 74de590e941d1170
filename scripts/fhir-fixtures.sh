#!/usr/bin/env bash
# Provenance check of the committed FHIR R4 example fixtures (clinic-core/tests/fixtures/fhir, see SOURCE.md there):
# downloads the npm packages they come from (cached in target/fhir-fixtures) and checks that every committed
# file is byte-identical to the packaged one. Idempotent; the tests themselves read only the committed files.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fixtures="$root/clinic-core/tests/fixtures/fhir"
cache="$root/target/fhir-fixtures"
mkdir -p "$cache"

fetch() { # package@version -> extracted dir
  local spec="$1" dir="$cache/${1//[@\/]/_}"
  if [[ ! -d "$dir/package" ]]; then
    (cd "$cache" && npm pack --silent "$spec" >"$dir.name")
    mkdir -p "$dir" && tar xzf "$cache/$(cat "$dir.name")" -C "$dir"
  fi
  printf '%s' "$dir/package"
}

examples="$(fetch hl7.fhir.r4.examples@4.0.1)"
status=0
for f in Patient-example.json Appointment-example.json Appointment-examplereq.json Appointment-2docs.json \
         Schedule-example.json Slot-example.json; do
  cmp -s "$examples/$f" "$fixtures/$f" || { echo "fhir-fixtures: $f differs from hl7.fhir.r4.examples" >&2; status=1; }
done
[[ $status -eq 0 ]] && echo "fhir-fixtures: all committed fixtures match their packages"
exit $status
