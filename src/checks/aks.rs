//! Azure Kubernetes Service checks (`Microsoft.ContainerService/managedClusters`): Kubernetes
//! RBAC and Entra integration, static credentials, API server and pod network exposure,
//! upgrades, Defender and Azure Policy, disk encryption and audit logging.
//!
//! AKS leaves optional profiles out of the cluster body until they are configured, and Azure
//! documents what their absence means (no `aadProfile`: no Entra integration; no
//! `apiServerAccessProfile`: a public API server open to every address; no
//! `networkProfile.networkPolicy`: no network policy engine; no `autoUpgradeProfile`: channel
//! `none`; no Defender profile or `azurepolicy` add-on: not deployed; no `diskEncryptionSetID`:
//! platform-managed keys; `disableLocalAccounts` defaults to false). Those checks therefore fail
//! on absence, saying so; a cluster whose properties were not collected at all is an error.

use serde_json::Value;

use super::monitor::{
    LogSelector, destinations, enabled_logs, fail_unless_unreadable, setting_name, settings_list,
    summarise,
};
use super::netset;
use super::props;
use super::{Check, CheckMeta, Eval, Severity, Verdict, require_bool};
use crate::model::Resource;

const TYPE: &str = "microsoft.containerservice/managedclusters";
const RG: &str = "resource_graph.resources";
const DIAG: &str = "arm.diagnostic_settings";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "aks_rbac_enabled",
            title: "AKS clusters have Kubernetes RBAC enabled",
            service: "aks",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.3"],
            cis: &[],
            policies: &["ac4a19c2-fa67-49b4-8ae5-0b2e78c49457"],
            description: "Passes when properties.enableRBAC is true; false fails; absent is an \
                          error.",
            rationale: "Without Kubernetes RBAC every authenticated user has full control of the \
                        cluster; RBAC is what lets access be granted by role and least privilege \
                        (CC6.1, CC6.3).",
            remediation: "Kubernetes RBAC cannot be switched on in place: recreate the cluster (RBAC \
                          is on unless --disable-rbac is given) and redeploy workloads. CLI: az aks \
                          create -g <rg> -n <cluster> --enable-aad --enable-azure-rbac",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, rbac_enabled),
    },
    Check {
        meta: CheckMeta {
            id: "aks_entra_integration",
            title: "AKS clusters use AKS-managed Microsoft Entra integration",
            service: "aks",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.aadProfile.managed is true. A cluster without \
                          aadProfile (Azure omits it when Entra integration is off) fails, and so \
                          does the legacy integration (managed false); a cluster whose properties \
                          were not collected is an error. Entra admin group ids and whether Azure \
                          RBAC authorises Kubernetes calls are recorded. Since catalogue 2026.12.0: absent properties.aadProfile.managed is its documented default (false) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Entra integration makes cluster users directory identities with MFA, \
                        conditional access and central disablement, instead of certificates that \
                        cannot be revoked per user (CC6.1, CC6.2).",
            remediation: "Portal: Kubernetes service > Settings > Security configuration > \
                          Authentication and Authorization = Microsoft Entra ID authentication with \
                          Azure RBAC (or Kubernetes RBAC). CLI: az aks update -g <rg> -n <cluster> \
                          --enable-aad --aad-admin-group-object-ids <group-id>",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, entra_integration),
    },
    Check {
        meta: CheckMeta {
            id: "aks_local_accounts_disabled",
            title: "AKS clusters disable local (static credential) accounts",
            service: "aks",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.disableLocalAccounts is true. false fails, and so \
                          does absence, which Azure documents as the default (local accounts \
                          enabled); a cluster whose properties were not collected is an error. Since catalogue 2026.12.0: absent properties.disableLocalAccounts is its documented default (false) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "The local cluster-admin credential is a shared static secret outside the \
                        directory: it cannot be tied to a person or revoked on departure, and it \
                        bypasses Entra controls (CC6.1, CC6.2).",
            remediation: "Portal: Kubernetes service > Settings > Security configuration > Local \
                          accounts = Disabled (needs Entra integration). CLI: az aks update -g <rg> \
                          -n <cluster> --disable-local-accounts",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, local_accounts_disabled),
    },
    Check {
        meta: CheckMeta {
            id: "aks_network_policy",
            title: "AKS clusters enforce Kubernetes network policies",
            service: "aks",
            severity: Severity::Medium,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.networkProfile.networkPolicy is azure, calico or \
                          cilium. none fails, and so does absence, which Azure documents as no \
                          network policy engine; a cluster without networkProfile, or whose \
                          properties were not collected, is an error. Since catalogue 2026.12.0: absent properties.networkProfile.networkPolicy is its documented default (none) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Without a policy engine every pod can reach every other pod, so one \
                        compromised workload can reach the rest; network policies restrict that \
                        access (CC6.1).",
            remediation: "Portal: Kubernetes service > Settings > Networking > Network policy. CLI: \
                          az aks update -g <rg> -n <cluster> --network-policy azure (or cilium, \
                          calico), then define NetworkPolicy objects per namespace",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, network_policy),
    },
    Check {
        meta: CheckMeta {
            id: "aks_api_server_restricted",
            title: "AKS API servers are private or limited to authorised IP ranges",
            service: "aks",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.apiServerAccessProfile.enablePrivateCluster is \
                          true, or authorizedIPRanges lists ranges that together do not cover \
                          every public IPv4 or IPv6 address. Otherwise \
                          fails, including when apiServerAccessProfile is absent, which Azure \
                          documents as a public API server reachable from any address; a cluster \
                          whose properties were not collected, or a range that cannot be read, \
                          is an error. Since catalogue 2026.12.0: ranges are judged by their \
                          union (0.0.0.0/1 with 128.0.0.0/1 fails like 0.0.0.0/0), and an \
                          unreadable range is an error; absent properties.apiServerAccessProfile.enablePrivateCluster is \
                          its documented default (false) (docs/ABSENT_FIELDS.md), and a resource \
                          returned without its properties is an error.",
            rationale: "The Kubernetes API controls every workload and secret in the cluster; \
                        exposing it to the whole internet invites credential attacks and \
                        exploitation (CC6.6).",
            remediation: "Portal: Kubernetes service > Settings > Networking > API server authorized \
                          IP ranges (or create a private cluster). CLI: az aks update -g <rg> -n \
                          <cluster> --api-server-authorized-ip-ranges <cidr1>,<cidr2>",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, api_server_restricted),
    },
    Check {
        meta: CheckMeta {
            id: "aks_auto_upgrade_channel",
            title: "AKS clusters have an automatic upgrade channel",
            service: "aks",
            severity: Severity::Medium,
            criteria: &["CC7.1"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.autoUpgradeProfile.upgradeChannel is patch, \
                          stable, rapid or node-image. none fails, and so does absence, which Azure \
                          documents as channel none; a cluster whose properties were not collected is \
                          an error. The node OS upgrade channel is recorded. Since catalogue 2026.12.0: absent properties.autoUpgradeProfile.upgradeChannel is its documented default (none) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Kubernetes and node images receive security fixes continually; an automatic \
                        channel applies them without depending on someone remembering to, which \
                        addresses newly discovered vulnerabilities (CC7.1).",
            remediation: "Portal: Kubernetes service > Settings > Cluster configuration > Automatic \
                          upgrade. CLI: az aks update -g <rg> -n <cluster> --auto-upgrade-channel \
                          patch",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, auto_upgrade_channel),
    },
    Check {
        meta: CheckMeta {
            id: "aks_defender_enabled",
            title: "AKS clusters have the Microsoft Defender for Containers profile",
            service: "aks",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &[],
            policies: &["a1840de2-8088-4ea8-b153-b4c723e9cb01"],
            description: "Passes when properties.securityProfile.defender.securityMonitoring.enabled \
                          is true. false fails, and so does an absent Defender profile (not \
                          deployed); a cluster whose properties were not collected is an error. Since catalogue 2026.12.0: absent properties.securityProfile.defender.securityMonitoring.enabled is off (false) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "The Defender sensor collects runtime events from the nodes and raises alerts \
                        on attacks against workloads and the cluster (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > subscription \
                          > Containers = On (Defender sensor). CLI: az aks update -g <rg> -n \
                          <cluster> --enable-defender",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, defender_enabled),
    },
    Check {
        meta: CheckMeta {
            id: "aks_azure_policy_addon",
            title: "AKS clusters run the Azure Policy add-on",
            service: "aks",
            severity: Severity::Medium,
            criteria: &["CC6.8", "CC8.1"],
            cis: &[],
            policies: &["0a15ec92-a229-4763-bb14-0ea34a568f8d"],
            description: "Passes when properties.addonProfiles.azurepolicy.enabled is true (the key \
                          is matched without regard to case). false fails, and so does an absent \
                          add-on (not installed); a cluster whose properties were not collected is an \
                          error.",
            rationale: "The add-on enforces admission policies (no privileged containers, approved \
                        images and registries) at deployment time, preventing unauthorised or \
                        unsafe software from running (CC6.8) and holding changes to the defined \
                        baseline (CC8.1).",
            remediation: "Portal: Kubernetes service > Settings > Policies > Enable add-on. CLI: az \
                          aks enable-addons -g <rg> -n <cluster> --addons azure-policy",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, azure_policy_addon),
    },
    Check {
        meta: CheckMeta {
            id: "aks_disk_encryption_set",
            title: "AKS node disks are encrypted with a customer-managed key",
            service: "aks",
            severity: Severity::Low,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.diskEncryptionSetID names a disk encryption set. \
                          Absence, which means platform-managed keys, fails; a cluster whose \
                          properties were not collected is an error.",
            rationale: "A disk encryption set ties node OS and data disk encryption to a key the \
                        entity controls and can revoke (CC6.1). Low severity: the disks are \
                        encrypted with platform keys regardless.",
            remediation: "The disk encryption set is chosen at cluster creation. CLI: az aks create \
                          -g <rg> -n <cluster> --node-osdisk-diskencryptionset-id <des-id> (new \
                          cluster, then migrate workloads)",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, disk_encryption_set),
    },
    Check {
        meta: CheckMeta {
            id: "aks_audit_logs_enabled",
            title: "AKS control-plane audit logs are sent to a log destination",
            service: "aks",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &[],
            policies: &[],
            description: "Reads the cluster's diagnostic settings (ARM Microsoft.Insights/\
                          diagnosticSettings on the cluster). Passes when a setting with a \
                          destination has an enabled kube-audit or kube-audit-admin category, or the \
                          audit or allLogs category group. No such setting fails; settings not \
                          collected is an error.",
            rationale: "The Kubernetes audit log records every call to the API server: who created, \
                        changed or read what. It is the primary trail for detecting and \
                        investigating misuse of the cluster (CC7.2).",
            remediation: "Portal: Kubernetes service > Monitoring > Diagnostic settings > Add \
                          diagnostic setting; select kube-audit-admin (or the audit group) and a Log \
                          Analytics workspace. CLI: az monitor diagnostic-settings create -n \
                          aks-audit --resource <cluster-id> --workspace <workspace-id> --logs \
                          '[{\"category\":\"kube-audit-admin\",\"enabled\":true}]'",
            sources: &[RG, DIAG],
        },
        eval: Eval::Resource(TYPE, audit_logs),
    },
];

/// A cluster body without a properties object is a collection gap, not evidence about any
/// optional profile.
fn collected(r: &Resource) -> Result<(), Verdict> {
    if props::body_present(r) {
        Ok(())
    } else {
        Err(Verdict::error(
            "the cluster's properties were not collected",
        ))
    }
}

fn rbac_enabled(r: &Resource) -> Verdict {
    match require_bool(r, "/enableRBAC") {
        Ok(true) => Verdict::pass("Kubernetes RBAC is enabled"),
        Ok(false) => Verdict::fail("Kubernetes RBAC is disabled"),
        Err(v) => return v,
    }
    .observe_prop("properties.enableRBAC", r, "/enableRBAC")
}

fn entra_integration(r: &Resource) -> Verdict {
    let key = "properties.aadProfile.managed";
    if let Err(v) = collected(r) {
        return v.observe(key, None);
    }
    let managed = props::value(r, "/aadProfile/managed");
    let v = match (props::value(r, "/aadProfile"), managed) {
        (None, _) => Verdict::fail("Microsoft Entra integration is not configured (no aadProfile)"),
        (Some(_), Some(Value::Bool(true))) => {
            Verdict::pass("AKS-managed Microsoft Entra integration is enabled")
        }
        (Some(_), Some(Value::Bool(false)) | None) => {
            Verdict::fail("the cluster uses the legacy (not AKS-managed) Entra integration")
        }
        (Some(_), Some(other)) => Verdict::error(format!("{key} has unexpected value {other}")),
    };
    v.observe(key, managed)
        .observe_prop(
            "properties.aadProfile.enableAzureRBAC",
            r,
            "/aadProfile/enableAzureRBAC",
        )
        .observe_prop(
            "properties.aadProfile.adminGroupObjectIDs",
            r,
            "/aadProfile/adminGroupObjectIDs",
        )
}

fn local_accounts_disabled(r: &Resource) -> Verdict {
    let key = "properties.disableLocalAccounts";
    if let Err(v) = collected(r) {
        return v.observe(key, None);
    }
    let value = props::value(r, "/disableLocalAccounts");
    match value {
        Some(Value::Bool(true)) => Verdict::pass("local accounts are disabled"),
        Some(Value::Bool(false)) => Verdict::fail("local accounts are enabled"),
        None => Verdict::fail(
            "disableLocalAccounts is not set; Azure documents the default as false (local \
             accounts enabled)",
        ),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe_prop(key, r, "/disableLocalAccounts")
}

fn network_policy(r: &Resource) -> Verdict {
    let key = "properties.networkProfile.networkPolicy";
    if let Err(v) = collected(r) {
        return v.observe(key, None);
    }
    if props::value(r, "/networkProfile").is_none() {
        return Verdict::error("properties.networkProfile is not present in the collected data")
            .observe(key, None);
    }
    let policy = props::value(r, "/networkProfile/networkPolicy");
    match policy {
        Some(Value::String(p))
            if ["azure", "calico", "cilium"]
                .iter()
                .any(|ok| ok.eq_ignore_ascii_case(p)) =>
        {
            Verdict::pass(format!("network policies are enforced by {p}"))
        }
        Some(Value::String(p)) => Verdict::fail(format!("network policy is {p}")),
        None => Verdict::fail(
            "no network policy engine (networkPolicy absent, which Azure documents as none)",
        ),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe_prop(key, r, "/networkProfile/networkPolicy")
    .observe_prop(
        "properties.networkProfile.networkPlugin",
        r,
        "/networkProfile/networkPlugin",
    )
}

fn api_server_restricted(r: &Resource) -> Verdict {
    if let Err(v) = collected(r) {
        return v;
    }
    let private = props::value(r, "/apiServerAccessProfile/enablePrivateCluster");
    let ranges = props::value(r, "/apiServerAccessProfile/authorizedIPRanges");
    let listed: Vec<&str> = ranges
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    // The ranges are judged by what they cover together, not by spotting a "/0".
    let open = netset::parse_addresses(listed.iter().copied()).map(|s| s.internet_families());
    let v = if private.and_then(Value::as_bool) == Some(true) {
        Verdict::pass("the API server is private")
    } else if let Err(e) = &open {
        Verdict::error(format!(
            "properties.apiServerAccessProfile.authorizedIPRanges cannot be read: {e}"
        ))
    } else if let Ok(families) = &open
        && !families.is_empty()
    {
        Verdict::fail(format!(
            "the authorised IP ranges together cover every public {} address",
            families.join(" and ")
        ))
    } else if !listed.is_empty() {
        Verdict::pass(format!(
            "the API server admits {} authorised IP range(s)",
            listed.len()
        ))
    } else if props::value(r, "/apiServerAccessProfile").is_none() {
        Verdict::fail(
            "no apiServerAccessProfile: the API server is public and admits every address",
        )
    } else {
        Verdict::fail("the API server is public and no authorised IP range is set")
    };
    v.observe(
        "properties.apiServerAccessProfile.enablePrivateCluster",
        private,
    )
    .observe(
        "properties.apiServerAccessProfile.authorizedIPRanges",
        ranges,
    )
}

fn auto_upgrade_channel(r: &Resource) -> Verdict {
    let key = "properties.autoUpgradeProfile.upgradeChannel";
    if let Err(v) = collected(r) {
        return v.observe(key, None);
    }
    let channel = props::value(r, "/autoUpgradeProfile/upgradeChannel");
    match channel {
        Some(Value::String(c))
            if ["patch", "stable", "rapid", "node-image"]
                .iter()
                .any(|ok| ok.eq_ignore_ascii_case(c)) =>
        {
            Verdict::pass(format!("automatic upgrades follow the {c} channel"))
        }
        Some(Value::String(c)) => Verdict::fail(format!("the automatic upgrade channel is {c}")),
        None => Verdict::fail(
            "no automatic upgrade channel (autoUpgradeProfile absent, which Azure documents as \
             none)",
        ),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe_prop(key, r, "/autoUpgradeProfile/upgradeChannel")
    .observe_prop(
        "properties.autoUpgradeProfile.nodeOSUpgradeChannel",
        r,
        "/autoUpgradeProfile/nodeOSUpgradeChannel",
    )
}

fn defender_enabled(r: &Resource) -> Verdict {
    let key = "properties.securityProfile.defender.securityMonitoring.enabled";
    if let Err(v) = collected(r) {
        return v.observe(key, None);
    }
    let enabled = props::value(r, "/securityProfile/defender/securityMonitoring/enabled");
    match enabled {
        Some(Value::Bool(true)) => Verdict::pass("the Defender profile is enabled"),
        Some(Value::Bool(false)) => Verdict::fail("the Defender profile is disabled"),
        None => Verdict::fail("no Defender profile is deployed on the cluster"),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe_prop(
        key,
        r,
        "/securityProfile/defender/securityMonitoring/enabled",
    )
}

/// An add-on profile (`properties.addonProfiles.<name>`), the rows of its fields.
const ADDON: &str = "microsoft.containerservice/managedclusters#addonProfiles";

fn azure_policy_addon(r: &Resource) -> Verdict {
    let key = "properties.addonProfiles.azurepolicy.enabled";
    if let Err(v) = collected(r) {
        return v.observe(key, None);
    }
    // Resource Graph and ARM have spelled the add-on key both `azurepolicy` and `azurePolicy`.
    let addon = props::value(r, "/addonProfiles")
        .and_then(Value::as_object)
        .and_then(|m| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("azurepolicy"))
                .map(|(_, v)| v)
        });
    let enabled = addon.and_then(|a| props::object_value(ADDON, a, "/enabled"));
    match enabled {
        Some(Value::Bool(true)) => Verdict::pass("the Azure Policy add-on is enabled"),
        Some(Value::Bool(false)) => Verdict::fail("the Azure Policy add-on is disabled"),
        None if addon.is_some() => Verdict::error(format!(
            "the Azure Policy add-on is listed, but {key} is not present in the collected data"
        )),
        None => Verdict::fail("the Azure Policy add-on is not installed"),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe(key, enabled)
}

fn disk_encryption_set(r: &Resource) -> Verdict {
    let key = "properties.diskEncryptionSetID";
    if let Err(v) = collected(r) {
        return v.observe(key, None);
    }
    let id = props::value(r, "/diskEncryptionSetID");
    match id.and_then(Value::as_str).map(str::trim) {
        Some(des) if !des.is_empty() => {
            Verdict::pass("node disks use a disk encryption set (customer-managed key)")
        }
        _ => Verdict::fail("no disk encryption set: node disks use platform-managed keys"),
    }
    .observe(key, id)
}

fn audit_logs(r: &Resource) -> Verdict {
    let key = "diagnosticSettings";
    let Some(body) = r.child(key) else {
        return Verdict::error("diagnostic settings (diagnosticSettings) were not collected")
            .observe(key, None);
    };
    let Some(settings) = settings_list(body) else {
        return Verdict::error(format!("diagnosticSettings has unexpected value {body}"))
            .observe(key, Some(body));
    };
    let covers = |sel: LogSelector<'_>| match sel {
        LogSelector::Category(c) => {
            c.eq_ignore_ascii_case("kube-audit") || c.eq_ignore_ascii_case("kube-audit-admin")
        }
        LogSelector::Group(g) => {
            g.eq_ignore_ascii_case("audit") || g.eq_ignore_ascii_case("allLogs")
        }
    };
    let sending: Vec<&str> = settings
        .iter()
        .filter(|s| !destinations(s).is_empty() && enabled_logs(s).into_iter().any(covers))
        .map(setting_name)
        .collect();
    let v = if !sending.is_empty() {
        Verdict::pass(format!(
            "Kubernetes audit logs are sent to a destination by: {}",
            sending.join(", ")
        ))
    } else if settings.is_empty() {
        Verdict::fail("the cluster has no diagnostic setting")
    } else {
        fail_unless_unreadable(
            settings,
            Verdict::fail("no diagnostic setting sends Kubernetes audit logs to a destination"),
        )
    };
    v.observe_value(key, Value::Array(settings.iter().map(summarise).collect()))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{
        eval_resource, fixture, fixture_resource, set_prop, without_body,
    };
    use crate::model::Resource;

    /// clustername1: enableRBAC false, kubenet without network policy, a disk encryption set, and
    /// none of aadProfile, disableLocalAccounts, apiServerAccessProfile, autoUpgradeProfile,
    /// securityProfile or addonProfiles.
    const LIST: &str = "aks/managed_clusters_list.2025-05-01.json";
    const DIAG: &str = "monitor/diagnostic_settings_list_resource.2021-05-01-preview.json";

    fn cluster() -> Resource {
        fixture_resource(LIST, 0)
    }
    fn cluster_with(pointer: &str, value: Value) -> Resource {
        let mut r = cluster();
        set_prop(&mut r, pointer, value);
        r
    }
    /// Properties not collected: the only missing-data case for checks whose absent profile is
    /// documented as "off".
    fn uncollected() -> Resource {
        let mut r = cluster();
        r.properties = Value::Null;
        r
    }
    fn assert_uncollected(id: &str) {
        let v = eval_resource(id, &uncollected());
        assert_eq!(v.status, S::Error, "{id}");
        assert!(v.reason.contains("not collected"), "{}", v.reason);
    }

    #[test]
    fn aks_rbac_enabled_pass() {
        let v = eval_resource(
            "aks_rbac_enabled",
            &cluster_with("/enableRBAC", json!(true)),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn aks_rbac_enabled_fail() {
        let v = eval_resource("aks_rbac_enabled", &cluster());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "Kubernetes RBAC is disabled")
        );
        assert_eq!(v.observed["properties.enableRBAC"], json!(false));
    }
    #[test]
    fn aks_rbac_enabled_missing() {
        let v = eval_resource(
            "aks_rbac_enabled",
            &cluster_with("/enableRBAC", Value::Null),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("enableRBAC"));
    }

    #[test]
    fn aks_entra_integration_pass() {
        let r = cluster_with(
            "/aadProfile",
            json!({"managed": true, "enableAzureRBAC": true, "adminGroupObjectIDs": ["g1"]}),
        );
        let v = eval_resource("aks_entra_integration", &r);
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["properties.aadProfile.adminGroupObjectIDs"],
            json!(["g1"])
        );
    }
    #[test]
    fn aks_entra_integration_fail() {
        let v = eval_resource("aks_entra_integration", &cluster());
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("no aadProfile"));
        let r = cluster_with("/aadProfile", json!({"clientAppID": "legacy"}));
        let v = eval_resource("aks_entra_integration", &r);
        assert!(v.reason.contains("legacy"));
    }
    #[test]
    fn aks_entra_integration_missing() {
        assert_uncollected("aks_entra_integration");
    }

    #[test]
    fn aks_local_accounts_disabled_pass() {
        let r = cluster_with("/disableLocalAccounts", json!(true));
        assert_eq!(
            eval_resource("aks_local_accounts_disabled", &r).status,
            S::Pass
        );
    }
    #[test]
    fn aks_local_accounts_disabled_fail() {
        let v = eval_resource("aks_local_accounts_disabled", &cluster());
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("documented default false"),
            "{}",
            v.reason
        );
        assert_eq!(v.observed["properties.disableLocalAccounts"], Value::Null);
        let r = cluster_with("/disableLocalAccounts", json!(false));
        let v = eval_resource("aks_local_accounts_disabled", &r);
        assert_eq!(v.reason, "local accounts are enabled");
    }
    #[test]
    fn aks_local_accounts_disabled_missing() {
        assert_uncollected("aks_local_accounts_disabled");
        let r = cluster_with("/disableLocalAccounts", json!("yes"));
        assert_eq!(
            eval_resource("aks_local_accounts_disabled", &r).status,
            S::Error
        );
    }

    #[test]
    fn aks_network_policy_pass() {
        let r = cluster_with("/networkProfile/networkPolicy", json!("azure"));
        let v = eval_resource("aks_network_policy", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "network policies are enforced by azure")
        );
    }
    #[test]
    fn aks_network_policy_fail() {
        let v = eval_resource("aks_network_policy", &cluster());
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("documented default \"none\""),
            "{}",
            v.reason
        );
        assert_eq!(
            v.observed["properties.networkProfile.networkPlugin"],
            json!("kubenet")
        );
        let r = cluster_with("/networkProfile/networkPolicy", json!("none"));
        assert_eq!(
            eval_resource("aks_network_policy", &r).reason,
            "network policy is none"
        );
    }
    #[test]
    fn aks_network_policy_missing() {
        assert_uncollected("aks_network_policy");
        let v = eval_resource(
            "aks_network_policy",
            &cluster_with("/networkProfile", Value::Null),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("networkProfile"));
    }

    #[test]
    fn aks_api_server_restricted_pass() {
        let r = cluster_with(
            "/apiServerAccessProfile",
            json!({"authorizedIPRanges": ["203.0.113.0/24"]}),
        );
        let v = eval_resource("aks_api_server_restricted", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "the API server admits 1 authorised IP range(s)")
        );
        let r = cluster_with(
            "/apiServerAccessProfile",
            json!({"enablePrivateCluster": true}),
        );
        assert_eq!(
            eval_resource("aks_api_server_restricted", &r).status,
            S::Pass
        );
    }
    #[test]
    fn aks_api_server_restricted_fail() {
        let v = eval_resource("aks_api_server_restricted", &cluster());
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("no apiServerAccessProfile"));
        let r = cluster_with(
            "/apiServerAccessProfile",
            json!({"authorizedIPRanges": ["0.0.0.0/0"], "enablePrivateCluster": false}),
        );
        let v = eval_resource("aks_api_server_restricted", &r);
        assert_eq!(
            v.reason,
            "the authorised IP ranges together cover every public IPv4 address"
        );
        // Two halves are the same opening as one /0.
        let r = cluster_with(
            "/apiServerAccessProfile",
            json!({"authorizedIPRanges": ["0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/8"]}),
        );
        assert_eq!(
            eval_resource("aks_api_server_restricted", &r).status,
            S::Fail
        );
        let r = cluster_with(
            "/apiServerAccessProfile",
            json!({"authorizedIPRanges": ["203.0.113.0/33"]}),
        );
        let v = eval_resource("aks_api_server_restricted", &r);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("203.0.113.0/33"), "{}", v.reason);
    }
    #[test]
    fn aks_api_server_restricted_missing() {
        assert_uncollected("aks_api_server_restricted");
    }

    #[test]
    fn aks_auto_upgrade_channel_pass() {
        let r = cluster_with(
            "/autoUpgradeProfile",
            json!({"upgradeChannel": "stable", "nodeOSUpgradeChannel": "NodeImage"}),
        );
        let v = eval_resource("aks_auto_upgrade_channel", &r);
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["properties.autoUpgradeProfile.nodeOSUpgradeChannel"],
            json!("NodeImage")
        );
    }
    #[test]
    fn aks_auto_upgrade_channel_fail() {
        let v = eval_resource("aks_auto_upgrade_channel", &cluster());
        assert_eq!(v.status, S::Fail);
        let r = cluster_with("/autoUpgradeProfile", json!({"upgradeChannel": "none"}));
        assert_eq!(
            eval_resource("aks_auto_upgrade_channel", &r).reason,
            "the automatic upgrade channel is none"
        );
    }
    #[test]
    fn aks_auto_upgrade_channel_missing() {
        assert_uncollected("aks_auto_upgrade_channel");
    }

    #[test]
    fn aks_defender_enabled_pass() {
        let r = cluster_with(
            "/securityProfile",
            json!({"defender": {"securityMonitoring": {"enabled": true}}}),
        );
        assert_eq!(eval_resource("aks_defender_enabled", &r).status, S::Pass);
    }
    #[test]
    fn aks_defender_enabled_fail() {
        let v = eval_resource("aks_defender_enabled", &cluster());
        // Azure returns the Defender profile only when it is deployed: absent is off.
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("when it is off (read as false)"),
            "{}",
            v.reason
        );
        assert_eq!(
            eval_resource("aks_defender_enabled", &without_body(&cluster())).status,
            S::Error
        );
        let r = cluster_with(
            "/securityProfile",
            json!({"defender": {"securityMonitoring": {"enabled": false}}}),
        );
        assert_eq!(eval_resource("aks_defender_enabled", &r).status, S::Fail);
    }
    #[test]
    fn aks_defender_enabled_missing() {
        assert_uncollected("aks_defender_enabled");
    }

    #[test]
    fn aks_azure_policy_addon_pass() {
        for key in ["azurepolicy", "azurePolicy"] {
            let r = cluster_with("/addonProfiles", json!({key: {"enabled": true}}));
            assert_eq!(
                eval_resource("aks_azure_policy_addon", &r).status,
                S::Pass,
                "{key}"
            );
        }
    }
    #[test]
    fn aks_azure_policy_addon_fail() {
        let v = eval_resource("aks_azure_policy_addon", &cluster());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "the Azure Policy add-on is not installed")
        );
        let r = cluster_with("/addonProfiles", json!({"azurepolicy": {"enabled": false}}));
        assert_eq!(eval_resource("aks_azure_policy_addon", &r).status, S::Fail);
    }
    #[test]
    fn aks_azure_policy_addon_missing() {
        assert_uncollected("aks_azure_policy_addon");
        // The add-on listed without `enabled` (required by the API) is unknown, not absent.
        let r = cluster_with("/addonProfiles", json!({"azurepolicy": {"config": null}}));
        let v = eval_resource("aks_azure_policy_addon", &r);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("enabled"), "{}", v.reason);
    }

    #[test]
    fn aks_disk_encryption_set_pass() {
        let v = eval_resource("aks_disk_encryption_set", &cluster());
        assert_eq!(v.status, S::Pass);
        assert!(
            v.observed["properties.diskEncryptionSetID"]
                .as_str()
                .unwrap()
                .ends_with("/diskEncryptionSets/des")
        );
    }
    #[test]
    fn aks_disk_encryption_set_fail() {
        let r = cluster_with("/diskEncryptionSetID", Value::Null);
        let v = eval_resource("aks_disk_encryption_set", &r);
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("platform-managed"));
    }
    #[test]
    fn aks_disk_encryption_set_missing() {
        assert_uncollected("aks_disk_encryption_set");
    }

    fn with_diagnostics(logs: Value) -> Resource {
        let mut body = fixture(DIAG);
        body["value"][0]["properties"]["logs"] = logs;
        let mut r = cluster();
        r.children.insert("diagnosticSettings".into(), body);
        r
    }

    #[test]
    fn aks_audit_logs_enabled_pass() {
        let v = eval_resource(
            "aks_audit_logs_enabled",
            &with_diagnostics(json!([{"category": "kube-audit-admin", "enabled": true}])),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Pass,
                "Kubernetes audit logs are sent to a destination by: mysetting"
            )
        );
    }
    #[test]
    fn aks_audit_logs_enabled_fail() {
        let v = eval_resource(
            "aks_audit_logs_enabled",
            &with_diagnostics(json!([
                {"category": "kube-apiserver", "enabled": true},
                {"category": "kube-audit", "enabled": false}
            ])),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["diagnosticSettings"][0]["enabledLogs"],
            json!(["category:kube-apiserver"])
        );
    }
    #[test]
    fn aks_audit_logs_enabled_missing() {
        let v = eval_resource("aks_audit_logs_enabled", &cluster());
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("diagnosticSettings"));
    }
}
