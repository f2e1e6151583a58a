#!/usr/bin/env bash
# The engine's tests on aarch64 under qemu-user: the NEON kernels against the portable reference bit for bit
# (tests/simd.rs), the tiny-model tests, and the pinned SmolLM2 run with every kernel set the emulated CPU has
# (tests/smollm2.rs: the same tokens and final state root as on x86_64 and in WASM). Part of `make test`.
#
# Needs: qemu-user and the aarch64 cross linker (Debian packages, installed here if missing), and Rust's standard
# library for aarch64-unknown-linux-gnu: from rustup when it can download, else built from the sources of
# Debian's rustc-web (the same fallback the WASM runtime uses, see scripts/setup.sh), with -Zbuild-std.
#
# Environment: SIBYL_AARCH64_ROUTE = auto (default) | rustup | debian; SIBYL_AARCH64_TARGET_DIR (default
# $SIBYL_CACHE/target-aarch64).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SIBYL_CACHE="${SIBYL_CACHE:-$HOME/.cache/sibyl}"
# Its own target directory: `make test` runs this beside the feature build, and cargo would otherwise make one wait
# for the other's lock on the directory (cargo test holds it while the tests run).
export CARGO_TARGET_DIR="${SIBYL_AARCH64_TARGET_DIR:-$SIBYL_CACHE/target-aarch64}"
ROUTE="${SIBYL_AARCH64_ROUTE:-auto}"
TARGET=aarch64-unknown-linux-gnu
log() { printf '[aarch64] %s\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@";
	elif command -v sudo >/dev/null 2>&1; then sudo "$@";
	else log "need root for: $*"; return 1; fi
}
apt_install() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "apt-get install ${missing[*]}"
	as_root apt-get update -qq >/dev/null
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

apt_install qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross

export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
TESTS=(--test simd --test tiny --test smollm2)

rustup_has_target() { rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; }
if [ "$ROUTE" = auto ] || [ "$ROUTE" = rustup ]; then
	if rustup_has_target || timeout 180 rustup target add "$TARGET" >/dev/null 2>&1; then
		log "rustup's standard library for $TARGET"
		exec cargo test --release --locked --target "$TARGET" -p sibyl-engine "${TESTS[@]}"
	fi
	[ "$ROUTE" = rustup ] && { log "rustup target add $TARGET failed"; exit 1; }
	log "rustup can not download here: building the standard library from Debian's rustc-web sources"
fi
apt_install rustc-web cargo-web rust-web-src
# Debian's compiler, driven through its own cargo, with the standard library built for the target.
export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
exec /usr/bin/cargo test --release --locked --target "$TARGET" -Zbuild-std=std,panic_abort -p sibyl-engine "${TESTS[@]}"
