//! Which subscriptions a collection covers: every subscription the identity can see, or an
//! include list, or the subscriptions below a management group; minus an exclude list; minus
//! disabled or deleted subscriptions (skipped with a note). Pure: the visible subscriptions and
//! the management group's members come in as data.

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
}

/// One row of `GET /subscriptions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Visible {
    pub id: String,
    pub display_name: String,
    pub state: Option<String>,
    pub tenant_id: Option<String>,
}

impl Visible {
    /// Reads a `GET /subscriptions` item; `None` without a `subscriptionId`.
    pub(crate) fn from_arm(v: &Value) -> Option<Self> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let id = text("subscriptionId").filter(|s| !s.is_empty())?;
        Some(Self {
            display_name: text("displayName").unwrap_or_else(|| id.clone()),
            state: text("state"),
            tenant_id: text("tenantId"),
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
    /// Visible subscriptions left out on purpose (excluded, disabled, outside the group).
    pub skipped: Vec<String>,
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

/// Applies the spec to the visible subscriptions. `group_members` is the set of subscription
/// ids below the management group (lower-case), when the spec names one.
pub(crate) fn resolve(
    spec: &ScopeSpec,
    visible: &[Visible],
    group_members: Option<&BTreeSet<String>>,
) -> Resolved {
    let include: BTreeSet<String> = spec.subscriptions.iter().map(|s| key(s)).collect();
    let exclude: BTreeSet<String> = spec.exclude.iter().map(|s| key(s)).collect();
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
        let r = resolve(&ScopeSpec::default(), &visible(), None);
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
        let r = resolve(&spec, &visible(), None);
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
        let r = resolve(&spec, &visible(), Some(&members));
        assert_eq!(ids(&r), ["a"]);
        assert_eq!(r.skipped, ["d"]);
        assert_eq!(r.not_visible, ["x"]);
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
