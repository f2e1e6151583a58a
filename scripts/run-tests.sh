#!/usr/bin/env bash
# Every test: Rust unit and end-to-end tests, the polkadot.js tests, and the zombienet test.
# Expects a built workspace (`make build`) and the environment from scripts/setup.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
t0=$(date +%s)
step() { echo; echo "=== $* ($(( $(date +%s) - t0 )) s)"; }

# The polkadot.js tests and zombienet start their own nodes on free ports: they run in the background from the
# start, beside the Rust tests (which mostly wait for blocks) and the feature build; their output follows.
logs="$(mktemp -d -t sibyl-tests-XXXX)"
step "polkadot.js tests and zombienet start in the background (output in $logs)"
(cd tests/js && npm test) >"$logs/polkadot.js.log" 2>&1 &
js=$!
scripts/zombienet.sh >"$logs/zombienet.log" 2>&1 &
zombie=$!
# The Solidity contracts (forge through solcjs; npm ci on first use): a few seconds, beside the rest.
bash contracts/test.sh --quick >"$logs/forge.log" 2>&1 &
forge=$!

step "Rust tests (unit, engine, end-to-end) with cargo-nextest (.config/nextest.toml: two networks at a time)"
rust=0
( cargo nextest run --release --workspace --locked --no-tests=fail; echo $? >"$logs/nextest.rc" ) 2>&1 | tee "$logs/nextest.log" &
nextest=$!
# Once nextest has built its binaries (it releases cargo's lock on the target dir and runs them itself), the
# feature build below runs beside it at the lowest priority: the networks mostly wait for blocks, and their
# nodes get the CPU first when they need it.
until grep -q "Starting" "$logs/nextest.log" 2>/dev/null || ! kill -0 "$nextest" 2>/dev/null; do sleep 1; done

# The engine on aarch64 under qemu (the NEON kernels against the reference, the pinned SmolLM2 root), at the
# lowest priority beside the rest: off the critical path, which is the feature build below.
nice -n 19 bash scripts/test-aarch64.sh >"$logs/aarch64.log" 2>&1 &
arm=$!

# The runtime with try-runtime and runtime-benchmarks: try_state of every preset, every benchmark as a test.
# Natively only: SKIP_WASM_BUILD keeps the WASM runtime that the node embeds (built once by `make build`, without
# these features) from being rebuilt with them in the same wbuild directory. The pallets' unit tests run here with
# their benchmarks (`impl_benchmark_test_suite!` on the mock), and the runtime's try_state test.
stage=0
SKIP_WASM_BUILD=1 nice -n 19 cargo test --release --locked -p sibyl-runtime -p pallet-inference -p pallet-dispute \
	-p pallet-revshare -p pallet-aigc -p pallet-validators -p pallet-settlement \
	--features sibyl-runtime/try-runtime,sibyl-runtime/runtime-benchmarks --lib --test try_runtime \
	>"$logs/features.log" 2>&1 || stage=$?
step "the try-runtime and benchmark tests finished (exit $stage); waiting for the aarch64 stage and nextest"
aarch64=0
wait "$arm" || aarch64=$?
wait "$nextest" || true
nextest_rc=$(cat "$logs/nextest.rc" 2>/dev/null || echo 1)
[ "$nextest_rc" = 0 ] || rust=$nextest_rc
[ "$stage" = 0 ] || rust=$stage
[ "$aarch64" = 0 ] || rust=$aarch64

step "waiting for polkadot.js and zombienet"
js_rc=0
wait "$js" || js_rc=$?
zombie_rc=0
wait "$zombie" || zombie_rc=$?
forge_rc=0
wait "$forge" || forge_rc=$?
for t in features aarch64 polkadot.js zombienet forge; do
	echo; echo "=== $t output"; cat "$logs/$t.log"
done
if [ "$rust" != 0 ] || [ "$js_rc" != 0 ] || [ "$zombie_rc" != 0 ] || [ "$forge_rc" != 0 ]; then
	echo "FAILED: Rust tests exit $rust, polkadot.js exit $js_rc, zombienet exit $zombie_rc, forge exit $forge_rc (logs in $logs)"
	exit 1
fi
rm -rf "$logs"

step "all tests passed"
