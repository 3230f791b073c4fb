#!/usr/bin/env bash
# Makes Ferry's sample source image: a small Debian root from real Debian packages, carrying an
# AWS-style cloud layer, on a GPT disk (BIOS boot + EFI system + ext4 root), written as a raw
# image with a metadata sidecar into a local cloud account's images/ folder.
#
# Usage (as root): scripts/make-sample-image.sh [options]
#   --account DIR   local cloud account directory (default: .ferry/sample-account)
#   --name NAME     image file name without extension (default: debian-12-aws-sample)
#   --cache DIR     cache for downloaded packages and the built root (default: .ferry/cache/sample-image)
#   --suite SUITE   Debian suite (default: bookworm)
#   --mirror URL    Debian mirror (default: the first deb.debian.org-style URI of this host's apt)
#   --no-cache      rebuild the root even when a cached one exists
#
# How the root is made: `debootstrap --variant=minbase` (installed with apt-get when missing) into
# a cache; when debootstrap cannot be used, `apt-get download` of a minimal package set and its
# dependencies, unpacked with `dpkg -x`. The built root is cached as a tarball, so later runs take
# seconds. Prints the image's path and the time taken.
#
# The AWS cloud layer, as AWS-targeted Debian images carry it:
# - cloud-init from the real Debian package (apt-get download + dpkg -x), its units enabled the way
#   `systemctl enable` does (the [Install] WantedBy= links);
# - /etc/cloud/cloud.cfg.d/90_dpkg.cfg with `datasource_list: [ Ec2, None ]`: the file Debian's
#   cloud-init postinst writes from the debconf answer cloud-init/datasources, which the Debian
#   cloud team's image builds (debian-cloud-images, FAI class EC2) preseed to Ec2;
# - amazon-ssm-agent: the systemd unit as AWS's package installs it (aws/amazon-ssm-agent,
#   packaging/linux/amazon-ssm-agent.service: Type=simple, ExecStart=/usr/bin/amazon-ssm-agent,
#   KillMode=process, Restart=always, RestartPreventExitStatus=194, RestartSec=90,
#   WantedBy=multi-user.target), enabled, plus /etc/amazon/ssm/amazon-ssm-agent.json and
#   seelog.xml (the package's .template files copied into place, as image builds do). The agent
#   binary itself is not redistributable and not in Debian, so it is absent; the unit's
#   ConditionFileIsExecutable keeps it inert;
# - kernel arguments AWS recommends (EC2 serial console, NVMe io_timeout) in /etc/default/grub.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
account="$repo/.ferry/sample-account"
name="debian-12-aws-sample"
cache="$repo/.ferry/cache/sample-image"
suite="bookworm"
mirror=""
use_cache=1

while [ $# -gt 0 ]; do
  case "$1" in
    --account) account="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    --cache) cache="$2"; shift 2 ;;
    --suite) suite="$2"; shift 2 ;;
    --mirror) mirror="$2"; shift 2 ;;
    --no-cache) use_cache=0; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'make-sample-image: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chown of the root file system)"
case "$name" in ''|*/*|.*) die "--name must be a plain file name: $name" ;; esac
for tool in sfdisk mkfs.ext4 mkfs.vfat dpkg apt-get tar; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install fdisk e2fsprogs dosfstools dpkg apt tar)"
done

started=$(date +%s)
arch="$(dpkg --print-architecture)"
case "$arch" in
  amd64) ferry_arch="X86_64"; root_type="4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709" ;;
  arm64) ferry_arch="ARM64"; root_type="B921B045-1DF0-41C3-AF44-4C6F280D3FAE" ;;
  *) ferry_arch="UNKNOWN"; root_type="0FC63DAF-8483-4772-8E79-3D69D8477DE4" ;;
esac
if [ -z "$mirror" ]; then
  mirror="$(grep -hoE '^(URIs:|deb) *https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
    | head -n1 | grep -oE 'https?://[^ ]+' || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

mkdir -p "$cache/debs" "$cache/fallback-debs" "$cache/layer-debs" "$account/images"
work="$(mktemp -d "${TMPDIR:-/var/tmp}/ferry-sample.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"
root_tarball="$cache/$suite-$arch-minbase.tar"

# ---------------------------------------------------------------- 1. the Debian root

build_with_debootstrap() {
  if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null 2>&1 || return 1
  fi
  log "debootstrap --variant=minbase $suite from $mirror (about a minute on a fresh cache)"
  debootstrap --variant=minbase --cache-dir="$cache/debs" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; return 1; }
}

# The fallback: unpack a minimal package set and its dependencies without running maintainer
# scripts, then do by hand the little the scripts would (passwd and group files).
build_with_dpkg_x() {
  log "debootstrap unavailable: unpacking a minimal package set with apt-get download + dpkg -x"
  local packages=(base-files base-passwd bash coreutils dash debianutils diffutils dpkg findutils grep
    gzip hostname init-system-helpers login mawk ncurses-base ncurses-bin passwd perl-base sed
    sysvinit-utils tar tzdata util-linux libc-bin)
  local closure
  closure="$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "${packages[@]}" | grep -E '^[a-z0-9]' | sort -u)"
  mkdir -p "$root"
  # shellcheck disable=SC2086 # one package name per word
  (cd "$cache/fallback-debs" && apt-get download $closure >/dev/null 2>"$work/download.log") \
    || { tail -n 20 "$work/download.log" >&2; return 1; }
  local deb
  for deb in "$cache"/fallback-debs/*.deb; do
    dpkg -x "$deb" "$root"
  done
  cp "$root/usr/share/base-passwd/passwd.master" "$root/etc/passwd"
  cp "$root/usr/share/base-passwd/group.master" "$root/etc/group"
  mkdir -p "$root"/{proc,sys,dev,run,tmp,var/tmp} && chmod 1777 "$root/tmp" "$root/var/tmp"
}

if [ "$use_cache" -eq 1 ] && [ -s "$root_tarball" ]; then
  log "using the cached root $root_tarball"
  mkdir -p "$root"
  tar --numeric-owner -xpf "$root_tarball" -C "$root"
else
  build_with_debootstrap || { rm -rf "$root"; build_with_dpkg_x; }
  rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"* "$root/debootstrap"
  tar --numeric-owner -cpf "$root_tarball.partial" -C "$root" . && mv "$root_tarball.partial" "$root_tarball"
fi

# ---------------------------------------------------------------- 2. the AWS cloud layer

# Enables a unit inside the root the way `systemctl enable` does: a link per WantedBy= target.
enable_unit() {
  local unit="$1" file="" candidate wanted target
  for candidate in "$root/lib/systemd/system/$unit" "$root/usr/lib/systemd/system/$unit"; do
    if [ -e "$candidate" ]; then file="$candidate"; break; fi
  done
  [ -n "$file" ] || die "unit $unit not found in the root"
  wanted="$(sed -n 's/^WantedBy=//p' "$file")"
  for target in $wanted; do
    mkdir -p "$root/etc/systemd/system/$target.wants"
    ln -sfn "/lib/systemd/system/$unit" "$root/etc/systemd/system/$target.wants/$unit"
  done
}

log "adding the AWS cloud layer (cloud-init with the Ec2 datasource, amazon-ssm-agent unit)"
(cd "$cache/layer-debs" && { ls cloud-init_*.deb >/dev/null 2>&1 || apt-get download cloud-init >/dev/null 2>"$work/cloud-init.log"; }) \
  || { cat "$work/cloud-init.log" >&2; die "cannot download the cloud-init package"; }
cloud_init_debs=("$cache"/layer-debs/cloud-init_*.deb)
dpkg -x "${cloud_init_debs[-1]}" "$root"
for unit in cloud-init-local.service cloud-init.service cloud-config.service cloud-final.service cloud-init.target; do
  if [ -e "$root/lib/systemd/system/$unit" ]; then enable_unit "$unit"; fi
done
cat >"$root/etc/cloud/cloud.cfg.d/90_dpkg.cfg" <<'EOF'
# to update this file, run dpkg-reconfigure cloud-init
datasource_list: [ Ec2, None ]
EOF

mkdir -p "$root/lib/systemd/system" "$root/etc/amazon/ssm" "$root/var/lib/amazon/ssm"
cat >"$root/lib/systemd/system/amazon-ssm-agent.service" <<'EOF'
[Unit]
Description=amazon-ssm-agent
After=network-online.target
ConditionFileIsExecutable=/usr/bin/amazon-ssm-agent

[Service]
Type=simple
WorkingDirectory=/usr/bin/
ExecStart=/usr/bin/amazon-ssm-agent
KillMode=process
# Restarted whatever the exit, except 194 (the agent asked for a reboot), after 90 seconds.
Restart=always
RestartPreventExitStatus=194
RestartSec=90

[Install]
WantedBy=multi-user.target
EOF
enable_unit amazon-ssm-agent.service
cat >"$root/etc/amazon/ssm/amazon-ssm-agent.json" <<'EOF'
{
  "Agent": {
    "Region": "",
    "OrchestrationRootDir": "",
    "ContainerMode": false
  },
  "Mds": {
    "CommandWorkersLimit": 5
  },
  "Ssm": {
    "HealthFrequencyMinutes": 5
  }
}
EOF
cat >"$root/etc/amazon/ssm/seelog.xml" <<'EOF'
<seelog type="adaptive" mininterval="2000000" maxinterval="100000000" critmsgcount="500" minlevel="info">
  <outputs formatid="fmtinfo">
    <rollingfile type="size" filename="/var/log/amazon/ssm/amazon-ssm-agent.log" maxsize="30000000" maxrolls="5"/>
  </outputs>
  <formats>
    <format id="fmtinfo" format="%Date %Time %LEVEL %Msg%n"/>
  </formats>
</seelog>
EOF
cat >"$root/etc/default/grub" <<'EOF'
GRUB_DEFAULT=0
GRUB_TIMEOUT=0
GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="console=tty1 console=ttyS0,115200n8 nvme_core.io_timeout=4294967295"
EOF

# ---------------------------------------------------------------- 3. the GPT disk

root_uuid="8d3b0c1e-6a4f-4c2b-9e61-5f0a7d2c9b10"
efi_id="F3A1C0DE"
echo "debian" >"$root/etc/hostname"
: >"$root/etc/machine-id"
mkdir -p "$root/boot/efi"
cat >"$root/etc/fstab" <<EOF
UUID=$root_uuid / ext4 errors=remount-ro 0 1
UUID=${efi_id:0:4}-${efi_id:4:4} /boot/efi vfat umask=0077 0 1
EOF

mib=$((1024 * 1024))
used_kib="$(du -sk "$root" | cut -f1)"
root_mib=$(( (used_kib * 13 / 10) / 1024 + 64 ))
efi_mib=32
disk_bytes=$(( (1 + 1 + efi_mib + root_mib + 1) * mib ))
disk="$account/images/$name.raw"
partial="$disk.ferry-partial"
log "building a ${disk_bytes}-byte GPT disk: BIOS boot 1 MiB, EFI ${efi_mib} MiB, root ext4 ${root_mib} MiB"

truncate -s "$efi_mib"M "$work/efi.img"
mkfs.vfat -F 16 -n EFI -i "$efi_id" "$work/efi.img" >/dev/null
truncate -s "$root_mib"M "$work/root.img"
mkfs.ext4 -q -F -L root -U "$root_uuid" -E root_owner=0:0 -d "$root" "$work/root.img"

rm -f "$partial"
truncate -s "$disk_bytes" "$partial"
sfdisk --quiet "$partial" <<EOF
label: gpt
label-id: 0F3E2D1C-5B4A-4978-8695-A4B3C2D1E0F9
unit: sectors
first-lba: 2048
start=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649, name="bios"
start=4096, size=$((efi_mib * 2048)), type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="efi"
start=$(((2 + efi_mib) * 2048)), size=$((root_mib * 2048)), type=$root_type, name="root"
EOF
dd if="$work/efi.img" of="$partial" bs=1M seek=2 conv=notrunc,sparse status=none
dd if="$work/root.img" of="$partial" bs=1M seek=$((2 + efi_mib)) conv=notrunc,sparse status=none

# ---------------------------------------------------------------- 4. into the account

created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
# Parsed, not sourced: nothing from the built root runs on the host.
os_name="$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$root/etc/os-release" | head -n1)"
cat >"$disk.ferry.json" <<EOF
{
  "name": "$name",
  "description": "Ferry sample: Debian $suite minbase with an AWS cloud layer on a GPT disk",
  "osName": "$os_name",
  "architecture": "$ferry_arch",
  "bootMode": "HYBRID",
  "cloudLayer": "aws",
  "tags": { "ferry:sample": "true" },
  "createdAt": "$created"
}
EOF
mv -f "$partial" "$disk"
rm -rf "$work"

elapsed=$(( $(date +%s) - started ))
allocated_kib="$(du -k "$disk" | cut -f1)"
log "done in ${elapsed}s: $disk (virtual $disk_bytes bytes, allocated $((allocated_kib / 1024)) MiB)"
echo "$disk"
