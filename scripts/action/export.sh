#!/usr/bin/env bash
# Step 3 of action.yml, run only when the `exports` input is non-empty: one
# `soc2-evidence export --format F` per listed format (sarif, oscal, csv, json), written to
# `soc2-evidence.<format>` in the evidence repository. This build may not have the `export`
# command yet; then the step warns and does nothing.
#
#   SOC2_EVIDENCE_BIN, INPUT_EXPORTS (comma/space separated), INPUT_EVIDENCE_REPOSITORY
set -euo pipefail

bin="${SOC2_EVIDENCE_BIN:-soc2-evidence}"
repo="${INPUT_EVIDENCE_REPOSITORY:-.}"
if ! "$bin" export --help >/dev/null 2>&1; then
  echo "::warning::exports requested (${INPUT_EXPORTS:-}) but this soc2-evidence build has no 'export' command; skipped"
  exit 0
fi
for f in $(printf '%s' "${INPUT_EXPORTS:-}" | tr ',' ' '); do
  "$bin" export --format "$f" --repo "$repo" --out "$repo/soc2-evidence.$f"
  echo "exported $repo/soc2-evidence.$f"
done
