#!/usr/bin/env bash
# Benchmarks Ferry's bundle against `tar --sparse -c | zstd -3 -T0` and `qemu-img convert -c -O qcow2`
# on one 4 GiB disk image holding about 1 GiB of real files (an ext4 file system filled from /usr).
# Prints output size, wall time and peak RSS of each, and Ferry's time in a warm JVM (several bundles
# in one process, as the control plane runs them). Not part of the test run.
#
# Usage: scripts/bench-bundle.sh            (work folder: a new /tmp/ferry-bench.XXXXXX, removed at the end)
# Environment: BENCH_DIR (keep the work folder there), BENCH_DISK_SIZE (default 4G),
#              BENCH_DATA_MIB (default 1024), BENCH_CHUNK_SIZE (default 4194304), BENCH_HEAP (default 256m),
#              RUNS (rounds of Ferry and tar|zstd, alternating; default 3: the fastest and the median count)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export PATH="$PATH:/usr/sbin:/sbin"

disk_size="${BENCH_DISK_SIZE:-4G}"
data_mib="${BENCH_DATA_MIB:-1024}"
chunk_size="${BENCH_CHUNK_SIZE:-4194304}"
heap="${BENCH_HEAP:-256m}"
runs="${RUNS:-3}"
if [ -n "${BENCH_DIR:-}" ]; then
  work="$BENCH_DIR"; mkdir -p "$work"
else
  work="$(mktemp -d /tmp/ferry-bench.XXXXXX)"; trap 'rm -rf "$work"' EXIT
fi
for tool in java tar zstd qemu-img mkfs.ext4 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done

log() { printf '==> %s\n' "$*" >&2; }

log "building cloud-standardization and its classpath"
./mvnw -q -B -pl cloud-standardization -am package -DskipTests >&2   # package only: never touch ~/.m2
# the runtime class path, as a deployment has it (the test jars would only add start-up work)
./mvnw -q -B -pl cloud-standardization dependency:build-classpath -DincludeScope=runtime \
  -Dmdep.outputFile="$work/classpath.txt" >&2
jar="$(ls cloud-standardization/target/cloud-standardization-*.jar | grep -v -- '-tests.jar' | head -1)"
classpath="$jar:$(cat "$work/classpath.txt")"

image="$work/disk.raw"
if [ ! -s "$image" ]; then
  log "collecting about $data_mib MiB of files from /usr"
  staging="$work/staging"
  rm -rf "$staging"; mkdir -p "$staging"
  set +o pipefail   # find ends with SIGPIPE once awk has enough
  find /usr -xdev -type f -size -64M -printf '%s %p\n' 2>/dev/null \
    | awk -v limit=$((data_mib * 1024 * 1024)) '{ total += $1; if (total > limit) exit; sub(/^[0-9]+ /, ""); print }' \
    > "$work/files.txt"
  set -o pipefail
  tar -cf - --files-from="$work/files.txt" 2>/dev/null | tar -xf - -C "$staging"
  log "making a $disk_size ext4 image from them"
  truncate -s "$disk_size" "$image"
  mkfs.ext4 -q -F -E lazy_itable_init=1,lazy_journal_init=1 -d "$staging" "$image"
  rm -rf "$staging"
fi
virtual=$(stat -c %s "$image")
allocated=$(( $(stat -c %b "$image") * $(stat -c %B "$image") ))
cat "$image" > /dev/null   # same page-cache state for every contender
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# measure NAME OUTPUT_SIZE_COMMAND -- COMMAND...: runs COMMAND under GNU time after `sync` (no run pays
# for an earlier run's write-back), appends "seconds cpu rss_mib size" to $work/NAME.runs
measure() {
  local name="$1" size_command="$2"; shift 3
  sync
  /usr/bin/time -f '%e %M %U %S' -o "$work/time.txt" "$@" > "$work/$name.log" 2>&1 || { cat "$work/$name.log" >&2; exit 1; }
  local seconds rss user system size
  read -r seconds rss user system < <(tail -1 "$work/time.txt")
  size=$(eval "$size_command")
  echo "$seconds $(awk -v u="$user" -v s="$system" 'BEGIN { print u + s }') $((rss / 1024)) $size" >> "$work/$name.runs"
}
# row NAME: the fastest run's numbers, the median wall time and every run's wall time
row() {
  local name="$1"
  sort -n "$work/$name.runs" | awk -v name="$name" -v a="$allocated" '
    { t[NR] = $1; if (NR == 1) { cpu = $2; size = $4 } if ($3 > rss) rss = $3; all = all (all ? " " : "") $1 }
    END { median = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
          printf "%-28s %12d %8.1f%% %9.2f %9.2f %9.2f %9d  %s\n", name, size, size * 100 / a, t[1], median, cpu, rss, all }'
}
median_of() { sort -n "$work/$1.runs" | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'; }
fastest_of() { sort -n "$work/$1.runs" | head -1 | cut -d' ' -f1; }

rm -f "$work"/*.runs
for ((round = 1; round <= runs; round++)); do   # alternate the contenders: both see the same machine load
  rm -rf "$work/store" "$work/disk.tar.zst"
  log "round $round of $runs: Ferry bundle (chunk size $chunk_size, zstd level 3, heap $heap)"
  measure "ferry-bundle" \
    "find '$work/store/chunks' '$work/store/manifests' -type f -printf '%s\n' | awk '{ s += \$1 } END { print s }'" -- \
    java -Xmx"$heap" -cp "$classpath" io.ferry.standardization.bundle.BundleTool bundle \
      --store "$work/store" --chunk-size "$chunk_size" --level 3 "$image" bench
  rm -rf "$work/store"
  log "round $round of $runs: tar --sparse -c | zstd -3 -T0"
  measure "tar-sparse|zstd-3-T0" "stat -c %s '$work/disk.tar.zst'" -- \
    bash -c "tar --sparse -cf - -C '$work' disk.raw | zstd -3 -T0 -q -o '$work/disk.tar.zst'"
  rm -f "$work/disk.tar.zst"
done
rm -rf "$work/warm"
log "Ferry bundle in one JVM, $((runs + 1)) rounds: the first warms the JVM up, as a long-lived control plane is"
sync
java -Xmx"$heap" -cp "$classpath" io.ferry.standardization.bundle.BundleTool bundle --rounds $((runs + 1)) \
  --store "$work/warm" --chunk-size "$chunk_size" --level 3 "$image" bench > "$work/ferry-warm.log" 2>&1 \
  || { cat "$work/ferry-warm.log" >&2; exit 1; }
rm -rf "$work/warm"
rm -f "$work/disk.qcow2"
log "qemu-img convert -c -O qcow2 (once: it is several times slower than both)"
measure "qemu-img-qcow2-compressed" "stat -c %s '$work/disk.qcow2'" -- \
  qemu-img convert -c -O qcow2 "$image" "$work/disk.qcow2"
rm -f "$work/disk.qcow2"

echo
echo "image: $image, virtual size $virtual bytes, $allocated bytes allocated (data), $(nproc) cores"
grep -h '^bundled' "$work/ferry-bundle.log" || true
echo "load average before: $load_before (the machine may be shared; CPU seconds are steadier than wall time)"
printf '%-28s %12s %9s %9s %9s %9s %9s  %s\n' "method" "bytes" "of data" "fastest s" "median s" "CPU s" "RSS MiB" "every run (s)"
row "ferry-bundle"; row "tar-sparse|zstd-3-T0"; row "qemu-img-qcow2-compressed"
ratio() { awk -v t="$1" -v f="$2" 'BEGIN { printf "%.2f", t / f }'; }   # ratio TAR_SECONDS FERRY_SECONDS
tar_runs="tar-sparse|zstd-3-T0"
echo "ratio tar|zstd / Ferry: fastest $(ratio "$(fastest_of "$tar_runs")" "$(fastest_of ferry-bundle)"), median" \
  "$(ratio "$(median_of "$tar_runs")" "$(median_of ferry-bundle)") (above 1: Ferry is faster)"
# the warm rounds: every round after the first, its time inside bundle
sed -n 's/^round \([0-9]*\) of [0-9]*: bundled .* seconds=\([0-9.]*\) .*/\1 \2/p' "$work/ferry-warm.log" \
  | awk '$1 > 1 { print $2 }' > "$work/ferry-warm.runs"
echo "Ferry in a warm JVM (rounds 2 to $((runs + 1)) of one process, each into a new store; time inside bundle):" \
  "$(sort -n "$work/ferry-warm.runs" | tr '\n' ' ')"
echo "ratio tar|zstd / Ferry warm: fastest $(ratio "$(fastest_of "$tar_runs")" "$(fastest_of ferry-warm)"), median" \
  "$(ratio "$(median_of "$tar_runs")" "$(median_of ferry-warm)")"
echo "CPU s = user + system of the fastest run; Ferry's include JVM start-up and JIT compilation (about 1 s of CPU)"
