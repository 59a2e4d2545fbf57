//! The rest of the demo estate: compute, backup, web, containers, databases, monitoring and
//! network plumbing, shaped like the Microsoft example payloads of each type.

use serde_json::{Value, json};

use super::{DemoState, SUBSCRIPTIONS, arm_id, resource};
use crate::model::Resource;

const WORKSPACE_RG: &str = "rg-shared";

pub(super) fn workspace_id() -> String {
    arm_id(
        SUBSCRIPTIONS[2].0,
        WORKSPACE_RG,
        "Microsoft.OperationalInsights/workspaces",
        "law-soc",
    )
}

/// Diagnostic settings sending the given log categories to the SOC workspace.
fn diagnostics(resource_id: &str, categories: &[&str]) -> Value {
    json!([{
        "id": format!("{resource_id}/providers/microsoft.insights/diagnosticSettings/to-law"),
        "name": "to-law",
        "properties": {
            "workspaceId": workspace_id(),
            "logs": categories.iter().map(|c| {
                if *c == "allLogs" || *c == "audit" {
                    json!({"categoryGroup": c, "enabled": true})
                } else {
                    json!({"category": c, "enabled": true})
                }
            }).collect::<Vec<_>>()
        }
    }])
}

fn with_sku(mut r: Resource, sku: Value) -> Resource {
    r.sku = Some(sku);
    r
}

/// A VM like `VirtualMachines_Get`, hardened or not.
fn vm(sub: &str, rg: &str, name: &str, hardened: bool) -> Resource {
    let disk_id = arm_id(
        sub,
        rg,
        "Microsoft.Compute/disks",
        &format!("{name}-osdisk"),
    );
    let mut r = resource(
        sub,
        rg,
        "Microsoft.Compute/virtualMachines",
        name,
        json!({
            "vmId": format!("{name}-0000"),
            "hardwareProfile": {"vmSize": "Standard_D2s_v5"},
            "storageProfile": {
                "osDisk": {
                    "osType": "Linux",
                    "name": format!("{name}-osdisk"),
                    "createOption": "FromImage",
                    "caching": "ReadWrite",
                    "managedDisk": {"storageAccountType": "Premium_LRS", "id": disk_id},
                    "diskSizeGB": 64
                },
                "dataDisks": []
            },
            "securityProfile": if hardened {
                json!({
                    "encryptionAtHost": true,
                    "securityType": "TrustedLaunch",
                    "uefiSettings": {"secureBootEnabled": true, "vTpmEnabled": true}
                })
            } else {
                json!({"encryptionAtHost": false})
            },
            "osProfile": {
                "computerName": name,
                "adminUsername": "azureuser",
                "linuxConfiguration": {
                    "disablePasswordAuthentication": true,
                    "patchSettings": {"patchMode": "AutomaticByPlatform", "assessmentMode": "AutomaticByPlatform"}
                }
            },
            "diagnosticsProfile": {"bootDiagnostics": {"enabled": true}}
        }),
    );
    if hardened {
        r.zones = vec!["1".into()];
    }
    r
}

fn disk(sub: &str, rg: &str, name: &str, attached: bool, private: bool) -> Resource {
    with_sku(
        resource(
            sub,
            rg,
            "Microsoft.Compute/disks",
            name,
            json!({
                "diskSizeGB": 64,
                "diskState": if attached { "Attached" } else { "Unattached" },
                "encryption": {
                    "type": "EncryptionAtRestWithCustomerKey",
                    "diskEncryptionSetId": arm_id(sub, rg, "Microsoft.Compute/diskEncryptionSets", "des-disks")
                },
                "networkAccessPolicy": if private { "DenyAll" } else { "AllowAll" },
                "publicNetworkAccess": if private { "Disabled" } else { "Enabled" },
                "dataAccessAuthMode": "AzureActiveDirectory"
            }),
        ),
        json!({"name": "Premium_LRS", "tier": "Premium"}),
    )
}

fn recovery_vault(sub: &str, rg: &str, name: &str, protected_vms: &[String]) -> Resource {
    let mut r = with_sku(
        resource(
            sub,
            rg,
            "Microsoft.RecoveryServices/vaults",
            name,
            json!({
                "publicNetworkAccess": "Disabled",
                "securitySettings": {
                    "softDeleteSettings": {"softDeleteState": "AlwaysON", "softDeleteRetentionPeriodInDays": 14},
                    "immutabilitySettings": {"state": "Unlocked"},
                    "multiUserAuthorization": "Enabled"
                },
                "monitoringSettings": {
                    "azureMonitorAlertSettings": {"alertsForAllJobFailures": "Enabled"},
                    "classicAlertSettings": {"alertsForCriticalOperations": "Disabled"}
                },
                "redundancySettings": {
                    "standardTierStorageRedundancy": "GeoRedundant",
                    "crossRegionRestore": "Enabled"
                }
            }),
        ),
        json!({"name": "RS0", "tier": "Standard"}),
    );
    r.children.insert(
        "backupPolicies".into(),
        json!([{
            "id": format!("{}/backupPolicies/DailyPolicy", r.id),
            "name": "DailyPolicy",
            "type": "Microsoft.RecoveryServices/vaults/backupPolicies",
            "properties": {
                "backupManagementType": "AzureIaasVM",
                "schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicy", "scheduleRunFrequency": "Daily", "scheduleRunTimes": ["2026-01-01T02:00:00Z"]},
                "retentionPolicy": {
                    "retentionPolicyType": "LongTermRetentionPolicy",
                    "dailySchedule": {"retentionTimes": ["2026-01-01T02:00:00Z"], "retentionDuration": {"count": 30, "durationType": "Days"}}
                },
                "timeZone": "UTC"
            }
        }]),
    );
    r.children.insert(
        "backupProtectedItems".into(),
        Value::Array(
            protected_vms
                .iter()
                .map(|vm| {
                    json!({
                        "id": format!("{}/backupFabrics/Azure/protectionContainers/c/protectedItems/vm", r.id),
                        "name": "vm",
                        "type": "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems",
                        "properties": {
                            "protectedItemType": "Microsoft.Compute/virtualMachines",
                            "sourceResourceId": vm,
                            "virtualMachineId": vm,
                            "protectionState": "Protected",
                            "policyId": format!("{}/backupPolicies/DailyPolicy", r.id)
                        }
                    })
                })
                .collect(),
        ),
    );
    r.children.insert(
        "diagnosticSettings".into(),
        diagnostics(&r.id.clone(), &["allLogs"]),
    );
    r
}

fn web_app(sub: &str, rg: &str, name: &str, hardened: bool) -> Resource {
    let mut r = resource(
        sub,
        rg,
        "Microsoft.Web/sites",
        name,
        json!({
            "state": "Running",
            "httpsOnly": hardened,
            "clientCertEnabled": hardened,
            "publicNetworkAccess": if hardened { "Disabled" } else { "Enabled" },
            "defaultHostName": format!("{name}.azurewebsites.net")
        }),
    );
    r.kind = Some("app,linux".into());
    r.identity = hardened.then(|| json!({"type": "SystemAssigned", "principalId": "5a6b7c8d-0000-4000-8000-00000000a001", "tenantId": super::TENANT_ID}));
    r.children.insert(
        "config/web".into(),
        json!({
            "id": format!("{}/config/web", r.id),
            "name": "web",
            "type": "Microsoft.Web/sites/config",
            "properties": {
                "minTlsVersion": if hardened { "1.2" } else { "1.0" },
                "scmMinTlsVersion": "1.2",
                "ftpsState": if hardened { "Disabled" } else { "AllAllowed" },
                "remoteDebuggingEnabled": !hardened,
                "http20Enabled": hardened,
                "alwaysOn": true,
                "appSettings": null
            }
        }),
    );
    r.children.insert(
        "config/authsettingsV2".into(),
        json!({
            "id": format!("{}/config/authsettingsV2", r.id),
            "name": "authsettingsV2",
            "properties": {"platform": {"enabled": hardened}, "globalValidation": {"requireAuthentication": hardened}}
        }),
    );
    r.children.insert(
        "diagnosticSettings".into(),
        if hardened {
            diagnostics(
                &r.id.clone(),
                &["AppServiceHTTPLogs", "AppServiceAuditLogs"],
            )
        } else {
            json!([])
        },
    );
    r
}

fn aks(sub: &str, rg: &str, name: &str) -> Resource {
    let mut r = resource(
        sub,
        rg,
        "Microsoft.ContainerService/managedClusters",
        name,
        json!({
            "kubernetesVersion": "1.31.3",
            "enableRBAC": true,
            "disableLocalAccounts": true,
            "aadProfile": {"managed": true, "enableAzureRBAC": true},
            "networkProfile": {"networkPlugin": "azure", "networkPolicy": "azure"},
            "apiServerAccessProfile": {"enablePrivateCluster": true},
            "autoUpgradeProfile": {"upgradeChannel": "patch"},
            "securityProfile": {"defender": {"securityMonitoring": {"enabled": true}}},
            "diskEncryptionSetID": arm_id(sub, rg, "Microsoft.Compute/diskEncryptionSets", "des-prod"),
            "addonProfiles": {"azurepolicy": {"enabled": true}}
        }),
    );
    r.children.insert(
        "diagnosticSettings".into(),
        diagnostics(&r.id.clone(), &["kube-audit-admin", "guard"]),
    );
    r
}

fn registry(sub: &str, rg: &str, name: &str) -> Resource {
    with_sku(
        resource(
            sub,
            rg,
            "Microsoft.ContainerRegistry/registries",
            name,
            json!({
                "adminUserEnabled": false,
                "publicNetworkAccess": "Disabled",
                "anonymousPullEnabled": false,
                "zoneRedundancy": "Enabled",
                "encryption": {"status": "enabled", "keyVaultProperties": {"keyIdentifier": "https://kv-shared-cicd.vault.azure.net/keys/acr-cmk", "identity": "acr-identity"}},
                "policies": {
                    "retentionPolicy": {"days": 30, "status": "enabled"},
                    "trustPolicy": {"type": "Notary", "status": "enabled"},
                    "exportPolicy": {"status": "disabled"}
                }
            }),
        ),
        json!({"name": "Premium", "tier": "Premium"}),
    )
}

fn flexible_server(
    sub: &str,
    rg: &str,
    ty: &str,
    name: &str,
    secure: bool,
    config: &[(&str, &str)],
) -> Resource {
    let mut r = resource(
        sub,
        rg,
        ty,
        name,
        json!({
            "version": "16",
            "state": "Ready",
            "network": {"publicNetworkAccess": if secure { "Disabled" } else { "Enabled" }},
            "backup": {"backupRetentionDays": if secure { 35 } else { 7 }, "geoRedundantBackup": if secure { "Enabled" } else { "Disabled" }},
            "highAvailability": {"mode": if secure { "ZoneRedundant" } else { "Disabled" }},
            "authConfig": {"activeDirectoryAuth": if secure { "Enabled" } else { "Disabled" }, "passwordAuth": if secure { "Disabled" } else { "Enabled" }}
        }),
    );
    r.children.insert(
        "configurations".into(),
        Value::Array(
            config
                .iter()
                .map(|(k, v)| json!({"name": k, "properties": {"value": v, "source": "user-override"}}))
                .collect(),
        ),
    );
    r
}

fn cosmos(sub: &str, rg: &str, name: &str) -> Resource {
    resource(
        sub,
        rg,
        "Microsoft.DocumentDB/databaseAccounts",
        name,
        json!({
            "databaseAccountOfferType": "Standard",
            "publicNetworkAccess": "Disabled",
            "isVirtualNetworkFilterEnabled": true,
            "ipRules": [],
            "disableLocalAuth": true,
            "disableKeyBasedMetadataWriteAccess": true,
            "minimalTlsVersion": "Tls12",
            "keyVaultKeyUri": "https://kv-prod-payments.vault.azure.net/keys/cosmos-cmk",
            "privateEndpointConnections": [{"id": "pe-cosmos", "properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}}],
            "enableAutomaticFailover": true,
            "locations": [{"locationName": "West Europe", "failoverPriority": 0}, {"locationName": "North Europe", "failoverPriority": 1}],
            "backupPolicy": {"type": "Continuous", "continuousModeProperties": {"tier": "Continuous30Days"}}
        }),
    )
}

fn redis(sub: &str, rg: &str, name: &str) -> Resource {
    resource(
        sub,
        rg,
        "Microsoft.Cache/redis",
        name,
        json!({
            "sku": {"name": "Premium", "family": "P", "capacity": 1},
            "enableNonSslPort": false,
            "disableAccessKeyAuthentication": true,
            "minimumTlsVersion": "1.2",
            "publicNetworkAccess": "Disabled"
        }),
    )
}

fn network_watcher(sub: &str) -> Resource {
    resource(
        sub,
        "NetworkWatcherRG",
        "Microsoft.Network/networkWatchers",
        "NetworkWatcher_westeurope",
        json!({}),
    )
}

fn flow_log(sub: &str, nsg_id: &str, name: &str) -> Resource {
    resource(
        sub,
        "NetworkWatcherRG",
        "Microsoft.Network/networkWatchers/flowLogs",
        &format!("NetworkWatcher_westeurope/{name}"),
        json!({
            "targetResourceId": nsg_id,
            "enabled": true,
            "storageId": arm_id(SUBSCRIPTIONS[2].0, "rg-shared", "Microsoft.Storage/storageAccounts", "stshareddiag"),
            "retentionPolicy": {"days": 90, "enabled": true},
            "format": {"type": "JSON", "version": 2},
            "flowAnalyticsConfiguration": {"networkWatcherFlowAnalyticsConfiguration": {"enabled": true, "workspaceResourceId": workspace_id()}}
        }),
    )
}

fn vnet(sub: &str, rg: &str, name: &str, cidr: &str) -> Resource {
    resource(
        sub,
        rg,
        "Microsoft.Network/virtualNetworks",
        name,
        json!({
            "addressSpace": {"addressPrefixes": [cidr]},
            "subnets": [],
            "enableDdosProtection": true,
            "ddosProtectionPlan": {"id": arm_id(SUBSCRIPTIONS[2].0, "rg-shared", "Microsoft.Network/ddosProtectionPlans", "ddos-hub")}
        }),
    )
}

fn public_ip(sub: &str, rg: &str, name: &str, sku: &str) -> Resource {
    with_sku(
        resource(
            sub,
            rg,
            "Microsoft.Network/publicIPAddresses",
            name,
            json!({"publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4", "ipAddress": "203.0.113.50"}),
        ),
        json!({"name": sku, "tier": "Regional"}),
    )
}

fn bastion(sub: &str, rg: &str, name: &str) -> Resource {
    with_sku(
        resource(
            sub,
            rg,
            "Microsoft.Network/bastionHosts",
            name,
            json!({"disableCopyPaste": false, "enableTunneling": true}),
        ),
        json!({"name": "Standard"}),
    )
}

fn workspace() -> Resource {
    resource(
        SUBSCRIPTIONS[2].0,
        WORKSPACE_RG,
        "Microsoft.OperationalInsights/workspaces",
        "law-soc",
        json!({"sku": {"name": "PerGB2018"}, "retentionInDays": 365, "publicNetworkAccessForIngestion": "Enabled"}),
    )
}

/// Compute, data, web and network plumbing for the three subscriptions.
pub(super) fn resources(state: DemoState) -> Vec<Resource> {
    let drifted = state == DemoState::Drifted;
    let [prod, stg, shared] = SUBSCRIPTIONS.map(|(id, _)| id);
    let prod_vm = vm(prod, "rg-prod", "vm-prod-app-01", true);
    let stg_vm = vm(stg, "rg-staging", "vm-stg-jump", true);
    let protected = vec![prod_vm.id.clone(), stg_vm.id.clone()];
    let nsg = |sub: &str, rg: &str, name: &str| {
        arm_id(sub, rg, "Microsoft.Network/networkSecurityGroups", name)
    };

    let mut out = vec![
        prod_vm,
        stg_vm,
        disk(prod, "rg-prod", "vm-prod-app-01-osdisk", true, true),
        disk(stg, "rg-staging", "vm-stg-jump-osdisk", true, true),
        disk(stg, "rg-staging", "disk-stg-old-data", false, true),
        recovery_vault(shared, "rg-shared", "rsv-shared-backup", &protected),
        web_app(prod, "rg-prod", "app-prod-portal", true),
        web_app(stg, "rg-staging", "app-stg-portal", true),
        aks(prod, "rg-prod", "aks-prod"),
        registry(shared, "rg-shared", "acrsharedcontoso"),
        flexible_server(
            prod,
            "rg-prod",
            "Microsoft.DBforPostgreSQL/flexibleServers",
            "psql-prod-orders",
            true,
            &[
                ("require_secure_transport", "on"),
                ("ssl_min_protocol_version", "TLSv1.2"),
                ("log_checkpoints", "on"),
                ("log_connections", "on"),
                ("log_disconnections", "on"),
                ("connection_throttle.enable", "on"),
                ("logfiles.retention_days", "7"),
            ],
        ),
        flexible_server(
            stg,
            "rg-staging",
            "Microsoft.DBforMySQL/flexibleServers",
            "mysql-stg-legacy",
            true,
            &[
                ("require_secure_transport", "ON"),
                ("tls_version", "TLSv1.2"),
                ("audit_log_enabled", "ON"),
                ("audit_log_events", "CONNECTION,ADMIN,DDL"),
            ],
        ),
        cosmos(prod, "rg-prod", "cosmos-prod-catalog"),
        redis(prod, "rg-prod", "redis-prod-sessions"),
        network_watcher(prod),
        network_watcher(stg),
        network_watcher(shared),
        flow_log(
            prod,
            &nsg(prod, "rg-prod", "nsg-prod-web"),
            "fl-nsg-prod-web",
        ),
        flow_log(
            prod,
            &nsg(prod, "rg-prod", "nsg-prod-app"),
            "fl-nsg-prod-app",
        ),
        flow_log(
            prod,
            &nsg(prod, "rg-prod", "nsg-prod-data"),
            "fl-nsg-prod-data",
        ),
        flow_log(
            stg,
            &nsg(stg, "rg-staging", "nsg-stg-web"),
            "fl-nsg-stg-web",
        ),
        flow_log(
            stg,
            &nsg(stg, "rg-staging", "nsg-stg-jump"),
            "fl-nsg-stg-jump",
        ),
        flow_log(
            stg,
            &nsg(stg, "rg-staging", "nsg-stg-app"),
            "fl-nsg-stg-app",
        ),
        flow_log(
            shared,
            &nsg(shared, "rg-shared", "nsg-shared-bastion"),
            "fl-nsg-shared-bastion",
        ),
        flow_log(
            shared,
            &nsg(shared, "rg-shared", "nsg-shared-dns"),
            "fl-nsg-shared-dns",
        ),
        flow_log(
            shared,
            &nsg(shared, "rg-shared", "nsg-shared-mgmt"),
            "fl-nsg-shared-mgmt",
        ),
        bastion(prod, "rg-prod", "bas-prod"),
        bastion(stg, "rg-staging", "bas-staging"),
        vnet(prod, "rg-prod", "vnet-prod", "10.10.0.0/16"),
        vnet(stg, "rg-staging", "vnet-staging", "10.20.0.0/16"),
        vnet(shared, "rg-shared", "vnet-hub", "10.0.0.0/16"),
        public_ip(prod, "rg-prod", "pip-prod-agw", "Standard"),
        public_ip(
            stg,
            "rg-staging",
            "pip-stg-jump",
            if drifted { "Basic" } else { "Standard" },
        ),
        workspace(),
    ];
    for r in &mut out {
        // Every data store carries the classification tag.
        r.tags
            .insert("data-classification".into(), "confidential".into());
    }
    out
}
