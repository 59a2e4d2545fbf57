//! Collection: where inventories come from. Today the embedded demo tenant (no network, no
//! credentials); the Azure collector (Resource Graph, ARM, Microsoft Graph) joins it here.

pub mod demo;
