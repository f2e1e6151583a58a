#!/usr/bin/env bash
# Runs a development node until block N (default 100) and prints its peak resident memory (VmHWM).
set -euo pipefail
N="${1:-100}"
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/sibyl/target}"
NODE="$TARGET/release/sibyl-node"
PORT="${RPC_PORT:-9966}"
dir="$(mktemp -d)"
"$NODE" --dev --base-path "$dir" --rpc-port "$PORT" --no-prometheus --no-telemetry >"$dir/node.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
height() {
	curl -s -H 'Content-Type: application/json' -d '{"id":1,"jsonrpc":"2.0","method":"chain_getHeader","params":[]}' \
		"http://127.0.0.1:$PORT" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["result"]["number"],16))' 2>/dev/null || echo 0
}
start=$(date +%s)
while [ "$(height)" -lt "$N" ]; do
	kill -0 $pid 2>/dev/null || { echo "node exited"; tail -20 "$dir/node.log"; exit 1; }
	sleep 5
done
hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
echo "block $N after $(( $(date +%s) - start )) s: peak RSS (VmHWM) $((hwm / 1024)) MiB, current RSS $((rss / 1024)) MiB"
