#!/usr/bin/env bash
# Runs every test of the workspace: unit, property, conformance, integration, crash and
# browser tests, and the doctests. This is the command the README gives.
set -euo pipefail
cd "$(dirname "$0")/.."
# The integration crate (tests/) drives the real relay binary: build it first.
cargo build -p invoice-relay
cargo test --workspace --all-features --no-fail-fast
