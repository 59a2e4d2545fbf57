//! A subscription in scope and the subscription-level settings the checks read.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// Subscription GUID (as returned; placeholders are tolerated).
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub state: Option<String>,
    /// The subscription's home tenant, present only when it is not the inventory's tenant: a
    /// subscription delegated from another tenant (Azure Lighthouse) that configuration
    /// (`collect.include_delegated_subscriptions`) asked to assess.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// `Microsoft.Insights/diagnosticSettings` at subscription scope (Activity Log export).
    /// `None`: not collected; `Some([])`: collected, none configured.
    #[serde(default)]
    pub diagnostic_settings: Option<Vec<Value>>,
    /// `Microsoft.Security/pricings`: the Defender for Cloud plan per resource kind.
    #[serde(default)]
    pub defender_pricings: Option<Vec<Value>>,
    /// `Microsoft.Security/securityContacts`.
    #[serde(default)]
    pub security_contacts: Option<Vec<Value>>,
    /// `Microsoft.Security/autoProvisioningSettings`.
    #[serde(default)]
    pub auto_provisioning_settings: Option<Vec<Value>>,
    /// `Microsoft.Authorization/classicAdministrators` (co-administrators predate RBAC).
    #[serde(default)]
    pub classic_administrators: Option<Vec<Value>>,
    /// `Microsoft.Authorization/locks` at and below the subscription.
    #[serde(default)]
    pub locks: Option<Vec<Value>>,
}

impl Subscription {
    /// The ARM id of the subscription, used as the resource id of subscription-level findings.
    pub fn arm_id(&self) -> String {
        format!("/subscriptions/{}", self.id)
    }
}
