#!/usr/bin/env bash
# Benchmarks the AWS plugin's direct upload (EBS direct APIs: StartSnapshot, PutSnapshotBlock of
# the non-zero 512 KiB blocks, CompleteSnapshot) against `coldsnap upload` (crates.io), both
# writing the same raw disk into moto on loopback. Prints blocks sent versus total blocks, wall
# time and MB/s of each, and the ratio. Not part of the test run.
#
# moto is started through the tests' faithful_moto.py, which reports AWS's 512 KiB block
# size (plain moto reports 512 bytes). moto is a Python server: absolute MB/s say more about moto
# than about either client; the ratio and the blocks sent are what compare the clients.
#
# Usage: scripts/bench-aws.sh
# Environment: BENCH_DIR (keep the work folder there), BENCH_DISK_MIB (default 1024),
#              BENCH_DATA_MIB (default 256), BENCH_PARALLELISM (Ferry's uploadParallelism, default 8),
#              BENCH_SKIP_COLDSNAP=1 (Ferry only)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

disk_mib="${BENCH_DISK_MIB:-1024}"
data_mib="${BENCH_DATA_MIB:-256}"
parallelism="${BENCH_PARALLELISM:-8}"
if [ -n "${BENCH_DIR:-}" ]; then
  work="$BENCH_DIR"; mkdir -p "$work"; cleanup_work=""
else
  work="$(mktemp -d /tmp/ferry-bench-aws.XXXXXX)"; cleanup_work="$work"
fi
moto_pid=""
finish() {
  if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; fi
  if [ -n "$cleanup_work" ]; then rm -rf "$cleanup_work"; fi
}
trap finish EXIT
log() { printf '==> %s\n' "$*" >&2; }

# moto in the project's venv (the same one scripts/test.sh makes).
venv="$root/.ferry/venv"
if [ ! -x "$venv/bin/moto_server" ]; then
  log "installing moto into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r scripts/test-requirements.txt
fi

# coldsnap from crates.io, built once into ~/.cargo/bin.
export PATH="$HOME/.cargo/bin:$PATH"
coldsnap=""
if [ "${BENCH_SKIP_COLDSNAP:-0}" != 1 ]; then
  if ! command -v coldsnap >/dev/null; then
    if command -v cargo >/dev/null; then
      log "installing coldsnap with cargo (first run only; takes a while)"
      cargo install coldsnap --locked >&2 || log "cargo install coldsnap failed: Ferry only"
    else
      log "cargo not found: Ferry only (install Rust to compare with coldsnap)"
    fi
  fi
  coldsnap="$(command -v coldsnap || true)"
fi

log "building plugin-aws and its test classpath"
./mvnw -q -B -pl deployment-plugins/plugin-aws -am package dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath.txt" >&2
classpath="deployment-plugins/plugin-aws/target/test-classes:deployment-plugins/plugin-aws/target/classes:$(cat "$work/classpath.txt")"
bench() { java -Xmx512m -cp "$classpath" io.ferry.plugin.aws.AwsUploadBenchmark "$@"; }

disk="$work/disk.raw"
log "writing a ${disk_mib} MiB raw disk with ${data_mib} MiB of random data, an explicitly zeroed run and holes"
rm -f "$disk"; truncate -s "${disk_mib}M" "$disk"
runs=$(( data_mib / 4 )); [ "$runs" -ge 1 ] || runs=1
stride=$(( disk_mib / runs / 4 * 4 )); [ "$stride" -ge 4 ] || stride=4
dd if=/dev/zero of="$disk" bs=1M count=16 seek=$(( stride / 2 )) conv=notrunc status=none   # zeros: never sent
for ((run = 0; run < runs; run++)); do
  dd if=/dev/urandom of="$disk" bs=1M count=4 seek=$(( run * stride )) conv=notrunc status=none
done

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
endpoint="http://127.0.0.1:$port"
log "starting moto on $endpoint"
"$venv/bin/python" cloud-standardization/src/test/resources/io/ferry/standardization/testing/faithful_moto.py \
  -H 127.0.0.1 -p "$port" > "$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 1 100); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then break; fi
  sleep 0.2
done

value() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

log "Ferry: direct upload with $parallelism parallel PutSnapshotBlock"
ferry="$(bench upload "$endpoint" "$disk" "$parallelism")"
ferry_seconds="$(value seconds "$ferry")"

printf '\n%-9s %12s %12s %10s %12s %12s\n' tool blocks_sent total_blocks seconds "sent MB/s" "disk MB/s"
printf '%-9s %12s %12s %10s %12s %12s\n' ferry "$(value blocks_sent "$ferry")" "$(value total_blocks "$ferry")" \
  "$ferry_seconds" "$(value sent_mb_per_s "$ferry")" "$(value disk_mb_per_s "$ferry")"

if [ -n "$coldsnap" ]; then
  log "coldsnap: upload of the same disk"
  start="$(date +%s.%N)"
  snapshot="$(AWS_ACCESS_KEY_ID=AKIAFERRYTEST0000001 AWS_SECRET_ACCESS_KEY=ferry-test-secret-not-a-real-one \
    AWS_REGION=us-east-1 AWS_ENDPOINT_URL="$endpoint" "$coldsnap" upload "$disk" 2>"$work/coldsnap.log" | tail -1)"
  end="$(date +%s.%N)"
  coldsnap_seconds="$(python3 -c "print(f'{$end - $start:.2f}')")"
  counted="$(bench count "$endpoint" "$snapshot")"
  blocks="$(value blocks "$counted")"; block_size="$(value block_size "$counted")"
  total=$(( (disk_mib * 1048576 + block_size - 1) / block_size ))
  printf '%-9s %12s %12s %10s %12s %12s\n' coldsnap "$blocks" "$total" "$coldsnap_seconds" \
    "$(python3 -c "print(f'{$blocks * $block_size / 1e6 / $coldsnap_seconds:.1f}')")" \
    "$(python3 -c "print(f'{$disk_mib * 1048576 / 1e6 / $coldsnap_seconds:.1f}')")"
  printf '\nratio: coldsnap time / Ferry time = %s (above 1: Ferry is faster)\n' \
    "$(python3 -c "print(f'{$coldsnap_seconds / $ferry_seconds:.2f}')")"
fi
