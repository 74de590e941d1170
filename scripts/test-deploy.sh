#!/usr/bin/env bash
# Checks of the deployment files (deploy/) and the CI workflow that need no container engine, and the npm
# supply-chain audit. Fast when warm (a few seconds); idempotent. Needs scripts/test-tools.sh first (venv with
# PyYAML, promtool). What must agree with the running server (metric names in the dashboard and alerts, probe
# paths, env variables, the healthcheck command) is checked by `cargo test` in clinic-server/tests/deploy_metrics.rs.
#
#   - promtool check config / check rules / test rules (the alerts fire on the series they should);
#   - amtool check-config (extracted from Debian's prometheus-alertmanager package into target/tools/bin);
#   - deploy/checks/check_deploy.py: compose services/ports/health checks, Kubernetes objects, Grafana, Dockerfile;
#   - actionlint on .github/workflows (built from its Go module into target/tools/bin);
#   - npm audit --omit=dev of every npm package with a lockfile. Where the registry does not answer the audit
#     endpoint this says so in a NOT CHECKED line and goes on, unless CLINIC_REQUIRE_NPM_AUDIT=1 (set by the
#     GitHub workflow, where the registry answers): then it fails. Vulnerabilities found always fail.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tools="$root/target/tools/bin"
mkdir -p "$tools"
step() { printf '\n==> deploy: %s\n' "$*"; }

python="${CLINIC_TEST_PYTHON:-$root/target/py-venv/bin/python}"
[[ -x "$python" ]] || { echo "$python is missing: run scripts/test-tools.sh" >&2; exit 1; }
"$python" -c 'import yaml' 2>/dev/null || { echo "PyYAML missing from $python: run scripts/test-tools.sh" >&2; exit 1; }
promtool="$(command -v promtool || echo "$tools/promtool")"
[[ -x "$promtool" ]] || { echo "promtool is missing: run scripts/test-tools.sh" >&2; exit 1; }

# amtool: only the binary, from Debian's package (no Alertmanager service is installed or started).
amtool="$(command -v amtool || echo "$tools/amtool")"
if [[ ! -x "$amtool" ]]; then
  echo "extracting amtool from Debian's prometheus-alertmanager package" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  dl="$(mktemp -d)"
  (cd "$dl" && { apt-get download prometheus-alertmanager >/dev/null 2>&1 ||
    { "${sudo_cmd[@]}" apt-get update -qq && apt-get download prometheus-alertmanager; }; })
  dpkg-deb -x "$dl"/prometheus-alertmanager_*.deb "$dl/x"
  cp "$dl/x/usr/bin/amtool" "$tools/amtool"
  rm -rf "$dl"
  amtool="$tools/amtool"
fi

# actionlint: the GitHub Actions workflow's linter, built once from its Go module (pinned).
ACTIONLINT_VERSION=v1.7.12
actionlint="$tools/actionlint"
if [[ ! -x "$actionlint" ]] || [[ "$("$actionlint" -version 2>/dev/null | head -1)" != "$ACTIONLINT_VERSION" ]]; then
  echo "building actionlint $ACTIONLINT_VERSION" >&2
  GOBIN="$tools" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi

step "promtool: Prometheus config, alert rules, alert unit tests"
"$promtool" check config deploy/prometheus/prometheus.yml
"$promtool" check rules deploy/prometheus/alerts.yml
(cd deploy/prometheus && "$promtool" test rules alerts.test.yml)

step "amtool: Alertmanager config"
"$amtool" check-config deploy/alertmanager/alertmanager.yml

step "compose, Kubernetes, Grafana and Dockerfile structure"
"$python" deploy/checks/check_deploy.py

step "actionlint: .github/workflows"
"$actionlint" -shellcheck= -pyflakes= .github/workflows/*.yml
echo "ok: workflows"

step "npm audit --omit=dev (frontend and npm packages)"
audited=0
unreachable=()
for lock in frontend/package-lock.json bindings/*/package-lock.json; do
  [[ -f "$lock" ]] || continue
  dir="$(dirname "$lock")"
  set +e
  out="$(cd "$dir" && npm audit --omit=dev --audit-level=low 2>&1)"
  rc=$?
  set -e
  if [[ $rc -eq 0 ]]; then
    echo "ok: $dir: $(grep -m1 -i 'found' <<<"$out" || echo 'no vulnerabilities')"
    audited=$((audited + 1))
  elif grep -qiE 'audit endpoint returned an error|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|405 Method Not Allowed|404 Not Found - POST' <<<"$out"; then
    unreachable+=("$dir")
  else
    printf '%s\n' "$out" >&2
    echo "FAIL: npm audit found vulnerabilities in $dir (above)" >&2
    exit 1
  fi
done
if [[ ${#unreachable[@]} -gt 0 ]]; then
  registry="$(npm config get registry)"
  echo "NOT CHECKED: npm audit --omit=dev of ${unreachable[*]}: the registry $registry does not answer the audit endpoint here"
  if [[ "${CLINIC_REQUIRE_NPM_AUDIT:-0}" == 1 ]]; then
    echo "CLINIC_REQUIRE_NPM_AUDIT=1: the audit must run here" >&2
    exit 1
  fi
fi
echo "npm audit: $audited package(s) audited, ${#unreachable[@]} not checked (registry without the audit endpoint)"
