#!/usr/bin/env bash
# Scale benchmark (issue 19, point 4): generates a field force of SCALE × 40
# reps (default 1,700: 68,000 reps and about 10⁸ visits over 18 months) as
# Parquet, then runs the nightly KPI stage for one month on it — `salesops
# kpi`, which validates every table and computes every KPI table of the
# period; then the same through the validated store, filled by one run and
# read by the next — and prints the wall time and peak memory of each step,
# measured in this one run. A step that fails (out of memory included) prints FAILED
# with the end of its log, and the script exits non-zero.
#
# Usage: bench/scale.sh [SCALE]     (default 1700)
# SALESOPS_BIN names a built salesops binary (otherwise a release build is
# made), so a long run can go on while the tree is rebuilt.
# Needs GNU time and, at the default scale, about 12 GB of free disk in
# $BENCH_DIR (default /tmp/salesops-bench); the data is kept and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/salesops-target}"
BENCH_DIR="${BENCH_DIR:-/tmp/salesops-bench}"
PERIOD="${PERIOD:-2026-10}"
AS_OF="${AS_OF:-2026-10-31}"
SCALE="${1:-1700}"

if ! [ -x /usr/bin/time ]; then
  echo "needs GNU time: apt-get install -y time" >&2
  exit 1
fi
if [ -n "${SALESOPS_BIN:-}" ]; then
  BIN="$SALESOPS_BIN"
else
  cargo build --release --locked --quiet
  BIN="$CARGO_TARGET_DIR/release/salesops"
fi
source bench/measure.sh

data="$BENCH_DIR/scale${SCALE}_parquet"
printf '%-34s %11s %11s\n' "run" "wall" "peak RSS"
generated "$data" "$SCALE" parquet
# The size of what was generated.
for table in visits orders invoices payments; do
  printf '%-34s %11s %8s MB\n' "  $table.parquet (on disk)" "" "$(du -m "$data/$table.parquet" | cut -f1)"
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Cold: validates every row (each table written to a temporary folder as
# it is validated, then scanned). Then the nightly case: a first run fills
# the validated store (--store), the second reads the unchanged inputs from it.
measure "kpi $PERIOD scale $SCALE (cold)" "$BIN" kpi --data "$data" --period "$PERIOD" --as-of "$AS_OF" --out "$out/cold" --format parquet
measure "kpi --store, filling it" "$BIN" kpi --data "$data" --period "$PERIOD" --as-of "$AS_OF" --out "$out/fill" --format parquet --store "$out/store"
measure "kpi --store (warm)" "$BIN" kpi --data "$data" --period "$PERIOD" --as-of "$AS_OF" --out "$out/warm" --format parquet --store "$out/store"
