#!/usr/bin/env bash
# Where the CPU goes during one copy: bench/profile.sh [OUT_DIR]
# perf samples the whole machine on the cpu-clock software event (hardware counters are not available in this
# VM: `perf stat -e instructions` says <not supported>) while the AOT bootstrap copies LAYERS x LAYER_MIB MiB
# between two LocalEcr regions; the report is then split per process (bootstrap, LocalEcr). LocalEcr runs
# with DOTNET_PerfMapEnabled=1 so perf can name JIT-compiled frames; the bootstrap's symbols come from bootstrap.dbg.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/ecr-bench-profile}"
layer_mib="${LAYER_MIB:-64}"
layers="${LAYERS:-4}"
work="$(mktemp -d /tmp/ecr-profile.XXXXXX)"
mkdir -p "$out"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v perf >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null; }
dotnet publish src/Replicator.Function -c Release -r linux-x64 -o "$work/fn" -v quiet -nologo >&2
dotnet publish src/LocalEcr -c Release -o "$work/localecr" -v quiet -nologo >&2
dotnet build bench/BenchDriver -c Release -o "$work/driver" -v quiet -nologo >&2

DOTNET_PerfMapEnabled=1 "$work/localecr/LocalEcr" --port 0 --data-dir "$work/ecr-data" >"$work/localecr.out" 2>&1 &
localecr_pid=$!
pids+=($localecr_pid)
for _ in $(seq 1 300); do grep -q '^LocalEcr listening on ' "$work/localecr.out" && break; sleep 0.1; done
endpoint="$(sed -n 's/^LocalEcr listening on //p' "$work/localecr.out")"
digest="$("$work/driver/BenchDriver" seed --endpoint "$endpoint" --repo bench/app --layers "$layers" --layer-size $((layer_mib << 20)) --seed 7)"

perf record -a -F 999 -e cpu-clock -o "$out/perf.data" -q &
perf_pid=$!
pids+=($perf_pid)
sleep 0.5
"$work/driver/BenchDriver" replicate --bootstrap "$work/fn/bootstrap" --endpoint "$endpoint" --event-template events/push.json \
  --repo bench/app --digest "$digest" --tag v1 >"$out/replicate.json"
kill -INT "$perf_pid"
wait "$perf_pid" || true
bootstrap_pid="$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['pid'])" "$out/replicate.json")"

# Percentages relative to the process's own samples; symbols first, then shared objects (kernel, libcrypto, ...).
report() {
  perf report -i "$out/perf.data" --pid "$1" --percentage relative --sort sym --no-children --stdio --percent-limit 0.4 2>/dev/null | grep -v '^#' | grep -v '^$' | head -50
  echo
  perf report -i "$out/perf.data" --pid "$1" --percentage relative --sort dso --no-children --stdio --percent-limit 1 2>/dev/null | grep -v '^#' | grep -v '^$' | head -15
}
report "$bootstrap_pid" >"$out/bootstrap.txt"
report "$localecr_pid" >"$out/localecr.txt"
echo "profile of one copy in $out (bootstrap.txt, localecr.txt, perf.data)" >&2
