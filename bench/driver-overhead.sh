#!/usr/bin/env bash
# The harness's own share of a replicator wall time: bench/driver-overhead.sh [RUNS]
# Times `BenchDriver replicate` (as bench/run.sh does) around a stand-in function, a shell script that takes the
# invocation and answers it at once with curl, so the seconds printed are the driver's and the stand-in's, not a
# copy's. Builds the driver and LocalEcr (JIT) and starts LocalEcr for DeleteRepository and the call counts; copies
# nothing. A figure well above the stand-in's own process starts (a bash and two curls) is time the bench would
# count as the function's.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
work="$(mktemp -d /tmp/ecr-bench-overhead.XXXXXX)"
localecr_pid=
cleanup() {
  if [ -n "$localecr_pid" ]; then kill "$localecr_pid" 2>/dev/null || true; wait "$localecr_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

dotnet build bench/BenchDriver -c Release -o "$work/driver" -v quiet -nologo >&2
dotnet build src/LocalEcr -c Release -o "$work/localecr" -v quiet -nologo >&2
"$work/localecr/LocalEcr" --port 0 --data-dir "$work/ecr-data" >"$work/localecr.out" 2>"$work/localecr.err" &
localecr_pid=$!
for _ in $(seq 1 300); do
  grep -q '^LocalEcr listening on ' "$work/localecr.out" 2>/dev/null && break
  sleep 0.1
done
endpoint="$(sed -n 's/^LocalEcr listening on //p' "$work/localecr.out")"
[ -n "$endpoint" ] || { cat "$work/localecr.err" >&2; exit 1; }

# The stand-in: GET next, POST an empty batch response, then wait in the next GET as a runtime does until stopped.
cat >"$work/stand-in" <<'SH'
#!/usr/bin/env bash
set -euo pipefail
base="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
id=$(curl -fsS -D - -o /dev/null "$base/next" | awk 'tolower($1) == "lambda-runtime-aws-request-id:" { print $2 }' | tr -d '\r')
curl -fsS -o /dev/null -X POST -d '{"batchItemFailures":[]}' "$base/$id/response"
exec curl -sS -o /dev/null "$base/next"
SH
chmod +x "$work/stand-in"

for run in $(seq 1 "$runs"); do
  "$work/driver/BenchDriver" replicate --bootstrap "$work/stand-in" --endpoint "$endpoint" --event-template events/push.json \
    --repo bench/app --digest "sha256:$(printf '0%.0s' $(seq 64))" --tag v1 |
    python3 -c 'import json, sys; print(sys.argv[1], json.load(sys.stdin)["seconds"], sep="\t")' "$run"
done
