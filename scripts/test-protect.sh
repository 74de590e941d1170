#!/usr/bin/env bash
# Data protection at rest (README "Data protection at rest"). The tests themselves run in `cargo test --workspace`
# (clinic-protect's unit tests, clinic-sqlite/tests/protection.rs, clinic-mongo/tests/protection.rs,
# clinic-server/tests/protect_at_rest.rs); this checks what they cannot: clinic-protect stays free of I/O, so the
# cipher is usable from any store or binding without pulling a runtime or a database driver.
set -euo pipefail
cd "$(dirname "$0")/.."
if cargo tree -p clinic-protect -e normal --prefix none | awk '{print $1}' |
    grep -xE 'tokio|mio|hyper|reqwest|rusqlite|libsqlite3-sys|mongodb|socket2|ureq|async-std'; then
    echo "clinic-protect must not depend on I/O crates (listed above)" >&2
    exit 1
fi
echo "clinic-protect: no I/O dependencies"
