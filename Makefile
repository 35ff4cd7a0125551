# The README's commands. `make run` builds pelab and simulates the example EV boost;
# `make test` runs every check that CI runs.

CARGO ?= cargo
EXAMPLE ?= examples/ev-boost-400v-800v.toml
OUT ?= out

.PHONY: run test fmt lint test-rust check-embedded bench

run:
	mkdir -p $(OUT)
	$(CARGO) run --release -p pelab -- sim run $(EXAMPLE) --out $(OUT)/waveforms.csv --summary $(OUT)/summary.json
	@echo "waveforms: $(OUT)/waveforms.csv, summary: $(OUT)/summary.json"

test: fmt lint test-rust check-embedded

fmt:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust:
	$(CARGO) test --workspace

# pelab-control is no_std and must build for the STM32G4 (Cortex-M4F).
check-embedded:
	$(CARGO) build -p pelab-control --target thumbv7em-none-eabihf

bench:
	$(CARGO) bench -p pelab-sim
