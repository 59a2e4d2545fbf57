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
#[cfg(test)]
pub(crate) use resource::reads;
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

    /// Whether [`Inventory::normalise`] would change nothing, so a caller can use the
    /// inventory as it is instead of normalising a copy (at tenant scale, a copy is GiBs).
    pub fn is_normalised(&self) -> bool {
        fn sorted_by<'a, T, K: Ord>(v: &'a [T], key: impl Fn(&'a T) -> K) -> bool {
            v.windows(2).all(|w| key(&w[0]) <= key(&w[1]))
        }
        sorted_by(&self.subscriptions, |s| s.id.as_str())
            && self
                .resources
                .iter()
                .all(|r| !r.r#type.bytes().any(|b| b.is_ascii_uppercase()))
            && sorted_by(&self.resources, |r| r.id.as_str())
            && self
                .identity
                .conditional_access_policies
                .as_ref()
                .is_none_or(|p| sorted_by(p, |a| a.id.as_str()))
            && self.changes.as_ref().is_none_or(|c| {
                c.windows(2).all(|w| {
                    (w[0].event_time, &w[0].event_id) < (w[1].event_time, &w[1].event_id)
                        && w[0].event_id != w[1].event_id
                })
            })
            && sorted_by(&self.sources, |s| s.name.as_str())
            && self
                .sources
                .iter()
                .all(|s| sorted_by(&s.gaps, |g| (g.scope.as_str(), g.reason.as_str())))
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
