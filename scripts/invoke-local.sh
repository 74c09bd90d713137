#!/usr/bin/env bash
# Runs the Native AOT function once on a sample event, without Docker:
#   scripts/invoke-local.sh events/push.json
# publishes bootstrap for this Linux host's architecture, linux-x64 or linux-arm64 (unless BOOTSTRAP points at one;
# on another OS it refuses), starts tools/LocalLambdaHost (a loopback Lambda Runtime API), runs bootstrap against it
# and prints the function's response (the partial batch response) on stdout; the function's log and EMF lines go to
# stderr.
# Defaults suit LocalEcr (account 000000000000, us-east-1 -> us-west-2); override any variable from the caller,
# e.g. AWS_ENDPOINT_URL_ECR=http://127.0.0.1:5000 to point the engine at a running LocalEcr.
set -euo pipefail
usage="usage: scripts/invoke-local.sh EVENT.json [--timeout SECONDS]"
# No event is a usage error (exit 2, as a missing event file below), in one line: bash's own ${1:?} message would
# carry the script's line number and exit 1, which callers read as a failed invocation.
if [ $# -eq 0 ] || [ -z "$1" ]; then
  echo "error: no event file given ($usage)" >&2
  exit 2
fi
event="$1"
shift
: "${BOOTSTRAP:=}"
# Paths given relative to the caller's directory, read after the cd to the repository root below.
[[ "$event" == /* ]] || event="$PWD/$event"
[ -z "$BOOTSTRAP" ] || [[ "$BOOTSTRAP" == /* ]] || BOOTSTRAP="$PWD/$BOOTSTRAP"
# Checked before the publish, which takes minutes the first time: a mistyped event path is a usage error now, not
# after the Native AOT build.
if [ ! -f "$event" ] || [ ! -r "$event" ]; then
  echo "error: the event file $event cannot be read (the files of events/, or the output of replicator push-sample)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."

if [ -z "$BOOTSTRAP" ]; then
  # Native AOT compiles for the OS it runs on, and the bootstrap is a Linux executable: publish for this host's
  # Linux runtime id (https://learn.microsoft.com/dotnet/core/deploying/native-aot/#platformarchitecture-restrictions).
  os="$(uname -s)"
  if [ "$os" != Linux ]; then
    echo "error: invoke-local.sh builds and runs the Linux bootstrap, so it needs a Linux host (this one is $os): use WSL, or sam local invoke with Docker (README, \"Run it locally\")" >&2
    exit 1
  fi
  case "$(uname -m)" in
    x86_64 | amd64) rid=linux-x64 ;;
    aarch64 | arm64) rid=linux-arm64 ;;
    *)
      echo "error: invoke-local.sh publishes for linux-x64 or linux-arm64, and this host is $(uname -m)" >&2
      exit 1
      ;;
  esac
  # Inside this clone (artifacts/ is ignored by git), so two clones on one machine never run each other's build.
  # The first publish compiles Native AOT: minutes, not seconds; later runs are incremental.
  out="$PWD/artifacts/invoke-local/$rid"
  dotnet publish src/Replicator.Function -c Release -r "$rid" -o "$out" -v quiet -nologo >&2
  BOOTSTRAP="$out/bootstrap"
fi

export AWS_REGION="${AWS_REGION:-us-east-1}"
export DESTINATION_REGIONS="${DESTINATION_REGIONS:-us-west-2}"
export AWS_LAMBDA_LOG_FORMAT="${AWS_LAMBDA_LOG_FORMAT:-JSON}"
export AWS_LAMBDA_LOG_LEVEL="${AWS_LAMBDA_LOG_LEVEL:-DEBUG}"
# LocalEcr's default keys, for local endpoints only; real runs get the function role's credentials from Lambda.
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"

if [ -z "${AWS_ENDPOINT_URL_ECR:-}${AWS_ENDPOINT_URL:-}" ]; then
  echo "invoke-local: AWS_ENDPOINT_URL_ECR is not set, so the function calls the real ECR endpoints of $AWS_REGION and $DESTINATION_REGIONS; for LocalEcr, start it and set AWS_ENDPOINT_URL_ECR=http://127.0.0.1:PORT" >&2
fi

# NO_BUILD=1 runs the host as last built (tests that already built the solution), in CONFIGURATION (Release unless
# set: a Debug test run points it at its own build).
run_args=(-c "${CONFIGURATION:-Release}" -v quiet)
[ "${NO_BUILD:-}" = 1 ] && run_args+=(--no-build)
dotnet run --project tools/LocalLambdaHost "${run_args[@]}" -- "$event" --bootstrap "$BOOTSTRAP" "$@"
