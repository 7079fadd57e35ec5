#!/usr/bin/env bash
# Issue 11's acceptance figures on this machine: builds the project, makes a writable copy of the
# peer harness (shared/measure) with its dependencies, and alternates anvil and sessionchain.
#   bash bench/compare-anvil.sh [ROUNDS]          (run it on a quiet machine; takes a few minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${SC_SHARED:-$(cd .. && pwd)/shared}"
[ -d "$SHARED/measure" ] || { echo "no peer harness at $SHARED/measure (set SC_SHARED=DIR holding measure/)" >&2; exit 2; }
npm run build >/dev/null
M=$(mktemp -d)
trap 'rm -rf "$M"' EXIT
cp -r "$SHARED/measure/." "$M"
(cd "$M" && npm ci --no-audit --no-fund >/dev/null)
node bench/compare-anvil.mjs --measure "$M" --rounds "${1:-5}"
