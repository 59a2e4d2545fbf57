//! Entra ID (Microsoft Graph) identity configuration: conditional access and security defaults.
//! Field names follow Graph v1.0; every field is optional because Graph omits what is unset.

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

    pub fn client_app_types(&self) -> &[String] {
        self.conditions
            .as_ref()
            .map(|c| c.client_app_types.as_slice())
            .unwrap_or(&[])
    }

    /// True when the policy covers all cloud apps.
    pub fn targets_all_apps(&self) -> bool {
        self.conditions
            .as_ref()
            .and_then(|c| c.applications.as_ref())
            .is_some_and(|a| a.include_applications.iter().any(|x| x == "All"))
    }

    /// Why the policy applies to fewer sign-ins than its users and apps say (location, platform
    /// or risk conditions), or `None` when it applies unconditionally.
    pub fn narrowed_by(&self) -> Option<String> {
        let c = self.conditions.as_ref()?;
        let mut why = Vec::new();
        if let Some(l) = &c.locations {
            let all = l.include_locations.iter().all(|x| x == "All");
            if !all || !l.exclude_locations.is_empty() {
                why.push(format!(
                    "locations (include {:?}, exclude {:?})",
                    l.include_locations, l.exclude_locations
                ));
            }
        }
        if let Some(p) = &c.platforms {
            let all = p.include_platforms.iter().all(|x| x == "all");
            if !all || !p.exclude_platforms.is_empty() {
                why.push(format!(
                    "platforms (include {:?}, exclude {:?})",
                    p.include_platforms, p.exclude_platforms
                ));
            }
        }
        if !c.sign_in_risk_levels.is_empty() {
            why.push(format!("sign-in risk levels {:?}", c.sign_in_risk_levels));
        }
        if !c.user_risk_levels.is_empty() {
            why.push(format!("user risk levels {:?}", c.user_risk_levels));
        }
        (!why.is_empty()).then(|| why.join(", "))
    }

    pub fn grants(&self, control: &str) -> bool {
        self.grant_controls
            .as_ref()
            .is_some_and(|g| g.built_in_controls.iter().any(|c| c == control))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyConditions {
    #[serde(default)]
    pub users: Option<PolicyUsers>,
    #[serde(default)]
    pub applications: Option<PolicyApplications>,
    #[serde(default)]
    pub client_app_types: Vec<String>,
    /// Kept so a policy limited to some locations is never read as covering every sign-in.
    #[serde(default)]
    pub locations: Option<PolicyLocations>,
    #[serde(default)]
    pub platforms: Option<PolicyPlatforms>,
    #[serde(default)]
    pub sign_in_risk_levels: Vec<String>,
    #[serde(default)]
    pub user_risk_levels: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyLocations {
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
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyApplications {
    #[serde(default)]
    pub include_applications: Vec<String>,
    #[serde(default)]
    pub exclude_applications: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyGrantControls {
    #[serde(default)]
    pub operator: Option<String>,
    #[serde(default)]
    pub built_in_controls: Vec<String>,
    /// An authentication strength policy; every strength Entra offers requires multiple factors.
    #[serde(default)]
    pub authentication_strength: Option<serde_json::Value>,
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
