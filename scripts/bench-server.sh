#!/usr/bin/env bash
# Load benchmark of clinic-server (not part of CI; figures go in README "Server figures").
#
# Builds the release binary, seeds the demo clinic in a temporary data directory (embedded SQLite), starts the
# server on loopback and drives it with wrk (Debian's package, installed when missing) from outside the process:
#   1. GET /healthz                       — the ceiling of this machine's HTTP stack;
#   2. GET availability (authenticated)   — a week of free slots of one practitioner, 16 different queries;
#   3. POST /api/v1/appointments          — bookings of distinct free slots (bench patients rotated);
# each at $BENCH_CONNECTIONS connections (64) for $BENCH_DURATION (10s), then lists every appointment and checks
# that no practitioner, room or patient is double-booked. Prints a Markdown table; exits non-zero when a target
# is missed (availability >= 0.5 x healthz, booking p99 <= 50 ms, zero double bookings).
#
#   scripts/bench-server.sh                          # defaults
#   BENCH_DURATION=20s BENCH_CONNECTIONS=64 scripts/bench-server.sh
#   BENCH_BIN=path/to/clinic-server scripts/bench-server.sh     # a binary already built (no cargo build)
#   BENCH_PERF_DIR=/tmp/prof scripts/bench-server.sh   # also `perf record -g` the server during each run
#                                                      # (then: perf report --no-children -i /tmp/prof/booking.data)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
duration="${BENCH_DURATION:-10s}"
conns="${BENCH_CONNECTIONS:-64}"
threads="${BENCH_THREADS:-2}"
log_level="${BENCH_LOG:-info}"

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench-server.sh: installing wrk (Debian)" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq wrk >/dev/null 2>&1 ||
    { "${sudo_cmd[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq wrk; }
fi

profile="${BENCH_PROFILE:-release}" # `debug` only to try the script quickly: figures are release figures
if [[ -n "${BENCH_BIN:-}" ]]; then
  bin="$BENCH_BIN"
else
  echo "==> cargo build --profile $profile -p clinic-server" >&2
  if [[ "$profile" == debug ]]; then cargo build -p clinic-server >&2; else cargo build --release -p clinic-server >&2; fi
  bin="${CARGO_TARGET_DIR:-$root/target}/$profile/clinic-server"
fi
perf_dir="${BENCH_PERF_DIR:-}"
[[ -z "$perf_dir" ]] || mkdir -p "$perf_dir"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

data="$work/data"
password="bench-password-$(date +%s)-0123456789"
"$bin" --data "$data" seed-demo >/dev/null
printf '%s\n' "$password" | "$bin" --data "$data" user add --username bench --role admin --password-stdin >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
CLINIC_LOG="$log_level" "$bin" --data "$data" serve --listen "127.0.0.1:$port" --reminder-hours 0 \
  >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$base/healthz" >/dev/null

echo "==> preparing: login, bench patients, free slots" >&2
python3 scripts/bench-server.py prepare "$base" bench "$password" "$work" >&2
token="$(cat "$work/token")"

run() { # name requests-file
  local name="$1" file="$2" out
  echo "==> wrk $name: $threads threads, $conns connections, $duration" >&2
  local perf_pid=""
  if [[ -n "$perf_dir" ]]; then
    perf record -g -F 499 -p "$server_pid" -o "$perf_dir/$name.data" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  out="$(BENCH_REQUESTS="$file" BENCH_TOKEN="$token" BENCH_THREADS="$threads" \
    wrk -t"$threads" -c"$conns" -d"$duration" --timeout 10s -s scripts/bench-server.lua "$base")"
  if [[ -n "$perf_pid" ]]; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
  fi
  echo "$out" >&2
  grep '^BENCH ' <<<"$out" | sed "s/^BENCH /$name /"
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

printf 'GET /healthz\n' >"$work/healthz.txt"
health="$(run healthz "$work/healthz.txt")"
avail="$(run availability "$work/availability.txt")"
book="$(run booking "$work/bookings.txt")"

echo "==> checking for double bookings" >&2
check="$(python3 scripts/bench-server.py check "$base" "$token")" || true
echo "$check" >&2
doubles="$(sed -n 's/.*double_bookings=\([0-9]*\).*/\1/p' <<<"$check" | tail -1)"

h_rps="$(field "$health" rps)"
a_rps="$(field "$avail" rps)"
b_p99="$(field "$book" p99_ms)"
ratio="$(python3 -c "print(f'{$a_rps / $h_rps:.2f}')")"
cat <<EOF

| run ($conns connections, $duration, wrk $threads threads, log $log_level) | req/s | p50 ms | p99 ms | answers |
|---|---:|---:|---:|---|
| GET /healthz (ceiling) | $h_rps | $(field "$health" p50_ms) | $(field "$health" p99_ms) | $(field "$health" statuses) |
| GET availability | $a_rps | $(field "$avail" p50_ms) | $(field "$avail" p99_ms) | $(field "$avail" statuses) |
| POST booking | $(field "$book" rps) | $(field "$book" p50_ms) | $b_p99 | $(field "$book" statuses) |

availability / healthz = $ratio (target >= 0.5); booking p99 = $b_p99 ms (target <= 50); double bookings = ${doubles:-?} (target 0)
EOF
ok=1
python3 -c "import sys; sys.exit(0 if $ratio >= 0.5 else 1)" || { echo "MISSED: availability below 0.5 x healthz" >&2; ok=0; }
python3 -c "import sys; sys.exit(0 if $b_p99 <= 50 else 1)" || { echo "MISSED: booking p99 above 50 ms" >&2; ok=0; }
[[ "${doubles:-1}" == "0" ]] || { echo "MISSED: double bookings found" >&2; ok=0; }
[[ $ok == 1 ]]
