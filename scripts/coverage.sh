#!/usr/bin/env bash
# Line and branch coverage of the product (src/) by the whole suite, as the README's test command runs it, then a
# summary (scripts/coverage-report.py; arguments go to it, e.g. --uncovered Replicator.Core/Planning/Planner.cs).
# In-process code only: the CLI run as a child process (ProfileCredentialsTests and the like), the published Native AOT
# bootstrap and LocalEcr started as a program are not instrumented, so what only they run counts as not run.
# OUT=DIR keeps the Cobertura files there (default: a new temporary directory, printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/replicator-coverage-XXXXXX")}"
dotnet build Replicator.sln -c Release -nologo -v quiet
dotnet test Replicator.sln -c Release --no-build --blame-hang-timeout 45m \
  --settings scripts/coverage.runsettings --collect "XPlat Code Coverage" --results-directory "$out"
python3 scripts/coverage-report.py "$out" "$@"
echo "Cobertura files: $out"
