#!/usr/bin/env bash
# Peer benchmark (issue 19): `salesops kpi` for one month against a DuckDB
# query (bench/peer_scorecard.sql, run by bench/peer.py) computing the
# scorecard's visit, order, sales, margin, collection and receivable columns
# per rep (visits, orders, sales_amount, cost_amount, gross_margin,
# gross_margin_pct, invoiced_amount, collected_amount, collection_ratio,
# receivables_end, overdue_end) from the same Parquet files, timed side by
# side in this one run: wall time and peak RSS of each, and their ratios.
# Both write their result to Parquet files; after the timed runs the two
# results are compared rep by rep (exact equality), so the figures are for
# the same answer.
#
# The comparison is lopsided on purpose and should be read as such: `salesops
# kpi` computes every KPI table of the period (the whole scorecard, roll-ups,
# aging, customers, funnel, flags) after validating every input row, while the
# peer computes 11 scorecard columns and validates nothing. The ratio says
# what the rest costs, not that the engines differ by that factor.
#
# Usage: bench/peer.sh [SCALES...]     (default: 20 100)
#        bench/peer.sh --check         agreement check only, on sample_data
#                                      (CSV), for $PERIOD / $AS_OF
# Data is cached in $BENCH_DIR (default /tmp/salesops-bench) and reused;
# duckdb (from PyPI, $DUCKDB_SPEC, default `duckdb`) is installed into
# $BENCH_DIR/venv when it is not there yet. SALESOPS_BIN names a built
# salesops binary (otherwise a release build is made, like bench/kpi.sh).
# Every scorecard column in the list above agrees exactly with salesops on
# sample_data and at every benchmarked scale; no column had to be left out.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/salesops-target}"
BENCH_DIR="${BENCH_DIR:-/tmp/salesops-bench}"
PERIOD="${PERIOD:-2026-10}"
AS_OF="${AS_OF:-2026-10-31}"
CHECK_ONLY=0
if [ "${1:-}" = "--check" ]; then CHECK_ONLY=1; shift; fi
if [ $# -gt 0 ]; then SCALES=("$@"); else SCALES=(20 100); fi

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

# DuckDB from PyPI in a virtual environment of its own.
VENV="$BENCH_DIR/venv"
PY="$VENV/bin/python"
mkdir -p "$BENCH_DIR"
if ! [ -x "$PY" ] || ! "$PY" -c 'import duckdb' 2>/dev/null; then
  echo "installing ${DUCKDB_SPEC:-duckdb} into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "${DUCKDB_SPEC:-duckdb}"
fi
DUCKDB_VERSION=$("$PY" -c 'import duckdb; print(duckdb.__version__)')

source bench/measure.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Agreement on a data directory (sample_data is CSV: DuckDB reads it as text
# and casts every column it uses to the contract's type).
check() {
  local data="$1"
  rm -rf "$work/check"
  "$BIN" kpi --data "$data" --period "$PERIOD" --as-of "$AS_OF" \
    --out "$work/check" --format parquet >/dev/null 2>&1
  "$PY" bench/peer.py run --data "$data" --period "$PERIOD" --as-of "$AS_OF" \
    --out "$work/check_peer.parquet"
  "$PY" bench/peer.py compare "$work/check/scorecard.parquet" "$work/check_peer.parquet"
}

echo "period $PERIOD, as_of $AS_OF; duckdb $DUCKDB_VERSION; $(nproc) cores"
status=0
printf 'sample_data: '
check sample_data || status=1
[ "$CHECK_ONLY" = 1 ] && exit "$status"

# "label  wall s  peak MB" from measure(), echoed; sets WALL and PEAK.
timed() {
  local line
  line=$(measure "$@")
  echo "$line"
  WALL=$(awk '{print $(NF-3)}' <<<"$line")
  PEAK=$(awk '{print $(NF-1)}' <<<"$line")
}

echo
printf '%-34s %11s %11s\n' "run" "wall" "peak RSS"
for scale in "${SCALES[@]}"; do
  data="$BENCH_DIR/scale${scale}_parquet"
  generated "$data" "$scale" parquet
  out="$work/kpi_$scale"
  peer="$work/peer_$scale.parquet"
  timed "salesops kpi scale $scale" "$BIN" kpi --data "$data" --period "$PERIOD" --as-of "$AS_OF" --out "$out" --format parquet
  s_wall=$WALL s_peak=$PEAK
  timed "duckdb scorecard scale $scale" "$PY" bench/peer.py run --data "$data" --period "$PERIOD" --as-of "$AS_OF" --out "$peer"
  d_wall=$WALL d_peak=$PEAK
  awk -v sw="$s_wall" -v dw="$d_wall" -v sp="$s_peak" -v dp="$d_peak" 'BEGIN {
    t = dw > 0 ? sprintf("%.1f", sw / dw) : "n/a"; m = dp > 0 ? sprintf("%.1f", sp / dp) : "n/a"
    printf "ratio salesops/duckdb: time %s, memory %s\n", t, m }'
  printf '  '
  "$PY" bench/peer.py compare "$out/scorecard.parquet" "$peer" || status=1
  # The nightly case: unchanged inputs read from the validated store
  # (--store), filled by one untimed run first.
  store="$work/store_$scale"
  "$BIN" kpi --data "$data" --period "$PERIOD" --as-of "$AS_OF" --out "$out" --format parquet --store "$store" >/dev/null 2>&1
  timed "salesops kpi --store (warm) $scale" "$BIN" kpi --data "$data" --period "$PERIOD" --as-of "$AS_OF" --out "$out" --format parquet --store "$store"
  awk -v sw="$WALL" -v dw="$d_wall" -v sp="$PEAK" -v dp="$d_peak" 'BEGIN {
    t = dw > 0 ? sprintf("%.1f", sw / dw) : "n/a"; m = dp > 0 ? sprintf("%.1f", sp / dp) : "n/a"
    printf "ratio salesops (warm store)/duckdb: time %s, memory %s\n", t, m }'
  rm -rf "$out" "$peer" "$store"
done
exit "$status"
