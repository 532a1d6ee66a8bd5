#!/usr/bin/env bash
# Every figure of docs/performance.md's ingest, state-machine, memory and HTTP sections in
# one run, with the load average before and after each part:
#
#   scripts/bench-all.sh 2>&1 | tee bench-all.log
#
# Criterion keeps its reports under $CARGO_TARGET_DIR/criterion (the peers' under
# $CARGO_TARGET_DIR/peers/criterion). The durable-commit benches (SQLite, and PostgreSQL
# when $INVOICE_RELAY_TEST_PG or the local default answers) run last.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
cd "$ROOT"
load() { echo "== load average $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%SZ): $1"; }

cargo build --release -q -p invoice-relay --bin invoice-relay
cargo build --release -q -p invoice-relay-benches --bin loadgen --bin state-memory
cargo bench -q -p invoice-relay-benches --no-run
cargo bench -q -p invoice-store-sqlite -p invoice-store-postgres --no-run
(cd benches/peers && CARGO_TARGET_DIR="$CARGO_TARGET_DIR/peers" cargo bench -q --no-run)

load "ingest"
cargo bench -q -p invoice-relay-benches --bench ingest -- --warm-up-time 2 --measurement-time 5
load "peers"
(cd benches/peers && CARGO_TARGET_DIR="$CARGO_TARGET_DIR/peers" cargo bench -q --bench peers -- --warm-up-time 2 --measurement-time 5)
load "state machine"
cargo bench -q -p invoice-relay-benches --bench state_machine
load "memory"
"$CARGO_TARGET_DIR/release/state-memory"
load "http"
SKIP_BUILD=1 scripts/bench-http.sh "${HTTP_REQUESTS:-60000}" 64
load "durable commit (sqlite)"
cargo bench -q -p invoice-store-sqlite --bench commit
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  load "durable commit (postgres)"
  cargo bench -q -p invoice-store-postgres --bench commit
fi
load "done"
