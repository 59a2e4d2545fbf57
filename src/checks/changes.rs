//! Change-management checks (CC8.1) over the administrative Activity Log events of each
//! subscription (`Inventory::changes`, the change population an auditor samples): who made
//! changes, whether every change is attributable, and which changes failed.
//!
//! `None` means the Activity Log was not collected: an error, never a pass. Events are counted as
//! operations, grouped by correlation id (Azure writes a Started and a Succeeded event for one
//! operation), falling back to the event id.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::rbac::require_source;
use super::{Check, CheckMeta, Ctx, Eval, Severity, Verdict};
use crate::model::{ChangeEvent, Subscription};

const ACTIVITY_LOG: &str = "arm.activity_log";

/// Event ids recorded per finding, so that a reviewer can sample without the evidence growing
/// with the population.
const MAX_EVENT_IDS: usize = 20;

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "changes_by_approved_deployers",
            title: "Changes to Azure resources are made only by approved deployers",
            service: "changes",
            severity: Severity::High,
            criteria: &["CC8.1"],
            cis: &[],
            policies: &[],
            description: "Reads the subscription's administrative Activity Log events collected \
                          for the period. Every event with a caller whose status is not Failed is \
                          compared, case-insensitively, with the approved_deployers setting (UPNs, \
                          object ids or application ids of the deployment pipelines). Fails when \
                          any operation was made by another caller, listing each caller with its \
                          number of operations and up to 20 event ids; passes when all were made \
                          by approved deployers (or there was no change). An empty \
                          approved_deployers setting is an error ('not configured'), never a \
                          pass; the Activity Log not collected, or a gap for the subscription, is \
                          an error. Events without a caller are judged by \
                          changes_caller_recorded.",
            rationale: "Changes that bypass the deployment pipeline skip its review, approval and \
                        testing; an auditor tests CC8.1 by sampling the change population, and \
                        changes by people or identities outside the approved path are the \
                        exceptions to investigate (CC8.1).",
            remediation: "Review each listed change, raise a retrospective change record where it \
                          was legitimate, and remove the caller's write access (Access control \
                          (IAM)) so changes flow through the pipeline; list the pipelines' \
                          identities under [checks] approved_deployers. CLI: az monitor \
                          activity-log list --subscription <subscription-id> --caller <caller> \
                          --offset 30d",
            sources: &[ACTIVITY_LOG],
        },
        eval: Eval::SubscriptionCtx(approved_deployers),
    },
    Check {
        meta: CheckMeta {
            id: "changes_caller_recorded",
            title: "Every administrative change records who made it",
            service: "changes",
            severity: Severity::Low,
            criteria: &["CC8.1"],
            cis: &[],
            policies: &[],
            description: "Fails when an administrative Activity Log event of the subscription has \
                          no caller, listing up to 20 event ids with their operations; passes when \
                          every event names its caller. The Activity Log not collected, or a gap, \
                          is an error.",
            rationale: "A change population is only auditable if each change is attributable to \
                        an identity; unattributed changes cannot be matched to an approval \
                        (CC8.1).",
            remediation: "Investigate the listed events in Monitor > Activity log (platform \
                          operations may lack a caller; anything else should be raised with \
                          Microsoft support). CLI: az monitor activity-log list --subscription \
                          <subscription-id> --correlation-id <correlation-id>",
            sources: &[ACTIVITY_LOG],
        },
        eval: Eval::SubscriptionCtx(caller_recorded),
    },
    Check {
        meta: CheckMeta {
            id: "changes_failed_operations_reviewed",
            title: "No administrative change failed during the period",
            service: "changes",
            severity: Severity::Low,
            criteria: &["CC7.1", "CC8.1"],
            cis: &[],
            policies: &[],
            description: "Informational: fails when an administrative Activity Log event of the \
                          subscription has status Failed, listing the operations with their \
                          number of failures and up to 20 event ids, so that a reviewer confirms \
                          each was understood (a failed deployment may leave resources half \
                          configured). Passes when no change failed. The Activity Log not \
                          collected, or a gap, is an error.",
            rationale: "Failed changes are where deployments diverge from what was approved and \
                        tested, and repeated failures can indicate probing with insufficient \
                        rights; reviewing them supports change management (CC8.1) and the \
                        detection of unexpected configuration changes (CC7.1).",
            remediation: "Review each failed operation in Monitor > Activity log > filter Event \
                          status = Failed; fix or roll back partial deployments. CLI: az monitor \
                          activity-log list --subscription <subscription-id> --status Failed \
                          --offset 30d",
            sources: &[ACTIVITY_LOG],
        },
        eval: Eval::SubscriptionCtx(failed_operations),
    },
];

/// The subscription's events, or the error verdict when they cannot be judged.
fn events<'a>(s: &Subscription, ctx: &Ctx<'a>) -> Result<Vec<&'a ChangeEvent>, Verdict> {
    let Some(all) = &ctx.inventory.changes else {
        return Err(Verdict::error(
            "the Activity Log (change population) was not collected",
        ));
    };
    require_source(ctx, ACTIVITY_LOG, Some(&s.arm_id()))?;
    Ok(all
        .iter()
        .filter(|e| e.subscription_id.eq_ignore_ascii_case(&s.id))
        .collect())
}

/// The operation an event belongs to: its correlation id, else its own id.
fn operation_key(e: &ChangeEvent) -> &str {
    e.correlation_id.as_deref().unwrap_or(&e.event_id)
}

fn failed(e: &ChangeEvent) -> bool {
    e.status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("Failed"))
}

/// Distinct operations per key, and a sample of event ids.
#[derive(Default)]
struct Tally<'a> {
    operations: BTreeMap<String, BTreeSet<&'a str>>,
    event_ids: Vec<&'a str>,
}

impl<'a> Tally<'a> {
    fn add(&mut self, key: &str, e: &'a ChangeEvent) {
        self.operations
            .entry(key.to_string())
            .or_default()
            .insert(operation_key(e));
        if self.event_ids.len() < MAX_EVENT_IDS {
            self.event_ids.push(&e.event_id);
        }
    }

    fn counts(&self) -> Value {
        self.operations
            .iter()
            .map(|(k, ops)| (k.clone(), json!(ops.len())))
            .collect::<serde_json::Map<_, _>>()
            .into()
    }

    fn listed(&self) -> String {
        let mut by_count: Vec<(&String, usize)> =
            self.operations.iter().map(|(k, v)| (k, v.len())).collect();
        by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        by_count
            .iter()
            .take(20)
            .map(|(k, n)| format!("{k} ({n})"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn total(&self) -> usize {
        self.operations.values().map(BTreeSet::len).sum()
    }
}

fn approved_deployers(s: &Subscription, ctx: &Ctx) -> Verdict {
    let list = match events(s, ctx) {
        Ok(l) => l,
        Err(v) => return v.observe("unapproved_callers", None),
    };
    let approved: BTreeSet<String> = ctx
        .settings
        .approved_deployers
        .iter()
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty())
        .collect();
    let mut outside = Tally::default();
    let mut all_callers = Tally::default();
    for e in list.iter().copied().filter(|e| !failed(e)) {
        let Some(caller) = e.caller.as_deref() else {
            continue;
        };
        all_callers.add(caller, e);
        if !approved.contains(&caller.trim().to_ascii_lowercase()) {
            outside.add(caller, e);
        }
    }
    let v = if approved.is_empty() {
        Verdict::error(
            "approved_deployers is not configured, so changes cannot be matched to the approved \
             deployment path",
        )
    } else if outside.total() > 0 {
        Verdict::fail(format!(
            "{} changes were made by {} callers outside approved_deployers: {}",
            outside.total(),
            outside.operations.len(),
            outside.listed()
        ))
    } else {
        Verdict::pass(format!(
            "all {} changes were made by approved deployers",
            all_callers.total()
        ))
    };
    v.observe_value("unapproved_callers", outside.counts())
        .observe_value("unapproved_event_ids", json!(outside.event_ids))
        .observe_value("callers", all_callers.counts())
        .observe_value("approved_deployers", json!(approved))
        .observe_value("events", json!(list.len()))
}

fn caller_recorded(s: &Subscription, ctx: &Ctx) -> Verdict {
    let list = match events(s, ctx) {
        Ok(l) => l,
        Err(v) => return v.observe("events_without_caller", None),
    };
    let mut missing = Tally::default();
    for e in list.iter().copied() {
        if e.caller.as_deref().is_none_or(|c| c.trim().is_empty()) {
            missing.add(&e.operation, e);
        }
    }
    let v = if missing.total() == 0 {
        Verdict::pass(format!("all {} events name their caller", list.len()))
    } else {
        Verdict::fail(format!(
            "{} changes have no caller: {}",
            missing.total(),
            missing.listed()
        ))
    };
    v.observe_value("events_without_caller", json!(missing.event_ids))
        .observe_value("operations_without_caller", missing.counts())
        .observe_value("events", json!(list.len()))
}

fn failed_operations(s: &Subscription, ctx: &Ctx) -> Verdict {
    let list = match events(s, ctx) {
        Ok(l) => l,
        Err(v) => return v.observe("failed_event_ids", None),
    };
    let mut failures = Tally::default();
    for e in list.iter().copied().filter(|e| failed(e)) {
        failures.add(&e.operation, e);
    }
    let v = if failures.total() == 0 {
        Verdict::pass(format!("none of {} events failed", list.len()))
    } else {
        Verdict::fail(format!(
            "{} changes failed, for review: {}",
            failures.total(),
            failures.listed()
        ))
    };
    v.observe_value("failed_event_ids", json!(failures.event_ids))
        .observe_value("failed_operations", failures.counts())
        .observe_value("events", json!(list.len()))
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{fixture, inventory, subscription};
    use crate::checks::{Finding, Settings};
    use crate::model::{ChangeEvent, Gap, Inventory};

    const EVENTS: &str = "../handmade/monitor/activity_log_events_list.2015-04-01.json";
    const SUB: &str = "089bd33f-d4ec-47fe-8ba5-0753aa5c5b33";

    /// Maps an Activity Log event (REST shape) to the inventory model, as the collector does.
    fn change(v: &Value) -> ChangeEvent {
        ChangeEvent {
            event_id: v["eventDataId"].as_str().unwrap().into(),
            event_time: DateTime::parse_from_rfc3339(v["eventTimestamp"].as_str().unwrap())
                .unwrap()
                .to_utc(),
            subscription_id: v["subscriptionId"].as_str().unwrap().into(),
            caller: v["caller"].as_str().map(str::to_string),
            operation: v["operationName"]["value"].as_str().unwrap().into(),
            resource_id: v["resourceId"]
                .as_str()
                .or(v["id"].as_str())
                .map(str::to_string),
            status: v["status"]["value"].as_str().map(str::to_string),
            correlation_id: v["correlationId"].as_str().map(str::to_string),
        }
    }

    /// Microsoft's example event, then copies with the given (caller, status, correlation id)
    /// and fresh event ids.
    fn events(variants: &[(Option<&str>, &str, &str)]) -> Vec<ChangeEvent> {
        let base = fixture(EVENTS)["value"][0].clone();
        let mut out = vec![change(&base)];
        for (i, (caller, status, corr)) in variants.iter().enumerate() {
            let mut v = base.clone();
            v["eventDataId"] = json!(format!("event-{i}"));
            v["caller"] = caller.map_or(Value::Null, |c| json!(c));
            v["status"]["value"] = json!(status);
            v["correlationId"] = json!(corr);
            out.push(change(&v));
        }
        out
    }

    fn finding(id: &str, changes: Option<Vec<ChangeEvent>>, settings: &Settings) -> Finding {
        let mut inv: Inventory = inventory(vec![]);
        inv.subscriptions.push(subscription(SUB));
        inv.changes = changes;
        let ctx = crate::checks::Ctx::new(&inv, settings);
        crate::checks::run(crate::checks::find(id).unwrap(), &ctx)
            .findings
            .into_iter()
            .find(|f| f.resource_id == format!("/subscriptions/{SUB}"))
            .unwrap()
    }

    fn approved(list: &[&str]) -> Settings {
        Settings {
            approved_deployers: list.iter().map(|s| s.to_string()).collect(),
            ..Settings::default()
        }
    }

    const PIPELINE: &str = "c44b4083-3bq0-49c1-b47d-974e53cbdf3c";

    #[test]
    fn changes_by_approved_deployers_pass() {
        // Microsoft's example change was made by admin@contoso.com; a Started and a Succeeded
        // event of one pipeline operation count once.
        let list = events(&[
            (Some(PIPELINE), "Started", "op-1"),
            (Some(PIPELINE), "Succeeded", "op-1"),
        ]);
        let f = finding(
            "changes_by_approved_deployers",
            Some(list),
            &approved(&["ADMIN@contoso.com", PIPELINE]),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.reason, "all 2 changes were made by approved deployers");
        assert_eq!(f.observed["callers"][PIPELINE], json!(1));
        // No change in the period is a pass too.
        let f = finding(
            "changes_by_approved_deployers",
            Some(vec![]),
            &approved(&[PIPELINE]),
        );
        assert_eq!(f.status, S::Pass);
    }
    #[test]
    fn changes_by_approved_deployers_fail() {
        let list = events(&[
            (Some(PIPELINE), "Succeeded", "op-1"),
            (Some("admin@contoso.com"), "Succeeded", "op-2"),
            // A failed attempt is not a change.
            (Some("mallory@contoso.com"), "Failed", "op-3"),
        ]);
        let f = finding(
            "changes_by_approved_deployers",
            Some(list),
            &approved(&[PIPELINE]),
        );
        assert_eq!(f.status, S::Fail);
        assert_eq!(
            f.reason,
            "2 changes were made by 1 callers outside approved_deployers: admin@contoso.com (2)"
        );
        assert_eq!(
            f.observed["unapproved_event_ids"],
            json!(["44ade6b4-3813-45e6-ae27-7420a95fa2f8", "event-1"])
        );
    }
    #[test]
    fn changes_by_approved_deployers_missing() {
        let f = finding(
            "changes_by_approved_deployers",
            None,
            &approved(&[PIPELINE]),
        );
        assert_eq!(f.status, S::Error);
        assert!(f.reason.contains("not collected"));
        // Not configured is never a pass, even with every change recorded.
        let f = finding(
            "changes_by_approved_deployers",
            Some(events(&[])),
            &Settings::default(),
        );
        assert_eq!(f.status, S::Error);
        assert!(f.reason.contains("not configured"), "{}", f.reason);
        assert_eq!(f.observed["callers"]["admin@contoso.com"], json!(1));
    }

    #[test]
    fn changes_caller_recorded_pass() {
        let f = finding(
            "changes_caller_recorded",
            Some(events(&[])),
            &Settings::default(),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn changes_caller_recorded_fail() {
        let list = events(&[
            (None, "Succeeded", "op-9"),
            (Some(" "), "Succeeded", "op-10"),
        ]);
        let f = finding("changes_caller_recorded", Some(list), &Settings::default());
        assert_eq!(f.status, S::Fail);
        assert_eq!(
            f.reason,
            "2 changes have no caller: microsoft.support/supporttickets/write (2)"
        );
        assert_eq!(
            f.observed["events_without_caller"],
            json!(["event-0", "event-1"])
        );
    }
    #[test]
    fn changes_caller_recorded_missing() {
        let mut inv: Inventory = inventory(vec![]);
        inv.subscriptions.push(subscription(SUB));
        inv.changes = Some(events(&[]));
        for s in &mut inv.sources {
            s.gaps.push(Gap {
                scope: format!("/subscriptions/{SUB}"),
                reason: "429 after retries".into(),
                read: None,
            });
        }
        let settings = Settings::default();
        let ctx = crate::checks::Ctx::new(&inv, &settings);
        let f = crate::checks::run(
            crate::checks::find("changes_caller_recorded").unwrap(),
            &ctx,
        )
        .findings
        .into_iter()
        .find(|f| f.resource_id == format!("/subscriptions/{SUB}"))
        .unwrap();
        assert_eq!(f.status, S::Error);
        let f = finding("changes_caller_recorded", None, &settings);
        assert_eq!(f.status, S::Error);
    }

    #[test]
    fn changes_failed_operations_reviewed_pass() {
        let f = finding(
            "changes_failed_operations_reviewed",
            Some(events(&[(Some(PIPELINE), "Succeeded", "op-1")])),
            &Settings::default(),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.reason, "none of 2 events failed");
    }
    #[test]
    fn changes_failed_operations_reviewed_fail() {
        let f = finding(
            "changes_failed_operations_reviewed",
            Some(events(&[(Some(PIPELINE), "Failed", "op-1")])),
            &Settings::default(),
        );
        assert_eq!(f.status, S::Fail);
        assert_eq!(
            f.reason,
            "1 changes failed, for review: microsoft.support/supporttickets/write (1)"
        );
        assert_eq!(f.observed["failed_event_ids"], json!(["event-0"]));
    }
    #[test]
    fn changes_failed_operations_reviewed_missing() {
        let f = finding(
            "changes_failed_operations_reviewed",
            None,
            &Settings::default(),
        );
        assert_eq!(f.status, S::Error);
        assert_eq!(f.observed["failed_event_ids"], Value::Null);
    }
}
