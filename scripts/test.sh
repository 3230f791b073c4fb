#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, then runs every test.
# Usage: scripts/test.sh [extra maven arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

log() { printf '\n==> %s\n' "$*"; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# 1. Debian packages (qemu-img and friends).
mapfile -t apt_packages < <(grep -vE '^\s*(#|$)' scripts/test-packages.apt)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. Python tools (moto server) in a project-local virtual environment.
venv="$root/.ferry/venv"
if [ ! -x "$venv/bin/python" ]; then
  log "creating Python virtual environment in .ferry/venv"
  python3 -m venv "$venv"
fi
if ! cmp -s scripts/test-requirements.txt "$venv/.installed-requirements" 2>/dev/null; then
  log "installing Python test tools"
  "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/test-requirements.txt
  cp scripts/test-requirements.txt "$venv/.installed-requirements"
fi
export PATH="$venv/bin:$PATH"

# 3. Extra installers (Go tools, npm packages, fixture builders), one script each.
for installer in scripts/test-install.d/*.sh; do
  [ -e "$installer" ] || continue
  log "running $installer"
  bash "$installer"
done

# 4. Every test: unit tests (surefire) and integration tests (failsafe).
log "running every test"
exec ./mvnw -B -ntp verify "$@"
