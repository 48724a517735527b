#!/usr/bin/env bash
# Installs what the code-server integration tests need, outside the user's `npm install`:
# Debian's chromium, ripgrep and libkrb5-dev, then code-server 4.100.3 (VS Code 1.100.3, the newest
# release whose engines.node accepts Node 20) from the npm registry into a cache folder.
# Usage: scripts/install-code-server.sh [CACHE_DIR]   (default: .cache/code-server in the repo)
# Why each setting: see the install gotchas in the project's e2e notes (npm 11 skips install
# scripts; node-pty's postinstall runs `npx node-gyp`; @vscode/ripgrep downloads from GitHub).
set -euo pipefail
VERSION=4.100.3
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${1:-$ROOT/.cache/code-server}"
started=$(date +%s)

if [ "${SKIP_APT:-}" != 1 ]; then
  need=()
  command -v chromium >/dev/null || need+=(chromium)
  command -v rg >/dev/null || need+=(ripgrep)
  dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
  if [ ${#need[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    # Another apt/dpkg run (unattended upgrades, a parallel install) holds the lock: wait for it
    # (up to APT_LOCK_TIMEOUT seconds) instead of failing on the first "Could not get lock".
    LOCK_WAIT=(-o "DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT:-600}")
    $SUDO apt-get "${LOCK_WAIT[@]}" update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${LOCK_WAIT[@]}" install -y -qq --no-install-recommends "${need[@]}" g++ make python3
  fi
  echo "apt done after $(( $(date +%s) - started )) s"
fi

if [ -x "$CACHE/node_modules/.bin/code-server" ] && grep -q "\"version\": \"$VERSION\"" "$CACHE/node_modules/code-server/package.json"; then
  echo "code-server $VERSION already in $CACHE"; exit 0
fi
mkdir -p "$CACHE"
# Seed @vscode/ripgrep's download cache with Debian's rg so its postinstall stays offline.
TMP="${TMPDIR:-/tmp}"
RG_CACHE="$TMP/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RG_CACHE"
RG_TAR="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$RG_TAR" ]; then
  d=$(mktemp -d); cp "$(command -v rg)" "$d/rg"; tar -C "$d" -czf "$RG_TAR" rg; rm -rf "$d"
fi
cd "$CACHE"
[ -f package.json ] || echo '{"name":"glassbox-code-server","private":true}' > package.json
npm_config_dangerously_allow_all_scripts=true npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --no-audit --no-fund --save-exact "code-server@$VERSION"
echo "code-server $VERSION installed in $CACHE after $(( $(date +%s) - started )) s"
