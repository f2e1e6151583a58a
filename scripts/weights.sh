#!/usr/bin/env bash
# `make weights`: measures the runtime's weights on this machine and writes them to runtime/src/weights/.
#
# Builds a node with `--features runtime-benchmarks` in its own target directory ($SIBYL_CACHE/bench-target, so
# the ordinary build that `make test` uses is never rebuilt with benchmark features), then runs:
#   benchmark pallet    every pallet the runtime lists in runtime/src/benchmarks.rs -> <pallet>.rs
#                       (our own pallets: pallets/<name>/src/weights.rs)
#   benchmark overhead  an empty block and a block of `System::remark`s        -> block_weights.rs, extrinsic_weights.rs
#   benchmark storage   reads and writes of the dev chain's state in ParityDB    -> paritydb_weights.rs
# STEPS and REPEAT (default 50 and 20) set the pallet benchmarks' precision. PALLETS="a b" measures only those
# pallets (and skips overhead and storage). Our own pallets also get their `weights.rs` (the WeightInfo trait,
# SubstrateWeight and `()`) from scripts/pallet-weight-template.hbs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SIBYL_CACHE="${SIBYL_CACHE:-$HOME/.cache/sibyl}"
BENCH_TARGET="${BENCH_TARGET:-$SIBYL_CACHE/bench-target}"
STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
OUT=runtime/src/weights
HEADER=scripts/weights-header.txt

t0=$(date +%s)
echo "=== building the benchmarking node in $BENCH_TARGET"
# frame-benchmarking-cli embeds a small test runtime used only by `benchmark storage --mode validate-block`
# (parachains); its WASM build can not find its package from a target directory outside the workspace, and we
# do not use that mode, so it is skipped.
SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1 CARGO_TARGET_DIR="$BENCH_TARGET" cargo build --release --locked -p sibyl-node --features runtime-benchmarks
NODE="$BENCH_TARGET/release/sibyl-node"
WASM="$BENCH_TARGET/release/wbuild/sibyl-runtime/sibyl_runtime.compact.compressed.wasm"
echo "=== built in $(( $(date +%s) - t0 )) s"
mkdir -p "$OUT"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The pallet benchmarks run on the benchmarking runtime's WASM, from its `development` genesis preset.
bench=("$NODE" benchmark pallet --runtime "$WASM" --genesis-builder=runtime --genesis-builder-preset development)
pallets=${PALLETS:-$("${bench[@]}" --list=pallets 2>/dev/null | tail -n +2 | tr -d ' ')}
[ -n "$pallets" ] || { echo "the runtime lists no benchmarks"; exit 1; }
for pallet in $pallets; do
	[ "$pallet" = frame_benchmarking ] && continue # the baseline: no weights of its own
	echo "=== benchmark pallet $pallet (steps $STEPS, repeat $REPEAT)"
	own="pallets/${pallet#pallet_}"
	if [ -d "$own/src" ]; then
		# Our own pallets: their weights.rs (trait, SubstrateWeight, `()`); the runtime uses SubstrateWeight.
		"${bench[@]}" --pallet "$pallet" --extrinsic '*' --steps "$STEPS" --repeat "$REPEAT" \
			--header "$HEADER" --template scripts/pallet-weight-template.hbs --output "$own/src/weights.rs"
	else
		"${bench[@]}" --pallet "$pallet" --extrinsic '*' --steps "$STEPS" --repeat "$REPEAT" \
			--header "$HEADER" --output "$OUT/$pallet.rs"
	fi
done
[ -n "${PALLETS:-}" ] && { echo "=== weights of $pallets written in $(( $(date +%s) - t0 )) s"; exit 0; }

echo "=== benchmark overhead"
"$NODE" benchmark overhead --chain dev --base-path "$work/overhead" --header "$HEADER" --weight-path "$OUT"

# The dev state has a few dozen keys: one key per commit (fewer keys than any larger batch), and the 95th
# percentile rather than the average, which the runtime's code (one 4.6 MB value: ms to read and write) dominates
# at this size. Re-measure on a grown chain's state (`--base-path` of a synced node) before a production launch.
echo "=== benchmark storage (ParityDB)"
"$NODE" benchmark storage --chain dev --base-path "$work/storage" --database paritydb --state-version 1 --batch-size 1 --metric p95 \
	--header "$HEADER" --weight-path "$OUT"

echo "=== weights written to $OUT in $(( $(date +%s) - t0 )) s"
