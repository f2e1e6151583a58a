#!/usr/bin/env bash
# Sibyl Ethereum contracts: install the pinned tools (once), run the forge tests offline, print the
# gas report and the gas figures.
#
#   bash contracts/test.sh            # everything
#   bash contracts/test.sh --quick    # tests only (no gas report, no gas figures)
#   FORGE_ARGS="--mt test_handover -vvv" bash contracts/test.sh --quick
#
# Tools: npm packages pinned in package-lock.json (forge 1.7.1, solc 0.8.37 = solcjs). Native solc
# cannot be downloaded here; scripts/solc presents solcjs to forge (`forge --use`). Nothing is
# fetched by forge (offline = true in foundry.toml, no forge-std, no `forge install`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

quick=0
[ "${1:-}" = "--quick" ] && quick=1

# Install when node_modules is missing or does not match package-lock.json.
stamp=node_modules/.sibyl-package-lock.json
if [ ! -x node_modules/.bin/forge ] || [ ! -f node_modules/solc/soljson.js ] || ! cmp -s package-lock.json "$stamp"; then
  echo "== npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

forge=node_modules/.bin/forge
solc="$PWD/scripts/solc"
log="$(mktemp "${TMPDIR:-/tmp}/sibyl-forge.XXXXXX")"
trap 'rm -f "$log"' EXIT

status=0
if [ "$quick" = 1 ]; then
  echo "== forge test"
  # shellcheck disable=SC2086
  "$forge" test --use "$solc" ${FORGE_ARGS:-} 2>&1 | tee "$log" || status=$?
else
  echo "== forge test --gas-report"
  # shellcheck disable=SC2086
  "$forge" test --use "$solc" --gas-report ${FORGE_ARGS:-} 2>&1 | tee "$log" || status=$?
  if [ "$status" = 0 ]; then
    echo "== gas figures (GasTest, each call its own transaction: --isolate)"
    "$forge" test --use "$solc" --isolate --mc GasTest -vv 2>&1 \
      | grep -E '^\s+(mode|submitCommitment|handover|executeMessage|10 x|request|bridgeToSibyl|MMR)' \
      | awk '!/mode:/ || !seen++' || status=$?
  fi
fi

# One plain closing line: "forge: N passed, N failed, N skipped".
summary="$(grep -E '^Ran [0-9]+ test suites? in' "$log" | tail -1 || true)"
passed="$(sed -E 's/.*: ([0-9]+) tests passed.*/\1/' <<<"$summary")"
failed="$(sed -E 's/.*passed, ([0-9]+) failed.*/\1/' <<<"$summary")"
skipped="$(sed -E 's/.*failed, ([0-9]+) skipped.*/\1/' <<<"$summary")"
if [[ "$passed" =~ ^[0-9]+$ && "$failed" =~ ^[0-9]+$ ]]; then
  echo "forge: $passed passed, $failed failed, ${skipped:-0} skipped"
  [ "$failed" = 0 ] || status=1
else
  echo "forge: no test summary found" >&2
  [ "$status" != 0 ] || status=1
fi
exit "$status"
