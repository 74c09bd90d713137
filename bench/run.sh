#!/usr/bin/env bash
# The benchmark harness (docs/performance.md). One command:
#   bench/run.sh [RUNS]          # RUNS defaults to 5; `bench/run.sh 1` is a quick smoke run
# Builds the Native AOT bootstrap, LocalEcr (Release) and the driver, installs skopeo and docker-registry when
# missing, then measures, side by side in one run: throughput against skopeo, peak RSS, cold start (AOT vs JIT)
# and ECR calls per image. Raw results go to $OUT (default: a temp dir, kept) and the medians into
# docs/performance.md between the bench markers. Not part of `dotnet test`.
# Environment: LAYER_MIB (64), LAYERS (4), MEMORY_SIZES_MIB ("256 1024 4096"; the first is also the latency and
# in-flight sections' layer; 4096 and 1024 are the memory target's), LATENCY_MS (100), OUT, KEEP_WORK=1,
# FANOUT_REGIONS ("us-west-2,eu-west-1,ap-northeast-1"),
# and SECTIONS ("throughput calls memory latency inflight fanout fanoutlatency floor coldstart"; a subset measures only those, e.g. before/after one optimization,
# and leaves docs/performance.md alone).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

runs="${1:-${RUNS:-5}}"
all_sections="throughput calls memory latency inflight fanout fanoutlatency floor coldstart"
sections="${SECTIONS:-$all_sections}"
wants() { [[ " $sections " == *" $1 "* ]]; }
layer_mib="${LAYER_MIB:-64}"
layers="${LAYERS:-4}"
memory_sizes="${MEMORY_SIZES_MIB:-256 1024 4096}"
work="$(mktemp -d /tmp/ecr-bench.XXXXXX)"
out="${OUT:-$(mktemp -d /tmp/ecr-bench-results.XXXXXX)}"
mkdir -p "$out"
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP_WORK:-0}" != 1 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# A free loopback port: bind port 0, read it, release it (docker-registry cannot be given port 0).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

ensure_tools() {
  local missing=()
  command -v skopeo >/dev/null || missing+=(skopeo)
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  [ -x /usr/bin/time ] || missing+=(time)
  # curl polls the registries until they answer and drives LocalEcr's fault and call-count endpoints: without it
  # the first poll loop would end in a misleading "docker-registry ... did not start".
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

build() {
  log "publishing the Native AOT bootstrap, LocalEcr, the JIT build and the driver"
  dotnet publish src/Replicator.Function -c Release -r linux-x64 -o "$work/fn" -v quiet -nologo >&2
  dotnet publish src/LocalEcr -c Release -o "$work/localecr" -v quiet -nologo >&2
  dotnet build src/Replicator.Function -c Release -o "$work/fnjit" -v quiet -nologo >&2
  dotnet build bench/BenchDriver -c Release -o "$work/driver" -v quiet -nologo >&2
}

driver() { "$work/driver/BenchDriver" "$@"; }

# start_localecr NAME [OPTION...]: LocalEcr on a free port, its data in $work/NAME-data, its output in
# $work/NAME.out and .err; sets endpoint and localecr_pid.
start_localecr() {
  local name=$1
  shift
  "$work/localecr/LocalEcr" --port 0 --data-dir "$work/$name-data" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  localecr_pid=$!
  for _ in $(seq 1 300); do
    if grep -q '^LocalEcr listening on ' "$work/$name.out" 2>/dev/null; then
      endpoint="$(sed -n 's/^LocalEcr listening on //p' "$work/$name.out")"
      return
    fi
    sleep 0.1
  done
  log "LocalEcr did not start"; cat "$work/$name.err" >&2; exit 1
}

# start_registry NAME: a docker-registry with its own config and storage on a free loopback port.
start_registry() {
  local name=$1 port
  port="$(free_port)"
  mkdir -p "$work/$name/storage"
  cat >"$work/$name/config.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/$name/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YAML
  docker-registry serve "$work/$name/config.yml" >"$work/$name/log" 2>&1 &
  pids+=($!)
  eval "${name}_pid=$!"
  eval "${name}_port=$port"
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && return
    sleep 0.1
  done
  log "docker-registry $name did not start"; cat "$work/$name/log" >&2; exit 1
}

# A fresh destination registry for every skopeo run, so each is a first copy (no blob to reuse or mount).
restart_registry2() {
  kill "$registry2_pid" 2>/dev/null || true
  wait "$registry2_pid" 2>/dev/null || true
  rm -rf "$work/registry2"
  start_registry registry2
}

now_ns() { date +%s%N; }

# in_turn RUN A B: runs A then B on odd runs and B then A on even ones, so neither side of a per-run ratio always
# goes first (the throughput section; latency and fan-out take turns the same way inline).
in_turn() { if [ $(($1 % 2)) = 1 ]; then "$2"; "$3"; else "$3"; "$2"; fi; }

# User + system CPU seconds of a process so far (/proc/PID/stat fields 14 and 15, in 1/100 s).
cpu_seconds() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }

load_start="$(cut -d" " -f1-3 /proc/loadavg)"
ensure_tools
build
start_localecr localecr
log "LocalEcr at $endpoint"

layer_bytes=$((layer_mib * 1024 * 1024))
log "seeding $layers x $layer_mib MiB (LocalEcr us-east-1 bench/app, OCI layout for skopeo)"
digest="$(driver seed --endpoint "$endpoint" --region us-east-1 --repo bench/app --layers "$layers" --layer-size "$layer_bytes" --seed 7 --oci "$work/oci")"
declare -A memory_digest
(wants memory || wants latency) && for size in $memory_sizes; do
  memory_digest[$size]="$(driver seed --endpoint "$endpoint" --region us-east-1 --repo "bench/mem$size" --layers 1 --layer-size $((size * 1024 * 1024)) --seed $((100 + size)))"
done

start_registry registry1
start_registry registry2
skopeo copy --quiet --preserve-digests --dest-tls-verify=false "oci:$work/oci:v1" "docker://127.0.0.1:$registry1_port/bench/app:v1"

replicate() { driver replicate --bootstrap "$work/fn/bootstrap" --endpoint "$endpoint" --localecr-pid "$localecr_pid" --event-template events/push.json --tag v1 "$@"; }

: >"$out/throughput.tsv"
throughput_replicator() {
  log "throughput run $run/$runs: replicator"
  replicate --repo bench/app --digest "$digest" --fresh true >"$out/replicator-$run.json"
}
throughput_skopeo() {
  restart_registry2
  log "throughput run $run/$runs: skopeo"
  r1=$(cpu_seconds "$registry1_pid"); r2=$(cpu_seconds "$registry2_pid")
  t0=$(now_ns)
  /usr/bin/time -f '%U %S' -o "$out/skopeo-$run.time" skopeo copy --quiet --preserve-digests --src-tls-verify=false --dest-tls-verify=false \
    "docker://127.0.0.1:$registry1_port/bench/app:v1" "docker://127.0.0.1:$registry2_port/bench/app:v1"
  t1=$(now_ns)
  registries_cpu=$(python3 -c "print(round($(cpu_seconds "$registry1_pid") - $r1 + $(cpu_seconds "$registry2_pid") - $r2, 2))")
}
# Throughput runs against a LocalEcr of its own, started with spare upload files off, then stopped; every other
# section keeps the one above (spares on). skopeo's destination registry is emptied for every run, so it writes each
# blob into new page-cache pages; every destination upload of the replicator repeats a blob LocalEcr's source region
# stores, and with spares on it would be written over a spare file's pages, which on this VM costs the kernel about
# a tenth as much (docs/performance.md, table of changes, eca7ca8). Off, both sides write into new pages.
if wants throughput; then
  main_endpoint=$endpoint main_localecr_pid=$localecr_pid
  start_localecr throughput --spare-uploads off
  log "LocalEcr for throughput (spare uploads off) at $endpoint; seeding bench/app there too"
  throughput_digest="$(driver seed --endpoint "$endpoint" --region us-east-1 --repo bench/app --layers "$layers" --layer-size "$layer_bytes" --seed 7)"
  [ "$throughput_digest" = "$digest" ] || { log "throughput seed $throughput_digest is not $digest"; exit 1; }
fi
# The two sides take turns going first (odd runs the replicator, even runs skopeo), as in the latency and fan-out
# sections: whatever the side that goes first meets (the writeback of the seeding's pages, a load that rises or falls
# through the pair) falls on each side in turn, not always on the replicator.
wants throughput && for run in $(seq 1 "$runs"); do
  in_turn "$run" throughput_replicator throughput_skopeo
  python3 - "$out/replicator-$run.json" "$out/skopeo-$run.time" "$run" "$t0" "$t1" "$registries_cpu" >>"$out/throughput.tsv" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))
user, system = map(float, open(sys.argv[2]).read().split()[-2:])
run, t0, t1, registries = sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
print(run, ours["seconds"], (t1 - t0) / 1e9, ours["cpuSeconds"], ours["localEcrCpuSeconds"], round(user + system, 2), registries, sep="\t")
PY
done
if wants throughput; then
  kill "$localecr_pid"
  wait "$localecr_pid" || true
  rm -rf "$work/throughput-data"
  endpoint=$main_endpoint localecr_pid=$main_localecr_pid
fi

if wants calls; then
  log "calls: a first copy, then the same push again"
  replicate --repo bench/app --digest "$digest" --fresh true >"$out/calls-first.json"
  replicate --repo bench/app --digest "$digest" --fresh false >"$out/calls-repeat.json"
fi

: >"$out/memory.tsv"
wants memory && for run in $(seq 1 "$runs"); do
  for size in $memory_sizes; do
    log "memory run $run/$runs: one $size MiB layer"
    replicate --repo "bench/mem$size" --digest "${memory_digest[$size]}" --fresh true >"$out/memory-$size-$run.json"
    # Columns: size, run, VmHWM kB, seconds, bootstrap CPU seconds, of which system, minor page faults.
    printf '%s\t%s\t%s\n' "$size" "$run" "$(python3 -c "import json,sys;d=json.load(open(sys.argv[1]));print(d['peakRssKb'],d['seconds'],d['cpuSeconds'],d['systemCpuSeconds'],d['minorFaults'],sep='\t')" "$out/memory-$size-$run.json")" >>"$out/memory.tsv"
  done
done

: >"$out/latency.tsv"
if wants latency; then
  # ECR is a cross-region round trip away, LocalEcr is not: hold every UploadLayerPart answer for
  # LATENCY_MS (LocalEcr's delay fault, no CPU spent) and copy one layer, where no other layer can fill the wait.
  # Each run copies with 0 ms and with LATENCY_MS, in alternating order, so both see the same load; the ratio
  # is taken per run. Columns: size, delay ms, run, seconds, bootstrap CPU seconds, of which system (kernel),
  # UploadLayerPart calls (the round trips the ordering of parts cannot overlap).
  size="${memory_sizes%% *}"
  delayed() {
    log "latency run $run/$runs: one $size MiB layer, UploadLayerPart answers after $1 ms"
    curl -fsS -X POST "$endpoint/_localecr/faults/clear" -H 'content-type: application/json' -d '{}'
    if [ "$1" != 0 ]; then
      curl -fsS -X POST "$endpoint/_localecr/faults/delay" -H 'content-type: application/json' \
        -d "{\"operation\":\"UploadLayerPart\",\"delayMs\":$1}"
    fi
    replicate --repo "bench/mem$size" --digest "${memory_digest[$size]}" --fresh true >"$out/latency-$1-$run.json"
    printf '%s\t%s\t%s\t%s\n' "$size" "$1" "$run" "$(python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
parts=sum(c['count'] for c in d['calls'] if c['operation']=='UploadLayerPart')
print(d['seconds'],d['cpuSeconds'],d['systemCpuSeconds'],parts,sep='\t')" "$out/latency-$1-$run.json")" >>"$out/latency.tsv"
  }
  for run in $(seq 1 "$runs"); do
    if [ $((run % 2)) = 1 ]; then delayed 0; delayed "${LATENCY_MS:-100}"; else delayed "${LATENCY_MS:-100}"; delayed 0; fi
  done
  curl -fsS -X POST "$endpoint/_localecr/faults/clear" -H 'content-type: application/json' -d '{}'
fi

# Read-ahead depth: the same delayed copy in process (JIT engine, BenchDriver inflight) with 1, 2 and 4 parts in
# flight, alternating. Columns: round, parts in flight, seconds, CPU seconds.
: >"$out/inflight.tsv"
if wants inflight; then
  size="${memory_sizes%% *}"
  curl -fsS -X POST "$endpoint/_localecr/faults/delay" -H 'content-type: application/json' \
    -d "{\"operation\":\"UploadLayerPart\",\"delayMs\":${LATENCY_MS:-100}}"
  log "parts in flight: 1, 2, 4 with UploadLayerPart answers after ${LATENCY_MS:-100} ms"
  driver inflight --endpoint "$endpoint" --repo "bench/mem$size" --digest "${memory_digest[$size]}" --parts 1,2,4 --rounds "$runs" >>"$out/inflight.tsv"
  curl -fsS -X POST "$endpoint/_localecr/faults/clear" -H 'content-type: application/json' -d '{}'
fi

# Fan-out: the same image to one destination and to three, alternating; downloads per blob from LocalEcr's
# counts (DownloadLayer is the presigned GET, in the source region). Columns: run, destinations, seconds,
# bootstrap CPU seconds, peak RSS kB, DownloadLayer calls, blobs, LocalEcr CPU seconds (every region's ECR work,
# on the same two cores: it grows with the destinations and bounds the wall time, see report.py).
: >"$out/fanout.tsv"
fanout_regions="${FANOUT_REGIONS:-us-west-2,eu-west-1,ap-northeast-1}"
fanout() {
  local regions=$1 count
  count=$(awk -F, '{print NF}' <<<"$regions")
  log "fanout run $run/$runs: $count destination(s)"
  replicate --repo bench/app --digest "$digest" --fresh true --dest-region "$regions" >"$out/fanout-$count-$run.json"
  printf '%s\t%s\t%s\t%s\t%s\n' "$run" "$count" "$(python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
downloads=sum(c['count'] for c in d['calls'] if c['operation']=='DownloadLayer')
print(d['seconds'],d['cpuSeconds'],d['peakRssKb'],downloads,sep='\t')" "$out/fanout-$count-$run.json")" "$((layers + 1))" \
    "$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['localEcrCpuSeconds'])" "$out/fanout-$count-$run.json")"
}
wants fanout && for run in $(seq 1 "$runs"); do
  if [ $((run % 2)) = 1 ]; then
    fanout us-west-2 >>"$out/fanout.tsv"; fanout "$fanout_regions" >>"$out/fanout.tsv"
  else
    fanout "$fanout_regions" >>"$out/fanout.tsv"; fanout us-west-2 >>"$out/fanout.tsv"
  fi
done

# Supplementary to the fan-out figure the target applies to, never instead of it: the same 1 vs 3 destinations with every
# UploadLayerPart answer held LATENCY_MS in every region (LocalEcr's delay fault, as in the latency section), as
# when the destinations are cross-region round trips away instead of processes on this machine's two cores.
# The plain fanout rows stay the target's figure. Same columns as fanout.tsv, in fanout-latency.tsv.
: >"$out/fanout-latency.tsv"
if wants fanoutlatency; then
  curl -fsS -X POST "$endpoint/_localecr/faults/clear" -H 'content-type: application/json' -d '{}'
  curl -fsS -X POST "$endpoint/_localecr/faults/delay" -H 'content-type: application/json' \
    -d "{\"operation\":\"UploadLayerPart\",\"delayMs\":${LATENCY_MS:-100}}"
  for run in $(seq 1 "$runs"); do
    if [ $((run % 2)) = 1 ]; then
      fanout us-west-2 >>"$out/fanout-latency.tsv"; fanout "$fanout_regions" >>"$out/fanout-latency.tsv"
    else
      fanout "$fanout_regions" >>"$out/fanout-latency.tsv"; fanout us-west-2 >>"$out/fanout-latency.tsv"
    fi
  done
  curl -fsS -X POST "$endpoint/_localecr/faults/clear" -H 'content-type: application/json' -d '{}'
fi

# The CPU floor of a copy, in .NET on this machine now: SHA-256 + Base64 + SHA-256 of the body, per GiB; and beside
# it the kernel's share no client avoids, the same bytes moved through loopback sockets (driver iofloor), per GiB.
: >"$out/floor.tsv"
wants floor && for run in $(seq 1 "$runs"); do
  printf '%s\t%s\t%s\n' "$run" "$(driver floor --bytes $((256 * 1024 * 1024)))" "$(driver iofloor --bytes $((256 * 1024 * 1024)))" >>"$out/floor.tsv"
done

: >"$out/coldstart.tsv"
wants coldstart && log "cold start: AOT, AOT with the stack's default settings, and JIT, $runs runs each, in turn"
wants coldstart && for run in $(seq 1 "$runs"); do
  printf 'aot\t%s\n' "$(driver coldstart --command "$work/fn/bootstrap" --runs 1)" >>"$out/coldstart.tsv"
  printf 'aotstack\t%s\n' "$(driver coldstart --command "$work/fn/bootstrap" --runs 1 --settings stack)" >>"$out/coldstart.tsv"
  printf 'jit\t%s\n' "$(driver coldstart --command "$work/fnjit/bootstrap.dll" --runs 1)" >>"$out/coldstart.tsv"
done

{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+dirty')"
  echo "runs=$runs"
  echo "layers=$layers"
  echo "layer_mib=$layer_mib"
  echo "latency_ms=${LATENCY_MS:-100}"
  echo "nproc=$(nproc)"
  echo "memory=$(free -g | awk '/^Mem:/{print $2" GiB"}')"
  echo "cpu=$(lscpu | sed -n 's/^Model name: *//p')"
  echo "load_start=$load_start"
  echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "dotnet=$(dotnet --version)"
  echo "skopeo=$(skopeo --version | awk '{print $3}')"
  echo "registry=$(dpkg-query -W -f='${Version}' docker-registry 2>/dev/null || echo unknown)"
} >"$out/machine.txt"

if [ "$sections" = "$all_sections" ]; then
  python3 bench/report.py "$out" docs/performance.md
  log "results in $out; docs/performance.md updated"
else
  python3 bench/report.py "$out" "$out/performance.md" >/dev/null || true
  cat "$out/throughput.tsv" >&2
  log "results in $out (partial run: docs/performance.md left alone)"
fi
