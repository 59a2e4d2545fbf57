//! Microsoft Defender for Cloud checks, per subscription: the paid plan for each resource kind
//! (`Microsoft.Security/pricings`) and the security contact that receives alerts
//! (`Microsoft.Security/securityContacts`).
//!
//! The five plan checks share [`plan_verdict`]; each has a one-line function naming its plan
//! because `Eval` takes a plain function pointer.

use serde_json::{Value, json};

use super::{Check, CheckMeta, Eval, Severity, Verdict};
use crate::model::Subscription;

const PRICINGS: &str = "arm.defender_pricings";
const CONTACTS: &str = "arm.security_contacts";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "defender_plan_servers",
            title: "Defender for Servers is enabled",
            service: "defender",
            severity: Severity::High,
            criteria: &["CC6.8", "CC7.1", "CC7.2"],
            cis: &[
                "2.1.0:2.1.1",
                "3.0.0:3.1.3.1",
                "4.0.0:9.1.3.1",
                "5.0.0:8.1.3.1",
                "6.0.0:8.1.3.1",
            ],
            policies: &[],
            description: "Reads the subscription's Defender pricings. Passes when the pricing named \
                          VirtualMachines has properties.pricingTier Standard (subPlan is recorded); \
                          Free fails; a pricing list that lacks the plan fails (Azure lists every \
                          plan, so a missing entry is not enabled); pricings not collected, or an \
                          entry without pricingTier, is an error.",
            rationale: "Defender for Servers provides endpoint protection, vulnerability assessment \
                        and threat detection for virtual machines: protection against malicious \
                        software (CC6.8), detection of new vulnerabilities (CC7.1) and monitoring \
                        for attacks (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Servers = On. CLI: az security pricing \
                          create -n VirtualMachines --tier Standard --subplan P2",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(servers),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_storage",
            title: "Defender for Storage is enabled",
            service: "defender",
            severity: Severity::Medium,
            criteria: &["CC6.8", "CC7.2"],
            cis: &[
                "2.1.0:2.1.7",
                "3.0.0:3.1.5.1",
                "4.0.0:9.1.5.1",
                "5.0.0:8.1.5.1",
                "6.0.0:8.1.5.1",
            ],
            policies: &[],
            description: "Passes when the Defender pricing named StorageAccounts has \
                          properties.pricingTier Standard; Free, or a collected list without the \
                          plan, fails; pricings not collected, or no pricingTier, is an error.",
            rationale: "Defender for Storage detects malware uploads and anomalous access to \
                        storage accounts (CC6.8 malicious software, CC7.2 monitoring for attacks).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Storage = On. CLI: az security pricing \
                          create -n StorageAccounts --tier Standard --subplan DefenderForStorageV2",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(storage),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_sql",
            title: "Defender for Azure SQL databases is enabled",
            service: "defender",
            severity: Severity::Medium,
            criteria: &["CC7.1", "CC7.2"],
            cis: &[
                "2.1.0:2.1.3",
                "3.0.0:3.1.7.3",
                "4.0.0:9.1.7.3",
                "5.0.0:8.1.7.3",
                "6.0.0:8.1.7.3",
            ],
            policies: &[],
            description: "Passes when the Defender pricing named SqlServers (Azure SQL Database, \
                          SQL Managed Instance and Synapse SQL) has properties.pricingTier Standard; \
                          Free, or a collected list without the plan, fails; pricings not \
                          collected, or no pricingTier, is an error. SQL Server on machines is a \
                          separate plan (SqlServerVirtualMachines) and is not judged here.",
            rationale: "The plan runs SQL vulnerability assessment (CC7.1) and alerts on SQL \
                        injection, brute force and anomalous access (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Databases > Azure SQL Databases = On. \
                          CLI: az security pricing create -n SqlServers --tier Standard",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(sql),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_keyvaults",
            title: "Defender for Key Vault is enabled",
            service: "defender",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &[
                "2.1.0:2.1.9",
                "3.0.0:3.1.8.1",
                "4.0.0:9.1.8.1",
                "5.0.0:8.1.8.1",
                "6.0.0:8.1.8.1",
            ],
            policies: &[],
            description: "Passes when the Defender pricing named KeyVaults has \
                          properties.pricingTier Standard; Free, or a collected list without the \
                          plan, fails; pricings not collected, or no pricingTier, is an error.",
            rationale: "Defender for Key Vault alerts on unusual access to keys and secrets, such \
                        as access from suspicious addresses or unusual volumes of reads (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Key Vault = On. CLI: az security \
                          pricing create -n KeyVaults --tier Standard",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(keyvaults),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_arm",
            title: "Defender for Resource Manager is enabled",
            service: "defender",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &[
                "2.1.0:2.1.11",
                "3.0.0:3.1.9.1",
                "4.0.0:9.1.9.1",
                "5.0.0:8.1.9.1",
                "6.0.0:8.1.9.1",
            ],
            policies: &[],
            description: "Passes when the Defender pricing named Arm has properties.pricingTier \
                          Standard; Free, or a collected list without the plan, fails; pricings not \
                          collected, or no pricingTier, is an error.",
            rationale: "Defender for Resource Manager watches control-plane operations for \
                        suspicious management activity, such as operations from malicious \
                        addresses or exploitation toolkits (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Resource Manager = On. CLI: az security \
                          pricing create -n Arm --tier Standard",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(arm),
    },
    Check {
        meta: CheckMeta {
            id: "defender_security_contact_email",
            title: "A security contact email receives Defender for Cloud alerts",
            service: "defender",
            severity: Severity::Medium,
            criteria: &["CC7.3", "CC7.4"],
            cis: &[
                "2.1.0:2.1.18",
                "3.0.0:3.1.13",
                "4.0.0:9.1.13",
                "5.0.0:8.1.13",
                "6.0.0:8.1.13",
            ],
            policies: &[],
            description: "Reads the subscription's security contacts. Passes when some contact has \
                          a non-empty properties.emails (a ';'-separated list) and is not switched \
                          off (properties.isEnabled is not false; older api-versions omit it). No \
                          contact, or none with an address, fails; contacts not collected is an \
                          error. The addresses and role notifications are recorded.",
            rationale: "Alerts that reach no one are not evaluated or acted on: a named security \
                        contact is how Defender's detections enter incident evaluation (CC7.3) and \
                        response (CC7.4).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Email notifications > Additional email addresses. CLI: \
                          az rest --method put --url https://management.azure.com/subscriptions/\
                          <subscription-id>/providers/Microsoft.Security/securityContacts/default\
                          ?api-version=2023-12-01-preview --body '{\"properties\":{\"emails\":\
                          \"security@example.com\",\"isEnabled\":true,\"notificationsByRole\":\
                          {\"state\":\"On\",\"roles\":[\"Owner\"]}}}'",
            sources: &[CONTACTS],
        },
        eval: Eval::Subscription(security_contact_email),
    },
];

fn servers(s: &Subscription) -> Verdict {
    plan_verdict(s, "VirtualMachines")
}

fn storage(s: &Subscription) -> Verdict {
    plan_verdict(s, "StorageAccounts")
}

fn sql(s: &Subscription) -> Verdict {
    plan_verdict(s, "SqlServers")
}

fn keyvaults(s: &Subscription) -> Verdict {
    plan_verdict(s, "KeyVaults")
}

fn arm(s: &Subscription) -> Verdict {
    plan_verdict(s, "Arm")
}

/// The one plan evaluation: Standard passes, Free or unlisted fails, unknown is an error.
fn plan_verdict(s: &Subscription, plan: &str) -> Verdict {
    let tier_key = format!("pricings/{plan}.pricingTier");
    let Some(pricings) = &s.defender_pricings else {
        return Verdict::error("Defender for Cloud pricings were not collected")
            .observe(&tier_key, None);
    };
    let Some(entry) = pricings.iter().find(|p| {
        p.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case(plan))
    }) else {
        let listed: Vec<&str> = pricings
            .iter()
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .collect();
        // Azure returns an entry for every plan, enabled or not; a missing one is not enabled.
        return Verdict::fail(format!(
            "plan not listed: {plan} is absent from the pricings"
        ))
        .observe(&tier_key, None)
        .observe_value("plans_listed", json!(listed));
    };

    let tier = entry
        .pointer("/properties/pricingTier")
        .filter(|v| !v.is_null());
    let v = match tier.and_then(Value::as_str) {
        Some(t) if t.eq_ignore_ascii_case("Standard") => {
            Verdict::pass(format!("the {plan} plan is on (Standard tier)"))
        }
        Some(t) if t.eq_ignore_ascii_case("Free") => {
            Verdict::fail(format!("the {plan} plan is off (Free tier)"))
        }
        Some(t) => Verdict::error(format!("{tier_key} has unexpected value {t}")),
        None => Verdict::error(format!("{tier_key} is not present in the collected data")),
    };
    v.observe(&tier_key, tier).observe(
        &format!("pricings/{plan}.subPlan"),
        entry.pointer("/properties/subPlan"),
    )
}

/// The addresses in a contact's `properties.emails` (`a@x;b@y`), trimmed, blanks dropped.
fn emails(contact: &Value) -> Vec<&str> {
    contact
        .pointer("/properties/emails")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split([';', ','])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect()
}

fn security_contact_email(s: &Subscription) -> Verdict {
    let key = "securityContacts";
    let Some(contacts) = &s.security_contacts else {
        return Verdict::error("security contacts were not collected").observe(key, None);
    };
    let summary: Vec<Value> = contacts
        .iter()
        .map(|c| {
            json!({
                "name": c.get("name").cloned().unwrap_or(Value::Null),
                "emails": emails(c),
                "isEnabled": c.pointer("/properties/isEnabled").cloned().unwrap_or(Value::Null),
                "notificationsByRole": c
                    .pointer("/properties/notificationsByRole")
                    .cloned()
                    .unwrap_or(Value::Null),
            })
        })
        .collect();

    let usable: Vec<&Value> = contacts
        .iter()
        // Only an explicit false switches a contact off; older api-versions have no isEnabled.
        .filter(|c| c.pointer("/properties/isEnabled").and_then(Value::as_bool) != Some(false))
        .filter(|c| !emails(c).is_empty())
        .collect();
    let v = if let Some(first) = usable.first() {
        Verdict::pass(format!(
            "security alerts are emailed to {}",
            emails(first).join(", ")
        ))
    } else if contacts.is_empty() {
        Verdict::fail("no security contact is configured")
    } else {
        Verdict::fail("no enabled security contact has an email address")
    };
    v.observe_value(key, Value::from(summary))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::Verdict;
    use crate::checks::testutil::{eval_subscription, fixture, subscription};
    use crate::model::Subscription;

    const PRICINGS: &str = "defender/defender_pricings_list.2024-01-01.json";
    const CONTACTS: &str = "defender/security_contacts_list.2023-12-01-preview.json";

    fn with_pricings(pricings: Option<Vec<Value>>) -> Subscription {
        let mut s = subscription("sub-a");
        s.defender_pricings = pricings;
        s
    }

    /// Microsoft's list: VirtualMachines, SqlServers, StorageAccounts, KeyVaults and Arm are all
    /// Standard; AppServices and others are Free.
    fn example_pricings() -> Vec<Value> {
        fixture(PRICINGS)["value"].as_array().unwrap().clone()
    }

    fn edit_plan(plan: &str, edit: impl Fn(&mut Value)) -> Subscription {
        let mut pricings = example_pricings();
        let entry = pricings.iter_mut().find(|p| p["name"] == plan).unwrap();
        edit(entry);
        with_pricings(Some(pricings))
    }

    fn plan_pass(id: &str, plan: &str) {
        let v = eval_subscription(id, &with_pricings(Some(example_pricings())));
        assert_eq!(v.status, S::Pass, "{id}: {}", v.reason);
        assert_eq!(
            v.observed[&format!("pricings/{plan}.pricingTier")],
            json!("Standard")
        );
    }

    fn plan_fail(id: &str, plan: &str) {
        let v = eval_subscription(
            id,
            &edit_plan(plan, |p| p["properties"]["pricingTier"] = json!("Free")),
        );
        assert_eq!(v.status, S::Fail, "{id}");
        assert!(v.reason.contains("Free"), "{}", v.reason);

        // Azure lists every plan, so an absent entry is not enabled.
        let mut pricings = example_pricings();
        pricings.retain(|p| p["name"] != plan);
        let v: Verdict = eval_subscription(id, &with_pricings(Some(pricings)));
        assert_eq!(v.status, S::Fail, "{id}");
        assert!(v.reason.starts_with("plan not listed"), "{}", v.reason);
        assert_eq!(
            v.observed[&format!("pricings/{plan}.pricingTier")],
            Value::Null
        );
    }

    fn plan_missing(id: &str, plan: &str) {
        let v = eval_subscription(id, &with_pricings(None));
        assert_eq!(v.status, S::Error, "{id}");
        assert!(v.reason.contains("not collected"));

        let v = eval_subscription(
            id,
            &edit_plan(plan, |p| {
                p["properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("pricingTier");
            }),
        );
        assert_eq!(v.status, S::Error, "{id}");
        assert!(v.reason.contains("pricingTier"));
    }

    #[test]
    fn defender_plan_servers_pass() {
        plan_pass("defender_plan_servers", "VirtualMachines");
        let v = eval_subscription(
            "defender_plan_servers",
            &with_pricings(Some(example_pricings())),
        );
        assert_eq!(v.observed["pricings/VirtualMachines.subPlan"], json!("P2"));
    }
    #[test]
    fn defender_plan_servers_fail() {
        plan_fail("defender_plan_servers", "VirtualMachines");
    }
    #[test]
    fn defender_plan_servers_missing() {
        plan_missing("defender_plan_servers", "VirtualMachines");
    }

    #[test]
    fn defender_plan_storage_pass() {
        plan_pass("defender_plan_storage", "StorageAccounts");
    }
    #[test]
    fn defender_plan_storage_fail() {
        plan_fail("defender_plan_storage", "StorageAccounts");
    }
    #[test]
    fn defender_plan_storage_missing() {
        plan_missing("defender_plan_storage", "StorageAccounts");
    }

    #[test]
    fn defender_plan_sql_pass() {
        plan_pass("defender_plan_sql", "SqlServers");
    }
    #[test]
    fn defender_plan_sql_fail() {
        plan_fail("defender_plan_sql", "SqlServers");
    }
    #[test]
    fn defender_plan_sql_missing() {
        plan_missing("defender_plan_sql", "SqlServers");
    }

    #[test]
    fn defender_plan_keyvaults_pass() {
        plan_pass("defender_plan_keyvaults", "KeyVaults");
    }
    #[test]
    fn defender_plan_keyvaults_fail() {
        plan_fail("defender_plan_keyvaults", "KeyVaults");
    }
    #[test]
    fn defender_plan_keyvaults_missing() {
        plan_missing("defender_plan_keyvaults", "KeyVaults");
    }

    #[test]
    fn defender_plan_arm_pass() {
        plan_pass("defender_plan_arm", "Arm");
    }
    #[test]
    fn defender_plan_arm_fail() {
        plan_fail("defender_plan_arm", "Arm");
    }
    #[test]
    fn defender_plan_arm_missing() {
        plan_missing("defender_plan_arm", "Arm");
    }

    fn with_contacts(contacts: Option<Vec<Value>>) -> Subscription {
        let mut s = subscription("sub-a");
        s.security_contacts = contacts;
        s
    }

    fn example_contacts() -> Vec<Value> {
        fixture(CONTACTS)["value"].as_array().unwrap().clone()
    }

    #[test]
    fn defender_security_contact_email_pass() {
        let v = eval_subscription(
            "defender_security_contact_email",
            &with_contacts(Some(example_contacts())),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.reason,
            "security alerts are emailed to john@contoso.com, Jane@contoso.com"
        );
        assert_eq!(
            v.observed["securityContacts"][0]["notificationsByRole"]["roles"],
            json!(["Owner", "Admin"])
        );
    }
    #[test]
    fn defender_security_contact_email_fail() {
        let v = eval_subscription(
            "defender_security_contact_email",
            &with_contacts(Some(vec![])),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "no security contact is configured")
        );

        let mut contacts = example_contacts();
        contacts[0]["properties"]["emails"] = json!(" ; ");
        let v = eval_subscription(
            "defender_security_contact_email",
            &with_contacts(Some(contacts)),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["securityContacts"][0]["emails"], json!([]));

        let mut contacts = example_contacts();
        contacts[0]["properties"]["isEnabled"] = json!(false);
        let v = eval_subscription(
            "defender_security_contact_email",
            &with_contacts(Some(contacts)),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.reason, "no enabled security contact has an email address");
    }
    #[test]
    fn defender_security_contact_email_missing() {
        let v = eval_subscription("defender_security_contact_email", &with_contacts(None));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not collected"));
        assert_eq!(v.observed["securityContacts"], Value::Null);
    }
}
