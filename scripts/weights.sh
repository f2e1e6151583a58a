#!/usr/bin/env bash
# `make weights`: measures the runtime's weights on this machine and writes them to runtime/src/weights/.
#
# Builds a node with `--features runtime-benchmarks` in its own target directory ($SIBYL_CACHE/bench-target, so
# the ordinary build that `make test` uses is never rebuilt with benchmark features), then runs:
#   benchmark pallet    every pallet the runtime lists in runtime/src/benchmarks.rs -> <pallet>.rs
#                       (our own pallets: pallets/<name>/src/weights.rs)
#   benchmark overhead  an empty block and a block of `System::remark`s        -> block_weights.rs, extrinsic_weights.rs
#   benchmark storage   reads and writes in ParityDB, dev state + 100k accounts  -> paritydb_weights.rs
# STEPS and REPEAT (default 50 and 20) set the pallet benchmarks' precision. PALLETS="a b" measures only those
# pallets (and skips overhead and storage); STORAGE_ONLY=1 measures only the database. Our own pallets also get
# their `weights.rs` (the WeightInfo trait, SubstrateWeight and `()`) from scripts/pallet-weight-template.hbs.
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

if [ -z "${STORAGE_ONLY:-}" ]; then
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
fi

# The database weights, on a grown state rather than the dev preset's few dozen keys (where the runtime's code, one
# 4.6 MB value, dominates): the dev preset plus GROWN_ACCOUNTS (default 100,000) random accounts, one trie key
# each. Batches of 1,000 keys: reads through one trie backend, writes with one storage root and commit per batch (a
# full block of requests writes about 8,000 keys, so this still charges each write more than such a block pays),
# not one key per commit, which times a whole commit for every key. The 95th percentile of each. Re-measure on a
# production chain's state (`--base-path` of a synced node, `--chain` its spec) before a launch.
echo "=== benchmark storage (ParityDB, the dev state grown by ${GROWN_ACCOUNTS:-100000} accounts)"
"$NODE" export-chain-spec --chain dev --output "$work/dev.json"
python3 - "$work/dev.json" "$work/grown.json" "${GROWN_ACCOUNTS:-100000}" <<'PY'
import hashlib, json, random, sys
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
def ss58(public):
    # SS58, generic prefix 42: prefix ++ key ++ first 2 bytes of blake2b-512("SS58PRE" ++ prefix ++ key), base58.
    body = bytes([42]) + public
    raw = body + hashlib.blake2b(b"SS58PRE" + body, digest_size=64).digest()[:2]
    n, out = int.from_bytes(raw, "big"), ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return out
spec = json.load(open(sys.argv[1]))
balances = spec["genesis"]["runtimeGenesis"]["patch"]["balances"]["balances"]
rng = random.Random(7)  # the same accounts every time
balances += [[ss58(rng.randbytes(32)), 10**15] for _ in range(int(sys.argv[3]))]
json.dump(spec, open(sys.argv[2], "w"))
PY
"$NODE" benchmark storage --chain "$work/grown.json" --base-path "$work/storage" --database paritydb --state-version 1 \
	--batch-size 1000 --metric p95 --header "$HEADER" --weight-path "$OUT"

echo "=== weights written to $OUT in $(( $(date +%s) - t0 )) s"
