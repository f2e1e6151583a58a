#!/usr/bin/env bash
# Every test: Rust unit and end-to-end tests, the polkadot.js tests, and the zombienet test.
# Expects a built workspace (`make build`) and the environment from scripts/setup.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
t0=$(date +%s)
step() { echo; echo "=== $* ($(( $(date +%s) - t0 )) s)"; }

step "cargo test (unit, engine, end-to-end)"
cargo test --release --workspace --locked

step "polkadot.js tests"
(cd tests/js && npm test)

step "zombienet"
scripts/zombienet.sh

step "all tests passed"
