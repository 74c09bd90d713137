#!/usr/bin/env bash
# Runs `apt-get ARGS...`; when it fails, refreshes the package index (`apt-get update -qq`) and runs it once more.
# apt-get download and install fetch the files the index on disk names. When the archive replaces a package (a
# security update), the old file leaves the mirror and a stale index asks for it in vain (404 Not Found) until
# `apt-get update` reads the new index (https://manpages.debian.org/stable/apt/apt-get.8.en.html). CI refreshes the
# index only when it installs something, so without this a clean run goes red with no change to the code.
set -uo pipefail

apt-get "$@" && exit 0
echo "apt-get $1 failed; refreshing the package index and trying once more" >&2
DEBIAN_FRONTEND=noninteractive apt-get update -qq || exit
exec apt-get "$@"
