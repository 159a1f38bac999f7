#!/usr/bin/env bash
# The extension's tests inside a real VS Code (the VS Code server of code-server, opened by
# Debian's Chromium through playwright-core), against a live daemon with its own CORRAL_HOME and
# a fixture git repository holding a task board. Writes results.json in the format of
# test/support/reporter.cjs (passed/failed/skipped/tests[]) and exits non-zero on any failure.
#
#   scripts/test-vscode.sh [results.json]      default: test-results/vscode.json
#   scripts/test-vscode.sh --screenshots DIR   the views in light and dark, as PNG files in DIR
#
# Environment: CORRAL_VSCODE_DEADLINE_S (default 300: the tests end by then, failed if unfinished),
# CORRAL_VSCODE_GREP (run only matching tests), CORRAL_VSCODE_VSIX=1 (package the extension with
# `npm run package`, install the .vsix into the run's clean profile with VS Code's own installer and
# test the installed copy, as users get it; CI does this), CORRAL_VSCODE_KEEP=1 (keep the run folder and its
# logs), CORRAL_VSCODE_SCREENSHOT=file.png (the window at the end of the run).
# Every process started here (VS Code server, Chromium, daemons, the session containers of this
# home) is killed on every exit path.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
shots=
if [ "${1:-}" = --screenshots ]; then shots=$(realpath -m "${2:?a folder for the screenshots}"); set -- "$(mktemp -u /tmp/cr-shots-XXXX.json)"; fi
results=$(realpath -m "${1:-test-results/vscode.json}")
deadline_s=${CORRAL_VSCODE_DEADLINE_S:-300}
mkdir -p "$(dirname "$results")"
run=$(mktemp -d /tmp/cr-vsc-XXXX)   # short: the daemon's socket lives below it
home=$run/h
tests=$repo/.e2e/vscode-tests/$(basename "$run")
driver_pid=

say() { printf 'test-vscode: %s\n' "$*"; }

# One failed result when the run cannot even start, so the summary never misses this step.
setup_failed() {
  say "$1"
  node -e 'const fs=require("fs");const [f,t,e]=process.argv.slice(1);let r={passed:0,failed:0,skipped:0,tests:[]};try{r=JSON.parse(fs.readFileSync(f,"utf8"))}catch{}r.failed++;r.tests.push({title:"VS Code test run: "+t,file:"scripts/test-vscode.sh",status:"failed",error:e});fs.writeFileSync(f,JSON.stringify(r,null,2))' "$results" "${2:-setup}" "$1"
  exit 1
}

cleanup() {
  trap - EXIT INT TERM HUP
  if [ -n "$driver_pid" ]; then kill -KILL "$driver_pid" 2>/dev/null; fi
  if [ -f "$run/pgids" ]; then
    while read -r pgid; do kill -KILL -- "-$pgid" 2>/dev/null; done <"$run/pgids"
  fi
  # The daemon the script started, or the one the extension started after the SIGKILL test.
  CORRAL_HOME=$home timeout 20 node dist/cli.js daemon stop >/dev/null 2>&1
  if [ -f "$home/daemon.lock" ]; then
    pid=$(head -1 "$home/daemon.lock" 2>/dev/null)
    if [ -n "$pid" ] && grep -q "dist/server.js" "/proc/$pid/cmdline" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; fi
  fi
  containers=$(timeout 20 docker ps -aq --no-trunc --filter "label=corral.home=$home" 2>/dev/null)
  for id in $containers; do
    # A container paused while an exec was starting stays frozen with `runc init` inside, and
    # `docker rm` then waits for ever (Docker 20.10, cgroup v1): thaw it first (the pause race).
    freezer=/sys/fs/cgroup/freezer/docker/$id/freezer.state
    if [ -w "$freezer" ] && grep -q FROZEN "$freezer"; then echo THAWED >"$freezer"; fi
    timeout 30 docker rm -f "$id" >/dev/null 2>&1
  done
  rm -rf "$tests"
  if [ "${CORRAL_VSCODE_KEEP:-}" = 1 ]; then say "run folder kept: $run"; else rm -rf "$run"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
rm -f "$results"

cache=$(bash scripts/provision-vscode.sh | tail -1) && [ -d "$cache" ] || setup_failed "provisioning failed (scripts/provision-vscode.sh)" provision

# The bundles the extension runs from (dist/): all of them when missing (CI builds before) or older
# than the daemon's sources, else the extension's own when one of its sources is newer (dist/ is
# shared with other work).
# A daemon older than its sources (the protocol version, the handlers) would refuse the new
# extension or test old code: then everything is built.
if [ ! -f dist/extension.js ] || [ ! -f dist/server.js ] || [ ! -f dist/cli.js ] || [ -n "$(find server cli -name '*.ts' -newer dist/server.js | head -1)" ]; then
  say "building"
  npm run --silent build || setup_failed "npm run build failed" build
elif [ -n "$(find extension server/protocol -name '*.ts' -newer dist/extension.js | head -1)" ]; then
  say "building dist/extension.js"
  node scripts/build.mjs --extension-only || setup_failed "building the extension failed" build
fi
# The extension under test: the repository itself, or (CORRAL_VSCODE_VSIX=1) the .vsix installed
# into the run's empty extensions folder by the VS Code server's own installer.
extension=$repo
if [ "${CORRAL_VSCODE_VSIX:-}" = 1 ]; then
  vsix=$(node scripts/package.mjs --no-build --json | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0,"utf8")).file)') ||
    setup_failed "packaging the extension failed (npm run package)" package
  say "installing $vsix into a clean profile"
  HOME=$run/home XDG_CONFIG_HOME=$run/home/.config XDG_DATA_HOME=$run/home/.local/share TMPDIR=/tmp \
    timeout 120 "$cache/node24/node_modules/.bin/node" "$cache/cs/node_modules/code-server/lib/vscode/out/server-main.js" \
    --install-extension "$repo/$vsix" --extensions-dir "$run/ext" --server-data-dir "$run/sd" --user-data-dir "$run/ud" \
    --accept-server-license-terms >"$run/install.log" 2>&1 || setup_failed "VS Code could not install $vsix: $(tail -3 "$run/install.log")" install
  extension=$(find "$run/ext" -maxdepth 1 -type d -name 'corral.corral-*' | head -1)
  [ -n "$extension" ] && [ -f "$extension/dist/extension.js" ] || setup_failed "the installed extension is not in $run/ext" install
fi

# The tests, one bundle per file (mocha sets its globals per file); mocha itself and vscode stay
# external, resolved from the repository and the extension host.
mkdir -p "$tests"
npx --no-install esbuild test/vscode/index.ts test/vscode/*.test.ts --bundle --platform=node --target=node20 --format=cjs \
  --external:vscode --external:mocha --outdir="$tests" --log-level=warning || setup_failed "bundling the tests failed" build

# A fixture repository with a board: the workspace VS Code opens.
ws=$run/ws/fixture
mkdir -p "$ws/docs"
cat >"$ws/docs/TASKS.md" <<'BOARD'
# Fixture board

## In progress

- [ ] T-1 Wire the sessions view @alice

## Todo

- [ ] T-2 Draw the tasks view
  - [x] T-5 Group by status
  - [ ] T-6 Click to line
- [ ] T-3 Reconnect after a crash

## Done

- [x] T-4 Bundle the daemon
BOARD
printf 'fixture\n' >"$ws/README.md"
git -C "$ws" init -q -b main && git -C "$ws" add -A &&
  git -C "$ws" -c user.name=test -c user.email=test@example.invalid commit -q -m fixture || setup_failed "the fixture repository could not be made" setup

export CORRAL_HOME=$home
image=${CORRAL_VSCODE_IMAGE:-corral/tiny:latest}
if ! docker image inspect "$image" >/dev/null 2>&1; then
  say "building $image"
  node dist/cli.js image build --base tiny >/dev/null || say "warning: $image did not build; the session tests will fail"
fi
node dist/cli.js daemon start >/dev/null || setup_failed "the daemon did not start (see $home/logs/daemon.log)" daemon

if [ -n "$shots" ]; then
  CORRAL_VSCODE_CACHE=$cache CORRAL_VSCODE_RUN=$run CORRAL_VSCODE_WORKSPACE=$ws CORRAL_VSCODE_EXTENSION=$repo \
    CORRAL_VSCODE_SCREENSHOTS=$shots CORRAL_VSCODE_IMAGE=$image \
    timeout -k 10 300 node --import tsx test/vscode/screenshots.ts &
  driver_pid=$!
  wait "$driver_pid"
  rc=$?
  driver_pid=
  rm -f "$results"
  exit "$rc"
fi

say "running the extension's tests in VS Code (deadline ${deadline_s} s)"
CORRAL_VSCODE_CACHE=$cache CORRAL_VSCODE_RUN=$run CORRAL_VSCODE_WORKSPACE=$ws CORRAL_VSCODE_EXTENSION=$extension \
  CORRAL_VSCODE_TESTS=$tests/index.js CORRAL_VSCODE_RESULTS=$results CORRAL_VSCODE_IMAGE=$image \
  CORRAL_VSCODE_DEADLINE_MS=$((deadline_s * 1000)) \
  timeout -k 10 $((deadline_s + 90)) node --import tsx test/vscode/driver.ts &
driver_pid=$!
wait "$driver_pid"
rc=$?
driver_pid=
if [ "$rc" -ne 0 ] && [ "$(node -e 'try{process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).failed))}catch{process.stdout.write("0")}' "$results")" = 0 ]; then
  setup_failed "the driver ended with status $rc without a failed result (killed by the outer timeout?)" driver
fi
exit "$rc"
