#!/usr/bin/env bash
# CI: cross-builds the function's Native AOT bootstrap for linux-arm64 on an x86_64 Linux host and runs the offline
# smoke test with it under qemu-user: LocalEcr, push-sample, the loopback Runtime API, verify.
# Needs (.ci/run installs them on Debian): clang, binutils-aarch64-linux-gnu, gcc-aarch64-linux-gnu and
# libc6-dev-arm64-cross (linker, crt files, libgcc, glibc for arm64), qemu-user, and libssl3 for arm64 (the
# bootstrap loads libssl at run time for HTTPS, as it finds it on Amazon Linux 2023).
# Cross-compiling: https://learn.microsoft.com/dotnet/core/deploying/native-aot/cross-compile
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

work="$(mktemp -d)"
ecr_pid=""
cleanup() {
  [ -n "$ecr_pid" ] && kill "$ecr_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

clang="$(command -v clang || ls /usr/bin/clang-[0-9]* 2>/dev/null | grep -E 'clang-[0-9]+$' | sort -V | tail -n 1)"
[ -n "$clang" ] || { echo "error: clang is missing (the cross build links with clang --target=aarch64-linux-gnu)" >&2; exit 1; }

# clang finds Debian's aarch64 cross gcc installation and aarch64-linux-gnu-ld by itself; objcopy must also be the
# aarch64 one to strip the symbols.
dotnet publish src/Replicator.Function -c Release -r linux-arm64 -o "$work/publish" -nologo -v quiet \
  -p:CppCompilerAndLinker="$(basename "$clang")" -p:ObjCopyName=aarch64-linux-gnu-objcopy
file "$work/publish/bootstrap" | grep -q 'ARM aarch64' || { echo "error: bootstrap is not an aarch64 executable" >&2; exit 1; }

# libssl3 for arm64, unpacked only (the host stays x86_64): the bootstrap aborts without it. The index on disk may
# name a version the archive has since replaced: apt-get-retry.sh refreshes it and tries again.
(cd "$work" && "$repo/scripts/apt-get-retry.sh" download -q libssl3:arm64 >/dev/null && dpkg -x libssl3_*_arm64.deb sysroot)
cat >"$work/bootstrap" <<WRAPPER
#!/bin/sh
LD_LIBRARY_PATH="$work/sysroot/usr/lib/aarch64-linux-gnu" exec qemu-aarch64 -L /usr/aarch64-linux-gnu "$work/publish/bootstrap" "\$@"
WRAPPER
chmod +x "$work/bootstrap"

# LocalEcr binds port 0 itself (a port found free and released here could be taken before LocalEcr binds it) and
# prints the address it got.
dotnet src/LocalEcr/bin/Release/net10.0/LocalEcr.dll --port 0 >"$work/localecr.log" 2>&1 &
ecr_pid=$!
endpoint=""
for _ in $(seq 1 120); do
  endpoint="$(sed -n 's/^LocalEcr listening on //p' "$work/localecr.log" 2>/dev/null)"
  [ -n "$endpoint" ] && break
  kill -0 "$ecr_pid" 2>/dev/null || break
  sleep 0.5
done
[ -n "$endpoint" ] || { echo "error: LocalEcr did not start; its output:" >&2; cat "$work/localecr.log" >&2; exit 1; }

cat >"$work/stack.json" <<JSON
{"Stacks": [{"StackName": "ci-arm64", "StackId": "arn:aws:cloudformation:us-east-1:000000000000:stack/ci-arm64/1",
  "Parameters": [{"ParameterKey": "RepositoryFilter", "ParameterValue": "arm64/*"},
                 {"ParameterKey": "DestinationRegions", "ParameterValue": "us-west-2"},
                 {"ParameterKey": "Architecture", "ParameterValue": "arm64"}],
  "Outputs": [{"OutputKey": "ReplicatorFunctionName", "OutputValue": "ci-arm64-ReplicatorFunction"}]}]}
JSON

# The smoke test gets the environment Lambda gives the function, not this machine's: CI's machine exports
# AWS_CA_BUNDLE (the system bundle, which the bootstrap's init under qemu and every CLI call read and parsed), and an
# AWS_PROFILE, AWS_SESSION_TOKEN, ~/.aws/config (its ca_bundle, ignore_configured_endpoint_urls) or an HTTP_PROXY
# without NO_PROXY (loopback calls sent to the proxy) would change or fail the run. Only what is set here reaches it.
unset_machine=()
for name in $(compgen -e); do
  case "$name" in
    AWS_* | [Hh][Tt][Tt][Pp]_[Pp][Rr][Oo][Xx][Yy] | [Hh][Tt][Tt][Pp][Ss]_[Pp][Rr][Oo][Xx][Yy] | [Aa][Ll][Ll]_[Pp][Rr][Oo][Xx][Yy] | [Nn][Oo]_[Pp][Rr][Oo][Xx][Yy])
      unset_machine+=(-u "$name") ;;
  esac
done
env "${unset_machine[@]}" \
  SMOKE_STACK_DESCRIPTION="$work/stack.json" SMOKE_REPOSITORY=arm64/smoke SMOKE_INVOKE=local SMOKE_TIMEOUT=0 \
  AWS_ENDPOINT_URL_ECR="$endpoint" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
  AWS_CONFIG_FILE="$work/no-aws-config" AWS_SHARED_CREDENTIALS_FILE="$work/no-aws-credentials" \
  REPLICATOR="dotnet src/Replicator.Cli/bin/Release/net10.0/replicator.dll" BOOTSTRAP="$work/bootstrap" NO_BUILD=1 NO_COLOR=1 \
  scripts/smoke-test.sh ci-arm64
echo "arm64: cross-built bootstrap replicated under qemu-aarch64"
