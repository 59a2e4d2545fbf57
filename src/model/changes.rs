//! Administrative Activity Log events: the change population an auditor samples for CC8.1.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One administrative event (`GET /subscriptions/{id}/providers/Microsoft.Insights/eventtypes/
/// management/values`, category Administrative). Immutable once written by Azure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEvent {
    /// `eventDataId`: unique per event; the deduplication key across runs.
    pub event_id: String,
    pub event_time: DateTime<Utc>,
    pub subscription_id: String,
    /// `caller`: UPN, object id or application id of who made the change.
    #[serde(default)]
    pub caller: Option<String>,
    /// `operationName.value`, e.g. `Microsoft.Network/networkSecurityGroups/write`.
    pub operation: String,
    #[serde(default)]
    pub resource_id: Option<String>,
    /// `status.value`: Started, Accepted, Succeeded, Failed.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub correlation_id: Option<String>,
}
