//! Entra ID checks on the tenant's sign-in policy: MFA for administrators and for everyone,
//! and blocking of legacy authentication. Each is met either by security defaults or by an
//! enforced conditional access (CA) policy.
//!
//! The two sources decide together. Security defaults enabled settles all three checks.
//! Otherwise the CA policies decide; if no policy qualifies, the finding fails only when
//! security defaults are known to be off, or provably off because Entra does not allow
//! security defaults while CA policies are enforced. Anything else is an error: missing data
//! never passes, and it does not fail a tenant that may be protected by what was not read.
//!
//! Limits of the inventory model: it carries users, applications, client app types and
//! built-in grant controls, but not the location, platform or risk conditions, nor
//! authentication strengths. A policy narrowed by those conditions is judged as if it were not
//! narrowed; one that requires MFA only through an authentication strength is not credited.

use serde_json::{Value, json};

use super::{Check, CheckMeta, Eval, Severity, Verdict};
use crate::model::{ConditionalAccessPolicy, Identity};

/// Role template id of Global Administrator (the same in every tenant).
const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";

const CA: &str = "graph.conditional_access_policies";
const SD: &str = "graph.security_defaults";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "entra_mfa_required_for_admins",
            title: "MFA is required for Global Administrators",
            service: "entra",
            severity: Severity::Critical,
            criteria: &["CC6.1", "CC6.6"],
            cis: &["2.1.0:1.1.2", "2.1.0:1.2.3", "3.0.0:2.1.2", "3.0.0:2.2.4"],
            policies: &[],
            description: "Passes when security defaults are enabled (isEnabled true), or when a \
                          conditional access policy with state enabled (report-only does not count) \
                          targets all cloud apps (includeApplications All), includes all users \
                          (includeUsers All) or the Global Administrator role (includeRoles \
                          62e90394-69f5-4237-9190-012177145e10) without excluding that role, and \
                          grants access only with MFA (builtInControls contains mfa and is either \
                          the only control or combined with operator AND; 'mfa OR compliant \
                          device' lets a device replace MFA). Other admin roles the qualifying \
                          policies include are recorded. Fails naming every policy considered and \
                          why it does not qualify. Error when policies were not collected and \
                          security defaults are not known to be enabled.",
            rationale: "A Global Administrator account protected by a password alone can take \
                        over the whole tenant after one phishing or spraying success; MFA is the \
                        primary logical access control for privileged identities (CC6.1) and for \
                        access from outside the network boundary (CC6.6).",
            remediation: "Portal: Entra admin center > Protection > Conditional Access > New \
                          policy from template 'Require multifactor authentication for admins', \
                          state On (exclude break-glass accounts), or enable security defaults \
                          (Identity > Overview > Properties > Manage security defaults). CLI: az \
                          rest --method post --url https://graph.microsoft.com/v1.0/identity/\
                          conditionalAccess/policies --body @require-mfa-admins.json",
            sources: &[CA, SD],
        },
        eval: Eval::Tenant(mfa_for_admins),
    },
    Check {
        meta: CheckMeta {
            id: "entra_mfa_required_for_all_users",
            title: "MFA is required for all users",
            service: "entra",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[
                "2.1.0:1.1.3",
                "2.1.0:1.2.4",
                "3.0.0:2.1.3",
                "3.0.0:2.2.5",
                "4.0.0:6.1.2",
                "4.0.0:6.2.4",
                "5.0.0:5.1.2",
                "5.0.0:5.2.4",
                "6.0.0:5.1.3",
            ],
            policies: &[],
            description: "Passes when security defaults are enabled, or when a conditional access \
                          policy with state enabled includes all users (includeUsers All), targets \
                          all cloud apps and grants access only with MFA (mfa alone, or with \
                          operator AND). Excluded users, groups and roles of each qualifying policy \
                          are counted in the observed values: break-glass exclusions are expected, \
                          and the reviewer judges the rest. Fails naming every policy considered \
                          and why it does not qualify; error when policies were not collected and \
                          security defaults are not known to be enabled.",
            rationale: "Passwords are phished, sprayed and reused; requiring a second factor for \
                        every account is the baseline logical access control (CC6.1) against \
                        attackers outside the boundary (CC6.6).",
            remediation: "Portal: Entra admin center > Protection > Conditional Access > New \
                          policy from template 'Require multifactor authentication for all users', \
                          state On (exclude break-glass accounts), or enable security defaults. \
                          CLI: az rest --method post --url https://graph.microsoft.com/v1.0/\
                          identity/conditionalAccess/policies --body @require-mfa-all-users.json",
            sources: &[CA, SD],
        },
        eval: Eval::Tenant(mfa_for_all_users),
    },
    Check {
        meta: CheckMeta {
            id: "entra_legacy_auth_blocked",
            title: "Legacy authentication is blocked",
            service: "entra",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: "Passes when security defaults are enabled (they block legacy \
                          authentication), or when a conditional access policy with state enabled \
                          has clientAppTypes including both exchangeActiveSync and other, grant \
                          control block, includes all users (includeUsers All) and targets all \
                          cloud apps. Fails naming every policy considered and why it does not \
                          qualify; error when policies were not collected and security defaults \
                          are not known to be enabled.",
            rationale: "Legacy protocols (POP, IMAP, SMTP AUTH, older Office clients, Exchange \
                        ActiveSync basic auth) cannot perform MFA, so they let a stolen password \
                        bypass it; blocking them closes that path (CC6.1, CC6.6).",
            remediation: "Portal: Entra admin center > Protection > Conditional Access > New \
                          policy from template 'Block legacy authentication', state On, or enable \
                          security defaults. CLI: az rest --method post --url \
                          https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies \
                          --body @block-legacy-auth.json",
            sources: &[CA, SD],
        },
        eval: Eval::Tenant(legacy_auth_blocked),
    },
];

/// Judges one CA policy for a check: `Ok` when it qualifies, else why not.
type PolicyTest = fn(&ConditionalAccessPolicy) -> Result<(), String>;

fn mfa_for_admins(idn: &Identity) -> Verdict {
    let (v, qualifying) = decide(idn, "MFA for Global Administrators", admin_mfa_policy);
    // Other admin roles covered by the same policies: evidence of scope, not a condition.
    let mut roles: Vec<&str> = qualifying
        .iter()
        .filter_map(|p| p.users())
        .flat_map(|u| u.include_roles.iter().map(String::as_str))
        .filter(|r| *r != GLOBAL_ADMIN)
        .collect();
    roles.sort_unstable();
    roles.dedup();
    v.observe_value("qualifying_policies.other_included_roles", json!(roles))
}

fn mfa_for_all_users(idn: &Identity) -> Verdict {
    let (v, qualifying) = decide(idn, "MFA for all users", all_users_mfa_policy);
    v.observe_value("qualifying_policies.exclusions", exclusions(&qualifying))
}

fn legacy_auth_blocked(idn: &Identity) -> Verdict {
    let (v, qualifying) = decide(
        idn,
        "a block on legacy authentication for all users",
        legacy_block_policy,
    );
    v.observe_value("qualifying_policies.exclusions", exclusions(&qualifying))
}

/// The shared decision: security defaults, then conditional access, never a pass on missing
/// data. Returns the verdict (with both sources observed) and the qualifying policies.
fn decide<'a>(
    idn: &'a Identity,
    what: &str,
    test: PolicyTest,
) -> (Verdict, Vec<&'a ConditionalAccessPolicy>) {
    let sd = idn.security_defaults.as_ref().and_then(|s| s.is_enabled);
    let sd_seen = json!(sd);

    let Some(policies) = &idn.conditional_access_policies else {
        let v = if sd == Some(true) {
            Verdict::pass(format!(
                "security defaults are enabled, which enforce {what}"
            ))
        } else {
            let state = if sd == Some(false) {
                "disabled"
            } else {
                "unknown"
            };
            Verdict::error(format!(
                "conditional access policies were not collected and security defaults are \
                 {state}, so {what} cannot be confirmed"
            ))
        };
        let v = v
            .observe_value("securityDefaults.isEnabled", sd_seen)
            .observe_value("conditionalAccess.policies", Value::Null);
        return (v, vec![]);
    };

    let mut considered: Vec<(&ConditionalAccessPolicy, Result<(), String>)> =
        policies.iter().map(|p| (p, test(p))).collect();
    considered.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let qualifying: Vec<&ConditionalAccessPolicy> = considered
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(p, _)| *p)
        .collect();
    let names =
        |ps: &[&ConditionalAccessPolicy]| ps.iter().map(|p| name(p)).collect::<Vec<_>>().join(", ");
    let why_not = || {
        let list: Vec<String> = considered
            .iter()
            .filter_map(|(p, r)| r.as_ref().err().map(|e| format!("{}: {e}", name(p))))
            .collect();
        if list.is_empty() {
            "the tenant has no conditional access policies".to_string()
        } else {
            format!("policies considered: {}", list.join("; "))
        }
    };
    // Entra refuses to enforce CA policies while security defaults are on, so one enforced
    // policy proves they are off even when they could not be read.
    let any_enforced = policies.iter().any(ConditionalAccessPolicy::is_enforced);

    let v = if sd == Some(true) {
        Verdict::pass(format!(
            "security defaults are enabled, which enforce {what}"
        ))
    } else if !qualifying.is_empty() {
        Verdict::pass(format!(
            "{what} is enforced by conditional access: {}",
            names(&qualifying)
        ))
    } else if sd == Some(false) {
        Verdict::fail(format!(
            "security defaults are disabled and no enforced conditional access policy requires \
             {what} ({})",
            why_not()
        ))
    } else if any_enforced {
        Verdict::fail(format!(
            "no enforced conditional access policy requires {what}, and security defaults are \
             off since conditional access policies are enforced ({})",
            why_not()
        ))
    } else {
        Verdict::error(format!(
            "no conditional access policy requires {what} and security defaults were not \
             collected, so they may still enforce it ({})",
            why_not()
        ))
    };

    let seen: Vec<Value> = considered
        .iter()
        .map(|(p, r)| {
            json!({
                "id": p.id,
                "displayName": p.display_name,
                "state": p.state,
                "qualifies": r.is_ok(),
                "why_not": r.as_ref().err(),
            })
        })
        .collect();
    let v = v
        .observe_value("securityDefaults.isEnabled", sd_seen)
        .observe_value("conditionalAccess.policies", Value::from(seen));
    (v, qualifying)
}

fn name(p: &ConditionalAccessPolicy) -> &str {
    p.display_name.as_deref().unwrap_or(&p.id)
}

/// Users, groups and roles each qualifying policy leaves out, by count.
fn exclusions(qualifying: &[&ConditionalAccessPolicy]) -> Value {
    qualifying
        .iter()
        .map(|p| {
            let u = p.users();
            let n = |f: fn(&crate::model::PolicyUsers) -> &Vec<String>| u.map_or(0, |u| f(u).len());
            json!({
                "id": p.id,
                "excludeUsers": n(|u| &u.exclude_users),
                "excludeGroups": n(|u| &u.exclude_groups),
                "excludeRoles": n(|u| &u.exclude_roles),
            })
        })
        .collect()
}

fn enforced(p: &ConditionalAccessPolicy) -> Result<(), String> {
    match p.state.as_deref() {
        _ if p.is_enforced() => Ok(()),
        Some("enabledForReportingButNotEnforced") => Err("report-only, not enforced".into()),
        Some(s) => Err(format!("state is {s}")),
        None => Err("state is not present".into()),
    }
}

/// A policy limited by location, platform or risk leaves other sign-ins unprotected.
fn unconditional(p: &ConditionalAccessPolicy) -> Result<(), String> {
    match p.narrowed_by() {
        None => Ok(()),
        Some(why) => Err(format!("applies only to some sign-ins: {why}")),
    }
}

fn all_apps(p: &ConditionalAccessPolicy) -> Result<(), String> {
    if p.targets_all_apps() {
        Ok(())
    } else {
        Err("does not target all cloud apps".into())
    }
}

fn all_users(p: &ConditionalAccessPolicy) -> Result<(), String> {
    if p.users()
        .is_some_and(|u| u.include_users.iter().any(|x| x == "All"))
    {
        Ok(())
    } else {
        Err("does not include all users".into())
    }
}

/// MFA is required only if no other control can stand in for it.
fn requires_mfa(p: &ConditionalAccessPolicy) -> Result<(), String> {
    let controls = p
        .grant_controls
        .as_ref()
        .map(|g| g.built_in_controls.as_slice())
        .unwrap_or(&[]);
    let strength = p
        .grant_controls
        .as_ref()
        .is_some_and(|g| g.authentication_strength.is_some());
    if !p.grants("mfa") && !strength {
        return Err(format!(
            "does not require MFA (grant controls: {controls:?})"
        ));
    }
    let operator = p
        .grant_controls
        .as_ref()
        .and_then(|g| g.operator.as_deref());
    // With an authentication strength, the built-in list is empty or holds only "mfa".
    let alone = controls.iter().all(|c| c == "mfa");
    if alone || operator.is_some_and(|o| o.eq_ignore_ascii_case("AND")) {
        Ok(())
    } else {
        Err(format!(
            "MFA can be replaced by another control (operator {}, grant controls {controls:?})",
            operator.unwrap_or("absent")
        ))
    }
}

fn admin_mfa_policy(p: &ConditionalAccessPolicy) -> Result<(), String> {
    enforced(p)?;
    requires_mfa(p)?;
    all_apps(p)?;
    unconditional(p)?;
    let u = p.users().ok_or("has no user conditions")?;
    if u.exclude_roles.iter().any(|r| r == GLOBAL_ADMIN) {
        return Err("excludes the Global Administrator role".into());
    }
    if u.include_users.iter().any(|x| x == "All")
        || u.include_roles.iter().any(|r| r == GLOBAL_ADMIN)
    {
        Ok(())
    } else {
        Err("includes neither all users nor the Global Administrator role".into())
    }
}

fn all_users_mfa_policy(p: &ConditionalAccessPolicy) -> Result<(), String> {
    enforced(p)?;
    requires_mfa(p)?;
    all_apps(p)?;
    unconditional(p)?;
    all_users(p)
}

fn legacy_block_policy(p: &ConditionalAccessPolicy) -> Result<(), String> {
    enforced(p)?;
    unconditional(p)?;
    if !p.grants("block") {
        return Err("does not block access".into());
    }
    let types = p.client_app_types();
    let has = |t: &str| types.iter().any(|x| x.eq_ignore_ascii_case(t));
    if !(has("exchangeActiveSync") && has("other")) {
        return Err(format!(
            "does not target legacy clients exchangeActiveSync and other (clientAppTypes: \
             {types:?})"
        ));
    }
    all_users(p)?;
    all_apps(p)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::GLOBAL_ADMIN;
    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{eval_tenant, fixture, fixture_item};
    use crate::model::{ConditionalAccessPolicy, Identity, SecurityDefaults};

    const LIST: &str = "graph/conditional_access_policies_list.v1.0.json";
    const GET: &str = "graph/conditional_access_policy_get.v1.0.json";
    const SECURITY_DEFAULTS: &str = "graph/security_defaults_policy_get.v1.0.json";

    fn policy(v: Value) -> ConditionalAccessPolicy {
        serde_json::from_value(v).unwrap()
    }

    /// Microsoft's list: SimplePolicy1 (block) and SimplePolicy2 (mfa), both disabled and
    /// scoped to no users and no apps.
    fn example_list() -> Vec<ConditionalAccessPolicy> {
        fixture(LIST)["value"]
            .as_array()
            .unwrap()
            .iter()
            .cloned()
            .map(policy)
            .collect()
    }

    /// Security defaults as Microsoft's example returns them (isEnabled true), optionally
    /// switched off.
    fn security_defaults(enabled: bool) -> SecurityDefaults {
        let mut body = fixture(SECURITY_DEFAULTS);
        body["isEnabled"] = json!(enabled);
        serde_json::from_value(body).unwrap()
    }

    fn identity(
        policies: Option<Vec<ConditionalAccessPolicy>>,
        sd: Option<SecurityDefaults>,
    ) -> Identity {
        Identity {
            conditional_access_policies: policies,
            security_defaults: sd,
            ..Identity::default()
        }
    }

    /// Microsoft's single-policy example, enforced, granting MFA alone. The example also
    /// carries risk, platform and location conditions, which narrow it to some sign-ins; they
    /// are dropped here for the unconditional case (`narrowed_policy_does_not_count` keeps them).
    fn mfa_policy(edit: impl FnOnce(&mut Value)) -> ConditionalAccessPolicy {
        let mut v = fixture_item(GET, 0);
        v["state"] = json!("enabled");
        v["grantControls"]["builtInControls"] = json!(["mfa"]);
        for k in ["signInRiskLevels", "platforms", "locations"] {
            v["conditions"].as_object_mut().unwrap().remove(k);
        }
        edit(&mut v);
        policy(v)
    }

    #[test]
    fn narrowed_policy_does_not_count() {
        let mut v = fixture_item(GET, 0);
        v["state"] = json!("enabled");
        v["grantControls"]["builtInControls"] = json!(["mfa"]);
        v["conditions"]["users"]["includeUsers"] = json!(["All"]);
        v["conditions"]["users"]["includeRoles"] = json!([GLOBAL_ADMIN]);
        let p = policy(v);
        assert!(p.narrowed_by().unwrap().contains("sign-in risk levels"));
        for id in [
            "entra_mfa_required_for_admins",
            "entra_mfa_required_for_all_users",
        ] {
            let r = eval_tenant(
                id,
                &identity(Some(vec![p.clone()]), Some(security_defaults(false))),
            );
            assert_eq!(r.status, S::Fail, "{id}: {}", r.reason);
            assert!(
                r.reason.contains("applies only to some sign-ins"),
                "{}",
                r.reason
            );
        }
    }

    #[test]
    fn authentication_strength_counts_as_mfa() {
        let p = mfa_policy(|v| {
            v["conditions"]["users"]["includeUsers"] = json!(["All"]);
            v["grantControls"]["builtInControls"] = json!([]);
            v["grantControls"]["authenticationStrength"] = json!({"id": "00000000-0000-0000-0000-000000000002", "displayName": "Multifactor authentication"});
        });
        let r = eval_tenant(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![p]), Some(security_defaults(false))),
        );
        assert_eq!(r.status, S::Pass, "{}", r.reason);
    }

    #[test]
    fn fixtures_parse_into_the_model() {
        let p = policy(fixture_item(GET, 0));
        assert!(p.targets_all_apps());
        assert_eq!(p.client_app_types().len(), 3);
        assert_eq!(security_defaults(true).is_enabled, Some(true));
        assert_eq!(example_list().len(), 2);
    }

    #[test]
    fn entra_mfa_required_for_admins_pass() {
        // Security defaults alone settle it, even with no CA data.
        let v = eval_tenant(
            "entra_mfa_required_for_admins",
            &identity(None, Some(security_defaults(true))),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["securityDefaults.isEnabled"], json!(true));

        // An enforced CA policy covering the Global Administrator role.
        let p = mfa_policy(|v| {
            v["conditions"]["users"]["includeRoles"]
                .as_array_mut()
                .unwrap()
                .push(json!(GLOBAL_ADMIN));
        });
        let v = eval_tenant(
            "entra_mfa_required_for_admins",
            &identity(Some(vec![p]), Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert!(v.reason.contains("Demo app for documentation"));
        // The example's other roles are recorded as scope evidence.
        assert_eq!(
            v.observed["qualifying_policies.other_included_roles"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
    }
    #[test]
    fn entra_mfa_required_for_admins_fail() {
        let v = eval_tenant(
            "entra_mfa_required_for_admins",
            &identity(Some(example_list()), Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("SimplePolicy1: state is disabled"),
            "{}",
            v.reason
        );
        assert!(
            v.reason.contains("SimplePolicy2: state is disabled"),
            "{}",
            v.reason
        );

        // Enforced and MFA, but only for three other roles, and GA excluded elsewhere.
        let other_roles = mfa_policy(|_| {});
        let ga_excluded = mfa_policy(|v| {
            v["id"] = json!("p-2");
            v["displayName"] = json!("All but GA");
            v["conditions"]["users"]["includeUsers"] = json!(["All"]);
            v["conditions"]["users"]["excludeRoles"] = json!([GLOBAL_ADMIN]);
        });
        let v = eval_tenant(
            "entra_mfa_required_for_admins",
            &identity(
                Some(vec![other_roles, ga_excluded]),
                Some(security_defaults(false)),
            ),
        );
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason
                .contains("includes neither all users nor the Global Administrator")
        );
        assert!(
            v.reason
                .contains("All but GA: excludes the Global Administrator role")
        );
        assert_eq!(
            v.observed["conditionalAccess.policies"][0]["qualifies"],
            json!(false)
        );

        // mfa OR compliant device: a compliant device replaces MFA.
        let either = mfa_policy(|v| {
            v["conditions"]["users"]["includeUsers"] = json!(["All"]);
            v["grantControls"]["builtInControls"] = json!(["mfa", "compliantDevice"]);
        });
        let v = eval_tenant(
            "entra_mfa_required_for_admins",
            &identity(Some(vec![either]), Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("MFA can be replaced"), "{}", v.reason);
    }
    #[test]
    fn entra_mfa_required_for_admins_missing() {
        let v = eval_tenant("entra_mfa_required_for_admins", &identity(None, None));
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["conditionalAccess.policies"], Value::Null);
        assert_eq!(v.observed["securityDefaults.isEnabled"], Value::Null);

        // Security defaults off but CA unread: cannot decide.
        let v = eval_tenant(
            "entra_mfa_required_for_admins",
            &identity(None, Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("were not collected"));

        // CA read, nothing enforced, security defaults unread: they may be on.
        let v = eval_tenant(
            "entra_mfa_required_for_admins",
            &identity(Some(example_list()), None),
        );
        assert_eq!(v.status, S::Error, "{}", v.reason);
    }

    #[test]
    fn entra_mfa_required_for_all_users_pass() {
        let v = eval_tenant(
            "entra_mfa_required_for_all_users",
            &identity(Some(example_list()), Some(security_defaults(true))),
        );
        assert_eq!(v.status, S::Pass);

        // All users, with the example's two exclusions (a user and guests): break-glass style.
        let p = mfa_policy(|v| v["conditions"]["users"]["includeUsers"] = json!(["All"]));
        let v = eval_tenant(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![p]), Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.observed["qualifying_policies.exclusions"],
            json!([{
                "id": "6b5e999b-0ba8-4186-a106-e0296c1c4358",
                "excludeUsers": 2,
                "excludeGroups": 0,
                "excludeRoles": 1,
            }])
        );
    }
    #[test]
    fn entra_mfa_required_for_all_users_fail() {
        // Enforced MFA for one user and some roles only.
        let p = mfa_policy(|_| {});
        let v = eval_tenant(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![p.clone()]), Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("does not include all users"),
            "{}",
            v.reason
        );

        // Same policy, security defaults unread: the enforced policy proves they are off.
        let v = eval_tenant(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![p]), None),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert!(v.reason.contains("security defaults are off"));

        // Report-only does not protect anyone.
        let p = mfa_policy(|v| {
            v["state"] = json!("enabledForReportingButNotEnforced");
            v["conditions"]["users"]["includeUsers"] = json!(["All"]);
        });
        let v = eval_tenant(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![p]), Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("report-only"));
    }
    #[test]
    fn entra_mfa_required_for_all_users_missing() {
        let v = eval_tenant(
            "entra_mfa_required_for_all_users",
            &identity(None, Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["securityDefaults.isEnabled"], json!(false));
        // A security defaults body without isEnabled is not knowledge either.
        let v = eval_tenant(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![]), Some(SecurityDefaults::default())),
        );
        assert_eq!(v.status, S::Error);
        assert!(
            v.reason.contains("no conditional access policies"),
            "{}",
            v.reason
        );
    }

    fn legacy_policy(edit: impl FnOnce(&mut Value)) -> ConditionalAccessPolicy {
        // Microsoft's example already targets exchangeActiveSync and other on all apps.
        mfa_policy(|v| {
            v["grantControls"]["builtInControls"] = json!(["block"]);
            v["conditions"]["users"]["includeUsers"] = json!(["All"]);
            edit(v);
        })
    }

    #[test]
    fn entra_legacy_auth_blocked_pass() {
        let v = eval_tenant(
            "entra_legacy_auth_blocked",
            &identity(
                Some(vec![legacy_policy(|_| {})]),
                Some(security_defaults(false)),
            ),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        let v = eval_tenant(
            "entra_legacy_auth_blocked",
            &identity(None, Some(security_defaults(true))),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn entra_legacy_auth_blocked_fail() {
        let modern_only = legacy_policy(|v| {
            v["conditions"]["clientAppTypes"] = json!(["browser", "mobileAppsAndDesktopClients"]);
        });
        let v = eval_tenant(
            "entra_legacy_auth_blocked",
            &identity(Some(vec![modern_only]), Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("does not target legacy clients"),
            "{}",
            v.reason
        );

        let v = eval_tenant(
            "entra_legacy_auth_blocked",
            &identity(Some(example_list()), Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("SimplePolicy1"));
    }
    #[test]
    fn entra_legacy_auth_blocked_missing() {
        let v = eval_tenant("entra_legacy_auth_blocked", &identity(None, None));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("legacy authentication"));
    }
}
