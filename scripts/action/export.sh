#!/usr/bin/env bash
# Step 3 of action.yml, run only when the `exports` input is non-empty: one
# `soc2-evidence export --format F` per listed format (sarif, oscal, csv, json), written to
# `soc2-evidence.<format>` in the evidence repository. This build may not have the `export`
# command yet; then the step warns and does nothing.
#
# The export is of exactly the commit the run step reported (`evidence_commit`, on
# `evidence_ref`): the action's outputs `evidence-commit` and `evidence-ref` name the same
# commit, and a SARIF upload must pass them as `sha` and `ref` so that code scanning reads each
# alert's file and line at the commit the SARIF was made from.
#
#   SOC2_EVIDENCE_BIN, INPUT_EXPORTS (comma/space separated), INPUT_EVIDENCE_REPOSITORY,
#   EVIDENCE_COMMIT, EVIDENCE_REF (the run step's outputs)
set -euo pipefail

bin="${SOC2_EVIDENCE_BIN:-soc2-evidence}"
repo="${INPUT_EVIDENCE_REPOSITORY:-.}"
if ! "$bin" export --help >/dev/null 2>&1; then
  echo "::warning::exports requested (${INPUT_EXPORTS:-}) but this soc2-evidence build has no 'export' command; skipped"
  exit 0
fi
commit="${EVIDENCE_COMMIT:-}"
if [ -z "$commit" ]; then
  # The run step failed before it had a commit: exporting anything else would attribute
  # findings to a commit they were not read from.
  echo "::warning::exports skipped: the run step reported no evidence commit"
  exit 0
fi
for f in $(printf '%s' "${INPUT_EXPORTS:-}" | tr ',' ' '); do
  "$bin" export --format "$f" --repo "$repo" --ref "$commit" --out "$repo/soc2-evidence.$f"
  echo "exported $repo/soc2-evidence.$f from $commit (${EVIDENCE_REF:-})"
done
