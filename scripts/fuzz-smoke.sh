#!/usr/bin/env bash
# Runs every cargo-fuzz target for a short time, seeded with the connectors' fixtures.
# Usage: scripts/fuzz-smoke.sh [seconds-per-target]   (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-$PWD/target}-fuzz}"
cd fuzz
seed() { # target fixtures-dir
  mkdir -p "corpus/$1"
  for f in "$2"/*.http; do
    [ -e "$f" ] || continue
    python3 - "$f" "corpus/$1/$(basename "$f" .http)" <<'PY'
import sys
raw = open(sys.argv[1], 'rb').read()
body = raw[raw.index(b'\r\n\r\n') + 4:]
open(sys.argv[2], 'wb').write(b'\x00' + body)
PY
  done
}
# One build of every target (shared dependencies), then short runs.
cargo fuzz build --sanitizer none >/dev/null
for target in $(cargo fuzz list); do
  slug="${target%_ingest}"
  [ -d "../connectors/${slug//_/-}/fixtures" ] && seed "$target" "../connectors/${slug//_/-}/fixtures"
  mkdir -p "corpus/$target"
  echo "== fuzz $target for ${secs}s"
  cargo fuzz run --sanitizer none "$target" "corpus/$target" -- -max_total_time="$secs" 2>&1 | tail -1
done
