#!/usr/bin/env bash
# Benchmark of Ferry's disk image conversions against qemu-img (not a test; run by hand).
#
# Builds a 4 GiB virtual disk holding about 1 GiB of realistic data (text, binaries from /usr,
# random bytes, written zeros; the rest holes; BENCH_SCALE times both), then times `ferry-agent image convert` and
# `qemu-img convert` side by side for raw->qcow2, qcow2->VMDK streamOptimized, qcow2->VHD fixed
# and VMDK->raw. Prints wall time, the ratio (qemu-img time / Ferry time: above 1 means Ferry is
# faster), CPU time, peak RSS and allocated output size of each, and checks with `qemu-img compare` that both outputs are
# identical to the source. Formats this build of Ferry cannot handle are reported as skipped.
#
# Usage: scripts/bench-image.sh [--no-build]
#   BENCH_DIR   work directory (default /tmp/ferry-bench; needs about 6 GiB free per BENCH_SCALE)
#   JAVA_OPTS   more JVM options for Ferry (default -Xmx256m: memory stays bounded)
#   RUNS        runs per tool and case; the fastest counts (default 3)
#   BENCH_CACHE warm (default): inputs stay in the page cache, as after a download; cold: the page
#               cache is dropped before every run (needs root), as for an image read from disk once
#   BENCH_SCALE how many 4 GiB segments of that layout the disk holds (default 1; each needs about
#               6 GiB more free space): shows how the fixed start-up cost weighs as disks grow
#
# It also times a conversion of a 1 MiB empty disk, the fixed cost of each tool's start-up.
#
# Ferry runs through its launcher, guest-agent/bin/ferry-agent, as users run it (it adds the JVM
# options of a short-lived tool). Every run starts after `sync`, so that no run pays for the
# write-back of the one before.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/tmp/ferry-bench}"
JAVA_OPTS="${JAVA_OPTS:--Xmx256m}"
RUNS="${RUNS:-3}"
BENCH_CACHE="${BENCH_CACHE:-warm}"
BENCH_SCALE="${BENCH_SCALE:-1}"
JAR="$ROOT/guest-agent/target/ferry-agent.jar"
LAUNCHER="$ROOT/guest-agent/bin/ferry-agent"
MIB=$((1024 * 1024))

if [[ $BENCH_CACHE != warm && $BENCH_CACHE != cold ]]; then
  echo "bench-image: BENCH_CACHE must be warm or cold" >&2; exit 2
fi
if ! [[ $BENCH_SCALE =~ ^[1-9][0-9]*$ ]]; then
  echo "bench-image: BENCH_SCALE must be a whole number of 4 GiB segments, at least 1" >&2; exit 2
fi
if [[ $BENCH_CACHE == cold && ! -w /proc/sys/vm/drop_caches ]]; then
  echo "bench-image: BENCH_CACHE=cold drops the page cache and needs root" >&2; exit 2
fi
for tool in qemu-img java /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench-image: $tool is required" >&2; exit 2; }
done

if [[ "${1:-}" != "--no-build" ]]; then
  echo "building the agent jar..."
  (cd "$ROOT" && ./mvnw -q -o -pl cloud-standardization,guest-agent -am package -DskipTests)
fi
[[ -f "$JAR" ]] || { echo "bench-image: $JAR is missing (build first)" >&2; exit 2; }

mkdir -p "$BENCH_DIR"
cd "$BENCH_DIR"
rm -f out-* time-*

# --- the source disk -------------------------------------------------------------------------
# Layout of each 4 GiB segment: 256 MiB text at 0, 256 MiB binaries at 1 GiB, 256 MiB random at
# 2 GiB, 256 MiB written zeros at 3 GiB, small mixed runs in between; everything else is holes.
fill_from() { # fill_from OFFSET_MIB SIZE_MIB FILE...: cycles through the files' bytes
  local offset=$1 size=$2; shift 2
  local want=$((size * MIB))
  [[ $# -gt 0 ]] || set -- /usr/bin/*
  local total passes
  total=$(cat -- "$@" 2>/dev/null | wc -c)
  [[ $total -gt 0 ]] || { echo "bench-image: no readable input files" >&2; exit 2; }
  passes=$((want / total + 1))
  # A bounded number of passes: the loop ends even when head stops reading early.
  for ((pass = 0; pass < passes; pass++)); do cat -- "$@" 2>/dev/null || true; done |
    head -c "$want" | dd of=src.raw bs=1M seek="$offset" conv=notrunc status=none iflag=fullblock
}
if [[ ! -f src.raw || "$(cat src.done 2>/dev/null)" != "scale $BENCH_SCALE" ]]; then
  echo "building a $((4 * BENCH_SCALE)) GiB source disk with ~$BENCH_SCALE GiB of data in $BENCH_DIR..."
  rm -f src.raw src.done src.qcow2 src.vmdk
  truncate -s $((4 * BENCH_SCALE))G src.raw
  mapfile -t texts < <(find /usr/share/doc /usr/share/common-licenses /usr/include -type f -size +1k 2>/dev/null | head -2000)
  mapfile -t binaries < <(find /usr/bin /usr/lib -maxdepth 2 -type f -size +10k 2>/dev/null | head -2000)
  for ((segment = 0; segment < BENCH_SCALE; segment++)); do
    base=$((segment * 4096))
    fill_from $((base)) 256 "${texts[@]}"
    fill_from $((base + 1024)) 256 "${binaries[@]}"
    head -c $((256 * MIB)) /dev/urandom | dd of=src.raw bs=1M seek=$((base + 2048)) conv=notrunc status=none iflag=fullblock
    dd if=/dev/zero of=src.raw bs=1M seek=$((base + 3072)) count=256 conv=notrunc status=none
    for i in $(seq 0 15); do # scattered small runs: 1 MiB of random every 48 MiB past 3.25 GiB
      head -c "$MIB" /dev/urandom | dd of=src.raw bs=1M seek=$((base + 3328 + i * 48)) conv=notrunc status=none iflag=fullblock
    done
  done
  echo "scale $BENCH_SCALE" > src.done
fi
[[ -f src.qcow2 ]] || qemu-img convert -f raw -O qcow2 src.raw src.qcow2
[[ -f src.vmdk ]] || qemu-img convert -f raw -O vmdk -o subformat=streamOptimized src.raw src.vmdk
echo "source: $(du -h --apparent-size src.raw | cut -f1) virtual, $(du -h src.raw | cut -f1) allocated"
sync

# --- timing helpers ---------------------------------------------------------------------------
measure() { # measure NAME COMMAND...: sets SECONDS_TAKEN, CPU_SECONDS, RSS_KIB, STATUS
  local name=$1; shift
  sync
  if [[ $BENCH_CACHE == cold ]]; then
    echo 3 > /proc/sys/vm/drop_caches
  fi
  set +e
  /usr/bin/time -v -o "time-$name" "$@" >"log-$name" 2>&1
  STATUS=$?
  set -e
  local wall
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "time-$name")
  SECONDS_TAKEN=$(awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }' <<<"$wall")
  RSS_KIB=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "time-$name")
  CPU_SECONDS=$(awk -F': ' '/User time|System time/ { total += $2 } END { printf "%.2f", total }' "time-$name")
}

best_of() { # best_of NAME COMMAND...: measure RUNS times, keep the fastest run's numbers
  local name=$1; shift
  local best_seconds="" best_cpu="" best_rss="" run
  for ((run = 0; run < RUNS; run++)); do
    rm -f "out-${name%-*}-${name##*-}"
    measure "$name" "$@"
    [[ $STATUS -eq 0 ]] || return 0
    if [[ -z "$best_seconds" ]] || awk -v a="$SECONDS_TAKEN" -v b="$best_seconds" 'BEGIN { exit !(a < b) }'; then
      best_seconds=$SECONDS_TAKEN best_cpu=$CPU_SECONDS best_rss=$RSS_KIB
    fi
  done
  SECONDS_TAKEN=$best_seconds CPU_SECONDS=$best_cpu RSS_KIB=$best_rss
}

echo "page cache: $BENCH_CACHE; load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (wall times suffer under load; CPU = user + system)"
printf '\n%-22s %8s %8s %6s %9s %9s %11s %11s %10s %10s  %s\n' case "ferry s" "qemu s" ratio "ferry CPU" "qemu CPU" "ferry RSS" "qemu RSS" "ferry out" "qemu out" check
run_case() { # run_case NAME INPUT FERRY_FORMAT QEMU_IN_FORMAT QEMU_OUT_FORMAT QEMU_OPTIONS [RAW_REFERENCE]
  local name=$1 input=$2 ferry_format=$3 qemu_in=$4 qemu_out=$5 qemu_options=$6 reference=${7:-src.raw}
  rm -f "out-$name-ferry" "out-$name-qemu"
  best_of "$name-ferry" env JAVA_OPTS="$JAVA_OPTS" FERRY_AGENT_JAR="$JAR" "$LAUNCHER" image convert -q -O "$ferry_format" "$input" "out-$name-ferry"
  if [[ $STATUS -ne 0 ]]; then
    if grep -qE 'UNSUPPORTED|unknown disk format|IMAGE_FORMAT_UNKNOWN' "log-$name-ferry"; then
      printf '%-22s skipped: %s\n' "$name" "$(head -1 "log-$name-ferry")"
    else
      printf '%-22s FERRY FAILED: %s\n' "$name" "$(head -3 "log-$name-ferry" | tr '\n' ' ')"
    fi
    return
  fi
  local ferry_seconds=$SECONDS_TAKEN ferry_rss=$RSS_KIB ferry_cpu=$CPU_SECONDS
  # shellcheck disable=SC2086
  best_of "$name-qemu" qemu-img convert -f "$qemu_in" -O "$qemu_out" $qemu_options "$input" "out-$name-qemu"
  local qemu_seconds=$SECONDS_TAKEN qemu_rss=$RSS_KIB qemu_cpu=$CPU_SECONDS
  local check="identical"
  if ! qemu-img compare -q -f raw -F "$qemu_out" "$reference" "out-$name-ferry" >/dev/null 2>&1; then
    check="DIFFERENT from the source"
  fi
  local ratio
  ratio=$(awk -v q="$qemu_seconds" -v f="$ferry_seconds" 'BEGIN { if (f > 0) printf "%.2f", q / f; else print "inf" }')
  # allocated size of each output (holes do not count)
  local ferry_out qemu_out
  ferry_out=$(du -m "out-$name-ferry" | cut -f1)
  qemu_out=$(du -m "out-$name-qemu" | cut -f1)
  printf '%-22s %8.2f %8.2f %6s %9s %9s %7d MiB %7d MiB %6d MiB %6d MiB  %s\n' "$name" "$ferry_seconds" \
    "$qemu_seconds" "$ratio" "$ferry_cpu" "$qemu_cpu" $((ferry_rss / 1024)) $((qemu_rss / 1024)) \
    "$ferry_out" "$qemu_out" "$check"
  rm -f "out-$name-ferry" "out-$name-qemu"
}

rm -f empty.raw; truncate -s 1M empty.raw
run_case start-up-empty-1MiB empty.raw qcow2 raw qcow2 "" empty.raw
run_case raw-to-qcow2 src.raw qcow2 raw qcow2 ""
run_case qcow2-to-vmdk-stream src.qcow2 vmdk-streamOptimized qcow2 vmdk "-o subformat=streamOptimized"
run_case qcow2-to-vhd-fixed src.qcow2 vhd-fixed qcow2 vpc "-o subformat=fixed"
run_case vmdk-stream-to-raw src.vmdk raw vmdk raw ""
echo
echo "ratio = qemu-img time / Ferry time (above 1: Ferry is faster). Ferry ran with $JAVA_OPTS;"
echo "fastest of $RUNS run(s) each; Ferry's times include JVM start-up: the start-up row (a 1 MiB empty disk to qcow2) is"
echo "that fixed cost, paid once per command whatever the disk's size (see guest-agent/bin/ferry-agent)."
