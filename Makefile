# Build entry points for `sam build` (template.yaml: Metadata BuildMethod makefile).
# SAM runs `make build-<LogicalId>` with ARTIFACTS_DIR set to the directory it zips into the function; it passes
# no architecture to makefile builds, so the target architecture comes from ARCHITECTURE (x86_64 or arm64, the
# template's Architecture parameter) and defaults to x86_64, the template's default: a plain `sam build` on an arm64
# host is then refused by the prerequisite check instead of building an arm64 bootstrap that a default deploy would
# ship to an x86_64 function (which fails at init with "exec format error"). In `sam build --use-container` the host
# is SAM's build image: samconfig.toml names the image and passes ARCHITECTURE into it (container_env_var) per
# environment, and the prerequisite check refuses an ARCHITECTURE the build host is not (docs/deploy.md).
#
# x86_64 (the template's default):  sam build (a Linux x86_64 host with the toolchain) or sam build --use-container
# arm64 (Graviton):                 sam build --use-container --config-env arm64 && sam deploy --config-env arm64
#                                   (or, on an arm64 Linux host: ARCHITECTURE=arm64 sam build --config-env arm64)

ARCHITECTURE ?= x86_64
RUNTIME_ID := $(if $(filter arm64,$(ARCHITECTURE)),linux-arm64,linux-x64)
CONFIGURATION ?= Release
FUNCTION_PROJECT := src/Replicator.Function

.PHONY: build-ReplicatorFunction check-prerequisites
build-ReplicatorFunction: check-prerequisites
	# Lambda needs only the executable: publish into a directory of the build's own and copy just bootstrap out, so
	# debug symbols and anything else publish writes stay behind and nothing already in ARTIFACTS_DIR is deleted (SAM
	# gives an empty one, but ARTIFACTS_DIR=. or one exported for something else can name the checkout itself).
	publish="$$(mktemp -d)" && trap 'rm -rf "$$publish"' EXIT && \
	dotnet publish $(FUNCTION_PROJECT) -c $(CONFIGURATION) -r $(RUNTIME_ID) -o "$$publish" && \
	mkdir -p "$(ARTIFACTS_DIR)" && cp -p "$$publish/bootstrap" "$(ARTIFACTS_DIR)/bootstrap"
	test -x "$(ARTIFACTS_DIR)/bootstrap"
	# A bootstrap linked on a newer glibc than AL2023's 2.34 would fail at init on Lambda: refuse it here instead.
	@$(SHELL) scripts/check-bootstrap-glibc.sh "$(ARTIFACTS_DIR)/bootstrap"

# One line on stderr naming what is missing, before a publish that would fail minutes later with a linker error.
check-prerequisites:
	@test -n "$(ARTIFACTS_DIR)" || { echo "error: ARTIFACTS_DIR is not set (sam build sets it)" >&2; exit 2; }
	@$(SHELL) scripts/check-build-prerequisites.sh "$(ARCHITECTURE)"
