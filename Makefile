# The README's commands. `make run` builds the web UI and pelab and starts the server
# with demo projects; `make test` runs every check that CI runs; `make sim` simulates
# one example on the command line.

CARGO ?= cargo
NPM ?= npm
EXAMPLE ?= examples/ev-boost-400v-800v.toml
OUT ?= out
# The debug binary that the API check and the browser tests start.
PELAB_DEBUG ?= $(or $(CARGO_TARGET_DIR),target)/debug/pelab

.PHONY: run sim test fmt lint test-rust api-check check-embedded bench openapi web web-check web-e2e

run: web
	$(CARGO) run --release -p pelab -- serve

sim:
	mkdir -p $(OUT)
	$(CARGO) run --release -p pelab -- sim run $(EXAMPLE) --out $(OUT)/waveforms.csv --summary $(OUT)/summary.json
	@echo "waveforms: $(OUT)/waveforms.csv, summary: $(OUT)/summary.json"

test: fmt lint web-check test-rust api-check web-e2e check-embedded

fmt:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust:
	$(CARGO) test --workspace

# schemathesis against a running `pelab serve`: no 5xx, every response as the OpenAPI
# document declares. Uses the debug binary that test-rust built.
api-check:
	$(CARGO) build -p pelab
	scripts/api-check.sh

# pelab-control is no_std and must build for the STM32G4 (Cortex-M4F).
check-embedded:
	$(CARGO) build -p pelab-control --target thumbv7em-none-eabihf

bench:
	$(CARGO) bench -p pelab-sim

# Rewrites spec/openapi.json and spec/schemas after an API change, then the web
# client's types.
openapi:
	PELAB_UPDATE_SPEC=1 $(CARGO) test -p pelab-server --test spec
	cd web && $(NPM) run gen:api

# The web UI: dependencies from package-lock.json, then web/dist, which release builds
# of pelab embed.
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && $(NPM) ci --no-audit --no-fund

web: web/node_modules/.package-lock.json
	cd web && $(NPM) run build

# Generated API types up to date, lint, types, unit tests, bundle size.
web-check: web
	cd web && $(NPM) run check:api && $(NPM) run lint && $(NPM) run typecheck && $(NPM) test && $(NPM) run size

# The browser tests: Debian's chromium driven by playwright-core against `pelab serve`.
web-e2e: web
	$(CARGO) build -p pelab
	cd web && PELAB_BIN=$(abspath $(PELAB_DEBUG)) $(NPM) run e2e
