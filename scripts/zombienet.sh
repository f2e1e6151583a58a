#!/usr/bin/env bash
# Runs zombienet/local.zndsl with the native provider against the built sibyl-node.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/sibyl/target}"
export PATH="$TARGET/release:$PATH"
command -v sibyl-node >/dev/null || { echo "sibyl-node is not built in $TARGET/release" >&2; exit 1; }
dir="$(mktemp -d -t sibyl-zombienet-XXXX)"
cd "$ROOT/zombienet"
# zombienet refuses an existing directory: hand it a path inside ours.
if ! npx --no-install zombienet -p native -l text -d "$dir/net" test local.zndsl; then
	echo "zombienet failed; logs in $dir/net" >&2
	exit 1
fi
rm -rf "$dir"
