#!/usr/bin/env bash
# Builds, once per machine, a minimal Debian 12 root with a real kernel and initramfs-tools, for the
# guest agent's initramfs regeneration tests (OfflineBootIT):
#
#   .ferry/fixtures/debian-boot/root/   debootstrap --variant=minbase bookworm + linux-image-cloud-amd64
#                                        + initramfs-tools; /boot/initrd.img-* built with MODULES=list
#                                        (only the modules named in /etc/initramfs-tools/modules, like a
#                                        host-only dracut image), so an injected driver is visible in it
#
# About 60 MB from the Debian mirror and under three minutes on a fresh machine; seconds after (a
# stamp file holds the fixture version; bump VERSION when this script changes). Needs root
# (debootstrap) and an amd64 host; on other hosts it says so and builds nothing (the tests skip).
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=1
base="$(pwd)/.ferry/fixtures/debian-boot"
if [ -f "$base/stamp" ] && [ "$(cat "$base/stamp")" = "$VERSION" ]; then
  echo "Debian boot root fixture is up to date ($base)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "the Debian boot root fixture needs root (debootstrap); skipped" >&2
  exit 0
fi
if [ "$(dpkg --print-architecture)" != amd64 ]; then
  echo "the Debian boot root fixture is built for amd64 hosts only; skipped" >&2
  exit 0
fi
if ! command -v debootstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
mirror="$(grep -hoE '^(URIs:|deb) *https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
  /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 | grep -oE 'https?://[^ ]+' || true)"
mirror="${mirror:-http://deb.debian.org/debian}"

source scripts/lib/chroot-build.sh
build_folder

started=$(date +%s)
# udev (a dependency of initramfs-tools-core) brings /lib/systemd/system: the agent sees systemd.
echo "debootstrap --variant=minbase bookworm with linux-image-cloud-amd64 and initramfs-tools from $mirror"
debootstrap --variant=minbase --include=linux-image-cloud-amd64,initramfs-tools,zstd \
  bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

# A host-only style initramfs: only what /etc/initramfs-tools/modules lists (plus what the root needs).
sed -i 's/^MODULES=.*/MODULES=list/' "$root/etc/initramfs-tools/initramfs.conf"
bind_host_filesystems "$root"
chroot "$root" /usr/sbin/update-initramfs -u -k all >"$work/initramfs.log" 2>&1 || { cat "$work/initramfs.log" >&2; exit 1; }
unbind_all

# Keep it small: package caches, lists, documentation, locales.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/debootstrap \
  "$root"/usr/share/{doc,man,locale,info} "$root"/var/log/*.log
find "$root/dev" -mindepth 1 -delete
echo "ferry-boot-fixture" > "$root/etc/hostname"
ls "$root"/boot/initrd.img-* >/dev/null

rm -rf "$base/root"
mv "$root" "$base/root"
echo "$VERSION" > "$base/stamp"
echo "Debian boot root fixture built in $base in $(( $(date +%s) - started ))s ($(du -sh "$base/root" | cut -f1))"
