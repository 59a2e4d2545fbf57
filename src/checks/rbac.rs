//! Azure RBAC checks, per subscription: who holds Owner and User Access Administrator, custom
//! roles that amount to subscription administrators, role assignments held by guests, disabled
//! or deleted users, and the classic (pre-RBAC) administrators.
//!
//! Role assignments and custom role definitions come from Resource Graph
//! (`authorizationresources`); users come from Microsoft Graph. An assignment reaches a
//! subscription when its scope is the subscription, something below it, or the root scope `/`.
//! Assignments at management-group scope may reach it too, but the management-group hierarchy
//! is not collected, so they are reported as "may apply": they can turn a pass into an error,
//! never into a pass.
//!
//! Also home of [`require_source`], which every check over Resource Graph rows uses: a row that
//! is absent from a source that was not read, or read with a gap, proves nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::props;
use super::{Check, CheckMeta, Ctx, Eval, Severity, Verdict};
use crate::model::{Resource, Subscription};

const ASSIGNMENTS: &str = "microsoft.authorization/roleassignments";
const DEFINITIONS: &str = "microsoft.authorization/roledefinitions";
const AUTH: &str = "resource_graph.authorization";
const USERS: &str = "graph.users";
const CLASSIC: &str = "arm.classic_administrators";

/// Built-in role definition GUIDs (the same in every tenant).
const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const USER_ACCESS_ADMIN: &str = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";

/// Microsoft's "Guest accounts with owner permissions on Azure resources should be removed".
const POLICY_GUEST_OWNER: &str = "339353f6-2387-4a45-abe4-7f529d121046";
/// "Guest accounts with read permissions on Azure resources should be removed".
const POLICY_GUEST_READ: &str = "e9ac8f8e-ce22-4355-8f04-99b911d6be52";
/// "Guest accounts with write permissions on Azure resources should be removed".
const POLICY_GUEST_WRITE: &str = "94e1c2ac-cbbe-4cac-a2b5-389c812dee87";
/// "Blocked accounts with owner permissions on Azure resources should be removed".
const POLICY_BLOCKED_OWNER: &str = "0cfea604-3201-4e14-88fc-fae4c427a6c5";
/// "Blocked accounts with read and write permissions on Azure resources should be removed".
const POLICY_BLOCKED_RW: &str = "8d7e1fde-fe26-4b5f-8108-f8e432cbc2be";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "rbac_subscription_owners_max",
            title: "A subscription has no more Owners than the configured maximum",
            service: "rbac",
            severity: Severity::High,
            criteria: &["CC5.2", "CC6.1", "CC6.3"],
            cis: &["5.0.0:5.27", "6.0.0:5.7"],
            policies: &["4f11b553-d42e-4e3a-89be-32ca364cad4c"],
            description: "Counts the distinct principals (users, groups, service principals) holding \
                          the built-in Owner role (roleDefinitionId ending in \
                          8e3af657-a8ff-443c-a75c-2fe8c4bcb635) at the subscription scope or the \
                          root scope '/'. Passes when the count is at most the max_subscription_owners \
                          setting (default 3); more fails. Owner assignments at management-group \
                          scope may also apply but the hierarchy is not collected: when they could \
                          push the count over the maximum the finding is an error. A group counts \
                          as one principal (its members are not collected). Role assignments not \
                          collected, or rows without roleDefinitionId/principalId/scope, are errors.",
            rationale: "Every Owner can change anything in the subscription and grant access to \
                        others; keeping the number small limits who can bypass the other controls \
                        (CC6.1, CC6.3) and is a basic technology general control (CC5.2).",
            remediation: "Portal: Subscription > Access control (IAM) > Role assignments > filter \
                          Role = Owner > remove assignments that are not needed (prefer Contributor \
                          or PIM-eligible Owner). CLI: az role assignment delete --assignee \
                          <principal> --role Owner --scope /subscriptions/<subscription-id>",
            sources: &[AUTH],
        },
        eval: Eval::SubscriptionCtx(owners_max),
    },
    Check {
        meta: CheckMeta {
            id: "rbac_subscription_owners_min",
            title: "A subscription has more than one Owner",
            service: "rbac",
            severity: Severity::Medium,
            criteria: &["CC5.2", "CC6.1", "CC6.3"],
            cis: &["5.0.0:5.27", "6.0.0:5.7"],
            policies: &["09024ccc-0c5f-475e-9457-b7c0d9ed487b"],
            description: "Counts the distinct principals holding the built-in Owner role at the \
                          subscription scope or the root scope '/'. Passes with two or more; one or \
                          none fails. Owner assignments at management-group scope may apply but the \
                          hierarchy is not collected, so when only they could reach two the finding \
                          is an error. Role assignments not collected, or unreadable rows, are \
                          errors.",
            rationale: "A single Owner is a single point of failure for administration: if that \
                        account is lost, locked out or leaves, nobody can manage access to the \
                        subscription. Microsoft and CIS recommend at least two (CC5.2, CC6.1, \
                        CC6.3).",
            remediation: "Portal: Subscription > Access control (IAM) > Add role assignment > Owner \
                          > select a second administrator (ideally PIM-eligible). CLI: az role \
                          assignment create --assignee <principal> --role Owner --scope \
                          /subscriptions/<subscription-id>",
            sources: &[AUTH],
        },
        eval: Eval::SubscriptionCtx(owners_min),
    },
    Check {
        meta: CheckMeta {
            id: "rbac_custom_owner_roles_absent",
            title: "No custom role grants all actions at subscription scope or above",
            service: "rbac",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.3"],
            cis: &[
                "2.1.0:1.22",
                "3.0.0:2.23",
                "4.0.0:6.23",
                "5.0.0:5.23",
                "6.0.0:5.4",
            ],
            policies: &[],
            description: "For each custom role definition (properties.type CustomRole; built-in roles \
                          are not applicable): fails when some properties.permissions[].actions entry \
                          is '*' and properties.assignableScopes contains the root scope '/', a \
                          subscription ('/subscriptions/<id>') or a management group, i.e. the role \
                          can administer a whole subscription. notActions are recorded but, as in \
                          the CIS audit, not credited. Passes when no action is '*' or the role is \
                          assignable only below a subscription. Absent type, permissions or \
                          assignableScopes is an error.",
            rationale: "A custom role with '*' is an Owner under another name: it escapes reviews \
                        that look for the Owner role and breaks least privilege (CC6.1, CC6.3).",
            remediation: "Portal: Subscription > Access control (IAM) > Roles > the custom role > \
                          Edit > replace '*' with the actions the job needs, or delete the role. \
                          CLI: az role definition update --role-definition @role.json (or az role \
                          definition delete --name <role>)",
            sources: &[AUTH],
        },
        eval: Eval::Resource(DEFINITIONS, custom_owner_role),
    },
    Check {
        meta: CheckMeta {
            id: "rbac_user_access_admin_restricted",
            title: "No one holds User Access Administrator at subscription or root scope",
            service: "rbac",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.3"],
            cis: &["4.0.0:6.3.3", "5.0.0:5.3.3", "6.0.0:5.3.3"],
            policies: &[],
            description: "Fails when a role assignment of the built-in User Access Administrator \
                          role (18d7d88d-d35e-4fb5-a5c3-7773c20a72d9) has the subscription or the \
                          root scope '/' (the latter is what 'elevate access' of a Global \
                          Administrator creates). Assignments at management-group scope may apply: \
                          with no definite one they make the finding an error. Passes when none is \
                          found. Assignments below the subscription are out of scope.",
            rationale: "User Access Administrator can grant any role, including Owner, to anyone: \
                        standing assignments at broad scope are a privilege-escalation path that \
                        least privilege forbids (CC6.1, CC6.3).",
            remediation: "Portal: Subscription > Access control (IAM) > Role assignments > filter \
                          Role = User Access Administrator > Remove; for root scope, the Global \
                          Administrator turns off Entra ID > Properties > Access management for \
                          Azure resources. CLI: az role assignment delete --role \"User Access \
                          Administrator\" --scope / --assignee <principal>",
            sources: &[AUTH],
        },
        eval: Eval::SubscriptionCtx(user_access_admin),
    },
    Check {
        meta: CheckMeta {
            id: "rbac_guest_owners_absent",
            title: "No guest account holds the Owner role on a subscription or its resources",
            service: "rbac",
            severity: Severity::High,
            criteria: &["CC5.2", "CC6.1", "CC6.3"],
            cis: &[],
            policies: &[POLICY_GUEST_OWNER],
            description: "Matches every Owner role assignment whose scope is the subscription, \
                          anything below it, or '/' to Microsoft Graph users by principalId; fails \
                          when the user's userType is Guest. Assignments at management-group scope \
                          that would fail make the finding an error (they may apply). Users not \
                          collected, or a matched user without userType, is an error; principals \
                          that are not users are out of scope.",
            rationale: "Guests are managed by another organisation: their joiners-movers-leavers \
                        process, MFA and device posture are outside the entity's control, so \
                        Owner rights for them defeat access management (CC5.2, CC6.1, CC6.3).",
            remediation: "Portal: Subscription > Access control (IAM) > Role assignments > filter \
                          Type = Guest > Remove (or convert the guest to a member account). CLI: \
                          az role assignment delete --assignee <guest-object-id> --role Owner \
                          --scope /subscriptions/<subscription-id>",
            sources: &[AUTH, USERS],
        },
        eval: Eval::SubscriptionCtx(guest_owners),
    },
    Check {
        meta: CheckMeta {
            id: "rbac_guest_role_assignments_absent",
            title: "No guest account holds any Azure role on a subscription or its resources",
            service: "rbac",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.2", "CC6.3"],
            cis: &[],
            policies: &[POLICY_GUEST_READ, POLICY_GUEST_WRITE],
            description: "Like rbac_guest_owners_absent for every role: fails when any role \
                          assignment whose scope is the subscription, below it or '/' belongs to a \
                          Graph user with userType Guest, whether the role reads (Reader) or writes \
                          (Contributor and others). Each offending assignment is listed with its \
                          role definition GUID and scope. Management-group assignments that would \
                          fail make the finding an error; users not collected is an error.",
            rationale: "Read access for guests exposes data to people outside the entity's \
                        access reviews, write access lets them change the system; both need to \
                        be removed or formally approved (CC6.1, CC6.2, CC6.3).",
            remediation: "Portal: Subscription > Access control (IAM) > Role assignments > filter \
                          Type = Guest > Remove. CLI: az role assignment delete --assignee \
                          <guest-object-id> --scope /subscriptions/<subscription-id>",
            sources: &[AUTH, USERS],
        },
        eval: Eval::SubscriptionCtx(guest_any_role),
    },
    Check {
        meta: CheckMeta {
            id: "rbac_disabled_account_owners_absent",
            title: "No disabled account holds the Owner role on a subscription or its resources",
            service: "rbac",
            severity: Severity::Medium,
            criteria: &["CC5.2", "CC6.1", "CC6.2", "CC6.3"],
            cis: &["5.0.0:5.3.5", "6.0.0:5.3.5"],
            policies: &[POLICY_BLOCKED_OWNER],
            description: "Matches every Owner role assignment whose scope is the subscription, \
                          below it or '/' to Graph users by principalId; fails when the user's \
                          accountEnabled is false (sign-in blocked). Management-group assignments \
                          that would fail make the finding an error; users not collected, or a \
                          matched user without accountEnabled, is an error.",
            rationale: "A blocked account keeping Owner is access that was not removed when it \
                        stopped being needed; re-enabling the account silently restores full \
                        control (CC6.2 removal of access, CC6.1, CC6.3, CC5.2).",
            remediation: "Portal: Subscription > Access control (IAM) > Role assignments > remove \
                          the disabled user's assignment. CLI: az role assignment delete \
                          --assignee <object-id> --role Owner --scope \
                          /subscriptions/<subscription-id>",
            sources: &[AUTH, USERS],
        },
        eval: Eval::SubscriptionCtx(disabled_owners),
    },
    Check {
        meta: CheckMeta {
            id: "rbac_disabled_account_roles_absent",
            title: "No disabled account holds any Azure role on a subscription or its resources",
            service: "rbac",
            severity: Severity::Low,
            criteria: &["CC6.1", "CC6.2", "CC6.3"],
            cis: &["5.0.0:5.3.5", "6.0.0:5.3.5"],
            policies: &[POLICY_BLOCKED_RW],
            description: "Fails when any role assignment whose scope is the subscription, below it \
                          or '/' belongs to a Graph user whose accountEnabled is false, listing \
                          each with its role and scope. Management-group assignments that would \
                          fail make the finding an error; users not collected, or a matched user \
                          without accountEnabled, is an error.",
            rationale: "Role assignments should be removed when an account is disabled (leaver or \
                        suspended); leftovers are restored the moment the account is re-enabled \
                        and show the deprovisioning process is incomplete (CC6.2, CC6.3, CC6.1).",
            remediation: "Portal: Subscription > Access control (IAM) > Role assignments > remove \
                          the disabled user's assignments. CLI: az role assignment delete \
                          --assignee <object-id> --scope /subscriptions/<subscription-id>",
            sources: &[AUTH, USERS],
        },
        eval: Eval::SubscriptionCtx(disabled_any_role),
    },
    Check {
        meta: CheckMeta {
            id: "rbac_service_principal_owners_absent",
            title: "No service principal holds the Owner role on a subscription or its resources",
            service: "rbac",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.3"],
            cis: &[],
            policies: &[],
            description: "Fails when an Owner role assignment whose scope is the subscription, below \
                          it or '/' has principalType ServicePrincipal (applications and managed \
                          identities), listing each. Management-group assignments that would fail \
                          make the finding an error. Assignments without principalType are errors.",
            rationale: "A workload identity with Owner can grant itself or others any access, and \
                        its credentials (secrets, federated tokens) are harder to watch than a \
                        person's sign-ins; deployment identities should hold Contributor plus \
                        narrowly scoped role-assignment rights (CC6.1, CC6.3).",
            remediation: "Portal: Subscription > Access control (IAM) > Role assignments > filter \
                          Type = App/Managed identity, Role = Owner > replace with Contributor or a \
                          custom role. CLI: az role assignment delete --assignee <app-id> --role \
                          Owner --scope /subscriptions/<subscription-id>",
            sources: &[AUTH],
        },
        eval: Eval::SubscriptionCtx(service_principal_owners),
    },
    Check {
        meta: CheckMeta {
            id: "rbac_orphaned_user_assignments_absent",
            title: "No role assignment belongs to a user that no longer exists",
            service: "rbac",
            severity: Severity::Low,
            criteria: &["CC6.2", "CC6.3"],
            cis: &[],
            policies: &[],
            description: "Fails when a role assignment whose scope is the subscription, below it or \
                          '/' has principalType User and a principalId that matches no user in the \
                          collected Microsoft Graph user list (the portal shows these as 'Identity \
                          not found'). Management-group assignments that would fail make the \
                          finding an error; users not collected is an error. Since catalogue 2026.12.0: an assignment without properties.principalType whose principal is not in the directory is an error instead of being ignored.",
            rationale: "An assignment left behind by a deleted user shows that deprovisioning does \
                        not clean up Azure access, and restoring the user from the recycle bin \
                        restores the access (CC6.2, CC6.3).",
            remediation: "Portal: Subscription > Access control (IAM) > Role assignments > filter \
                          'Identity not found' > Remove. CLI: az role assignment delete --ids \
                          <role-assignment-id>",
            sources: &[AUTH, USERS],
        },
        eval: Eval::SubscriptionCtx(orphaned_users),
    },
    Check {
        meta: CheckMeta {
            id: "rbac_classic_administrators_absent",
            title: "The subscription has no classic administrators",
            service: "rbac",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.3"],
            cis: &[],
            policies: &[],
            description: "Reads Microsoft.Authorization/classicAdministrators for the subscription. \
                          Passes when the list is empty; fails when it contains any entry \
                          (Service Administrator, Account Administrator or Co-Administrator), \
                          listing emailAddress and role. Not collected is an error.",
            rationale: "Classic administrators hold Owner-equivalent rights outside Azure RBAC, so \
                        they escape role-assignment reviews, PIM and conditional access scoped to \
                        RBAC; Microsoft retired the roles in 2024 (CC6.1, CC6.3).",
            remediation: "Portal: Subscription > Access control (IAM) > Classic administrators > \
                          remove each co-administrator after granting an equivalent RBAC role. \
                          CLI: az role assignment create --assignee <user> --role Owner --scope \
                          /subscriptions/<subscription-id>, then remove the classic administrator \
                          in the portal",
            sources: &[CLASSIC],
        },
        eval: Eval::Subscription(classic_administrators),
    },
];

/// `Err` with an error verdict when `source` was not collected, or when the collector recorded a
/// gap that overlaps `scope` (`None`: any gap at all, for facts that may live anywhere, such as
/// an alert rule in another subscription). Used before any verdict that rests on the absence of
/// a row: a row missing from an incomplete source proves nothing.
pub(super) fn require_source(ctx: &Ctx, source: &str, scope: Option<&str>) -> Result<(), Verdict> {
    let Some(src) = ctx.inventory.source(source) else {
        return Err(Verdict::error(format!("source {source} was not collected")));
    };
    let scope = scope.map(|s| s.trim_end_matches('/').to_ascii_lowercase());
    let overlaps = |gap: &str| {
        let gap = gap.trim_end_matches('/').to_ascii_lowercase();
        match &scope {
            None => true,
            Some(s) => {
                gap.is_empty()
                    || gap.starts_with("/tenants/")
                    || gap.starts_with("/providers/microsoft.management/")
                    || *s == gap
                    || s.starts_with(&format!("{gap}/"))
                    || gap.starts_with(&format!("{s}/"))
            }
        }
    };
    match src.gaps.iter().find(|g| overlaps(&g.scope)) {
        Some(g) => Err(Verdict::error(format!(
            "source {source} is incomplete for {}: {}",
            g.scope, g.reason
        ))),
        None => Ok(()),
    }
}

/// How far a role assignment's scope reaches relative to one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// The subscription itself or the root scope `/`.
    Subscription,
    /// A resource group or resource inside the subscription.
    Below,
    /// A management group: applies if the subscription sits under it, which is not collected.
    MaybeAbove,
    /// Another subscription.
    Elsewhere,
}

fn reach(scope: &str, sub: &str) -> Reach {
    let s = scope.trim_end_matches('/').to_ascii_lowercase();
    let own = format!("/subscriptions/{}", sub.to_ascii_lowercase());
    if s.is_empty() || s == own {
        Reach::Subscription
    } else if s.starts_with(&format!("{own}/")) {
        Reach::Below
    } else if s.starts_with("/providers/microsoft.management/managementgroups/") {
        Reach::MaybeAbove
    } else {
        Reach::Elsewhere
    }
}

/// One role assignment row, read defensively.
struct Assignment<'a> {
    id: &'a str,
    /// Lower-case GUID: the last segment of `roleDefinitionId`.
    role: String,
    principal: &'a str,
    principal_type: Option<&'a str>,
    scope: String,
    reach: Reach,
}

impl Assignment<'_> {
    fn describe(&self) -> Value {
        json!({
            "id": self.id,
            "principalId": self.principal,
            "principalType": self.principal_type,
            "roleDefinition": self.role,
            "scope": self.scope,
        })
    }
}

/// The scope of an assignment: `properties.scope`, else the part of its id before
/// `/providers/Microsoft.Authorization/roleAssignments/`.
fn assignment_scope(r: &Resource) -> Option<String> {
    if let Some(s) = props::value(r, "/scope").and_then(Value::as_str) {
        return Some(s.to_string());
    }
    let lower = r.id.to_ascii_lowercase();
    let cut = lower.find("/providers/microsoft.authorization/roleassignments/")?;
    Some(r.id[..cut].to_string())
}

/// The one subscription an assignment row can concern, for [`Ctx::lookup`]: that of its scope,
/// or for a row that cannot be read, the subscription it was listed in. `None` (every
/// subscription) for management-group and root scopes and rows without either.
fn assignment_subscription(r: &Resource) -> Option<Vec<String>> {
    let readable = props::value(r, "/roleDefinitionId")
        .and_then(Value::as_str)
        .is_some()
        && props::value(r, "/principalId")
            .and_then(Value::as_str)
            .is_some();
    let scope = assignment_scope(r);
    let sub = match (readable, scope) {
        (true, Some(scope)) => {
            let s = scope.trim_end_matches('/').to_ascii_lowercase();
            s.strip_prefix("/subscriptions/")?
                .split('/')
                .next()
                .map(str::to_string)
        }
        _ => Some(r.subscription_id.to_ascii_lowercase()).filter(|s| !s.is_empty()),
    };
    sub.map(|s| vec![s])
}

/// The assignments that reach this subscription (any [`Reach`] but `Elsewhere`), plus the ids of
/// rows that could not be read. `Err` when the source is missing or has a gap here.
fn assignments<'a>(
    ctx: &Ctx<'a>,
    sub: &str,
) -> Result<(Vec<Assignment<'a>>, Vec<&'a str>), Verdict> {
    require_source(ctx, AUTH, Some(&format!("/subscriptions/{sub}")))?;
    let mut out = Vec::new();
    let mut unreadable = Vec::new();
    for r in ctx
        .lookup("rbac.assignments", ASSIGNMENTS, assignment_subscription)
        .get([sub])
    {
        let role = props::value(r, "/roleDefinitionId")
            .and_then(Value::as_str)
            .and_then(|d| d.rsplit('/').next())
            .map(str::to_ascii_lowercase);
        let principal = props::value(r, "/principalId").and_then(Value::as_str);
        let scope = assignment_scope(r);
        let (Some(role), Some(principal), Some(scope)) = (role, principal, scope) else {
            // Only rows that might concern this subscription make it incomplete.
            if r.subscription_id.is_empty() || r.subscription_id.eq_ignore_ascii_case(sub) {
                unreadable.push(r.id.as_str());
            }
            continue;
        };
        let reach = reach(&scope, sub);
        if reach == Reach::Elsewhere {
            continue;
        }
        out.push(Assignment {
            id: &r.id,
            role,
            principal,
            principal_type: props::value(r, "/principalType").and_then(Value::as_str),
            scope,
            reach,
        });
    }
    Ok((out, unreadable))
}

fn owner_counts(list: &[Assignment]) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut definite = BTreeSet::new();
    let mut maybe = BTreeSet::new();
    for a in list.iter().filter(|a| a.role == OWNER) {
        match a.reach {
            Reach::Subscription => {
                definite.insert(a.principal.to_ascii_lowercase());
            }
            Reach::MaybeAbove => {
                maybe.insert(a.principal.to_ascii_lowercase());
            }
            Reach::Below | Reach::Elsewhere => {}
        }
    }
    let maybe = maybe.difference(&definite).cloned().collect();
    (definite, maybe)
}

fn owners_max(s: &Subscription, ctx: &Ctx) -> Verdict {
    let max = ctx.settings.max_subscription_owners as usize;
    let (list, unreadable) = match assignments(ctx, &s.id) {
        Ok(x) => x,
        Err(v) => return v.observe("owners", None),
    };
    let (definite, maybe) = owner_counts(&list);
    let v = if definite.len() > max {
        Verdict::fail(format!(
            "{} principals hold Owner on the subscription, more than the maximum of {max}",
            definite.len()
        ))
    } else if definite.len() + maybe.len() > max {
        Verdict::error(format!(
            "{} principals hold Owner on the subscription and {} more at management-group scope \
             may apply (hierarchy not collected), which could exceed the maximum of {max}",
            definite.len(),
            maybe.len()
        ))
    } else if !unreadable.is_empty() {
        Verdict::error(format!(
            "{} role assignments lack roleDefinitionId, principalId or scope",
            unreadable.len()
        ))
    } else {
        Verdict::pass(format!(
            "{} principals hold Owner on the subscription (maximum {max})",
            definite.len()
        ))
    };
    v.observe_value("owners", json!(definite))
        .observe_value("owners_at_management_group_scope", json!(maybe))
        .observe_value("max_subscription_owners", json!(max))
        .observe_value("unreadable_assignments", json!(unreadable))
}

fn owners_min(s: &Subscription, ctx: &Ctx) -> Verdict {
    let (list, unreadable) = match assignments(ctx, &s.id) {
        Ok(x) => x,
        Err(v) => return v.observe("owners", None),
    };
    let (definite, maybe) = owner_counts(&list);
    let v = if definite.len() >= 2 {
        Verdict::pass(format!(
            "{} principals hold Owner on the subscription",
            definite.len()
        ))
    } else if definite.len() + maybe.len() >= 2 {
        Verdict::error(format!(
            "{} principals hold Owner on the subscription; {} more at management-group scope may \
             apply but the hierarchy is not collected",
            definite.len(),
            maybe.len()
        ))
    } else if !unreadable.is_empty() {
        Verdict::error(format!(
            "{} role assignments lack roleDefinitionId, principalId or scope",
            unreadable.len()
        ))
    } else {
        Verdict::fail(format!(
            "only {} principal holds Owner on the subscription; at least 2 are needed",
            definite.len()
        ))
    };
    v.observe_value("owners", json!(definite))
        .observe_value("owners_at_management_group_scope", json!(maybe))
        .observe_value("unreadable_assignments", json!(unreadable))
}

fn custom_owner_role(r: &Resource) -> Verdict {
    let ty = props::value(r, "/type").and_then(Value::as_str);
    match ty {
        Some(t) if t.eq_ignore_ascii_case("CustomRole") => {}
        Some(t) => {
            return Verdict::not_applicable(format!("{t} is not a custom role")).observe_prop(
                "properties.type",
                r,
                "/type",
            );
        }
        None => {
            return Verdict::error("properties.type is not present in the collected data")
                .observe("properties.type", None);
        }
    }
    let (Some(perms), Some(scopes)) = (
        props::value(r, "/permissions").and_then(Value::as_array),
        props::value(r, "/assignableScopes").and_then(Value::as_array),
    ) else {
        return Verdict::error(
            "properties.permissions or properties.assignableScopes is not present in the \
             collected data",
        )
        .observe_prop("properties.permissions", r, "/permissions")
        .observe_prop("properties.assignableScopes", r, "/assignableScopes");
    };
    let wildcard = perms.iter().any(|p| {
        p.get("actions")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|x| x.as_str() == Some("*")))
    });
    let broad: Vec<&str> = scopes
        .iter()
        .filter_map(Value::as_str)
        .filter(|s| {
            let s = s.trim_end_matches('/').to_ascii_lowercase();
            let parts: Vec<&str> = s.split('/').filter(|p| !p.is_empty()).collect();
            s.is_empty()
                || (parts.len() == 2 && parts[0] == "subscriptions")
                || s.starts_with("/providers/microsoft.management/managementgroups/")
        })
        .collect();
    let not_actions: Vec<&Value> = perms
        .iter()
        .filter_map(|p| p.get("notActions").and_then(Value::as_array))
        .flatten()
        .collect();
    let name = props::value(r, "/roleName")
        .and_then(Value::as_str)
        .unwrap_or(&r.name);
    let v = if wildcard && !broad.is_empty() {
        Verdict::fail(format!(
            "custom role {name} allows all actions ('*') and is assignable at {}",
            broad.join(", ")
        ))
    } else if wildcard {
        Verdict::pass(format!(
            "custom role {name} allows '*' but is assignable only below subscription scope"
        ))
    } else {
        Verdict::pass(format!("custom role {name} does not allow all actions"))
    };
    v.observe_value("allows_all_actions", json!(wildcard))
        .observe_value("subscription_or_broader_scopes", json!(broad))
        .observe_value("notActions", json!(not_actions))
}

/// Which assignments a "no such assignment" check looks at.
#[derive(Clone, Copy)]
enum Within {
    /// The subscription or root scope only.
    SubscriptionScope,
    /// The subscription, anything below it, or root.
    Anywhere,
}

/// Whether one assignment is an offence: `Ok(Some(why))` yes, `Ok(None)` no, `Err(why)` cannot
/// tell from the data.
type Offence = fn(&Assignment, Option<&Users>) -> Result<Option<String>, String>;

/// The shared "no assignment of this kind" judgement. Definite offences fail; offences that only
/// management-group assignments could commit, or assignments that cannot be judged, are errors.
fn no_offending(
    s: &Subscription,
    ctx: &Ctx,
    what: &str,
    within: Within,
    needs_users: bool,
    offence: Offence,
) -> Verdict {
    let (list, unreadable) = match assignments(ctx, &s.id) {
        Ok(x) => x,
        Err(v) => return v.observe("offending_assignments", None),
    };
    let users = if needs_users {
        match Users::from_ctx(ctx) {
            Ok(u) => Some(u),
            Err(v) => return v.observe("offending_assignments", None),
        }
    } else {
        None
    };
    let mut offending = Vec::new();
    let mut maybe = Vec::new();
    let mut unknown = Vec::new();
    for a in &list {
        let out_of_scope = matches!(
            (within, a.reach),
            (_, Reach::Elsewhere) | (Within::SubscriptionScope, Reach::Below)
        );
        if out_of_scope {
            continue;
        }
        match offence(a, users) {
            Ok(None) => {}
            Ok(Some(why)) => {
                let mut d = a.describe();
                d["why"] = json!(why);
                if a.reach == Reach::MaybeAbove {
                    maybe.push(d);
                } else {
                    offending.push(d);
                }
            }
            Err(why) => unknown.push(json!({"id": a.id, "why": why})),
        }
    }
    let v = if !offending.is_empty() {
        let list: Vec<String> = offending
            .iter()
            .map(|d| {
                format!(
                    "{} ({})",
                    d["principalId"].as_str().unwrap_or_default(),
                    d["why"].as_str().unwrap_or_default()
                )
            })
            .collect();
        Verdict::fail(format!("{} {what}: {}", offending.len(), list.join(", ")))
    } else if !maybe.is_empty() {
        Verdict::error(format!(
            "{} {what} at management-group scope may apply to this subscription (hierarchy not \
             collected)",
            maybe.len()
        ))
    } else if !unknown.is_empty() || !unreadable.is_empty() {
        let mut why: Vec<String> = unknown
            .iter()
            .filter_map(|u| u["why"].as_str().map(str::to_string))
            .collect();
        if !unreadable.is_empty() {
            why.push(format!(
                "{} without a readable properties.roleDefinitionId, properties.principalId or \
                 scope",
                unreadable.len()
            ));
        }
        why.sort();
        why.dedup();
        Verdict::error(format!(
            "{} role assignments could not be judged: {}",
            unknown.len() + unreadable.len(),
            why.join("; ")
        ))
    } else {
        Verdict::pass(format!("no {what}"))
    };
    v.observe_value("offending_assignments", Value::from(offending))
        .observe_value("management_group_assignments", Value::from(maybe))
        .observe_value("undecided_assignments", Value::from(unknown))
        .observe_value("unreadable_assignments", json!(unreadable))
}

/// Graph users by lower-case object id.
pub(crate) struct Users<'a>(BTreeMap<String, &'a Value>);

impl<'a> Users<'a> {
    /// Built once per assessment by [`Ctx::users`]; `None` when users were not collected.
    pub(super) fn new(inv: &'a crate::model::Inventory) -> Option<Self> {
        let list = inv.identity.users.as_ref()?;
        Some(Self(
            list.iter()
                .filter_map(|u| Some((u.get("id")?.as_str()?.to_ascii_lowercase(), u)))
                .collect(),
        ))
    }

    pub(super) fn from_ctx<'c>(ctx: &'c Ctx<'a>) -> Result<&'c Self, Verdict> {
        ctx.users()
            .ok_or_else(|| Verdict::error("Microsoft Graph users were not collected"))
    }

    pub(super) fn get(&self, id: &str) -> Option<&'a Value> {
        self.0.get(&id.to_ascii_lowercase()).copied()
    }
}

/// The Graph user behind an assignment, if its principal is a user. `Ok(None)` for groups and
/// service principals, and for principals without a type that are not in the user list.
fn user_of<'u>(a: &Assignment, users: Option<&Users<'u>>) -> Result<Option<&'u Value>, String> {
    let users = users.ok_or("users not read")?;
    match a.principal_type {
        Some(t) if t.eq_ignore_ascii_case("User") => Ok(users.get(a.principal)),
        Some(_) => Ok(None),
        None => Ok(users.get(a.principal)),
    }
}

fn is_guest(a: &Assignment, users: Option<&Users>) -> Result<Option<String>, String> {
    let Some(u) = user_of(a, users)? else {
        return Ok(None);
    };
    match props::object_value(props::GRAPH_USER, u, "/userType").and_then(Value::as_str) {
        Some(t) if t.eq_ignore_ascii_case("Guest") => Ok(Some(format!(
            "guest {}",
            u.get("userPrincipalName")
                .and_then(Value::as_str)
                .unwrap_or(a.principal)
        ))),
        Some(_) => Ok(None),
        None => Err(format!("user {} has no userType", a.principal)),
    }
}

fn is_disabled(a: &Assignment, users: Option<&Users>) -> Result<Option<String>, String> {
    let Some(u) = user_of(a, users)? else {
        return Ok(None);
    };
    match props::object_value(props::GRAPH_USER, u, "/accountEnabled").and_then(Value::as_bool) {
        Some(false) => Ok(Some(format!(
            "disabled user {}",
            u.get("userPrincipalName")
                .and_then(Value::as_str)
                .unwrap_or(a.principal)
        ))),
        Some(true) => Ok(None),
        None => Err(format!("user {} has no accountEnabled", a.principal)),
    }
}

fn owner_only(
    a: &Assignment,
    users: Option<&Users>,
    test: Offence,
) -> Result<Option<String>, String> {
    if a.role == OWNER {
        test(a, users)
    } else {
        Ok(None)
    }
}

fn user_access_admin(s: &Subscription, ctx: &Ctx) -> Verdict {
    no_offending(
        s,
        ctx,
        "User Access Administrator assignments at subscription or root scope",
        Within::SubscriptionScope,
        false,
        |a, _| {
            Ok((a.role == USER_ACCESS_ADMIN)
                .then(|| format!("User Access Administrator at {}", a.scope)))
        },
    )
}

fn guest_owners(s: &Subscription, ctx: &Ctx) -> Verdict {
    no_offending(
        s,
        ctx,
        "Owner assignments held by guests",
        Within::Anywhere,
        true,
        |a, u| owner_only(a, u, is_guest),
    )
}

fn guest_any_role(s: &Subscription, ctx: &Ctx) -> Verdict {
    no_offending(
        s,
        ctx,
        "role assignments held by guests",
        Within::Anywhere,
        true,
        is_guest,
    )
}

fn disabled_owners(s: &Subscription, ctx: &Ctx) -> Verdict {
    no_offending(
        s,
        ctx,
        "Owner assignments held by disabled accounts",
        Within::Anywhere,
        true,
        |a, u| owner_only(a, u, is_disabled),
    )
}

fn disabled_any_role(s: &Subscription, ctx: &Ctx) -> Verdict {
    no_offending(
        s,
        ctx,
        "role assignments held by disabled accounts",
        Within::Anywhere,
        true,
        is_disabled,
    )
}

fn service_principal_owners(s: &Subscription, ctx: &Ctx) -> Verdict {
    no_offending(
        s,
        ctx,
        "Owner assignments held by service principals",
        Within::Anywhere,
        false,
        |a, _| {
            if a.role != OWNER {
                return Ok(None);
            }
            match a.principal_type {
                Some(t) if t.eq_ignore_ascii_case("ServicePrincipal") => {
                    Ok(Some(format!("service principal Owner at {}", a.scope)))
                }
                Some(_) => Ok(None),
                None => Err(format!("assignment {} has no principalType", a.id)),
            }
        },
    )
}

fn orphaned_users(s: &Subscription, ctx: &Ctx) -> Verdict {
    no_offending(
        s,
        ctx,
        "role assignments held by users that no longer exist",
        Within::Anywhere,
        true,
        |a, u| {
            let users = u.ok_or("users not read")?;
            let Some(t) = a.principal_type else {
                // Without a principalType, a principal missing from the directory may be a
                // deleted user.
                return match users.get(a.principal) {
                    Some(_) => Ok(None),
                    None => Err(format!("assignment {} has no principalType", a.id)),
                };
            };
            let is_user = t.eq_ignore_ascii_case("User");
            Ok((is_user && users.get(a.principal).is_none())
                .then(|| format!("user not found in the directory, at {}", a.scope)))
        },
    )
}

fn classic_administrators(s: &Subscription) -> Verdict {
    let key = "classicAdministrators";
    let Some(admins) = &s.classic_administrators else {
        return Verdict::error("classic administrators were not collected").observe(key, None);
    };
    let seen: Vec<Value> = admins
        .iter()
        .map(|a| {
            json!({
                "emailAddress": a.pointer("/properties/emailAddress"),
                "role": a.pointer("/properties/role"),
            })
        })
        .collect();
    let v = if admins.is_empty() {
        Verdict::pass("no classic administrator is assigned")
    } else {
        let list: Vec<String> = seen
            .iter()
            .map(|a| {
                format!(
                    "{} ({})",
                    a["emailAddress"].as_str().unwrap_or("(no address)"),
                    a["role"].as_str().unwrap_or("(no role)")
                )
            })
            .collect();
        Verdict::fail(format!(
            "classic administrators are assigned: {}",
            list.join(", ")
        ))
    };
    v.observe_value(key, Value::from(seen))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::testutil::{
        fixture, fixture_item, fixture_resource, inventory, resource, set_prop,
    };
    use crate::checks::{Finding, FindingStatus as S, Settings};
    use crate::model::{Gap, Inventory, Resource};

    const SUB: &str = "a925f2f7-5c63-4b7b-8799-25a5f97bc3b2";
    const OWNER_DEF: &str =
        "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    const UAA_DEF: &str =
        "/providers/Microsoft.Authorization/roleDefinitions/18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
    const SCOPE_LIST: &str = "authorization/role_assignments_list_for_scope.2022-04-01.json";
    const RG_LIST: &str = "authorization/role_assignments_list_for_resource_group.2022-04-01.json";
    const ROLE_DEF: &str = "authorization/role_definition_get.2022-04-01.json";
    const USERS: &str = "graph/users_list.v1.0.json";

    /// Runs one check through the registry (so source gaps count) and returns the finding on
    /// `resource_id`.
    fn finding(id: &str, inv: &Inventory, settings: &Settings, resource_id: &str) -> Finding {
        let check = crate::checks::find(id).unwrap();
        let ctx = crate::checks::Ctx::new(inv, settings);
        crate::checks::run(check, &ctx)
            .findings
            .into_iter()
            .find(|f| f.resource_id == resource_id)
            .unwrap_or_else(|| panic!("{id}: no finding on {resource_id}"))
    }

    fn sub_finding(id: &str, inv: &Inventory) -> Finding {
        finding(
            id,
            inv,
            &Settings::default(),
            &format!("/subscriptions/{SUB}"),
        )
    }

    /// Microsoft's example assignment (a User at subscription scope), with another principal,
    /// role and scope.
    fn assignment(n: u32, role: &str, principal: &str, ptype: &str, scope: &str) -> Resource {
        let mut r = fixture_resource(SCOPE_LIST, 0);
        r.id = format!("{scope}/providers/Microsoft.Authorization/roleAssignments/ra-{n}");
        set_prop(&mut r, "/roleDefinitionId", json!(role));
        set_prop(&mut r, "/principalId", json!(principal));
        set_prop(&mut r, "/principalType", json!(ptype));
        set_prop(&mut r, "/scope", json!(scope));
        r
    }

    fn sub_scope() -> String {
        format!("/subscriptions/{SUB}")
    }

    /// The inventory with our subscription added and the given rows.
    fn inv_with(rows: Vec<Resource>) -> Inventory {
        let mut inv = inventory(rows);
        inv.subscriptions
            .push(crate::checks::testutil::subscription(SUB));
        inv
    }

    /// Microsoft's users example with userType and accountEnabled, as the collector selects them.
    fn users(edit: impl Fn(&mut Value)) -> Vec<Value> {
        let mut list = fixture(USERS)["value"].as_array().unwrap().clone();
        for u in &mut list {
            u["userType"] = json!("Member");
            u["accountEnabled"] = json!(true);
            edit(u);
        }
        list
    }

    const ADAMS: &str = "6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0";
    const ADMIN: &str = "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e";

    #[test]
    fn rbac_subscription_owners_max_pass() {
        let rows = vec![
            assignment(1, OWNER_DEF, "p1", "User", &sub_scope()),
            assignment(2, OWNER_DEF, "p2", "Group", &sub_scope()),
            // The same principal twice counts once; Owner on a resource group is not counted.
            assignment(3, OWNER_DEF, "p2", "Group", "/"),
            assignment(
                4,
                OWNER_DEF,
                "p9",
                "User",
                &format!("{}/resourceGroups/testrg", sub_scope()),
            ),
            // Microsoft's example rows (another role) are ignored.
            fixture_resource(RG_LIST, 0),
            fixture_resource(RG_LIST, 1),
        ];
        let f = sub_finding("rbac_subscription_owners_max", &inv_with(rows));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.observed["owners"], json!(["p1", "p2"]));
        assert_eq!(f.observed["max_subscription_owners"], json!(3));
    }
    #[test]
    fn rbac_subscription_owners_max_fail() {
        let rows = (1..=4)
            .map(|n| assignment(n, OWNER_DEF, &format!("p{n}"), "User", &sub_scope()))
            .collect();
        let f = sub_finding("rbac_subscription_owners_max", &inv_with(rows));
        assert_eq!(f.status, S::Fail);
        assert_eq!(
            f.reason,
            "4 principals hold Owner on the subscription, more than the maximum of 3"
        );
        // A stricter setting applies.
        let rows = (1..=2)
            .map(|n| assignment(n, OWNER_DEF, &format!("p{n}"), "User", &sub_scope()))
            .collect();
        let settings = Settings {
            max_subscription_owners: 1,
            ..Settings::default()
        };
        let f = finding(
            "rbac_subscription_owners_max",
            &inv_with(rows),
            &settings,
            &sub_scope(),
        );
        assert_eq!(f.status, S::Fail, "{}", f.reason);
    }
    #[test]
    fn rbac_subscription_owners_max_missing() {
        // Management-group owners could push the count over: cannot tell.
        let mut rows: Vec<Resource> = (1..=3)
            .map(|n| assignment(n, OWNER_DEF, &format!("p{n}"), "User", &sub_scope()))
            .collect();
        rows.push(assignment(
            4,
            OWNER_DEF,
            "mg-owner",
            "Group",
            "/providers/Microsoft.Management/managementGroups/root-mg",
        ));
        let f = sub_finding("rbac_subscription_owners_max", &inv_with(rows));
        assert_eq!(f.status, S::Error, "{}", f.reason);
        assert_eq!(
            f.observed["owners_at_management_group_scope"],
            json!(["mg-owner"])
        );
        // A row without roleDefinitionId cannot be counted.
        let mut broken = assignment(1, OWNER_DEF, "p1", "User", &sub_scope());
        set_prop(&mut broken, "/roleDefinitionId", Value::Null);
        let f = sub_finding("rbac_subscription_owners_max", &inv_with(vec![broken]));
        assert_eq!(f.status, S::Error);
        assert!(f.reason.contains("lack roleDefinitionId"), "{}", f.reason);
        // A gap on the subscription in the authorization source.
        let mut inv = inv_with(vec![]);
        for s in &mut inv.sources {
            if s.name == "resource_graph.authorization" {
                s.gaps.push(Gap {
                    scope: sub_scope(),
                    reason: "403".into(),
                    read: None,
                });
            }
        }
        let f = sub_finding("rbac_subscription_owners_max", &inv);
        assert_eq!(f.status, S::Error);
        assert!(f.reason.contains("is incomplete for"), "{}", f.reason);
    }

    #[test]
    fn rbac_subscription_owners_min_pass() {
        let rows = vec![
            assignment(1, OWNER_DEF, "p1", "User", &sub_scope()),
            assignment(2, OWNER_DEF, "p2", "User", "/"),
        ];
        let f = sub_finding("rbac_subscription_owners_min", &inv_with(rows));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.reason, "2 principals hold Owner on the subscription");
    }
    #[test]
    fn rbac_subscription_owners_min_fail() {
        // Microsoft's examples hold another role; one Owner is not enough.
        let rows = vec![
            fixture_resource(SCOPE_LIST, 0),
            assignment(1, OWNER_DEF, "p1", "User", &sub_scope()),
        ];
        let f = sub_finding("rbac_subscription_owners_min", &inv_with(rows));
        assert_eq!(f.status, S::Fail);
        assert!(f.reason.contains("only 1 principal"), "{}", f.reason);
        let f = sub_finding("rbac_subscription_owners_min", &inv_with(vec![]));
        assert_eq!(f.status, S::Fail);
        assert_eq!(f.observed["owners"], json!([]));
    }
    #[test]
    fn rbac_subscription_owners_min_missing() {
        let rows = vec![
            assignment(1, OWNER_DEF, "p1", "User", &sub_scope()),
            assignment(
                2,
                OWNER_DEF,
                "p2",
                "User",
                "/providers/Microsoft.Management/managementGroups/mg",
            ),
        ];
        let f = sub_finding("rbac_subscription_owners_min", &inv_with(rows));
        assert_eq!(f.status, S::Error, "{}", f.reason);
        let mut inv = inv_with(vec![]);
        inv.sources
            .retain(|s| s.name != "resource_graph.authorization");
        let f = sub_finding("rbac_subscription_owners_min", &inv);
        assert_eq!(f.status, S::Error);
        assert!(f.reason.contains("was not collected"), "{}", f.reason);
    }

    fn custom_role(actions: Value, scopes: Value) -> Resource {
        let mut r = resource(fixture_item(ROLE_DEF, 0));
        set_prop(&mut r, "/type", json!("CustomRole"));
        r.properties["permissions"][0]["actions"] = actions;
        set_prop(&mut r, "/assignableScopes", scopes);
        r
    }

    #[test]
    fn rbac_custom_owner_roles_absent_pass() {
        // Microsoft's example: one named action, assignable at a subscription.
        let r = custom_role(json!(["action"]), json!(["/subscriptions/subId"]));
        let v = crate::checks::testutil::eval_resource("rbac_custom_owner_roles_absent", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["allows_all_actions"], json!(false));
        // '*' limited to a resource group is not a subscription administrator.
        let r = custom_role(
            json!(["*"]),
            json!(["/subscriptions/subId/resourceGroups/rg"]),
        );
        let v = crate::checks::testutil::eval_resource("rbac_custom_owner_roles_absent", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // Built-in roles are out of scope.
        let mut r = resource(fixture_item(ROLE_DEF, 0));
        set_prop(&mut r, "/type", json!("BuiltInRole"));
        let v = crate::checks::testutil::eval_resource("rbac_custom_owner_roles_absent", &r);
        assert_eq!(v.status, S::NotApplicable);
    }
    #[test]
    fn rbac_custom_owner_roles_absent_fail() {
        for scope in [
            "/subscriptions/subId",
            "/",
            "/providers/Microsoft.Management/managementGroups/mg",
        ] {
            let r = custom_role(json!(["*"]), json!([scope]));
            let v = crate::checks::testutil::eval_resource("rbac_custom_owner_roles_absent", &r);
            assert_eq!(v.status, S::Fail, "{scope}: {}", v.reason);
            assert!(v.reason.contains("Role name"), "{}", v.reason);
            assert_eq!(v.observed["subscription_or_broader_scopes"], json!([scope]));
        }
    }
    #[test]
    fn rbac_custom_owner_roles_absent_missing() {
        // Microsoft's example carries a placeholder type, not CustomRole/BuiltInRole.
        let mut r = resource(fixture_item(ROLE_DEF, 0));
        set_prop(&mut r, "/type", Value::Null);
        let v = crate::checks::testutil::eval_resource("rbac_custom_owner_roles_absent", &r);
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["properties.type"], Value::Null);
        let mut r = custom_role(json!(["*"]), json!(["/"]));
        set_prop(&mut r, "/assignableScopes", Value::Null);
        let v = crate::checks::testutil::eval_resource("rbac_custom_owner_roles_absent", &r);
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn rbac_user_access_admin_restricted_pass() {
        // UAA on a resource group is out of scope; Owner is another check.
        let rows = vec![
            assignment(
                1,
                UAA_DEF,
                "p1",
                "User",
                &format!("{}/resourceGroups/rg", sub_scope()),
            ),
            assignment(2, OWNER_DEF, "p2", "User", &sub_scope()),
            fixture_resource(SCOPE_LIST, 0),
        ];
        let f = sub_finding("rbac_user_access_admin_restricted", &inv_with(rows));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.observed["offending_assignments"], json!([]));
    }
    #[test]
    fn rbac_user_access_admin_restricted_fail() {
        let rows = vec![assignment(1, UAA_DEF, "ga-elevated", "User", "/")];
        let f = sub_finding("rbac_user_access_admin_restricted", &inv_with(rows));
        assert_eq!(f.status, S::Fail);
        assert!(f.reason.contains("ga-elevated"), "{}", f.reason);
        assert_eq!(f.observed["offending_assignments"][0]["scope"], json!("/"));
    }
    #[test]
    fn rbac_user_access_admin_restricted_missing() {
        let rows = vec![assignment(
            1,
            UAA_DEF,
            "p1",
            "User",
            "/providers/Microsoft.Management/managementGroups/mg",
        )];
        let f = sub_finding("rbac_user_access_admin_restricted", &inv_with(rows));
        assert_eq!(f.status, S::Error, "{}", f.reason);
        assert!(f.reason.contains("may apply"), "{}", f.reason);
    }

    fn with_users(rows: Vec<Resource>, users: Option<Vec<Value>>) -> Inventory {
        let mut inv = inv_with(rows);
        inv.identity.users = users;
        inv
    }

    #[test]
    fn rbac_guest_owners_absent_pass() {
        // A guest with Reader is not an Owner; members may be Owners.
        let rows = vec![
            assignment(1, OWNER_DEF, ADMIN, "User", &sub_scope()),
            fixture_resource(SCOPE_LIST, 0),
            assignment(
                2,
                "/x/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
                ADAMS,
                "User",
                &sub_scope(),
            ),
        ];
        let inv = with_users(
            rows,
            Some(users(|u| {
                if u["id"] == ADAMS {
                    u["userType"] = json!("Guest");
                }
            })),
        );
        let f = sub_finding("rbac_guest_owners_absent", &inv);
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn rbac_guest_owners_absent_fail() {
        let rows = vec![assignment(
            1,
            OWNER_DEF,
            ADAMS,
            "User",
            &format!("{}/resourceGroups/rg", sub_scope()),
        )];
        let inv = with_users(
            rows,
            Some(users(|u| {
                if u["id"] == ADAMS {
                    u["userType"] = json!("Guest");
                }
            })),
        );
        let f = sub_finding("rbac_guest_owners_absent", &inv);
        assert_eq!(f.status, S::Fail);
        assert!(f.reason.contains("guest Adams@contoso.com"), "{}", f.reason);
    }
    #[test]
    fn rbac_guest_owners_absent_missing() {
        let rows = vec![assignment(1, OWNER_DEF, ADAMS, "User", &sub_scope())];
        let f = sub_finding("rbac_guest_owners_absent", &with_users(rows.clone(), None));
        assert_eq!(f.status, S::Error);
        assert!(
            f.reason.contains("users were not collected"),
            "{}",
            f.reason
        );
        // Microsoft's plain users example has no userType.
        let plain = fixture(USERS)["value"].as_array().unwrap().clone();
        let f = sub_finding("rbac_guest_owners_absent", &with_users(rows, Some(plain)));
        assert_eq!(f.status, S::Error);
        assert!(
            f.observed["undecided_assignments"][0]["why"]
                .as_str()
                .unwrap()
                .contains("no userType")
        );
    }

    #[test]
    fn rbac_guest_role_assignments_absent_pass() {
        let rows = vec![assignment(1, OWNER_DEF, ADMIN, "User", &sub_scope())];
        let f = sub_finding(
            "rbac_guest_role_assignments_absent",
            &with_users(rows, Some(users(|_| {}))),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn rbac_guest_role_assignments_absent_fail() {
        // A Reader-like role held by a guest.
        let mut row = fixture_resource(SCOPE_LIST, 0);
        set_prop(&mut row, "/principalId", json!(ADAMS));
        let inv = with_users(
            vec![row],
            Some(users(|u| {
                if u["id"] == ADAMS {
                    u["userType"] = json!("Guest");
                }
            })),
        );
        let f = sub_finding("rbac_guest_role_assignments_absent", &inv);
        assert_eq!(f.status, S::Fail);
        assert_eq!(
            f.observed["offending_assignments"][0]["roleDefinition"],
            json!("0b5fe924-9a61-425c-96af-cfe6e287ca2d")
        );
    }
    #[test]
    fn rbac_guest_role_assignments_absent_missing() {
        let f = sub_finding(
            "rbac_guest_role_assignments_absent",
            &with_users(vec![fixture_resource(SCOPE_LIST, 0)], None),
        );
        assert_eq!(f.status, S::Error);
        assert_eq!(f.observed["offending_assignments"], Value::Null);
    }

    #[test]
    fn rbac_disabled_account_owners_absent_pass() {
        let rows = vec![assignment(1, OWNER_DEF, ADMIN, "User", &sub_scope())];
        let f = sub_finding(
            "rbac_disabled_account_owners_absent",
            &with_users(rows, Some(users(|_| {}))),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn rbac_disabled_account_owners_absent_fail() {
        let rows = vec![assignment(1, OWNER_DEF, ADMIN, "User", &sub_scope())];
        let inv = with_users(
            rows,
            Some(users(|u| {
                if u["id"] == ADMIN {
                    u["accountEnabled"] = json!(false);
                }
            })),
        );
        let f = sub_finding("rbac_disabled_account_owners_absent", &inv);
        assert_eq!(f.status, S::Fail);
        assert!(
            f.reason.contains("disabled user admin@contoso.com"),
            "{}",
            f.reason
        );
    }
    #[test]
    fn rbac_disabled_account_owners_absent_missing() {
        let rows = vec![assignment(1, OWNER_DEF, ADMIN, "User", &sub_scope())];
        let inv = with_users(
            rows,
            Some(users(|u| {
                u.as_object_mut().unwrap().remove("accountEnabled");
            })),
        );
        let f = sub_finding("rbac_disabled_account_owners_absent", &inv);
        assert_eq!(f.status, S::Error, "{}", f.reason);
    }

    #[test]
    fn rbac_disabled_account_roles_absent_pass() {
        // A disabled user without any assignment is fine.
        let inv = with_users(
            vec![assignment(1, OWNER_DEF, ADMIN, "User", &sub_scope())],
            Some(users(|u| {
                if u["id"] == ADAMS {
                    u["accountEnabled"] = json!(false);
                }
            })),
        );
        let f = sub_finding("rbac_disabled_account_roles_absent", &inv);
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn rbac_disabled_account_roles_absent_fail() {
        let mut row = fixture_resource(RG_LIST, 1);
        set_prop(&mut row, "/principalId", json!(ADAMS));
        let inv = with_users(
            vec![row],
            Some(users(|u| {
                if u["id"] == ADAMS {
                    u["accountEnabled"] = json!(false);
                }
            })),
        );
        let f = sub_finding("rbac_disabled_account_roles_absent", &inv);
        assert_eq!(f.status, S::Fail);
        assert_eq!(
            f.observed["offending_assignments"][0]["scope"],
            json!(format!("{}/resourceGroups/testrg", sub_scope()))
        );
    }
    #[test]
    fn rbac_disabled_account_roles_absent_missing() {
        let f = sub_finding(
            "rbac_disabled_account_roles_absent",
            &with_users(vec![fixture_resource(RG_LIST, 1)], None),
        );
        assert_eq!(f.status, S::Error);
    }

    #[test]
    fn rbac_service_principal_owners_absent_pass() {
        let rows = vec![
            assignment(1, OWNER_DEF, "u1", "User", &sub_scope()),
            assignment(2, UAA_DEF, "sp1", "ServicePrincipal", &sub_scope()),
        ];
        let f = sub_finding("rbac_service_principal_owners_absent", &inv_with(rows));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn rbac_service_principal_owners_absent_fail() {
        let rows = vec![assignment(
            1,
            OWNER_DEF,
            "sp1",
            "ServicePrincipal",
            &sub_scope(),
        )];
        let f = sub_finding("rbac_service_principal_owners_absent", &inv_with(rows));
        assert_eq!(f.status, S::Fail);
        assert!(f.reason.contains("sp1"), "{}", f.reason);
    }
    #[test]
    fn rbac_service_principal_owners_absent_missing() {
        let mut row = assignment(1, OWNER_DEF, "x", "User", &sub_scope());
        set_prop(&mut row, "/principalType", Value::Null);
        let f = sub_finding("rbac_service_principal_owners_absent", &inv_with(vec![row]));
        assert_eq!(f.status, S::Error, "{}", f.reason);
        assert!(
            f.observed["undecided_assignments"][0]["why"]
                .as_str()
                .unwrap()
                .contains("no principalType")
        );
    }

    #[test]
    fn rbac_orphaned_user_assignments_absent_pass() {
        let rows = vec![
            assignment(1, OWNER_DEF, ADMIN, "User", &sub_scope()),
            // Groups are not in the user list and are not orphans.
            assignment(2, OWNER_DEF, "group-1", "Group", &sub_scope()),
        ];
        let f = sub_finding(
            "rbac_orphaned_user_assignments_absent",
            &with_users(rows, Some(users(|_| {}))),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn rbac_orphaned_user_assignments_absent_fail() {
        // Microsoft's example principal is not in Microsoft's users example.
        let f = sub_finding(
            "rbac_orphaned_user_assignments_absent",
            &with_users(vec![fixture_resource(SCOPE_LIST, 0)], Some(users(|_| {}))),
        );
        assert_eq!(f.status, S::Fail);
        assert!(
            f.reason.contains("ce2ce14e-85d7-4629-bdbc-454d0519d987"),
            "{}",
            f.reason
        );
    }
    #[test]
    fn rbac_orphaned_user_assignments_absent_missing() {
        let f = sub_finding(
            "rbac_orphaned_user_assignments_absent",
            &with_users(vec![fixture_resource(SCOPE_LIST, 0)], None),
        );
        assert_eq!(f.status, S::Error);
    }

    const CLASSIC: &str = "../handmade/authorization/classic_administrators_list.2015-07-01.json";

    fn classic(list: Option<Vec<Value>>) -> crate::model::Subscription {
        let mut s = crate::checks::testutil::subscription(SUB);
        s.classic_administrators = list;
        s
    }

    #[test]
    fn rbac_classic_administrators_absent_pass() {
        let v = crate::checks::testutil::eval_subscription(
            "rbac_classic_administrators_absent",
            &classic(Some(vec![])),
        );
        assert_eq!(v.status, S::Pass);
        assert_eq!(v.observed["classicAdministrators"], json!([]));
    }
    #[test]
    fn rbac_classic_administrators_absent_fail() {
        let list = fixture(CLASSIC)["value"].as_array().unwrap().clone();
        let v = crate::checks::testutil::eval_subscription(
            "rbac_classic_administrators_absent",
            &classic(Some(list)),
        );
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("coadmin@test.com (CoAdministrator)"),
            "{}",
            v.reason
        );
        assert_eq!(
            v.observed["classicAdministrators"][0]["role"],
            json!("ServiceAdministrator;AccountAdministrator")
        );
    }
    #[test]
    fn rbac_classic_administrators_absent_missing() {
        let v = crate::checks::testutil::eval_subscription(
            "rbac_classic_administrators_absent",
            &classic(None),
        );
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["classicAdministrators"], Value::Null);
    }

    #[test]
    fn scopes_reach_the_subscription() {
        use super::{Reach, reach};
        assert_eq!(reach("/", "s"), Reach::Subscription);
        assert_eq!(reach("/subscriptions/S/", "s"), Reach::Subscription);
        assert_eq!(
            reach("/subscriptions/s/resourceGroups/rg", "s"),
            Reach::Below
        );
        assert_eq!(reach("/subscriptions/t", "s"), Reach::Elsewhere);
        assert_eq!(reach("/subscriptions/s2", "s"), Reach::Elsewhere);
        assert_eq!(
            reach("/providers/Microsoft.Management/managementGroups/m", "s"),
            Reach::MaybeAbove
        );
    }
}
