//! The tenant the fake serves: Resource Graph rows per table, ARM children per resource,
//! subscription-level lists, Microsoft Graph objects and Activity Log events. Built from an
//! [`Inventory`] (the inverse of collection) or generated synthetically for benchmarks.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use soc2_evidence::model::{ChangeEvent, Inventory, Resource};

/// What the fake answers for data the inventory says was not collected (`None` lists, absent
/// child keys): by default 403, so collecting it again yields the same "not collected".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Missing {
    #[default]
    Forbidden,
    NotFound,
    /// Empty lists, and singletons with their identifying fields and no settings.
    Empty,
}

/// A per-subscription ARM source (SOURCES.md): name, path below `/subscriptions/{id}/`,
/// documented api-version.
pub const SUBSCRIPTION_SOURCES: [(&str, &str, &str); 6] = [
    (
        "arm.subscription_diagnostic_settings",
        "providers/Microsoft.Insights/diagnosticSettings",
        "2021-05-01-preview",
    ),
    (
        "arm.defender_pricings",
        "providers/Microsoft.Security/pricings",
        "2024-01-01",
    ),
    (
        "arm.security_contacts",
        "providers/Microsoft.Security/securityContacts",
        "2023-12-01-preview",
    ),
    (
        "arm.auto_provisioning",
        "providers/Microsoft.Security/autoProvisioningSettings",
        "2017-08-01-preview",
    ),
    (
        "arm.classic_administrators",
        "providers/Microsoft.Authorization/classicAdministrators",
        "2015-07-01",
    ),
    (
        "arm.locks",
        "providers/Microsoft.Authorization/locks",
        "2020-05-01",
    ),
];

pub const ACTIVITY_LOG_PATH: &str = "providers/Microsoft.Insights/eventtypes/management/values";
pub const ACTIVITY_LOG_API: &str = "2015-04-01";
pub const SUBSCRIPTIONS_API: &str = "2022-12-01";
pub const RESOURCE_GRAPH_API: &str = "2024-04-01";

/// An ARM child route: path below the resource id, inventory child key, source, api-version,
/// whether it is a list, and the resource types it applies to (lower-case prefix match;
/// empty = any).
pub struct ChildRoute {
    pub path: &'static str,
    pub key: &'static str,
    pub source: &'static str,
    pub api: &'static str,
    pub list: bool,
    pub types: &'static [&'static str],
}

const SQL: &[&str] = &["microsoft.sql/servers"];
const SQLDB: &[&str] = &["microsoft.sql/servers/databases"];
const STORAGE: &[&str] = &["microsoft.storage/storageaccounts"];
const WEB: &[&str] = &["microsoft.web/sites"];
const VAULT: &[&str] = &["microsoft.recoveryservices/vaults"];

pub const CHILD_ROUTES: &[ChildRoute] = &[
    ChildRoute {
        path: "providers/microsoft.insights/diagnosticsettings",
        key: "diagnosticSettings",
        source: "arm.diagnostic_settings",
        api: "2021-05-01-preview",
        list: true,
        types: &[],
    },
    ChildRoute {
        path: "blobservices/default/providers/microsoft.insights/diagnosticsettings",
        key: "blobServices/default/diagnosticSettings",
        source: "arm.diagnostic_settings",
        api: "2021-05-01-preview",
        list: true,
        types: STORAGE,
    },
    ChildRoute {
        path: "blobservices/default",
        key: "blobServices/default",
        source: "arm.blob_services",
        api: "2025-06-01",
        list: false,
        types: STORAGE,
    },
    ChildRoute {
        path: "managementpolicies/default",
        key: "managementPolicies/default",
        source: "arm.storage_lifecycle",
        api: "2025-06-01",
        list: false,
        types: STORAGE,
    },
    ChildRoute {
        path: "auditingsettings/default",
        key: "auditingSettings/default",
        source: "arm.sql_server_settings",
        api: "2023-08-01",
        list: false,
        types: SQL,
    },
    ChildRoute {
        path: "firewallrules",
        key: "firewallRules",
        source: "arm.sql_server_settings",
        api: "2023-08-01",
        list: true,
        types: SQL,
    },
    ChildRoute {
        path: "securityalertpolicies/default",
        key: "securityAlertPolicies/Default",
        source: "arm.sql_server_settings",
        api: "2023-08-01",
        list: false,
        types: SQL,
    },
    ChildRoute {
        path: "vulnerabilityassessments/default",
        key: "vulnerabilityAssessments/Default",
        source: "arm.sql_server_settings",
        api: "2023-08-01",
        list: false,
        types: SQL,
    },
    ChildRoute {
        path: "administrators",
        key: "administrators",
        source: "arm.sql_server_settings",
        api: "2023-08-01",
        list: true,
        types: SQL,
    },
    ChildRoute {
        path: "encryptionprotector/current",
        key: "encryptionProtector/current",
        source: "arm.sql_server_settings",
        api: "2023-08-01",
        list: false,
        types: SQL,
    },
    ChildRoute {
        path: "transparentdataencryption/current",
        key: "transparentDataEncryption/current",
        source: "arm.sql_database_settings",
        api: "2023-08-01",
        list: false,
        types: SQLDB,
    },
    ChildRoute {
        path: "backuplongtermretentionpolicies/default",
        key: "backupLongTermRetentionPolicies/default",
        source: "arm.sql_database_settings",
        api: "2023-08-01",
        list: false,
        types: SQLDB,
    },
    ChildRoute {
        path: "configurations",
        key: "configurations",
        source: "arm.postgres_configurations",
        api: "2024-08-01",
        list: true,
        types: &["microsoft.dbforpostgresql/flexibleservers"],
    },
    ChildRoute {
        path: "configurations",
        key: "configurations",
        source: "arm.mysql_configurations",
        api: "2023-12-30",
        list: true,
        types: &["microsoft.dbformysql/flexibleservers"],
    },
    ChildRoute {
        path: "config/web",
        key: "config/web",
        source: "arm.web_config",
        api: "2024-11-01",
        list: false,
        types: WEB,
    },
    ChildRoute {
        path: "config/authsettingsv2",
        key: "config/authsettingsV2",
        source: "arm.web_auth_settings",
        api: "2024-11-01",
        list: false,
        types: WEB,
    },
    ChildRoute {
        path: "backuppolicies",
        key: "backupPolicies",
        source: "arm.backup_policies",
        api: "2025-02-01",
        list: true,
        types: VAULT,
    },
    ChildRoute {
        path: "backupprotecteditems",
        key: "backupProtectedItems",
        source: "arm.backup_protected_items",
        api: "2025-02-01",
        list: true,
        types: VAULT,
    },
];

/// The child route for `path` (below a resource id) on a resource of type `ty`.
pub fn child_route(ty: &str, path: &str) -> Option<&'static ChildRoute> {
    let path = path.trim_matches('/').to_ascii_lowercase();
    CHILD_ROUTES
        .iter()
        .find(|c| c.path == path && (c.types.is_empty() || c.types.contains(&ty)))
}

/// Microsoft Graph v1.0 routes: path below `/v1.0`, source, singleton?
pub const GRAPH_ROUTES: [(&str, &str, bool); 10] = [
    (
        "/identity/conditionalAccess/policies",
        "graph.conditional_access_policies",
        false,
    ),
    (
        "/policies/identitySecurityDefaultsEnforcementPolicy",
        "graph.security_defaults",
        true,
    ),
    (
        "/policies/authorizationPolicy",
        "graph.authorization_policy",
        true,
    ),
    (
        "/identity/conditionalAccess/namedLocations",
        "graph.named_locations",
        false,
    ),
    ("/users", "graph.users", false),
    (
        "/reports/authenticationMethods/userRegistrationDetails",
        "graph.user_registration_details",
        false,
    ),
    ("/directoryRoles", "graph.directory_roles", false),
    (
        "/roleManagement/directory/roleAssignmentSchedules",
        "graph.role_assignment_schedules",
        false,
    ),
    (
        "/roleManagement/directory/roleEligibilitySchedules",
        "graph.role_eligibility_schedules",
        false,
    ),
    ("/applications", "graph.applications", false),
];

/// The Resource Graph table a resource type lives in.
pub fn table_for(ty: &str) -> &'static str {
    let ty = ty.to_ascii_lowercase();
    match ty.as_str() {
        "microsoft.authorization/roleassignments" | "microsoft.authorization/roledefinitions" => {
            "authorizationresources"
        }
        "microsoft.authorization/policyassignments"
        | "microsoft.authorization/policyexemptions"
        | "microsoft.policyinsights/policystates" => "policyresources",
        "microsoft.resources/subscriptions"
        | "microsoft.resources/subscriptions/resourcegroups" => "resourcecontainers",
        t if t.starts_with("microsoft.security/") => "securityresources",
        _ => "resources",
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FakeSubscription {
    pub id: String,
    pub display_name: String,
    pub state: String,
    /// Per-subscription ARM list by source name; `None` = answer with [`Missing`].
    pub lists: BTreeMap<String, Option<Vec<Value>>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FakeResource {
    /// The id as the inventory spells it.
    pub id: String,
    /// Lower-case ARM type.
    pub r#type: String,
    /// Child settings by lower-cased inventory key; `None` = 404 (does not exist).
    pub children: BTreeMap<String, Option<Value>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FakeTenant {
    pub tenant_id: String,
    pub subscriptions: Vec<FakeSubscription>,
    /// Management group name → subscription ids (for `managementGroups` Resource Graph scopes).
    pub management_groups: BTreeMap<String, Vec<String>>,
    /// Resource Graph rows by lower-case table name.
    pub tables: BTreeMap<String, Vec<Value>>,
    /// ARM resources by lower-cased id (for child routes).
    pub resources: BTreeMap<String, FakeResource>,
    /// Graph data by source name: an array for lists, an object for singletons, `None` =
    /// answer with [`Missing`].
    pub graph: BTreeMap<String, Option<Value>>,
    /// Activity Log `EventData` objects (all categories); `None` = answer with [`Missing`].
    pub events: Option<Vec<Value>>,
    pub missing: Missing,
    /// Subscription id → its home tenant, for subscriptions another tenant delegated to this
    /// one (Azure Lighthouse): `GET /subscriptions` reports that `tenantId` and this tenant in
    /// `managedByTenants`.
    pub delegated: BTreeMap<String, String>,
}

impl FakeTenant {
    pub fn empty(tenant_id: &str) -> Self {
        Self {
            tenant_id: tenant_id.to_string(),
            subscriptions: vec![],
            management_groups: BTreeMap::new(),
            tables: BTreeMap::new(),
            resources: BTreeMap::new(),
            graph: GRAPH_ROUTES
                .iter()
                .map(|(_, s, single)| {
                    (
                        s.to_string(),
                        // A Graph entity always has its `id`.
                        Some(if *single { json!({"id": s}) } else { json!([]) }),
                    )
                })
                .collect(),
            events: Some(vec![]),
            missing: Missing::Forbidden,
            delegated: BTreeMap::new(),
        }
    }

    /// The API responses that would collect back into `inv`.
    pub fn from_inventory(inv: &Inventory) -> Self {
        let mut t = Self::empty(&inv.tenant_id);
        for s in &inv.subscriptions {
            let lists = [
                (
                    "arm.subscription_diagnostic_settings",
                    &s.diagnostic_settings,
                ),
                ("arm.defender_pricings", &s.defender_pricings),
                ("arm.security_contacts", &s.security_contacts),
                ("arm.auto_provisioning", &s.auto_provisioning_settings),
                ("arm.classic_administrators", &s.classic_administrators),
                ("arm.locks", &s.locks),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
            t.add_subscription(FakeSubscription {
                id: s.id.clone(),
                display_name: s.display_name.clone(),
                state: s.state.clone().unwrap_or_else(|| "Enabled".into()),
                lists,
            });
        }
        for r in &inv.resources {
            t.add_resource(r);
        }
        let id = &inv.identity;
        let list = |v: &Option<Vec<Value>>| v.as_ref().map(|l| Value::Array(l.clone()));
        let graph = [
            (
                "graph.conditional_access_policies",
                id.conditional_access_policies
                    .as_ref()
                    .map(|p| serde_json::to_value(p).unwrap()),
            ),
            (
                "graph.security_defaults",
                id.security_defaults.as_ref().map(|s| {
                    let mut v = serde_json::to_value(s).unwrap();
                    // What Graph adds around the two fields the model keeps.
                    v["displayName"] = json!("Security Defaults");
                    v["description"] = json!(
                        "Security defaults is a set of basic identity security mechanisms recommended by Microsoft."
                    );
                    v
                }),
            ),
            ("graph.authorization_policy", id.authorization_policy.clone()),
            ("graph.named_locations", list(&id.named_locations)),
            ("graph.users", list(&id.users)),
            (
                "graph.user_registration_details",
                list(&id.user_registration_details),
            ),
            ("graph.directory_roles", list(&id.directory_roles)),
            (
                "graph.role_assignment_schedules",
                list(&id.role_assignment_schedules),
            ),
            (
                "graph.role_eligibility_schedules",
                list(&id.role_eligibility_schedules),
            ),
            ("graph.applications", list(&id.applications)),
        ];
        for (k, v) in graph {
            t.graph.insert(k.to_string(), v);
        }
        t.events = inv
            .changes
            .as_ref()
            .map(|c| c.iter().map(|e| event_data(&inv.tenant_id, e)).collect());
        t
    }

    /// Adds a subscription: `GET /subscriptions` lists it and Resource Graph's
    /// `resourcecontainers` has its row.
    pub fn add_subscription(&mut self, s: FakeSubscription) {
        let row = json!({
            "id": format!("/subscriptions/{}", s.id),
            "name": s.display_name,
            "type": "microsoft.resources/subscriptions",
            "tenantId": self.tenant_id,
            "kind": "",
            "location": "",
            "resourceGroup": "",
            "subscriptionId": s.id,
            "managedBy": "",
            "sku": null,
            "plan": null,
            "properties": {"state": s.state},
            "tags": {},
            "identity": null,
            "zones": null,
            "extendedLocation": null
        });
        self.tables
            .entry("resourcecontainers".to_string())
            .or_default()
            .push(row);
        self.subscriptions.push(s);
    }

    /// Makes subscription `sub` one that `home` delegated to this tenant: the subscription list
    /// and its Resource Graph rows carry `home` as `tenantId`, as Azure reports them.
    pub fn delegate(&mut self, sub: &str, home: &str) {
        self.delegated
            .insert(sub.to_ascii_lowercase(), home.to_string());
        for row in self.tables.values_mut().flatten() {
            let of_sub = row
                .get("subscriptionId")
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case(sub));
            if of_sub {
                row["tenantId"] = json!(home);
            }
        }
    }

    /// Adds a resource: its Resource Graph row and its ARM children.
    pub fn add_resource(&mut self, r: &Resource) {
        let row = resource_row(&self.tenant_id, r);
        self.tables
            .entry(table_for(&r.r#type).to_string())
            .or_default()
            .push(row);
        let children = r
            .children
            .iter()
            .map(|(k, v)| {
                (
                    k.to_ascii_lowercase(),
                    if v.is_null() { None } else { Some(v.clone()) },
                )
            })
            .collect();
        self.resources.insert(
            r.id.to_ascii_lowercase(),
            FakeResource {
                id: r.id.clone(),
                r#type: r.r#type.to_ascii_lowercase(),
                children,
            },
        );
    }

    /// The Resource Graph row of a resource, for tests that plant data in it.
    pub fn row_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.tables.values_mut().flatten().find(|r| {
            r.get("id")
                .and_then(Value::as_str)
                .is_some_and(|x| x.eq_ignore_ascii_case(id))
        })
    }

    /// Sets (or with `None`, makes 404) a child setting of a resource.
    pub fn set_child(&mut self, id: &str, key: &str, value: Option<Value>) {
        let r = self
            .resources
            .get_mut(&id.to_ascii_lowercase())
            .unwrap_or_else(|| panic!("no resource {id} in the fake tenant"));
        r.children.insert(key.to_ascii_lowercase(), value);
    }

    pub fn subscription_mut(&mut self, id: &str) -> Option<&mut FakeSubscription> {
        self.subscriptions.iter_mut().find(|s| s.id == id)
    }

    /// Appends an Activity Log event (any category) to the subscription's log.
    pub fn add_event(&mut self, event: Value) {
        self.events.get_or_insert_with(Vec::new).push(event);
    }

    /// The resource whose id is the longest prefix of `path` (lower-cased), and the rest.
    pub fn resource_for_path<'a>(&'a self, path: &str) -> Option<(&'a FakeResource, String)> {
        let lower = path.to_ascii_lowercase();
        let mut cut = lower.len();
        loop {
            let prefix = &lower[..cut];
            if let Some(r) = self.resources.get(prefix) {
                return Some((r, lower[cut..].trim_start_matches('/').to_string()));
            }
            cut = prefix.rfind('/')?;
            if cut == 0 {
                return None;
            }
        }
    }

    /// Number of Resource Graph rows over all tables but `resourcecontainers` (the rows that
    /// become inventory resources).
    pub fn row_count(&self) -> usize {
        self.tables
            .iter()
            .filter(|(t, _)| *t != "resourcecontainers")
            .map(|(_, rows)| rows.len())
            .sum()
    }
}

/// A Resource Graph `Resources` row as the service returns it (objectArray format).
pub fn resource_row(tenant_id: &str, r: &Resource) -> Value {
    json!({
        "id": r.id,
        "name": r.name,
        "type": r.r#type.to_ascii_lowercase(),
        "tenantId": tenant_id,
        // Resource Graph answers "" rather than null for a resource without a kind.
        "kind": r.kind.clone().unwrap_or_default(),
        "location": r.location,
        "resourceGroup": r.resource_group,
        "subscriptionId": r.subscription_id,
        "managedBy": "",
        "sku": r.sku,
        "plan": null,
        "properties": r.properties,
        "tags": r.tags,
        "identity": r.identity,
        "zones": if r.zones.is_empty() { Value::Null } else { json!(r.zones) },
        "extendedLocation": null
    })
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// An Activity Log `EventData` (Activity Logs - List, api-version 2015-04-01) for a change.
pub fn event_data(tenant_id: &str, e: &ChangeEvent) -> Value {
    event_data_with_category(tenant_id, e, "Administrative")
}

pub fn event_data_with_category(tenant_id: &str, e: &ChangeEvent, category: &str) -> Value {
    let resource = e.resource_id.clone().unwrap_or_default();
    let segs: Vec<&str> = resource.split('/').collect();
    let rg = segs
        .iter()
        .position(|s| s.eq_ignore_ascii_case("resourceGroups"))
        .and_then(|i| segs.get(i + 1))
        .copied()
        .unwrap_or_default();
    let provider = segs
        .iter()
        .rposition(|s| s.eq_ignore_ascii_case("providers"))
        .and_then(|i| segs.get(i + 1))
        .copied()
        .unwrap_or_default();
    let status = e.status.clone().unwrap_or_else(|| "Succeeded".into());
    json!({
        "authorization": {"action": e.operation, "scope": resource},
        "caller": e.caller,
        "channels": "Operation",
        "claims": {
            "aud": "https://management.core.windows.net/",
            "iss": format!("https://sts.windows.net/{tenant_id}/"),
            "http://schemas.microsoft.com/identity/claims/tenantid": tenant_id,
            "ipaddr": "203.0.113.7"
        },
        "correlationId": e.correlation_id,
        "description": "",
        "eventDataId": e.event_id,
        "eventName": {"value": "EndRequest", "localizedValue": "End request"},
        "category": {"value": category, "localizedValue": category},
        "eventTimestamp": ts(e.event_time),
        "id": format!("{resource}/events/{}/ticks/{}", e.event_id, e.event_time.timestamp_micros() * 10),
        "level": "Informational",
        "operationId": e.correlation_id,
        "operationName": {"value": e.operation, "localizedValue": e.operation},
        "resourceGroupName": rg,
        "resourceProviderName": {"value": provider, "localizedValue": provider},
        "resourceType": {"value": provider, "localizedValue": provider},
        "resourceId": e.resource_id,
        "status": {"value": status, "localizedValue": status},
        "subStatus": {"value": "", "localizedValue": ""},
        "submissionTimestamp": ts(e.event_time + chrono::Duration::seconds(12)),
        "subscriptionId": e.subscription_id,
        "tenantId": tenant_id,
        "properties": {"statusCode": "OK", "serviceRequestId": e.correlation_id},
        "httpRequest": {
            "clientRequestId": e.correlation_id,
            "clientIpAddress": "203.0.113.7",
            "method": "PUT"
        }
    })
}

/// A synthetic tenant for benchmarks: `resources` resources spread over `subscriptions`
/// subscriptions, deterministic for a `seed`.
#[derive(Debug, Clone, Copy)]
pub struct Synthetic {
    pub subscriptions: usize,
    pub resources: usize,
    pub seed: u64,
    /// Graph users (and registration details) to generate.
    pub users: usize,
    /// Administrative Activity Log events per subscription, spread over the last 30 days.
    pub events_per_subscription: usize,
}

impl Default for Synthetic {
    fn default() -> Self {
        Self {
            subscriptions: 3,
            resources: 100,
            seed: 1,
            users: 20,
            events_per_subscription: 10,
        }
    }
}

/// splitmix64: tiny, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn guid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }
}

/// Resource types the generator emits (all read by checks from the Resource Graph `resources`
/// table) and their share of a tenant, in per mille: compute, disks and network dominate real
/// estates; databases, vaults and registries are fewer.
const SYNTHETIC_MIX: [(&str, u32); 27] = [
    ("microsoft.compute/disks", 140),
    ("microsoft.compute/virtualmachines", 100),
    ("microsoft.network/networksecuritygroups", 90),
    ("microsoft.storage/storageaccounts", 110),
    ("microsoft.network/publicipaddresses", 80),
    ("microsoft.network/virtualnetworks", 60),
    ("microsoft.web/sites", 70),
    ("microsoft.keyvault/vaults", 50),
    ("microsoft.sql/servers/databases", 45),
    ("microsoft.sql/servers", 20),
    ("microsoft.compute/virtualmachinescalesets", 20),
    ("microsoft.containerregistry/registries", 20),
    ("microsoft.dbforpostgresql/flexibleservers", 20),
    ("microsoft.documentdb/databaseaccounts", 15),
    ("microsoft.dbformysql/flexibleservers", 10),
    ("microsoft.containerservice/managedclusters", 10),
    ("microsoft.recoveryservices/vaults", 10),
    ("microsoft.insights/activitylogalerts", 20),
    ("microsoft.insights/autoscalesettings", 10),
    ("microsoft.operationalinsights/workspaces", 10),
    ("microsoft.network/networkwatchers", 10),
    ("microsoft.network/networkwatchers/flowlogs", 15),
    ("microsoft.network/applicationgateways", 10),
    ("microsoft.network/bastionhosts", 5),
    ("microsoft.cache/redis", 10),
    ("microsoft.eventhub/namespaces", 5),
    ("microsoft.servicebus/namespaces", 5),
];

/// The per-resource settings the collector reads with ARM for a resource type (what Resource
/// Graph does not carry; docs/SOURCES.md), so a generated resource always has each of them.
fn synthetic_children(ty: &str) -> Vec<(&'static str, bool)> {
    CHILD_ROUTES
        .iter()
        .filter(|c| c.types.contains(&ty) || (c.types.is_empty() && diagnostic_type(ty)))
        .map(|c| (c.key, c.list))
        .collect()
}

/// Types whose own diagnostic settings the collector reads.
fn diagnostic_type(ty: &str) -> bool {
    [
        "microsoft.keyvault/vaults",
        "microsoft.network/networksecuritygroups",
        "microsoft.sql/servers",
        "microsoft.web/sites",
        "microsoft.containerservice/managedclusters",
        "microsoft.containerregistry/registries",
        "microsoft.recoveryservices/vaults",
        "microsoft.network/publicipaddresses",
        "microsoft.network/applicationgateways",
        "microsoft.documentdb/databaseaccounts",
        "microsoft.dbforpostgresql/flexibleservers",
        "microsoft.dbformysql/flexibleservers",
    ]
    .contains(&ty)
}

/// Replaces the `/subscriptions/{s}/resourceGroups/{g}` prefix of a template id and suffixes
/// every name segment after `providers/{namespace}` with `-{n}`, so parents and children stay
/// consistent within one copy and every copy's ids are unique.
fn rename_id(id: &str, sub: &str, rg: &str, n: usize) -> String {
    let segs: Vec<&str> = id.trim_start_matches('/').split('/').collect();
    let Some(p) = segs
        .iter()
        .position(|s| s.eq_ignore_ascii_case("providers"))
    else {
        return format!("/subscriptions/{sub}/resourceGroups/{rg}/{n:06}");
    };
    let mut out = format!(
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/{}",
        segs.get(p + 1).unwrap_or(&"")
    );
    // After the namespace: type, name, type, name, …
    for (k, s) in segs.iter().enumerate().skip(p + 2) {
        out.push('/');
        out.push_str(s);
        if (k - p) % 2 == 1 {
            out.push_str(&format!("-{n:06}"));
        }
    }
    out
}

impl Synthetic {
    /// The synthetic tenant as an inventory (what a complete collection of it would give),
    /// collected at `now`. Deterministic for a seed and `now`.
    ///
    /// Resources are copies of the embedded demo tenant's resources of the types in
    /// [`SYNTHETIC_MIX`], picked at random by type share and then by template, with new ids
    /// spread over the subscriptions and eight resource groups each. The demo's templates
    /// carry realistic payloads and a realistic share of non-compliant settings (about one
    /// finding in nine fails); on top, a few settings are flipped at random (TLS, public
    /// access, purge protection). Every per-resource ARM setting the collector reads exists
    /// (`null` where Azure answers 404). Users are copies of the demo's users (about one in
    /// ten without MFA registration); subscriptions copy the demo's subscription settings.
    pub fn inventory(&self, now: DateTime<Utc>) -> Inventory {
        use soc2_evidence::collect::demo::{self, DemoState};
        let demo = demo::inventory(DemoState::Baseline);
        let mut rng = Rng(self.seed);
        let tenant_id = rng.guid();
        let subs: Vec<String> = (0..self.subscriptions.max(1)).map(|_| rng.guid()).collect();
        // Templates by type, in mix order.
        let templates: Vec<(u32, Vec<&Resource>)> = SYNTHETIC_MIX
            .iter()
            .map(|(ty, w)| {
                let t: Vec<&Resource> = demo.resources.iter().filter(|r| r.r#type == *ty).collect();
                (if t.is_empty() { 0 } else { *w }, t)
            })
            .collect();
        let total: u32 = templates.iter().map(|(w, _)| w).sum();
        let mut subscriptions = vec![];
        for (i, id) in subs.iter().enumerate() {
            let mut s = demo.subscriptions[i % demo.subscriptions.len()].clone();
            let old = s.id.clone();
            let swap = |v: &mut Option<Vec<Value>>| {
                if let Some(list) = v {
                    for x in list.iter_mut() {
                        let text = x.to_string().replace(&old, id);
                        *x = serde_json::from_str(&text).expect("valid JSON");
                    }
                }
            };
            swap(&mut s.diagnostic_settings);
            swap(&mut s.defender_pricings);
            swap(&mut s.security_contacts);
            swap(&mut s.auto_provisioning_settings);
            swap(&mut s.classic_administrators);
            swap(&mut s.locks);
            for v in [
                &mut s.diagnostic_settings,
                &mut s.defender_pricings,
                &mut s.security_contacts,
                &mut s.auto_provisioning_settings,
                &mut s.classic_administrators,
                &mut s.locks,
            ] {
                v.get_or_insert_with(Vec::new);
            }
            s.id = id.clone();
            s.display_name = format!("synthetic-{i:03}");
            s.state = Some("Enabled".into());
            subscriptions.push(s);
        }
        let mut resources = Vec::with_capacity(self.resources);
        for i in 0..self.resources {
            let mut pick = rng.below(total as usize) as u32;
            let (_, group) = templates
                .iter()
                .find(|(w, _)| {
                    if pick < *w {
                        true
                    } else {
                        pick -= w;
                        false
                    }
                })
                .expect("weights cover the pick");
            let tpl = group[rng.below(group.len())];
            let sub = &subs[i % subs.len()];
            let rg = format!("rg-{:02}", rng.below(8));
            let mut r = tpl.clone();
            r.id = rename_id(&tpl.id, sub, &rg, i);
            r.name = r.id.rsplit('/').next().unwrap_or_default().to_string();
            r.subscription_id = sub.clone();
            r.resource_group = Some(rg);
            r.location = Some(["westeurope", "northeurope", "eastus"][rng.below(3)].into());
            let p = &mut r.properties;
            match r.r#type.as_str() {
                "microsoft.storage/storageaccounts" => {
                    p["minimumTlsVersion"] =
                        json!(if rng.chance(85) { "TLS1_2" } else { "TLS1_0" });
                    p["allowBlobPublicAccess"] = json!(rng.chance(10));
                }
                "microsoft.keyvault/vaults" => {
                    p["enablePurgeProtection"] = json!(rng.chance(70));
                }
                "microsoft.sql/servers" => {
                    p["publicNetworkAccess"] = json!(if rng.chance(75) {
                        "Disabled"
                    } else {
                        "Enabled"
                    });
                }
                _ => {}
            }
            // A missing list is empty; a missing singleton is Azure's 404 (`null`).
            for (key, list) in synthetic_children(&r.r#type) {
                r.children.entry(key.to_string()).or_insert(if list {
                    json!([])
                } else {
                    Value::Null
                });
            }
            resources.push(r);
        }
        let mut identity = demo.identity.clone();
        let demo_users = demo.identity.users.clone().unwrap_or_default();
        let demo_reg = demo
            .identity
            .user_registration_details
            .clone()
            .unwrap_or_default();
        let mut users = Vec::with_capacity(self.users);
        let mut registration = Vec::with_capacity(self.users);
        for i in 0..self.users {
            let uid = rng.guid();
            let upn = format!("user{i:05}@contoso.example");
            let mut u = demo_users
                .get(i % demo_users.len().max(1))
                .cloned()
                .unwrap_or_else(|| json!({"userType": "Member", "accountEnabled": true}));
            u["id"] = json!(uid);
            u["userPrincipalName"] = json!(upn);
            u["displayName"] = json!(format!("User {i}"));
            users.push(u);
            let mut d = demo_reg
                .get(i % demo_reg.len().max(1))
                .cloned()
                .unwrap_or_else(|| json!({"isAdmin": false}));
            d["id"] = json!(uid);
            d["userPrincipalName"] = json!(upn);
            d["isMfaRegistered"] = json!(rng.chance(90));
            registration.push(d);
        }
        identity.users = Some(users);
        identity.user_registration_details = Some(registration);
        let mut changes = Vec::new();
        for sub in &subs {
            for k in 0..self.events_per_subscription {
                changes.push(ChangeEvent {
                    event_id: rng.guid(),
                    event_time: now - chrono::Duration::seconds(rng.below(30 * 86_400) as i64 + 60),
                    subscription_id: sub.clone(),
                    caller: Some(format!("admin{k}@contoso.example")),
                    operation: "Microsoft.Network/networkSecurityGroups/write".into(),
                    resource_id: Some(format!(
                        "/subscriptions/{sub}/resourceGroups/rg-00/providers/Microsoft.Network/networkSecurityGroups/nsg{k}"
                    )),
                    status: Some("Succeeded".into()),
                    correlation_id: Some(rng.guid()),
                });
            }
        }
        let mut inv = Inventory {
            schema_version: soc2_evidence::model::INVENTORY_SCHEMA_VERSION,
            tenant_id,
            collected_at: now,
            subscriptions,
            resources,
            identity,
            changes: Some(changes),
            // Every source read completely (the demo's provenance, without its gaps), so no
            // check reports a source as not collected.
            sources: demo
                .sources
                .iter()
                .map(|src| {
                    let mut src = src.clone();
                    src.gaps.clear();
                    src.scope = subs.iter().map(|s| format!("/subscriptions/{s}")).collect();
                    src
                })
                .collect(),
        };
        inv.normalise();
        inv
    }
}

impl FakeTenant {
    /// The API responses that collect back into [`Synthetic::inventory`] (at the current time,
    /// so the Activity Log window holds the generated events).
    pub fn synthetic(spec: &Synthetic) -> Self {
        let now = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_default();
        Self::from_inventory(&spec.inventory(now))
    }
}
