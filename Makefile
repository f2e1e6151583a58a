# Sibyl: `make dev` runs a development chain, `make test` runs every test. Both set up what they need first.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

SIBYL_CACHE ?= $(HOME)/.cache/sibyl
export SIBYL_CACHE
export CARGO_TARGET_DIR ?= $(SIBYL_CACHE)/target
ENV := . $(SIBYL_CACHE)/env.sh
NODE := $(CARGO_TARGET_DIR)/release/sibyl-node
# One profile, one feature set for every build, so nothing compiles twice.
CARGO_BUILD := cargo build --release --workspace --all-targets --locked

# `make dev BASE_PATH=dir` keeps the chain's state; by default it lives in a temporary directory.
BASE_PATH ?=
RPC_PORT ?= 9944

.PHONY: setup build dev test test-rust test-js zombienet chain-specs bench-engine bench-inference fuzz weights

setup:
	bash scripts/setup.sh

build: setup
	$(ENV)
	$(CARGO_BUILD)

dev: build
	$(ENV)
	if [ -n "$(BASE_PATH)" ]; then where="--base-path $(BASE_PATH)"; else where="--tmp"; fi
	exec "$(NODE)" --dev $$where --rpc-port $(RPC_PORT) --rpc-cors all

test: build
	$(ENV)
	scripts/run-tests.sh

test-rust: build
	$(ENV)
	cargo nextest run --release --workspace --locked --no-tests=fail

test-js: build
	$(ENV)
	cd tests/js && npm test

zombienet: build
	$(ENV)
	scripts/zombienet.sh

chain-specs: build
	$(ENV)
	"$(NODE)" export-chain-spec --chain local --output chain-specs/local_testnet.json
	"$(NODE)" export-chain-spec --chain local --raw --output chain-specs/local_testnet_raw.json

# Measures every pallet's weights, the block and extrinsic overhead and ParityDB's read/write costs on this
# machine, into runtime/src/weights/ (a benchmarking node in its own target dir; see scripts/weights.sh).
weights: setup
	$(ENV)
	scripts/weights.sh

# Our engine and candle on the same GGUF and prompts: prefill/decode tokens per second, peak memory, ratio.
bench-engine: build
	$(ENV)
	"$(CARGO_TARGET_DIR)/release/sibyl-engine-bench" --max-new $${MAX_NEW:-32}

# Inference requests next to balance transfers per second on one dev node, and that none is lost (sibyl-load).
bench-inference: build
	$(ENV)
	SIBYL_NODE="$(NODE)" "$(CARGO_TARGET_DIR)/release/sibyl-load" $${ACCOUNTS:-64} $${PER_ACCOUNT:-128}

# Fuzz the GGUF loader and verify_step (cargo-fuzz, nightly), FUZZ_SECONDS each.
FUZZ_SECONDS ?= 180
fuzz: setup
	$(ENV)
	command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd primitives/engine/fuzz
	export CARGO_TARGET_DIR=$(SIBYL_CACHE)/fuzz-target
	cargo +nightly run --release --bin make_seeds
	for t in gguf_load verify_step_bytes verify_step_mutate; do
		mkdir -p corpus/$$t
		log=$(SIBYL_CACHE)/fuzz-$$t.log
		if ! cargo +nightly fuzz run $$t corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 >$$log 2>&1; then
			tail -n 60 $$log; echo "fuzz target $$t failed: input in primitives/engine/fuzz/artifacts/$$t"; exit 1
		fi
		echo "$$t: $$(grep -E '^Done' $$log) ($$(grep -oE 'cov: [0-9]+' $$log | tail -n 1))"
	done
