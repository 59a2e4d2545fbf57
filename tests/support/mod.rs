//! Support code shared by the integration tests (`mod support;`): the loopback fake Azure,
//! the demo scenario it serves, and helpers that run the real collector against it.
#![allow(dead_code)]

pub mod collector;
pub mod fake_azure;
pub mod scenario;
