#!/usr/bin/env bash
# Verifies a downloaded soc2-evidence release archive before anything runs it (install.sh calls
# it; run it by hand the same way):
#
#   scripts/action/verify-asset.sh ARCHIVE SHA256SUMS REPOSITORY
#
#   1. SHA256SUMS (from the same release) must list ARCHIVE's file name exactly once, with the
#      archive's sha256. This catches a corrupt or swapped download.
#   2. Where the GitHub CLI is present, `gh attestation verify ARCHIVE --repo REPOSITORY` must
#      pass: the archive was built by REPOSITORY's release workflow (a Sigstore-signed build
#      provenance attestation), not merely uploaded next to a matching SHA256SUMS. gh needs a
#      token (GH_TOKEN or GITHUB_TOKEN). Without gh the step says loudly that only the checksum
#      was checked; SOC2_EVIDENCE_REQUIRE_ATTESTATION=true makes that an error instead.
#
# Exits 0 when verified, 1 on a mismatch (with a message naming what did not match and that
# nothing was installed), 2 on bad usage. SOC2_EVIDENCE_GH overrides the gh command.
set -euo pipefail

usage() { echo "usage: verify-asset.sh ARCHIVE SHA256SUMS REPOSITORY" >&2; exit 2; }
[[ $# -eq 3 ]] || usage
archive="$1" sums="$2" repo="$3"
name="$(basename "$archive")"
[[ -f "$archive" ]] || { echo "::error::$archive does not exist"; exit 2; }
[[ -f "$sums" ]] || { echo "::error::$sums does not exist"; exit 2; }
[[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || { echo "::error::\`$repo\` is not owner/name"; exit 2; }

fail() {
  echo "::error title=soc2-evidence download rejected::$name: $*; the binary was NOT installed"
  exit 1
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum -- "$1" | cut -d' ' -f1
  else shasum -a 256 -- "$1" | cut -d' ' -f1; fi
}

# 1. The checksum. Lines are `<64 hex>  <name>` (or ` *<name>`, binary mode).
listed=()
while IFS= read -r line; do
  line="${line%$'\r'}"
  [[ "$line" =~ ^([0-9a-fA-F]{64})\ [\ *](.+)$ ]] || continue
  [[ "${BASH_REMATCH[2]}" == "$name" ]] && listed+=("$(printf %s "${BASH_REMATCH[1]}" | tr A-F a-f)")
done < "$sums"
case ${#listed[@]} in
  0) fail "not listed in SHA256SUMS (wrong version or target, or not from this release)" ;;
  1) ;;
  *) fail "listed ${#listed[@]} times in SHA256SUMS; refusing an ambiguous checksum file" ;;
esac
got="$(sha256 "$archive")"
if [[ "$got" != "${listed[0]}" ]]; then
  fail "sha256 $got does not match SHA256SUMS (${listed[0]}): the download is corrupt or was tampered with"
fi
echo "ok: $name matches SHA256SUMS ($got)"

# 2. The build provenance attestation.
gh="${SOC2_EVIDENCE_GH:-gh}"
if command -v "$gh" >/dev/null 2>&1; then
  if ! out="$("$gh" attestation verify "$archive" --repo "$repo" 2>&1)"; then
    printf '%s\n' "$out" >&2
    fail "gh attestation verify --repo $repo failed: no valid build provenance from $repo's release workflow (output above)"
  fi
  printf '%s\n' "$out"
  echo "ok: $name has a valid build provenance attestation from $repo"
elif [[ "${SOC2_EVIDENCE_REQUIRE_ATTESTATION:-false}" == true ]]; then
  fail "the GitHub CLI (gh) is not installed, so its build provenance cannot be checked (SOC2_EVIDENCE_REQUIRE_ATTESTATION=true)"
else
  echo "::warning title=soc2-evidence attestation not checked::gh (GitHub CLI) is not installed: only the checksum of $name was verified, not its build provenance. Install gh, or verify by hand: gh attestation verify $name --repo $repo"
fi
