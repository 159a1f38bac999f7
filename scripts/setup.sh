#!/usr/bin/env bash
# From a fresh clone to a working Corral: npm packages, the Docker engine, the build, then the
# main job: the daemon, `corral doctor`, a first jailed session, and the shipped agent demo (a
# recorded run that fixes a bug in a sample repository, played back against a real jail), then its
# diff and the usage report.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
bash scripts/provision-docker.sh || echo "warning: no Docker engine yet; corral doctor says what to do" >&2
npm run --silent build
corral() { node dist/cli.js "$@"; }
corral daemon start
# The default workspace image: debian with git, bash, python3 (about a minute the first time).
if [ "$(id -u)" = 0 ]; then corral image build --base debian; else corral image build --base tiny; fi
corral doctor
# A first jailed session over this repository: a private copy, no network, no capabilities.
image=$( [ "$(id -u)" = 0 ] && echo corral/debian:latest || echo corral/tiny:latest )
session=$(corral session start --repo . --image "$image")
corral exec "$session" -- 'echo "in the jail as $(id -un) in $(pwd)"; ls | head -5; cat /proc/self/status | grep -E "^(CapEff|Seccomp|NoNewPrivs)"'
corral session rm "$session"

# The agent demo: a sample repository with a bug, and a recorded run that fixes it (examples/demo).
if [ "$(id -u)" = 0 ]; then
  demo=$(mktemp -d /tmp/corral-demo-XXXXXX)
  cp -r examples/demo/repo/. "$demo"
  git -C "$demo" init -q && git -C "$demo" add -A && git -C "$demo" -c user.name=demo -c user.email=demo@example.invalid commit -qm "calculator with a bug"
  corral run --repo "$demo" --transcript examples/demo/fix-add.jsonl --prompt "Make python3 test_calc.py pass."
  demo_session=$(corral session ls --json | node -e 'const s=JSON.parse(require("fs").readFileSync(0,"utf8")); console.log(s.filter(x=>x.repo===process.argv[1]).at(-1).id)' "$demo")
  corral diff "$demo_session"
  corral usage --since 1h
  corral session rm "$demo_session"
  rm -rf "$demo"
else
  echo "the agent demo needs the debian image (python3), which needs root to build; skipped" >&2
fi
