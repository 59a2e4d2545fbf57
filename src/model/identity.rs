//! Entra ID (Microsoft Graph) identity configuration: conditional access and security defaults.
//! Field names follow Graph v1.0; every field is optional because Graph omits what is unset.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Tenant-wide identity settings from Microsoft Graph v1.0. `None` means the collector could
/// not read the endpoint (a gap names why); `Some([])` means it was read and is empty. Objects
/// other than conditional access policies are kept as Graph returns them (redacted), so the
/// evidence shows exactly what was read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// `GET /identity/conditionalAccess/policies`.
    #[serde(default)]
    pub conditional_access_policies: Option<Vec<ConditionalAccessPolicy>>,
    /// `GET /policies/identitySecurityDefaultsEnforcementPolicy`.
    #[serde(default)]
    pub security_defaults: Option<SecurityDefaults>,
    /// `GET /policies/authorizationPolicy` (guest invites, guest role, user consent, app
    /// creation).
    #[serde(default)]
    pub authorization_policy: Option<Value>,
    /// `GET /identity/conditionalAccess/namedLocations`.
    #[serde(default)]
    pub named_locations: Option<Vec<Value>>,
    /// `GET /users?$select=id,userPrincipalName,displayName,userType,accountEnabled,
    /// createdDateTime,signInActivity`.
    #[serde(default)]
    pub users: Option<Vec<Value>>,
    /// `GET /reports/authenticationMethods/userRegistrationDetails` (MFA registration).
    #[serde(default)]
    pub user_registration_details: Option<Vec<Value>>,
    /// `GET /directoryRoles?$expand=members`: activated roles with their members.
    #[serde(default)]
    pub directory_roles: Option<Vec<Value>>,
    /// `GET /roleManagement/directory/roleAssignmentSchedules` (PIM active assignments).
    #[serde(default)]
    pub role_assignment_schedules: Option<Vec<Value>>,
    /// `GET /roleManagement/directory/roleEligibilitySchedules` (PIM eligible assignments).
    #[serde(default)]
    pub role_eligibility_schedules: Option<Vec<Value>>,
    /// `GET /applications?$select=id,appId,displayName,passwordCredentials,keyCredentials`
    /// (credential metadata only; Graph never returns secret values from this call).
    #[serde(default)]
    pub applications: Option<Vec<Value>>,
    /// `GET /groups/{id}/transitiveMembers?$select=id` for every group a conditional access
    /// policy names, by lower-case group id. `None`: not collected; a group whose members
    /// could not be read is absent from the map (its gap names why), so no check reads it as
    /// empty.
    #[serde(default)]
    pub group_members: Option<BTreeMap<String, Vec<Value>>>,
}

/// `GET /identity/conditionalAccess/policies` item (the parts the checks read).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessPolicy {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// `enabled`, `disabled` or `enabledForReportingButNotEnforced`.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub conditions: Option<PolicyConditions>,
    #[serde(default)]
    pub grant_controls: Option<PolicyGrantControls>,
}

impl ConditionalAccessPolicy {
    /// Only `enabled` enforces; report-only policies protect nobody.
    pub fn is_enforced(&self) -> bool {
        self.state.as_deref() == Some("enabled")
    }

    pub fn users(&self) -> Option<&PolicyUsers> {
        self.conditions.as_ref()?.users.as_ref()
    }

    pub fn grants(&self, control: &str) -> bool {
        self.grant_controls.as_ref().is_some_and(|g| {
            g.built_in_controls
                .iter()
                .any(|c| c.eq_ignore_ascii_case(control))
        })
    }
}

/// `conditionalAccessConditionSet` (Graph v1.0). What an absent property means follows
/// Microsoft's reference for the resource: `applications`, `clientAppTypes`,
/// `signInRiskLevels` and `userRiskLevels` are documented as required, so an absent one is
/// unknown (never "all"); `users` is required unless `clientApplications` (workload identities)
/// is set; `locations`, `platforms`, `devices`, `authenticationFlows` and the other risk
/// conditions are optional and absent (or `null`) means "not configured", which does not
/// narrow the policy. A key this model does not know is kept in `other` and narrows the policy
/// (fail closed): the coverage model never credits a policy with a condition it cannot read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyConditions {
    #[serde(default)]
    pub users: Option<PolicyUsers>,
    #[serde(default)]
    pub applications: Option<PolicyApplications>,
    /// Required: `all`, `browser`, `mobileAppsAndDesktopClients`, `exchangeActiveSync`,
    /// `easSupported`, `other`. `None` when Graph left it out.
    #[serde(default)]
    pub client_app_types: Option<Vec<String>>,
    /// Kept so a policy limited to some locations is never read as covering every sign-in.
    #[serde(default)]
    pub locations: Option<PolicyLocations>,
    #[serde(default)]
    pub platforms: Option<PolicyPlatforms>,
    /// Required (an empty list means no sign-in risk condition); `None` when left out.
    #[serde(default)]
    pub sign_in_risk_levels: Option<Vec<String>>,
    /// Required (an empty list means no user risk condition); `None` when left out.
    #[serde(default)]
    pub user_risk_levels: Option<Vec<String>>,
    /// `conditionalAccessDevices` (a device filter): optional; set, it narrows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<Value>,
    /// `conditionalAccessAuthenticationFlows` (device code flow, authentication transfer):
    /// optional; set, the policy applies only to those flows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_flows: Option<Value>,
    /// Workload identities: a policy with client applications targets service principals,
    /// not users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_applications: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_principal_risk_levels: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insider_risk_levels: Option<Value>,
    /// Conditions this model does not know (kept, and treated as narrowing).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyLocations {
    /// Named location ids, `All` or `AllTrusted`.
    #[serde(default)]
    pub include_locations: Vec<String>,
    #[serde(default)]
    pub exclude_locations: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyPlatforms {
    #[serde(default)]
    pub include_platforms: Vec<String>,
    #[serde(default)]
    pub exclude_platforms: Vec<String>,
}

/// `conditionalAccessUsers`: ids, `All`, `None` and `GuestsOrExternalUsers` in the string
/// lists; role ids are role template ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyUsers {
    #[serde(default)]
    pub include_users: Vec<String>,
    #[serde(default)]
    pub exclude_users: Vec<String>,
    #[serde(default)]
    pub include_groups: Vec<String>,
    #[serde(default)]
    pub exclude_groups: Vec<String>,
    #[serde(default)]
    pub include_roles: Vec<String>,
    #[serde(default)]
    pub exclude_roles: Vec<String>,
    /// `conditionalAccessGuestsOrExternalUsers` (optionally populated): which guest and
    /// external user types, from which tenants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_guests_or_external_users: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_guests_or_external_users: Option<Value>,
    /// Keys this model does not know (treated as narrowing).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `conditionalAccessApplications`: app ids, `All`, `None`, `Office365`,
/// `MicrosoftAdminPortals`; user actions and authentication contexts are other targets than
/// cloud apps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyApplications {
    #[serde(default)]
    pub include_applications: Vec<String>,
    #[serde(default)]
    pub exclude_applications: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_user_actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_authentication_context_class_references: Vec<String>,
    /// A dynamic filter on custom security attributes: set, it narrows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_filter: Option<Value>,
    /// Keys this model does not know (treated as narrowing).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyGrantControls {
    /// `AND` (every control) or `OR` (any one control).
    #[serde(default)]
    pub operator: Option<String>,
    #[serde(default)]
    pub built_in_controls: Vec<String>,
    /// An authentication strength policy. Microsoft documents that a strength "may or may not
    /// fulfill the requirements to grant an MFA claim": `requirementsSatisfied` says which.
    #[serde(default)]
    pub authentication_strength: Option<serde_json::Value>,
    /// Custom controls and terms of use: alternatives under `OR`, never a second factor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_authentication_factors: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms_of_use: Vec<String>,
}

/// `GET /policies/identitySecurityDefaultsEnforcementPolicy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecurityDefaults {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub is_enabled: Option<bool>,
}
