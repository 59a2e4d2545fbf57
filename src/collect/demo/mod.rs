//! The embedded demo tenant: three subscriptions and a few dozen resources shaped like the
//! Microsoft example payloads, some compliant and some not, in a baseline and a drifted state.
//! Deterministic: no clock, no randomness, so the demo's evidence is the same on every machine.

mod directory;
mod estate;
mod governance;
mod repo_files;

pub use directory::{BREAK_GLASS, BREAK_GLASS_UPN, DEPLOYER_APP_ID};
pub use repo_files::repository_files;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use crate::model::{
    ConditionalAccessPolicy, Gap, INVENTORY_SCHEMA_VERSION, Identity, Inventory, InventoryPart,
    Resource, SecurityDefaults, Source, Subscription,
};

pub const TENANT_ID: &str = "7a3c0b1e-5d2f-4c8a-9e61-2b4d8f0c1a55";

const SUBSCRIPTIONS: [(&str, &str); 3] = [
    ("3f2b9a10-0c4e-4d8b-a1f5-6e7d8c9b0a11", "contoso-prod"),
    ("8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e44", "contoso-staging"),
    ("b5e6f7a8-9b0c-4d1e-8f2a-3b4c5d6e7f88", "contoso-shared"),
];

/// Which state of the demo tenant to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoState {
    /// The approved starting point.
    Baseline,
    /// A week later: a few settings changed, one resource added, one removed.
    Drifted,
}

pub fn collected_at(state: DemoState) -> DateTime<Utc> {
    match state {
        DemoState::Baseline => Utc.with_ymd_and_hms(2026, 11, 2, 6, 0, 0).unwrap(),
        DemoState::Drifted => Utc.with_ymd_and_hms(2026, 11, 9, 6, 0, 0).unwrap(),
    }
}

fn arm_id(sub: &str, rg: &str, provider: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{provider}/{name}")
}

fn resource(sub: &str, rg: &str, ty: &str, name: &str, properties: Value) -> Resource {
    Resource {
        id: arm_id(sub, rg, ty, name),
        r#type: ty.to_ascii_lowercase(),
        name: name.to_string(),
        location: Some("westeurope".into()),
        subscription_id: sub.to_string(),
        resource_group: Some(rg.to_string()),
        tags: [(
            "environment".to_string(),
            rg.trim_start_matches("rg-").to_string(),
        )]
        .into(),
        sku: None,
        kind: None,
        zones: vec![],
        identity: None,
        properties,
        children: Default::default(),
    }
}

/// The settings a demo storage account varies; the default is the compliant configuration, so
/// each account below spells out only how it deviates.
struct Account {
    tls: &'static str,
    https: bool,
    public_blob: bool,
    deny: bool,
    /// `None`: the blob service properties were not collected.
    soft_delete_days: Option<u64>,
}

impl Default for Account {
    fn default() -> Self {
        Self {
            tls: "TLS1_2",
            https: true,
            public_blob: false,
            deny: true,
            soft_delete_days: Some(14),
        }
    }
}

/// A storage account like `StorageAccounts_Create`'s 200 body, with its blob service settings,
/// blob diagnostic settings and lifecycle policy.
fn storage(sub: &str, rg: &str, name: &str, a: Account) -> Resource {
    let Account {
        tls,
        https,
        public_blob,
        deny,
        soft_delete_days,
    } = a;
    let mut r = resource(
        sub,
        rg,
        "Microsoft.Storage/storageAccounts",
        name,
        json!({
            "allowBlobPublicAccess": public_blob,
            "allowSharedKeyAccess": false,
            "allowCrossTenantReplication": false,
            "defaultToOAuthAuthentication": true,
            "publicNetworkAccess": if deny { "Disabled" } else { "Enabled" },
            "keyPolicy": {"keyExpirationPeriodInDays": 90},
            "keyCreationTime": {"key1": "2026-09-01T00:00:00Z", "key2": "2026-09-01T00:00:00Z"},
            "creationTime": "2025-03-01T00:00:00Z",
            "privateEndpointConnections": if deny {
                json!([{
                    "id": format!("{}/privateEndpointConnections/pe-{name}", arm_id(sub, rg, "Microsoft.Storage/storageAccounts", name)),
                    "name": format!("pe-{name}"),
                    "properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}
                }])
            } else {
                json!([])
            },
            "encryption": {
                "keySource": "Microsoft.Keyvault",
                "keyvaultproperties": {"keyname": "storage-cmk", "keyvaulturi": "https://kv-shared-cicd.vault.azure.net/"},
                "requireInfrastructureEncryption": true,
                "services": {
                    "blob": {"enabled": true, "keyType": "Account"},
                    "file": {"enabled": true, "keyType": "Account"}
                }
            },
            "isHnsEnabled": false,
            "minimumTlsVersion": tls,
            "networkAcls": {
                "bypass": "AzureServices",
                "defaultAction": if deny { "Deny" } else { "Allow" },
                "ipRules": [],
                "virtualNetworkRules": []
            },
            "primaryEndpoints": {"blob": format!("https://{name}.blob.core.windows.net/")},
            "supportsHttpsTrafficOnly": https
        }),
    );
    if let Some(days) = soft_delete_days {
        r.children.insert(
            "blobServices/default".into(),
            json!({
                "id": format!("{}/blobServices/default", r.id),
                "name": "default",
                "type": "Microsoft.Storage/storageAccounts/blobServices",
                "properties": {
                    "deleteRetentionPolicy": {"enabled": days > 0, "days": days},
                    "containerDeleteRetentionPolicy": {"enabled": true, "days": 14},
                    "isVersioningEnabled": true,
                    "changeFeed": {"enabled": true, "retentionInDays": 90},
                    "restorePolicy": {"enabled": days > 0, "days": days.saturating_sub(1).max(1)}
                }
            }),
        );
        r.children.insert(
            "blobServices/default/diagnosticSettings".into(),
            json!([{
                "id": format!("{}/blobServices/default/providers/microsoft.insights/diagnosticSettings/to-law", r.id),
                "name": "to-law",
                "properties": {
                    "workspaceId": estate::workspace_id(),
                    "logs": [
                        {"category": "StorageRead", "enabled": true},
                        {"category": "StorageWrite", "enabled": true},
                        {"category": "StorageDelete", "enabled": true}
                    ]
                }
            }]),
        );
        r.children.insert(
            "managementPolicies/default".into(),
            json!({
                "name": "DefaultManagementPolicy",
                "properties": {"policy": {"rules": [{
                    "name": "expire-old-data",
                    "enabled": true,
                    "type": "Lifecycle",
                    "definition": {
                        "filters": {"blobTypes": ["blockBlob"]},
                        "actions": {"baseBlob": {"delete": {"daysAfterModificationGreaterThan": 2555}}}
                    }
                }]}}
            }),
        );
    }
    r.sku = Some(json!({"name": "Standard_GRS", "tier": "Standard"}));
    r.kind = Some("StorageV2".into());
    r
}

fn nsg_rule(name: &str, port: &str, source: &str, priority: u32) -> Value {
    json!({
        "name": name,
        "properties": {
            "protocol": "Tcp",
            "sourcePortRange": "*",
            "destinationPortRange": port,
            "sourceAddressPrefix": source,
            "destinationAddressPrefix": "*",
            "access": "Allow",
            "priority": priority,
            "direction": "Inbound"
        }
    })
}

/// A network security group like `NetworkSecurityGroups_Get`.
fn nsg(sub: &str, rg: &str, name: &str, rules: Vec<Value>) -> Resource {
    resource(
        sub,
        rg,
        "Microsoft.Network/networkSecurityGroups",
        name,
        json!({"securityRules": rules, "defaultSecurityRules": []}),
    )
}

/// A key vault like `Vaults_Get`, with its diagnostic settings.
fn vault(sub: &str, rg: &str, name: &str, purge: bool, rbac: bool, audit_logs: bool) -> Resource {
    let mut r = resource(
        sub,
        rg,
        "Microsoft.KeyVault/vaults",
        name,
        json!({
            "tenantId": TENANT_ID,
            "sku": {"family": "A", "name": "standard"},
            "enableSoftDelete": true,
            "softDeleteRetentionInDays": 90,
            "enablePurgeProtection": purge,
            "enableRbacAuthorization": rbac,
            "vaultUri": format!("https://{name}.vault.azure.net"),
            "publicNetworkAccess": "Disabled",
            "networkAcls": {"bypass": "AzureServices", "defaultAction": "Deny"},
            "privateEndpointConnections": [{
                "id": format!("{}/privateEndpointConnections/pe-{name}", arm_id(sub, rg, "Microsoft.KeyVault/vaults", name)),
                "properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}
            }]
        }),
    );
    let workspace = format!(
        "/subscriptions/{}/resourceGroups/rg-shared/providers/Microsoft.OperationalInsights/workspaces/law-soc",
        SUBSCRIPTIONS[2].0
    );
    let settings = if audit_logs {
        json!([{
            "id": format!("{}/providers/microsoft.insights/diagnosticSettings/to-law", r.id),
            "name": "to-law",
            "properties": {
                "workspaceId": workspace,
                "logs": [{"category": "AuditEvent", "enabled": true}]
            }
        }])
    } else {
        json!([])
    };
    r.children.insert("diagnosticSettings".into(), settings);
    r
}

/// A logical SQL server like `Servers_Get`, with auditing and firewall rules.
fn sql(
    sub: &str,
    rg: &str,
    name: &str,
    tls: &str,
    public: bool,
    auditing: bool,
    allow_all: bool,
) -> Resource {
    let mut r = resource(
        sub,
        rg,
        "Microsoft.Sql/servers",
        name,
        json!({
            "administratorLogin": "sqladmin",
            "version": "12.0",
            "state": "Ready",
            "fullyQualifiedDomainName": format!("{name}.database.windows.net"),
            "minimalTlsVersion": tls,
            "publicNetworkAccess": if public { "Enabled" } else { "Disabled" },
            "restrictOutboundNetworkAccess": "Enabled",
            "administrators": {"administratorType": "ActiveDirectory", "azureADOnlyAuthentication": true, "login": "sql-admins"}
        }),
    );
    r.children.insert(
        "auditingSettings/default".into(),
        json!({
            "id": format!("{}/auditingSettings/default", r.id),
            "name": "default",
            "type": "Microsoft.Sql/servers/auditingSettings",
            "properties": {
                "state": if auditing { "Enabled" } else { "Disabled" },
                "retentionDays": if auditing { 90 } else { 0 },
                "isAzureMonitorTargetEnabled": auditing
            }
        }),
    );
    let mut rules = vec![json!({
        "id": format!("{}/firewallRules/office", r.id),
        "name": "office",
        "type": "Microsoft.Sql/servers/firewallRules",
        "properties": {"startIpAddress": "203.0.113.10", "endIpAddress": "203.0.113.20"}
    })];
    if allow_all {
        rules.push(json!({
            "id": format!("{}/firewallRules/anywhere", r.id),
            "name": "anywhere",
            "type": "Microsoft.Sql/servers/firewallRules",
            "properties": {"startIpAddress": "0.0.0.0", "endIpAddress": "255.255.255.255"}
        }));
    }
    r.children
        .insert("firewallRules".into(), Value::Array(rules));
    r.children.insert(
        "securityAlertPolicies/Default".into(),
        json!({"name": "Default", "properties": {"state": if auditing { "Enabled" } else { "Disabled" }, "emailAccountAdmins": true}}),
    );
    r.children.insert(
        "vulnerabilityAssessments/Default".into(),
        if auditing {
            json!({"name": "Default", "properties": {"recurringScans": {"isEnabled": true, "emailSubscriptionAdmins": true}}})
        } else {
            Value::Null
        },
    );
    r.children.insert(
        "administrators".into(),
        json!([{"name": "ActiveDirectory", "properties": {"administratorType": "ActiveDirectory", "login": "sql-admins", "sid": "0a1b2c3d-2222-4000-8000-000000000009", "azureADOnlyAuthentication": true}}]),
    );
    r.children.insert(
        "encryptionProtector/current".into(),
        json!({"name": "current", "properties": {"serverKeyType": "AzureKeyVault", "serverKeyName": "kv-shared-cicd_sql-tde_1", "uri": "https://kv-shared-cicd.vault.azure.net/keys/sql-tde/1"}}),
    );
    r
}

/// A database of a logical server, with its TDE state and long-term retention policy.
fn sql_database(server: &Resource, name: &str, tde: bool) -> Resource {
    let mut r = resource(
        &server.subscription_id,
        server.resource_group.as_deref().unwrap_or_default(),
        "Microsoft.Sql/servers/databases",
        &format!("{}/{name}", server.name),
        json!({"status": "Online", "zoneRedundant": tde, "requestedBackupStorageRedundancy": "Geo"}),
    );
    r.children.insert(
        "transparentDataEncryption/current".into(),
        json!({"name": "current", "properties": {"state": if tde { "Enabled" } else { "Disabled" }}}),
    );
    r.children.insert(
        "backupLongTermRetentionPolicies/default".into(),
        json!({"name": "default", "properties": {"weeklyRetention": if tde { "P12W" } else { "PT0S" }, "monthlyRetention": "PT0S", "yearlyRetention": "PT0S"}}),
    );
    r
}

fn subscription(idx: usize, export_activity_log: bool, free_plans: &[&str]) -> Subscription {
    let (id, name) = SUBSCRIPTIONS[idx];
    let workspace = format!(
        "/subscriptions/{}/resourceGroups/rg-shared/providers/Microsoft.OperationalInsights/workspaces/law-soc",
        SUBSCRIPTIONS[2].0
    );
    let categories = [
        "Administrative",
        "Security",
        "ServiceHealth",
        "Alert",
        "Recommendation",
        "Policy",
        "Autoscale",
        "ResourceHealth",
    ];
    let diag = if export_activity_log {
        vec![json!({
            "id": format!("subscriptions/{id}/providers/microsoft.insights/diagnosticSettings/activity-to-law"),
            "type": null,
            "name": "activity-to-law",
            "properties": {
                "workspaceId": workspace,
                "logs": categories.iter().map(|c| json!({"category": c, "enabled": true})).collect::<Vec<_>>()
            }
        })]
    } else {
        vec![]
    };
    let pricings = [
        "VirtualMachines",
        "SqlServers",
        "StorageAccounts",
        "KeyVaults",
        "Arm",
        "Containers",
        "AppServices",
        "CosmosDbs",
        "OpenSourceRelationalDatabases",
        "SqlServerVirtualMachines",
        "Dns",
        "Api",
        "CloudPosture",
    ]
    .iter()
    .map(|plan| {
        let tier = if free_plans.contains(plan) {
            "Free"
        } else {
            "Standard"
        };
        json!({
            "id": format!("/subscriptions/{id}/providers/Microsoft.Security/pricings/{plan}"),
            "name": plan,
            "type": "Microsoft.Security/pricings",
            "properties": {"pricingTier": tier}
        })
    })
    .collect();
    let contacts = vec![json!({
        "id": format!("/subscriptions/{id}/providers/Microsoft.Security/securityContacts/default"),
        "name": "default",
        "type": "Microsoft.Security/securityContacts",
        "properties": {
            "isEnabled": true,
            "emails": "secops@contoso.example",
            "notificationsByRole": {"state": "On", "roles": ["Owner"]},
            "notificationsSources": [
                {"sourceType": "Alert", "minimalSeverity": "Medium"},
                {"sourceType": "AttackPath", "minimalRiskLevel": "Critical"}
            ]
        }
    })];
    Subscription {
        id: id.to_string(),
        display_name: name.to_string(),
        state: Some("Enabled".into()),
        tenant_id: None,
        diagnostic_settings: Some(diag),
        defender_pricings: Some(pricings),
        security_contacts: Some(contacts),
        auto_provisioning_settings: Some(vec![json!({
            "id": format!("/subscriptions/{id}/providers/Microsoft.Security/autoProvisioningSettings/default"),
            "name": "default",
            "type": "Microsoft.Security/autoProvisioningSettings",
            "properties": {"autoProvision": "On"}
        })]),
        classic_administrators: Some(vec![]),
        locks: Some(governance::locks(idx)),
    }
}

const GLOBAL_ADMIN_ROLE: &str = "62e90394-69f5-4237-9190-012177145e10";

#[allow(clippy::expect_used, reason = "constant demo JSON in the Graph shape")]
fn ca_policy(
    id: &str,
    name: &str,
    state: &str,
    users: Value,
    apps: &[&str],
    client_apps: &[&str],
    control: &str,
) -> ConditionalAccessPolicy {
    // Built from the Graph v1.0 JSON shape so the demo exercises the same parsing path.
    serde_json::from_value(json!({
        "id": id,
        "displayName": name,
        "state": state,
        "conditions": {
            "users": users,
            "applications": {"includeApplications": apps},
            "clientAppTypes": client_apps,
            "signInRiskLevels": [],
            "userRiskLevels": []
        },
        "grantControls": {"operator": "OR", "builtInControls": [control]}
    }))
    .expect("demo policy matches the Graph shape")
}

/// An enforced policy for all users and apps, gated on a risk level.
#[allow(clippy::expect_used, reason = "constant demo JSON in the Graph shape")]
fn risk_policy(id: &str, name: &str, risk: Value, grant: Value) -> ConditionalAccessPolicy {
    let mut conditions = json!({
        "users": {"includeUsers": ["All"], "excludeUsers": [BREAK_GLASS]},
        "applications": {"includeApplications": ["All"]},
        "clientAppTypes": ["all"],
        "signInRiskLevels": [],
        "userRiskLevels": []
    });
    for (k, v) in risk.as_object().expect("risk conditions are an object") {
        conditions[k] = v.clone();
    }
    serde_json::from_value(json!({
        "id": id,
        "displayName": name,
        "state": "enabled",
        "conditions": conditions,
        "grantControls": grant
    }))
    .expect("demo policy matches the Graph shape")
}

fn identity(state: DemoState) -> Identity {
    let admin_mfa_state = match state {
        DemoState::Baseline => "enabled",
        // Someone switched the admin MFA policy to report-only: it no longer enforces.
        DemoState::Drifted => "enabledForReportingButNotEnforced",
    };
    Identity {
        conditional_access_policies: Some(vec![
            ca_policy(
                "0b6e1f52-8a3c-4d7e-9f10-2c3d4e5f6a71",
                "Require MFA for administrators",
                admin_mfa_state,
                json!({"includeRoles": [GLOBAL_ADMIN_ROLE, "e8611ab8-c189-46e8-94e1-60213ab1f814"], "excludeUsers": [BREAK_GLASS]}),
                &["All"],
                &["all"],
                "mfa",
            ),
            ca_policy(
                "1c7f2a63-9b4d-4e8f-a021-3d4e5f6a7b82",
                "Block legacy authentication",
                "enabled",
                // The emergency access group holds only the break-glass account.
                json!({"includeUsers": ["All"], "excludeGroups": [directory::EMERGENCY_GROUP]}),
                &["All"],
                &["exchangeActiveSync", "other"],
                "block",
            ),
            risk_policy(
                "3e914c85-bd6f-4fa1-c243-5f6a7b8c9da4",
                "Require MFA for risky sign-ins",
                json!({"signInRiskLevels": ["medium", "high"]}),
                json!({"operator": "OR", "builtInControls": ["mfa"]}),
            ),
            risk_policy(
                "4fa25d96-ce60-40b2-d354-6a7b8c9daeb5",
                "Require password change for high user risk",
                json!({"userRiskLevels": ["high"]}),
                json!({"operator": "AND", "builtInControls": ["mfa", "passwordChange"]}),
            ),
            ca_policy(
                "2d803b74-ac5e-4f90-b132-4e5f6a7b8c93",
                "Require MFA for all users (pilot)",
                "enabledForReportingButNotEnforced",
                json!({"includeUsers": ["All"], "excludeUsers": [BREAK_GLASS]}),
                &["All"],
                &["all"],
                "mfa",
            ),
        ]),
        security_defaults: Some(SecurityDefaults {
            id: Some("00000000-0000-0000-0000-000000000005".into()),
            is_enabled: Some(false),
        }),
        authorization_policy: Some(directory::authorization_policy()),
        named_locations: Some(directory::named_locations()),
        users: Some(directory::users(state)),
        user_registration_details: Some(directory::registration_details()),
        directory_roles: Some(directory::directory_roles()),
        role_assignment_schedules: Some(directory::assignment_schedules()),
        role_eligibility_schedules: Some(directory::eligibility_schedules()),
        applications: Some(directory::applications()),
        group_members: Some(directory::group_members()),
    }
}

fn source(
    name: &str,
    part: InventoryPart,
    endpoint: &str,
    api: &str,
    query: &str,
    records: usize,
    at: DateTime<Utc>,
) -> Source {
    Source {
        name: name.to_string(),
        part,
        endpoint: endpoint.to_string(),
        api_version: api.to_string(),
        query: query.to_string(),
        scope: SUBSCRIPTIONS.iter().map(|(id, _)| id.to_string()).collect(),
        pages: 1,
        records: records as u64,
        independent_count: Some(records as u64),
        started_at: at - chrono::Duration::seconds(40),
        finished_at: at,
        identity: Some("embedded demo tenant (no credentials used)".into()),
        gaps: vec![],
        // The embedded tenant is read from memory: no API call is made.
        calls: 0,
        notes: vec!["embedded demo tenant: no API was called".into()],
    }
}

/// Provenance of every source the real collector reads (docs/SOURCES.md), with the counts of
/// what the demo holds. One gap: the blob service of the scratch account could not be read.
fn sources(resources: &[Resource], at: DateTime<Utc>) -> Vec<Source> {
    const ARM: &str = "https://management.azure.com";
    const GRAPH: &str = "https://graph.microsoft.com";
    let of_types = |types: &[&str]| {
        resources
            .iter()
            .filter(|r| types.contains(&r.r#type.as_str()))
            .count()
    };
    let with_child = |key: &str| {
        resources
            .iter()
            .filter(|r| r.children.contains_key(key))
            .count()
    };
    let graph_table = |table: &str, types: &[&str]| {
        let list = types
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        format!("{table} | where type in~ ({list}) | order by name asc, id asc")
    };
    let rbac = [
        "microsoft.authorization/roleassignments",
        "microsoft.authorization/roledefinitions",
    ];
    let policy = [
        "microsoft.authorization/policyassignments",
        "microsoft.authorization/policyexemptions",
        "microsoft.policyinsights/policystates",
    ];
    let security = ["microsoft.security/assessments"];
    let other: Vec<&str> = rbac
        .iter()
        .chain(&policy)
        .chain(&security)
        .copied()
        .collect();
    let in_resources_table = resources
        .iter()
        .filter(|r| !other.contains(&r.r#type.as_str()))
        .count();
    let mut rows = vec![
        ("arm.subscriptions", InventoryPart::Subscriptions, ARM, "2022-12-01", "GET /subscriptions".to_string(), 3),
        (
            "resource_graph.resources",
            InventoryPart::Resources,
            ARM,
            "2024-04-01",
            "resources | where type in~ (<the types of docs/SOURCES.md>) | project id, name, type, location, \
             subscriptionId, resourceGroup, tags, sku, kind, zones, identity, properties | order by name asc, id asc"
                .to_string(),
            in_resources_table,
        ),
        ("resource_graph.authorization", InventoryPart::Resources, ARM, "2024-04-01", graph_table("authorizationresources", &rbac), of_types(&rbac)),
        ("resource_graph.policy", InventoryPart::Resources, ARM, "2024-04-01", graph_table("policyresources", &policy), of_types(&policy)),
        ("resource_graph.security", InventoryPart::Resources, ARM, "2024-04-01", graph_table("securityresources", &security), of_types(&security)),
        ("arm.blob_services", InventoryPart::Resources, ARM, "2025-06-01", "GET {accountId}/blobServices/default".into(), with_child("blobServices/default")),
        ("arm.storage_lifecycle", InventoryPart::Resources, ARM, "2025-06-01", "GET {accountId}/managementPolicies/default".into(), with_child("managementPolicies/default")),
        ("arm.diagnostic_settings", InventoryPart::Resources, ARM, "2021-05-01-preview", "GET {resourceId}/providers/Microsoft.Insights/diagnosticSettings".into(), with_child("diagnosticSettings")),
        ("arm.sql_server_settings", InventoryPart::Resources, ARM, "2023-08-01", "GET {serverId}/auditingSettings/default, /firewallRules, /securityAlertPolicies/Default, /vulnerabilityAssessments/Default, /administrators, /encryptionProtector/current".into(), with_child("auditingSettings/default")),
        ("arm.sql_database_settings", InventoryPart::Resources, ARM, "2023-08-01", "GET {databaseId}/transparentDataEncryption/current, /backupLongTermRetentionPolicies/default".into(), with_child("transparentDataEncryption/current")),
        ("arm.postgres_configurations", InventoryPart::Resources, ARM, "2024-08-01", "GET {serverId}/configurations".into(), of_types(&["microsoft.dbforpostgresql/flexibleservers"])),
        ("arm.mysql_configurations", InventoryPart::Resources, ARM, "2023-12-30", "GET {serverId}/configurations".into(), of_types(&["microsoft.dbformysql/flexibleservers"])),
        ("arm.web_config", InventoryPart::Resources, ARM, "2024-11-01", "GET {siteId}/config/web".into(), with_child("config/web")),
        ("arm.web_auth_settings", InventoryPart::Resources, ARM, "2024-11-01", "GET {siteId}/config/authsettingsV2".into(), with_child("config/authsettingsV2")),
        ("arm.backup_policies", InventoryPart::Resources, ARM, "2025-02-01", "GET {vaultId}/backupPolicies".into(), with_child("backupPolicies")),
        ("arm.backup_protected_items", InventoryPart::Resources, ARM, "2025-02-01", "GET {vaultId}/backupProtectedItems".into(), with_child("backupProtectedItems")),
        ("arm.subscription_diagnostic_settings", InventoryPart::Subscriptions, ARM, "2021-05-01-preview", "GET /subscriptions/{id}/providers/Microsoft.Insights/diagnosticSettings".into(), 3),
        ("arm.defender_pricings", InventoryPart::Subscriptions, ARM, "2024-01-01", "GET /subscriptions/{id}/providers/Microsoft.Security/pricings".into(), 21),
        ("arm.security_contacts", InventoryPart::Subscriptions, ARM, "2023-12-01-preview", "GET /subscriptions/{id}/providers/Microsoft.Security/securityContacts".into(), 3),
        ("arm.auto_provisioning", InventoryPart::Subscriptions, ARM, "2017-08-01-preview", "GET /subscriptions/{id}/providers/Microsoft.Security/autoProvisioningSettings".into(), 3),
        ("arm.classic_administrators", InventoryPart::Subscriptions, ARM, "2015-07-01", "GET /subscriptions/{id}/providers/Microsoft.Authorization/classicAdministrators".into(), 1),
        ("arm.locks", InventoryPart::Subscriptions, ARM, "2020-05-01", "GET /subscriptions/{id}/providers/Microsoft.Authorization/locks".into(), 4),
        ("arm.activity_log", InventoryPart::Subscriptions, ARM, "2015-04-01", "GET /subscriptions/{id}/providers/Microsoft.Insights/eventtypes/management/values?$filter=eventTimestamp ge '{since}' and eventTimestamp le '{until}'".into(), 0),
        ("graph.conditional_access_policies", InventoryPart::Identity, GRAPH, "v1.0", "GET /identity/conditionalAccess/policies".into(), 3),
        ("graph.security_defaults", InventoryPart::Identity, GRAPH, "v1.0", "GET /policies/identitySecurityDefaultsEnforcementPolicy".into(), 1),
        ("graph.authorization_policy", InventoryPart::Identity, GRAPH, "v1.0", "GET /policies/authorizationPolicy".into(), 1),
        ("graph.named_locations", InventoryPart::Identity, GRAPH, "v1.0", "GET /identity/conditionalAccess/namedLocations".into(), 1),
        ("graph.users", InventoryPart::Identity, GRAPH, "v1.0", "GET /users?$select=id,userPrincipalName,displayName,userType,accountEnabled,createdDateTime,signInActivity".into(), 6),
        ("graph.user_registration_details", InventoryPart::Identity, GRAPH, "v1.0", "GET /reports/authenticationMethods/userRegistrationDetails".into(), 5),
        ("graph.directory_roles", InventoryPart::Identity, GRAPH, "v1.0", "GET /directoryRoles?$expand=members".into(), 2),
        ("graph.role_assignment_schedules", InventoryPart::Identity, GRAPH, "v1.0", "GET /roleManagement/directory/roleAssignmentSchedules".into(), 4),
        ("graph.role_eligibility_schedules", InventoryPart::Identity, GRAPH, "v1.0", "GET /roleManagement/directory/roleEligibilitySchedules".into(), 2),
        ("graph.applications", InventoryPart::Identity, GRAPH, "v1.0", "GET /applications?$select=id,appId,displayName,passwordCredentials,keyCredentials".into(), 3),
        ("graph.group_members", InventoryPart::Identity, GRAPH, "v1.0", "GET /groups/{id}/transitiveMembers?$select=id".into(), 1),
    ];
    rows.sort_by_key(|r| r.0);
    rows.into_iter()
        .map(|(name, part, endpoint, api, query, records)| {
            let mut s = source(name, part, endpoint, api, &query, records, at);
            if matches!(
                name,
                "arm.blob_services" | "arm.storage_lifecycle" | "arm.diagnostic_settings"
            ) {
                // A deny assignment on the scratch account hid its blob service, lifecycle and
                // diagnostic settings: the demo shows how a gap becomes an `error` finding.
                if let Some(r) = resources.iter().find(|r| r.name == "ststgscratch") {
                    s.gaps.push(Gap {
                        scope: r.id.clone(),
                        reason: "403 AuthorizationFailed: deny assignment on the storage account"
                            .into(),
                        read: None,
                    });
                }
            }
            s
        })
        .collect()
}

/// The demo tenant in the given state.
pub fn inventory(state: DemoState) -> Inventory {
    let drifted = state == DemoState::Drifted;
    let [prod, stg, shared] = SUBSCRIPTIONS.map(|(id, _)| id);
    let ssh_from_office = nsg_rule("allow-ssh-office", "22", "203.0.113.0/24", 100);
    let https_in = nsg_rule("allow-https", "443", "Internet", 110);

    let mut resources = vec![
        // Production: mostly compliant.
        storage(
            prod,
            "rg-prod",
            "stprodorders",
            Account {
                tls: if drifted { "TLS1_0" } else { "TLS1_2" },
                ..Account::default()
            },
        ),
        storage(
            prod,
            "rg-prod",
            "stprodinvoices",
            Account {
                ..Account::default()
            },
        ),
        storage(
            prod,
            "rg-prod",
            "stprodbackups",
            Account {
                soft_delete_days: Some(30),
                ..Account::default()
            },
        ),
        storage(
            prod,
            "rg-prod",
            "stprodlogs",
            Account {
                deny: false,
                soft_delete_days: Some(7),
                ..Account::default()
            },
        ),
        nsg(prod, "rg-prod", "nsg-prod-web", vec![https_in.clone()]),
        nsg(
            prod,
            "rg-prod",
            "nsg-prod-app",
            if drifted {
                // An engineer opened SSH to the internet "temporarily".
                vec![
                    ssh_from_office.clone(),
                    nsg_rule("debug-ssh", "22", "*", 90),
                ]
            } else {
                vec![ssh_from_office.clone()]
            },
        ),
        nsg(prod, "rg-prod", "nsg-prod-data", vec![]),
        vault(prod, "rg-prod", "kv-prod-payments", true, true, true),
        vault(prod, "rg-prod", "kv-prod-tls", true, true, true),
        sql(
            prod,
            "rg-prod",
            "sql-prod-orders",
            "1.2",
            false,
            true,
            false,
        ),
        // Staging: the usual weaker twin.
        // Someone switched blob soft delete off on the staging orders account.
        storage(
            stg,
            "rg-staging",
            "ststgorders",
            Account {
                deny: false,
                soft_delete_days: if drifted { Some(0) } else { Some(7) },
                ..Account::default()
            },
        ),
        storage(
            stg,
            "rg-staging",
            "ststgassets",
            Account {
                deny: false,
                soft_delete_days: Some(7),
                ..Account::default()
            },
        ),
        storage(
            stg,
            "rg-staging",
            "ststgscratch",
            Account {
                deny: false,
                soft_delete_days: None,
                ..Account::default()
            },
        ),
        storage(
            stg,
            "rg-staging",
            "ststgexports",
            Account {
                soft_delete_days: Some(7),
                ..Account::default()
            },
        ),
        nsg(stg, "rg-staging", "nsg-stg-web", vec![https_in.clone()]),
        nsg(
            stg,
            "rg-staging",
            "nsg-stg-jump",
            vec![nsg_rule("allow-rdp", "3389", "0.0.0.0/0", 100)],
        ),
        nsg(
            stg,
            "rg-staging",
            "nsg-stg-app",
            vec![ssh_from_office.clone()],
        ),
        vault(stg, "rg-staging", "kv-stg-app", true, true, false),
        vault(stg, "rg-staging", "kv-stg-ci", true, true, true),
        sql(stg, "rg-staging", "sql-stg-orders", "1.2", true, true, true),
        // Shared services.
        storage(
            shared,
            "rg-shared",
            "stsharedtfstate",
            Account {
                soft_delete_days: Some(30),
                ..Account::default()
            },
        ),
        storage(
            shared,
            "rg-shared",
            "stsharedartifacts",
            Account {
                ..Account::default()
            },
        ),
        storage(
            shared,
            "rg-shared",
            "stsharedaudit",
            Account {
                soft_delete_days: Some(365),
                ..Account::default()
            },
        ),
        storage(
            shared,
            "rg-shared",
            "stshareddiag",
            Account {
                soft_delete_days: Some(7),
                ..Account::default()
            },
        ),
        nsg(
            shared,
            "rg-shared",
            "nsg-shared-bastion",
            vec![https_in.clone()],
        ),
        nsg(
            shared,
            "rg-shared",
            "nsg-shared-dns",
            vec![nsg_rule("allow-dns", "53", "10.0.0.0/8", 100)],
        ),
        nsg(
            shared,
            "rg-shared",
            "nsg-shared-mgmt",
            vec![ssh_from_office],
        ),
        vault(shared, "rg-shared", "kv-shared-cicd", true, true, true),
        vault(shared, "rg-shared", "kv-shared-certs", true, true, true),
        sql(
            shared,
            "rg-shared",
            "sql-shared-reporting",
            "1.2",
            true,
            true,
            false,
        ),
    ];
    if drifted {
        // A new account appeared outside the usual template; the old scratch account was deleted.
        resources.retain(|r| r.name != "ststgscratch");
        resources.push(storage(
            prod,
            "rg-prod",
            "stprodexportstmp",
            Account {
                public_blob: true,
                deny: false,
                soft_delete_days: Some(7),
                ..Account::default()
            },
        ));
    }

    // Databases of the logical servers, with their TDE state.
    let databases: Vec<Resource> = resources
        .iter()
        .filter(|r| r.r#type == "microsoft.sql/servers")
        .map(|server| sql_database(server, "orders", true))
        .collect();
    resources.extend(databases);
    for r in &mut resources {
        // Data stores carry the classification tag, except the account that appeared outside
        // the template in the drifted week.
        if r.name != "stprodexportstmp" {
            r.tags
                .insert("data-classification".into(), "confidential".into());
        }
    }
    resources.extend(estate::resources(state));
    resources.extend(governance::resources(state));

    let at = collected_at(state);
    let sources = sources(&resources, at);
    let mut inv = Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        tenant_id: TENANT_ID.to_string(),
        collected_at: at,
        subscriptions: vec![
            subscription(0, true, &[]),
            // Staging saves money on Defender for Resource Manager; in the drifted state its
            // Activity Log export was deleted too.
            subscription(1, !drifted, &["Arm"]),
            subscription(2, true, &[]),
        ],
        resources,
        identity: identity(state),
        changes: Some(directory::changes(state)),
        sources: sources
            .into_iter()
            .map(|mut s| {
                if s.name == "arm.activity_log" {
                    s.records = directory::changes(state).len() as u64;
                    s.independent_count = Some(s.records);
                }
                s
            })
            .collect(),
    };
    inv.normalise();
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_a_few_dozen_resources_over_three_subscriptions() {
        let a = inventory(DemoState::Baseline);
        assert_eq!(a, inventory(DemoState::Baseline));
        assert_eq!(a.subscriptions.len(), 3);
        assert!(a.resources.len() >= 24, "{}", a.resources.len());
    }

    /// The demo stands in for a real collection, so it carries every source the collector
    /// documents, and no other.
    #[test]
    fn demo_sources_match_the_documented_catalogue() {
        let doc = include_str!("../../../docs/SOURCES.md");
        let mut documented: Vec<&str> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
            .filter(|n| n.contains('.'))
            .collect();
        documented.sort();
        let inv = inventory(DemoState::Baseline);
        let demo: Vec<&str> = inv.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(demo, documented);
    }

    #[test]
    fn drift_changes_settings_and_resources() {
        let a = inventory(DemoState::Baseline);
        let b = inventory(DemoState::Drifted);
        assert!(b.collected_at > a.collected_at);
        let ids = |i: &Inventory| {
            i.resources
                .iter()
                .map(|r| r.name.clone())
                .collect::<Vec<_>>()
        };
        assert!(ids(&a).contains(&"ststgscratch".to_string()));
        assert!(!ids(&b).contains(&"ststgscratch".to_string()));
        assert!(ids(&b).contains(&"stprodexportstmp".to_string()));
    }

    /// `Inventory::is_normalised` agrees with `normalise` on the demo (here, where the demo
    /// lives, since `model` sits below `collect`): true exactly when normalising changes nothing.
    #[test]
    fn is_normalised_agrees_with_normalise() {
        let inv = inventory(DemoState::Baseline);
        assert!(inv.is_normalised());
        let mut n = inv.clone();
        n.normalise();
        assert_eq!(n, inv);

        let mut shuffled = inv.clone();
        shuffled.resources.reverse();
        assert!(!shuffled.is_normalised());
        let mut upper = inv.clone();
        upper.resources[0].r#type = upper.resources[0].r#type.to_ascii_uppercase();
        assert!(!upper.is_normalised());
        let mut subs = inv.clone();
        subs.subscriptions.reverse();
        assert!(!subs.is_normalised());
        let mut dup = inv.clone();
        if let Some(c) = &mut dup.changes {
            let first = c[0].clone();
            c.insert(0, first);
        }
        assert!(!dup.is_normalised());
        for mut x in [shuffled, upper, subs, dup] {
            x.normalise();
            assert!(x.is_normalised());
        }
    }
}
