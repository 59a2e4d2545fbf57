#!/usr/bin/env bash
# Packages built binaries into the release assets the installer (scripts/action/install.sh)
# downloads: one `soc2-evidence-<version>-<target>.tar.gz` per target, holding the binary at the
# archive's root, and `SHA256SUMS` (sha256sum -c format) over every archive in OUT.
# .github/workflows/release.yml calls it; tests/release_packaging.rs runs it the same way.
#
#   scripts/package.sh VERSION OUT TARGET=BINARY [TARGET=BINARY ...]
#
#   VERSION  the release version without the `v` (0.1.0): the tag is v<VERSION>
#   OUT      the directory the archives and SHA256SUMS are written to (created)
#   TARGET   a Rust target triple (x86_64-unknown-linux-musl, x86_64-pc-windows-msvc, ...)
#   BINARY   the built binary for it (soc2-evidence, or soc2-evidence.exe on Windows)
#
# Archives are reproducible: sorted names, owner 0, mode 0755, mtime SOURCE_DATE_EPOCH (default:
# the commit time of HEAD, else 0), gzip without a name or time stamp. Needs GNU tar.
set -euo pipefail

die() { echo "package.sh: $*" >&2; exit 2; }

[[ $# -ge 3 ]] || die "usage: scripts/package.sh VERSION OUT TARGET=BINARY [TARGET=BINARY ...]"
version="$1" out="$2"
shift 2
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] \
  || die "version \`$version\` is not a semantic version without the leading v (e.g. 0.1.0)"
tar --version 2>/dev/null | grep -q 'GNU tar' || die "GNU tar is needed (reproducible archives)"

if [[ -z "${SOURCE_DATE_EPOCH:-}" ]]; then
  SOURCE_DATE_EPOCH="$(git log -1 --format=%ct 2>/dev/null || echo 0)"
fi

mkdir -p "$out"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

for spec in "$@"; do
  target="${spec%%=*}" bin="${spec#*=}"
  [[ "$spec" == *=* && -n "$target" && -n "$bin" ]] || die "\`$spec\` is not TARGET=BINARY"
  [[ "$target" =~ ^[a-z0-9_]+-[a-z0-9_]+-[a-z0-9_-]+$ ]] || die "\`$target\` is not a target triple"
  [[ -f "$bin" ]] || die "$bin (binary for $target) does not exist"
  name=soc2-evidence
  [[ "$target" == *windows* ]] && name=soc2-evidence.exe
  dir="$stage/$target"
  mkdir -p "$dir"
  # Artifacts lose the executable bit in transit: set it here, for every target.
  install -m 0755 "$bin" "$dir/$name"
  asset="soc2-evidence-$version-$target.tar.gz"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mode='u+rwX,go+rX,go-w' \
    --mtime="@$SOURCE_DATE_EPOCH" --format=gnu -C "$dir" -cf - "$name" \
    | gzip -n > "$out/$asset"
  echo "packaged $out/$asset"
done

# Every archive in OUT (earlier invocations' too), sorted, so one SHA256SUMS covers the release.
(
  cd "$out"
  shopt -s nullglob
  archives=(soc2-evidence-*.tar.gz)
  [[ ${#archives[@]} -gt 0 ]] || die "no archives in $out"
  sha256sum -- "${archives[@]}" > SHA256SUMS.tmp
  LC_ALL=C sort -k2 SHA256SUMS.tmp > SHA256SUMS
  rm SHA256SUMS.tmp
)
echo "wrote $out/SHA256SUMS"
cat "$out/SHA256SUMS"
