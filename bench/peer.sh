#!/usr/bin/env bash
# Peer benchmark (issue 19): `salesops kpi` for one month against a DuckDB
# query (bench/peer_scorecard.sql, run by bench/peer.py) computing the
# scorecard's visit, order, sales, margin, collection and receivable columns
# per rep from the same Parquet files, with the settings salesops uses
# without a config (churn_days 90, legacy_days 365, the calendar table):
#   visits, workdays, visits_per_workday, avg_visit_minutes,
#   visited_customers; orders, sales_amount, cost_amount, gross_margin,
#   gross_margin_pct, discount_pct, avg_order_value, orders_per_100_visits,
#   sales_per_visit, active_customers, new_customers, lost_customers,
#   legacy_sales_share; invoiced_amount, collected_amount, collection_ratio,
#   repayment_cycle_days, receivables_end, overdue_end, overdue_ratio,
#   dso_days (26 scorecard columns), and the aging table's not_due, 1_30,
#   31_60, 61_90, 91_plus and total per rep (6 more);
# timed side by side in this one run: wall time and peak RSS of each, and
# their ratios (to two decimals). Both write their result to Parquet files;
# after the timed runs the two results are compared rep by rep (exact
# equality: decimals as decimals, ratios bit for bit), the cold run's and
# the warm run's (from the validated store's facts), so the figures are for
# the same answer.
# Left out, as not of those families: opportunities and pipeline (opps_*,
# win_rate, avg_sales_cycle_days, open/weighted pipeline, forecast),
# expenses, targets and attainment, run_rate_sales, discount_violations,
# cross_region_lines, flags_count, visits_per_active_customer, the workday
# trailer (elapsed/total_workdays), the funnel, the flags table, the
# customer view and the roll-ups.
#
# The comparison is lopsided on purpose and should be read as such: `salesops
# kpi` computes every KPI table of the period (the whole scorecard, roll-ups,
# aging, customers, funnel, flags) after validating every input row, while the
# peer computes 32 of those columns and validates nothing. The ratio says
# what the rest costs, not that the engines differ by that factor.
#
# Usage: bench/peer.sh [SCALES...]     (default: 20 100)
#        bench/peer.sh --check         agreement check only, on sample_data
#                                      (CSV), for $PERIOD / $AS_OF (any
#                                      period salesops takes: 2026-10,
#                                      2026-Q3, 2026, 2026-W44, A..B)
# Data is cached in $BENCH_DIR (default /tmp/salesops-bench) and reused;
# duckdb (from PyPI, $DUCKDB_SPEC, default `duckdb`) is installed into
# $BENCH_DIR/venv when it is not there yet. SALESOPS_BIN names a built
# salesops binary (otherwise a release build is made, like bench/kpi.sh).
# Every column in the list above agrees exactly with salesops on
# sample_data (months, quarters, a year, a week, a range, cut and uncut) and
# at every benchmarked scale; no column of those families had to be left
# out.
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
  "$PY" bench/peer.py compare "$work/check" "$work/check_peer.parquet"
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
    t = dw > 0 ? sprintf("%.2f", sw / dw) : "n/a"; m = dp > 0 ? sprintf("%.2f", sp / dp) : "n/a"
    printf "ratio salesops/duckdb: time %s, memory %s\n", t, m }'
  printf '  '
  "$PY" bench/peer.py compare "$out" "$peer" || status=1
  # The nightly case: unchanged inputs read from the validated store
  # (--store), filled by one untimed run first.
  store="$work/store_$scale"
  "$BIN" kpi --data "$data" --period "$PERIOD" --as-of "$AS_OF" --out "$out" --format parquet --store "$store" >/dev/null 2>&1
  timed "salesops kpi --store (warm) $scale" "$BIN" kpi --data "$data" --period "$PERIOD" --as-of "$AS_OF" --out "$out" --format parquet --store "$store"
  awk -v sw="$WALL" -v dw="$d_wall" -v sp="$PEAK" -v dp="$d_peak" 'BEGIN {
    t = dw > 0 ? sprintf("%.2f", sw / dw) : "n/a"; m = dp > 0 ? sprintf("%.2f", sp / dp) : "n/a"
    printf "ratio salesops (warm store)/duckdb: time %s, memory %s\n", t, m }'
  # The warm run's result, from the store's facts, agrees as well.
  printf '  warm '
  "$PY" bench/peer.py compare "$out" "$peer" || status=1
  rm -rf "$out" "$peer" "$store"
done
exit "$status"
