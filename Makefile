# The README's commands. `make run` builds pelab and starts the server with demo
# projects; `make test` runs every check that CI runs; `make sim` simulates one example
# on the command line.

CARGO ?= cargo
EXAMPLE ?= examples/ev-boost-400v-800v.toml
OUT ?= out

.PHONY: run sim test fmt lint test-rust api-check check-embedded bench openapi

run:
	$(CARGO) run --release -p pelab -- serve

sim:
	mkdir -p $(OUT)
	$(CARGO) run --release -p pelab -- sim run $(EXAMPLE) --out $(OUT)/waveforms.csv --summary $(OUT)/summary.json
	@echo "waveforms: $(OUT)/waveforms.csv, summary: $(OUT)/summary.json"

test: fmt lint test-rust api-check check-embedded

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

# Rewrites spec/openapi.json and spec/schemas after an API change.
openapi:
	PELAB_UPDATE_SPEC=1 $(CARGO) test -p pelab-server --test spec
