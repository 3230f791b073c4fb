#!/usr/bin/env bash
# Builds the OS root trees the guest agent's tests run on, from real Debian packages.
#
#   .ferry/fixtures/debs/              apt-get download cache (cloud-init, open-vm-tools, waagent, ...)
#   .ferry/fixtures/trees/debian/      a Debian 12 cloud image root that booted once (neutral: no cloud)
#   .ferry/fixtures/trees/rhel/        a Rocky Linux 9 style root (merged /usr, dracut, ifcfg + NM keyfiles)
#   .ferry/fixtures/overlays/<os>-<cloud>/  the files each cloud's image build adds on top
#
# Packages are unpacked with dpkg -x (maintainer scripts do not run); what their postinst would do
# (dpkg status, enabling units, /etc/default/grub) is done here and commented. Idempotent: a stamp
# file holds the fixture version; bump VERSION when this script changes.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=4
base="$(pwd)/.ferry/fixtures"
if [ -f "$base/stamp" ] && [ "$(cat "$base/stamp")" = "$VERSION" ]; then
  echo "OS tree fixtures are up to date ($base)"
  exit 0
fi
debs="$base/debs"
mkdir -p "$debs"
packages=(base-files cloud-init open-vm-tools waagent qemu-guest-agent initramfs-tools grub2-common
  netplan.io dracut-core network-manager)
missing=()
for package in "${packages[@]}"; do
  ls "$debs/${package}"_*.deb >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  # A fresh machine may have no package lists yet: update them once and try again.
  if ! (cd "$debs" && apt-get download "${missing[@]}"); then
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq; else sudo apt-get update -qq; fi
    (cd "$debs" && apt-get download "${missing[@]}")
  fi
fi

work="$(mktemp -d "$base/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

unpack() { # tree package...
  local tree="$1"; shift
  for package in "$@"; do
    dpkg -x "$(ls "$debs/${package}"_*.deb | head -1)" "$tree"
  done
}

dpkg_status() { # tree package...: what dpkg records after installing the packages
  local tree="$1"; shift
  mkdir -p "$tree/var/lib/dpkg"
  for package in "$@"; do
    local deb
    deb="$(ls "$debs/${package}"_*.deb | head -1)"
    dpkg-deb -f "$deb" Package | sed 's/^/Package: /'
    echo "Status: install ok installed"
    dpkg-deb -f "$deb" Architecture Version | sed -n '1,2p'
    echo
  done >> "$tree/var/lib/dpkg/status"
}

enable_unit() { # tree unitdir unit: what deb-systemd-helper enable / systemctl enable does
  local tree="$1" unitdir="$2" unit="$3" target
  for target in $(sed -n 's/^WantedBy=//p' "$tree$unitdir/$unit"); do
    mkdir -p "$tree/etc/systemd/system/$target.wants"
    ln -sfn "$unitdir/$unit" "$tree/etc/systemd/system/$target.wants/$unit"
  done
  for alias in $(sed -n 's/^Alias=//p' "$tree$unitdir/$unit"); do
    ln -sfn "$unitdir/$unit" "$tree/etc/systemd/system/$alias"
  done
}

prune() { # keep the trees small: documentation, translations, Python modules, binaries' bulk
  rm -rf "$1"/usr/share/{doc,man,locale,lintian,bash-completion,zsh} "$1"/usr/lib/python3 \
    "$1"/usr/lib/x86_64-linux-gnu "$1"/usr/share/polkit-1 "$1"/usr/lib/NetworkManager
}

booted_state() { # tree unitdir default-user: what one boot on a cloud leaves behind
  local tree="$1" user="$3"
  echo "4f0c9a7be2d34c27b2f5e6a1d3c8b9e0" > "$tree/etc/machine-id"          # systemd-machine-id-setup
  mkdir -p "$tree/etc/ssh" "$tree/root/.ssh" "$tree/home/$user/.ssh"
  for type in rsa ecdsa ed25519; do                                          # sshd-keygen / cloud-init
    ssh-keygen -q -t "$type" -N '' -C "fixture" -f "$tree/etc/ssh/ssh_host_${type}_key"
  done
  echo 'no-port-forwarding,command="echo Please login as the user \"'"$user"'\"" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFixtureFixtureFixtureFixtureFixtureFixture user' \
    > "$tree/root/.ssh/authorized_keys"                                      # cloud-init disable_root
  echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFixtureFixtureFixtureFixtureFixtureFixture user' \
    > "$tree/home/$user/.ssh/authorized_keys"                                # cloud-init ssh module
  chmod 600 "$tree/root/.ssh/authorized_keys" "$tree/home/$user/.ssh/authorized_keys"
  printf 'root:x:0:0:root:/root:/bin/bash\n%s:x:1000:1000::/home/%s:/bin/bash\n' "$user" "$user" > "$tree/etc/passwd"
  mkdir -p "$tree/var/lib/cloud/instances/i-0fixture/sem" "$tree/var/lib/cloud/data" "$tree/var/lib/cloud/scripts/per-boot"
  echo '#cloud-config' > "$tree/var/lib/cloud/instances/i-0fixture/user-data.txt"
  echo 'password: fixture-secret' >> "$tree/var/lib/cloud/instances/i-0fixture/user-data.txt"
  echo '{"v1": {"instance_id": "i-0fixture"}}' > "$tree/var/lib/cloud/instances/i-0fixture/instance-data.json"
  touch "$tree/var/lib/cloud/instances/i-0fixture/sem/config_ssh"
  ln -sfn /var/lib/cloud/instances/i-0fixture "$tree/var/lib/cloud/instance"
  echo 'i-0fixture' > "$tree/var/lib/cloud/data/instance-id"
  echo '#!/bin/sh' > "$tree/var/lib/cloud/scripts/per-boot/site.sh"         # the user's own script stays
  mkdir -p "$tree/var/log"
  echo 'cloud-init v. 22.4.2 running init' > "$tree/var/log/cloud-init.log"
  mkdir -p "$tree/etc/udev/rules.d"                                          # udev persistent-net generator
  echo 'SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="0a:1b:2c:3d:4e:5f", NAME="eth0"' \
    > "$tree/etc/udev/rules.d/70-persistent-net.rules"
  mkdir -p "$tree/boot/grub" "$tree/lib/modules/$4"
  : > "$tree/boot/vmlinuz-$4"
}

# ---------------------------------------------------------------- Debian 12 (Ubuntu-like netplan)
debian="$work/trees/debian"
mkdir -p "$debian"
deb_packages=(base-files cloud-init open-vm-tools waagent qemu-guest-agent initramfs-tools grub2-common netplan.io)
unpack "$debian" "${deb_packages[@]}"
dpkg_status "$debian" "${deb_packages[@]}"
prune "$debian"
mkdir -p "$debian/etc/default" "$debian/lib/systemd"
cp "$debian/usr/share/grub/default/grub" "$debian/etc/default/grub"     # grub2-common postinst (ucf)
: > "$debian/lib/systemd/systemd"                                          # the systemd package's PID 1
mkdir -p "$debian/etc/initramfs-tools"                                     # initramfs-tools-core ships this template
printf '# List of modules that you want to include in your initramfs.\n# They will be loaded at boot time in the order below.\n' \
  > "$debian/etc/initramfs-tools/modules"
for unit in cloud-init-local.service cloud-init.service cloud-config.service cloud-final.service; do
  enable_unit "$debian" /lib/systemd/system "$unit"                        # cloud-init postinst
done
# Ubuntu's cloud-init postinst writes the debconf-selected list (all datasources by default).
echo '# to update this file, run dpkg-reconfigure cloud-init
datasource_list: [ NoCloud, ConfigDrive, OpenNebula, DigitalOcean, Azure, AltCloud, OVF, MAAS, GCE, OpenStack, CloudSigma, SmartOS, Bigstep, Scaleway, AliYun, Ec2, CloudStack, Hetzner, IBMCloud, Oracle, Exoscale, RbxCloud, UpCloud, VMware, Vultr, LXD, NWCS, None ]' \
  > "$debian/etc/cloud/cloud.cfg.d/90_dpkg.cfg"
mkdir -p "$debian/etc/netplan"                                             # cloud-init's netplan renderer
cat > "$debian/etc/netplan/50-cloud-init.yaml" <<'YAML'
# This file is generated from information provided by the datasource.  Changes
# to it will not persist across an instance reboot.  To disable cloud-init's
# network configuration capabilities, write a file
# /etc/cloud/cloud.cfg.d/99-disable-network-config.cfg with the following:
# network: {config: disabled}
network:
    ethernets:
        ens5:
            dhcp4: true
            match:
                macaddress: 0a:1b:2c:3d:4e:5f
            set-name: ens5
    version: 2
YAML
mkdir -p "$debian/etc/network/interfaces.d"                                # cloud-init's ENI renderer (Debian 12 genericcloud)
cat > "$debian/etc/network/interfaces.d/50-cloud-init" <<'ENI'
# This file is generated from information provided by the datasource.  Changes
# to it will not persist across an instance reboot.
auto lo
iface lo inet loopback

auto ens5
iface ens5 inet dhcp
ENI
cat > "$debian/etc/netplan/60-storage-net.yaml" <<'YAML'
# An administrator's second NIC, pinned by MAC address.
network:
    version: 2
    ethernets:
        storage0:
            addresses: [10.20.0.5/24]
            match:
                macaddress: 0a:1b:2c:3d:4e:60
            set-name: storage0
YAML
cat > "$debian/etc/fstab" <<'FSTAB'
# /etc/fstab: static file system information (written by the image build, device names of the source)
/dev/xvda1	/	ext4	rw,discard,errors=remount-ro,x-systemd.growfs	0	1
/dev/xvda15	/boot/efi	vfat	defaults	0	0
/dev/xvdb	/mnt	auto	defaults,nofail,x-systemd.requires=cloud-init.service,_netdev,comment=cloudconfig	0	2
FSTAB
mkdir -p "$debian/var/lib/dhcp" "$debian/var/lib/dbus"
echo 'lease { interface "ens5"; fixed-address 172.31.5.6; }' > "$debian/var/lib/dhcp/dhclient.ens5.leases"
ln -sfn /etc/machine-id "$debian/var/lib/dbus/machine-id"
booted_state "$debian" /lib/systemd/system admin 6.1.0-28-cloud-amd64
# A symlink pointing at an absolute path, as images have: must resolve inside the root.
ln -sfn /etc/cloud/cloud.cfg.d "$debian/etc/cloud-config-dir"

# ---------------------------------------------------------------- Rocky Linux 9 (merged /usr, dracut)
rhel="$work/trees/rhel"
staging="$work/rhel-staging"
mkdir -p "$rhel/usr" "$staging"
unpack "$staging" cloud-init open-vm-tools waagent qemu-guest-agent dracut-core network-manager
prune "$staging"
# Merged /usr (Fedora/RHEL): /lib, /bin, /sbin are relative symlinks into /usr.
for dir in lib bin sbin; do
  if [ -d "$staging/$dir" ]; then mkdir -p "$staging/usr/$dir" && cp -a "$staging/$dir/." "$staging/usr/$dir/" && rm -rf "${staging:?}/$dir"; fi
done
cp -a "$staging/." "$rhel/"
ln -sfn usr/lib "$rhel/lib"; ln -sfn usr/bin "$rhel/bin"; ln -sfn usr/sbin "$rhel/sbin"
# Fedora/RHEL unit names (open-vm-tools.spec installs vmtoolsd.service, WALinuxAgent.spec waagent.service)
mv "$rhel/usr/lib/systemd/system/open-vm-tools.service" "$rhel/usr/lib/systemd/system/vmtoolsd.service"
sed -i '/^Alias=/d' "$rhel/usr/lib/systemd/system/vmtoolsd.service"
mv "$rhel/usr/lib/systemd/system/walinuxagent.service" "$rhel/usr/lib/systemd/system/waagent.service"
: > "$rhel/usr/lib/systemd/systemd"
# /etc/os-release as rocky-release 9.4 installs it (/usr/lib/os-release, /etc/os-release a relative link)
cat > "$rhel/usr/lib/os-release" <<'OS'
NAME="Rocky Linux"
VERSION="9.4 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.4"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"
ANSI_COLOR="0;32"
CPE_NAME="cpe:/o:rocky:rocky:9::baseos"
HOME_URL="https://rockylinux.org/"
OS
ln -sfn ../usr/lib/os-release "$rhel/etc/os-release"
echo "Rocky Linux release 9.4 (Blue Onyx)" > "$rhel/etc/rocky-release"
ln -sfn rocky-release "$rhel/etc/redhat-release"
mkdir -p "$rhel/var/lib/rpm"                                               # rpm 4.16+ sqlite database
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table if not exists Packages (hnum integer primary key, blob blob not null)'); c.commit()" \
  "$rhel/var/lib/rpm/rpmdb.sqlite"
sed -i 's/name: debian/name: cloud-user/; s/gecos: Debian/gecos: Cloud User/' "$rhel/etc/cloud/cloud.cfg"  # Fedora's cloud.cfg
for unit in cloud-init-local.service cloud-init.service cloud-config.service cloud-final.service; do
  enable_unit "$rhel" /usr/lib/systemd/system "$unit"
done
mkdir -p "$rhel/etc/default" "$rhel/etc/sysconfig/network-scripts" "$rhel/etc/NetworkManager/system-connections" \
  "$rhel/var/lib/NetworkManager" "$rhel/boot/loader/entries" "$rhel/etc/dracut.conf.d"
cat > "$rhel/etc/default/grub" <<'GRUB'
GRUB_TIMEOUT=1
GRUB_DISTRIBUTOR="$(sed 's, release .*$,,g' /etc/system-release)"
GRUB_DEFAULT=saved
GRUB_DISABLE_SUBMENU=true
GRUB_TERMINAL_OUTPUT="console"
GRUB_CMDLINE_LINUX="no_timer_check net.ifnames=0 crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"
GRUB_DISABLE_RECOVERY="true"
GRUB_ENABLE_BLSCFG=true
GRUB
cat > "$rhel/boot/loader/entries/4f0c9a7be2d34c27b2f5e6a1d3c8b9e0-5.14.0-427.13.1.el9_4.x86_64.conf" <<'BLS'
title Rocky Linux (5.14.0-427.13.1.el9_4.x86_64) 9.4 (Blue Onyx)
version 5.14.0-427.13.1.el9_4.x86_64
linux /vmlinuz-5.14.0-427.13.1.el9_4.x86_64
initrd /initramfs-5.14.0-427.13.1.el9_4.x86_64.img $tuned_initrd
options root=UUID=6f1e4a52-8f7e-4c2b-9d3a-1b2c3d4e5f60 ro no_timer_check net.ifnames=0 crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M
grub_users $grub_users
grub_arg --unrestricted
grub_class rocky
BLS
# cloud-init's sysconfig renderer (RHEL 8) and NetworkManager keyfile renderer (RHEL 9)
printf '# Created by cloud-init on instance boot automatically, do not edit.\n#\nBOOTPROTO=dhcp\nDEVICE=eth0\nHWADDR=0a:1b:2c:3d:4e:5f\nONBOOT=yes\nTYPE=Ethernet\nUSERCTL=no\n' \
  > "$rhel/etc/sysconfig/network-scripts/ifcfg-eth0"
printf '# Generated by cloud-init. Changes will be lost.\n\n[connection]\nid=cloud-init eth0\nuuid=1dd9a779-d327-56e1-8454-c65e2556c12c\ntype=ethernet\n\n[user]\norg.freedesktop.NetworkManager.origin=cloud-init\n\n[ethernet]\nmac-address=0A:1B:2C:3D:4E:5F\n\n[ipv4]\nmethod=auto\nmay-fail=false\n' \
  > "$rhel/etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection"
chmod 600 "$rhel/etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection"
echo 'lease' > "$rhel/var/lib/NetworkManager/internal-1dd9a779-eth0.lease"
cat > "$rhel/etc/fstab" <<'FSTAB'
UUID=6f1e4a52-8f7e-4c2b-9d3a-1b2c3d4e5f60 /                       xfs     defaults        0 0
/dev/vda2 /boot                   xfs     defaults        0 0
FSTAB
booted_state "$rhel" /usr/lib/systemd/system cloud-user 5.14.0-427.13.1.el9_4.x86_64

# ---------------------------------------------------------------- per-cloud image build overlays
overlay() { echo "$work/overlays/$1-$2"; }
unit_file() { # overlay unitdir name description exec
  mkdir -p "$1$2"
  printf '[Unit]\nDescription=%s\nAfter=network-online.target\n\n[Service]\nExecStart=%s\nRestart=always\n\n[Install]\nWantedBy=multi-user.target\n' "$4" "$5" > "$1$2/$3"
  mkdir -p "$1/etc/systemd/system/multi-user.target.wants"
  ln -sfn "$2/$3" "$1/etc/systemd/system/multi-user.target.wants/$3"
}
for os in debian rhel; do
  if [ "$os" = debian ]; then unitdir=/lib/systemd/system; else unitdir=/usr/lib/systemd/system; fi
  # AWS: amazon-ssm-agent (AWS Systems Manager docs: installed in AMIs, unit from its packaging/linux),
  # ec2-instance-connect (EC2 user guide "Install EC2 Instance Connect").
  o="$(overlay "$os" aws)"; mkdir -p "$o/etc/amazon/ssm" "$o/opt/aws/bin" "$o/etc/ssh/sshd_config.d"
  unit_file "$o" "$unitdir" amazon-ssm-agent.service "amazon-ssm-agent" /usr/bin/amazon-ssm-agent
  unit_file "$o" "$unitdir" ec2-instance-connect.service "EC2 Instance Connect Host Key Harvesting" /opt/aws/bin/eic_harvest_hostkeys
  echo '{"Agent": {"Region": "eu-west-1"}}' > "$o/etc/amazon/ssm/amazon-ssm-agent.json"
  printf '#!/bin/sh\n' > "$o/opt/aws/bin/eic_run_authorized_keys"
  printf 'AuthorizedKeysCommand /opt/aws/bin/eic_run_authorized_keys %%u %%f\nAuthorizedKeysCommandUser ec2-instance-connect\n' \
    > "$o/etc/ssh/sshd_config.d/60-ec2-instance-connect.conf"
  # Azure: "Prepare a Debian/RHEL VHD for Azure": waagent enabled, cloud-init Azure datasource files;
  # the provisioning data waagent keeps in /var/lib/waagent.
  o="$(overlay "$os" azure)"; mkdir -p "$o/var/lib/waagent" "$o/etc/cloud/cloud.cfg.d" "$o/etc/systemd/system/multi-user.target.wants" "$o/home/azureuser/.ssh"
  if [ "$os" = debian ]; then agent=walinuxagent.service; else agent=waagent.service; fi
  ln -sfn "$unitdir/$agent" "$o/etc/systemd/system/multi-user.target.wants/$agent"
  printf 'datasource_list: [ Azure ]\ndatasource:\n  Azure:\n    apply_network_config: False\n' > "$o/etc/cloud/cloud.cfg.d/91-azure_datasource.cfg"
  printf 'reporting:\n  logging:\n    type: log\n  telemetry:\n    type: hyperv\n' > "$o/etc/cloud/cloud.cfg.d/10-azure-kvp.cfg"
  printf '<Environment><ProvisioningSection><LinuxProvisioningConfigurationSet><UserName>azureuser</UserName><UserPassword>fixture-secret</UserPassword></LinuxProvisioningConfigurationSet></ProvisioningSection></Environment>\n' \
    > "$o/var/lib/waagent/ovf-env.xml"
  echo '-----BEGIN PRIVATE KEY-----fixture' > "$o/var/lib/waagent/TransportPrivate.pem"
  echo '<GoalState/>' > "$o/var/lib/waagent/GoalState.1.xml"
  : > "$o/var/lib/waagent/provisioned"
  echo 'ssh-rsa AAAAfixture azureuser' > "$o/home/azureuser/.ssh/authorized_keys"
  # GCP: google-guest-agent and google-osconfig-agent (GoogleCloudPlatform/guest-agent packaging),
  # /etc/default/instance_configs.cfg and the sudoers file the guest agent writes.
  o="$(overlay "$os" gcp)"; mkdir -p "$o/etc/default" "$o/etc/sudoers.d" "$o/etc/modprobe.d"
  unit_file "$o" "$unitdir" google-guest-agent.service "Google Compute Engine Guest Agent" /usr/bin/google_guest_agent
  unit_file "$o" "$unitdir" google-osconfig-agent.service "Google OSConfig Agent" /usr/bin/google_osconfig_agent
  printf '[InstanceSetup]\nset_boto_config = false\n' > "$o/etc/default/instance_configs.cfg"
  echo '%google-sudoers ALL=(ALL:ALL) NOPASSWD:ALL' > "$o/etc/sudoers.d/google_sudoers"
  echo 'blacklist floppy' > "$o/etc/modprobe.d/gce-blacklist.conf"
  # vSphere: open-vm-tools enabled (its postinst), VMware guest customization for cloud-init (VMware KB 59557).
  o="$(overlay "$os" vsphere)"; mkdir -p "$o/etc/systemd/system/multi-user.target.wants" "$o/etc/cloud/cloud.cfg.d" "$o/var/log"
  if [ "$os" = debian ]; then
    ln -sfn "$unitdir/open-vm-tools.service" "$o/etc/systemd/system/multi-user.target.wants/open-vm-tools.service"
    ln -sfn "$unitdir/open-vm-tools.service" "$o/etc/systemd/system/vmtoolsd.service"
  else
    ln -sfn "$unitdir/vmtoolsd.service" "$o/etc/systemd/system/multi-user.target.wants/vmtoolsd.service"
  fi
  echo 'disable_vmware_customization: false' > "$o/etc/cloud/cloud.cfg.d/99-vmware-guest-customization.cfg"
  echo 'vmsvc started' > "$o/var/log/vmware-vmsvc-root.log"
  # OpenStack and KVM: only the datasource (injected by the test) and qemu-guest-agent.
  mkdir -p "$(overlay "$os" openstack)" "$(overlay "$os" kvm)"
done
rm -rf "$base/trees" "$base/overlays"
mv "$work/trees" "$base/trees"
mv "$work/overlays" "$base/overlays"
echo "$VERSION" > "$base/stamp"
echo "OS tree fixtures built in $base"
