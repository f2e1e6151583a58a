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

.PHONY: setup build dev test test-rust test-js zombienet chain-specs bench-engine model-1b bench-scale bench-inference fuzz weights

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

# Our engine, candle and llama.cpp (llama-bench, built once into the cache by scripts/setup-llama.sh, never by
# `make test`) on the same GGUF, prompts and threads: prefill/decode tokens per second, peak memory, ratios, and
# the cost of keeping state. MODEL=file.gguf for another model (e.g. the 1 B one of `make model-1b`).
bench-engine: build
	$(ENV)
	llama_bench="$$(bash scripts/setup-llama.sh)"
	"$(CARGO_TARGET_DIR)/release/sibyl-engine-bench" --max-new $${MAX_NEW:-32} --llama-bench "$$llama_bench" \
		$${THREADS:+--threads $$THREADS} $${MODEL:+--model "$$MODEL"}

# A llama-architecture model of about 1 B parameters with random weights (Q4_1) and SmolLM2's tokenizer, from the
# engine's own test-model generator: $(MODEL_1B).
MODEL_1B ?= $(SIBYL_CACHE)/models/llama-1b-random-q4_1.gguf
model-1b: build
	$(ENV)
	[ -f "$(MODEL_1B)" ] || "$(CARGO_TARGET_DIR)/release/sibyl-engine-bench" generate-model --out "$(MODEL_1B)"

# How the engine's costs grow from SmolLM2 (135 M) to the 1 B model: the engine benchmark on it, then the worst
# one-step proof and its verification in WASM (wasmtime) next to native.
bench-scale: model-1b
	$(ENV)
	$(MAKE) --no-print-directory bench-engine MODEL="$(MODEL_1B)" MAX_NEW=$${MAX_NEW:-16}
	SIBYL_ENGINE_MODEL="$(MODEL_1B)" cargo test --release --workspace --locked --test wasm_vs_native -- \
		smollm2_sampled_steps_same_root_in_wasm_and_native --nocapture

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
