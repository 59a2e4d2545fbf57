//! Demo Entra ID directory (users, roles, PIM, app registrations, tenant policies) and the
//! Activity Log change population, shaped like the Microsoft Graph and Azure Monitor payloads.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::{DemoState, SUBSCRIPTIONS, arm_id, collected_at};
use crate::model::ChangeEvent;

pub(super) const ALICE: &str = "0a1b2c3d-1111-4000-8000-000000000001";
pub(super) const BOB: &str = "0a1b2c3d-1111-4000-8000-000000000002";
pub(super) const CAROL: &str = "0a1b2c3d-1111-4000-8000-000000000003";
pub(super) const DAVE: &str = "0a1b2c3d-1111-4000-8000-000000000004";
pub(super) const GUEST_VENDOR: &str = "0a1b2c3d-1111-4000-8000-000000000005";
pub const BREAK_GLASS: &str = "4b1c7d2e-0f3a-4e5b-9c6d-7e8f9a0b1c2d";
pub(super) const OPS_GROUP: &str = "0a1b2c3d-2222-4000-8000-000000000001";
/// The group partner guests get access through (reader on staging only).
pub(super) const GUEST_VENDOR_GROUP: &str = "0a1b2c3d-2222-4000-8000-000000000002";
/// The group conditional access excludes for emergency access: the break-glass account only.
pub(super) const EMERGENCY_GROUP: &str = "0a1b2c3d-2222-4000-8000-000000000003";
/// Object id of the deployment pipeline's service principal.
pub(super) const DEPLOYER_SP: &str = "0a1b2c3d-3333-4000-8000-000000000001";
/// Application (client) id of the deployment pipeline: what the Activity Log names as caller.
pub const DEPLOYER_APP_ID: &str = "9f8e7d6c-3333-4000-8000-0000000000aa";
pub const BREAK_GLASS_UPN: &str = "breakglass@contoso.onmicrosoft.com";

const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
const SECURITY_ADMIN: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";

fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

struct Person {
    id: &'static str,
    upn: &'static str,
    name: &'static str,
    guest: bool,
    days_since_sign_in: i64,
    mfa: bool,
    admin: bool,
}

const PEOPLE: [Person; 6] = [
    Person {
        id: ALICE,
        upn: "alice@contoso.example",
        name: "Alice Moreau",
        guest: false,
        days_since_sign_in: 1,
        mfa: true,
        admin: true,
    },
    Person {
        id: BOB,
        upn: "bob@contoso.example",
        name: "Bob Okafor",
        guest: false,
        days_since_sign_in: 3,
        mfa: true,
        admin: true,
    },
    Person {
        id: CAROL,
        upn: "carol@contoso.example",
        name: "Carol Lindqvist",
        guest: false,
        days_since_sign_in: 12,
        mfa: true,
        admin: true,
    },
    Person {
        id: DAVE,
        upn: "dave@contoso.example",
        name: "Dave Kim",
        guest: false,
        days_since_sign_in: 10,
        mfa: false,
        admin: false,
    },
    Person {
        id: GUEST_VENDOR,
        upn: "ops_partner.example#EXT#@contoso.onmicrosoft.com",
        name: "Partner Ops (guest)",
        guest: true,
        days_since_sign_in: 20,
        mfa: true,
        admin: false,
    },
    Person {
        id: BREAK_GLASS,
        upn: BREAK_GLASS_UPN,
        name: "Emergency access",
        guest: false,
        days_since_sign_in: 60,
        mfa: true,
        admin: true,
    },
];

#[allow(clippy::expect_used, reason = "the demo names only people in PEOPLE")]
fn member(id: &str) -> Value {
    let p = PEOPLE
        .iter()
        .find(|p| p.id == id)
        .expect("demo member exists");
    json!({"@odata.type": "#microsoft.graph.user", "id": p.id, "displayName": p.name, "userPrincipalName": p.upn})
}

pub(super) fn users(state: DemoState) -> Vec<Value> {
    let now = collected_at(state);
    PEOPLE
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "displayName": p.name,
                "userPrincipalName": p.upn,
                "userType": if p.guest { "Guest" } else { "Member" },
                "accountEnabled": true,
                "createdDateTime": "2024-01-15T09:00:00Z",
                "signInActivity": {"lastSignInDateTime": ts(now - Duration::days(p.days_since_sign_in))}
            })
        })
        .collect()
}

pub(super) fn registration_details() -> Vec<Value> {
    PEOPLE
        .iter()
        .filter(|p| !p.guest)
        .map(|p| {
            json!({
                "id": p.id,
                "userPrincipalName": p.upn,
                "userDisplayName": p.name,
                "userType": "member",
                "isAdmin": p.admin,
                "isMfaRegistered": p.mfa,
                "isMfaCapable": p.mfa,
                "methodsRegistered": if p.mfa { json!(["microsoftAuthenticatorPush", "fido2"]) } else { json!(["mobilePhone"]) }
            })
        })
        .collect()
}

/// Transitive members (`$select=id`) of the groups the conditional access policies name.
pub(super) fn group_members() -> std::collections::BTreeMap<String, Vec<Value>> {
    std::collections::BTreeMap::from([(
        EMERGENCY_GROUP.to_string(),
        vec![json!({"@odata.type": "#microsoft.graph.user", "id": BREAK_GLASS})],
    )])
}

pub(super) fn directory_roles() -> Vec<Value> {
    vec![
        json!({
            "id": "9ed3a0c4-53e1-498c-ab4d-2473476fde14",
            "displayName": "Global Administrator",
            "roleTemplateId": GLOBAL_ADMIN,
            "members": [member(ALICE), member(BOB), member(BREAK_GLASS)]
        }),
        json!({
            "id": "5b3935ed-b52d-4080-8b05-3a1832194d3a",
            "displayName": "Security Administrator",
            "roleTemplateId": SECURITY_ADMIN,
            "members": [member(CAROL)]
        }),
    ]
}

fn schedule(id: &str, principal: &str, role: &str, kind: &str, end: Option<&str>) -> Value {
    json!({
        "id": id,
        "principalId": principal,
        "roleDefinitionId": role,
        "directoryScopeId": "/",
        "status": "Provisioned",
        "assignmentType": kind,
        "memberType": "Direct",
        "scheduleInfo": {
            "startDateTime": "2026-01-05T08:00:00Z",
            "expiration": match end {
                Some(e) => json!({"type": "afterDateTime", "endDateTime": e}),
                None => json!({"type": "noExpiration", "endDateTime": null}),
            }
        }
    })
}

pub(super) fn assignment_schedules() -> Vec<Value> {
    vec![
        // Admins activate Global Administrator just in time; only the emergency account holds it
        // permanently.
        schedule(
            "as-1",
            ALICE,
            GLOBAL_ADMIN,
            "Activated",
            Some("2026-11-09T10:00:00Z"),
        ),
        schedule(
            "as-2",
            BOB,
            GLOBAL_ADMIN,
            "Activated",
            Some("2026-11-08T18:00:00Z"),
        ),
        schedule("as-3", BREAK_GLASS, GLOBAL_ADMIN, "Assigned", None),
    ]
}

pub(super) fn eligibility_schedules() -> Vec<Value> {
    vec![
        schedule(
            "es-1",
            ALICE,
            GLOBAL_ADMIN,
            "Assigned",
            Some("2027-01-05T08:00:00Z"),
        ),
        schedule(
            "es-3",
            BOB,
            GLOBAL_ADMIN,
            "Assigned",
            Some("2027-01-05T08:00:00Z"),
        ),
        schedule(
            "es-2",
            CAROL,
            SECURITY_ADMIN,
            "Assigned",
            Some("2027-01-05T08:00:00Z"),
        ),
    ]
}

pub(super) fn applications() -> Vec<Value> {
    let app = |id: &str, app_id: &str, name: &str, start: &str, end: &str| {
        json!({
            "id": id,
            "appId": app_id,
            "displayName": name,
            "passwordCredentials": [{
                "keyId": format!("{id}-key"),
                "displayName": "ci",
                "hint": "Xy~",
                "startDateTime": start,
                "endDateTime": end,
                "secretText": null
            }],
            "keyCredentials": []
        })
    };
    vec![
        app(
            "a0000000-0000-4000-8000-000000000001",
            DEPLOYER_APP_ID,
            "contoso-deployer",
            "2026-06-01T00:00:00Z",
            "2027-05-31T00:00:00Z",
        ),
        app(
            "a0000000-0000-4000-8000-000000000002",
            "9f8e7d6c-3333-4000-8000-0000000000bb",
            "legacy-report-export",
            "2026-04-01T00:00:00Z",
            "2027-03-31T00:00:00Z",
        ),
        app(
            "a0000000-0000-4000-8000-000000000003",
            "9f8e7d6c-3333-4000-8000-0000000000cc",
            "partner-sync",
            "2026-03-01T00:00:00Z",
            "2027-02-28T00:00:00Z",
        ),
    ]
}

pub(super) fn authorization_policy() -> Value {
    json!({
        "id": "authorizationPolicy",
        "displayName": "Authorization Policy",
        "allowInvitesFrom": "adminsAndGuestInviters",
        "allowedToSignUpEmailBasedSubscriptions": false,
        "allowEmailVerifiedUsersToJoinOrganization": false,
        "allowUserConsentForRiskyApps": false,
        "guestUserRoleId": "2af84b1e-32c8-42b7-82bc-daa82404023b",
        "defaultUserRolePermissions": {
            "allowedToCreateApps": false,
            "allowedToCreateSecurityGroups": false,
            "allowedToCreateTenants": false,
            "allowedToReadOtherUsers": true,
            "permissionGrantPoliciesAssigned": ["ManagePermissionGrantsForSelf.microsoft-user-default-low"]
        }
    })
}

pub(super) fn named_locations() -> Vec<Value> {
    vec![json!({
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        "id": "06e4ff15-ca6b-4843-9c34-3fdd1ce8f739",
        "displayName": "Contoso offices",
        "isTrusted": true,
        "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}]
    })]
}

/// The administrative Activity Log events of the week before `state`'s collection.
pub(super) fn changes(state: DemoState) -> Vec<ChangeEvent> {
    let [prod, stg, shared] = SUBSCRIPTIONS.map(|(id, _)| id);
    let end = collected_at(state);
    let event = |n: u32, hours_before: i64, sub: &str, caller: &str, op: &str, target: String| {
        ChangeEvent {
            event_id: format!("{:08x}-demo-4000-8000-{:012x}", n, n),
            event_time: end - Duration::hours(hours_before),
            subscription_id: sub.to_string(),
            caller: Some(caller.to_string()),
            operation: op.to_string(),
            resource_id: Some(target),
            status: Some("Succeeded".into()),
            correlation_id: Some(format!("corr-{n:04}")),
        }
    };
    let st = |sub: &str, rg: &str, name: &str| {
        arm_id(sub, rg, "Microsoft.Storage/storageAccounts", name)
    };
    match state {
        DemoState::Baseline => vec![
            event(
                1,
                150,
                prod,
                DEPLOYER_APP_ID,
                "Microsoft.Storage/storageAccounts/write",
                st(prod, "rg-prod", "stprodorders"),
            ),
            event(
                2,
                149,
                prod,
                DEPLOYER_APP_ID,
                "Microsoft.Sql/servers/write",
                arm_id(prod, "rg-prod", "Microsoft.Sql/servers", "sql-prod-orders"),
            ),
            event(
                3,
                100,
                shared,
                DEPLOYER_APP_ID,
                "Microsoft.KeyVault/vaults/write",
                arm_id(
                    shared,
                    "rg-shared",
                    "Microsoft.KeyVault/vaults",
                    "kv-shared-cicd",
                ),
            ),
            event(
                4,
                30,
                stg,
                DEPLOYER_APP_ID,
                "Microsoft.Web/sites/write",
                arm_id(stg, "rg-staging", "Microsoft.Web/sites", "app-stg-portal"),
            ),
        ],
        DemoState::Drifted => vec![
            event(
                11,
                160,
                prod,
                DEPLOYER_APP_ID,
                "Microsoft.Storage/storageAccounts/write",
                st(prod, "rg-prod", "stprodexportstmp"),
            ),
            // The changes behind this week's drift, made by hand outside the pipeline.
            event(
                12,
                120,
                prod,
                "alice@contoso.example",
                "Microsoft.Network/networkSecurityGroups/securityRules/write",
                format!(
                    "{}/securityRules/debug-ssh",
                    arm_id(
                        prod,
                        "rg-prod",
                        "Microsoft.Network/networkSecurityGroups",
                        "nsg-prod-app"
                    )
                ),
            ),
            event(
                13,
                118,
                prod,
                "alice@contoso.example",
                "Microsoft.Storage/storageAccounts/write",
                st(prod, "rg-prod", "stprodorders"),
            ),
            event(
                14,
                90,
                stg,
                "carol@contoso.example",
                "Microsoft.Insights/diagnosticSettings/delete",
                format!(
                    "/subscriptions/{stg}/providers/microsoft.insights/diagnosticSettings/activity-to-law"
                ),
            ),
            event(
                15,
                60,
                stg,
                "carol@contoso.example",
                "Microsoft.Storage/storageAccounts/blobServices/write",
                format!(
                    "{}/blobServices/default",
                    st(stg, "rg-staging", "ststgorders")
                ),
            ),
            event(
                16,
                40,
                prod,
                "bob@contoso.example",
                "microsoft.insights/activityLogAlerts/delete",
                arm_id(
                    prod,
                    "rg-prod",
                    "microsoft.insights/activityLogAlerts",
                    "alert-02",
                ),
            ),
            event(
                17,
                20,
                stg,
                DEPLOYER_APP_ID,
                "Microsoft.Storage/storageAccounts/delete",
                st(stg, "rg-staging", "ststgscratch"),
            ),
        ],
    }
}
