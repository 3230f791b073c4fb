# Sourced by the fixture builders in scripts/test-install.d that work in a chroot: a build folder
# under $base that is always removed, and bind mounts of the host's /proc, /sys and /dev into a
# root that are always undone (in reverse order), also when the build fails.
#   build_folder          sets $work to a new folder under $base and $root to $work/root
#   bind_host_filesystems DIR   binds /proc, /sys and /dev into DIR
#   unbind_all            undoes every bind made so far

mounted=()

unbind_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[$i]}" 2>/dev/null || umount --lazy "${mounted[$i]}"; done
  mounted=()
}

build_folder() {
  mkdir -p "$base"
  work="$(mktemp -d "$base/.build.XXXXXX")"
  root="$work/root"
  trap 'unbind_all; rm -rf "$work"' EXIT
}

bind_host_filesystems() {
  local fs
  for fs in proc sys dev; do
    mount --bind "/$fs" "$1/$fs"; mounted+=("$1/$fs")
  done
}
