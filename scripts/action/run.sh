#!/usr/bin/env bash
# Step 2 of action.yml: `soc2-evidence run` with the action's inputs. The binary writes the
# step outputs to $GITHUB_OUTPUT and the summary to $GITHUB_STEP_SUMMARY; its exit code is the
# step's (0 done, 1 the fail-on policy failed, 2 could not do the job).
#
#   SOC2_EVIDENCE_BIN        the binary (install step's `bin` output)
#   INPUT_CONFIG             config path (relative to the evidence repository), optional
#   INPUT_TENANT_ID          exported as AZURE_TENANT_ID when given
#   INPUT_CLIENT_ID          exported as AZURE_CLIENT_ID when given
#   INPUT_SUBSCRIPTIONS      comma- or newline-separated subscription ids → --subscription each
#   INPUT_MANAGEMENT_GROUP   → --management-group
#   INPUT_EVIDENCE_REPOSITORY  the evidence repository checkout (default .)
#   INPUT_FAIL_ON            never | fail | incomplete
#   INPUT_INVENTORY          inventory files or globs to assess instead of collecting (one a line)
#   GITHUB_TOKEN             the token input
set -euo pipefail

bin="${SOC2_EVIDENCE_BIN:-soc2-evidence}"
repo="${INPUT_EVIDENCE_REPOSITORY:-.}"
args=(run --repo "$repo" --fail-on "${INPUT_FAIL_ON:-never}" --no-progress)

[[ -n "${INPUT_TENANT_ID:-}" ]] && export AZURE_TENANT_ID="$INPUT_TENANT_ID"
[[ -n "${INPUT_CLIENT_ID:-}" ]] && export AZURE_CLIENT_ID="$INPUT_CLIENT_ID"
if [[ -n "${INPUT_CONFIG:-}" ]]; then
  config="$INPUT_CONFIG"
  [[ "$config" = /* ]] || config="$repo/$config"
  args+=(--config "$config")
fi
while IFS= read -r sub; do
  sub="${sub//[[:space:]]/}"
  [[ -n "$sub" ]] && args+=(--subscription "$sub")
done < <(printf '%s\n' "${INPUT_SUBSCRIPTIONS:-}" | tr ',' '\n')
[[ -n "${INPUT_MANAGEMENT_GROUP:-}" ]] && args+=(--management-group "$INPUT_MANAGEMENT_GROUP")
# One path or glob per line (e.g. parts/part-*.json); a glob that matches nothing stays as it is
# and the binary reports the missing file.
while IFS= read -r line; do
  for inv in $line; do args+=(--inventory "$inv"); done
done < <(printf '%s\n' "${INPUT_INVENTORY:-}")

: "${GITHUB_TOKEN:?the token input is empty: pass a token with contents and pull-requests write}"
echo "+ soc2-evidence ${args[*]}"
exec "$bin" "${args[@]}"
