//! Provenance of every inventory source: what auditors test in system-generated evidence.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which inventory evidence file a source feeds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum InventoryPart {
    Subscriptions,
    Resources,
    Identity,
}

impl InventoryPart {
    pub const ALL: [InventoryPart; 3] = [Self::Subscriptions, Self::Resources, Self::Identity];

    pub fn name(self) -> &'static str {
        match self {
            Self::Subscriptions => "subscriptions",
            Self::Resources => "resources",
            Self::Identity => "identity",
        }
    }
}

/// One source read during collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Stable name checks refer to, e.g. `resource_graph.resources`, `arm.blob_services`.
    pub name: String,
    pub part: InventoryPart,
    /// Base endpoint, e.g. `https://management.azure.com`.
    pub endpoint: String,
    pub api_version: String,
    /// The exact query: Resource Graph KQL, or the REST path with its parameters.
    pub query: String,
    /// Subscriptions, management group or tenant the query ran against.
    pub scope: Vec<String>,
    pub pages: u32,
    pub records: u64,
    /// A count obtained independently of the paged read (e.g. a KQL `count`), when one exists.
    #[serde(default)]
    pub independent_count: Option<u64>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// The identity used (tenant and client id, or a label); never a secret.
    #[serde(default)]
    pub identity: Option<String>,
    /// What could not be read, and why. Checks turn each gap into `error` findings.
    #[serde(default)]
    pub gaps: Vec<Gap>,
    /// HTTP requests made for this source, retries included.
    #[serde(default)]
    pub calls: u64,
    /// What an auditor should know that is not a gap: scope decisions (excluded or disabled
    /// subscriptions), the independent count's query, a clamped time window.
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    /// ARM id of what was not read: `/subscriptions/<id>`, a resource id, or `/tenants/<id>`.
    pub scope: String,
    pub reason: String,
    /// The one read of a multi-read source that failed for the scope, when the rest of the
    /// source was read: the `children` key of a per-resource read (`administrators`,
    /// `config/web`) or a directory role's members
    /// (`directoryRoles/roleTemplateId=<id>/members`). Only checks that need that read, or the
    /// whole source, are made incomplete by the gap. Absent: the source as a whole (for the
    /// scope) was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<String>,
}

impl Gap {
    /// A gap on the whole source for `scope`.
    pub fn new(scope: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            scope: scope.into(),
            reason: reason.into(),
            read: None,
        }
    }
}
