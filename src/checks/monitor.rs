//! Azure Monitor checks: export of the subscription Activity Log through subscription-scope
//! diagnostic settings. Also owns the reading of ARM diagnostic settings (destinations, enabled
//! log entries), which resource checks such as Key Vault logging reuse.
//!
//! Activity Log alert rules are deliberately not checked here: the inventory carries them only
//! as resources (`microsoft.insights/activitylogalerts`), and a per-resource check cannot see
//! that an alert is absent.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::{Check, CheckMeta, Eval, Severity, Verdict};
use crate::model::Subscription;

pub(super) const CHECKS: &[Check] = &[Check {
    meta: CheckMeta {
        id: "monitor_activity_log_exported",
        title: "The subscription Activity Log is exported by a diagnostic setting",
        service: "monitor",
        severity: Severity::Medium,
        criteria: &["CC7.2", "CC8.1"],
        cis: &[
            "2.1.0:5.1.1",
            "2.1.0:5.1.2",
            "3.0.0:6.1.1",
            "3.0.0:6.1.2",
            "4.0.0:7.1.1.1",
            "4.0.0:7.1.1.2",
            "5.0.0:6.1.1.1",
            "5.0.0:6.1.1.2",
            "6.0.0:6.1.1.1",
            "6.0.0:6.1.1.2",
        ],
        policies: &[],
        description: "Reads the subscription's diagnostic settings (Microsoft.Insights/\
                      diagnosticSettings at subscription scope). Passes when the Activity Log \
                      categories Administrative, Security, Policy and Alert are each enabled \
                      (properties.logs[].enabled = true, by category or through categoryGroup \
                      allLogs) in a setting that has a destination: a non-empty workspaceId, \
                      storageAccountId, eventHubAuthorizationRuleId or marketplacePartnerId. The \
                      categories may be spread over several settings, since what matters is that \
                      each leaves the platform. No setting at all fails; settings not collected \
                      is an error.",
        rationale: "The Activity Log is the record of every control-plane change and is kept by \
                    Azure for only 90 days. Exporting it preserves the change population (CC8.1) \
                    and feeds the monitoring that detects anomalous administrative activity \
                    (CC7.2).",
        remediation: "Portal: Monitor > Activity log > Export Activity Logs > Add diagnostic \
                      setting; select Administrative, Security, Policy and Alert (or allLogs) and \
                      a Log Analytics workspace or storage account. CLI: az monitor \
                      diagnostic-settings subscription create -n activity-log-export --location \
                      <region> --workspace <workspace-id> --logs \
                      '[{\"categoryGroup\":\"allLogs\",\"enabled\":true}]'",
        sources: &["arm.subscription_diagnostic_settings"],
    },
    eval: Eval::Subscription(activity_log_exported),
}];

/// The Activity Log categories CIS and most auditors expect to be retained.
const ACTIVITY_LOG_CATEGORIES: [&str; 4] = ["Administrative", "Security", "Policy", "Alert"];

/// Destination fields of an ARM diagnostic setting (2021-05-01-preview).
const DESTINATIONS: [&str; 4] = [
    "workspaceId",
    "storageAccountId",
    "eventHubAuthorizationRuleId",
    "marketplacePartnerId",
];

/// One `properties.logs[]` entry that is enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LogSelector<'a> {
    Category(&'a str),
    Group(&'a str),
}

impl LogSelector<'_> {
    fn render(self) -> String {
        match self {
            Self::Category(c) => format!("category:{c}"),
            Self::Group(g) => format!("categoryGroup:{g}"),
        }
    }
}

/// The settings in a collected diagnostic-settings body: a bare array or an ARM list
/// (`{"value": [...]}`). `None` when the body is neither.
pub(super) fn settings_list(body: &Value) -> Option<&[Value]> {
    match body {
        Value::Array(items) => Some(items),
        Value::Object(o) => o.get("value")?.as_array().map(Vec::as_slice),
        _ => None,
    }
}

/// Destinations a setting sends to, by field name. An empty string is no destination: the
/// Microsoft example itself carries `"workspaceId": ""`.
pub(super) fn destinations(setting: &Value) -> Vec<(&'static str, &str)> {
    DESTINATIONS
        .iter()
        .filter_map(|k| {
            let v = setting
                .pointer(&format!("/properties/{k}"))?
                .as_str()?
                .trim();
            (!v.is_empty()).then_some((*k, v))
        })
        .collect()
}

/// The log entries a setting has enabled. Only `enabled: true` counts: absent is not enabled.
pub(super) fn enabled_logs(setting: &Value) -> Vec<LogSelector<'_>> {
    setting
        .pointer("/properties/logs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|l| l.get("enabled").and_then(Value::as_bool) == Some(true))
        .filter_map(|l| {
            if let Some(c) = l.get("category").and_then(Value::as_str) {
                Some(LogSelector::Category(c))
            } else {
                l.get("categoryGroup")
                    .and_then(Value::as_str)
                    .map(LogSelector::Group)
            }
        })
        .collect()
}

pub(super) fn setting_name(setting: &Value) -> &str {
    setting
        .get("name")
        .or_else(|| setting.get("id"))
        .and_then(Value::as_str)
        .unwrap_or("(unnamed setting)")
}

/// What a setting does, for the observed values: its name, destinations and enabled logs.
pub(super) fn summarise(setting: &Value) -> Value {
    let dest: Map<String, Value> = destinations(setting)
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::from(v)))
        .collect();
    let logs: Vec<String> = enabled_logs(setting)
        .into_iter()
        .map(LogSelector::render)
        .collect();
    json!({
        "name": setting_name(setting),
        "destinations": dest,
        "enabledLogs": logs,
    })
}

fn activity_log_exported(s: &Subscription) -> Verdict {
    let key = "diagnosticSettings";
    let Some(settings) = &s.diagnostic_settings else {
        return Verdict::error("subscription diagnostic settings were not collected")
            .observe(key, None);
    };
    if settings.is_empty() {
        return Verdict::fail("no diagnostic setting exports the Activity Log")
            .observe_value(key, json!([]))
            .observe_value("missing_categories", json!(ACTIVITY_LOG_CATEGORIES));
    }

    let mut exported: BTreeSet<&str> = BTreeSet::new();
    for setting in settings {
        // A setting without a destination keeps nothing, whatever it enables.
        if destinations(setting).is_empty() {
            continue;
        }
        for sel in enabled_logs(setting) {
            for cat in ACTIVITY_LOG_CATEGORIES {
                let covers = match sel {
                    LogSelector::Category(c) => c.eq_ignore_ascii_case(cat),
                    LogSelector::Group(g) => g.eq_ignore_ascii_case("allLogs"),
                };
                if covers {
                    exported.insert(cat);
                }
            }
        }
    }
    let missing: Vec<&str> = ACTIVITY_LOG_CATEGORIES
        .into_iter()
        .filter(|c| !exported.contains(c))
        .collect();

    let v = if missing.is_empty() {
        Verdict::pass("the Administrative, Security, Policy and Alert categories are exported")
    } else {
        Verdict::fail(format!(
            "Activity Log categories not exported to any destination: {}",
            missing.join(", ")
        ))
    };
    v.observe_value(key, settings.iter().map(summarise).collect())
        .observe_value("missing_categories", json!(missing))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{eval_subscription, fixture, subscription};
    use crate::model::Subscription;

    const LIST: &str = "monitor/diagnostic_settings_list_subscription.2021-05-01-preview.json";
    const ID: &str = "monitor_activity_log_exported";

    fn with_settings(settings: Option<Vec<Value>>) -> Subscription {
        let mut s = subscription("sub-a");
        s.diagnostic_settings = settings;
        s
    }

    fn example_settings() -> Vec<Value> {
        fixture(LIST)["value"].as_array().unwrap().clone()
    }

    #[test]
    fn monitor_activity_log_exported_pass() {
        // Microsoft's example: ds4 sends allLogs to a workspace, a storage account and an event hub.
        let v = eval_subscription(ID, &with_settings(Some(example_settings())));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["missing_categories"], json!([]));
        assert_eq!(v.observed["diagnosticSettings"][0]["name"], json!("ds4"));
        assert_eq!(
            v.observed["diagnosticSettings"][0]["enabledLogs"],
            json!(["categoryGroup:allLogs"])
        );

        // The four categories spread over two settings also pass.
        let mut a = example_settings().remove(0);
        a["properties"]["logs"] = json!([
            {"category": "Administrative", "enabled": true},
            {"category": "Security", "enabled": true},
        ]);
        let mut b = a.clone();
        b["name"] = json!("ds5");
        b["properties"]["logs"] = json!([
            {"category": "Policy", "enabled": true},
            {"category": "Alert", "enabled": true},
        ]);
        let v = eval_subscription(ID, &with_settings(Some(vec![a, b])));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn monitor_activity_log_exported_fail() {
        let v = eval_subscription(ID, &with_settings(Some(vec![])));
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.reason, "no diagnostic setting exports the Activity Log");

        // Only some categories enabled.
        let mut s = example_settings();
        s[0]["properties"]["logs"] = json!([
            {"category": "Administrative", "enabled": true},
            {"category": "Security", "enabled": false},
        ]);
        let v = eval_subscription(ID, &with_settings(Some(s)));
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["missing_categories"],
            json!(["Security", "Policy", "Alert"])
        );

        // allLogs enabled but no destination: nothing is kept.
        let mut s = example_settings();
        for k in [
            "storageAccountId",
            "workspaceId",
            "eventHubAuthorizationRuleId",
        ] {
            s[0]["properties"][k] = json!("");
        }
        let v = eval_subscription(ID, &with_settings(Some(s)));
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("Administrative, Security, Policy, Alert"));
    }
    #[test]
    fn monitor_activity_log_exported_missing() {
        let v = eval_subscription(ID, &with_settings(None));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not collected"));
        assert_eq!(v.observed["diagnosticSettings"], Value::Null);
    }
}
