//! Which subscriptions a collection covers: every subscription the identity can see, or an
//! include list, or the subscriptions below a management group; minus an exclude list; minus
//! subscriptions of another tenant (Azure Lighthouse delegations, unless listed in
//! `include_delegated`); minus disabled or deleted subscriptions. Everything left out is named in
//! a note. Pure: the visible subscriptions, the management group's members and the assessed
//! tenant come in as data.
//!
//! Tenant filter: `GET /subscriptions` lists, besides the tenant's own subscriptions, those other
//! tenants delegated to it through Azure Lighthouse; each item's `tenantId` is the
//! subscription's home tenant (`managedByTenants` the tenants managing it). A subscription whose
//! `tenantId` differs from the assessed tenant is not the tenant's to certify, so it is skipped
//! and named unless configuration lists it. An item without `tenantId` (older api-versions omit
//! it) cannot be attributed: it is kept, since leaving it out could hide the tenant's own
//! resources, and a note names it as unverified. When the assessed tenant itself is unknown, no
//! subscription is filtered and a note says so.

use std::collections::BTreeSet;

use serde_json::Value;

/// What the user asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSpec {
    /// Subscription ids to include; empty means every visible subscription.
    pub subscriptions: Vec<String>,
    /// Collect the subscriptions below this management group (id, not display name).
    pub management_group: Option<String>,
    /// Subscription ids to leave out.
    pub exclude: Vec<String>,
    /// Subscriptions of another tenant (Azure Lighthouse delegations) to assess anyway; every
    /// other subscription whose home tenant is not the assessed tenant is skipped and named.
    pub include_delegated: Vec<String>,
}

/// One row of `GET /subscriptions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Visible {
    pub id: String,
    pub display_name: String,
    pub state: Option<String>,
    /// The subscription's home tenant (`tenantId`).
    pub tenant_id: Option<String>,
    /// `managedByTenants[].tenantId`: the tenants managing it through Azure Lighthouse.
    pub managed_by_tenants: Vec<String>,
}

impl Visible {
    /// Reads a `GET /subscriptions` item; `None` without a `subscriptionId`.
    pub(crate) fn from_arm(v: &Value) -> Option<Self> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let id = text("subscriptionId").filter(|s| !s.is_empty())?;
        Some(Self {
            display_name: text("displayName").unwrap_or_else(|| id.clone()),
            state: text("state"),
            tenant_id: text("tenantId").filter(|t| !t.trim().is_empty()),
            managed_by_tenants: v
                .get("managedByTenants")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|m| m.get("tenantId").and_then(Value::as_str))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            id,
        })
    }
}

/// The outcome of scoping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// In scope, enabled, sorted by id.
    pub subscriptions: Vec<Visible>,
    /// Requested explicitly (or below the management group) but not visible to the identity:
    /// each becomes a gap, since their data cannot be read.
    pub not_visible: Vec<String>,
    /// Visible subscriptions left out on purpose (excluded, of another tenant, disabled).
    pub skipped: Vec<String>,
    /// Visible subscriptions left out because their home tenant is not the assessed tenant
    /// (also in `skipped`), sorted by id.
    pub other_tenant: Vec<String>,
    /// Human-readable notes on what was skipped and why.
    pub notes: Vec<String>,
}

/// States in which a subscription's resources cannot be read (or are about to be deleted).
fn is_disabled(state: Option<&str>) -> bool {
    state.is_some_and(|s| s.eq_ignore_ascii_case("Disabled") || s.eq_ignore_ascii_case("Deleted"))
}

fn key(id: &str) -> String {
    id.trim().to_ascii_lowercase()
}

/// The subscription's home tenant when it is known and is not `home` (case-insensitive).
fn foreign_tenant<'a>(v: &'a Visible, home: &str) -> Option<&'a str> {
    v.tenant_id
        .as_deref()
        .filter(|t| !t.trim().eq_ignore_ascii_case(home.trim()))
}

/// `; managed by tenant(s) a, b` from `managedByTenants`, or nothing.
fn managed_by(v: &Visible) -> String {
    if v.managed_by_tenants.is_empty() {
        String::new()
    } else {
        format!(", managed by tenant(s) {}", v.managed_by_tenants.join(", "))
    }
}

/// Applies the spec to the visible subscriptions. `group_members` is the set of subscription
/// ids below the management group (lower-case), when the spec names one. `home_tenant` is the
/// assessed tenant; `None` when it could not be established (no filter by tenant, with a note).
pub(crate) fn resolve(
    spec: &ScopeSpec,
    visible: &[Visible],
    group_members: Option<&BTreeSet<String>>,
    home_tenant: Option<&str>,
) -> Resolved {
    let include: BTreeSet<String> = spec.subscriptions.iter().map(|s| key(s)).collect();
    let exclude: BTreeSet<String> = spec.exclude.iter().map(|s| key(s)).collect();
    let delegated: BTreeSet<String> = spec.include_delegated.iter().map(|s| key(s)).collect();
    let mut out = Resolved::default();
    let mut seen = BTreeSet::new();
    let mut sorted = visible.to_vec();
    sorted.sort_by_key(|v| key(&v.id));
    for v in sorted {
        let k = key(&v.id);
        if !seen.insert(k.clone()) {
            continue;
        }
        if !include.is_empty() && !include.contains(&k) {
            continue;
        }
        if let Some(members) = group_members
            && !members.contains(&k)
        {
            continue;
        }
        if exclude.contains(&k) {
            out.notes.push(format!(
                "subscription {} ({}) excluded by configuration",
                v.id, v.display_name
            ));
            out.skipped.push(v.id.clone());
            continue;
        }
        match home_tenant {
            Some(home) => match foreign_tenant(&v, home) {
                Some(t) if delegated.contains(&k) => out.notes.push(format!(
                    "subscription {} ({}) belongs to tenant {t}, not the assessed tenant \
                     {home}{}: assessed because include_delegated_subscriptions lists it",
                    v.id,
                    v.display_name,
                    managed_by(&v)
                )),
                Some(t) => {
                    out.notes.push(format!(
                        "subscription {} ({}) skipped: it belongs to tenant {t}, not the \
                         assessed tenant {home}{} (delegated, e.g. Azure Lighthouse); list it \
                         in include_delegated_subscriptions to assess it",
                        v.id,
                        v.display_name,
                        managed_by(&v)
                    ));
                    out.skipped.push(v.id.clone());
                    out.other_tenant.push(v.id.clone());
                    continue;
                }
                None if v.tenant_id.is_none() => out.notes.push(format!(
                    "subscription {} ({}) kept in scope unverified: GET /subscriptions did not \
                     report its tenantId, so it cannot be told apart from a subscription of \
                     another tenant",
                    v.id, v.display_name
                )),
                None if delegated.contains(&k) => out.notes.push(format!(
                    "subscription {} ({}) is listed in include_delegated_subscriptions but \
                     belongs to the assessed tenant {home}",
                    v.id, v.display_name
                )),
                None => {}
            },
            None => {
                if let Some(t) = v.tenant_id.as_deref() {
                    out.notes.push(format!(
                        "subscription {} ({}) of tenant {t} kept in scope unverified: the \
                         assessed tenant is unknown, so subscriptions of other tenants cannot \
                         be told apart",
                        v.id, v.display_name
                    ));
                }
            }
        }
        if is_disabled(v.state.as_deref()) {
            out.notes.push(format!(
                "subscription {} ({}) skipped: state {}",
                v.id,
                v.display_name,
                v.state.as_deref().unwrap_or("unknown")
            ));
            out.skipped.push(v.id.clone());
            continue;
        }
        out.subscriptions.push(v);
    }
    let wanted: BTreeSet<String> = match group_members {
        Some(m) if include.is_empty() => m.clone(),
        Some(m) => include.intersection(m).cloned().collect(),
        None => include,
    };
    // A delegated subscription named explicitly is wanted too: not seeing it is a gap.
    let wanted: BTreeSet<String> = wanted.into_iter().chain(delegated).collect();
    for w in wanted {
        if !seen.contains(&w) && !exclude.contains(&w) {
            out.not_visible.push(w);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sub(id: &str, state: &str) -> Visible {
        Visible {
            id: id.into(),
            display_name: format!("name-{id}"),
            state: Some(state.into()),
            tenant_id: Some("t".into()),
            managed_by_tenants: vec![],
        }
    }

    /// A subscription of tenant `tenant`, delegated to (managed by) tenant `t`.
    fn foreign(id: &str, tenant: &str) -> Visible {
        Visible {
            tenant_id: Some(tenant.into()),
            managed_by_tenants: vec!["t".into()],
            ..sub(id, "Enabled")
        }
    }

    fn ids(r: &Resolved) -> Vec<&str> {
        r.subscriptions.iter().map(|s| s.id.as_str()).collect()
    }

    fn visible() -> Vec<Visible> {
        vec![
            sub("c", "Enabled"),
            sub("a", "Enabled"),
            sub("b", "Warned"),
            sub("d", "Disabled"),
        ]
    }

    #[test]
    fn all_visible_minus_disabled_sorted() {
        let r = resolve(&ScopeSpec::default(), &visible(), None, Some("t"));
        assert_eq!(ids(&r), ["a", "b", "c"]);
        assert_eq!(r.skipped, ["d"]);
        assert_eq!(r.notes, ["subscription d (name-d) skipped: state Disabled"]);
        assert!(r.not_visible.is_empty());
    }

    #[test]
    fn include_and_exclude_lists_case_insensitive() {
        let spec = ScopeSpec {
            subscriptions: vec!["A".into(), "C".into(), "zz".into()],
            exclude: vec!["c".into()],
            ..Default::default()
        };
        let r = resolve(&spec, &visible(), None, Some("t"));
        assert_eq!(ids(&r), ["a"]);
        assert_eq!(r.not_visible, ["zz"]);
        assert_eq!(r.skipped, ["c"]);
    }

    #[test]
    fn management_group_members() {
        let members: BTreeSet<String> = ["a", "d", "x"].iter().map(|s| s.to_string()).collect();
        let spec = ScopeSpec {
            management_group: Some("mg".into()),
            ..Default::default()
        };
        let r = resolve(&spec, &visible(), Some(&members), Some("t"));
        assert_eq!(ids(&r), ["a"]);
        assert_eq!(r.skipped, ["d"]);
        assert_eq!(r.not_visible, ["x"]);
    }

    #[test]
    fn a_subscription_of_another_tenant_is_skipped_and_named_by_default() {
        let mut v = visible();
        v.push(foreign("e", "other"));
        let r = resolve(&ScopeSpec::default(), &v, None, Some("T"));
        // The home tenant compares case-insensitively: "t" is "T".
        assert_eq!(ids(&r), ["a", "b", "c"]);
        assert_eq!(r.other_tenant, ["e"]);
        assert_eq!(r.skipped, ["d", "e"]);
        let note = r.notes.iter().find(|n| n.contains(" e ")).unwrap();
        assert_eq!(
            note,
            "subscription e (name-e) skipped: it belongs to tenant other, not the assessed \
             tenant T, managed by tenant(s) t (delegated, e.g. Azure Lighthouse); list it in \
             include_delegated_subscriptions to assess it"
        );
        assert!(r.not_visible.is_empty());
    }

    #[test]
    fn a_delegated_subscription_listed_in_config_is_assessed_with_its_tenant() {
        let mut v = visible();
        v.push(foreign("e", "other"));
        v.push(foreign("f", "third"));
        let spec = ScopeSpec {
            include_delegated: vec!["E".into(), "gone".into()],
            ..Default::default()
        };
        let r = resolve(&spec, &v, None, Some("t"));
        assert_eq!(ids(&r), ["a", "b", "c", "e"]);
        let e = r.subscriptions.iter().find(|s| s.id == "e").unwrap();
        assert_eq!(e.tenant_id.as_deref(), Some("other"));
        // Listing one delegation does not let the others in.
        assert_eq!(r.other_tenant, ["f"]);
        assert!(r.notes.iter().any(|n| n.starts_with(
            "subscription e (name-e) belongs to tenant other, not the assessed tenant t"
        )));
        // Asked for explicitly and not visible: a gap, like an include list entry.
        assert_eq!(r.not_visible, ["gone"]);
    }

    #[test]
    fn a_subscription_without_tenant_id_is_kept_and_named_unverified() {
        let mut v = visible();
        v.push(Visible {
            tenant_id: None,
            ..sub("e", "Enabled")
        });
        let r = resolve(&ScopeSpec::default(), &v, None, Some("t"));
        assert_eq!(ids(&r), ["a", "b", "c", "e"]);
        assert!(r.other_tenant.is_empty());
        assert!(r.notes.iter().any(|n| n.starts_with(
            "subscription e (name-e) kept in scope unverified: GET /subscriptions did not \
             report its tenantId"
        )));
    }

    #[test]
    fn an_unknown_assessed_tenant_filters_nothing_and_says_so() {
        let v = vec![sub("a", "Enabled"), foreign("e", "other")];
        let r = resolve(&ScopeSpec::default(), &v, None, None);
        assert_eq!(ids(&r), ["a", "e"]);
        assert_eq!(r.notes.len(), 2, "{:?}", r.notes);
        assert!(
            r.notes
                .iter()
                .all(|n| n.contains("the assessed tenant is unknown"))
        );
    }

    #[test]
    fn excluded_or_unrequested_delegations_are_not_double_counted() {
        let v = vec![sub("a", "Enabled"), foreign("e", "other")];
        let spec = ScopeSpec {
            exclude: vec!["e".into()],
            ..Default::default()
        };
        let r = resolve(&spec, &v, None, Some("t"));
        assert_eq!(ids(&r), ["a"]);
        assert!(r.other_tenant.is_empty());
        assert_eq!(r.skipped, ["e"]);
        let spec = ScopeSpec {
            subscriptions: vec!["a".into()],
            ..Default::default()
        };
        let r = resolve(&spec, &v, None, Some("t"));
        assert_eq!(ids(&r), ["a"]);
        assert!(r.notes.is_empty(), "{:?}", r.notes);
    }

    #[test]
    fn the_microsoft_example_is_two_delegations_seen_from_the_managing_tenant() {
        let body: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/azure/resources/subscriptions_list.2022-12-01.json"
        ))
        .unwrap();
        let rows: Vec<Visible> = body["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Visible::from_arm)
            .collect();
        assert_eq!(
            rows[1].managed_by_tenants,
            [
                "8f70baf1-1f6e-46a2-a1ff-238dac1ebfb7",
                "f7fb6af2-321d-47c8-9c0f-b0239eaad39a"
            ]
        );
        // Assessed as the managing tenant, both subscriptions belong to other tenants.
        let r = resolve(
            &ScopeSpec::default(),
            &rows,
            None,
            Some("8f70baf1-1f6e-46a2-a1ff-238dac1ebfb7"),
        );
        assert!(r.subscriptions.is_empty());
        assert_eq!(
            r.other_tenant,
            [
                "291bba3f-e0a5-47bc-a099-3bdcb2a50a05",
                "72ac930a-f34e-42d8-b06d-dc2a9e12ed71"
            ]
        );
        // Assessed as the first one's home tenant, only that one is in scope.
        let r = resolve(
            &ScopeSpec::default(),
            &rows,
            None,
            Some("31c75423-32d6-4322-88b7-c478bdde4858"),
        );
        assert_eq!(ids(&r), ["291bba3f-e0a5-47bc-a099-3bdcb2a50a05"]);
        assert_eq!(r.other_tenant, ["72ac930a-f34e-42d8-b06d-dc2a9e12ed71"]);
    }

    #[test]
    fn reads_the_microsoft_subscriptions_example() {
        let body: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/azure/resources/subscriptions_list.2022-12-01.json"
        ))
        .unwrap();
        let rows: Vec<Visible> = body["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Visible::from_arm)
            .collect();
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| !r.id.is_empty() && r.state.is_some()));
        assert!(Visible::from_arm(&json!({"displayName": "no id"})).is_none());
    }
}
