#!/usr/bin/env bash
# From a fresh clone to a working Corral: npm packages, the Docker engine, the build, then the
# main job: start the daemon and print `corral doctor`.
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
