//! soc2-evidence: a GitOps evidence bot for SOC 2 on Microsoft Azure.
//!
//! Pipeline: `collect` → [`model::Inventory`] → [`assess`] (checks → findings → waivers →
//! [`controls`] + attestations, one [`assess::Assessment`]) → [`evidence::build`] (files) →
//! [`store`] (git) → [`drift`] → [`report`] (PDF).
//!
//! Modules import one way, top to bottom (`tests/module_dag.rs` enforces it; CONTRIBUTING.md
//! explains it): cli → gitops → config → report / export / drift / store / forge → evidence →
//! assess → controls / waivers / attestations → checks → collect → model → digest.

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
pub mod model;
pub mod report;
pub mod store;
pub mod waivers;
