//! Azure Monitor checks: export of the subscription Activity Log through subscription-scope
//! diagnostic settings. Also owns the reading of ARM diagnostic settings (destinations, enabled
//! log entries), which resource checks such as Key Vault logging reuse.
//!
//! Also the Activity Log alert rules (`microsoft.insights/activitylogalerts`) that CIS and
//! Microsoft's SOC 2 initiative expect for sensitive operations and Service Health, judged per
//! subscription over every rule in the inventory because a rule may live in another
//! subscription; all share [`alert_verdict`]. Then how long the exported Activity Log is kept,
//! whether its storage is encrypted with a customer-managed key, and Log Analytics workspace
//! retention.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::props;
use super::rbac::require_source;
use super::{Check, CheckMeta, Ctx, Eval, Severity, Verdict};
use crate::model::{Resource, Subscription};

const RG: &str = "resource_graph.resources";
const DIAG: &str = "arm.subscription_diagnostic_settings";
const LIFECYCLE: &str = "arm.storage_lifecycle";
const ALERTS: &str = "microsoft.insights/activitylogalerts";
const WORKSPACES: &str = "microsoft.operationalinsights/workspaces";
const STORAGE: &str = "microsoft.storage/storageaccounts";

/// Microsoft's "An activity log alert should exist for specific Administrative operations".
const POLICY_ADMINISTRATIVE: &str = "b954148f-4c11-4c38-8221-be76711e194a";
/// "An activity log alert should exist for specific Policy operations" (policy assignments).
const POLICY_OPERATIONS: &str = "c5447c04-a4d7-4ba8-a263-c9ee321a6858";
/// "An activity log alert should exist for specific Security operations".
const POLICY_SECURITY: &str = "3b980d31-7904-4bb7-8575-5665739a8052";

/// A check that an Activity Log alert rule exists for one administrative operation: metadata
/// built from the operation, evaluation by a one-line wrapper of [`alert_verdict`].
macro_rules! alert_check {
    ($id:literal, $title:literal, $severity:expr, $cis:expr, $policies:expr, $category:literal,
     $op:literal, $rationale:literal, $f:ident) => {
        Check {
            meta: CheckMeta {
                id: $id,
                title: $title,
                service: "monitor",
                severity: $severity,
                criteria: &["CC7.1", "CC7.2"],
                cis: $cis,
                policies: $policies,
                description: concat!(
                    "Among all Activity Log alert rules (microsoft.insights/activitylogalerts, in \
                     any subscription), passes when one is enabled (properties.enabled true; \
                     absent means true, Azure's default), lists this subscription in \
                     properties.scopes (a resource-group scope does not cover it), has an action \
                     group, and whose condition.allOf requires operationName ",
                    $op,
                    " (an equals leaf, an anyOf of leaves, or containsAny) with category ",
                    $category,
                    " or no category condition. A rule narrowed by other conditions (level, \
                     status, caller, resource group or resource) does not qualify. Fails naming \
                     why each rule does not (rules in other subscriptions that do not name this \
                     one in their scopes are counted, not listed); error when the Resource Graph \
                     source was not collected, or had a gap and no qualifying rule was found. \
                     Since catalogue 2026.12.0: when no rule qualifies and a rule lacks \
                     properties.scopes or properties.condition.allOf, the finding is an error \
                     instead of a fail."
                ),
                rationale: $rationale,
                remediation: concat!(
                    "Portal: Monitor > Alerts > Create > Alert rule > scope: the subscription > \
                     Condition: Activity log signal ",
                    $op,
                    " > Actions: an action group. CLI: az monitor activity-log alert create -n \
                     <name> -g <rg> --scope /subscriptions/<subscription-id> --condition \
                     category=",
                    $category,
                    " and operationName=",
                    $op,
                    " --action-group <action-group-id>"
                ),
                sources: &[RG],
            },
            eval: Eval::SubscriptionCtx($f),
        }
    };
}

pub(super) const CHECKS: &[Check] = &[
    Check {
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
            sources: &[DIAG],
        },
        eval: Eval::Subscription(activity_log_exported),
    },
    alert_check!(
        "monitor_alert_policy_assignment_write",
        "An Activity Log alert fires when a policy assignment is created or updated",
        Severity::Medium,
        &[
            "2.1.0:5.2.1",
            "3.0.0:6.2.1",
            "4.0.0:7.1.2.1",
            "5.0.0:6.1.2.1",
            "6.0.0:6.1.2.1",
        ],
        &[POLICY_OPERATIONS],
        "Administrative",
        "Microsoft.Authorization/policyAssignments/write",
        "Changes to policy assignments can switch off the guardrails that keep resources \
         compliant; alerting on them surfaces unauthorised governance changes quickly (CC7.1 \
         change detection, CC7.2 monitoring).",
        alert_policy_assignment_write
    ),
    alert_check!(
        "monitor_alert_policy_assignment_delete",
        "An Activity Log alert fires when a policy assignment is deleted",
        Severity::Medium,
        &[
            "2.1.0:5.2.2",
            "3.0.0:6.2.2",
            "4.0.0:7.1.2.2",
            "5.0.0:6.1.2.2",
            "6.0.0:6.1.2.2",
        ],
        &[POLICY_OPERATIONS],
        "Administrative",
        "Microsoft.Authorization/policyAssignments/delete",
        "Deleting a policy assignment removes a preventive or detective control outright; an \
         alert makes the removal visible to the people who must approve it (CC7.1, CC7.2).",
        alert_policy_assignment_delete
    ),
    alert_check!(
        "monitor_alert_nsg_write",
        "An Activity Log alert fires when a network security group is created or updated",
        Severity::Medium,
        &[
            "2.1.0:5.2.3",
            "3.0.0:6.2.3",
            "4.0.0:7.1.2.3",
            "5.0.0:6.1.2.3",
            "6.0.0:6.1.2.3",
        ],
        &[POLICY_ADMINISTRATIVE],
        "Administrative",
        "Microsoft.Network/networkSecurityGroups/write",
        "Network security groups are the network boundary; an alert on their changes detects \
         ports being opened outside change management (CC7.1, CC7.2).",
        alert_nsg_write
    ),
    alert_check!(
        "monitor_alert_nsg_delete",
        "An Activity Log alert fires when a network security group is deleted",
        Severity::Medium,
        &[
            "2.1.0:5.2.4",
            "3.0.0:6.2.4",
            "4.0.0:7.1.2.4",
            "5.0.0:6.1.2.4",
            "6.0.0:6.1.2.4",
        ],
        &[POLICY_ADMINISTRATIVE],
        "Administrative",
        "Microsoft.Network/networkSecurityGroups/delete",
        "Deleting a network security group can leave subnets and interfaces without any \
         filtering; an alert surfaces it at once (CC7.1, CC7.2).",
        alert_nsg_delete
    ),
    alert_check!(
        "monitor_alert_nsg_rule_write",
        "An Activity Log alert fires when a network security group rule is created or updated",
        Severity::Medium,
        &[],
        &[POLICY_ADMINISTRATIVE],
        "Administrative",
        "Microsoft.Network/networkSecurityGroups/securityRules/write",
        "Most exposures are single rule edits rather than new groups; alerting on rule \
         changes detects them (CC7.1, CC7.2).",
        alert_nsg_rule_write
    ),
    alert_check!(
        "monitor_alert_nsg_rule_delete",
        "An Activity Log alert fires when a network security group rule is deleted",
        Severity::Low,
        &[],
        &[POLICY_ADMINISTRATIVE],
        "Administrative",
        "Microsoft.Network/networkSecurityGroups/securityRules/delete",
        "Deleting a deny rule can expose what it protected; the alert makes such changes \
         visible (CC7.1, CC7.2).",
        alert_nsg_rule_delete
    ),
    alert_check!(
        "monitor_alert_security_solution_write",
        "An Activity Log alert fires when a security solution is created or updated",
        Severity::Low,
        &[
            "2.1.0:5.2.5",
            "3.0.0:6.2.5",
            "4.0.0:7.1.2.5",
            "5.0.0:6.1.2.5",
            "6.0.0:6.1.2.5",
        ],
        &[POLICY_SECURITY],
        "Security",
        "Microsoft.Security/securitySolutions/write",
        "Security solutions (firewalls, endpoint protection integrations) feed detection; \
         changes to them can blind monitoring and must be visible (CC7.1, CC7.2).",
        alert_security_solution_write
    ),
    alert_check!(
        "monitor_alert_security_solution_delete",
        "An Activity Log alert fires when a security solution is deleted",
        Severity::Low,
        &[
            "2.1.0:5.2.6",
            "3.0.0:6.2.6",
            "4.0.0:7.1.2.6",
            "5.0.0:6.1.2.6",
            "6.0.0:6.1.2.6",
        ],
        &[POLICY_SECURITY],
        "Security",
        "Microsoft.Security/securitySolutions/delete",
        "Removing a security solution is a classic step of an attacker covering tracks; an \
         alert makes it visible (CC7.1, CC7.2).",
        alert_security_solution_delete
    ),
    alert_check!(
        "monitor_alert_sql_firewall_write",
        "An Activity Log alert fires when a SQL server firewall rule is created or updated",
        Severity::Medium,
        &[
            "2.1.0:5.2.7",
            "3.0.0:6.2.7",
            "4.0.0:7.1.2.7",
            "5.0.0:6.1.2.7",
            "6.0.0:6.1.2.7",
        ],
        &[POLICY_ADMINISTRATIVE],
        "Administrative",
        "Microsoft.Sql/servers/firewallRules/write",
        "A firewall rule is all that stands between a database and the internet; alerting on \
         rule changes detects data exposure as it is introduced (CC7.1, CC7.2).",
        alert_sql_firewall_write
    ),
    alert_check!(
        "monitor_alert_sql_firewall_delete",
        "An Activity Log alert fires when a SQL server firewall rule is deleted",
        Severity::Low,
        &[
            "2.1.0:5.2.8",
            "3.0.0:6.2.8",
            "4.0.0:7.1.2.8",
            "5.0.0:6.1.2.8",
            "6.0.0:6.1.2.8",
        ],
        &[POLICY_ADMINISTRATIVE],
        "Administrative",
        "Microsoft.Sql/servers/firewallRules/delete",
        "Deleted firewall rules can break availability or hide a temporary opening; the alert \
         keeps such changes visible (CC7.1, CC7.2).",
        alert_sql_firewall_delete
    ),
    alert_check!(
        "monitor_alert_public_ip_write",
        "An Activity Log alert fires when a public IP address is created or updated",
        Severity::Medium,
        &[
            "2.1.0:5.2.9",
            "3.0.0:6.2.9",
            "4.0.0:7.1.2.9",
            "5.0.0:6.1.2.9",
            "6.0.0:6.1.2.9",
        ],
        &[],
        "Administrative",
        "Microsoft.Network/publicIPAddresses/write",
        "Every new public IP address is new attack surface; alerting on their creation lets \
         the team check each exposure was intended (CC7.1, CC7.2).",
        alert_public_ip_write
    ),
    alert_check!(
        "monitor_alert_public_ip_delete",
        "An Activity Log alert fires when a public IP address is deleted",
        Severity::Low,
        &[
            "2.1.0:5.2.10",
            "3.0.0:6.2.10",
            "4.0.0:7.1.2.10",
            "5.0.0:6.1.2.10",
            "6.0.0:6.1.2.10",
        ],
        &[],
        "Administrative",
        "Microsoft.Network/publicIPAddresses/delete",
        "Deleting a public IP address can take a service offline or release an address others \
         trust; the alert makes the change visible (CC7.1, CC7.2).",
        alert_public_ip_delete
    ),
    Check {
        meta: CheckMeta {
            id: "monitor_alert_service_health",
            title: "An Activity Log alert fires on Azure Service Health events",
            service: "monitor",
            severity: Severity::Medium,
            criteria: &["A1.1", "A1.2", "CC7.3"],
            cis: &["4.0.0:7.1.2.11", "5.0.0:6.1.2.11", "6.0.0:6.1.2.11"],
            policies: &[],
            description: "Among all Activity Log alert rules (microsoft.insights/activitylogalerts, \
                          in any subscription), passes when one is enabled (properties.enabled \
                          true; absent means true, Azure's default), lists this subscription in \
                          properties.scopes, has an action group, and whose condition.allOf has \
                          category equals ServiceHealth. Conditions on properties.incidentType or \
                          impactedServices are recorded. Fails when none qualifies, naming why each \
                          alert rule does not; error when the Resource Graph source was not \
                          collected, or had a gap and no qualifying alert was found. Since catalogue 2026.12.0: absent properties.enabled is its documented default (true) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error; when no rule qualifies and a rule lacks properties.scopes or properties.condition.allOf, the finding is an error instead of a fail.",
            rationale: "Service Health reports Azure incidents, planned maintenance and \
                        advisories that affect the entity's resources; alerting on them lets the \
                        team manage capacity and recovery during platform outages (A1.1, A1.2) \
                        and evaluate events affecting the system (CC7.3).",
            remediation: "Portal: Service Health > Health alerts > Create service health alert, \
                          scope the subscription, add an action group. CLI: az monitor \
                          activity-log alert create -n service-health -g <rg> --scope \
                          /subscriptions/<subscription-id> --condition category=ServiceHealth \
                          --action-group <action-group-id>",
            sources: &[RG],
        },
        eval: Eval::SubscriptionCtx(alert_service_health),
    },
    Check {
        meta: CheckMeta {
            id: "monitor_activity_log_retention",
            title: "The exported Activity Log is retained for at least the configured period",
            service: "monitor",
            severity: Severity::Medium,
            criteria: &["CC7.2", "CC8.1"],
            cis: &[],
            policies: &[],
            description: "For each subscription diagnostic setting that exports the Administrative \
                          category (category Administrative or categoryGroup allLogs, enabled), \
                          judges each destination: a Log Analytics workspace in the inventory \
                          retains properties.retentionInDays days; a storage account retains \
                          indefinitely unless its lifecycle policy (managementPolicies/default) \
                          has an enabled rule deleting base blobs (daysAfterModificationGreaterThan \
                          or daysAfterCreationGreaterThan) whose prefix filter is empty or matches \
                          the insights-activity-logs container. Passes when some destination \
                          retains at least min_log_retention_days (default 90); fails when every \
                          known destination retains less, or nothing exports the Administrative \
                          category. Event hubs and destinations outside the inventory cannot be \
                          judged and make the finding an error when nothing else passes. \
                          Since catalogue 2026.12.0: a managementPolicies/default answer that is \
                          not the documented object (a page-shaped `value` list, a bare array, an \
                          object without `name` and `properties`) is a collection gap and makes \
                          the finding an error instead of being read as settings; a collected \
                          lifecycle policy without properties.policy.rules makes that \
                          destination unknown, where it was read as keeping the log indefinitely.",
            rationale: "Azure keeps the Activity Log for 90 days only; the change population an \
                        auditor samples across a Type 2 period, and the history investigations \
                        need, exist only if the export destination keeps them (CC8.1, CC7.2).",
            remediation: "Portal: Log Analytics workspace > Usage and estimated costs > Data \
                          retention (or the storage account's Lifecycle management rules). CLI: az \
                          monitor log-analytics workspace update -g <rg> -n <workspace> \
                          --retention-time 365",
            sources: &[DIAG, RG, LIFECYCLE],
        },
        eval: Eval::SubscriptionCtx(activity_log_retention),
    },
    Check {
        meta: CheckMeta {
            id: "monitor_activity_log_storage_cmk",
            title: "Storage accounts receiving the Activity Log are encrypted with a customer-managed key",
            service: "monitor",
            severity: Severity::Low,
            criteria: &["CC6.1"],
            cis: &[
                "2.1.0:5.1.3",
                "3.0.0:6.1.3",
                "4.0.0:7.1.1.3",
                "5.0.0:6.1.1.3",
                "6.0.0:6.1.1.3",
            ],
            policies: &["fbb99e8e-e444-4da0-9ff1-75c92f5a85b2"],
            description: "For each storage account that a subscription diagnostic setting with an \
                          enabled log sends the Activity Log to (properties.storageAccountId), \
                          reads the account's properties.encryption.keySource: \
                          Microsoft.Keyvault passes, Microsoft.Storage fails. Not applicable when \
                          the Activity Log goes to no storage account. A destination account \
                          missing from the inventory, or without keySource, is an error; \
                          diagnostic settings not collected is an error.",
            rationale: "A customer-managed key lets the entity revoke access to its audit trail \
                        and controls who can decrypt it, protecting the integrity and \
                        confidentiality of the log (CC6.1).",
            remediation: "Portal: Storage account > Encryption > Customer-managed keys > select a \
                          Key Vault key. CLI: az storage account update -n <account> -g <rg> \
                          --encryption-key-source Microsoft.Keyvault --encryption-key-vault \
                          <vault-uri> --encryption-key-name <key>",
            sources: &[DIAG, RG],
        },
        eval: Eval::SubscriptionCtx(activity_log_storage_cmk),
    },
    Check {
        meta: CheckMeta {
            id: "monitor_log_analytics_retention",
            title: "Log Analytics workspaces retain data for at least the configured period",
            service: "monitor",
            severity: Severity::Medium,
            criteria: &["CC7.2", "CC7.3", "P4.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.retentionInDays of the workspace is at least the \
                          min_log_retention_days setting (default 90); less fails (Azure's default \
                          is 30). Absent is an error. Per-table overrides are not collected and \
                          not judged.",
            rationale: "Workspaces hold the security and audit logs that monitoring and incident \
                        investigation rely on (CC7.2, CC7.3); a retention period set to the \
                        entity's objectives keeps log data, which includes personal information \
                        such as user names and addresses, for as long as required (P4.2).",
            remediation: "Portal: Log Analytics workspace > Usage and estimated costs > Data \
                          retention > set the days. CLI: az monitor log-analytics workspace update \
                          -g <rg> -n <workspace> --retention-time 90",
            sources: &[RG],
        },
        eval: Eval::ResourceCtx(WORKSPACES, workspace_retention),
    },
];

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
            let v = props::item_value(DIAGNOSTIC_SETTING, setting, &format!("/{k}"))?
                .as_str()?
                .trim();
            (!v.is_empty()).then_some((*k, v))
        })
        .collect()
}

/// The ARM type of a diagnostic setting, the rows of its properties (`props::ROWS`).
pub(super) const DIAGNOSTIC_SETTING: &str = "microsoft.insights/diagnosticsettings";

/// One entry of a diagnostic setting's `properties.logs`, the rows of its fields.
pub(super) const LOG_ENTRY: &str = "microsoft.insights/diagnosticsettings#logs";

/// A log entry's `enabled`, read by its row; `None` when it cannot be told.
fn log_enabled(entry: &Value) -> Option<bool> {
    props::object_value(LOG_ENTRY, entry, "/enabled").and_then(Value::as_bool)
}

/// The log entries a setting has enabled (`enabled: true`). An entry whose `enabled` cannot be
/// read is not among them; [`unreadable`] names it, so a check does not fail on it.
pub(super) fn enabled_logs(setting: &Value) -> Vec<LogSelector<'_>> {
    props::item_value(DIAGNOSTIC_SETTING, setting, "/logs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|l| log_enabled(l) == Some(true))
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

/// Why a setting cannot be judged, if so: it was returned without its properties, or one of
/// its log entries has no `enabled` (required by the API, so only a damaged response omits it).
pub(super) fn unreadable(setting: &Value) -> Option<String> {
    let name = setting_name(setting);
    if !props::item_present(setting) {
        return Some(format!(
            "diagnostic setting {name} was returned without its properties"
        ));
    }
    let entries = props::item_value(DIAGNOSTIC_SETTING, setting, "/logs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for entry in entries {
        if log_enabled(entry).is_none() {
            return Some(format!(
                "a log entry of diagnostic setting {name} has no enabled in the collected data"
            ));
        }
    }
    None
}

/// `fail` unless a setting cannot be judged (see [`unreadable`]), which would make the verdict
/// unknown: then an error naming it. Callers use it where no setting satisfied the check.
pub(super) fn fail_unless_unreadable(settings: &[Value], fail: Verdict) -> Verdict {
    match settings.iter().find_map(unreadable) {
        Some(why) => Verdict::error(format!("{}; {why}", fail.reason)),
        None => fail,
    }
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
        fail_unless_unreadable(
            settings,
            Verdict::fail(format!(
                "Activity Log categories not exported to any destination: {}",
                missing.join(", ")
            )),
        )
    };
    v.observe_value(key, settings.iter().map(summarise).collect())
        .observe_value("missing_categories", json!(missing))
}

// ---------------------------------------------------------------------------------------------
// Activity Log alert rules, Activity Log retention and encryption, workspace retention.
// ---------------------------------------------------------------------------------------------

/// Condition fields an operation alert may carry without narrowing what it fires on.
const NEUTRAL_FIELDS: [&str; 4] = [
    "category",
    "operationName",
    "resourceType",
    "resourceProvider",
];

/// Prefix of the reason a rule cannot be judged: a property the service always returns was not
/// in the collected data, so the rule might qualify.
const UNKNOWN: &str = "unknown: ";

/// One alert rule judged for one subscription and one operation.
fn alert_qualifies(
    alert: &Resource,
    sub: &str,
    category: &str,
    operation: Option<&str>,
) -> Result<(), String> {
    match props::value(alert, "/enabled") {
        Some(Value::Bool(false)) => return Err("disabled".into()),
        Some(Value::Bool(true)) | None => {}
        Some(other) => return Err(format!("enabled has unexpected value {other}")),
    }
    let want = format!("subscriptions/{}", sub.to_ascii_lowercase());
    let scoped = props::value(alert, "/scopes")
        .and_then(Value::as_array)
        .ok_or(format!("{UNKNOWN}properties.scopes is not present"))?
        .iter()
        .filter_map(Value::as_str)
        .any(|s| s.trim_matches('/').to_ascii_lowercase() == want);
    if !scoped {
        return Err("not scoped to the whole subscription".into());
    }
    let has_action = props::value(alert, "/actions/actionGroups")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if !has_action {
        return Err("has no action group, so it notifies no one".into());
    }
    let leaves = props::value(alert, "/condition/allOf")
        .and_then(Value::as_array)
        .ok_or(format!(
            "{UNKNOWN}properties.condition.allOf is not present"
        ))?;
    let mut category_ok = None;
    let mut operation_ok = operation.is_none();
    let mut narrowing = Vec::new();
    for leaf in leaves {
        // An anyOf entry holds alternatives; it matches the operation if one alternative does.
        if let Some(any) = leaf.get("anyOf").and_then(Value::as_array) {
            if let Some(op) = operation
                && any.iter().any(|l| leaf_matches(l, "operationName", op))
            {
                operation_ok = true;
            }
            continue;
        }
        let field = leaf
            .get("field")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if field.eq_ignore_ascii_case("category") {
            category_ok = Some(leaf_matches(leaf, "category", category));
        } else if field.eq_ignore_ascii_case("operationName") {
            if let Some(op) = operation
                && leaf_matches(leaf, "operationName", op)
            {
                operation_ok = true;
            }
        } else if operation.is_some()
            && !NEUTRAL_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(field))
        {
            narrowing.push(field.to_string());
        }
    }
    match category_ok {
        Some(false) => return Err(format!("category is not {category}")),
        // Service Health alerts are defined by their category alone.
        None if operation.is_none() => return Err(format!("no category {category} condition")),
        _ => {}
    }
    if !operation_ok {
        return Err(format!(
            "does not match operationName {}",
            operation.unwrap_or_default()
        ));
    }
    if !narrowing.is_empty() {
        return Err(format!("narrowed by {}", narrowing.join(", ")));
    }
    Ok(())
}

/// An `equals` or `containsAny` leaf on `field` that admits `value`.
fn leaf_matches(leaf: &Value, field: &str, value: &str) -> bool {
    let on_field = leaf
        .get("field")
        .and_then(Value::as_str)
        .is_some_and(|f| f.eq_ignore_ascii_case(field));
    if !on_field {
        return false;
    }
    let equals = leaf
        .get("equals")
        .and_then(Value::as_str)
        .is_some_and(|e| e.eq_ignore_ascii_case(value));
    let contains = leaf
        .get("containsAny")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .any(|e| e.eq_ignore_ascii_case(value))
        });
    equals || contains
}

/// The one alert judgement every alert check shares: some alert rule anywhere must qualify.
fn alert_verdict(s: &Subscription, ctx: &Ctx, category: &str, operation: Option<&str>) -> Verdict {
    let what = operation.unwrap_or(category);
    if let Err(v) = require_source(ctx, RG, Some(&s.arm_id())) {
        return v.observe("alert_rules", None);
    }
    let mut considered = Vec::new();
    let mut qualifying = Vec::new();
    // Rules that neither live in this subscription nor name it in a scope cannot qualify;
    // they are counted, not listed, or every subscription's finding would list every rule of
    // the tenant (quadratic evidence at scale).
    let lookup = ctx.lookup("monitor.alerts", ALERTS, subscriptions_touched);
    let touching = lookup.get([s.id.as_str()]);
    let elsewhere = lookup.len() - touching.len();
    for alert in touching {
        let r = alert_qualifies(alert, &s.id, category, operation);
        if r.is_ok() {
            qualifying.push(alert.name.clone());
        }
        considered.push(json!({
            "id": alert.id,
            "qualifies": r.is_ok(),
            "why_not": r.err(),
        }));
    }
    let v = if !qualifying.is_empty() {
        Verdict::pass(format!(
            "alert rule {} fires on {what}",
            qualifying.join(", ")
        ))
    } else if let Err(v) = require_source(ctx, RG, None) {
        // A rule in a subscription that was not fully read may exist.
        Verdict::error(format!("no alert rule found for {what}, but {}", v.reason))
    } else {
        let why: Vec<String> = considered
            .iter()
            .filter(|c| c["qualifies"] == json!(false))
            .take(20)
            .map(|c| {
                format!(
                    "{}: {}",
                    c["id"]
                        .as_str()
                        .unwrap_or_default()
                        .rsplit('/')
                        .next()
                        .unwrap_or_default(),
                    c["why_not"].as_str().unwrap_or_default()
                )
            })
            .collect();
        if why.is_empty() && elsewhere > 0 {
            Verdict::fail(format!(
                "no Activity Log alert rule fires on {what}: none of the {elsewhere} alert \
                 rules in other subscriptions is scoped to this subscription"
            ))
        } else if why.is_empty() {
            Verdict::fail(format!(
                "no Activity Log alert rule fires on {what}: there are no alert rules"
            ))
        } else if considered.iter().any(|c| {
            c["why_not"]
                .as_str()
                .is_some_and(|w| w.starts_with(UNKNOWN))
        }) {
            Verdict::error(format!(
                "no alert rule is known to fire on {what}, and some cannot be judged ({})",
                why.join("; ")
            ))
        } else {
            Verdict::fail(format!(
                "no Activity Log alert rule fires on {what} ({})",
                why.join("; ")
            ))
        }
    };
    v.observe_value("alert_rules", Value::from(considered))
        .observe_value("alert_rules_elsewhere", Value::from(elsewhere))
}

/// The subscriptions an alert rule can be judged for, for [`Ctx::lookup`]: the one it lives
/// in and every one its `properties.scopes` name (or name a scope under).
fn subscriptions_touched(alert: &Resource) -> Option<Vec<String>> {
    let sub_of = |s: &str| {
        let s = format!("/{}", s.trim_matches('/').to_ascii_lowercase());
        s.strip_prefix("/subscriptions/")
            .and_then(|rest| rest.split('/').next())
            .filter(|x| !x.is_empty())
            .map(str::to_string)
    };
    let scopes = props::value(alert, "/scopes").and_then(Value::as_array);
    Some(
        std::iter::once(alert.id.as_str())
            .chain(scopes.into_iter().flatten().filter_map(Value::as_str))
            .filter_map(sub_of)
            .collect(),
    )
}

macro_rules! alert_fn {
    ($name:ident, $category:literal, $op:literal) => {
        fn $name(s: &Subscription, ctx: &Ctx) -> Verdict {
            alert_verdict(s, ctx, $category, Some($op))
        }
    };
}

alert_fn!(
    alert_policy_assignment_write,
    "Administrative",
    "Microsoft.Authorization/policyAssignments/write"
);
alert_fn!(
    alert_policy_assignment_delete,
    "Administrative",
    "Microsoft.Authorization/policyAssignments/delete"
);
alert_fn!(
    alert_nsg_write,
    "Administrative",
    "Microsoft.Network/networkSecurityGroups/write"
);
alert_fn!(
    alert_nsg_delete,
    "Administrative",
    "Microsoft.Network/networkSecurityGroups/delete"
);
alert_fn!(
    alert_nsg_rule_write,
    "Administrative",
    "Microsoft.Network/networkSecurityGroups/securityRules/write"
);
alert_fn!(
    alert_nsg_rule_delete,
    "Administrative",
    "Microsoft.Network/networkSecurityGroups/securityRules/delete"
);
alert_fn!(
    alert_security_solution_write,
    "Security",
    "Microsoft.Security/securitySolutions/write"
);
alert_fn!(
    alert_security_solution_delete,
    "Security",
    "Microsoft.Security/securitySolutions/delete"
);
alert_fn!(
    alert_sql_firewall_write,
    "Administrative",
    "Microsoft.Sql/servers/firewallRules/write"
);
alert_fn!(
    alert_sql_firewall_delete,
    "Administrative",
    "Microsoft.Sql/servers/firewallRules/delete"
);
alert_fn!(
    alert_public_ip_write,
    "Administrative",
    "Microsoft.Network/publicIPAddresses/write"
);
alert_fn!(
    alert_public_ip_delete,
    "Administrative",
    "Microsoft.Network/publicIPAddresses/delete"
);

fn alert_service_health(s: &Subscription, ctx: &Ctx) -> Verdict {
    alert_verdict(s, ctx, "ServiceHealth", None)
}

/// True when an enabled log entry of the setting covers the Administrative category.
fn exports_administrative(setting: &Value) -> bool {
    enabled_logs(setting).into_iter().any(|sel| match sel {
        LogSelector::Category(c) => c.eq_ignore_ascii_case("Administrative"),
        LogSelector::Group(g) => g.eq_ignore_ascii_case("allLogs"),
    })
}

fn find_resource<'a>(ctx: &Ctx<'a>, ty: &str, id: &str) -> Option<&'a Resource> {
    ctx.resource(id).filter(|r| r.r#type == ty)
}

/// How long one destination keeps the Activity Log: `Ok(None)` indefinitely, `Ok(Some(days))`,
/// or `Err(why)` when it cannot be told from the inventory.
fn destination_retention(ctx: &Ctx, kind: &str, id: &str) -> Result<Option<u64>, String> {
    match kind {
        "workspaceId" => {
            let ws = find_resource(ctx, WORKSPACES, id)
                .ok_or_else(|| format!("workspace {id} is not in the inventory"))?;
            props::value(ws, "/retentionInDays")
                .and_then(Value::as_u64)
                .map(Some)
                .ok_or_else(|| format!("workspace {id} has no retentionInDays"))
        }
        "storageAccountId" => {
            let sa = find_resource(ctx, STORAGE, id)
                .ok_or_else(|| format!("storage account {id} is not in the inventory"))?;
            let key = "managementPolicies/default";
            let policy = sa
                .child(key)
                .ok_or_else(|| format!("the lifecycle policy of {id} was not collected"))?;
            // A null policy is Azure saying there is none (nothing deletes); a policy without
            // rules says nothing, and must not read as "kept indefinitely".
            // (The storage row for policy.rules says the same: absent is unknown. The demo
            // tenant routes no Activity Log to storage, so this read is tested here instead.)
            let rules = policy
                .pointer("/properties/policy/rules")
                .or_else(|| policy.pointer("/policy/rules"))
                .filter(|v| !v.is_null());
            if !policy.is_null() && rules.is_none() {
                return Err(format!(
                    "the lifecycle policy of {id} has no properties.policy.rules"
                ));
            }
            Ok(lifecycle_deletion_days(policy))
        }
        other => Err(format!(
            "{other} {id}: retention happens downstream and is not visible"
        )),
    }
}

/// The earliest base-blob deletion an enabled lifecycle rule applies to the Activity Log
/// container (`insights-activity-logs`), or `None` when no rule deletes it. A `null` policy
/// (404: none configured) deletes nothing.
fn lifecycle_deletion_days(policy: &Value) -> Option<u64> {
    let rules = policy
        .pointer("/properties/policy/rules")
        .or_else(|| policy.pointer("/policy/rules"))
        .and_then(Value::as_array)?;
    rules
        .iter()
        // A rule that cannot be read counts as deleting: the shorter retention is assumed.
        .filter(|r| super::storage::lifecycle_rule_enabled(r) != Some(false))
        .filter(|r| {
            let prefixes = r
                .pointer("/definition/filters/prefixMatch")
                .and_then(Value::as_array);
            match prefixes {
                None => true,
                Some(p) if p.is_empty() => true,
                Some(p) => p.iter().filter_map(Value::as_str).any(|x| {
                    "insights-activity-logs".starts_with(x)
                        || x.starts_with("insights-activity-logs")
                }),
            }
        })
        .filter_map(|r| {
            let delete = r.pointer("/definition/actions/baseBlob/delete")?;
            [
                "daysAfterModificationGreaterThan",
                "daysAfterCreationGreaterThan",
            ]
            .iter()
            .filter_map(|k| delete.get(*k).and_then(Value::as_u64))
            .min()
        })
        .min()
}

fn activity_log_retention(s: &Subscription, ctx: &Ctx) -> Verdict {
    let min = u64::from(ctx.settings.min_log_retention_days);
    let Some(settings) = &s.diagnostic_settings else {
        return Verdict::error("subscription diagnostic settings were not collected")
            .observe("destinations", None);
    };
    let mut seen = Vec::new();
    let mut enough = Vec::new();
    let mut short = Vec::new();
    let mut unknown = Vec::new();
    for setting in settings.iter().filter(|x| exports_administrative(x)) {
        for (kind, id) in destinations(setting) {
            let r = destination_retention(ctx, kind, id);
            let label = format!("{kind} {id}");
            match &r {
                Ok(None) => enough.push(format!("{label} (kept indefinitely)")),
                Ok(Some(d)) if *d >= min => enough.push(format!("{label} ({d} days)")),
                Ok(Some(d)) => short.push(format!("{label} ({d} days)")),
                Err(why) => unknown.push(why.clone()),
            }
            seen.push(json!({
                "setting": setting_name(setting),
                "kind": kind,
                "id": id,
                "retention_days": r.as_ref().ok().map(|d| json!(d)),
                "why_unknown": r.as_ref().err(),
            }));
        }
    }
    let v = if !enough.is_empty() {
        Verdict::pass(format!(
            "the Activity Log is retained for at least {min} days by {}",
            enough.join(", ")
        ))
    } else if !unknown.is_empty() {
        Verdict::error(format!(
            "Activity Log retention cannot be determined: {}",
            unknown.join("; ")
        ))
    } else if !short.is_empty() {
        fail_unless_unreadable(
            settings,
            Verdict::fail(format!(
                "every Activity Log destination keeps it for less than {min} days: {}",
                short.join(", ")
            )),
        )
    } else {
        fail_unless_unreadable(
            settings,
            Verdict::fail(
                "no diagnostic setting exports the Administrative category to a destination",
            ),
        )
    };
    v.observe_value("destinations", Value::from(seen))
        .observe_value("min_log_retention_days", json!(min))
}

fn activity_log_storage_cmk(s: &Subscription, ctx: &Ctx) -> Verdict {
    let Some(settings) = &s.diagnostic_settings else {
        return Verdict::error("subscription diagnostic settings were not collected")
            .observe("storage_accounts", None);
    };
    let mut accounts: Vec<&str> = settings
        .iter()
        .filter(|x| !enabled_logs(x).is_empty())
        .flat_map(destinations)
        .filter(|(k, _)| *k == "storageAccountId")
        .map(|(_, id)| id)
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    if accounts.is_empty() {
        // Not applicable only when every setting could be read.
        if let Some(why) = settings.iter().find_map(unreadable) {
            return Verdict::error(format!(
                "whether the Activity Log is exported to a storage account is unknown: {why}"
            ))
            .observe_value("storage_accounts", json!([]));
        }
        return Verdict::not_applicable("the Activity Log is not exported to a storage account")
            .observe_value("storage_accounts", json!([]));
    }
    let mut seen = Vec::new();
    let mut plain = Vec::new();
    let mut unknown = Vec::new();
    for id in &accounts {
        let source = find_resource(ctx, STORAGE, id)
            .map(|sa| props::value(sa, "/encryption/keySource").cloned());
        match source.as_ref().map(|k| k.as_ref().and_then(Value::as_str)) {
            None => unknown.push(format!("{id} is not in the inventory")),
            Some(None) => unknown.push(format!("{id} has no encryption.keySource")),
            Some(Some(k)) if k.eq_ignore_ascii_case("Microsoft.Keyvault") => {}
            Some(Some(_)) => plain.push(id.to_string()),
        }
        seen.push(json!({"id": id, "keySource": source.flatten()}));
    }
    let v = if !plain.is_empty() {
        Verdict::fail(format!(
            "Activity Log storage accounts use Microsoft-managed keys: {}",
            plain.join(", ")
        ))
    } else if !unknown.is_empty() {
        Verdict::error(unknown.join("; "))
    } else {
        Verdict::pass("every Activity Log storage account uses a customer-managed key")
    };
    v.observe_value("storage_accounts", Value::from(seen))
}

fn workspace_retention(r: &Resource, ctx: &Ctx) -> Verdict {
    let min = u64::from(ctx.settings.min_log_retention_days);
    let key = "properties.retentionInDays";
    let val = props::value(r, "/retentionInDays");
    let v = match val.and_then(Value::as_u64) {
        Some(d) if d >= min => {
            Verdict::pass(format!("data is retained for {d} days (minimum {min})"))
        }
        Some(d) => Verdict::fail(format!(
            "data is retained for {d} days, less than the minimum of {min}"
        )),
        None => match val {
            Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
            None => Verdict::error(format!("{key} is not present in the collected data")),
        },
    };
    v.observe(key, val)
        .observe_value("min_log_retention_days", json!(min))
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

        // A setting returned without its properties, or with a log entry lacking `enabled`,
        // may be the one that exports: unknown, not a fail.
        let mut s = example_settings();
        s[0]["properties"] = json!({});
        let v = eval_subscription(ID, &with_settings(Some(s)));
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("without its properties"), "{}", v.reason);
        let mut s = example_settings();
        for entry in s[0]["properties"]["logs"].as_array_mut().unwrap() {
            entry.as_object_mut().unwrap().remove("enabled");
        }
        let v = eval_subscription(ID, &with_settings(Some(s)));
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("has no enabled"), "{}", v.reason);
    }

    /// Each destination kind alone keeps the log; absent, the setting does not send there.
    #[test]
    fn every_destination_kind_counts_alone() {
        for only in super::DESTINATIONS {
            let mut s = example_settings();
            let p = s[0]["properties"].as_object_mut().unwrap();
            for k in super::DESTINATIONS {
                p.remove(k);
            }
            let v = eval_subscription(ID, &with_settings(Some(s.clone())));
            assert_eq!(v.status, S::Fail, "no destination: {}", v.reason);
            s[0]["properties"][only] = json!("/subscriptions/s/x");
            let v = eval_subscription(ID, &with_settings(Some(s)));
            assert_eq!(v.status, S::Pass, "{only}: {}", v.reason);
        }
    }
}

/// Tests of the alert rule, retention and encryption checks.
#[cfg(test)]
mod alert_tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{fixture, fixture_resource, inventory, set_prop, subscription};
    use crate::checks::{Finding, Settings};
    use crate::model::{Gap, Inventory, Resource, Subscription};

    const ALERTS: &str = "monitor/activity_log_alerts_list_subscription.2020-10-01.json";
    const DIAG: &str = "monitor/diagnostic_settings_list_subscription.2021-05-01-preview.json";
    const WORKSPACES: &str = "../handmade/monitor/log_analytics_workspaces_list.2022-10-01.json";
    const STORAGE: &str = "storage/storage_accounts_list.2025-06-01.json";
    /// The subscription Microsoft's alert examples are scoped to.
    const SUB: &str = "187f412d-1758-44d9-b052-169e2564721d";

    fn finding_on(id: &str, inv: &Inventory, settings: &Settings, resource_id: &str) -> Finding {
        let check = crate::checks::find(id).unwrap();
        let ctx = crate::checks::Ctx::new(inv, settings);
        crate::checks::run(check, &ctx)
            .findings
            .into_iter()
            .find(|f| f.resource_id == resource_id)
            .unwrap_or_else(|| panic!("{id}: no finding on {resource_id}"))
    }

    fn finding(id: &str, inv: &Inventory) -> Finding {
        finding_on(
            id,
            inv,
            &Settings::default(),
            &format!("/subscriptions/{SUB}"),
        )
    }

    fn inv(rows: Vec<Resource>, sub: Subscription) -> Inventory {
        let mut inv = inventory(rows);
        inv.subscriptions.push(sub);
        inv
    }

    /// Microsoft's first alert rule (subscription scope, category Administrative, level Error),
    /// with its level condition replaced by the given leaves.
    fn alert(leaves: Value) -> Resource {
        alert_in("Administrative", leaves)
    }

    fn alert_in(category: &str, leaves: Value) -> Resource {
        let mut r = fixture_resource(ALERTS, 0);
        let mut all = vec![json!({"field": "category", "equals": category})];
        all.extend(leaves.as_array().unwrap().iter().cloned());
        set_prop(&mut r, "/condition", json!({"allOf": all}));
        r
    }

    fn op(name: &str) -> Value {
        json!([{"field": "operationName", "equals": name}])
    }

    /// Pass, fail and missing for one operation alert check.
    fn alert_pass(id: &str, category: &str, operation: &str) {
        let mut r = alert(op(operation));
        r.properties["condition"]["allOf"][0]["equals"] = json!(category);
        let f = finding(id, &inv(vec![r], subscription(SUB)));
        assert_eq!(f.status, S::Pass, "{id}: {}", f.reason);
        assert_eq!(
            f.reason,
            format!("alert rule SampleActivityLogAlertRule1 fires on {operation}")
        );
        // An anyOf of operations, the shape Microsoft's remediation scripts create.
        let mut r = alert(json!([{"anyOf": [
            {"field": "operationName", "equals": "Microsoft.Other/thing/write"},
            {"field": "operationName", "equals": operation}
        ]}]));
        r.properties["condition"]["allOf"][0]["equals"] = json!(category);
        let f = finding(id, &inv(vec![r], subscription(SUB)));
        assert_eq!(f.status, S::Pass, "{id}: {}", f.reason);
    }

    fn alert_fail(id: &str, category: &str, operation: &str) {
        // Microsoft's examples: one narrowed by level and not about the operation, one scoped
        // to a resource group.
        let rows = vec![fixture_resource(ALERTS, 0), fixture_resource(ALERTS, 1)];
        let f = finding(id, &inv(rows, subscription(SUB)));
        assert_eq!(f.status, S::Fail, "{id}: {}", f.reason);
        assert!(
            f.reason
                .contains("SampleActivityLogAlertRule2: not scoped to the whole subscription"),
            "{}",
            f.reason
        );
        // Disabled, narrowed, or without an action group.
        let mut disabled = alert_in(category, op(operation));
        set_prop(&mut disabled, "/enabled", json!(false));
        let narrowed = alert_in(
            category,
            json!([
            {"field": "operationName", "equals": operation},
            {"field": "status", "equals": "Failed"}
            ]),
        );
        let mut silent = alert_in(category, op(operation));
        set_prop(&mut silent, "/actions", json!({"actionGroups": []}));
        for (r, why) in [
            (disabled, "disabled"),
            (narrowed, "narrowed by status"),
            (silent, "notifies no one"),
        ] {
            let f = finding(id, &inv(vec![r], subscription(SUB)));
            assert_eq!(f.status, S::Fail, "{id}");
            assert!(f.reason.contains(why), "{why}: {}", f.reason);
        }
        let f = finding(id, &inv(vec![], subscription(SUB)));
        assert!(
            f.reason.ends_with("there are no alert rules"),
            "{}",
            f.reason
        );
    }

    fn alert_missing(id: &str, category: &str, operation: &str) {
        let mut i = inv(vec![], subscription(SUB));
        i.sources.retain(|s| s.name != "resource_graph.resources");
        let f = finding(id, &i);
        assert_eq!(f.status, S::Error);
        // A gap in another subscription: a rule there may cover this one.
        let mut i = inv(vec![], subscription(SUB));
        for s in &mut i.sources {
            s.gaps.push(Gap {
                scope: "/subscriptions/other".into(),
                reason: "403".into(),
                read: None,
            });
        }
        let f = finding(id, &i);
        assert_eq!(f.status, S::Error, "{}", f.reason);
        assert!(f.reason.contains("403"));
        // ... but a qualifying rule found is proof enough.
        let r = alert_in(category, op(operation));
        i.resources = vec![r];
        let i2 = {
            let mut x = i.clone();
            x.normalise();
            x
        };
        let f = finding(id, &i2);
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }

    #[test]
    fn monitor_alert_policy_assignment_write_pass() {
        alert_pass(
            "monitor_alert_policy_assignment_write",
            "Administrative",
            "Microsoft.Authorization/policyAssignments/write",
        );
    }
    #[test]
    fn monitor_alert_policy_assignment_write_fail() {
        alert_fail(
            "monitor_alert_policy_assignment_write",
            "Administrative",
            "Microsoft.Authorization/policyAssignments/write",
        );
    }
    #[test]
    fn monitor_alert_policy_assignment_write_missing() {
        alert_missing(
            "monitor_alert_policy_assignment_write",
            "Administrative",
            "Microsoft.Authorization/policyAssignments/write",
        );
    }

    #[test]
    fn monitor_alert_policy_assignment_delete_pass() {
        alert_pass(
            "monitor_alert_policy_assignment_delete",
            "Administrative",
            "Microsoft.Authorization/policyAssignments/delete",
        );
    }
    #[test]
    fn monitor_alert_policy_assignment_delete_fail() {
        alert_fail(
            "monitor_alert_policy_assignment_delete",
            "Administrative",
            "Microsoft.Authorization/policyAssignments/delete",
        );
    }
    #[test]
    fn monitor_alert_policy_assignment_delete_missing() {
        alert_missing(
            "monitor_alert_policy_assignment_delete",
            "Administrative",
            "Microsoft.Authorization/policyAssignments/delete",
        );
    }

    #[test]
    fn monitor_alert_nsg_write_pass() {
        alert_pass(
            "monitor_alert_nsg_write",
            "Administrative",
            "Microsoft.Network/networkSecurityGroups/write",
        );
    }
    #[test]
    fn monitor_alert_nsg_write_fail() {
        alert_fail(
            "monitor_alert_nsg_write",
            "Administrative",
            "Microsoft.Network/networkSecurityGroups/write",
        );
    }
    #[test]
    fn monitor_alert_nsg_write_missing() {
        alert_missing(
            "monitor_alert_nsg_write",
            "Administrative",
            "Microsoft.Network/networkSecurityGroups/write",
        );
    }

    #[test]
    fn monitor_alert_nsg_delete_pass() {
        alert_pass(
            "monitor_alert_nsg_delete",
            "Administrative",
            "Microsoft.Network/networkSecurityGroups/delete",
        );
    }
    #[test]
    fn monitor_alert_nsg_delete_fail() {
        alert_fail(
            "monitor_alert_nsg_delete",
            "Administrative",
            "Microsoft.Network/networkSecurityGroups/delete",
        );
    }
    #[test]
    fn monitor_alert_nsg_delete_missing() {
        alert_missing(
            "monitor_alert_nsg_delete",
            "Administrative",
            "Microsoft.Network/networkSecurityGroups/delete",
        );
    }

    #[test]
    fn monitor_alert_nsg_rule_write_pass() {
        alert_pass(
            "monitor_alert_nsg_rule_write",
            "Administrative",
            "Microsoft.Network/networkSecurityGroups/securityRules/write",
        );
    }
    #[test]
    fn monitor_alert_nsg_rule_write_fail() {
        alert_fail(
            "monitor_alert_nsg_rule_write",
            "Administrative",
            "Microsoft.Network/networkSecurityGroups/securityRules/write",
        );
    }
    #[test]
    fn monitor_alert_nsg_rule_write_missing() {
        alert_missing(
            "monitor_alert_nsg_rule_write",
            "Administrative",
            "Microsoft.Network/networkSecurityGroups/securityRules/write",
        );
    }

    #[test]
    fn monitor_alert_nsg_rule_delete_pass() {
        alert_pass(
            "monitor_alert_nsg_rule_delete",
            "Administrative",
            "Microsoft.Network/networkSecurityGroups/securityRules/delete",
        );
    }
    #[test]
    fn monitor_alert_nsg_rule_delete_fail() {
        alert_fail(
            "monitor_alert_nsg_rule_delete",
            "Administrative",
            "Microsoft.Network/networkSecurityGroups/securityRules/delete",
        );
    }
    #[test]
    fn monitor_alert_nsg_rule_delete_missing() {
        alert_missing(
            "monitor_alert_nsg_rule_delete",
            "Administrative",
            "Microsoft.Network/networkSecurityGroups/securityRules/delete",
        );
    }

    #[test]
    fn monitor_alert_security_solution_write_pass() {
        alert_pass(
            "monitor_alert_security_solution_write",
            "Security",
            "Microsoft.Security/securitySolutions/write",
        );
    }
    #[test]
    fn monitor_alert_security_solution_write_fail() {
        alert_fail(
            "monitor_alert_security_solution_write",
            "Security",
            "Microsoft.Security/securitySolutions/write",
        );
    }
    #[test]
    fn monitor_alert_security_solution_write_missing() {
        alert_missing(
            "monitor_alert_security_solution_write",
            "Security",
            "Microsoft.Security/securitySolutions/write",
        );
    }

    #[test]
    fn monitor_alert_security_solution_delete_pass() {
        alert_pass(
            "monitor_alert_security_solution_delete",
            "Security",
            "Microsoft.Security/securitySolutions/delete",
        );
    }
    #[test]
    fn monitor_alert_security_solution_delete_fail() {
        alert_fail(
            "monitor_alert_security_solution_delete",
            "Security",
            "Microsoft.Security/securitySolutions/delete",
        );
    }
    #[test]
    fn monitor_alert_security_solution_delete_missing() {
        alert_missing(
            "monitor_alert_security_solution_delete",
            "Security",
            "Microsoft.Security/securitySolutions/delete",
        );
    }

    #[test]
    fn monitor_alert_sql_firewall_write_pass() {
        alert_pass(
            "monitor_alert_sql_firewall_write",
            "Administrative",
            "Microsoft.Sql/servers/firewallRules/write",
        );
    }
    #[test]
    fn monitor_alert_sql_firewall_write_fail() {
        alert_fail(
            "monitor_alert_sql_firewall_write",
            "Administrative",
            "Microsoft.Sql/servers/firewallRules/write",
        );
    }
    #[test]
    fn monitor_alert_sql_firewall_write_missing() {
        alert_missing(
            "monitor_alert_sql_firewall_write",
            "Administrative",
            "Microsoft.Sql/servers/firewallRules/write",
        );
    }

    #[test]
    fn monitor_alert_sql_firewall_delete_pass() {
        alert_pass(
            "monitor_alert_sql_firewall_delete",
            "Administrative",
            "Microsoft.Sql/servers/firewallRules/delete",
        );
    }
    #[test]
    fn monitor_alert_sql_firewall_delete_fail() {
        alert_fail(
            "monitor_alert_sql_firewall_delete",
            "Administrative",
            "Microsoft.Sql/servers/firewallRules/delete",
        );
    }
    #[test]
    fn monitor_alert_sql_firewall_delete_missing() {
        alert_missing(
            "monitor_alert_sql_firewall_delete",
            "Administrative",
            "Microsoft.Sql/servers/firewallRules/delete",
        );
    }

    #[test]
    fn monitor_alert_public_ip_write_pass() {
        alert_pass(
            "monitor_alert_public_ip_write",
            "Administrative",
            "Microsoft.Network/publicIPAddresses/write",
        );
    }
    #[test]
    fn monitor_alert_public_ip_write_fail() {
        alert_fail(
            "monitor_alert_public_ip_write",
            "Administrative",
            "Microsoft.Network/publicIPAddresses/write",
        );
    }
    #[test]
    fn monitor_alert_public_ip_write_missing() {
        alert_missing(
            "monitor_alert_public_ip_write",
            "Administrative",
            "Microsoft.Network/publicIPAddresses/write",
        );
    }

    #[test]
    fn monitor_alert_public_ip_delete_pass() {
        alert_pass(
            "monitor_alert_public_ip_delete",
            "Administrative",
            "Microsoft.Network/publicIPAddresses/delete",
        );
    }
    #[test]
    fn monitor_alert_public_ip_delete_fail() {
        alert_fail(
            "monitor_alert_public_ip_delete",
            "Administrative",
            "Microsoft.Network/publicIPAddresses/delete",
        );
    }
    #[test]
    fn monitor_alert_public_ip_delete_missing() {
        alert_missing(
            "monitor_alert_public_ip_delete",
            "Administrative",
            "Microsoft.Network/publicIPAddresses/delete",
        );
    }

    #[test]
    fn rules_of_other_subscriptions_are_counted_not_listed() {
        const OTHER: &str = "00000000-0000-0000-0000-00000000beef";
        let qualifying = alert(op("Microsoft.Network/publicIPAddresses/delete"));
        // The rule moved to another subscription, with the given scope.
        let moved = |scope: String| {
            let mut r = qualifying.clone();
            r.id = r.id.replace(SUB, OTHER);
            set_prop(&mut r, "/scopes", json!([scope]));
            r
        };
        // Scoped to its own subscription only: cannot apply here.
        let elsewhere = moved(format!("/subscriptions/{OTHER}"));
        // Scoping this subscription (any slashes): listed, and can qualify.
        let cross = moved(format!("subscriptions/{SUB}/"));
        let id = "monitor_alert_public_ip_delete";
        let f = finding(id, &inv(vec![elsewhere.clone()], subscription(SUB)));
        assert_eq!(f.status, S::Fail, "{}", f.reason);
        assert!(
            f.reason
                .contains("none of the 1 alert rules in other subscriptions"),
            "{}",
            f.reason
        );
        assert_eq!(f.observed["alert_rules"], json!([]));
        assert_eq!(f.observed["alert_rules_elsewhere"], json!(1));
        let f = finding(id, &inv(vec![elsewhere, cross.clone()], subscription(SUB)));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.observed["alert_rules"][0]["id"], json!(cross.id));
        assert_eq!(f.observed["alert_rules_elsewhere"], json!(1));
    }

    #[test]
    fn category_mismatch_does_not_qualify() {
        let mut r = alert(op("Microsoft.Security/securitySolutions/write"));
        r.properties["condition"]["allOf"][0]["equals"] = json!("Administrative");
        let f = finding(
            "monitor_alert_security_solution_write",
            &inv(vec![r], subscription(SUB)),
        );
        assert_eq!(f.status, S::Fail);
        assert!(
            f.reason.contains("category is not Security"),
            "{}",
            f.reason
        );
    }

    #[test]
    fn monitor_alert_service_health_pass() {
        let mut r = fixture_resource(ALERTS, 0);
        set_prop(
            &mut r,
            "/condition",
            json!({"allOf": [
                {"field": "category", "equals": "ServiceHealth"},
                {"field": "properties.incidentType", "equals": "Incident"}
            ]}),
        );
        let f = finding(
            "monitor_alert_service_health",
            &inv(vec![r], subscription(SUB)),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.observed["alert_rules"][0]["qualifies"], json!(true));
    }
    #[test]
    fn monitor_alert_service_health_fail() {
        let f = finding(
            "monitor_alert_service_health",
            &inv(vec![fixture_resource(ALERTS, 0)], subscription(SUB)),
        );
        assert_eq!(f.status, S::Fail);
        assert!(
            f.reason.contains("category is not ServiceHealth"),
            "{}",
            f.reason
        );
    }
    #[test]
    fn monitor_alert_service_health_missing() {
        let mut i = inv(vec![], subscription(SUB));
        for s in &mut i.sources {
            s.gaps.push(Gap {
                scope: format!("/subscriptions/{SUB}"),
                reason: "timeout".into(),
                read: None,
            });
        }
        let f = finding("monitor_alert_service_health", &i);
        assert_eq!(f.status, S::Error);
    }

    /// Microsoft's subscription diagnostic setting (allLogs to storage, workspace and event
    /// hub), pointed at the given destinations (others removed).
    fn export_to(workspace: Option<&str>, storage: Option<&str>, hub: bool) -> Subscription {
        let mut l = fixture(DIAG)["value"].as_array().unwrap().clone();
        let p = l[0]["properties"].as_object_mut().unwrap();
        match workspace {
            Some(w) => p.insert("workspaceId".into(), json!(w)),
            None => p.remove("workspaceId"),
        };
        match storage {
            Some(s) => p.insert("storageAccountId".into(), json!(s)),
            None => p.remove("storageAccountId"),
        };
        if !hub {
            p.remove("eventHubAuthorizationRuleId");
        }
        let mut s = subscription(SUB);
        s.diagnostic_settings = Some(l);
        s
    }

    fn workspace(days: Option<u64>) -> Resource {
        let mut r = fixture_resource(WORKSPACES, 0);
        set_prop(
            &mut r,
            "/retentionInDays",
            days.map_or(Value::Null, |d| json!(d)),
        );
        r
    }

    fn storage(index: usize, lifecycle: Option<Value>) -> Resource {
        let mut r = fixture_resource(STORAGE, index);
        if let Some(l) = lifecycle {
            r.children.insert("managementPolicies/default".into(), l);
        }
        r
    }

    /// A lifecycle policy (ARM ManagementPolicy shape) deleting Activity Log blobs after `days`.
    fn deleting_after(days: u64) -> Value {
        json!({"properties": {"policy": {"rules": [{
            "enabled": true, "name": "expire-logs", "type": "Lifecycle",
            "definition": {
                "filters": {"blobTypes": ["appendBlob"], "prefixMatch": ["insights-activity-logs/"]},
                "actions": {"baseBlob": {"delete": {"daysAfterModificationGreaterThan": days}}}
            }
        }]}}})
    }

    #[test]
    fn monitor_activity_log_retention_pass() {
        let ws = workspace(Some(365));
        let s = export_to(Some(&ws.id), None, false);
        let f = finding("monitor_activity_log_retention", &inv(vec![ws], s));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        // Storage without a lifecycle policy (404: null) keeps the log indefinitely.
        let sa = storage(0, Some(Value::Null));
        let s = export_to(None, Some(&sa.id), false);
        let f = finding("monitor_activity_log_retention", &inv(vec![sa], s));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert!(f.reason.contains("kept indefinitely"));
        let sa = storage(0, Some(deleting_after(400)));
        let s = export_to(None, Some(&sa.id), false);
        let f = finding("monitor_activity_log_retention", &inv(vec![sa], s));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn monitor_activity_log_retention_fail() {
        // Microsoft's workspace example keeps 30 days.
        let ws = workspace(Some(30));
        let sa = storage(0, Some(deleting_after(60)));
        let s = export_to(Some(&ws.id), Some(&sa.id), false);
        let f = finding("monitor_activity_log_retention", &inv(vec![ws, sa], s));
        assert_eq!(f.status, S::Fail);
        assert!(
            f.reason.contains("(30 days)") && f.reason.contains("(60 days)"),
            "{}",
            f.reason
        );
        let mut s = subscription(SUB);
        s.diagnostic_settings = Some(vec![]);
        let f = finding("monitor_activity_log_retention", &inv(vec![], s));
        assert_eq!(f.status, S::Fail);
        // A rule without `enabled` is on (the documented default): it deletes after 60 days.
        let mut policy = deleting_after(60);
        policy["properties"]["policy"]["rules"][0]
            .as_object_mut()
            .unwrap()
            .remove("enabled");
        let sa = storage(0, Some(policy));
        let s = export_to(None, Some(&sa.id), false);
        let f = finding("monitor_activity_log_retention", &inv(vec![sa], s));
        assert_eq!(f.status, S::Fail, "{}", f.reason);
        assert!(f.reason.contains("(60 days)"), "{}", f.reason);
    }
    #[test]
    fn monitor_activity_log_retention_missing() {
        // Microsoft's example sends to destinations that are not in the inventory and an event hub.
        let mut s = subscription(SUB);
        s.diagnostic_settings = Some(fixture(DIAG)["value"].as_array().unwrap().clone());
        let f = finding("monitor_activity_log_retention", &inv(vec![], s));
        assert_eq!(f.status, S::Error, "{}", f.reason);
        assert!(f.reason.contains("not in the inventory"));
        // The lifecycle policy was not collected.
        let sa = storage(0, None);
        let s = export_to(None, Some(&sa.id), false);
        let f = finding("monitor_activity_log_retention", &inv(vec![sa], s));
        assert_eq!(f.status, S::Error);
        // A collected policy without rules says nothing: never "kept indefinitely".
        let sa = storage(
            0,
            Some(json!({"name": "DefaultManagementPolicy", "properties": {}})),
        );
        let s = export_to(None, Some(&sa.id), false);
        let f = finding("monitor_activity_log_retention", &inv(vec![sa], s));
        assert_eq!(f.status, S::Error, "{}", f.reason);
        assert!(f.reason.contains("policy.rules"), "{}", f.reason);
        let f = finding(
            "monitor_activity_log_retention",
            &inv(vec![], subscription(SUB)),
        );
        assert_eq!(f.status, S::Error);
    }

    #[test]
    fn monitor_activity_log_storage_cmk_pass() {
        // sto8596 in Microsoft's list uses a Key Vault key.
        let sa = storage(2, None);
        let s = export_to(None, Some(&sa.id), false);
        let f = finding("monitor_activity_log_storage_cmk", &inv(vec![sa], s));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        // No storage destination: not applicable.
        let s = export_to(Some("/subscriptions/x/ws"), None, false);
        let f = finding("monitor_activity_log_storage_cmk", &inv(vec![], s));
        assert_eq!(f.status, S::NotApplicable);
    }
    #[test]
    fn monitor_activity_log_storage_cmk_fail() {
        let sa = storage(0, None);
        let s = export_to(None, Some(&sa.id), false);
        let f = finding("monitor_activity_log_storage_cmk", &inv(vec![sa], s));
        assert_eq!(f.status, S::Fail);
        assert_eq!(
            f.observed["storage_accounts"][0]["keySource"],
            json!("Microsoft.Storage")
        );
    }
    #[test]
    fn monitor_activity_log_storage_cmk_missing() {
        let mut s = subscription(SUB);
        s.diagnostic_settings = Some(fixture(DIAG)["value"].as_array().unwrap().clone());
        let f = finding("monitor_activity_log_storage_cmk", &inv(vec![], s));
        assert_eq!(f.status, S::Error);
        assert!(
            f.reason.contains("appteststorage1 is not in the inventory"),
            "{}",
            f.reason
        );
        let f = finding(
            "monitor_activity_log_storage_cmk",
            &inv(vec![], subscription(SUB)),
        );
        assert_eq!(f.status, S::Error);
    }

    fn ws_finding(r: Resource, settings: &Settings) -> Finding {
        let id = r.id.clone();
        finding_on(
            "monitor_log_analytics_retention",
            &inventory(vec![r]),
            settings,
            &id,
        )
    }

    #[test]
    fn monitor_log_analytics_retention_pass() {
        let f = ws_finding(workspace(Some(90)), &Settings::default());
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        // A looser setting accepts Microsoft's 30 days.
        let loose = Settings {
            min_log_retention_days: 30,
            ..Settings::default()
        };
        let f = ws_finding(fixture_resource(WORKSPACES, 0), &loose);
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn monitor_log_analytics_retention_fail() {
        let f = ws_finding(fixture_resource(WORKSPACES, 0), &Settings::default());
        assert_eq!(f.status, S::Fail);
        assert_eq!(
            f.reason,
            "data is retained for 30 days, less than the minimum of 90"
        );
        assert_eq!(f.observed["properties.retentionInDays"], json!(30));
    }
    #[test]
    fn monitor_log_analytics_retention_missing() {
        let f = ws_finding(workspace(None), &Settings::default());
        assert_eq!(f.status, S::Error);
        assert_eq!(f.observed["properties.retentionInDays"], Value::Null);
    }
}
