//! Merging inventory parts (sharded collection) into one inventory. Pure.
//!
//! Rules, chosen so that the checks read a merged inventory exactly as they read one collection
//! and so that no part's provenance is lost:
//! - Every part must be of the same tenant and inventory format.
//! - Subscriptions and resources are unioned by id; the same id in two parts with different
//!   content is a conflict and refused. Identical duplicates are kept once.
//! - Identity (tenant-wide, Microsoft Graph) is taken from the part that collected it (shard 1);
//!   two parts holding different values for the same identity field is a conflict.
//! - Change events are unioned and deduplicated by event id.
//! - Sources with the same name are merged into one record (checks look a source up by name,
//!   and a gap in any part must reach them): scopes, gaps and notes are unioned; pages, records,
//!   calls and independent counts are summed; the time span covers every part; differing queries
//!   or identities are all kept. A note per part records that part's own figures (label, query
//!   scope, pages, records, calls, times), so every part's record survives in the evidence.
//! - `collected_at` is the latest part's.

use std::collections::{BTreeMap, BTreeSet};

use super::{Inventory, Source};

/// Why parts cannot be merged.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("no inventory to merge")]
    Empty,
    #[error(
        "{part}: tenant {found} differs from {first}'s tenant {expected}; every part must be of one tenant"
    )]
    Tenant {
        part: String,
        found: String,
        first: String,
        expected: String,
    },
    #[error("{part}: schema_version {found} differs from {first}'s {expected}")]
    Version {
        part: String,
        found: u32,
        first: String,
        expected: u32,
    },
    #[error("{what} {id} differs between {a} and {b}; parts must not overlap with different data")]
    Conflict {
        what: &'static str,
        id: String,
        a: String,
        b: String,
    },
    #[error("source {name}: {detail} differs between parts ({a} vs {b})")]
    Source {
        name: String,
        detail: &'static str,
        a: String,
        b: String,
    },
}

impl Inventory {
    /// Merges labelled parts (label: e.g. the file each was read from) into one inventory, as
    /// described in the module docs. One part is returned as it is.
    pub fn merge(parts: Vec<(String, Inventory)>) -> Result<Inventory, MergeError> {
        let mut iter = parts.into_iter();
        let (first_label, first) = iter.next().ok_or(MergeError::Empty)?;
        let rest: Vec<(String, Inventory)> = iter.collect();
        if rest.is_empty() {
            return Ok(first);
        }
        let total = rest.len() + 1;
        for (label, p) in &rest {
            if !p.tenant_id.eq_ignore_ascii_case(&first.tenant_id) {
                return Err(MergeError::Tenant {
                    part: label.clone(),
                    found: p.tenant_id.clone(),
                    first: first_label.clone(),
                    expected: first.tenant_id.clone(),
                });
            }
            if p.schema_version != first.schema_version {
                return Err(MergeError::Version {
                    part: label.clone(),
                    found: p.schema_version,
                    first: first_label.clone(),
                    expected: first.schema_version,
                });
            }
        }
        let all: Vec<(String, Inventory)> =
            std::iter::once((first_label, first)).chain(rest).collect();

        let mut subs: BTreeMap<String, (String, super::Subscription)> = BTreeMap::new();
        let mut resources: BTreeMap<String, (String, super::Resource)> = BTreeMap::new();
        let mut identity: Option<(String, serde_json::Value)> = None;
        let mut changes: Option<Vec<super::ChangeEvent>> = None;
        let mut sources: BTreeMap<String, Source> = BTreeMap::new();
        let mut collected_at = all[0].1.collected_at;

        for (k, (label, inv)) in all.iter().enumerate() {
            collected_at = collected_at.max(inv.collected_at);
            for s in &inv.subscriptions {
                union(&mut subs, "subscription", &s.id, label, s)?;
            }
            for r in &inv.resources {
                union(&mut resources, "resource", &r.id, label, r)?;
            }
            identity = Some(merge_identity(identity, label, &inv.identity)?);
            if let Some(c) = &inv.changes {
                changes
                    .get_or_insert_with(Vec::new)
                    .extend(c.iter().cloned());
            }
            for s in &inv.sources {
                let note = format!(
                    "part {}/{total} ({label}): scope {}; {} page(s), {} record(s), {} call(s); \
                     {} to {}",
                    k + 1,
                    if s.scope.is_empty() {
                        "none".to_string()
                    } else {
                        s.scope.join(", ")
                    },
                    s.pages,
                    s.records,
                    s.calls,
                    s.started_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    s.finished_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                );
                match sources.get_mut(&s.name) {
                    None => {
                        let mut s = s.clone();
                        s.notes.push(note);
                        sources.insert(s.name.clone(), s);
                    }
                    Some(m) => merge_source(m, s, note)?,
                }
            }
        }

        let identity = match identity {
            Some((_, v)) => serde_json::from_value(v).unwrap_or_default(),
            None => Default::default(),
        };
        let mut out = Inventory {
            schema_version: all[0].1.schema_version,
            tenant_id: all[0].1.tenant_id.clone(),
            collected_at,
            subscriptions: subs.into_values().map(|(_, s)| s).collect(),
            resources: resources.into_values().map(|(_, r)| r).collect(),
            identity,
            changes,
            sources: sources.into_values().collect(),
        };
        out.normalise();
        Ok(out)
    }
}

fn union<T: Clone + PartialEq>(
    map: &mut BTreeMap<String, (String, T)>,
    what: &'static str,
    id: &str,
    label: &str,
    item: &T,
) -> Result<(), MergeError> {
    let key = id.to_ascii_lowercase();
    match map.get(&key) {
        Some((a, existing)) if existing != item => Err(MergeError::Conflict {
            what,
            id: id.to_string(),
            a: a.clone(),
            b: label.to_string(),
        }),
        Some(_) => Ok(()),
        None => {
            map.insert(key, (label.to_string(), item.clone()));
            Ok(())
        }
    }
}

/// Field by field: `null` (not collected) yields to a value; two different values conflict.
fn merge_identity(
    acc: Option<(String, serde_json::Value)>,
    label: &str,
    next: &super::Identity,
) -> Result<(String, serde_json::Value), MergeError> {
    let next = serde_json::to_value(next).unwrap_or_default();
    let Some((first, mut acc)) = acc else {
        return Ok((label.to_string(), next));
    };
    if let (Some(a), Some(n)) = (acc.as_object_mut(), next.as_object()) {
        for (k, v) in n {
            if v.is_null() {
                continue;
            }
            match a.get(k) {
                Some(existing) if !existing.is_null() && existing != v => {
                    return Err(MergeError::Conflict {
                        what: "identity field",
                        id: k.clone(),
                        a: first,
                        b: label.to_string(),
                    });
                }
                _ => {
                    a.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Ok((first, acc))
}

fn merge_source(m: &mut Source, s: &Source, note: String) -> Result<(), MergeError> {
    let refuse = |detail: &'static str, a: String, b: String| MergeError::Source {
        name: m.name.clone(),
        detail,
        a,
        b,
    };
    if m.part != s.part {
        return Err(refuse(
            "inventory part",
            m.part.name().into(),
            s.part.name().into(),
        ));
    }
    if m.endpoint != s.endpoint {
        return Err(refuse("endpoint", m.endpoint.clone(), s.endpoint.clone()));
    }
    if m.api_version != s.api_version {
        return Err(refuse(
            "api-version",
            m.api_version.clone(),
            s.api_version.clone(),
        ));
    }
    if m.query != s.query && !m.query.split("\n---\n").any(|q| q == s.query) {
        m.query = format!("{}\n---\n{}", m.query, s.query);
    }
    let scope: BTreeSet<String> = m.scope.iter().chain(&s.scope).cloned().collect();
    m.scope = scope.into_iter().collect();
    m.pages += s.pages;
    m.records += s.records;
    m.calls += s.calls;
    m.independent_count = match (m.independent_count, s.independent_count) {
        (Some(a), Some(b)) => Some(a + b),
        _ => None,
    };
    m.started_at = m.started_at.min(s.started_at);
    m.finished_at = m.finished_at.max(s.finished_at);
    m.identity = match (m.identity.take(), &s.identity) {
        (Some(a), Some(b)) if &a != b => Some(format!("{a}; {b}")),
        (Some(a), _) => Some(a),
        (None, b) => b.clone(),
    };
    for g in &s.gaps {
        if !m.gaps.contains(g) {
            m.gaps.push(g.clone());
        }
    }
    for n in s.notes.iter().chain(std::iter::once(&note)) {
        if !m.notes.contains(n) {
            m.notes.push(n.clone());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Gap, InventoryPart, Resource, Subscription};
    use chrono::{DateTime, Utc};

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn source(name: &str, scope: &str, records: u64, gaps: &[&str]) -> Source {
        Source {
            name: name.into(),
            part: InventoryPart::Resources,
            endpoint: "https://management.azure.com".into(),
            api_version: "2022-10-01".into(),
            query: "Resources".into(),
            scope: vec![scope.into()],
            pages: 1,
            records,
            independent_count: Some(records),
            started_at: t("2026-11-01T00:00:00Z"),
            finished_at: t("2026-11-01T00:01:00Z"),
            identity: Some("client-1".into()),
            gaps: gaps
                .iter()
                .map(|g| Gap {
                    scope: g.to_string(),
                    reason: "403".into(),
                    read: None,
                })
                .collect(),
            calls: 1,
            notes: vec![],
        }
    }

    fn resource(sub: &str, name: &str) -> Resource {
        Resource {
            id: format!("/subscriptions/{sub}/resourceGroups/rg/providers/x/y/{name}"),
            r#type: "x/y".into(),
            name: name.into(),
            location: None,
            subscription_id: sub.into(),
            resource_group: Some("rg".into()),
            tags: Default::default(),
            sku: None,
            kind: None,
            zones: vec![],
            identity: None,
            properties: serde_json::json!({}),
            children: Default::default(),
        }
    }

    fn part(sub: &str, at: &str, identity: bool) -> Inventory {
        let mut inv = Inventory {
            schema_version: crate::model::INVENTORY_SCHEMA_VERSION,
            tenant_id: "tenant-1".into(),
            collected_at: t(at),
            subscriptions: vec![Subscription {
                id: sub.into(),
                display_name: sub.into(),
                ..Default::default()
            }],
            resources: vec![resource(sub, "a")],
            identity: Default::default(),
            changes: Some(vec![]),
            sources: vec![source(
                "resource_graph.resources",
                &format!("/subscriptions/{sub}"),
                1,
                &[],
            )],
        };
        if identity {
            inv.identity.users = Some(vec![serde_json::json!({"id": "u1"})]);
            inv.sources.push(Source {
                part: InventoryPart::Identity,
                ..source("graph.users", "/tenants/tenant-1", 1, &[])
            });
        }
        inv
    }

    #[test]
    fn parts_are_unioned_and_every_part_provenance_survives() {
        let mut b = part("s2", "2026-11-01T00:05:00Z", false);
        b.sources[0].gaps.push(Gap {
            scope: "/subscriptions/s2".into(),
            reason: "403".into(),
            read: None,
        });
        let m = Inventory::merge(vec![
            (
                "part1.json".into(),
                part("s1", "2026-11-01T00:02:00Z", true),
            ),
            ("part2.json".into(), b),
        ])
        .unwrap();
        assert_eq!(m.collected_at, t("2026-11-01T00:05:00Z"));
        let subs: Vec<&str> = m.subscriptions.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(subs, ["s1", "s2"]);
        assert_eq!(m.resources.len(), 2);
        assert!(
            m.identity.users.is_some(),
            "identity from the part that has it"
        );
        let rg = m.source("resource_graph.resources").unwrap();
        assert_eq!(rg.scope, ["/subscriptions/s1", "/subscriptions/s2"]);
        assert_eq!((rg.records, rg.pages, rg.calls), (2, 2, 2));
        assert_eq!(rg.independent_count, Some(2));
        assert_eq!(rg.gaps.len(), 1, "a gap of any part reaches the checks");
        assert_eq!(rg.notes.len(), 2);
        assert!(rg.notes[0].starts_with("part 1/2 (part1.json): scope /subscriptions/s1"));
        assert!(rg.notes[1].starts_with("part 2/2 (part2.json): scope /subscriptions/s2"));
        assert!(m.source("graph.users").is_some());
    }

    #[test]
    fn merging_is_order_independent_in_content() {
        let a = part("s1", "2026-11-01T00:02:00Z", true);
        let b = part("s2", "2026-11-01T00:05:00Z", false);
        let ab = Inventory::merge(vec![("a".into(), a.clone()), ("b".into(), b.clone())]).unwrap();
        let ba = Inventory::merge(vec![("b".into(), b), ("a".into(), a)]).unwrap();
        assert_eq!(ab.subscriptions, ba.subscriptions);
        assert_eq!(ab.resources, ba.resources);
        assert_eq!(ab.identity, ba.identity);
    }

    #[test]
    fn identical_overlap_is_kept_once_and_a_single_part_is_unchanged() {
        let a = part("s1", "2026-11-01T00:02:00Z", false);
        let m = Inventory::merge(vec![("a".into(), a.clone()), ("b".into(), a.clone())]).unwrap();
        assert_eq!(m.resources.len(), 1);
        assert_eq!(Inventory::merge(vec![("a".into(), a.clone())]).unwrap(), a);
        assert_eq!(Inventory::merge(vec![]), Err(MergeError::Empty));
    }

    #[test]
    fn conflicts_and_other_tenants_are_refused() {
        let a = part("s1", "2026-11-01T00:02:00Z", false);
        let mut b = part("s1", "2026-11-01T00:02:00Z", false);
        b.resources[0].location = Some("westeurope".into());
        let e = Inventory::merge(vec![("a".into(), a.clone()), ("b".into(), b)]).unwrap_err();
        assert!(
            matches!(
                e,
                MergeError::Conflict {
                    what: "resource",
                    ..
                }
            ),
            "{e}"
        );

        let mut c = part("s2", "2026-11-01T00:02:00Z", false);
        c.tenant_id = "tenant-2".into();
        let e = Inventory::merge(vec![("a".into(), a.clone()), ("c".into(), c)]).unwrap_err();
        assert!(e.to_string().contains("tenant-2"), "{e}");

        let x = part("s1", "2026-11-01T00:02:00Z", true);
        let mut y = part("s2", "2026-11-01T00:02:00Z", true);
        y.identity.users = Some(vec![]);
        let e = Inventory::merge(vec![("x".into(), x), ("y".into(), y)]).unwrap_err();
        assert!(e.to_string().contains("users"), "{e}");

        let mut d = part("s3", "2026-11-01T00:02:00Z", false);
        d.sources[0].endpoint = "https://management.chinacloudapi.cn".into();
        let e = Inventory::merge(vec![("a".into(), a), ("d".into(), d)]).unwrap_err();
        assert!(e.to_string().contains("endpoint"), "{e}");
    }
}
