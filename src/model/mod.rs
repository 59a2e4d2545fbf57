//! Inventory types: what was collected from a tenant, with provenance. The seam between
//! collection and assessment (`inventory.json`). Plain data, no behaviour beyond lookups.

mod changes;
mod identity;
mod merge;
mod provenance;
mod resource;
mod subscription;

pub use changes::ChangeEvent;
pub use identity::{
    ConditionalAccessPolicy, Identity, PolicyApplications, PolicyConditions, PolicyGrantControls,
    PolicyLocations, PolicyPlatforms, PolicyUsers, SecurityDefaults,
};
pub use merge::MergeError;
pub use provenance::{Gap, InventoryPart, Source};
pub use resource::Resource;
pub use subscription::Subscription;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the `inventory.json` format; bumped when a field changes meaning.
pub const INVENTORY_SCHEMA_VERSION: u32 = 1;

/// Everything collected from one tenant at one point in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    pub schema_version: u32,
    /// Entra tenant id the collection ran against.
    pub tenant_id: String,
    /// When collection finished: the snapshot's time, never the wall clock at assessment.
    pub collected_at: DateTime<Utc>,
    pub subscriptions: Vec<Subscription>,
    pub resources: Vec<Resource>,
    pub identity: Identity,
    /// Administrative Activity Log events collected by this run (the CC8.1 change
    /// population); `None` when the Activity Log was not collected.
    #[serde(default)]
    pub changes: Option<Vec<ChangeEvent>>,
    /// One entry per source read (Resource Graph query, ARM call family, Graph endpoint).
    pub sources: Vec<Source>,
}

impl Inventory {
    /// The source record with this name, if the collector read it at all.
    pub fn source(&self, name: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.name == name)
    }

    /// Sorts every list by its stable key so the same tenant state always serialises the same.
    pub fn normalise(&mut self) {
        self.subscriptions.sort_by(|a, b| a.id.cmp(&b.id));
        for r in &mut self.resources {
            r.r#type = r.r#type.to_ascii_lowercase();
        }
        self.resources.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(p) = &mut self.identity.conditional_access_policies {
            p.sort_by(|a, b| a.id.cmp(&b.id));
        }
        if let Some(c) = &mut self.changes {
            c.sort_by(|a, b| (a.event_time, &a.event_id).cmp(&(b.event_time, &b.event_id)));
            c.dedup_by(|a, b| a.event_id == b.event_id);
        }
        self.sources.sort_by(|a, b| a.name.cmp(&b.name));
        for s in &mut self.sources {
            s.gaps
                .sort_by(|a, b| (&a.scope, &a.reason).cmp(&(&b.scope, &b.reason)));
        }
    }
}
