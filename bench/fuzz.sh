#!/usr/bin/env bash
# Fuzzes the CSV-to-typed-table path (tests/fuzz_csv.rs) with many more
# cases than CI runs: 10^6 per property by default, in release mode.
# Usage: bench/fuzz.sh [CASES]
set -euo pipefail
cd "$(dirname "$0")/.."
CASES="${1:-1000000}"
export PROPTEST_CASES="$CASES"
start=$(date +%s)
cargo test --release --locked --test fuzz_csv -- --test-threads="$(nproc)"
end=$(date +%s)
echo "fuzz: ${CASES} inputs per property (2 properties, strict and quarantine load each) in $((end - start)) s"
