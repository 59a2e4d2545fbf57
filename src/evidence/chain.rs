//! The rules of the manifest chain, pure (no git): what a snapshot's manifest must agree with
//! inside the snapshot, and what it must say about the snapshot it was built on.
//!
//! Every manifest field is bound by a hash. The file list binds every other file. The fields
//! that describe the evidence (`tenant_id`, `as_of`, `subscriptions`, `catalogue_version`,
//! `criteria_edition`, `schema_version`) are cross-checked with the hashed `summary.json` and
//! inventory files, so an edit to them alone is caught in the manifest itself. The manifest's
//! bytes as a whole (run metadata and tool version included) are bound by the next snapshot's
//! `previous_manifest_sha256` and by a release tag's message; the head manifest of a branch
//! that no tag names has no later link, which `verify` says.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::digest::sha256_hex;

use super::{
    InventoryPart, MANIFEST, Manifest, SUMMARY, Snapshot, SubscriptionsFile, canonical,
    inventory_path, parse_json,
};

/// What the commit a snapshot was built on (its first parent) holds under the evidence root.
#[derive(Debug, Clone, Copy)]
pub enum Previous<'a> {
    /// No evidence (or no parent at all): the snapshot must be a genesis.
    NoEvidence,
    /// Evidence with this `manifest.json`.
    Manifest(&'a [u8]),
    /// Evidence without a manifest: itself a break, reported at that commit.
    NoManifest,
}

/// The header of an inventory file; the data is skipped unread.
#[derive(Deserialize)]
struct InventoryHeader {
    tenant_id: String,
    as_of: DateTime<Utc>,
}

/// Every way the snapshot's manifest disagrees with the hashed files beside it, and every way
/// it is not the manifest the tool writes (canonical bytes). Files that do not match their
/// hashes are reported by [`Snapshot::verify`]; this checks what those hashes cannot.
pub(super) fn bound_fields(s: &Snapshot, m: &Manifest) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(bytes) = s.files.get(MANIFEST)
        && canonical::to_bytes(m) != *bytes
    {
        problems.push(format!(
            "{MANIFEST}: not in the canonical form the tool writes (edited by hand?)"
        ));
    }
    if m.genesis != m.previous_manifest_sha256.is_none() {
        problems.push(format!(
            "{MANIFEST}: `genesis` is {} but `previous_manifest_sha256` is {}",
            m.genesis,
            m.previous_manifest_sha256
                .as_deref()
                .map_or("null".to_string(), |h| h.to_string())
        ));
    }
    if m.run.started_at > m.run.finished_at {
        problems.push(format!(
            "{MANIFEST}: `run.started_at` {} is after `run.finished_at` {}",
            m.run.started_at, m.run.finished_at
        ));
    }
    fn differs(
        problems: &mut Vec<String>,
        field: &str,
        file: &str,
        manifest: String,
        other: String,
    ) {
        if manifest != other {
            problems.push(format!(
                "{MANIFEST}: `{field}` is {manifest} but {file} says {other}"
            ));
        }
    }
    match s.summary() {
        Ok(sum) => {
            for (field, ours, theirs) in [
                ("tenant_id", m.tenant_id.clone(), sum.tenant_id),
                ("as_of", m.as_of.to_rfc3339(), sum.as_of.to_rfc3339()),
                (
                    "catalogue_version",
                    m.catalogue_version.clone(),
                    sum.catalogue_version,
                ),
                (
                    "criteria_edition",
                    m.criteria_edition.clone(),
                    sum.criteria_edition,
                ),
                (
                    "schema_version",
                    m.schema_version.to_string(),
                    sum.schema_version.to_string(),
                ),
            ] {
                differs(&mut problems, field, SUMMARY, ours, theirs);
            }
        }
        // A summary that is missing or unreadable is named; whether its bytes match the
        // manifest is reported by the hash check.
        Err(e) => problems.push(format!("cannot cross-check the manifest: {e}")),
    }
    for part in InventoryPart::ALL {
        let path = inventory_path(part);
        let Some(bytes) = s.files.get(&path) else {
            problems.push(format!("{path}: missing from the snapshot"));
            continue;
        };
        match parse_json::<InventoryHeader>(&path, bytes) {
            Ok(h) => {
                differs(
                    &mut problems,
                    "tenant_id",
                    &path,
                    m.tenant_id.clone(),
                    h.tenant_id,
                );
                differs(
                    &mut problems,
                    "as_of",
                    &path,
                    m.as_of.to_rfc3339(),
                    h.as_of.to_rfc3339(),
                );
            }
            Err(e) => problems.push(format!("cannot cross-check the manifest: {e}")),
        }
    }
    let subs = inventory_path(InventoryPart::Subscriptions);
    if let Some(bytes) = s.files.get(&subs)
        && let Ok(f) = parse_json::<SubscriptionsFile>(&subs, bytes)
    {
        let ids: Vec<String> = f.data.into_iter().map(|s| s.id).collect();
        differs(
            &mut problems,
            "subscriptions",
            &subs,
            format!("{:?}", m.subscriptions),
            format!("{ids:?}"),
        );
    }
    problems
}

/// Every way `manifest` disagrees with the snapshot it was built on: a genesis must sit on a
/// commit without evidence, any other snapshot must name exactly its first parent's manifest,
/// and a snapshot is never older than the one it replaces.
pub fn check_link(manifest: &Manifest, previous: Previous<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    match previous {
        Previous::NoEvidence => {
            if !manifest.genesis {
                problems.push(format!(
                    "manifest chain broken: the first parent holds no evidence, so this must be \
                     a genesis snapshot, but its manifest links to {} with `genesis` {}",
                    manifest
                        .previous_manifest_sha256
                        .as_deref()
                        .unwrap_or("null"),
                    manifest.genesis
                ));
            }
        }
        Previous::NoManifest => problems.push(
            "manifest chain broken: the first parent's evidence has no manifest.json to link to"
                .to_string(),
        ),
        Previous::Manifest(bytes) => {
            let want = sha256_hex(bytes);
            if manifest.genesis {
                problems.push(format!(
                    "manifest chain broken: the manifest claims to be a genesis, but the first \
                     parent holds evidence (manifest {want})"
                ));
            } else if manifest.previous_manifest_sha256.as_deref() != Some(want.as_str()) {
                problems.push(format!(
                    "manifest chain broken: previous_manifest_sha256 is {}, but the nearest \
                     earlier snapshot (the first parent's) has manifest {want}",
                    manifest
                        .previous_manifest_sha256
                        .as_deref()
                        .unwrap_or("null")
                ));
            }
            if let Ok(prev) = parse_json::<Manifest>(MANIFEST, bytes)
                && prev.as_of > manifest.as_of
            {
                problems.push(format!(
                    "snapshot order broken: evidence as of {} replaces newer evidence as of {}",
                    manifest.as_of, prev.as_of
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testutil;
    use crate::evidence::RunMeta;
    use chrono::TimeZone;

    type ManifestEdit = Box<dyn Fn(&mut Manifest)>;

    fn run(secs: i64) -> RunMeta {
        RunMeta {
            run_id: format!("r{secs}"),
            started_at: Utc.timestamp_opt(secs, 0).unwrap(),
            finished_at: Utc.timestamp_opt(secs + 5, 0).unwrap(),
        }
    }

    fn inventory(days: i64) -> crate::model::Inventory {
        let mut inv = testutil::inventory(vec![testutil::fixture_resource(
            "storage/storage_accounts_list.2025-06-01.json",
            0,
        )]);
        inv.collected_at += chrono::Duration::days(days);
        inv
    }

    /// Rewrites the manifest with `edit` applied, its bytes canonical again.
    fn edit_manifest(s: &mut Snapshot, edit: impl FnOnce(&mut Manifest)) {
        let mut m = s.manifest().unwrap();
        edit(&mut m);
        s.files.insert(MANIFEST.into(), canonical::to_bytes(&m));
    }

    #[test]
    fn a_built_snapshot_and_its_successor_satisfy_every_rule() {
        let a = crate::evidence::test_snapshot(&inventory(0), run(0));
        assert!(a.verify().unwrap().is_empty(), "{:?}", a.verify());
        let ma = a.manifest().unwrap();
        assert!(ma.genesis && ma.previous_manifest_sha256.is_none());
        assert!(check_link(&ma, Previous::NoEvidence).is_empty());

        let b =
            crate::evidence::assess(&inventory(1), &Default::default(), run(9), Some(&a)).unwrap();
        let mb = b.manifest().unwrap();
        assert!(!mb.genesis);
        let link = check_link(&mb, Previous::Manifest(&a.files[MANIFEST]));
        assert!(link.is_empty(), "{link:?}");
    }

    #[test]
    fn every_described_field_is_cross_checked() {
        let base = crate::evidence::test_snapshot(&inventory(0), run(0));
        let cases: Vec<(&str, ManifestEdit)> = vec![
            ("tenant_id", Box::new(|m| m.tenant_id = "other".into())),
            (
                "as_of",
                Box::new(|m| m.as_of += chrono::Duration::seconds(1)),
            ),
            (
                "subscriptions",
                Box::new(|m| m.subscriptions.push("x".into())),
            ),
            (
                "catalogue_version",
                Box::new(|m| m.catalogue_version += "x"),
            ),
            ("criteria_edition", Box::new(|m| m.criteria_edition += "x")),
            ("schema_version", Box::new(|m| m.schema_version += 1)),
            ("genesis", Box::new(|m| m.genesis = false)),
            (
                "run.started_at",
                Box::new(|m| m.run.started_at = m.run.finished_at + chrono::Duration::seconds(1)),
            ),
        ];
        for (field, edit) in cases {
            let mut s = base.clone();
            edit_manifest(&mut s, edit);
            let problems = s.verify().unwrap();
            assert!(
                problems.iter().any(|p| p.contains(&format!("`{field}`"))),
                "{field}: {problems:?}"
            );
        }
        // A hand edit that keeps every value but not the canonical bytes.
        let mut s = base.clone();
        let mut bytes = s.files[MANIFEST].clone();
        bytes.insert(1, b' ');
        s.files.insert(MANIFEST.into(), bytes);
        let problems = s.verify().unwrap();
        assert!(
            problems.iter().any(|p| p.contains("canonical")),
            "{problems:?}"
        );
    }

    #[test]
    fn links_must_name_the_first_parent_exactly() {
        let a = crate::evidence::test_snapshot(&inventory(0), run(0));
        let b =
            crate::evidence::assess(&inventory(1), &Default::default(), run(9), Some(&a)).unwrap();
        let c =
            crate::evidence::assess(&inventory(2), &Default::default(), run(19), Some(&b)).unwrap();
        let mb = b.manifest().unwrap();
        let mc = c.manifest().unwrap();
        // Reordered: c's manifest on top of a (skipping b), b on top of c.
        let skip = check_link(&mc, Previous::Manifest(&a.files[MANIFEST]));
        assert!(skip[0].contains("previous_manifest_sha256"), "{skip:?}");
        let back = check_link(&mb, Previous::Manifest(&c.files[MANIFEST]));
        assert!(
            back.iter().any(|p| p.contains("replaces newer evidence")),
            "{back:?}"
        );
        // A null link on top of evidence, declared genesis or not.
        let mut forged = mb.clone();
        forged.previous_manifest_sha256 = None;
        assert!(!check_link(&forged, Previous::Manifest(&a.files[MANIFEST])).is_empty());
        forged.genesis = true;
        let p = check_link(&forged, Previous::Manifest(&a.files[MANIFEST]));
        assert!(p[0].contains("claims to be a genesis"), "{p:?}");
        // A link where there is nothing to link to, and a parent without a manifest.
        assert!(check_link(&mb, Previous::NoEvidence)[0].contains("must be a genesis"));
        assert!(check_link(&mb, Previous::NoManifest)[0].contains("no manifest.json"));
    }

    #[test]
    fn building_on_evidence_without_a_manifest_is_refused() {
        let mut a = crate::evidence::test_snapshot(&inventory(0), run(0));
        a.files.remove(MANIFEST);
        let e = crate::evidence::assess(&inventory(1), &Default::default(), run(9), Some(&a))
            .unwrap_err();
        assert!(e.to_string().contains("manifest.json"), "{e}");
    }
}
