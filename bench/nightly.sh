#!/usr/bin/env bash
# Benchmark: the nightly run (`salesops run`, pipelines/nightly.toml's
# periods, commission, company + region + team reports in zh and en, HTML
# for every period and PDF for the closed month) on generated data, printing
# wall time and peak memory per scale, measured in this one run, then the
# same run again on unchanged inputs (the validated store) with its stages.
#
# Usage: bench/nightly.sh [SCALES...]     (default: 2 20 100)
# Data is cached in $BENCH_DIR (default /tmp/salesops-bench) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/salesops-target}"
BENCH_DIR="${BENCH_DIR:-/tmp/salesops-bench}"
AS_OF="${AS_OF:-2026-10-31}"
if [ $# -gt 0 ]; then SCALES=("$@"); else SCALES=(2 20 100); fi

if ! [ -x /usr/bin/time ]; then
  echo "needs GNU time: apt-get install -y time" >&2
  exit 1
fi
cargo build --release --locked --quiet
BIN="${SALESOPS_BIN:-$CARGO_TARGET_DIR/release/salesops}"

source bench/measure.sh

printf '%-34s %11s %11s\n' "run" "wall" "peak RSS"
for scale in "${SCALES[@]}"; do
  data="$BENCH_DIR/scale${scale}_csv"
  if ! [ -f "$data/.complete" ]; then
    rm -rf "$data"
    measure "generate scale $scale csv" "$BIN" generate --out "$data" --scale "$scale" --seed 42 --format csv
    touch "$data/.complete"
  fi
  work=$(mktemp -d)
  # The committed nightly config with its paths pointed at the data.
  sed -e "s#^data = .*#data = \"$data\"#" \
      -e "s#^dir = .*#dir = \"$work/out\"#" \
      -e "s#^plan = .*#plan = \"$PWD/pipelines/commission.toml\"#" \
      pipelines/nightly.toml > "$work/nightly.toml"
  measure "nightly scale $scale" "$BIN" run "$work/nightly.toml" --as-of "$AS_OF"
  # The next night on unchanged inputs: the validated store is read instead
  # of validating again (the first stage of the manifest says which).
  measure "  again, inputs unchanged" "$BIN" run "$work/nightly.toml" --as-of "$AS_OF"
  python3 - "$work/out/$AS_OF/manifest.json" <<'PY'
import json, sys
stages = json.load(open(sys.argv[1]))["stages"]
print("  stages of the second run: " + ", ".join(f"{s['stage']} {s['seconds']:.1f}" for s in stages))
PY
  echo "  files: $(find "$work/out/$AS_OF/" -type f | wc -l), biggest PDF pages: $(
    for f in $(find "$work/out/$AS_OF/" -name '*.pdf'); do pdfinfo "$f" 2>/dev/null | awk '/^Pages/ {print $2}'; done | sort -n | tail -1)"
  rm -rf "$work"
done
