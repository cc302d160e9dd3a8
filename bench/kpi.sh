#!/usr/bin/env bash
# Benchmark: generate scale 20 and 100 data (CSV and Parquet) and time
# `salesops validate`, `salesops scorecard` and `salesops kpi` for one month,
# printing wall time and peak memory of each run, measured in this one run.
#
# Usage: bench/kpi.sh [SCALES...]     (default: 20 100)
# Data is cached in $BENCH_DIR (default /tmp/salesops-bench) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/salesops-target}"
BENCH_DIR="${BENCH_DIR:-/tmp/salesops-bench}"
PERIOD="${PERIOD:-2026-10}"
AS_OF="${AS_OF:-2026-10-31}"
if [ $# -gt 0 ]; then SCALES=("$@"); else SCALES=(20 100); fi

if ! [ -x /usr/bin/time ]; then
  echo "needs GNU time: apt-get install -y time" >&2
  exit 1
fi
cargo build --release --locked --quiet
BIN="$CARGO_TARGET_DIR/release/salesops"

source bench/measure.sh

printf '%-34s %11s %11s\n' "run" "wall" "peak RSS"
for scale in "${SCALES[@]}"; do
  for fmt in csv parquet; do
    data="$BENCH_DIR/scale${scale}_${fmt}"
    generated "$data" "$scale" "$fmt"
    measure "validate scale $scale $fmt" "$BIN" validate --data "$data"
    measure "scorecard scale $scale $fmt" "$BIN" scorecard --data "$data" --period "$PERIOD" --as-of "$AS_OF" --format csv
    out=$(mktemp -d)
    measure "kpi scale $scale $fmt" "$BIN" kpi --data "$data" --period "$PERIOD" --as-of "$AS_OF" --out "$out" --format csv,parquet
    rm -rf "$out"
  done
done
