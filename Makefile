# epp-otel-e2e. `make e2e` runs the scenarios, `make test` runs everything CI runs.
# Tools are pinned in versions.yaml and built into ~/.cache/epp-otel-e2e (EPP_E2E_CACHE overrides).

# The users' main path is a kind cluster (needs Docker). Without Docker: make e2e TOPOLOGY=local.
TOPOLOGY ?= kind
EPP_VERSION ?=
CLI := node bin/epp-e2e.js
JEST := node_modules/.bin/jest

.PHONY: all deps tools doctor lint unit e2e e2e-local test up down clean bench kind-schemas faults

all: test

# npm ci only when the lock file changed since the last install.
node_modules/.install-stamp: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.install-stamp

tools: deps
	$(CLI) tools --kind $(if $(EPP_VERSION),--epp-version $(EPP_VERSION))

doctor: deps
	$(CLI) doctor --topology $(TOPOLOGY) $(if $(EPP_VERSION),--epp-version $(EPP_VERSION))

lint: deps
	npx tsc --noEmit -p .
	npx eslint .
	npx prettier --check .

unit: deps
	$(JEST) --selectProjects unit

# The scenarios on $(TOPOLOGY). doctor fails first, with the reason, when the topology cannot run here.
e2e: deps
	@$(CLI) doctor --topology $(TOPOLOGY) $(if $(EPP_VERSION),--epp-version $(EPP_VERSION)) >/dev/null || \
	  { $(CLI) doctor --topology $(TOPOLOGY); echo; echo "make e2e: the $(TOPOLOGY) topology cannot run on this machine (see above)."; \
	    echo "           The local topology needs no container engine: make e2e TOPOLOGY=local"; exit 1; }
	$(CLI) tools --topology $(TOPOLOGY) --all-epp-versions $(if $(EPP_VERSION),--epp-version $(EPP_VERSION))
	EPP_E2E_TOPOLOGY=$(TOPOLOGY) EPP_E2E_SHARE_TOPOLOGY=1 $(if $(EPP_VERSION),EPP_E2E_EPP_VERSION=$(EPP_VERSION)) $(JEST) --selectProjects e2e --runInBand

e2e-local:
	$(MAKE) e2e TOPOLOGY=local

test: lint unit e2e-local

up: deps
	$(CLI) up --topology $(TOPOLOGY)

# Re-extract fixtures/kind-schemas/ (Kubernetes OpenAPI + CRD schemas) after changing a pin in versions.yaml.
kind-schemas: deps
	node -r ts-node/register/transpile-only harness/topology/kind/update-schemas.ts

down: deps
	$(CLI) down

clean:
	rm -rf .runs reports dist

# A benchmark, not a test: cold start, trace latency, ext_proc throughput, suite wall time (reports/bench.json).
bench: deps
	node -r ts-node/register/transpile-only harness/bench/main.ts

# Every fault switch on in turn against the scenarios that own it (local topology): prints caught/missed per
# switch, writes reports/faults.{md,json}, exits 1 when a switch is missed. Not part of `make test` (minutes).
faults: deps
	$(CLI) faults --topology local
