//! Support code shared by the integration tests (`mod support;`): the loopback fake Azure.
#![allow(dead_code)]

pub mod fake_azure;
