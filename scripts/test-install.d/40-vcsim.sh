#!/usr/bin/env bash
# Installs vcsim (govmomi's vCenter simulator) into .ferry/bin for plugin-vsphere's integration tests.
# Built with Go from the Go module proxy; idempotent: skipped when the pinned version is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=v0.46.3  # the newest release whose module still holds vcsim (later ones moved it to a nested module the proxy does not serve)
bin="$(pwd)/.ferry/bin"
stamp="$bin/.vcsim-version"
if [ -x "$bin/vcsim" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$VERSION" ]; then
  echo "vcsim $VERSION is installed ($bin/vcsim)"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "Go is needed to build vcsim (install the golang package or Go 1.22+)" >&2
  exit 1
fi
mkdir -p "$bin"
echo "building vcsim $VERSION into $bin"
GOBIN="$bin" GOFLAGS=-buildvcs=false go install "github.com/vmware/govmomi/vcsim@$VERSION"
echo "$VERSION" > "$stamp"
