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
# The snapshot `run` just built: the newest branch (local or pushed) that holds evidence. That is
# the drift branch when there is drift, else the base branch; bot commit times are snapshot times.
ref=""
for candidate in $(git -C "$repo" for-each-ref --sort=-committerdate --format='%(refname)' refs/heads refs/remotes); do
  if "$bin" export --quiet --format json --repo "$repo" --ref "$candidate" --out /dev/null >/dev/null 2>&1; then
    ref="$candidate"
    break
  fi
done
for f in $(printf '%s' "${INPUT_EXPORTS:-}" | tr ',' ' '); do
  "$bin" export --format "$f" --repo "$repo" --ref "${ref:-HEAD}" --out "$repo/soc2-evidence.$f"
  echo "exported $repo/soc2-evidence.$f"
done
