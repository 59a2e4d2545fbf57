//! Microsoft Graph v1.0: the tenant's identity configuration (docs/SOURCES.md), with
//! `@odata.nextLink` paging. A failure leaves the field `None` and records a gap on the tenant,
//! naming the application permission to grant when Graph says 401 or 403.
//!
//! Directory roles are read with `$expand=members`; a role that comes back without a `members`
//! array (the expansion was not honoured) has its members read from
//! `GET /directoryRoles/{id}/members` instead, and a role whose members cannot be read stays
//! without `members` and is a named gap, so no check counts it as having no members. That gap's
//! `read` names the role's members by template id, so only checks that need that role's members
//! are made incomplete by it. A singleton must be one object with its `id`, a list a page of
//! objects (`shape`); another shape is a gap.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures::StreamExt;
use serde_json::Value;

use super::arm::reason;
use super::http::{Failure, Http, Meter, Paged};
use super::redact::clean;
use super::retry::CallKind;
use super::shape;
use super::{Progress, SourceRecord};
use crate::model::{ConditionalAccessPolicy, Identity, InventoryPart, SecurityDefaults};

pub(crate) const API_VERSION: &str = "v1.0";

/// One Graph source.
struct GraphSource {
    name: &'static str,
    /// Below `/v1.0`, with its query.
    path: &'static str,
    list: bool,
    /// What to grant on 401/403.
    permission: &'static str,
    /// Stores the cleaned body (an array for lists); `Err` when it does not have the shape.
    apply: fn(&mut Identity, Value) -> Result<(), String>,
}

fn items(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        other => vec![other],
    }
}

/// The source whose roles may need their members read separately.
const ROLES: &str = "graph.directory_roles";

const SOURCES: [GraphSource; 10] = [
    GraphSource {
        name: "graph.conditional_access_policies",
        path: "/identity/conditionalAccess/policies",
        list: true,
        permission: "Policy.Read.All",
        apply: |i, v| {
            let policies = items(v)
                .into_iter()
                .map(serde_json::from_value::<ConditionalAccessPolicy>)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("a policy does not have the documented shape: {e}"))?;
            i.conditional_access_policies = Some(policies);
            Ok(())
        },
    },
    GraphSource {
        name: "graph.security_defaults",
        path: "/policies/identitySecurityDefaultsEnforcementPolicy",
        list: false,
        permission: "Policy.Read.All",
        apply: |i, v| {
            let sd = serde_json::from_value::<SecurityDefaults>(v)
                .map_err(|e| format!("the policy does not have the documented shape: {e}"))?;
            i.security_defaults = Some(sd);
            Ok(())
        },
    },
    GraphSource {
        name: "graph.authorization_policy",
        path: "/policies/authorizationPolicy",
        list: false,
        permission: "Policy.Read.All",
        apply: |i, v| {
            if !v.is_object() {
                return Err("the policy is not an object".into());
            }
            i.authorization_policy = Some(v);
            Ok(())
        },
    },
    GraphSource {
        name: "graph.named_locations",
        path: "/identity/conditionalAccess/namedLocations",
        list: true,
        permission: "Policy.Read.All",
        apply: |i, v| {
            i.named_locations = Some(items(v));
            Ok(())
        },
    },
    GraphSource {
        name: "graph.users",
        path: "/users?$select=id,userPrincipalName,displayName,userType,accountEnabled,\
               createdDateTime,signInActivity",
        list: true,
        permission: "User.Read.All and AuditLog.Read.All (signInActivity needs Entra ID P1 or P2)",
        apply: |i, v| {
            i.users = Some(items(v));
            Ok(())
        },
    },
    GraphSource {
        name: "graph.user_registration_details",
        path: "/reports/authenticationMethods/userRegistrationDetails",
        list: true,
        permission: "AuditLog.Read.All",
        apply: |i, v| {
            i.user_registration_details = Some(items(v));
            Ok(())
        },
    },
    GraphSource {
        name: ROLES,
        path: "/directoryRoles?$expand=members",
        list: true,
        permission: "RoleManagement.Read.Directory",
        apply: |i, v| {
            i.directory_roles = Some(items(v));
            Ok(())
        },
    },
    GraphSource {
        name: "graph.role_assignment_schedules",
        path: "/roleManagement/directory/roleAssignmentSchedules",
        list: true,
        permission: "RoleManagement.Read.Directory",
        apply: |i, v| {
            i.role_assignment_schedules = Some(items(v));
            Ok(())
        },
    },
    GraphSource {
        name: "graph.role_eligibility_schedules",
        path: "/roleManagement/directory/roleEligibilitySchedules",
        list: true,
        permission: "RoleManagement.Read.Directory",
        apply: |i, v| {
            i.role_eligibility_schedules = Some(items(v));
            Ok(())
        },
    },
    GraphSource {
        name: "graph.applications",
        path: "/applications?$select=id,appId,displayName,passwordCredentials,keyCredentials",
        list: true,
        permission: "Application.Read.All",
        apply: |i, v| {
            i.applications = Some(items(v));
            Ok(())
        },
    },
];

/// Reads every Graph source into an [`Identity`].
pub(crate) async fn collect(
    http: &Http,
    tenant_id: &str,
    page_cap: u32,
    progress: &Progress,
) -> (Identity, Vec<SourceRecord>) {
    let tenant_scope = format!("/tenants/{tenant_id}");
    let mut recs: Vec<SourceRecord> = SOURCES
        .iter()
        .map(|s| {
            SourceRecord::new(
                s.name,
                InventoryPart::Identity,
                http.endpoints.graph_base(),
                API_VERSION,
                &format!("GET /{API_VERSION}{}", s.path),
                vec![tenant_scope.clone()],
            )
        })
        .collect();
    let bars: Vec<_> = SOURCES
        .iter()
        .map(|s| progress.bar(s.name, Some(1)))
        .collect();
    let jobs: Vec<_> = SOURCES
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let url = http
                .endpoints
                .graph_url(&format!("/{API_VERSION}{}", s.path));
            (i, s, url, Arc::clone(&recs[i].meter), bars[i].clone())
        })
        .collect();
    let results: Vec<(usize, Paged, Option<MembersFallback>)> = futures::stream::iter(jobs)
        .map(|(i, s, url, meter, bar)| async move {
            let mut paged = fetch(http, s, url, page_cap, &meter).await;
            let fallback = if s.name == ROLES && paged.failure.is_none() {
                Some(fill_members(http, &mut paged.items, page_cap, &meter).await)
            } else {
                None
            };
            bar.inc(1);
            (i, paged, fallback)
        })
        .buffer_unordered(http.concurrency)
        .collect()
        .await;
    let mut identity = Identity::default();
    for (i, paged, fallback) in results {
        let s = &SOURCES[i];
        let rec = &mut recs[i];
        rec.pages = paged.pages;
        if let Some(f) = paged.failure {
            rec.gap(&tenant_scope, reason(&f, &grant(s.permission)));
            continue;
        }
        if let Some(fb) = fallback {
            fb.record(rec, &tenant_scope, s.permission);
        }
        let n = paged.items.len() as u64;
        let mut body = Value::Array(paged.items);
        clean(&mut body);
        let body = if s.list {
            body
        } else {
            items(body).into_iter().next().unwrap_or(Value::Null)
        };
        match (s.apply)(&mut identity, body) {
            Ok(()) => rec.records = n,
            Err(why) => rec.gap(&tenant_scope, why),
        }
    }
    for (rec, bar) in recs.iter_mut().zip(&bars) {
        rec.finish(bar);
    }
    recs.push(group_members(http, &tenant_scope, &mut identity, page_cap, progress).await);
    (identity, recs)
}

fn grant(permission: &str) -> String {
    format!("grant the Microsoft Graph application permission {permission} (with admin consent)")
}

/// Whether a directory role as listed needs its members read separately: only a `members`
/// array is the expansion's answer (an empty one means the role has no members); an absent,
/// `null` or otherwise shaped `members` says nothing about who holds the role.
fn needs_members(role: &Value) -> bool {
    !matches!(role.get("members"), Some(Value::Array(_)))
}

/// A role for gap reasons: display name, object id and template id, as far as known.
fn describe_role(role: &Value) -> String {
    let field = |k: &str| role.get(k).and_then(Value::as_str);
    let mut s = format!(
        "directory role {}",
        field("displayName").map_or_else(|| "(no displayName)".to_string(), |n| format!("{n:?}"))
    );
    let mut ids = vec![];
    if let Some(id) = field("id") {
        ids.push(format!("id {id}"));
    }
    if let Some(t) = field("roleTemplateId") {
        ids.push(format!("template {t}"));
    }
    if !ids.is_empty() {
        s.push_str(&format!(" ({})", ids.join(", ")));
    }
    s
}

/// What the members fallback did for the directory roles source.
#[derive(Debug, Default)]
struct MembersFallback {
    /// Roles listed without a `members` array.
    missing: u32,
    /// Roles whose members were read from the members endpoint.
    filled: u32,
    /// Separate member lists requested (one per role without members).
    queries: u32,
    /// Pages those lists took.
    pages: u32,
    /// Roles whose members could not be read.
    failed: Vec<FailedRole>,
}

/// A role whose members could not be read.
#[derive(Debug)]
struct FailedRole {
    /// The role's object id, or "" when it has none.
    id: String,
    /// Its `roleTemplateId`, which names the members read in the gap.
    template: Option<String>,
    /// The role in words.
    role: String,
    why: Failure,
}

impl FailedRole {
    fn of(role: &Value, id: &str, why: Failure) -> Self {
        Self {
            id: id.to_string(),
            template: role
                .get("roleTemplateId")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(str::to_ascii_lowercase),
            role: describe_role(role),
            why,
        }
    }
}

/// The sub-read a role's members are: `directoryRoles/roleTemplateId=<id>/members`, Graph's
/// alternate key for the role (the object id differs per tenant, the template id does not), so
/// a check declares the members it needs as `graph.directory_roles:<this>`.
pub(crate) fn members_read(template: &str) -> String {
    format!(
        "directoryRoles/roleTemplateId={}/members",
        template.to_ascii_lowercase()
    )
}

impl MembersFallback {
    /// Puts the fallback into the source's provenance: its queries and pages, and one gap per
    /// role whose membership is unknown.
    fn record(self, rec: &mut SourceRecord, tenant_scope: &str, permission: &str) {
        if self.missing == 0 {
            return;
        }
        rec.pages += self.pages;
        rec.notes.push(format!(
            "{} directory role(s) came back without members ($expand=members not honoured); \
             read GET /{API_VERSION}/directoryRoles/{{id}}/members for them: {} extra \
             query(ies), {} page(s), {} role(s) filled",
            self.missing, self.queries, self.pages, self.filled
        ));
        for f in self.failed {
            let scope = if f.id.is_empty() {
                tenant_scope.to_string()
            } else {
                format!("{tenant_scope}/directoryRoles/{}", f.id)
            };
            let why = format!(
                "members of {} are unknown: the role came back without members and \
                 GET /{API_VERSION}/directoryRoles/{{id}}/members failed: {}",
                f.role,
                reason(&f.why, &grant(permission))
            );
            // Only checks that need this role's members are made incomplete; a role without
            // a template id could be any role, so its gap concerns every reader of the roles.
            match &f.template {
                Some(t) => rec.gap_in(&scope, &members_read(t), why),
                None => rec.gap(&scope, why),
            }
        }
    }
}

/// Reads `GET /directoryRoles/{id}/members` (every page) for each role listed without a
/// `members` array and stores the result as the role's `members`. A role whose members cannot
/// be read completely is left without `members`: a partial list would undercount holders.
async fn fill_members(
    http: &Http,
    roles: &mut [Value],
    page_cap: u32,
    meter: &Meter,
) -> MembersFallback {
    let mut out = MembersFallback::default();
    let mut jobs = vec![];
    for (i, role) in roles.iter().enumerate() {
        if !needs_members(role) {
            continue;
        }
        out.missing += 1;
        let Some(id) = role
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        else {
            out.failed.push(FailedRole::of(
                role,
                "",
                Failure::Invalid {
                    detail: "the role has no id to read its members by".into(),
                },
            ));
            continue;
        };
        let url = http
            .endpoints
            .graph_url(&format!("/{API_VERSION}/directoryRoles"))
            .map_err(|e| e.to_string())
            .and_then(|mut u| {
                u.path_segments_mut()
                    .map_err(|()| "the Graph endpoint cannot take a path".to_string())?
                    .push(id)
                    .push("members");
                Ok(u)
            });
        jobs.push((i, id.to_string(), url));
    }
    let results: Vec<(usize, String, Result<Paged, Failure>)> = futures::stream::iter(jobs)
        .map(|(i, id, url)| async move {
            let paged = match url {
                Ok(u) => Ok(http
                    .get_list(CallKind::Graph, u, "@odata.nextLink", page_cap, meter)
                    .await),
                Err(detail) => Err(Failure::Invalid {
                    detail: format!("cannot build the members URL: {detail}"),
                }),
            };
            (i, id, paged)
        })
        .buffer_unordered(http.concurrency.max(1))
        .collect()
        .await;
    let mut results = results;
    results.sort_by_key(|(i, ..)| *i);
    for (i, id, paged) in results {
        let role = &mut roles[i];
        let paged = match paged {
            Ok(p) => p,
            Err(f) => {
                out.failed.push(FailedRole::of(role, &id, f));
                continue;
            }
        };
        out.queries += 1;
        out.pages += paged.pages;
        if let Some(f) = paged.failure {
            out.failed.push(FailedRole::of(role, &id, f));
            continue;
        }
        if let Some(m) = role.as_object_mut() {
            m.insert("members".into(), Value::Array(paged.items));
            out.filled += 1;
        }
    }
    out
}

/// The source holding the transitive members of the groups conditional access policies name.
pub(crate) const GROUP_MEMBERS: &str = "graph.group_members";
/// Its call, once per group, below `/v1.0`.
const GROUP_MEMBERS_PATH: &str = "/groups/{id}/transitiveMembers?$select=id";
const GROUP_MEMBERS_PERMISSION: &str = "GroupMember.Read.All";

/// Every group a conditional access policy includes or excludes (lower-case ids), whatever the
/// policy's state: the evidence shows who each policy would cover.
fn policy_groups(policies: &[ConditionalAccessPolicy]) -> BTreeSet<String> {
    policies
        .iter()
        .filter_map(ConditionalAccessPolicy::users)
        .flat_map(|u| u.include_groups.iter().chain(&u.exclude_groups))
        .map(|g| g.trim().to_ascii_lowercase())
        .filter(|g| !g.is_empty())
        .collect()
}

/// Reads `GET /groups/{id}/transitiveMembers?$select=id` (every page) for each group the
/// collected policies name, into `identity.group_members`. A group that cannot be read
/// completely is left out of the map and is a gap on `/tenants/{tid}/groups/{id}`, so only the
/// claims that need that group become unknown; policies not collected leave the source `None`
/// (a note says why; the gap is the policies' own).
async fn group_members(
    http: &Http,
    tenant_scope: &str,
    identity: &mut Identity,
    page_cap: u32,
    progress: &Progress,
) -> SourceRecord {
    let mut rec = SourceRecord::new(
        GROUP_MEMBERS,
        InventoryPart::Identity,
        http.endpoints.graph_base(),
        API_VERSION,
        &format!("GET /{API_VERSION}{GROUP_MEMBERS_PATH}"),
        vec![tenant_scope.to_string()],
    );
    let Some(policies) = &identity.conditional_access_policies else {
        if let Some(deadline) = http.run_deadline_passed() {
            // The run ran out before the policies, let alone their groups, were read.
            let f = Failure::Deadline {
                deadline,
                attempts: 0,
                last: None,
            };
            rec.gap(tenant_scope, reason(&f, &grant(GROUP_MEMBERS_PERMISSION)));
        }
        // The policies' own gap names the cause; `None` here keeps every group unknown.
        rec.notes.push(
            "conditional access policies were not collected, so the groups they name are \
             unknown and none was read"
                .into(),
        );
        rec.finish(&progress.bar(GROUP_MEMBERS, Some(0)));
        return rec;
    };
    let groups = policy_groups(policies);
    let bar = progress.bar(GROUP_MEMBERS, Some(groups.len() as u64));
    let meter = Arc::clone(&rec.meter);
    let results: Vec<(String, Paged)> = futures::stream::iter(groups)
        .map(|g| {
            let (meter, bar) = (Arc::clone(&meter), bar.clone());
            async move {
                let url = http
                    .endpoints
                    .graph_url(&format!("/{API_VERSION}/groups"))
                    .map_err(|e| e.to_string())
                    .and_then(|mut u| {
                        u.path_segments_mut()
                            .map_err(|()| "the Graph endpoint cannot take a path".to_string())?
                            .push(&g)
                            .push("transitiveMembers");
                        u.query_pairs_mut().append_pair("$select", "id");
                        Ok(u)
                    });
                let paged = match url {
                    Ok(u) => {
                        http.get_list(CallKind::Graph, u, "@odata.nextLink", page_cap, &meter)
                            .await
                    }
                    Err(detail) => Paged {
                        failure: Some(Failure::Invalid {
                            detail: format!("cannot build the members URL: {detail}"),
                        }),
                        ..Paged::default()
                    },
                };
                bar.inc(1);
                (g, paged)
            }
        })
        .buffer_unordered(http.concurrency.max(1))
        .collect()
        .await;
    let mut map = BTreeMap::new();
    for (g, paged) in results {
        rec.pages += paged.pages;
        if let Some(f) = paged.failure {
            rec.gap(
                &format!("{tenant_scope}/groups/{g}"),
                format!(
                    "transitive members of group {g} could not be read: {}",
                    reason(&f, &grant(GROUP_MEMBERS_PERMISSION))
                ),
            );
            continue;
        }
        let mut members = Value::Array(paged.items);
        clean(&mut members);
        let members = items(members);
        rec.records += members.len() as u64;
        map.insert(g, members);
    }
    identity.group_members = Some(map);
    rec.finish(&bar);
    rec
}

/// A list (every page) or a single object (as a one-item list).
async fn fetch(
    http: &Http,
    s: &GraphSource,
    url: Result<url::Url, url::ParseError>,
    page_cap: u32,
    meter: &Meter,
) -> Paged {
    let url = match url {
        Ok(u) => u,
        Err(e) => {
            return Paged {
                failure: Some(Failure::Invalid {
                    detail: format!("cannot build the URL: {e}"),
                }),
                ..Paged::default()
            };
        }
    };
    if s.list {
        return http
            .get_list(CallKind::Graph, url, "@odata.nextLink", page_cap, meter)
            .await;
    }
    match http
        .get_object(CallKind::Graph, &url, shape::GRAPH_ENTITY, meter)
        .await
    {
        Ok(v) => Paged {
            items: vec![v],
            pages: 1,
            failure: None,
        },
        Err(f) => Paged {
            failure: Some(f),
            ..Paged::default()
        },
    }
}

#[cfg(test)]
pub(crate) fn all_source_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = SOURCES.iter().map(|s| s.name).collect();
    names.push(GROUP_MEMBERS);
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let p = format!(
            "{}/tests/fixtures/azure/graph/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
    }

    fn apply(name: &str, body: Value) -> Identity {
        let s = SOURCES.iter().find(|s| s.name == name).unwrap();
        let mut v = if s.list { body["value"].clone() } else { body };
        clean(&mut v);
        let mut i = Identity::default();
        (s.apply)(&mut i, v).unwrap();
        i
    }

    #[test]
    fn microsoft_examples_map_into_the_identity_model() {
        let i = apply(
            "graph.conditional_access_policies",
            fixture("conditional_access_policies_list.v1.0.json"),
        );
        let p = i.conditional_access_policies.unwrap();
        assert!(!p.is_empty());
        assert!(p.iter().all(|p| !p.id.is_empty()));
        let i = apply(
            "graph.security_defaults",
            fixture("security_defaults_policy_get.v1.0.json"),
        );
        assert!(i.security_defaults.unwrap().is_enabled.is_some());
        let i = apply(
            "graph.authorization_policy",
            fixture("authorization_policy_get.v1.0.json"),
        );
        let ap = i.authorization_policy.unwrap();
        assert!(
            ap.get("@odata.context").is_none(),
            "volatile metadata stripped"
        );
        let i = apply(
            "graph.users",
            fixture("users_list_sign_in_activity.v1.0.json"),
        );
        assert!(!i.users.unwrap().is_empty());
        let i = apply(
            "graph.user_registration_details",
            fixture("user_registration_details_list.v1.0.json"),
        );
        assert!(!i.user_registration_details.unwrap().is_empty());
        let i = apply(
            "graph.role_eligibility_schedules",
            fixture("role_eligibility_schedules_list.v1.0.json"),
        );
        assert!(!i.role_eligibility_schedules.unwrap().is_empty());
        let i = apply(
            "graph.named_locations",
            fixture("named_locations_list.v1.0.json"),
        );
        assert!(!i.named_locations.unwrap().is_empty());
    }

    #[test]
    fn only_a_members_array_is_the_expansions_answer() {
        let roles = fixture("directory_roles_list.v1.0.json")["value"].clone();
        let mut role = roles[0].clone();
        // Microsoft's list example was taken without $expand: no members, so read them.
        assert!(role.get("members").is_none());
        assert!(needs_members(&role));
        role["members"] = serde_json::json!(null);
        assert!(
            needs_members(&role),
            "null says nothing about who holds the role"
        );
        role["members"] = serde_json::json!({"id": "x"});
        assert!(
            needs_members(&role),
            "an object is not the documented collection"
        );
        role["members"] = serde_json::json!([]);
        assert!(!needs_members(&role), "an explicit empty list is real data");
        role["members"] = fixture("directory_role_members_list.v1.0.json")["value"].clone();
        assert!(!needs_members(&role));
    }

    #[test]
    fn a_failed_members_read_is_a_gap_naming_the_role() {
        let roles = fixture("directory_roles_list.v1.0.json")["value"].clone();
        let mut rec = SourceRecord::new(
            ROLES,
            InventoryPart::Identity,
            "https://graph.microsoft.com",
            API_VERSION,
            "GET /v1.0/directoryRoles?$expand=members",
            vec!["/tenants/t".into()],
        );
        rec.pages = 1;
        let fb = MembersFallback {
            missing: 3,
            filled: 1,
            queries: 2,
            pages: 3,
            failed: vec![
                FailedRole::of(
                    &roles[0],
                    "9ed3a0c4-53e1-498c-ab4d-2473476fde14",
                    Failure::Status {
                        status: 403,
                        code: Some("Authorization_RequestDenied".into()),
                        message: None,
                        attempts: 1,
                    },
                ),
                FailedRole::of(
                    &serde_json::json!({"displayName": "Odd"}),
                    "",
                    Failure::Invalid {
                        detail: "the role has no id to read its members by".into(),
                    },
                ),
            ],
        };
        fb.record(&mut rec, "/tenants/t", "RoleManagement.Read.Directory");
        assert_eq!(rec.pages, 4, "fallback pages are counted with the list's");
        assert_eq!(rec.notes.len(), 1);
        assert!(
            rec.notes[0].contains("3 directory role(s)"),
            "{}",
            rec.notes[0]
        );
        assert!(rec.notes[0].contains("2 extra query(ies), 3 page(s), 1 role(s) filled"));
        assert_eq!(rec.gaps.len(), 2);
        let g = &rec.gaps[0];
        assert_eq!(
            g.scope,
            "/tenants/t/directoryRoles/9ed3a0c4-53e1-498c-ab4d-2473476fde14"
        );
        assert!(
            g.reason.contains("\"Global Administrator\""),
            "{}",
            g.reason
        );
        assert!(g.reason.contains("62e90394-69f5-4237-9190-012177145e10"));
        assert!(g.reason.contains("HTTP 403"), "{}", g.reason);
        assert!(
            g.reason.contains("RoleManagement.Read.Directory"),
            "{}",
            g.reason
        );
        // The gap names the members read by the role's template id: only checks that need the
        // Global Administrator's members are made incomplete by it.
        assert_eq!(
            g.read.as_deref(),
            Some("directoryRoles/roleTemplateId=62e90394-69f5-4237-9190-012177145e10/members")
        );
        assert_eq!(rec.gaps[1].scope, "/tenants/t");
        assert!(rec.gaps[1].reason.contains("\"Odd\""));
        assert_eq!(
            rec.gaps[1].read, None,
            "a role of unknown template concerns every reader"
        );

        // Every role expanded: provenance is untouched.
        let mut rec2 = SourceRecord::new(ROLES, InventoryPart::Identity, "e", "v", "q", vec![]);
        MembersFallback::default().record(&mut rec2, "/tenants/t", "p");
        assert!(rec2.notes.is_empty() && rec2.gaps.is_empty() && rec2.pages == 0);
    }

    #[test]
    fn shapes_that_do_not_fit_are_refused() {
        let s = SOURCES
            .iter()
            .find(|s| s.name == "graph.authorization_policy")
            .unwrap();
        assert!((s.apply)(&mut Identity::default(), Value::Array(vec![])).is_err());
        let s = &SOURCES[0];
        assert!((s.apply)(&mut Identity::default(), serde_json::json!([{"no": "id"}])).is_err());
    }

    #[test]
    fn every_graph_row_of_the_catalogue_is_implemented() {
        let doc = include_str!("../../docs/SOURCES.md");
        let documented: Vec<String> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("| `graph."))
            .filter_map(|l| l.split('`').next())
            .map(|n| format!("graph.{n}"))
            .collect();
        assert_eq!(documented, all_source_names());
        for (name, path) in SOURCES
            .iter()
            .map(|s| (s.name, s.path))
            .chain([(GROUP_MEMBERS, GROUP_MEMBERS_PATH)])
        {
            let row = doc
                .lines()
                .find(|l| l.starts_with(&format!("| `{name}`")))
                .unwrap();
            assert!(row.contains(&format!("`GET {path}`")), "{row}");
        }
    }
}
