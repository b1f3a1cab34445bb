# tunet: `make test` installs what is missing, builds everything and runs the tests.
SHELL := /bin/bash
APT_PACKAGES := libtorch-dev libopenblas0-pthread python3-torch g++ make python3 dataset-fashion-mnist

.PHONY: all deps node_modules native build test test-only bench demo fixtures clean

all: build

# Debian packages: libtorch (engine), OpenBLAS (fast BLAS for libtorch), python3-torch (fixtures, reference).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

node_modules: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch node_modules

native: deps node_modules
	npm run build:native

build: native
	npx tsc -p tsconfig.json

test: build
	npm test

# Without reinstalling or rebuilding the addon.
test-only:
	npx tsc -p tsconfig.json && npm test

bench: build
	npm run bench

# The main job out of the box: synthetic cells -> U-Net -> evaluation -> runs/demo-*/
demo: build
	node dist/src/cli/main.js demo

# Regenerates the committed PyTorch fixtures (needs Debian's python3-torch).
fixtures:
	/usr/bin/python3 scripts/make_fixtures.py

clean:
	rm -rf build dist
