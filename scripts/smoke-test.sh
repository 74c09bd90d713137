#!/usr/bin/env bash
# After `sam deploy`: proves a deployed stack replicates, end to end, and measures how long it takes.
#   scripts/smoke-test.sh STACK_NAME
# 1. reads the stack's parameters and outputs (aws cloudformation describe-stacks);
# 2. pushes the CLI's deterministic multi-arch sample image to a scratch repository the stack selects
#    (SMOKE_REPOSITORY; by default ecr-replicator-smoke under the first prefix pattern of the stack's RepositoryFilter
#    that selects it, e.g. team/ecr-replicator-smoke for team/*: the stack's RepositoryFilter must select it), tag
#    SMOKE_TAG (default smoke-<unix time>: the stack's TagFilter, when set, must match it whole);
# 3. waits until `replicator verify` finds that tag in every destination region (SMOKE_TIMEOUT seconds, default 300;
#    a verify that stops with an error, exit 2, or reports a destination `unreadable` ends the wait at once),
#    under the name the stack's RepositoryMapping gives it there (longest matching prefix, as the function maps);
# 4. prints the latency from the end of the push to the first in-sync verify;
# 5. deletes the scratch repository in the source region and its mapped name in every destination, also when a step
#    failed. Scratch means the script created it: it refuses to start when the repository exists already in the source
#    or under its mapped name in a destination (the cleanup would delete it, images and all), and it reports a
#    repository it could not delete (exit 1).
# Only the same-account DestinationRegions are checked: OtherAccountDestinations are written through a role that
# trusts only the function's role, and OtherPartitionDestinations with keys kept in SSM; the script says so when the
# stack has any.
# Needs the AWS CLI, credentials for the source account with ECR push/delete and cloudformation:DescribeStacks, and
# the `replicator` command (README, "Install the CLI"; else it runs the CLI from source).
#
# Offline (CI): SMOKE_STACK_DESCRIPTION=FILE replaces describe-stacks by that file (the same JSON), AWS_ENDPOINT_URL_ECR
# points the CLI and the AWS CLI at LocalEcr, and SMOKE_INVOKE=local replaces EventBridge and SQS: the push's SQS event
# (push-sample's stdout) is delivered to the function through the loopback Lambda Runtime API (scripts/invoke-local.sh),
# with the deployed function's environment (the stack's selection, mapping and tag filter) and its Timeout
# (SMOKE_INVOKE_TIMEOUT seconds, default 900 as in template.yaml: an emulated arm64 copy under qemu takes tens of them).
set -euo pipefail
# A description file named relative to the caller's directory, read after the cd to the repository root.
[ -z "${SMOKE_STACK_DESCRIPTION:-}" ] || [[ "$SMOKE_STACK_DESCRIPTION" == /* ]] ||
  SMOKE_STACK_DESCRIPTION="$PWD/$SMOKE_STACK_DESCRIPTION"
cd "$(dirname "$0")/.."

stack="${1:?usage: scripts/smoke-test.sh STACK_NAME}"
repository="${SMOKE_REPOSITORY:-}"
timeout="${SMOKE_TIMEOUT:-300}"
tag="${SMOKE_TAG:-smoke-$(date +%s)}"

fail() {
  echo "error: $1" >&2
  exit 1
}

# Checked before anything is pushed: bash arithmetic reads "10m" as a syntax error and "abc" as 0 (no wait at all),
# found only after the push to the scratch repository.
for setting in SMOKE_TIMEOUT SMOKE_INVOKE_TIMEOUT; do
  value="${!setting:-}"
  if [ -n "$value" ] && { ! [[ "$value" =~ ^[0-9]+$ ]] || { [ "$setting" = SMOKE_INVOKE_TIMEOUT ] && [ "$((10#$value))" -eq 0 ]; }; }; then
    echo "error: $setting must be a whole number of seconds$([ "$setting" = SMOKE_INVOKE_TIMEOUT ] && echo ' greater than 0'), not '$value'" >&2
    exit 2
  fi
done

# The AWS CLI's ECR calls go where the CLI's and the function's do: an endpoint in AWS_ENDPOINT_URL_ECR or
# AWS_ENDPOINT_URL is also given as --endpoint-url, because AWS CLIs before 1.29 and 2.13 ignore both variables
# (Debian 12 packages 2.9) and would call the real ECR instead
# (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
aws_ecr() {
  local endpoint="${AWS_ENDPOINT_URL_ECR:-${AWS_ENDPOINT_URL:-}}"
  if [ -n "$endpoint" ]; then
    aws ecr --endpoint-url "$endpoint" "$@"
  else
    aws ecr "$@"
  fi
}

if [ -n "${REPLICATOR:-}" ]; then
  read -r -a replicator <<<"$REPLICATOR"
elif command -v replicator >/dev/null 2>&1; then
  replicator=(replicator)
else
  replicator=(dotnet run --project src/Replicator.Cli -c Release -v quiet --)
fi

if [ -n "${SMOKE_STACK_DESCRIPTION:-}" ]; then
  description="$(cat "$SMOKE_STACK_DESCRIPTION")"
else
  # --region from AWS_REGION: AWS CLI v1 reads only AWS_DEFAULT_REGION, and the ecr calls below pass the region too.
  description="$(aws cloudformation describe-stacks --stack-name "$stack" ${AWS_REGION:+--region "$AWS_REGION"} --output json)" ||
    fail "cannot describe stack $stack (deployed in ${AWS_REGION:-the default region}?)"
fi

# The stack's region, from its StackId; the description's shape (the StackId, and the Parameters and Outputs that
# stack_value reads by key) is checked here, once, so that the reads below never stop with a Python traceback on a
# file that is not describe-stacks' JSON (a wrong SMOKE_STACK_DESCRIPTION file).
source_region="$(python3 -c '
import json, sys
def refuse(why):
    print(why)
    sys.exit(1)
try:
    stack = json.loads(sys.argv[1])["Stacks"][0]
    stack_id = stack["StackId"]
    region = stack_id.split(":")[3]
except json.JSONDecodeError as e:
    refuse(f"it is not JSON ({e.msg} at line {e.lineno} column {e.colno})")
except (KeyError, IndexError, TypeError, AttributeError):
    refuse("it has no Stacks[0].StackId ARN, as describe-stacks gives")
if not region:
    refuse(f"its StackId {stack_id!r} names no region")
# stack_value reads each entry by its key: an entry without one stopped that read with a KeyError traceback, and the
# script then said the stack had no such parameter or output.
for kind, article in (("Parameter", "a"), ("Output", "an")):
    items = stack.get(kind + "s", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get(kind + "Key"), str) for i in items):
        refuse(f"its {kind}s are not a list of objects each with {article} {kind}Key, as describe-stacks gives")
print(region)' "$description")" ||
  fail "cannot read the description of stack $stack from ${SMOKE_STACK_DESCRIPTION:-aws cloudformation describe-stacks}: $source_region"

# Parameters and outputs by key, from describe-stacks' JSON (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html).
# A key the stack does not have exits 3, so that "no such parameter" and "the parameter is empty" stay apart (an
# empty CommaDelimitedList is listed with an empty ParameterValue); an optional key reads as empty when missing.
stack_value() {
  python3 -c '
import json, sys
stack = json.loads(sys.argv[1])["Stacks"][0]
kind, key = sys.argv[2], sys.argv[3]
items = {i[kind + "Key"]: i.get(kind + "Value", "") for i in stack.get(kind + "s", [])}
if key not in items:
    sys.exit(3)
print(items[key])' "$description" "$1" "$2"
}
optional_stack_value() {
  stack_value "$@" || [ $? -eq 3 ]
}

destinations="$(stack_value Parameter DestinationRegions)" ||
  fail "stack $stack has no DestinationRegions parameter: is it an ecr-replicator stack?"
filter="$(stack_value Parameter RepositoryFilter)" ||
  fail "stack $stack has no RepositoryFilter parameter: is it an ecr-replicator stack?"
function_name="$(stack_value Output ReplicatorFunctionName)" ||
  fail "stack $stack has no ReplicatorFunctionName output: is it an ecr-replicator stack?"
mapping="$(optional_stack_value Parameter RepositoryMapping)"
tag_filter="$(optional_stack_value Parameter TagFilter)"
other_accounts="$(optional_stack_value Parameter OtherAccountDestinations)"
other_partitions="$(optional_stack_value Parameter OtherPartitionDestinations)"
[ -n "$function_name" ] || fail "stack $stack has an empty ReplicatorFunctionName output: is it an ecr-replicator stack?"
[ -n "$filter" ] || fail "stack $stack has an empty RepositoryFilter: is it an ecr-replicator stack?"
# A stack may write only to other accounts or partitions (DestinationRegions empty). The smoke test verifies the
# same-account DestinationRegions only (see the top of this file), so such a stack leaves it nothing to check.
unchecked="$other_accounts${other_accounts:+${other_partitions:+,}}$other_partitions"
[ -n "$destinations" ] ||
  fail "stack $stack has no DestinationRegions (its destinations are ${unchecked:-in other accounts or partitions}): the smoke test checks only same-account DestinationRegions, so it has nothing to check; verify the other destinations with credentials of their accounts (replicator verify)"
# The RepositoryFilter grammar (README, "Choosing repositories"): `*`, `prefix*`, an exact name, `!pattern`
# excludes and exclusions win. The function applies the same rule (Replicator.Core RepositoryFilter).
selects() {
  python3 -c '
import sys
name, patterns = sys.argv[1], [p for p in sys.argv[2].split(",") if p]
def match(p): return name.startswith(p[:-1]) if p.endswith("*") else name == p
included = any(match(p) for p in patterns if not p.startswith("!"))
excluded = any(match(p[1:]) for p in patterns if p.startswith("!"))
sys.exit(0 if included and not excluded else 1)' "$1" "$2"
}
# No SMOKE_REPOSITORY: a scratch name the selection takes, ecr-replicator-smoke under the first prefix pattern (`*`,
# `team/*`) whose name is a valid repository name and no exclusion takes; none (only exact names): the plain name,
# which the check below then refuses with its hint.
if [ -z "$repository" ]; then
  repository="$(python3 -c '
import re, sys
valid = re.compile(r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*")
patterns = [p for p in sys.argv[1].split(",") if p]
def match(p, name): return name.startswith(p[:-1]) if p.endswith("*") else name == p
for p in patterns:
    if p.startswith("!") or not p.endswith("*"):
        continue
    name = p[:-1] + "ecr-replicator-smoke"
    if valid.fullmatch(name) and len(name) <= 256 and not any(match(x[1:], name) for x in patterns if x.startswith("!")):
        print(name)
        break
else:
    print("ecr-replicator-smoke")' "$filter")"
fi
selects "$repository" "$filter" ||
  fail "stack $stack does not replicate $repository (RepositoryFilter=$filter): set SMOKE_REPOSITORY to a scratch repository it selects"
# The TagFilter rule: a regular expression that must match the whole tag (the function's TAG_FILTER, Replicator.Core
# TagFilter). Python's re agrees with .NET's syntax on the usual patterns; one it cannot compile (a .NET-only
# construct) is left to the function, with a note. A tag the filter refuses would never be replicated, and the script
# would wait SMOKE_TIMEOUT seconds for nothing.
tag_selected() {
  python3 -c '
import re, sys
tag, pattern = sys.argv[1], sys.argv[2]
try:
    regex = re.compile(pattern)
except re.error:
    sys.exit(2)
sys.exit(0 if regex.fullmatch(tag) else 1)' "$1" "$2"
}
if [ -n "$tag_filter" ]; then
  status=0
  tag_selected "$tag" "$tag_filter" || status=$?
  [ "$status" -ne 1 ] ||
    fail "stack $stack does not replicate tag $tag (TagFilter=$tag_filter must match the whole tag): set SMOKE_TAG to a scratch tag it matches"
  [ "$status" -ne 2 ] ||
    echo "note: cannot check TagFilter=$tag_filter against $tag here (not a Python regex); if the function's filter refuses $tag, the wait times out" >&2
fi
# The RepositoryMapping grammar (SOURCE_PREFIX=DEST_PREFIX,...; the longest matching source prefix wins, a name no
# prefix matches keeps its name), as the function's REPOSITORY_MAPPING (Replicator.Core RepositoryMapping).
mapped_name() {
  python3 -c '
import sys
name, entries = sys.argv[1], [e.strip() for e in sys.argv[2].split(",") if e.strip()]
if any(e.count("=") != 1 for e in entries):
    sys.exit(1)
rules = [e.split("=") for e in entries]
matches = [r for r in rules if name.startswith(r[0])]
source, destination = max(matches, key=lambda r: len(r[0])) if matches else ("", "")
print(destination + name[len(source):])' "$1" "$2"
}
destination_repository="$(mapped_name "$repository" "$mapping")" ||
  fail "stack $stack has a RepositoryMapping that is not SOURCE_PREFIX=DEST_PREFIX,...: $mapping"

export AWS_REGION="$source_region"
IFS=, read -r -a destination_list <<<"$destinations"
destination_args=()
for d in "${destination_list[@]}"; do
  destination_args+=(--destination-region "$d")
done

# The repository in the source region, then its mapped name in each same-account destination (an ACCOUNT:REGION
# destination is another account's registry: the smoke test neither checks nor cleans it).
scratch_repositories() {
  echo "$source_region $repository"
  for region in "${destination_list[@]}"; do
    [[ "$region" == *:* ]] || echo "$region $destination_repository"
  done
}

# Only a repository this run creates is deleted afterwards: one that is there already (a real repository under a
# mistyped SMOKE_REPOSITORY, or a destination's own under the mapped name) stops the script before anything is pushed.
while read -r region name; do
  if output="$(aws_ecr describe-repositories --region "$region" --repository-names "$name" --output json 2>&1)"; then
    fail "repository $name exists in $region already: the smoke test deletes its scratch repository afterwards, so it must create it; set SMOKE_REPOSITORY to a name that exists nowhere (the stack's RepositoryFilter selecting it)"
  elif [[ "$output" != *RepositoryNotFoundException* ]]; then
    fail "cannot tell whether repository $name exists in $region (the smoke test deletes what it creates, so it must know): $output"
  fi
done < <(scratch_repositories)

cleanup_failed=""
delete_repository() {
  local output
  if output="$(aws_ecr delete-repository --region "$1" --repository-name "$2" --force --output json 2>&1)"; then
    echo "cleaned up $2 in $1" >&2
  elif [[ "$output" != *RepositoryNotFoundException* ]]; then
    echo "warning: could not delete the scratch repository $2 in $1; delete it yourself: $output" >&2
    cleanup_failed=1
  fi
}
cleanup() {
  while read -r region name; do
    delete_repository "$region" "$name"
  done < <(scratch_repositories)
  # In the EXIT trap: a scratch repository left behind fails the run, whatever its outcome.
  [ -z "$cleanup_failed" ] || exit 1
}
trap cleanup EXIT

echo "stack $stack: function $function_name, $source_region -> $destinations; pushing $repository:$tag" >&2
[ "$destination_repository" = "$repository" ] ||
  echo "RepositoryMapping=$mapping: the destinations hold it as $destination_repository" >&2
[ -z "$unchecked" ] ||
  echo "note: checks only the same-account DestinationRegions; not checked: $unchecked (their roles trust only the function's role, other partitions' keys stay in SSM)" >&2
event="$(mktemp)"
trap 'rm -f "$event"; cleanup' EXIT
"${replicator[@]}" push-sample "$repository:$tag" --source-region "$source_region" >"$event"
# Fractional seconds from python3 (already needed above): BSD date on macOS has no %N and prints a literal N.
pushed_at="$(python3 -c 'import time; print(time.time())')"

if [ "${SMOKE_INVOKE:-}" = local ]; then
  # No EventBridge or SQS offline: hand the push's event to the function as Lambda would.
  REPOSITORY_FILTER="$filter" DESTINATION_REGIONS="$destinations" REPOSITORY_MAPPING="$mapping" TAG_FILTER="$tag_filter" \
    scripts/invoke-local.sh "$event" --timeout "${SMOKE_INVOKE_TIMEOUT:-900}" >&2
fi

deadline=$(($(date +%s) + timeout))
report="$(mktemp)"
trap 'rm -f "$event" "$report"; cleanup' EXIT
while :; do
  # The stack's mapping, given even when empty, so that a REPOSITORY_MAPPING in the caller's shell does not apply.
  status=0
  "${replicator[@]}" verify --source-region "$source_region" "${destination_args[@]}" --repository "$repository" --tag-filter "$tag" \
    --repository-mapping "$mapping" >"$report" 2>&1 || status=$?
  [ "$status" -ne 0 ] || break
  # Only drift (exit 1) is worth waiting on: 2 is an error that stopped the check (a refused call, bad arguments) and
  # 130/143 a stop, which no amount of waiting mends (src/Replicator.Cli/README.md, verify's exit codes).
  if [ "$status" -ne 1 ]; then
    cat "$report" >&2
    fail "replicator verify stopped with exit $status (above), so the wait for $repository:$tag ends here"
  fi
  # verify exits 1 for an unreadable destination too, and names it on a line `unreadable: DESTINATION (REPOSITORIES):
  # REASON` (src/Replicator.Cli/README.md). With the caller's own credentials in the source account that is a denied
  # call, a key the region refuses (an opt-in region not enabled) or a mapped name ECR refuses: the function's copy
  # would not mend it either, so the wait ends with the reason instead of after SMOKE_TIMEOUT.
  if grep -q '^unreadable: ' "$report"; then
    cat "$report" >&2
    fail "replicator verify could not read a destination (the unreadable line above), so the wait for $repository:$tag ends here"
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    cat "$report" >&2
    fail "$repository:$tag was not replicated to $destinations within ${timeout}s (the function's log group and the dead-letter queue say why)"
  fi
  sleep 5
done
latency="$(python3 -c 'import sys, time; print(f"{time.time() - float(sys.argv[1]):.1f}")' "$pushed_at")"
cat "$report"
echo "replication latency: ${latency}s from the end of the push to in sync in every destination (verify polls every 5 s)"
