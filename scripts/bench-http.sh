#!/usr/bin/env bash
# HTTP end to end: signed Stripe webhooks/s into the real `invoice-relay` binary (release
# build, SQLite store, durable commit before the 2xx) on loopback at 64 connections, then
# portal delivery throughput of the same backlog to a loopback portal.
#
#   scripts/bench-http.sh [requests] [connections]
#
# Phase 1 runs the relay with its outbox worker idle (poll interval 1 h, so the only
# pass finds nothing), so it measures ingest alone: verify, parse, map, apply, one
# durable SQLite commit per webhook (group-committed), then 200. The load generator
# (`loadgen webhooks`, a separate process on one thread) pre-signs every request first.
# Phase 2 restarts the relay on the same database with a 50 ms poll and 64 updates in
# flight, pointed at `loadgen portal` (answers 200, counts distinct update ids), and
# reports updates/s from the first delivery to the last (it stops once all N arrived or
# none came for 3 s: a `finalized` that lands after its invoice's `paid` is stale and
# makes no update, so the backlog is somewhat under N). It runs twice on copies of the
# same backlog: one update per request, then $BATCH (default 32) per request as
# CloudEvents batches (`[delivery] updates_per_request`).
# Database and logs go to $BENCH_DIR, kept afterwards (default: a fresh directory under
# $TMPDIR, removed at the end).
# SKIP_BUILD=1 uses the binaries already in $CARGO_TARGET_DIR/release.
set -euo pipefail

REQUESTS=${1:-60000}
CONNECTIONS=${2:-64}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
SECRET=whsec_bench_http_stripe_secret
PORTAL_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw

if [ -z "${SKIP_BUILD:-}" ]; then
  cargo build --release -q -p invoice-relay --bin invoice-relay
  cargo build --release -q -p invoice-relay-benches --bin loadgen
fi
RELAY=$CARGO_TARGET_DIR/release/invoice-relay
LOADGEN=$CARGO_TARGET_DIR/release/loadgen

DIR=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/bench-http.XXXXXX")}
mkdir -p "$DIR"
echo "machine: $(nproc) cores, $(uname -sr); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "database and logs in $DIR"

config() { # portal_url poll_interval
  cat <<EOF
[server]
listen = "127.0.0.1:0"
shutdown_timeout = "30s"

[store]
kind = "sqlite"
path = "$DIR/relay.db"

[portal]
url = "$1"
secret = "$PORTAL_SECRET"

[delivery]
max_attempts = 12
first_backoff = "1s"
max_backoff = "10s"
timeout = "10s"
concurrency = 64
updates_per_request = ${3:-1}
poll_interval = "$2"

[sources.stripe]
secrets = ["$SECRET"]
EOF
}

RELAY_PID=
start_relay() { # config log
  rm -f "$DIR/relay.out"
  INVOICE_RELAY_LOG=warn "$RELAY" --config "$1" serve >"$DIR/relay.out" 2>>"$2" &
  RELAY_PID=$!
  for _ in $(seq 1 600); do
    if grep -q "http://" "$DIR/relay.out" 2>/dev/null; then break; fi
    sleep 0.1
  done
  ADDR=$(grep -o "http://[0-9.:]*" "$DIR/relay.out" | head -1)
  [ -n "$ADDR" ] || { echo "relay did not start:"; cat "$2"; exit 1; }
}
stop_relay() {
  kill -TERM "$RELAY_PID" 2>/dev/null || true
  wait "$RELAY_PID" 2>/dev/null || true
}
trap 'stop_relay' EXIT

# Phase 1: ingest only.
config "http://127.0.0.1:9/invoice-events" "1h" >"$DIR/ingest.toml"
start_relay "$DIR/ingest.toml" "$DIR/relay-ingest.log"
echo "relay (ingest phase) at $ADDR"
"$ROOT/scripts/thread-cpu.sh" "$RELAY_PID" >"$DIR/cpu-before"
read -r _ u0 n0 s0 i0 _ </proc/stat
"$LOADGEN" webhooks --url "$ADDR" --secret "$SECRET" --requests "$REQUESTS" \
  --connections "$CONNECTIONS" --prefix "r$(date +%s)"
read -r _ u1 n1 s1 i1 _ </proc/stat
echo "load after ingest: $(cut -d' ' -f1-3 /proc/loadavg); machine busy $(( 100 * ((u1 + n1 + s1) - (u0 + n0 + s0)) / ((u1 + n1 + s1 + i1) - (u0 + n0 + s0 + i0)) )) % of $(nproc) cores"
echo "relay CPU per request, by thread (the loader's own is not counted):"
"$ROOT/scripts/thread-cpu.sh" "$RELAY_PID" "$DIR/cpu-before" "$REQUESTS"
stop_relay

# Phase 2: deliver the backlog, first one update per request, then (on a copy of the same
# backlog) ${BATCH:-32} updates per request as CloudEvents batches.
cp "$DIR/relay.db" "$DIR/backlog.db"
for f in relay.db-wal relay.db-shm; do
  if [ -f "$DIR/$f" ]; then cp "$DIR/$f" "$DIR/backlog.db${f#relay.db}"; fi
done
deliver() { # updates_per_request
  "$LOADGEN" portal --expect "$REQUESTS" >"$DIR/portal.out" 2>&1 &
  PORTAL_PID=$!
  for _ in $(seq 1 100); do
    if grep -q "http://" "$DIR/portal.out" 2>/dev/null; then break; fi
    sleep 0.1
  done
  PORTAL_URL=$(grep -o "http://[0-9.:]*/invoice-events" "$DIR/portal.out" | head -1)
  config "$PORTAL_URL" "50ms" "$1" >"$DIR/deliver.toml"
  start_relay "$DIR/deliver.toml" "$DIR/relay-deliver.log"
  echo "relay (delivery phase, $1 update(s) per request) at $ADDR, portal at $PORTAL_URL"
  wait "$PORTAL_PID" || true
  grep "portal:" "$DIR/portal.out" || { echo "portal reported nothing:"; cat "$DIR/portal.out"; }
  echo "load after delivery: $(cut -d' ' -f1-3 /proc/loadavg)"
  stop_relay
}
deliver 1
rm -f "$DIR"/relay.db "$DIR"/relay.db-wal "$DIR"/relay.db-shm
for f in "$DIR"/backlog.db*; do mv "$f" "$DIR/relay.db${f#"$DIR"/backlog.db}"; done
deliver "${BATCH:-32}"
trap - EXIT
echo "database size: $(du -sh "$DIR" | cut -f1)"
# A fresh directory is removed (about 10 KB per request); a given BENCH_DIR is kept.
if [ -z "${BENCH_DIR:-}" ]; then rm -rf "$DIR"; fi
