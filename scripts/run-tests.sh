#!/usr/bin/env bash
# Every test: Rust unit and end-to-end tests, the polkadot.js tests, and the zombienet test.
# Expects a built workspace (`make build`) and the environment from scripts/setup.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
t0=$(date +%s)
step() { echo; echo "=== $* ($(( $(date +%s) - t0 )) s)"; }

step "runtime with try-runtime and runtime-benchmarks (try_state of every preset; every benchmark runs as a test)"
# Natively only: SKIP_WASM_BUILD keeps the WASM runtime that the node embeds (built once by `make build`, without
# these features) from being rebuilt with them in the same wbuild directory. The pallets' unit tests run here with
# their benchmarks (`impl_benchmark_test_suite!` on the mock), and the runtime's try_state test.
SKIP_WASM_BUILD=1 cargo test --release --locked -p sibyl-runtime -p pallet-inference \
	--features sibyl-runtime/try-runtime,sibyl-runtime/runtime-benchmarks --lib --test try_runtime

step "cargo test (unit, engine, end-to-end)"
cargo test --release --workspace --locked

step "polkadot.js tests"
(cd tests/js && npm test)

step "zombienet"
scripts/zombienet.sh

step "all tests passed"
