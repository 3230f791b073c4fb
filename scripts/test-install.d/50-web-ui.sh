#!/usr/bin/env bash
# The web UI's tools: Debian's chromium for the dashboard's end-to-end tests (driven by
# playwright-core, which never downloads a browser) and the npm packages of web-ui/ from its lock
# file. Needs Node 20+ and npm. Idempotent: skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian chromium for the dashboard's end-to-end tests"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
echo "chromium: $(chromium --version 2>/dev/null || echo missing)"

if ! command -v npm >/dev/null 2>&1; then
  echo "Node.js 20+ with npm is needed to build the web UI (install the nodejs and npm packages)" >&2
  exit 1
fi
if [ ! -f web-ui/node_modules/.package-lock.json ] || ! cmp -s web-ui/package-lock.json web-ui/node_modules/.ferry-installed-lock; then
  echo "installing the web UI's npm packages (npm ci)"
  (cd web-ui && npm ci --prefer-offline --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.ferry-installed-lock)
fi
echo "web-ui npm packages installed (node $(node --version))"
