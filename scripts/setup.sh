#!/usr/bin/env bash
# From a fresh clone to a working Corral: npm packages, the Docker engine, the build, then the
# main job: start the daemon and print `corral doctor`.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
bash scripts/provision-docker.sh || echo "warning: no Docker engine yet; corral doctor says what to do" >&2
npm run --silent build
node dist/cli.js daemon start
node dist/cli.js doctor
