#!/usr/bin/env bash
# Builds, once per machine, bootable BIOS disks of a real Debian 12 with an AWS-style cloud layer, for
# the boot check (plugin-local BootCheckIT, orchestrator BootCheckMigrationIT):
#
#   .ferry/fixtures/bootable-disk/debian-12-aws.raw       MBR disk, one ext4 root partition (start 2048,
#        UUID below) holding the Debian boot root of 30-debian-boot-root.sh plus systemd-sysv (from the
#        Debian mirror, installed with apt in a chroot) and cloud-init (Debian's, datasource_list
#        [ Ec2, None ] as on Debian's AMIs), the AWS layer of the OS tree fixtures
#        (overlays/debian-aws) and an initramfs built with MODULES=list for the AWS disk drivers only
#        (nvme, ena: no virtio, as on a real AMI). GRUB for BIOS is in the MBR and its gap: core.img
#        from grub-mkimage (host grub-pc-bin, every module it needs built in) and boot.img, placed by
#        hand (the blocklist patched as grub-bios-setup would). /boot/grub/grub.cfg sends GRUB and the
#        kernel to the serial console (console=ttyS0), so a login prompt there says the system is up.
#        It does NOT boot on virtio as it is: the kvm layer's INJECT adds virtio_* and regenerates.
#   .ferry/fixtures/bootable-disk/debian-12-kvm.raw  the same made ready for KVM by hand: virtio in
#        its initramfs, cloud-init's datasource_list [ NoCloud, None ] (boots on the local cloud's
#        QEMU as it is and reads a NoCloud seed; for the plugin's own test)
#   .ferry/fixtures/bootable-disk/debian-12-aws-nokernel.raw the same root without its kernel (GRUB
#        fails: the negative case)
#
# Nothing is mounted: the file system is made with mkfs.ext4 -d and copied in at its offset. Seconds
# when up to date (a stamp file holds the version; bump VERSION when this script changes); about a
# minute after 30-debian-boot-root.sh on a fresh machine. Needs root (chroot) and an amd64 host.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=3
fixtures="$(pwd)/.ferry/fixtures"
base="$fixtures/bootable-disk"
ROOT_UUID=5d7e9b1c-3f2a-4c6d-8e0f-a1b2c3d4e5f6
DISK_MIB=640
if [ -f "$base/stamp" ] && [ "$(cat "$base/stamp")" = "$VERSION" ]; then
  echo "bootable disk fixtures are up to date ($base)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || [ "$(dpkg --print-architecture)" != amd64 ]; then
  echo "the bootable disk fixtures need root and an amd64 host; skipped" >&2
  exit 0
fi
bash scripts/test-install.d/30-debian-boot-root.sh
bash scripts/test-install.d/20-os-trees.sh >/dev/null
if [ ! -d "$fixtures/debian-boot/root" ]; then
  echo "no Debian boot root fixture; bootable disks skipped" >&2
  exit 0
fi
if [ ! -f /usr/lib/grub/i386-pc/boot.img ] || ! command -v grub-mkimage >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq grub-pc-bin >/dev/null
fi

source scripts/lib/chroot-build.sh
build_folder
started=$(date +%s)

cp -a "$fixtures/debian-boot/root" "$root"
bind_host_filesystems "$root"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
echo "installing systemd-sysv and cloud-init into the Debian root"
{ in_root apt-get update -qq && in_root apt-get install -y -qq --no-install-recommends systemd-sysv cloud-init; } \
  >"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log" >&2; exit 1; }

# The AWS layer: its files, its disk drivers in the initramfs, no virtio.
# (tar keeps the merged-/usr symbolic links /lib -> usr/lib that cp -a would refuse to replace)
tar -C "$fixtures/overlays/debian-aws" -cf - . | tar -C "$root" -xf - --keep-directory-symlink
printf '# AWS: NVMe EBS volumes and the ENA network adapter\nnvme\nena\n' > "$root/etc/initramfs-tools/modules"
# Debian's AMIs: cloud-init asks EC2's metadata service only.
printf 'datasource_list: [ Ec2, None ]\n' > "$root/etc/cloud/cloud.cfg.d/90_dpkg.cfg"
printf 'UUID=%s / ext4 defaults 0 1\n' "$ROOT_UUID" > "$root/etc/fstab"
echo "ferry-bootable" > "$root/etc/hostname"
in_root update-initramfs -u -k all >"$work/initramfs.log" 2>&1 || { cat "$work/initramfs.log" >&2; exit 1; }
kernel="$(cd "$root/boot" && ls vmlinuz-* | head -n1)"
version="${kernel#vmlinuz-}"

# GRUB's configuration and modules on the root file system.
mkdir -p "$root/boot/grub/i386-pc"
cp /usr/lib/grub/i386-pc/*.mod /usr/lib/grub/i386-pc/*.lst "$root/boot/grub/i386-pc/"
cat > "$root/boot/grub/grub.cfg" <<EOF
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
echo "GRUB: loading Linux $version"
linux /boot/vmlinuz-$version root=UUID=$ROOT_UUID ro console=tty0 console=ttyS0,115200n8 panic=-1
initrd /boot/initrd.img-$version
boot
EOF

unbind_all
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/{doc,man,locale,info} \
  "$root"/var/log/*.log "$root"/var/log/apt
find "$root/dev" -mindepth 1 -delete

grub-mkimage -O i386-pc -o "$work/core.img" -p "(hd0,msdos1)/boot/grub" \
  biosdisk part_msdos ext2 normal linux serial terminal echo test configfile search search_fs_uuid
core_sectors=$(( ($(stat -c %s "$work/core.img") + 511) / 512 ))
if [ "$core_sectors" -ge 2047 ]; then echo "core.img does not fit the MBR gap" >&2; exit 1; fi

disk() { # file tree: an MBR disk with GRUB and the ext4 root made from tree
  local file="$1" tree="$2" fs="$work/root.ext4"
  rm -f "$file" "$fs"
  truncate -s "${DISK_MIB}M" "$file"
  echo 'label: dos
start=2048, type=83, bootable' | sfdisk -q "$file"
  mkfs.ext4 -q -F -U "$ROOT_UUID" -L root -E root_owner=0:0 -d "$tree" "$fs" "$((DISK_MIB - 1))M"
  dd if="$fs" of="$file" bs=1M seek=1 conv=notrunc,sparse status=none
  rm -f "$fs"
  # boot.img's code (not the partition table) in the MBR; core.img from sector 1, its first sector's
  # blocklist (at 0x1f4: start sector, 8 bytes; sector count, 2 bytes) naming the rest.
  dd if=/usr/lib/grub/i386-pc/boot.img of="$file" bs=440 count=1 conv=notrunc status=none
  dd if="$work/core.img" of="$file" bs=512 seek=1 conv=notrunc status=none
  printf "$(printf '\\x%02x\\x%02x' $(( (core_sectors - 1) & 255 )) $(( (core_sectors - 1) >> 8 )))" |
    dd of="$file" bs=1 seek=$((512 + 0x1fc)) conv=notrunc status=none
}

disk "$work/debian-12-aws.raw" "$root"
virtio="$work/virtio"
cp -a "$root" "$virtio"
printf 'virtio_pci\nvirtio_blk\n' >> "$virtio/etc/initramfs-tools/modules"
printf 'datasource_list: [ NoCloud, None ]\n' > "$virtio/etc/cloud/cloud.cfg.d/90_dpkg.cfg"
bind_host_filesystems "$virtio"
chroot "$virtio" /usr/sbin/update-initramfs -u -k all >"$work/initramfs-virtio.log" 2>&1 \
  || { cat "$work/initramfs-virtio.log" >&2; exit 1; }
unbind_all
find "$virtio/dev" -mindepth 1 -delete
disk "$work/debian-12-kvm.raw" "$virtio"
rm -rf "$virtio"
rm -f "$root/boot/vmlinuz-$version"
disk "$work/debian-12-aws-nokernel.raw" "$root"

rm -f "$base/debian-12-aws-virtio.raw"
for name in debian-12-aws debian-12-kvm debian-12-aws-nokernel; do
  mv "$work/$name.raw" "$base/$name.raw"
done
echo "$VERSION" > "$base/stamp"
echo "bootable disk fixtures built in $base in $(( $(date +%s) - started ))s ($(du -sh "$base" | cut -f1))"
