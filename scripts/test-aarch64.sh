#!/usr/bin/env bash
# The engine's tests on aarch64 under qemu-user: the NEON kernels against the portable reference bit for bit
# (tests/simd.rs), the tiny-model tests, and the pinned SmolLM2 run with every kernel set the emulated CPU has
# (tests/smollm2.rs: the same tokens and final state root as on x86_64 and in WASM). Part of `make test`.
#
# scripts/setup.sh installs what it needs (qemu-user, the aarch64 cross linker, and Rust's standard library for
# aarch64: rustup's, or Debian's rustc-web sources built here with -Zbuild-std) and records which in a stamp.
#
# Environment: SIBYL_AARCH64_TARGET_DIR (default $SIBYL_CACHE/target-aarch64).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SIBYL_CACHE="${SIBYL_CACHE:-$HOME/.cache/sibyl}"
LOG_TAG=aarch64
. "$ROOT/scripts/lib.sh"
# Its own target directory: `make test` runs this beside the feature build, and cargo would otherwise make one wait
# for the other's lock on the directory (cargo test holds it while the tests run).
export CARGO_TARGET_DIR="${SIBYL_AARCH64_TARGET_DIR:-$SIBYL_CACHE/target-aarch64}"
TARGET=aarch64-unknown-linux-gnu
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
TESTS=(--test simd --test tiny --test smollm2)

case "$(cat "$SIBYL_CACHE/stamps/aarch64-route" 2>/dev/null)" in
	rustup)
		log "rustup's standard library for $TARGET"
		exec cargo test --release --locked --target "$TARGET" -p sibyl-engine "${TESTS[@]}" ;;
	debian)
		log "the standard library built from Debian's rustc-web sources"
		export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
		exec /usr/bin/cargo test --release --locked --target "$TARGET" -Zbuild-std=std,panic_abort -p sibyl-engine \
			"${TESTS[@]}" ;;
	*)
		log "run scripts/setup.sh first (it installs the aarch64 prerequisites)"
		exit 1 ;;
esac
