#!/usr/bin/env bash
# Renders the pages of a report PDF to PNG with pdftoppm (poppler-utils), to look at them.
#
#   scripts/render-pages.sh REPORT.pdf [OUT_DIR] [FIRST_PAGE] [LAST_PAGE]
#
# Writes OUT_DIR/page-NN.png (default OUT_DIR: report-pages/ beside the PDF) at 110 dpi and
# prints their paths. Without a PDF argument it builds the demo and renders its report.
set -euo pipefail

if ! command -v pdftoppm >/dev/null; then
  echo "pdftoppm not found: install poppler-utils (apt-get install -y poppler-utils)" >&2
  exit 2
fi

pdf="${1:-}"
if [[ -z "$pdf" ]]; then
  demo="$(mktemp -d)/demo"
  cargo run --quiet -- demo --dir "$demo" >/dev/null
  pdf="$demo/report.pdf"
fi
out="${2:-$(dirname "$pdf")/report-pages}"
first="${3:-1}"
last="${4:-}"

mkdir -p "$out"
args=(-png -r "${DPI:-110}" -f "$first")
[[ -n "$last" ]] && args+=(-l "$last")
pdftoppm "${args[@]}" "$pdf" "$out/page"
ls -1 "$out"/page-*.png
