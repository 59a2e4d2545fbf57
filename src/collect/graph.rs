//! Microsoft Graph v1.0: the tenant's identity configuration (docs/SOURCES.md), with
//! `@odata.nextLink` paging. A failure leaves the field `None` and records a gap on the tenant,
//! naming the application permission to grant when Graph says 401 or 403.

use std::sync::Arc;

use futures::StreamExt;
use serde_json::Value;

use super::arm::reason;
use super::http::{CallKind, Failure, Http, Meter, Paged};
use super::redact::clean;
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
        name: "graph.directory_roles",
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
    let results: Vec<(usize, Paged)> = futures::stream::iter(jobs)
        .map(|(i, s, url, meter, bar)| async move {
            let paged = fetch(http, s, url, page_cap, &meter).await;
            bar.inc(1);
            (i, paged)
        })
        .buffer_unordered(http.concurrency)
        .collect()
        .await;
    let mut identity = Identity::default();
    for (i, paged) in results {
        let s = &SOURCES[i];
        let rec = &mut recs[i];
        rec.pages = paged.pages;
        if let Some(f) = paged.failure {
            rec.gap(&tenant_scope, reason(&f, &grant(s.permission)));
            continue;
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
    (identity, recs)
}

fn grant(permission: &str) -> String {
    format!("grant the Microsoft Graph application permission {permission} (with admin consent)")
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
    match http.get(CallKind::Graph, &url, meter).await {
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
    SOURCES.iter().map(|s| s.name).collect()
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
        for s in &SOURCES {
            let row = doc
                .lines()
                .find(|l| l.starts_with(&format!("| `{}`", s.name)))
                .unwrap();
            assert!(row.contains(&format!("`GET {}`", s.path)), "{row}");
        }
    }
}
