#!/usr/bin/env bash
# Step 1 of action.yml: put a `soc2-evidence` binary on the PATH and output its path (`bin`).
#
#   INPUT_VERSION       a release version (e.g. 0.1.0 or v0.1.0): download that release's asset
#                       and check it against the release's SHA256SUMS; empty: build the action's
#                       own checkout with `cargo install --locked --path`.
#   ACTION_PATH         the action's checkout (github.action_path).
#   ACTION_REPOSITORY   owner/name the release is downloaded from (github.action_repository);
#                       the archive's build provenance must name this repository.
#   SOC2_EVIDENCE_BIN   an existing binary to use as it is (self-hosted runners, tests).
#   SOC2_EVIDENCE_DOWNLOAD_BASE  where the release assets are (default
#                       https://github.com/<ACTION_REPOSITORY>/releases/download/v<version>; a
#                       file:// URL for a mirror or a local test).
#   GH_TOKEN            lets verify-asset.sh run `gh attestation verify` (install/action.yml
#                       passes the job's token).
#
# A downloaded archive is installed only after verify-asset.sh accepted it: its sha256 against
# the release's SHA256SUMS and, where gh is present, its build provenance attestation.
set -euo pipefail

out="${GITHUB_OUTPUT:-/dev/null}"
dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/soc2-evidence"

if [[ -n "${SOC2_EVIDENCE_BIN:-}" ]]; then
  [[ -x "$SOC2_EVIDENCE_BIN" ]] || { echo "::error::SOC2_EVIDENCE_BIN=$SOC2_EVIDENCE_BIN is not executable"; exit 2; }
  bin="$SOC2_EVIDENCE_BIN"
elif [[ -n "${INPUT_VERSION:-}" ]]; then
  version="${INPUT_VERSION#v}"
  repo="${ACTION_REPOSITORY:?ACTION_REPOSITORY (github.action_repository) is needed to download a release}"
  # The targets .github/workflows/release.yml builds (static musl binaries on Linux).
  exe=soc2-evidence
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) target=x86_64-unknown-linux-musl ;;
    Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-musl ;;
    Darwin-arm64) target=aarch64-apple-darwin ;;
    MINGW*-x86_64 | MSYS*-x86_64 | CYGWIN*-x86_64) target=x86_64-pc-windows-msvc exe=soc2-evidence.exe ;;
    *) echo "::error::no soc2-evidence release asset for $(uname -s)-$(uname -m); leave 'version' empty to build with cargo"; exit 2 ;;
  esac
  asset="soc2-evidence-$version-$target.tar.gz"
  base="${SOC2_EVIDENCE_DOWNLOAD_BASE:-https://github.com/$repo/releases/download/v$version}"
  download="$dest/download"
  rm -rf "${download:?}" "${dest:?}/bin"
  mkdir -p "$download" "$dest/bin"
  curl -fsSL --retry 3 --proto '=https,file' -o "$download/$asset" "$base/$asset"
  curl -fsSL --retry 3 --proto '=https,file' -o "$download/SHA256SUMS" "$base/SHA256SUMS"
  # Nothing from the archive is unpacked before it is verified.
  bash "$(dirname "${BASH_SOURCE[0]}")/verify-asset.sh" "$download/$asset" "$download/SHA256SUMS" "$repo"
  # Relative paths: GNU tar on Windows reads `D:\...` as a remote host.
  (cd "$dest" && tar -xzf "download/$asset" -C bin "$exe")
  bin="$dest/bin/$exe"
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
