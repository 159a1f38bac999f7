#!/usr/bin/env bash
# Installs Debian's Docker engine (and the tools the offline image builds need) when missing, and
# starts dockerd when nothing answers on its socket. Idempotent: a warm machine takes a second.
set -euo pipefail
log() { printf 'provision: %s\n' "$*" >&2; }

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
[ -x /bin/busybox ] || need_pkgs+=(busybox-static)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing ${need_pkgs[*]}; run this script as root (or install them with apt-get) once"
    exit 1
  fi
  log "installing ${need_pkgs[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then exit 0; fi
if [ -n "${DOCKER_HOST:-}" ]; then
  log "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine"
  exit 1
fi
log "starting dockerd"
mkdir -p /var/log
nohup dockerd -H unix:///var/run/docker.sock >/var/log/dockerd.log 2>&1 &
for _ in $(seq 600); do
  docker info >/dev/null 2>&1 && { log "dockerd is up"; exit 0; }
  sleep 0.1
done
log "dockerd did not answer within 60 s; see /var/log/dockerd.log"
exit 1
