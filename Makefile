# epp-otel-e2e. `make e2e` runs the scenarios, `make test` runs everything CI runs.
# Tools are pinned in versions.yaml and built into ~/.cache/epp-otel-e2e (EPP_E2E_CACHE overrides).

# The users' main path is a kind cluster (needs Docker): TOPOLOGY=auto runs kind when a Docker engine answers and
# the local topology (no container engine) otherwise, and says which on its first line. TOPOLOGY=kind forces kind.
TOPOLOGY ?= auto
EPP_VERSION ?=
CLI := node bin/epp-e2e.js
JEST := node_modules/.bin/jest

.PHONY: all deps packages tools doctor lint unit e2e e2e-local test up down clean bench kind-schemas upgrade-check-local faults

all: test

# npm ci only when the lock file changed since the last install.
node_modules/.install-stamp: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.install-stamp

# The native Debian packages of versions.yaml (debianPackages): installed as root, otherwise the exact command is
# printed and make stops. Silent when nothing is missing.
packages: deps
	@$(CLI) packages --quiet

tools: packages
	$(CLI) tools --kind $(if $(EPP_VERSION),--epp-version $(EPP_VERSION))

doctor: deps
	$(CLI) doctor --topology $(TOPOLOGY) $(if $(EPP_VERSION),--epp-version $(EPP_VERSION))

lint: deps
	npx tsc --noEmit -p .
	npx eslint .
	npx prettier --check .

unit: deps
	JEST_JUNIT_OUTPUT_NAME=junit-unit.xml $(JEST) --selectProjects unit

# Every scenario on $(TOPOLOGY) (epp-e2e run: it says which topology it chose and why, builds what is missing, and
# writes reports/junit-e2e.xml).
e2e: packages
	@$(CLI) run --topology $(TOPOLOGY) $(if $(EPP_VERSION),--epp-version $(EPP_VERSION))

e2e-local:
	$(MAKE) e2e TOPOLOGY=local

test: packages lint unit e2e-local

# The operator upgrade check without Docker: both pinned operators as local processes (CI runs it after test).
upgrade-check-local: packages
	$(CLI) upgrade-check --topology local

up: deps
	$(CLI) up --topology $(TOPOLOGY)

# Re-extract fixtures/kind-schemas/ (Kubernetes OpenAPI + CRD schemas) after changing a pin in versions.yaml.
kind-schemas: deps
	node -r ./bin/ts-register.js harness/topology/kind/update-schemas.ts

down: deps
	$(CLI) down

clean:
	rm -rf .runs reports dist

# A benchmark, not a test: cold start, trace latency, ext_proc throughput, suite wall time (reports/bench.json).
bench: deps
	node -r ./bin/ts-register.js harness/bench/main.ts

# Every fault switch on in turn against the scenarios that own it (local topology): prints caught/missed per
# switch, writes reports/faults.{md,json}, exits 1 when a switch is missed. Not part of `make test` (minutes).
faults: packages
	$(CLI) faults --topology local
