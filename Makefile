# DBIS Engine X + DBIS Rail. Two commands do all of the set-up on a fresh machine:
#   make test   install pinned deps, provision solc, compile, run the whole suite (ape test)
#   make demo   the same set-up, then the Engine X proof scenario on the embedded local chain
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(CURDIR)/node_modules/.bin:$(BIN):$(PATH)
export SOLCX_BINARY_PATH := $(CURDIR)/.toolchain/solc
export PYTHONDONTWRITEBYTECODE := 1
# Ape keeps its data (accounts, caches) under the project unless the operator says otherwise.
export APE_DATA_FOLDER ?= $(HOME)/.ape

.PHONY: setup build test demo bench abi lock clean slither campaign

setup: $(VENV)/.installed node_modules/.installed .toolchain/solc/.provisioned

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.toolchain/solc/.provisioned: tools/provision-solc.sh node_modules/.installed
	tools/provision-solc.sh
	touch $@

build: setup
	ape compile

# Static analysis gate: Slither in its own pinned venv, same solc; fails on an untriaged High/Medium.
SLITHER_VENV := .venv-slither
$(SLITHER_VENV)/.installed: tools/slither/requirements.lock
	$(PYTHON) -m venv $(SLITHER_VENV)
	$(SLITHER_VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/slither/requirements.lock
	touch $@

slither: setup $(SLITHER_VENV)/.installed
	$(SLITHER_VENV)/bin/python tools/slither_gate.py

test: build slither
	ape test tests -q -p no:cacheprovider

demo: build
	ape run demo

# The long cross-contract invariant campaign: make campaign N=1000000 (writes docs/campaign.md).
N ?= 1000000
campaign: build
	python -m tests.campaign.run --transitions $(N)

bench: build
	python -m dbis.bench

abi: build
	python -m dbis.abi_export

lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf .build contracts/.cache .toolchain

# Line and branch coverage of the production contracts (dbis.coverage): the suite with every
# transaction and call traced by anvil; writes docs/coverage.md and reports/coverage.json. Every
# traced execution costs a replay, so the random suites (property machines, short campaign) run
# fewer examples here than in `make test`; every other test runs as it is.
COVERAGE_TESTS ?= tests
.PHONY: coverage
coverage: build
	rm -rf .build/coverage/hits
	DBIS_COVERAGE=1 DBIS_PROPERTY_EXAMPLES=40 DBIS_BORROW_PROPERTY_EXAMPLES=30 DBIS_CAMPAIGN_SHORT=500 \
	  ape test $(COVERAGE_TESTS) -q -p no:cacheprovider; status=$$?; \
	python -m dbis.coverage && exit $$status
