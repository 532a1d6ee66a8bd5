#!/usr/bin/env bash
# Runs every test of the workspace: unit, property, conformance, integration, crash and
# browser tests, and the doctests. This is the command the README gives.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --all-features --no-fail-fast
