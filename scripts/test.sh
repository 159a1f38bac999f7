#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs npm packages, provisions the Docker engine,
# builds, then runs static checks, unit, integration, end-to-end tests and benchmarks. Ends with
# "N passed, N failed, N skipped" computed from the result files, and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
results=test-results
rm -rf "$results" && mkdir -p "$results"

step() { printf '\n== %s\n' "$*"; }

# Time limits: CI stops a run at 90 minutes, so every test step has its own limit and the whole
# run a budget (CORRAL_CI_BUDGET_S, default 75 minutes from here). A step that hits its limit is
# killed and counted as a failure with what it had run; a step with no budget left is not started
# and counted as a failure. A hang can cost one step, never the whole run.
budget_s=${CORRAL_CI_BUDGET_S:-4500}
limited() { # limited NAME SECONDS COMMAND... — runs COMMAND under min(SECONDS, what is left)
  local name=$1 limit=$2; shift 2
  local left=$((budget_s - SECONDS - 60))
  if [ "$left" -lt 60 ]; then
    echo "not started: the run's time budget is spent"
    printf '{"passed":0,"failed":1,"skipped":0,"complete":true,"tests":[{"title":"%s","status":"failed","error":"not started: the time budget of the run was spent"}]}' "$name" >"$results/$name.json"
    return 1
  fi
  [ "$left" -lt "$limit" ] && limit=$left
  timeout --kill-after=30 "$limit" "$@"
  local status=$?
  [ "$status" = 124 ] || [ "$status" = 137 ] && echo "step $name: killed at its time limit of ${limit} s"
  return "$status"
}

step "install npm packages"
timeout 900 npm ci --no-audit --no-fund --loglevel=error || { echo "npm ci failed"; exit 1; }

step "container engine"
timeout 900 bash scripts/provision-docker.sh || echo "warning: no Docker engine; tests that need it will fail and say so"

step "build"
npm run --silent build || { echo "build failed"; exit 1; }

step "workspace images (built offline, cached by recipe)"
if [ "$(id -u)" = 0 ]; then export CORRAL_IMAGE_CACHE="${CORRAL_IMAGE_CACHE:-/var/cache/corral/images}"; fi
export CORRAL_IMAGE_CACHE="${CORRAL_IMAGE_CACHE:-${TMPDIR:-/tmp}/corral-image-cache}"
image_home=$(mktemp -d /tmp/cr-img-XXXX)
CORRAL_HOME=$image_home timeout 300 node dist/cli.js image build --base tiny || echo "warning: the tiny image did not build"
CORRAL_HOME=$image_home timeout 1200 node dist/cli.js image build --base debian || echo "warning: the debian image did not build; the tests that need it will fail"
CORRAL_HOME=$image_home timeout 60 node dist/cli.js daemon stop >/dev/null
rm -rf "$image_home"

export CORRAL_TEST_RUN=1
# tsx for both require and import(): the daemon loads its large libraries with import() on first use.
# --exit: a handle a test leaves open (a socket, a child) must not keep the step alive forever.
mocha() { # mocha NAME LIMIT_S ARGS...
  CORRAL_TEST_RESULTS="$results/$1.json" limited "$1" "$2" node_modules/.bin/mocha --exit --node-option import=tsx --reporter ./test/support/reporter.cjs "${@:3}"
}

step "static checks"
node scripts/check.mjs typecheck "$results/typecheck.json" npx --no-install tsc -p . --noEmit
node scripts/check.mjs lint "$results/lint.json" npx --no-install eslint --max-warnings 0 .
node scripts/check.mjs format "$results/format.json" npx --no-install prettier --check .

step "unit tests";        mocha unit 600 'test/unit/**/*.test.ts'
step "integration tests"; mocha integration 1500 --timeout 60000 'test/integration/**/*.test.ts'
step "end-to-end tests";  mocha e2e 900 --timeout 60000 'test/e2e/**/*.test.ts'
step "VS Code extension tests (a real VS Code: code-server's server + Chromium)"
CORRAL_VSCODE_VSIX=1 limited vscode 900 bash scripts/test-vscode.sh "$results/vscode.json"
step "benchmarks";        mocha bench 1200 --timeout 600000 'test/bench/**/*.bench.ts'

node scripts/summarize.mjs "$results"/{typecheck,lint,format,unit,integration,e2e,vscode,bench}.json
