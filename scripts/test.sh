#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs npm packages, provisions the Docker engine,
# builds, then runs static checks, unit, integration, end-to-end tests and benchmarks. Ends with
# "N passed, N failed, N skipped" computed from the result files, and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
results=test-results
rm -rf "$results" && mkdir -p "$results"

step() { printf '\n== %s\n' "$*"; }

step "install npm packages"
npm ci --no-audit --no-fund --loglevel=error || { echo "npm ci failed"; exit 1; }

step "container engine"
bash scripts/provision-docker.sh || echo "warning: no Docker engine; tests that need it will fail and say so"

step "build"
npm run --silent build || { echo "build failed"; exit 1; }

step "workspace images (built offline, cached by recipe)"
if [ "$(id -u)" = 0 ]; then export CORRAL_IMAGE_CACHE="${CORRAL_IMAGE_CACHE:-/var/cache/corral/images}"; fi
export CORRAL_IMAGE_CACHE="${CORRAL_IMAGE_CACHE:-${TMPDIR:-/tmp}/corral-image-cache}"
image_home=$(mktemp -d /tmp/cr-img-XXXX)
CORRAL_HOME=$image_home node dist/cli.js image build --base tiny || echo "warning: the tiny image did not build"
CORRAL_HOME=$image_home node dist/cli.js image build --base debian || echo "warning: the debian image did not build; the tests that need it will fail"
CORRAL_HOME=$image_home node dist/cli.js daemon stop >/dev/null
rm -rf "$image_home"

export CORRAL_TEST_RUN=1
# tsx for both require and import(): the daemon loads its large libraries with import() on first use.
mocha() { CORRAL_TEST_RESULTS="$results/$1.json" npx --no-install mocha --node-option import=tsx --reporter ./test/support/reporter.cjs "${@:2}"; }

step "static checks"
node scripts/check.mjs typecheck "$results/typecheck.json" npx --no-install tsc -p . --noEmit
node scripts/check.mjs lint "$results/lint.json" npx --no-install eslint --max-warnings 0 .

step "unit tests";        mocha unit 'test/unit/**/*.test.ts'
step "integration tests"; mocha integration --timeout 60000 'test/integration/**/*.test.ts'
step "end-to-end tests";  mocha e2e --timeout 60000 'test/e2e/**/*.test.ts'
step "benchmarks";        mocha bench --timeout 600000 'test/bench/**/*.bench.ts'

node scripts/summarize.mjs "$results"/{typecheck,lint,unit,integration,e2e,bench}.json
