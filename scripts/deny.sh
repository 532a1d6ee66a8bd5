#!/usr/bin/env bash
# cargo-deny: licenses, duplicate versions/wildcards (bans) and sources, from deny.toml.
# Advisories need the RustSec database, cloned from GitHub: run only when a local copy
# exists (~/.cargo/advisory-dbs) or DENY_ADVISORIES=1 says the network can reach it.
# Usage: scripts/deny.sh            (installs cargo-deny if missing: ~12 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-deny >/dev/null 2>&1 || cargo install cargo-deny --locked
checks=(licenses bans sources)
offline=()
db_dir="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
if [ "${DENY_ADVISORIES:-0}" = 1 ]; then
  checks+=(advisories)
elif [ -d "$db_dir" ] && [ -n "$(ls -A "$db_dir" 2>/dev/null)" ]; then
  checks+=(advisories)
  offline=(--disable-fetch)
else
  echo "deny: advisories SKIPPED (no RustSec database at $db_dir and no network to fetch it;"
  echo "      set DENY_ADVISORIES=1 where GitHub is reachable)"
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo deny check "${offline[@]}" "${checks[@]}" 2>"$log"
rc=$?
set -e
dups=$(grep -c "found [0-9]* duplicate entries for crate" "$log" || true)
grep -E "^(error|warning)\[" "$log" | sort | uniq -c | sort -rn || true
tail -n 5 "$log"
echo "deny: checks=${checks[*]} duplicate-crate warnings=${dups} exit=${rc}"
exit "$rc"
