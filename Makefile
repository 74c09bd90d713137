# Build entry points for `sam build` (template.yaml: Metadata BuildMethod makefile).
# SAM runs `make build-<LogicalId>` with ARTIFACTS_DIR set to the directory it zips into the function.
#
# x86_64 (the template's default):  sam build
# arm64 (Graviton): set `Architectures: [arm64]` in template.yaml and run `RUNTIME_ID=linux-arm64 sam build`
#                   (make takes RUNTIME_ID from the environment). Native AOT does not cross-compile between
#                   architectures: build arm64 on an arm64 host, or `sam build --use-container` on one.

RUNTIME_ID ?= linux-x64
CONFIGURATION ?= Release
FUNCTION_PROJECT := src/Replicator.Function

.PHONY: build-ReplicatorFunction
build-ReplicatorFunction:
	test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (sam build sets it)" >&2; exit 2; }
	dotnet publish $(FUNCTION_PROJECT) -c $(CONFIGURATION) -r $(RUNTIME_ID) -o "$(ARTIFACTS_DIR)"
	# Lambda needs only the executable; drop debug symbols and anything else publish writes beside it.
	find "$(ARTIFACTS_DIR)" -mindepth 1 -maxdepth 1 ! -name bootstrap -exec rm -rf {} +
	test -x "$(ARTIFACTS_DIR)/bootstrap"
