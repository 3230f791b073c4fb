#!/usr/bin/env bash
# Benchmarks one whole Ferry migration of the sample image (scripts/make-sample-image.sh: Debian
# minbase with an AWS layer on a GPT disk, raw) from an AWS-layered local account into a
# KVM-layered qcow2 local account (PLAN, EXPORT, STRIP, BUNDLE, PREPARE_TARGET, RESTORE, INJECT,
# UPLOAD, REGISTER, VERIFY, CLEANUP on an embedded PostgreSQL with in-process workers) against
# `qemu-img convert -O qcow2` of the same image alone, and prints the ratio. Not part of the tests.
#
# Usage (as root: the guest agent loop-mounts the disk): scripts/bench-migration.sh [--image RAW]
#   --image RAW   use this raw image instead of the sample image (made if missing)
# Environment: BENCH_DIR (keep the work folder there), BENCH_FORMAT (target format, default qcow2)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin"
image=""
while [ $# -gt 0 ]; do
  case "$1" in
    --image) image="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "bench-migration: must run as root (loop devices and mounts)" >&2; exit 2; }
for tool in java qemu-img; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done
format="${BENCH_FORMAT:-qcow2}"
log() { printf '==> %s\n' "$*" >&2; }

if [ -z "$image" ]; then
  image="$(pwd)/.ferry/sample-account/images/debian-12-aws-sample.raw"
  if [ ! -s "$image" ]; then
    log "making the sample image"
    scripts/make-sample-image.sh >&2
  fi
fi
[ -s "$image" ] || { echo "no image at $image" >&2; exit 2; }
image="$(cd "$(dirname "$image")" && pwd)/$(basename "$image")"

if [ -n "${BENCH_DIR:-}" ]; then
  work="$BENCH_DIR"; rm -rf "$work"; mkdir -p "$work"
else
  work="$(mktemp -d /var/tmp/ferry-bench-migration.XXXXXX)"; trap 'rm -rf "$work"' EXIT
fi

# The other modules come from ~/.m2 (./mvnw install) and guest-agent/target; only the
# orchestrator's classes are compiled here, nothing is installed.
[ -s guest-agent/target/ferry-agent.jar ] || { echo "build the guest agent first: ./mvnw -pl guest-agent -am install -DskipTests" >&2; exit 2; }
log "compiling the orchestrator (with its test classes) and resolving its class path"
./mvnw -q -B -o -pl orchestrator test-compile dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" \
  -Dmdep.includeScope=test >&2
classpath="orchestrator/target/test-classes:orchestrator/target/classes:$(cat "$work/classpath.txt")"

size=$(stat -c %s "$image")
log "image: $image ($((size / 1048576)) MiB virtual, $(du -m "$image" | cut -f1) MiB allocated)"

log "qemu-img convert -O $format (alone)"
qemu_format="$format"
case "$format" in vmdk-streamOptimized) qemu_format="vmdk -o subformat=streamOptimized" ;; esac
start=$(date +%s.%N)
# shellcheck disable=SC2086 # qemu_format may carry -o options
qemu-img convert -f raw -O $qemu_format "$image" "$work/qemu-img.out"
end=$(date +%s.%N)
qemu_seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')

log "Ferry migration (raw, aws layer -> $format, kvm layer)"
output="$(java -Xmx512m -cp "$classpath" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  io.ferry.orchestrator.MigrationBenchmark "$image" "$work/ferry" "$(pwd)/guest-agent/target/ferry-agent.jar" "$format")"
echo "$output" | grep '^step '
ferry_seconds=$(echo "$output" | awk '/^migration_seconds/ {print $2}')

printf 'qemu-img convert:  %8.2f s\n' "$qemu_seconds"
printf 'Ferry migration:   %8.2f s\n' "$ferry_seconds"
awk -v f="$ferry_seconds" -v q="$qemu_seconds" 'BEGIN { printf "ratio (Ferry / qemu-img convert): %.1f\n", f / q }'
