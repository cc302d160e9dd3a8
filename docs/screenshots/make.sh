#!/usr/bin/env bash
# Regenerates the screenshots in this folder from sample_data: the company
# report and one team's report, as HTML in Chromium at a desktop (1280 px)
# and a phone (390 px) width, and as PDF pages rendered by pdftoppm.
# Needs chromium, poppler-utils and the fonts of the README's first command.
#
# Usage: docs/screenshots/make.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/salesops-target}"
cargo build --release --locked --quiet
BIN="$CARGO_TARGET_DIR/release/salesops"
SHOTS=docs/screenshots
TEAM="华东一组"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$BIN" report --data sample_data --period 2026-10 --as-of 2026-10-31 \
  --audience company,teams --format html,pdf --lang zh,en --currency CNY --out "$work/out" >/dev/null 2>&1

shoot() { # html width png
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --user-data-dir="$work/profile" --window-size="$2,2400" \
    --screenshot="$3" "file://$1" 2>/dev/null
}
for width in 1280 390; do
  shoot "$work/out/report_2026-10_en.html" "$width" "$SHOTS/company_en_html_$width.png"
  shoot "$work/out/teams/$TEAM.zh.html" "$width" "$SHOTS/team_zh_html_$width.png"
done
# PDF: the company report's first page, the team report's first page and
# its first rep page (page numbers from the PDF's own text).
pdftoppm -r 90 -png -f 1 -l 1 -singlefile "$work/out/report_2026-10_en.pdf" "$SHOTS/company_en_pdf_p1"
pdftoppm -r 90 -png -f 1 -l 1 -singlefile "$work/out/teams/$TEAM.zh.pdf" "$SHOTS/team_zh_pdf_p1"
pages=$(pdfinfo "$work/out/teams/$TEAM.zh.pdf" | awk '/^Pages/ {print $2}')
for p in $(seq 1 "$pages"); do
  if pdftotext -f "$p" -l "$p" "$work/out/teams/$TEAM.zh.pdf" - 2>/dev/null | grep -q "销售代表单页"; then
    pdftoppm -r 90 -png -f "$p" -l "$p" -singlefile "$work/out/teams/$TEAM.zh.pdf" "$SHOTS/team_zh_pdf_rep_page"
    break
  fi
done
ls -la "$SHOTS"/*.png
