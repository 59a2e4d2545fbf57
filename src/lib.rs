//! soc2-evidence: a GitOps evidence bot for SOC 2 on Microsoft Azure.
//!
//! Pipeline: `collect` → [`model::Inventory`] → [`checks`] → findings → [`controls`] →
//! [`evidence::build`] → [`store`] (git) → [`drift`] → [`report`] (PDF); [`gitops`] publishes
//! snapshots as pull requests and releases.

pub mod assess;
pub mod attestations;
pub mod checks;
pub mod cli;
pub mod collect;
pub mod config;
pub mod controls;
pub mod digest;
pub mod drift;
pub mod evidence;
pub mod export;
pub mod forge;
pub mod gitops;
pub mod model;
pub mod report;
pub mod store;
pub mod waivers;
