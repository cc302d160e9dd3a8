#!/usr/bin/env bash
# Benchmark of raw-export ingest: the same generated dataset (scale 20 by
# default) read as a contract data directory, and as a raw export through a
# mapping profile, UTF-8 and GB18030-encoded, printing wall time and peak
# memory of `salesops validate` for each, measured in this one run.
#
# Usage: [SALESOPS_BIN=...] bench/ingest.sh [SCALE]     (default: 20)
# Data is cached in $BENCH_DIR (default /tmp/salesops-bench) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/salesops-target}"
BENCH_DIR="${BENCH_DIR:-/tmp/salesops-bench}"
SCALE="${1:-20}"
command -v iconv >/dev/null || { echo "needs iconv (libc-bin)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install -y time" >&2; exit 1; }
# SALESOPS_BIN=/path/to/salesops measures another build (e.g. an older
# commit, for a before/after comparison) instead of building this one.
if [ -n "${SALESOPS_BIN:-}" ]; then
  BIN="$SALESOPS_BIN"
else
  cargo build --release --locked --quiet
  BIN="$CARGO_TARGET_DIR/release/salesops"
fi
source bench/measure.sh

DATA="$BENCH_DIR/scale${SCALE}_csv"
[ -d "$DATA" ] || "$BIN" generate --out "$DATA" --scale "$SCALE" --seed 42 --format csv >/dev/null

# A profile mapping every column of every file to itself, as a CRM export
# that already uses the contract's names would need.
identity_profile() {
  local encoding="$1"
  echo "[defaults]"
  echo "encoding = \"$encoding\""
  for f in "$DATA"/*.csv; do
    local t; t=$(basename "$f" .csv)
    printf '[files.%s]\npath = "%s.csv"\n[tables.%s]\nfrom = "%s"\n[tables.%s.columns]\n' "$t" "$t" "$t" "$t" "$t"
    head -1 "$f" | sed 's/^\xEF\xBB\xBF//' | tr -d '\r' | tr ',' '\n' | awk '{ printf "%s = \"%s\"\n", $1, $1 }'
  done
}

for enc in utf-8 gb18030; do
  EXPORT="$BENCH_DIR/scale${SCALE}_export_$enc"
  if ! [ -d "$EXPORT" ]; then
    mkdir -p "$EXPORT.tmp"
    for f in "$DATA"/*.csv; do iconv -f utf-8 -t "$enc" "$f" > "$EXPORT.tmp/$(basename "$f")"; done
    mv "$EXPORT.tmp" "$EXPORT"
  fi
  identity_profile "$enc" > "$BENCH_DIR/identity_$enc.toml"
done

printf '%-34s %11s %11s\n' "run (scale $SCALE)" "wall" "peak RSS"
measure "validate data directory" "$BIN" validate --data "$DATA"
for enc in utf-8 gb18030; do
  measure "validate --profile ($enc)" "$BIN" validate --profile "$BENCH_DIR/identity_$enc.toml" --data "$BENCH_DIR/scale${SCALE}_export_$enc"
done
