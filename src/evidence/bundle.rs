//! The evidence bundle a release carries: a gzipped tar of one snapshot under its evidence root,
//! built deterministically (files in path order, mode 0644, uid/gid 0, no user names, every
//! mtime the snapshot's collection time, gzip header without name or time), so the same snapshot
//! always gives the same bytes and anyone can rebuild it from the tagged commit. Also
//! `SHA256SUMS` in the format `sha256sum -c` reads. Pure: bytes in, bytes out.

use std::collections::BTreeMap;
use std::io::Read;

use flate2::Compression;
use flate2::read::GzDecoder;

use super::Snapshot;
use crate::digest::sha256_hex;

/// Largest bundle content read back (uncompressed); evidence is far smaller.
const MAX_UNPACKED: u64 = 1 << 30;

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("not a gzipped tar archive: {0}")]
    Format(String),
    #[error("bundle entry `{0}` is not a regular file under one evidence directory")]
    BadEntry(String),
    #[error("bundle holds more than {MAX_UNPACKED} bytes")]
    TooLarge,
    #[error("the bundle is empty")]
    Empty,
}

/// The gzipped tar of `snapshot`, each file at `<root>/<path>`.
#[allow(
    clippy::expect_used,
    reason = "tar and gzip write into a Vec, which cannot fail"
)]
pub fn build(snapshot: &Snapshot, root: &str) -> Vec<u8> {
    let mtime = snapshot
        .manifest()
        .map(|m| m.as_of.timestamp().max(0) as u64)
        .unwrap_or(0);
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::new(9));
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    for (path, bytes) in &snapshot.files {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(mtime);
        h.set_size(bytes.len() as u64);
        // `append_data` sets the path (with a GNU long-name entry when needed) and checksum.
        tar.append_data(&mut h, format!("{root}/{path}"), bytes.as_slice())
            .expect("writing to memory cannot fail");
    }
    let gz = tar.into_inner().expect("writing to memory cannot fail");
    gz.finish().expect("writing to memory cannot fail")
}

/// Reads a bundle back: its root directory (where `manifest.json` sits) and the snapshot under
/// it. Anything but regular files under that one directory is refused.
pub fn read(bytes: &[u8]) -> Result<(String, Snapshot), BundleError> {
    let mut archive = tar::Archive::new(GzDecoder::new(bytes));
    let mut all: Vec<(String, Vec<u8>)> = Vec::new();
    let mut total = 0u64;
    let entries = archive
        .entries()
        .map_err(|e| BundleError::Format(e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| BundleError::Format(e.to_string()))?;
        let path = entry
            .path()
            .map_err(|e| BundleError::Format(e.to_string()))?
            .to_string_lossy()
            .into_owned();
        let kind = entry.header().entry_type();
        if kind == tar::EntryType::Directory {
            continue;
        }
        if kind != tar::EntryType::Regular
            || path
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..")
        {
            return Err(BundleError::BadEntry(path));
        }
        total += entry.header().size().unwrap_or(0);
        if total > MAX_UNPACKED {
            return Err(BundleError::TooLarge);
        }
        let mut buf = Vec::new();
        entry
            .read_to_end(&mut buf)
            .map_err(|e| BundleError::Format(e.to_string()))?;
        all.push((path, buf));
    }
    if all.is_empty() {
        return Err(BundleError::Empty);
    }
    let root = all
        .iter()
        .filter_map(|(p, _)| p.strip_suffix("/manifest.json"))
        .min_by_key(|r| r.len())
        .ok_or_else(|| BundleError::BadEntry("manifest.json (missing)".into()))?
        .to_string();
    let prefix = format!("{root}/");
    let mut files = BTreeMap::new();
    for (path, bytes) in all {
        let rel = path
            .strip_prefix(&prefix)
            .ok_or_else(|| BundleError::BadEntry(path.clone()))?;
        files.insert(rel.to_string(), bytes);
    }
    Ok((root, Snapshot { files }))
}

/// `SHA256SUMS`: one `<hex>  <name>` line per file, sorted by name.
pub fn sha256sums(files: &[(&str, &[u8])]) -> String {
    let mut lines: Vec<String> = files
        .iter()
        .map(|(name, bytes)| format!("{}  {name}\n", sha256_hex(bytes)))
        .collect();
    lines.sort_by(|a, b| a[66..].cmp(&b[66..]));
    lines.concat()
}

/// Parses `SHA256SUMS` (text or `*binary` marker) into name → hex digest.
pub fn parse_sha256sums(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (hash, name) = line
            .split_once(' ')
            .ok_or_else(|| format!("line {}: expected `<sha256>  <name>`", i + 1))?;
        let name = name.strip_prefix([' ', '*']).unwrap_or(name);
        if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) || name.is_empty() {
            return Err(format!("line {}: expected `<sha256>  <name>`", i + 1));
        }
        out.insert(name.to_string(), hash.to_ascii_lowercase());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testutil;
    use crate::evidence::RunMeta;
    use chrono::{TimeZone, Utc};

    fn snap() -> Snapshot {
        let inv = testutil::inventory(vec![testutil::fixture_resource(
            "storage/storage_accounts_list.2025-06-01.json",
            0,
        )]);
        crate::evidence::test_snapshot(
            &inv,
            RunMeta {
                run_id: "r".into(),
                started_at: Utc.timestamp_opt(7, 0).unwrap(),
                finished_at: Utc.timestamp_opt(8, 0).unwrap(),
            },
        )
    }

    #[test]
    fn bundle_is_deterministic_and_reads_back() {
        let s = snap();
        let a = build(&s, "evidence");
        let b = build(&s.clone(), "evidence");
        assert_eq!(a, b);
        let (root, back) = read(&a).unwrap();
        assert_eq!(root, "evidence");
        assert_eq!(back, s);
        let (root, back) = read(&build(&s, "audit/evidence")).unwrap();
        assert_eq!(root, "audit/evidence");
        assert_eq!(back, s);
    }

    #[test]
    fn tar_headers_carry_no_host_data() {
        let bytes = build(&snap(), "evidence");
        let mut ar = tar::Archive::new(GzDecoder::new(bytes.as_slice()));
        for e in ar.entries().unwrap() {
            let e = e.unwrap();
            let h = e.header();
            assert_eq!(h.uid().unwrap(), 0);
            assert_eq!(h.mode().unwrap(), 0o644);
            assert_eq!(h.username().unwrap(), Some(""));
        }
        assert!(matches!(read(b"not gzip"), Err(BundleError::Format(_))));
    }

    #[test]
    fn sums_round_trip() {
        let text = sha256sums(&[("b.pdf", b"pdf"), ("a.tar.gz", b"tgz")]);
        assert!(text.lines().next().unwrap().ends_with("  a.tar.gz"));
        let parsed = parse_sha256sums(&text).unwrap();
        assert_eq!(parsed["b.pdf"], sha256_hex(b"pdf"));
        assert!(parse_sha256sums("zz  x\n").is_err());
    }
}
