#!/usr/bin/env bash
# Provisions a real VS Code for the extension's tests, offline except for Debian's mirror and npm
# (see the note on VS Code e2e): Debian's Chromium, Node 24 from the npm package `node`, and
# code-server (which contains the VS Code server and workbench). Cached under
# /var/tmp/corral-vscode-<version>/, keyed by the versions below; idempotent, a warm run takes
# seconds. Prints the cache folder on its last line.
set -euo pipefail

CODE_SERVER_VERSION="${CORRAL_CODE_SERVER_VERSION:-4.139.1}"
NODE_MAJOR=24
cache="${CORRAL_VSCODE_CACHE:-/var/tmp/corral-vscode-$CODE_SERVER_VERSION}"

say() { printf 'provision-vscode: %s\n' "$*" >&2; }

# Chromium from Debian; libkrb5-dev for the kerberos native addon code-server builds on install.
if ! command -v chromium >/dev/null 2>&1 || ! [ -e /usr/include/krb5.h ]; then
  if [ "$(id -u)" != 0 ]; then
    say "chromium and libkrb5-dev are missing and only root can install them: apt-get install -y chromium libkrb5-dev"
    exit 1
  fi
  say "installing chromium and libkrb5-dev from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium libkrb5-dev >/dev/null
fi

mkdir -p "$cache"
# Everything npm writes while installing stays out of the user's home.
export npm_config_cache="$cache/npm-cache" npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

node24="$cache/node24/node_modules/.bin/node"
if ! [ -x "$node24" ] || ! "$node24" --version | grep -q "^v$NODE_MAJOR\."; then
  say "installing Node $NODE_MAJOR from npm"
  rm -rf "$cache/node24" && mkdir -p "$cache/node24"
  (cd "$cache/node24" && npm init -y >/dev/null && npm install --loglevel=error "node@$NODE_MAJOR" >/dev/null)
fi

server_main="$cache/cs/node_modules/code-server/lib/vscode/out/server-main.js"
if ! [ -f "$cache/cs/.done" ] || ! [ -f "$server_main" ]; then
  say "installing code-server $CODE_SERVER_VERSION from npm (a few minutes)"
  rm -rf "$cache/cs" && mkdir -p "$cache/cs"
  node_dir=$(dirname "$(readlink -f "$node24")")
  # code-server's native addons build against Node 24's headers, which the npm package carries.
  headers=$(ls -d "$cache"/node24/node_modules/node/node_modules/node-linux-* 2>/dev/null | head -1)
  (cd "$cache/cs" && npm init -y >/dev/null && \
    PATH="$node_dir:$cache/node24/node_modules/.bin:$PATH" npm_config_nodedir="$headers" \
    npm install --loglevel=error "code-server@$CODE_SERVER_VERSION" >/dev/null)
  touch "$cache/cs/.done"
  rm -rf "$cache/npm-cache"
fi
echo "$cache"
