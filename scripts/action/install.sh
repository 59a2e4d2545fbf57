#!/usr/bin/env bash
# Step 1 of action.yml: put a `soc2-evidence` binary on the PATH and output its path (`bin`).
#
#   INPUT_VERSION       a release version (e.g. 0.1.0 or v0.1.0): download that release's asset
#                       and check it against the release's SHA256SUMS; empty: build the action's
#                       own checkout with `cargo install --locked --path`.
#   ACTION_PATH         the action's checkout (github.action_path).
#   ACTION_REPOSITORY   owner/name the release is downloaded from (github.action_repository).
#   SOC2_EVIDENCE_BIN   an existing binary to use as it is (self-hosted runners, tests).
set -euo pipefail

out="${GITHUB_OUTPUT:-/dev/null}"
dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/soc2-evidence"

if [[ -n "${SOC2_EVIDENCE_BIN:-}" ]]; then
  [[ -x "$SOC2_EVIDENCE_BIN" ]] || { echo "::error::SOC2_EVIDENCE_BIN=$SOC2_EVIDENCE_BIN is not executable"; exit 2; }
  bin="$SOC2_EVIDENCE_BIN"
elif [[ -n "${INPUT_VERSION:-}" ]]; then
  version="${INPUT_VERSION#v}"
  repo="${ACTION_REPOSITORY:?ACTION_REPOSITORY (github.action_repository) is needed to download a release}"
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) target=x86_64-unknown-linux-gnu ;;
    Linux-aarch64) target=aarch64-unknown-linux-gnu ;;
    Darwin-arm64) target=aarch64-apple-darwin ;;
    *) echo "::error::no soc2-evidence release asset for $(uname -s)-$(uname -m); leave 'version' empty to build with cargo"; exit 2 ;;
  esac
  asset="soc2-evidence-$version-$target.tar.gz"
  base="https://github.com/$repo/releases/download/v$version"
  mkdir -p "$dest/bin"
  curl -fsSL --retry 3 -o "$dest/$asset" "$base/$asset"
  curl -fsSL --retry 3 -o "$dest/SHA256SUMS" "$base/SHA256SUMS"
  (cd "$dest" && grep " $asset\$" SHA256SUMS | sha256sum -c -)
  tar -xzf "$dest/$asset" -C "$dest/bin"
  bin="$dest/bin/soc2-evidence"
else
  path="${ACTION_PATH:?ACTION_PATH (github.action_path) is needed to build from source}"
  cargo install --locked --path "$path" --root "$dest" --bin soc2-evidence
  bin="$dest/bin/soc2-evidence"
fi

"$bin" --version
echo "bin=$bin" >> "$out"
if [[ -n "${GITHUB_PATH:-}" ]]; then
  dirname "$bin" >> "$GITHUB_PATH"
fi
