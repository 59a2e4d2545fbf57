//! The tenant most collector tests run against: the embedded demo tenant with an Activity Log,
//! served by the fake Azure with small pages (so every list pages) and time-scaled quotas.

use chrono::{Duration, Utc};
use soc2_evidence::collect::demo::{self, DemoState};
use soc2_evidence::model::{ChangeEvent, Inventory};

use super::fake_azure::{
    CHILD_ROUTES, FakeAzure, FakeOptions, FakeTenant, Quotas, event_data_with_category,
};

pub const PROD: &str = "3f2b9a10-0c4e-4d8b-a1f5-6e7d8c9b0a11";
pub const STAGING: &str = "8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e44";
pub const SHARED: &str = "b5e6f7a8-9b0c-4d1e-8f2a-3b4c5d6e7f88";

/// A key vault of the demo whose audit logs reach a workspace (its logging check passes).
pub fn vault_id() -> String {
    format!(
        "/subscriptions/{PROD}/resourceGroups/rg-prod/providers/Microsoft.KeyVault/vaults/kv-prod-payments"
    )
}

/// The demo tenant with an Activity Log: administrative changes within the look-back.
pub fn demo_with_changes() -> Inventory {
    let mut inv = demo::inventory(DemoState::Baseline);
    let now = Utc::now();
    let nsg = format!(
        "/subscriptions/{PROD}/resourceGroups/rg-prod/providers/Microsoft.Network/networkSecurityGroups/nsg-prod-app"
    );
    let event = |i: u32, sub: &str, hours: i64, op: &str, status: &str| ChangeEvent {
        event_id: format!("a1b2c3d4-0000-4000-8000-{i:012}"),
        // Whole seconds: what the collector's window and the fake's format both keep.
        event_time: chrono::DateTime::from_timestamp((now - Duration::hours(hours)).timestamp(), 0)
            .unwrap(),
        subscription_id: sub.into(),
        caller: Some("alice@contoso.example".into()),
        operation: op.into(),
        resource_id: Some(nsg.replace(PROD, sub)),
        status: Some(status.into()),
        correlation_id: Some(format!("c0ffee00-0000-4000-8000-{i:012}")),
    };
    inv.changes = Some(vec![
        event(
            1,
            PROD,
            30,
            "Microsoft.Network/networkSecurityGroups/write",
            "Started",
        ),
        event(
            2,
            PROD,
            30,
            "Microsoft.Network/networkSecurityGroups/write",
            "Succeeded",
        ),
        event(
            3,
            STAGING,
            24 * 20,
            "Microsoft.Storage/storageAccounts/write",
            "Succeeded",
        ),
        event(
            4,
            STAGING,
            24 * 60,
            "Microsoft.Authorization/roleAssignments/write",
            "Failed",
        ),
    ]);
    inv.normalise();
    documented_list_children(&mut inv);
    inv
}

/// docs/SOURCES.md: "List children hold the ARM list body's `value` array". Inventories that
/// hold a whole list body (`{"value": [...]}`, which the checks tolerate and older demo data
/// used) are brought to the documented form the collector writes.
pub fn documented_list_children(inv: &mut Inventory) {
    for r in &mut inv.resources {
        for (key, v) in r.children.iter_mut() {
            let list = CHILD_ROUTES.iter().any(|c| c.list && c.key == key);
            if list && let Some(items) = v.get("value").filter(|x| x.is_array()).cloned() {
                *v = items;
            }
        }
    }
}

/// The fake options of these tests: pages of 2 (ARM, Graph), 7 (Resource Graph) and 1
/// (Activity Log), and the documented quotas 100 times faster than real time.
pub fn small_pages() -> FakeOptions {
    FakeOptions {
        arm_page_size: Some(2),
        graph_page_size: 2,
        arg_page_cap: 7,
        activity_page_size: 1,
        quotas: Quotas::scaled(0.01),
        ..FakeOptions::default()
    }
}

/// The fake tenant of `inv`, plus an Activity Log event of another category the collector
/// must leave out.
pub fn tenant(inv: &Inventory) -> FakeTenant {
    let mut tenant = FakeTenant::from_inventory(inv);
    let noise = ChangeEvent {
        event_id: "99999999-0000-4000-8000-000000000001".into(),
        event_time: Utc::now() - Duration::hours(2),
        subscription_id: PROD.into(),
        caller: Some("Microsoft.PolicyInsights".into()),
        operation: "Microsoft.Authorization/policies/audit/action".into(),
        resource_id: None,
        status: Some("Succeeded".into()),
        correlation_id: None,
    };
    let tid = tenant.tenant_id.clone();
    tenant.add_event(event_data_with_category(&tid, &noise, "Policy"));
    tenant
}

/// `inv` served with [`small_pages`].
pub fn serve(inv: &Inventory) -> FakeAzure {
    FakeAzure::start(tenant(inv), small_pages())
}
