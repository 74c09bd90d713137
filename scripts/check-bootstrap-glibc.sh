#!/bin/sh
# Refuses, in one line on stderr (exit 1), a published bootstrap that needs a newer glibc than Lambda's
# provided.al2023 runtime has. Usage: check-bootstrap-glibc.sh BOOTSTRAP
# Native AOT links against the build host's glibc, and the executable records the symbol versions it needs
# (GLIBC_2.xx in its .gnu.version_r section, read here with readelf -V); the dynamic loader refuses to start it where
# glibc is older ("version `GLIBC_2.38' not found"). Amazon Linux 2023, and so provided.al2023, has glibc 2.34
# (https://docs.aws.amazon.com/linux/al2023/ug/core-glibc.html; the error of an executable that needs more:
# https://github.com/aws/aws-lambda-rust-runtime/issues/932). A host with a newer glibc may still produce one that
# needs no more than 2.34 (CI's Debian 12, glibc 2.36, does: the function's PublishedBootstrapTests); when it does
# not, SAM's build image (AL2023) builds one that starts.
set -eu

bootstrap="${1:?usage: check-bootstrap-glibc.sh BOOTSTRAP}"
highest=2.34

# The newest version named; empty when readelf read none (it failed, or the file is not a glibc-linked executable).
newest="$(readelf -V --wide "$bootstrap" | grep -o -E 'GLIBC_[0-9]+(\.[0-9]+)+' | sed 's/^GLIBC_//' | sort -u -V | tail -n 1)"
[ -n "$newest" ] || { echo "error: readelf -V found no GLIBC_ version in $bootstrap: not a glibc-linked Linux executable?" >&2; exit 1; }
if [ "$(printf '%s\n%s\n' "$highest" "$newest" | sort -V | tail -n 1)" != "$highest" ]; then
  echo "error: $bootstrap needs GLIBC_$newest, newer than the $highest of Amazon Linux 2023 (provided.al2023): it would not start on Lambda; this host's glibc is too new, build in SAM's build image: sam build --use-container (see docs/deploy.md)" >&2
  exit 1
fi
