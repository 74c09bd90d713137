#!/bin/sh
# Checks what `make build-ReplicatorFunction` needs before it starts a Native AOT publish, and says what is missing
# in one line on stderr (exit 1). Usage: check-build-prerequisites.sh TARGET_ARCHITECTURE (x86_64 or arm64).
# Native AOT prerequisites on Linux: the .NET SDK, clang (gcc is the ILCompiler's fallback) and zlib
# (https://learn.microsoft.com/dotnet/core/deploying/native-aot/#prerequisites). Native AOT does not cross-compile
# between operating systems, so macOS and Windows hosts build in SAM's build image instead. Between architectures
# on Linux it can, with the target's sysroot and a cross linker
# (https://learn.microsoft.com/dotnet/core/deploying/native-aot/cross-compile; CI does it on Debian in
# scripts/ci-arm64.sh), but SAM's build images have neither, and a Debian cross sysroot's glibc is newer than Amazon
# Linux 2023's: so the Makefile builds only for the architecture of the host it runs on.
set -u

container_hint="or build in SAM's build image: sam build --use-container (see docs/deploy.md)"
fail() {
  echo "error: $1" >&2
  exit 1
}

target="${1:-}"
case "$target" in
  x86_64 | arm64) ;;
  *) fail "unknown target architecture '$target': use x86_64 or arm64 (the template's Architecture parameter)" ;;
esac

os="$(uname -s)"
[ "$os" = Linux ] || fail "Native AOT builds the Lambda bootstrap only on Linux, this host is $os: build in SAM's build image instead: sam build --use-container (see docs/deploy.md)"

host="$(uname -m)"
case "$host" in
  aarch64 | arm64) host=arm64 ;;
  x86_64 | amd64) host=x86_64 ;;
esac
if [ "$host" != "$target" ]; then
  case "$target" in
    arm64) how="build in SAM's arm64 build image: sam build --use-container --config-env arm64, or on an arm64 Linux host with ARCHITECTURE=arm64" ;;
    *) how="build in SAM's x86_64 build image: sam build --use-container" ;;
  esac
  [ "$host" = arm64 ] && how="$how; for an arm64 function on this host: ARCHITECTURE=arm64 sam build --config-env arm64"
  fail "target architecture $target does not match this host ($host): the Makefile builds only for the host's architecture (a cross build needs the target's sysroot and a cross linker, which SAM's build image lacks); $how (see docs/deploy.md)"
fi

command -v dotnet >/dev/null 2>&1 || fail "the .NET SDK is missing (dotnet is not on PATH): install the .NET 10 SDK, $container_hint"
has_sdk10=no
for sdk in $(dotnet --list-sdks 2>/dev/null); do
  case "$sdk" in 10.*) has_sdk10=yes ;; esac
done
[ "$has_sdk10" = yes ] || fail "the .NET 10 SDK is missing (dotnet --list-sdks has no 10.x): install it, $container_hint"

compiler=""
for candidate in clang gcc; do
  if command -v "$candidate" >/dev/null 2>&1; then
    compiler="$candidate"
    break
  fi
done
[ -n "$compiler" ] || fail "clang is missing (Native AOT links with clang, or gcc): install clang, $container_hint"

# binutils: the publish strips the bootstrap's symbols with objcopy (StripSymbols), and the Makefile reads its glibc
# needs with readelf afterwards (scripts/check-bootstrap-glibc.sh). Checked before the link probes, which fail without
# binutils' linker too and would otherwise blame zlib.
for tool in objcopy readelf; do
  command -v "$tool" >/dev/null 2>&1 ||
    fail "$tool is missing (binutils: the build strips the bootstrap with objcopy and checks its glibc needs with readelf): install binutils, $container_hint"
done

# A program without zlib first: a compiler that cannot link at all (no linker, no C library's development files) is
# named as that, not as a missing zlib.
probe='int main(void) { return 0; }\n'
printf "$probe" | "$compiler" -x c - -o /dev/null >/dev/null 2>&1 ||
  fail "$compiler cannot link a C program (the linker, from binutils, or the C library's development files, libc6-dev or glibc-devel, is missing): install them, $container_hint"
printf "$probe" | "$compiler" -x c - -lz -o /dev/null >/dev/null 2>&1 ||
  fail "zlib is missing ($compiler cannot link -lz): install zlib1g-dev (Debian, Ubuntu) or zlib-devel (Amazon Linux, Fedora), $container_hint"

