//! Azure Policy checks, per subscription: that policy governs the subscription at all, that
//! assignments enforce, that a compliance or security benchmark initiative is assigned, that
//! exemptions are time-bound, and that no resource is non-compliant.
//!
//! Assignments, exemptions and non-compliant states come from Resource Graph
//! (`policyresources`). An assignment at management-group scope applies to a subscription only
//! if the subscription sits below that group, which is not collected; a non-compliant policy
//! state of the subscription that names the assignment proves it applies. Otherwise such an
//! assignment "may apply": it can make a finding an error, never a pass.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::props;
use super::rbac::require_source;
use super::{Check, CheckMeta, Ctx, Eval, Severity, Verdict};
use crate::model::{Resource, Subscription};

const POLICY: &str = "resource_graph.policy";
const ASSIGNMENTS: &str = "microsoft.authorization/policyassignments";
const EXEMPTIONS: &str = "microsoft.authorization/policyexemptions";
const STATES: &str = "microsoft.policyinsights/policystates";

/// Microsoft's built-in "SOC 2 Type 2" regulatory compliance initiative.
const SOC2_INITIATIVE: &str = "4054785f-702b-4a98-9215-009cbd58b141";
/// Microsoft cloud security benchmark (Defender for Cloud's default initiative) and the CIS
/// Microsoft Azure Foundations Benchmark initiatives v1.3.0, v1.4.0 and v2.0.0.
const BENCHMARK_INITIATIVES: &[(&str, &str)] = &[
    (
        "1f3afdf9-d0c9-4c3d-847f-89da613e70a8",
        "Microsoft cloud security benchmark",
    ),
    ("612b5213-9160-4969-8578-1518bd2a000c", "CIS v1.3.0"),
    ("c3f5c4d9-9a1d-4a99-85c0-7f93e384d5c5", "CIS v1.4.0"),
    ("06f19060-9e68-4070-92ca-f15cc126059e", "CIS v2.0.0"),
];

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "policy_assignments_present",
            title: "At least one Azure Policy assignment governs the subscription",
            service: "policy",
            severity: Severity::Medium,
            criteria: &["CC5.2", "CC7.1"],
            cis: &[],
            policies: &[],
            description: "Passes when a policy assignment has the subscription as its scope \
                          (properties.scope, else the assignment id), or has a management-group \
                          scope that a non-compliant policy state of the subscription names, and \
                          the subscription is not in its notScopes. Fails when there is none. \
                          Management-group assignments that may apply (hierarchy not collected) \
                          make a would-be failure an error; the source not collected, or a gap for \
                          the subscription, is an error. Resource-group assignments do not govern \
                          the whole subscription and are only counted in the observed values.",
            rationale: "Azure Policy is how configuration standards are enforced and \
                        continuously evaluated across resources; a subscription no policy \
                        governs has no technology control over drift (CC5.2, CC7.1).",
            remediation: "Portal: Policy > Assignments > Assign initiative > scope: the \
                          subscription (for example Microsoft cloud security benchmark). CLI: az \
                          policy assignment create --name mcsb --scope \
                          /subscriptions/<subscription-id> --policy-set-definition \
                          1f3afdf9-d0c9-4c3d-847f-89da613e70a8",
            sources: &[POLICY],
        },
        eval: Eval::SubscriptionCtx(assignments_present),
    },
    Check {
        meta: CheckMeta {
            id: "policy_assignments_enforced",
            title: "Policy assignments on the subscription are enforced",
            service: "policy",
            severity: Severity::Medium,
            criteria: &["CC5.2", "CC7.1"],
            cis: &[],
            policies: &[],
            description: "For every assignment that applies to the subscription or part of it \
                          (subscription, resource-group or resource scope, or a management-group \
                          scope proven by a policy state), reads properties.enforcementMode: \
                          Default passes (an absent value is Default, as the ARM reference \
                          documents), DoNotEnforce fails, listing the assignments. \
                          Management-group assignments in DoNotEnforce that may apply make a \
                          would-be pass an error; the source not collected or a gap is an error.",
            rationale: "With DoNotEnforce, deny, modify and deployIfNotExists effects do nothing: \
                        the assignment documents a standard without enforcing it (CC5.2, CC7.1).",
            remediation: "Portal: Policy > Assignments > <assignment> > Edit assignment > Policy \
                          enforcement = Enabled. CLI: az policy assignment update --name \
                          <assignment> --scope <scope> --enforcement-mode Default",
            sources: &[POLICY],
        },
        eval: Eval::SubscriptionCtx(assignments_enforced),
    },
    Check {
        meta: CheckMeta {
            id: "policy_soc2_initiative_assigned",
            title: "Microsoft's SOC 2 Type 2 policy initiative is assigned to the subscription",
            service: "policy",
            severity: Severity::Low,
            criteria: &["CC4.1", "CC7.1"],
            cis: &[],
            policies: &[],
            description: "Passes when an assignment whose policyDefinitionId is the built-in SOC \
                          2 Type 2 initiative (policySetDefinitions/\
                          4054785f-702b-4a98-9215-009cbd58b141) applies to the whole subscription \
                          (subscription scope, or management-group scope proven by a policy state) \
                          and is not excluded by notScopes. Fails otherwise; a management-group \
                          assignment of it that may apply makes a would-be failure an error; the \
                          source not collected or a gap is an error. Since catalogue 2026.12.0: an assignment without properties.policyDefinitionId makes an initiative not found an error instead of a fail.",
            rationale: "The initiative continuously evaluates the subscription against \
                        Microsoft's mapping of Azure settings to the Trust Services Criteria and \
                        feeds the Regulatory compliance dashboard: an ongoing evaluation of \
                        controls (CC4.1) and of configuration (CC7.1).",
            remediation: "Portal: Defender for Cloud > Regulatory compliance > Manage compliance \
                          policies > add 'SOC 2 Type 2', or Policy > Definitions > SOC 2 Type 2 > \
                          Assign. CLI: az policy assignment create --name soc2 --scope \
                          /subscriptions/<subscription-id> --policy-set-definition \
                          4054785f-702b-4a98-9215-009cbd58b141",
            sources: &[POLICY],
        },
        eval: Eval::SubscriptionCtx(soc2_assigned),
    },
    Check {
        meta: CheckMeta {
            id: "policy_security_benchmark_assigned",
            title: "A security benchmark policy initiative is assigned to the subscription",
            service: "policy",
            severity: Severity::Medium,
            criteria: &["CC4.1", "CC7.1"],
            cis: &[],
            policies: &[],
            description: "Passes when an assignment of the Microsoft cloud security benchmark \
                          (1f3afdf9-d0c9-4c3d-847f-89da613e70a8, Defender for Cloud's default) or \
                          a CIS Microsoft Azure Foundations Benchmark initiative (v1.3.0 \
                          612b5213-…, v1.4.0 c3f5c4d9-…, v2.0.0 06f19060-…) applies to the whole \
                          subscription. Fails otherwise; may-apply management-group assignments \
                          make a would-be failure an error; the source not collected or a gap is \
                          an error. Since catalogue 2026.12.0: an assignment without properties.policyDefinitionId makes an initiative not found an error instead of a fail.",
            rationale: "A benchmark initiative is the baseline against which Defender for Cloud \
                        scores the subscription and raises recommendations; without it, \
                        configuration weaknesses go unevaluated (CC4.1, CC7.1).",
            remediation: "Portal: Defender for Cloud > Environment settings > <subscription> > \
                          Security policies > enable Microsoft cloud security benchmark. CLI: az \
                          policy assignment create --name mcsb --scope \
                          /subscriptions/<subscription-id> --policy-set-definition \
                          1f3afdf9-d0c9-4c3d-847f-89da613e70a8",
            sources: &[POLICY],
        },
        eval: Eval::SubscriptionCtx(benchmark_assigned),
    },
    Check {
        meta: CheckMeta {
            id: "policy_exemptions_have_expiry",
            title: "Policy exemptions in the subscription have an expiry date",
            service: "policy",
            severity: Severity::Medium,
            criteria: &["CC5.2", "CC7.1"],
            cis: &[],
            policies: &[],
            description: "Fails listing every policy exemption created in the subscription (or \
                          below it) without properties.expiresOn; passes when all have one (or \
                          there are none). The source not collected, or a gap, is an error.",
            rationale: "An exemption is an accepted deviation from a control; without an expiry \
                        it is never re-evaluated and silently becomes permanent (CC5.2, CC7.1).",
            remediation: "Portal: Policy > Exemptions > <exemption> > Edit > set an expiration \
                          date. CLI: az policy exemption update --name <exemption> --scope <scope> \
                          --expires-on 2026-12-31T00:00:00Z",
            sources: &[POLICY],
        },
        eval: Eval::SubscriptionCtx(exemptions_expiry),
    },
    Check {
        meta: CheckMeta {
            id: "policy_exemptions_not_expired",
            title: "No expired policy exemption is left in the subscription",
            service: "policy",
            severity: Severity::Low,
            criteria: &["CC5.2"],
            cis: &[],
            policies: &[],
            description: "Fails listing every policy exemption in the subscription (or below) \
                          whose properties.expiresOn is before the inventory's collection time; \
                          passes otherwise. An unreadable expiresOn is an error. The source not \
                          collected, or a gap, is an error.",
            rationale: "Azure ignores an expired exemption, so the resource is evaluated again, \
                        but the leftover object shows the deviation was neither renewed nor \
                        closed through review (CC5.2).",
            remediation: "Portal: Policy > Exemptions > filter expired > delete, or renew after \
                          review. CLI: az policy exemption delete --name <exemption> --scope <scope>",
            sources: &[POLICY],
        },
        eval: Eval::SubscriptionCtx(exemptions_expired),
    },
    Check {
        meta: CheckMeta {
            id: "policy_resources_compliant",
            title: "No resource in the subscription is non-compliant with an assigned policy",
            service: "policy",
            severity: Severity::Medium,
            criteria: &["CC4.1", "CC7.1"],
            cis: &[],
            policies: &[],
            description: "Counts the Azure Policy states of the subscription with complianceState \
                          NonCompliant (Resource Graph policyresources). Fails when there is any, \
                          reporting the number of non-compliant resources and the policy \
                          definitions with the most; passes with none. The source not collected, \
                          or a gap, is an error. Since catalogue 2026.12.0: policy states without properties.complianceState make the finding an error instead of a pass.",
            rationale: "Non-compliant states are deviations Azure Policy has already detected; \
                        the count per subscription is the remediation backlog an auditor samples \
                        for ongoing evaluation and configuration monitoring (CC4.1, CC7.1).",
            remediation: "Portal: Policy > Compliance > <subscription> > non-compliant resources \
                          > remediate or create a remediation task. CLI: az policy state list \
                          --subscription <subscription-id> --filter \"complianceState eq \
                          'NonCompliant'\"",
            sources: &[POLICY],
        },
        eval: Eval::SubscriptionCtx(resources_compliant),
    },
];

/// How an assignment relates to one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Applies {
    /// Scoped to the subscription, or to a management group a policy state proves it under.
    Whole,
    /// Scoped to a resource group or resource of the subscription.
    Part,
    /// Management-group scope, not proven.
    Maybe,
    No,
}

fn scope_of(r: &Resource, marker: &str) -> String {
    if let Some(s) = props::value(r, "/scope").and_then(Value::as_str) {
        return s.to_string();
    }
    let lower = r.id.to_ascii_lowercase();
    match lower.find(marker) {
        Some(i) => r.id[..i].to_string(),
        None => r.id.clone(),
    }
}

/// Assignment ids (lower-case) that some non-compliant state of the subscription names.
fn proven_assignments(ctx: &Ctx, sub: &str) -> Vec<String> {
    ctx.resources_in(sub, STATES)
        .filter_map(|r| props::value(r, "/policyAssignmentId").and_then(Value::as_str))
        .map(str::to_ascii_lowercase)
        .collect()
}

fn applies(a: &Resource, sub: &str, proven: &[String]) -> Applies {
    let own = format!("/subscriptions/{}", sub.to_ascii_lowercase());
    let excluded = props::value(a, "/notScopes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|n| n.trim_end_matches('/').eq_ignore_ascii_case(&own));
    if excluded {
        return Applies::No;
    }
    let scope = scope_of(a, "/providers/microsoft.authorization/policyassignments/")
        .trim_end_matches('/')
        .to_ascii_lowercase();
    if scope == own {
        Applies::Whole
    } else if scope.starts_with(&format!("{own}/")) {
        Applies::Part
    } else if scope.starts_with("/providers/microsoft.management/managementgroups/")
        || scope.is_empty()
    {
        if proven.contains(&a.id.to_ascii_lowercase()) {
            Applies::Whole
        } else {
            Applies::Maybe
        }
    } else {
        Applies::No
    }
}

fn describe(a: &Resource) -> Value {
    json!({
        "id": a.id,
        "displayName": props::value(a, "/displayName"),
        "policyDefinitionId": props::value(a, "/policyDefinitionId"),
        "enforcementMode": props::value(a, "/enforcementMode"),
    })
}

/// The assignments of one subscription by how they apply, after the source check.
fn assignments<'a>(
    ctx: &Ctx<'a>,
    s: &Subscription,
) -> Result<Vec<(&'a Resource, Applies)>, Verdict> {
    require_source(ctx, POLICY, Some(&s.arm_id()))?;
    let proven = proven_assignments(ctx, &s.id);
    Ok(ctx
        .resources_of(ASSIGNMENTS)
        .iter()
        .map(|a| (*a, applies(a, &s.id, &proven)))
        .filter(|(_, x)| *x != Applies::No)
        .collect())
}

fn names(list: &[&Resource]) -> String {
    list.iter()
        .take(20)
        .map(|a| {
            props::value(a, "/displayName")
                .and_then(Value::as_str)
                .unwrap_or(&a.name)
                .to_string()
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn assignments_present(s: &Subscription, ctx: &Ctx) -> Verdict {
    let list = match assignments(ctx, s) {
        Ok(l) => l,
        Err(v) => return v.observe("assignments", None),
    };
    let of = |k: Applies| -> Vec<&Resource> {
        list.iter()
            .filter(|(_, x)| *x == k)
            .map(|(a, _)| *a)
            .collect()
    };
    let (whole, part, maybe) = (of(Applies::Whole), of(Applies::Part), of(Applies::Maybe));
    let v = if !whole.is_empty() {
        Verdict::pass(format!(
            "{} policy assignments govern the subscription: {}",
            whole.len(),
            names(&whole)
        ))
    } else if !maybe.is_empty() {
        Verdict::error(format!(
            "no assignment at subscription scope; {} management-group assignments may apply \
             (hierarchy not collected)",
            maybe.len()
        ))
    } else {
        Verdict::fail("no policy assignment governs the subscription")
    };
    v.observe_value("assignments", whole.iter().map(|a| describe(a)).collect())
        .observe_value("resource_group_assignments", json!(part.len()))
        .observe_value(
            "management_group_assignments_unproven",
            json!(maybe.iter().map(|a| a.id.as_str()).collect::<Vec<_>>()),
        )
}

fn do_not_enforce(a: &Resource) -> bool {
    // ARM documents Default as the value when enforcementMode is not set.
    props::value(a, "/enforcementMode")
        .and_then(Value::as_str)
        .is_some_and(|m| m.eq_ignore_ascii_case("DoNotEnforce"))
}

fn assignments_enforced(s: &Subscription, ctx: &Ctx) -> Verdict {
    let list = match assignments(ctx, s) {
        Ok(l) => l,
        Err(v) => return v.observe("not_enforced", None),
    };
    let off: Vec<&Resource> = list
        .iter()
        .filter(|(a, x)| *x != Applies::Maybe && do_not_enforce(a))
        .map(|(a, _)| *a)
        .collect();
    let maybe_off: Vec<&Resource> = list
        .iter()
        .filter(|(a, x)| *x == Applies::Maybe && do_not_enforce(a))
        .map(|(a, _)| *a)
        .collect();
    let judged = list.iter().filter(|(_, x)| *x != Applies::Maybe).count();
    let v = if !off.is_empty() {
        Verdict::fail(format!(
            "{} policy assignments are not enforced (DoNotEnforce): {}",
            off.len(),
            names(&off)
        ))
    } else if !maybe_off.is_empty() {
        Verdict::error(format!(
            "{} management-group assignments in DoNotEnforce may apply (hierarchy not collected)",
            maybe_off.len()
        ))
    } else {
        Verdict::pass(format!(
            "all {judged} applicable policy assignments are enforced"
        ))
    };
    v.observe_value("not_enforced", off.iter().map(|a| describe(a)).collect())
        .observe_value("assignments_judged", json!(judged))
}

/// The shared "an initiative of this set is assigned" judgement.
fn initiative_assigned(s: &Subscription, ctx: &Ctx, wanted: &[(&str, &str)]) -> Verdict {
    let list = match assignments(ctx, s) {
        Ok(l) => l,
        Err(v) => return v.observe("matching_assignments", None),
    };
    let which = |a: &Resource| -> Option<&str> {
        let def = props::value(a, "/policyDefinitionId").and_then(Value::as_str)?;
        let guid = def.rsplit('/').next()?;
        wanted
            .iter()
            .find(|(id, _)| id.eq_ignore_ascii_case(guid))
            .map(|(_, name)| *name)
    };
    let found: Vec<(&Resource, &str, Applies)> = list
        .iter()
        .filter_map(|(a, x)| which(a).map(|n| (*a, n, *x)))
        .collect();
    let whole: Vec<&str> = found
        .iter()
        .filter(|(_, _, x)| *x == Applies::Whole)
        .map(|(_, n, _)| *n)
        .collect();
    let wanted_names: Vec<&str> = wanted.iter().map(|(_, n)| *n).collect();
    let v = if !whole.is_empty() {
        Verdict::pass(format!(
            "assigned to the subscription: {}",
            whole.join(", ")
        ))
    } else if found.iter().any(|(_, _, x)| *x == Applies::Maybe) {
        Verdict::error(
            "assigned only at management-group scope, which may include the subscription \
             (hierarchy not collected)",
        )
    } else if found.is_empty()
        && list
            .iter()
            .any(|(a, _)| props::value(a, "/policyDefinitionId").is_none())
    {
        Verdict::error(format!(
            "none of {} is known to be assigned: some assignments have no \
             properties.policyDefinitionId",
            wanted_names.join(", ")
        ))
    } else if found.is_empty() {
        Verdict::fail(format!("none of {} is assigned", wanted_names.join(", ")))
    } else {
        Verdict::fail(format!(
            "{} is assigned only to part of the subscription",
            wanted_names.join(" or ")
        ))
    };
    v.observe_value(
        "matching_assignments",
        found
            .iter()
            .map(|(a, n, x)| json!({"id": a.id, "initiative": n, "applies": format!("{x:?}")}))
            .collect(),
    )
}

fn soc2_assigned(s: &Subscription, ctx: &Ctx) -> Verdict {
    initiative_assigned(s, ctx, &[(SOC2_INITIATIVE, "SOC 2 Type 2")])
}

fn benchmark_assigned(s: &Subscription, ctx: &Ctx) -> Verdict {
    initiative_assigned(s, ctx, BENCHMARK_INITIATIVES)
}

/// Exemptions created in the subscription or below it.
fn exemptions<'a>(ctx: &Ctx<'a>, s: &Subscription) -> Result<Vec<&'a Resource>, Verdict> {
    require_source(ctx, POLICY, Some(&s.arm_id()))?;
    Ok(ctx.resources_in(&s.id, EXEMPTIONS).collect())
}

fn exemption_label(e: &Resource) -> String {
    props::value(e, "/displayName")
        .and_then(Value::as_str)
        .unwrap_or(&e.name)
        .to_string()
}

fn expires_on(e: &Resource) -> Result<Option<DateTime<Utc>>, String> {
    match props::value(e, "/expiresOn") {
        None => Ok(None),
        Some(Value::String(t)) => DateTime::parse_from_rfc3339(t)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|err| format!("unreadable expiresOn {t:?}: {err}")),
        Some(other) => Err(format!("unexpected expiresOn {other}")),
    }
}

fn exemptions_expiry(s: &Subscription, ctx: &Ctx) -> Verdict {
    let list = match exemptions(ctx, s) {
        Ok(l) => l,
        Err(v) => return v.observe("without_expiry", None),
    };
    let open: Vec<&Resource> = list
        .iter()
        .filter(|e| props::value(e, "/expiresOn").is_none())
        .copied()
        .collect();
    let v = if open.is_empty() {
        Verdict::pass(format!("all {} exemptions have an expiry date", list.len()))
    } else {
        let labels: Vec<String> = open.iter().take(20).map(|e| exemption_label(e)).collect();
        Verdict::fail(format!(
            "{} policy exemptions never expire: {}",
            open.len(),
            labels.join(", ")
        ))
    };
    v.observe_value(
        "without_expiry",
        open.iter()
            .take(100)
            .map(|e| {
                json!({
                    "id": e.id,
                    "exemptionCategory": props::value(e, "/exemptionCategory"),
                    "policyAssignmentId": props::value(e, "/policyAssignmentId"),
                })
            })
            .collect(),
    )
    .observe_value("exemptions", json!(list.len()))
}

fn exemptions_expired(s: &Subscription, ctx: &Ctx) -> Verdict {
    let list = match exemptions(ctx, s) {
        Ok(l) => l,
        Err(v) => return v.observe("expired", None),
    };
    let now = ctx.as_of();
    let mut expired = Vec::new();
    let mut unreadable = Vec::new();
    for e in &list {
        match expires_on(e) {
            Ok(Some(t)) if t <= now => {
                expired.push(
                    json!({"id": e.id, "expiresOn": t.to_rfc3339(), "name": exemption_label(e)}),
                );
            }
            Ok(_) => {}
            Err(why) => unreadable.push(json!({"id": e.id, "why": why})),
        }
    }
    let v = if !expired.is_empty() {
        let labels: Vec<String> = expired
            .iter()
            .take(20)
            .map(|e| {
                format!(
                    "{} (expired {})",
                    e["name"].as_str().unwrap_or_default(),
                    e["expiresOn"].as_str().unwrap_or_default()
                )
            })
            .collect();
        Verdict::fail(format!(
            "{} expired policy exemptions remain: {}",
            expired.len(),
            labels.join(", ")
        ))
    } else if !unreadable.is_empty() {
        Verdict::error(format!(
            "{} exemptions have an unreadable expiresOn",
            unreadable.len()
        ))
    } else {
        Verdict::pass(format!("none of {} exemptions has expired", list.len()))
    };
    v.observe_value("expired", Value::from(expired))
        .observe_value("unreadable", Value::from(unreadable))
        .observe_value("as_of", json!(now.to_rfc3339()))
}

fn resources_compliant(s: &Subscription, ctx: &Ctx) -> Verdict {
    if let Err(v) = require_source(ctx, POLICY, Some(&s.arm_id())) {
        return v.observe("non_compliant_resources", None);
    }
    let states: Vec<&Resource> = ctx
        .resources_in(&s.id, STATES)
        .filter(|r| {
            props::value(r, "/complianceState")
                .and_then(Value::as_str)
                .is_some_and(|c| c.eq_ignore_ascii_case("NonCompliant"))
        })
        .collect();
    let mut resources: Vec<String> = states
        .iter()
        .map(|r| {
            props::value(r, "/resourceId")
                .and_then(Value::as_str)
                .unwrap_or(&r.id)
                .to_ascii_lowercase()
        })
        .collect();
    resources.sort_unstable();
    resources.dedup();
    let mut by_definition: BTreeMap<String, usize> = BTreeMap::new();
    for r in &states {
        let def = props::value(r, "/policyDefinitionName")
            .or_else(|| props::value(r, "/policyDefinitionId"))
            .and_then(Value::as_str)
            .unwrap_or("(unknown definition)");
        *by_definition.entry(def.to_string()).or_default() += 1;
    }
    let mut top: Vec<(&String, &usize)> = by_definition.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let unreadable = ctx
        .resources_in(&s.id, STATES)
        .filter(|r| props::value(r, "/complianceState").is_none())
        .count();
    let v = if states.is_empty() && unreadable > 0 {
        Verdict::error(format!(
            "{unreadable} policy states have no properties.complianceState, so whether they \
             are compliant is unknown"
        ))
    } else if states.is_empty() {
        Verdict::pass("no non-compliant policy state in the subscription")
    } else {
        let list: Vec<String> = top
            .iter()
            .take(10)
            .map(|(d, n)| format!("{d} ({n})"))
            .collect();
        Verdict::fail(format!(
            "{} resources are non-compliant ({} policy states); most by definition: {}",
            resources.len(),
            states.len(),
            list.join(", ")
        ))
    };
    v.observe_value("non_compliant_resources", json!(resources.len()))
        .observe_value("non_compliant_states", json!(states.len()))
        .observe_value(
            "by_policy_definition",
            top.iter()
                .take(100)
                .map(|(d, n)| json!({"policyDefinition": d, "states": n}))
                .collect(),
        )
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{fixture, fixture_resource, inventory, set_prop, subscription};
    use crate::checks::{Finding, Settings};
    use crate::model::{Gap, Inventory, Resource};

    const ASSIGNMENT: &str = "authorization/policy_assignment_get.2024-04-01.json";
    const ASSIGNMENTS: &str = "authorization/policy_assignments_list.2025-01-01.json";
    const EXEMPTIONS: &str =
        "../handmade/policy/policy_exemptions_list_subscription.2022-07-01-preview.json";
    const STATES: &str = "../handmade/policy/policy_states_query_subscription.2024-10-01.json";
    /// The subscription of Microsoft's assignment and exemption examples.
    const SUB: &str = "ae640e6b-ba3e-4256-9d62-2993eecfa6f2";
    const STATES_SUB: &str = "fffedd8f-ffff-fffd-fffd-fffed2f84852";
    const MG: &str = "/providers/Microsoft.Management/managementGroups/DevOrg";

    fn finding(id: &str, inv: &Inventory) -> Finding {
        let check = crate::checks::find(id).unwrap();
        let settings = Settings::default();
        let ctx = crate::checks::Ctx::new(inv, &settings);
        crate::checks::run(check, &ctx)
            .findings
            .into_iter()
            .find(|f| f.resource_id == format!("/subscriptions/{SUB}"))
            .unwrap()
    }

    fn inv(rows: Vec<Resource>) -> Inventory {
        let mut inv = inventory(rows);
        inv.subscriptions.push(subscription(SUB));
        inv
    }

    /// Microsoft's single assignment example, edited.
    fn assignment(edit: impl FnOnce(&mut Resource)) -> Resource {
        let mut r = fixture_resource(ASSIGNMENT, 0);
        edit(&mut r);
        r
    }

    /// The same assignment moved to a management group.
    fn mg_assignment(name: &str, definition: &str) -> Resource {
        assignment(|r| {
            r.id = format!("{MG}/providers/Microsoft.Authorization/policyAssignments/{name}");
            r.subscription_id = String::new();
            r.name = name.into();
            set_prop(r, "/scope", json!(MG));
            set_prop(r, "/policyDefinitionId", json!(definition));
        })
    }

    /// Microsoft's policy states, moved to our subscription and wrapped as Resource Graph
    /// `policyresources` rows.
    fn states(edit: impl Fn(&mut Value)) -> Vec<Resource> {
        let text = serde_json::to_string(&fixture(STATES))
            .unwrap()
            .replace(STATES_SUB, SUB);
        let body: Value = serde_json::from_str(&text).unwrap();
        body["value"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, state)| {
                let mut state = state.clone();
                edit(&mut state);
                let id = format!(
                    "{}/providers/Microsoft.PolicyInsights/policyStates/{i}",
                    state["resourceId"].as_str().unwrap()
                );
                crate::checks::testutil::resource(json!({
                    "id": id,
                    "type": "microsoft.policyinsights/policystates",
                    "name": format!("{i}"),
                    "properties": state,
                }))
            })
            .collect()
    }

    const SOC2: &str = "/providers/Microsoft.Authorization/policySetDefinitions/4054785f-702b-4a98-9215-009cbd58b141";
    const MCSB: &str = "/providers/Microsoft.Authorization/policySetDefinitions/1f3afdf9-d0c9-4c3d-847f-89da613e70a8";

    #[test]
    fn policy_assignments_present_pass() {
        let rows = vec![
            fixture_resource(ASSIGNMENTS, 0),
            fixture_resource(ASSIGNMENTS, 1),
        ];
        let f = finding("policy_assignments_present", &inv(rows));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(
            f.reason,
            "2 policy assignments govern the subscription: Storage Cost Management, Enforces a \
             tag key and value"
        );
        // A management-group assignment that a state of the subscription names applies.
        let mg = mg_assignment("mg-policy", MCSB);
        let mut rows = states(|s| {
            s["policyAssignmentId"] = json!(format!(
                "{MG}/providers/Microsoft.Authorization/policyAssignments/mg-policy"
            ))
        });
        rows.push(mg);
        let f = finding("policy_assignments_present", &inv(rows));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn policy_assignments_present_fail() {
        let f = finding("policy_assignments_present", &inv(vec![]));
        assert_eq!(f.status, S::Fail);
        // Excluded through notScopes.
        let r = assignment(|r| set_prop(r, "/notScopes", json!([format!("/subscriptions/{SUB}")])));
        let f = finding("policy_assignments_present", &inv(vec![r]));
        assert_eq!(f.status, S::Fail, "{}", f.reason);
    }
    #[test]
    fn policy_assignments_present_missing() {
        let f = finding(
            "policy_assignments_present",
            &inv(vec![mg_assignment("mg-policy", MCSB)]),
        );
        assert_eq!(f.status, S::Error, "{}", f.reason);
        assert_eq!(
            f.observed["management_group_assignments_unproven"][0],
            json!(format!(
                "{MG}/providers/Microsoft.Authorization/policyAssignments/mg-policy"
            ))
        );
        let mut i = inv(vec![]);
        i.sources.retain(|s| s.name != "resource_graph.policy");
        assert_eq!(finding("policy_assignments_present", &i).status, S::Error);
    }

    #[test]
    fn policy_assignments_enforced_pass() {
        // enforcementMode Default, and absent (documented as Default) in the list example.
        let rows = vec![
            fixture_resource(ASSIGNMENT, 0),
            fixture_resource(ASSIGNMENTS, 0),
        ];
        let f = finding("policy_assignments_enforced", &inv(rows));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.reason, "all 2 applicable policy assignments are enforced");
    }
    #[test]
    fn policy_assignments_enforced_fail() {
        let r = assignment(|r| set_prop(r, "/enforcementMode", json!("DoNotEnforce")));
        let f = finding("policy_assignments_enforced", &inv(vec![r]));
        assert_eq!(f.status, S::Fail);
        assert!(
            f.reason.contains("Enforce resource naming rules"),
            "{}",
            f.reason
        );
        assert_eq!(
            f.observed["not_enforced"][0]["enforcementMode"],
            json!("DoNotEnforce")
        );
    }
    #[test]
    fn policy_assignments_enforced_missing() {
        let mut mg = mg_assignment("mg-policy", MCSB);
        set_prop(&mut mg, "/enforcementMode", json!("DoNotEnforce"));
        let f = finding("policy_assignments_enforced", &inv(vec![mg]));
        assert_eq!(f.status, S::Error, "{}", f.reason);
        let mut i = inv(vec![]);
        for s in &mut i.sources {
            s.gaps.push(Gap {
                scope: format!("/subscriptions/{SUB}"),
                reason: "throttled".into(),
                read: None,
            });
        }
        assert_eq!(finding("policy_assignments_enforced", &i).status, S::Error);
    }

    #[test]
    fn policy_soc2_initiative_assigned_pass() {
        let r = assignment(|r| set_prop(r, "/policyDefinitionId", json!(SOC2)));
        let f = finding("policy_soc2_initiative_assigned", &inv(vec![r]));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.reason, "assigned to the subscription: SOC 2 Type 2");
    }
    #[test]
    fn policy_soc2_initiative_assigned_fail() {
        // Microsoft's examples assign custom definitions only.
        let f = finding(
            "policy_soc2_initiative_assigned",
            &inv(vec![fixture_resource(ASSIGNMENT, 0)]),
        );
        assert_eq!(f.status, S::Fail);
        assert_eq!(f.reason, "none of SOC 2 Type 2 is assigned");
        // Assigned to a resource group only.
        let r = assignment(|r| {
            set_prop(r, "/policyDefinitionId", json!(SOC2));
            set_prop(
                r,
                "/scope",
                json!(format!("/subscriptions/{SUB}/resourceGroups/rg")),
            );
        });
        let f = finding("policy_soc2_initiative_assigned", &inv(vec![r]));
        assert_eq!(f.status, S::Fail);
        assert!(f.reason.contains("only to part"));
    }
    #[test]
    fn policy_soc2_initiative_assigned_missing() {
        let f = finding(
            "policy_soc2_initiative_assigned",
            &inv(vec![mg_assignment("soc2", SOC2)]),
        );
        assert_eq!(f.status, S::Error, "{}", f.reason);
    }

    #[test]
    fn policy_security_benchmark_assigned_pass() {
        // Proven through a non-compliant state of the subscription (Microsoft's state example
        // comes from the benchmark initiative).
        let mg = mg_assignment("asc", MCSB);
        let mut rows = states(|s| {
            s["policyAssignmentId"] = json!(format!(
                "{MG}/providers/Microsoft.Authorization/policyAssignments/asc"
            ))
        });
        rows.push(mg);
        let f = finding("policy_security_benchmark_assigned", &inv(rows));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(
            f.reason,
            "assigned to the subscription: Microsoft cloud security benchmark"
        );
        let cis = assignment(|r| {
            set_prop(
                r,
                "/policyDefinitionId",
                json!(
                    "/providers/Microsoft.Authorization/policySetDefinitions/06f19060-9e68-4070-92ca-f15cc126059e"
                ),
            )
        });
        let f = finding("policy_security_benchmark_assigned", &inv(vec![cis]));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn policy_security_benchmark_assigned_fail() {
        let rows = vec![
            fixture_resource(ASSIGNMENTS, 0),
            fixture_resource(ASSIGNMENTS, 1),
        ];
        let f = finding("policy_security_benchmark_assigned", &inv(rows));
        assert_eq!(f.status, S::Fail);
        assert!(
            f.reason.contains("Microsoft cloud security benchmark"),
            "{}",
            f.reason
        );
    }
    #[test]
    fn policy_security_benchmark_assigned_missing() {
        let f = finding(
            "policy_security_benchmark_assigned",
            &inv(vec![mg_assignment("asc", MCSB)]),
        );
        assert_eq!(f.status, S::Error);
        assert_eq!(
            f.observed["matching_assignments"][0]["applies"],
            json!("Maybe")
        );
    }

    fn exemption(index: usize, expires: Option<&str>) -> Resource {
        let mut r = fixture_resource(EXEMPTIONS, index);
        if let Some(t) = expires {
            set_prop(&mut r, "/expiresOn", json!(t));
        }
        r
    }

    #[test]
    fn policy_exemptions_have_expiry_pass() {
        let rows = vec![
            exemption(0, Some("2026-12-31T00:00:00Z")),
            exemption(1, Some("2027-01-31T00:00:00Z")),
        ];
        let f = finding("policy_exemptions_have_expiry", &inv(rows));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        let f = finding("policy_exemptions_have_expiry", &inv(vec![]));
        assert_eq!(f.status, S::Pass);
    }
    #[test]
    fn policy_exemptions_have_expiry_fail() {
        // Microsoft's examples set no expiry.
        let rows = vec![
            exemption(0, None),
            exemption(1, Some("2027-01-31T00:00:00Z")),
        ];
        let f = finding("policy_exemptions_have_expiry", &inv(rows));
        assert_eq!(f.status, S::Fail);
        assert_eq!(
            f.reason,
            "1 policy exemptions never expire: Exempt demo cluster"
        );
        assert_eq!(
            f.observed["without_expiry"][0]["exemptionCategory"],
            json!("Waiver")
        );
    }
    #[test]
    fn policy_exemptions_have_expiry_missing() {
        let mut i = inv(vec![exemption(0, None)]);
        i.sources.retain(|s| s.name != "resource_graph.policy");
        let f = finding("policy_exemptions_have_expiry", &i);
        assert_eq!(f.status, S::Error);
    }

    #[test]
    fn policy_exemptions_not_expired_pass() {
        let rows = vec![
            exemption(0, Some("2026-12-31T00:00:00Z")),
            exemption(1, None),
        ];
        let f = finding("policy_exemptions_not_expired", &inv(rows));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn policy_exemptions_not_expired_fail() {
        let rows = vec![exemption(1, Some("2026-06-30T00:00:00Z"))];
        let f = finding("policy_exemptions_not_expired", &inv(rows));
        assert_eq!(f.status, S::Fail);
        assert_eq!(
            f.reason,
            "1 expired policy exemptions remain: Exempt jump box open ports (expired \
             2026-06-30T00:00:00+00:00)"
        );
    }
    #[test]
    fn policy_exemptions_not_expired_missing() {
        let f = finding(
            "policy_exemptions_not_expired",
            &inv(vec![exemption(0, Some("end of year"))]),
        );
        assert_eq!(f.status, S::Error);
        assert!(
            f.observed["unreadable"][0]["why"]
                .as_str()
                .unwrap()
                .contains("unreadable")
        );
    }

    #[test]
    fn policy_resources_compliant_pass() {
        // States of another subscription do not count.
        let mut rows = states(|_| {});
        for r in &mut rows {
            r.subscription_id = "other".into();
        }
        let f = finding("policy_resources_compliant", &inv(rows));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.observed["non_compliant_states"], json!(0));
    }
    #[test]
    fn policy_resources_compliant_fail() {
        // Microsoft's example: one public IP non-compliant under two assignments.
        let f = finding("policy_resources_compliant", &inv(states(|_| {})));
        assert_eq!(f.status, S::Fail);
        assert_eq!(
            f.reason,
            "1 resources are non-compliant (2 policy states); most by definition: \
             9daedab3-fb2d-461e-b861-71790eead4f6 (2)"
        );
        assert_eq!(f.observed["non_compliant_resources"], json!(1));
    }
    #[test]
    fn policy_resources_compliant_missing() {
        let mut i = inv(states(|_| {}));
        i.sources.retain(|s| s.name != "resource_graph.policy");
        let f = finding("policy_resources_compliant", &i);
        assert_eq!(f.status, S::Error);
        assert!(f.reason.contains("was not collected"));
    }
}
