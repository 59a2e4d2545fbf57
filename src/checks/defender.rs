//! Microsoft Defender for Cloud checks, per subscription: the paid plan for each resource kind
//! (`Microsoft.Security/pricings`) and the security contact that receives alerts
//! (`Microsoft.Security/securityContacts`).
//!
//! Also the contact's alert, role and attack-path notifications, the legacy agent
//! auto-provisioning, and the open recommendations (`Microsoft.Security/assessments` from
//! Resource Graph): unhealthy High and Medium severity ones, and missing system updates.
//!
//! The plan checks share [`plan_verdict`]; each has a one-line function naming its plan
//! because `Eval` takes a plain function pointer. The recommendation checks share
//! [`severity_verdict`].

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::props;
use super::rbac::require_source;
use super::{Check, CheckMeta, Ctx, Eval, FindingStatus, Severity, Verdict};
use crate::model::{Resource, Subscription};

const PRICINGS: &str = "arm.defender_pricings";
const CONTACTS: &str = "arm.security_contacts";
const AUTO_PROVISIONING: &str = "arm.auto_provisioning";
const SECURITY: &str = "resource_graph.security";
/// The ARM types of the listed items, the rows of their properties (`props::ROWS`).
const PRICING_ITEM: &str = "microsoft.security/pricings";
const CONTACT_ITEM: &str = "microsoft.security/securitycontacts";
const AUTO_PROVISIONING_ITEM: &str = "microsoft.security/autoprovisioningsettings";
const ASSESSMENTS: &str = "microsoft.security/assessments";

/// Assessment keys of the system-update recommendations (classic and Azure Update Manager).
const SYSTEM_UPDATES: [&str; 2] = [
    "4ab6e3c5-74dd-8b35-9ab9-f61b30875b27",
    "e1145ab1-eb4f-43d8-911b-36ddf771d13f",
];

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "defender_plan_servers",
            title: "Defender for Servers is enabled",
            service: "defender",
            severity: Severity::High,
            criteria: &["CC6.8", "CC7.1", "CC7.2"],
            cis: &[
                "2.1.0:2.1.1",
                "3.0.0:3.1.3.1",
                "4.0.0:9.1.3.1",
                "5.0.0:8.1.3.1",
                "6.0.0:8.1.3.1",
            ],
            policies: &["4da35fc9-c9e7-4960-aec9-797fe7d9051d"],
            description: "Reads the subscription's Defender pricings. Passes when the pricing named \
                          VirtualMachines has properties.pricingTier Standard (subPlan is recorded); \
                          Free fails; a pricing list that lacks the plan fails (Azure lists every \
                          plan, so a missing entry is not enabled); pricings not collected, or an \
                          entry without pricingTier, is an error.",
            rationale: "Defender for Servers provides endpoint protection, vulnerability assessment \
                        and threat detection for virtual machines: protection against malicious \
                        software (CC6.8), detection of new vulnerabilities (CC7.1) and monitoring \
                        for attacks (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Servers = On. CLI: az security pricing \
                          create -n VirtualMachines --tier Standard --subplan P2",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(servers),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_storage",
            title: "Defender for Storage is enabled",
            service: "defender",
            severity: Severity::Medium,
            criteria: &["CC6.8", "CC7.2"],
            cis: &[
                "2.1.0:2.1.7",
                "3.0.0:3.1.5.1",
                "4.0.0:9.1.5.1",
                "5.0.0:8.1.5.1",
                "6.0.0:8.1.5.1",
            ],
            policies: &["640d2586-54d2-465f-877f-9ffc1d2109f4"],
            description: "Passes when the Defender pricing named StorageAccounts has \
                          properties.pricingTier Standard; Free, or a collected list without the \
                          plan, fails; pricings not collected, or no pricingTier, is an error.",
            rationale: "Defender for Storage detects malware uploads and anomalous access to \
                        storage accounts (CC6.8 malicious software, CC7.2 monitoring for attacks).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Storage = On. CLI: az security pricing \
                          create -n StorageAccounts --tier Standard --subplan DefenderForStorageV2",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(storage),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_sql",
            title: "Defender for Azure SQL databases is enabled",
            service: "defender",
            severity: Severity::Medium,
            criteria: &["CC7.1", "CC7.2"],
            cis: &[
                "2.1.0:2.1.3",
                "3.0.0:3.1.7.3",
                "4.0.0:9.1.7.3",
                "5.0.0:8.1.7.3",
                "6.0.0:8.1.7.3",
            ],
            policies: &["7fe3b40f-802b-4cdd-8bd4-fd799c948cc2"],
            description: "Passes when the Defender pricing named SqlServers (Azure SQL Database, \
                          SQL Managed Instance and Synapse SQL) has properties.pricingTier Standard; \
                          Free, or a collected list without the plan, fails; pricings not \
                          collected, or no pricingTier, is an error. SQL Server on machines is a \
                          separate plan (SqlServerVirtualMachines) and is not judged here.",
            rationale: "The plan runs SQL vulnerability assessment (CC7.1) and alerts on SQL \
                        injection, brute force and anomalous access (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Databases > Azure SQL Databases = On. \
                          CLI: az security pricing create -n SqlServers --tier Standard",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(sql),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_keyvaults",
            title: "Defender for Key Vault is enabled",
            service: "defender",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &[
                "2.1.0:2.1.9",
                "3.0.0:3.1.8.1",
                "4.0.0:9.1.8.1",
                "5.0.0:8.1.8.1",
                "6.0.0:8.1.8.1",
            ],
            policies: &["0e6763cc-5078-4e64-889d-ff4d9a839047"],
            description: "Passes when the Defender pricing named KeyVaults has \
                          properties.pricingTier Standard; Free, or a collected list without the \
                          plan, fails; pricings not collected, or no pricingTier, is an error.",
            rationale: "Defender for Key Vault alerts on unusual access to keys and secrets, such \
                        as access from suspicious addresses or unusual volumes of reads (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Key Vault = On. CLI: az security \
                          pricing create -n KeyVaults --tier Standard",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(keyvaults),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_arm",
            title: "Defender for Resource Manager is enabled",
            service: "defender",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &[
                "2.1.0:2.1.11",
                "3.0.0:3.1.9.1",
                "4.0.0:9.1.9.1",
                "5.0.0:8.1.9.1",
                "6.0.0:8.1.9.1",
            ],
            policies: &["c3d20c29-b36d-48fe-808b-99a87530ad99"],
            description: "Passes when the Defender pricing named Arm has properties.pricingTier \
                          Standard; Free, or a collected list without the plan, fails; pricings not \
                          collected, or no pricingTier, is an error.",
            rationale: "Defender for Resource Manager watches control-plane operations for \
                        suspicious management activity, such as operations from malicious \
                        addresses or exploitation toolkits (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Resource Manager = On. CLI: az security \
                          pricing create -n Arm --tier Standard",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(arm),
    },
    Check {
        meta: CheckMeta {
            id: "defender_security_contact_email",
            title: "A security contact email receives Defender for Cloud alerts",
            service: "defender",
            severity: Severity::Medium,
            criteria: &["CC2.2", "CC2.3", "CC7.3", "CC7.4", "CC7.5"],
            cis: &[
                "2.1.0:2.1.18",
                "3.0.0:3.1.13",
                "4.0.0:9.1.13",
                "5.0.0:8.1.13",
                "6.0.0:8.1.13",
            ],
            policies: &["4f4f78b8-e367-4b10-a341-d9a4ad5cf1c7"],
            description: "Reads the subscription's security contacts. Passes when some contact has \
                          a non-empty properties.emails (a ';'-separated list) and is not switched \
                          off (properties.isEnabled is not false; older api-versions omit it). No \
                          contact, or none with an address, fails; contacts not collected is an \
                          error. The addresses and role notifications are recorded.",
            rationale: "Alerts that reach no one are not evaluated or acted on: a named security \
                        contact is how Defender's detections enter incident evaluation (CC7.3), \
                        response and recovery (CC7.4, CC7.5), and how security information is \
                        communicated inside the entity and with Microsoft (CC2.2, CC2.3).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Email notifications > Additional email addresses. CLI: \
                          az rest --method put --url https://management.azure.com/subscriptions/\
                          <subscription-id>/providers/Microsoft.Security/securityContacts/default\
                          ?api-version=2023-12-01-preview --body '{\"properties\":{\"emails\":\
                          \"security@example.com\",\"isEnabled\":true,\"notificationsByRole\":\
                          {\"state\":\"On\",\"roles\":[\"Owner\"]}}}'",
            sources: &[CONTACTS],
        },
        eval: Eval::Subscription(security_contact_email),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_app_services",
            title: "Defender for App Service is enabled",
            service: "defender",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &[
                "2.1.0:2.1.2",
                "3.0.0:3.1.6.1",
                "4.0.0:9.1.6.1",
                "5.0.0:8.1.6.1",
                "6.0.0:8.1.6.1",
            ],
            policies: &["2913021d-f2fd-4f3d-b958-22354e2bdbcb"],
            description: "Passes when the Defender pricing named AppServices has \
                          properties.pricingTier Standard; Free, or a collected list without the \
                          plan, fails; pricings not collected, or no pricingTier, is an error.",
            rationale: "Defender for App Service detects attacks on web apps (dangling DNS, \
                        web shells, exploitation attempts, suspicious outbound calls) that a \
                        configuration check cannot see (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > App Service = On. CLI: az security \
                          pricing create -n AppServices --tier Standard",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(app_services),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_containers",
            title: "Defender for Containers is enabled",
            service: "defender",
            severity: Severity::Medium,
            criteria: &["CC6.8", "CC7.1", "CC7.2"],
            cis: &[
                "2.1.0:2.1.8",
                "3.0.0:3.1.4.1",
                "4.0.0:9.1.4.1",
                "5.0.0:8.1.4.1",
                "6.0.0:8.1.4.1",
            ],
            policies: &["1c988dd6-ade4-430f-a608-2a3e5b0a6d38"],
            description: "Passes when the Defender pricing named Containers has \
                          properties.pricingTier Standard; Free, or a collected list without the \
                          plan, fails; pricings not collected, or no pricingTier, is an error. The \
                          deprecated KubernetesService and ContainerRegistry plans are not credited.",
            rationale: "The plan scans registry images for vulnerabilities (CC7.1), detects \
                        malicious workloads and runtime threats in clusters (CC6.8, CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Containers = On. CLI: az security \
                          pricing create -n Containers --tier Standard",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(containers),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_cosmos_dbs",
            title: "Defender for Azure Cosmos DB is enabled",
            service: "defender",
            severity: Severity::Low,
            criteria: &["CC7.2"],
            cis: &[
                "2.1.0:2.1.6",
                "3.0.0:3.1.7.1",
                "4.0.0:9.1.7.1",
                "5.0.0:8.1.7.1",
                "6.0.0:8.1.7.1",
            ],
            policies: &[],
            description: "Passes when the Defender pricing named CosmosDbs has \
                          properties.pricingTier Standard; Free, or a collected list without the \
                          plan, fails; pricings not collected, or no pricingTier, is an error.",
            rationale: "Defender for Azure Cosmos DB alerts on SQL injection, anomalous access \
                        and data exfiltration against Cosmos DB accounts (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Databases > Azure Cosmos DB = On. CLI: \
                          az security pricing create -n CosmosDbs --tier Standard",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(cosmos_dbs),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_open_source_dbs",
            title: "Defender for open-source relational databases is enabled",
            service: "defender",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &[
                "2.1.0:2.1.5",
                "3.0.0:3.1.7.2",
                "4.0.0:9.1.7.2",
                "5.0.0:8.1.7.2",
                "6.0.0:8.1.7.2",
            ],
            policies: &["0a9fbe0d-c5c4-4da8-87d8-f4fd77338835"],
            description: "Passes when the Defender pricing named OpenSourceRelationalDatabases \
                          (PostgreSQL, MySQL, MariaDB) has properties.pricingTier Standard; Free, or \
                          a collected list without the plan, fails; pricings not collected, or no \
                          pricingTier, is an error.",
            rationale: "The plan alerts on brute force, anomalous access and suspicious queries \
                        against PostgreSQL and MySQL servers (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Databases > Open-source relational \
                          databases = On. CLI: az security pricing create -n \
                          OpenSourceRelationalDatabases --tier Standard",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(open_source_dbs),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_sql_vms",
            title: "Defender for SQL servers on machines is enabled",
            service: "defender",
            severity: Severity::Low,
            criteria: &["CC7.1", "CC7.2"],
            cis: &[
                "2.1.0:2.1.4",
                "3.0.0:3.1.7.4",
                "4.0.0:9.1.7.4",
                "5.0.0:8.1.7.4",
                "6.0.0:8.1.7.4",
            ],
            policies: &["6581d072-105e-4418-827f-bd446d56421b"],
            description: "Passes when the Defender pricing named SqlServerVirtualMachines has \
                          properties.pricingTier Standard; Free, or a collected list without the \
                          plan, fails; pricings not collected, or no pricingTier, is an error.",
            rationale: "SQL Server running on virtual machines gets vulnerability assessment \
                        (CC7.1) and threat detection (CC7.2) only through this plan.",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Databases > SQL servers on machines = \
                          On. CLI: az security pricing create -n SqlServerVirtualMachines --tier \
                          Standard",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(sql_vms),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_dns",
            title: "Defender for DNS protection is enabled",
            service: "defender",
            severity: Severity::Low,
            criteria: &["CC7.2"],
            cis: &["2.1.0:2.1.10", "3.0.0:3.1.16", "4.0.0:9.1.17"],
            policies: &[],
            description: "Passes when the legacy Defender pricing named Dns has \
                          properties.pricingTier Standard, or when VirtualMachines is Standard with \
                          subPlan P2 (DNS threat detection is part of Defender for Servers Plan 2 \
                          for subscriptions that cannot enable the legacy plan). Otherwise fails; \
                          pricings not collected, or no pricingTier, is an error.",
            rationale: "DNS-layer detection spots communication with malicious domains, DNS \
                        tunnelling and data exfiltration from Azure resources (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Servers = On, Plan 2. CLI: az security \
                          pricing create -n VirtualMachines --tier Standard --subplan P2",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(dns),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_cspm",
            title: "Defender Cloud Security Posture Management (CSPM) is enabled",
            service: "defender",
            severity: Severity::Low,
            criteria: &["CC7.1"],
            cis: &["5.0.0:8.1.1.1", "6.0.0:8.1.1.1"],
            policies: &[],
            description: "Passes when the Defender pricing named CloudPosture has \
                          properties.pricingTier Standard; Free (foundational CSPM only), or a \
                          collected list without the plan, fails; pricings not collected, or no \
                          pricingTier, is an error.",
            rationale: "Defender CSPM adds attack path analysis, agentless vulnerability scanning \
                        and data-aware posture, the continuous identification of configuration \
                        weaknesses that CC7.1 asks for.",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > Cloud Security Posture Management = \
                          On. CLI: az security pricing create -n CloudPosture --tier Standard",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(cspm),
    },
    Check {
        meta: CheckMeta {
            id: "defender_plan_apis",
            title: "Defender for APIs is enabled",
            service: "defender",
            severity: Severity::Low,
            criteria: &["CC7.2"],
            cis: &["5.0.0:8.1.2.1"],
            policies: &[],
            description: "Passes when the Defender pricing named Api has properties.pricingTier \
                          Standard; Free, or a collected list without the plan, fails; pricings not \
                          collected, or no pricingTier, is an error.",
            rationale: "Defender for APIs inventories API Management endpoints and detects attacks \
                        and data exposure through them (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Defender plans > APIs = On. CLI: az security pricing \
                          create -n Api --tier Standard --subplan P1",
            sources: &[PRICINGS],
        },
        eval: Eval::Subscription(apis),
    },
    Check {
        meta: CheckMeta {
            id: "defender_auto_provisioning_on",
            title: "Defender for Cloud auto-provisioning of the monitoring agent is on",
            service: "defender",
            severity: Severity::Low,
            criteria: &["CC7.2"],
            cis: &["2.1.0:2.1.14", "3.0.0:3.1.1.1"],
            policies: &[],
            description: "Reads the subscription's autoProvisioningSettings. Passes when the \
                          setting named default has properties.autoProvision On; Off, or a \
                          collected list without the default setting, fails; not collected, or no \
                          autoProvision, is an error. This legacy setting governs the Log Analytics \
                          agent; newer agentless and Azure Monitor Agent provisioning is configured \
                          per plan and is not judged here.",
            rationale: "Machines without the monitoring agent send no security events, so \
                        detections that depend on them cannot fire (CC7.2).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Settings & monitoring > Log Analytics agent = On. CLI: \
                          az security auto-provisioning-setting update --name default \
                          --auto-provision On",
            sources: &[AUTO_PROVISIONING],
        },
        eval: Eval::Subscription(auto_provisioning),
    },
    Check {
        meta: CheckMeta {
            id: "defender_alert_notifications_medium",
            title: "Defender for Cloud emails alerts of Medium severity and above",
            service: "defender",
            severity: Severity::Medium,
            criteria: &["CC2.2", "CC2.3", "CC7.3", "CC7.4", "CC7.5"],
            cis: &[
                "2.1.0:2.1.19",
                "3.0.0:3.1.14",
                "4.0.0:9.1.14",
                "5.0.0:8.1.14",
                "6.0.0:8.1.14",
            ],
            policies: &["6e2593d9-add6-4083-9c9b-4b7d2188c899"],
            description: "Reads the security contacts. Passes when a contact that is not switched \
                          off (isEnabled not false) has a notificationsSources entry with sourceType \
                          Alert and minimalSeverity Medium or Low (api-version 2023-12-01-preview), \
                          or alertNotifications.state On with minimalSeverity Medium or Low (older \
                          api-versions). High only, or no alert notification, fails: Medium alerts \
                          then reach no one. No contact fails; not collected is an error.",
            rationale: "Alert emails are how Defender's detections reach the people who evaluate \
                        and respond to them (CC7.3, CC7.4, CC7.5) and communicate security \
                        information internally and to service providers (CC2.2, CC2.3); limiting \
                        them to High hides most attacks in progress.",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Email notifications > Notify about alerts with the \
                          following severity (or higher) = Medium. CLI: az rest --method put --url \
                          https://management.azure.com/subscriptions/<subscription-id>/providers/\
                          Microsoft.Security/securityContacts/default?api-version=2023-12-01-preview \
                          --body @contact.json (notificationsSources: [{\"sourceType\":\"Alert\",\
                          \"minimalSeverity\":\"Medium\"}])",
            sources: &[CONTACTS],
        },
        eval: Eval::Subscription(alert_notifications),
    },
    Check {
        meta: CheckMeta {
            id: "defender_notify_owners",
            title: "Defender for Cloud alert emails go to subscription Owners",
            service: "defender",
            severity: Severity::Low,
            criteria: &["CC2.2", "CC2.3", "CC7.3", "CC7.4", "CC7.5"],
            cis: &[
                "2.1.0:2.1.17",
                "3.0.0:3.1.12",
                "4.0.0:9.1.12",
                "5.0.0:8.1.12",
                "6.0.0:8.1.12",
            ],
            policies: &["0b15565f-aa9e-48ba-8619-45960f2c314d"],
            description: "Passes when a security contact that is not switched off has \
                          properties.notificationsByRole.state On and roles containing Owner. \
                          State Off, or roles without Owner, fails; no contact fails; not collected \
                          is an error.",
            rationale: "Owners are accountable for the subscription and can act on an alert \
                        immediately; notifying them does not depend on a mailing list being kept \
                        current (CC7.3, CC7.4, CC7.5, CC2.2, CC2.3).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Email notifications > All users with the following \
                          roles = Owner. CLI: az rest --method put --url https://management.azure.\
                          com/subscriptions/<subscription-id>/providers/Microsoft.Security/\
                          securityContacts/default?api-version=2023-12-01-preview --body \
                          @contact.json (notificationsByRole: {\"state\":\"On\",\"roles\":[\"Owner\"]})",
            sources: &[CONTACTS],
        },
        eval: Eval::Subscription(notify_owners),
    },
    Check {
        meta: CheckMeta {
            id: "defender_attack_path_notifications",
            title: "Defender for Cloud emails attack path notifications",
            service: "defender",
            severity: Severity::Low,
            criteria: &["CC7.1", "CC7.3"],
            cis: &["4.0.0:9.1.15", "5.0.0:8.1.15", "6.0.0:8.1.15"],
            policies: &[],
            description: "Passes when a security contact that is not switched off has a \
                          notificationsSources entry with sourceType AttackPath and a \
                          minimalRiskLevel (Critical, High, Medium or Low). No such entry, or no \
                          contact, fails; not collected is an error.",
            rationale: "Attack paths chain misconfigurations into a route to critical assets; \
                        emailing them makes newly found exploitable weaknesses reach the people \
                        who fix them (CC7.1, CC7.3).",
            remediation: "Portal: Microsoft Defender for Cloud > Environment settings > \
                          <subscription> > Email notifications > Notify about attack paths with the \
                          following risk level (or higher). CLI: az rest --method put --url \
                          https://management.azure.com/subscriptions/<subscription-id>/providers/\
                          Microsoft.Security/securityContacts/default?api-version=2023-12-01-preview \
                          --body @contact.json",
            sources: &[CONTACTS],
        },
        eval: Eval::Subscription(attack_path_notifications),
    },
    Check {
        meta: CheckMeta {
            id: "defender_high_severity_recommendations_resolved",
            title: "No unhealthy High-severity Defender for Cloud recommendation is open",
            service: "defender",
            severity: Severity::High,
            criteria: &["CC7.1"],
            cis: &[],
            policies: &[],
            description: "Reads the Defender for Cloud assessments of the subscription's resources \
                          (Resource Graph securityresources, status.code Unhealthy). Fails when any \
                          has properties.metadata.severity High, listing the recommendation names \
                          with the number of affected resources; passes when none does. An \
                          unhealthy assessment without a severity is an error unless another \
                          already fails; the source not collected, or a gap for the subscription, \
                          is an error. Since catalogue 2026.12.0: an assessment without properties.status.code makes the finding an error instead of being counted healthy.",
            rationale: "High-severity recommendations are known, exploitable weaknesses that \
                        Defender has already found; leaving them open shows vulnerabilities are \
                        identified but not remediated (CC7.1).",
            remediation: "Portal: Microsoft Defender for Cloud > Recommendations > filter Severity \
                          = High > remediate each affected resource, or exempt it with a \
                          justification. CLI: az security assessment list --query \
                          \"[?status.code=='Unhealthy']\"",
            sources: &[SECURITY],
        },
        eval: Eval::SubscriptionCtx(high_recommendations),
    },
    Check {
        meta: CheckMeta {
            id: "defender_medium_severity_recommendations_resolved",
            title: "No unhealthy Medium-severity Defender for Cloud recommendation is open",
            service: "defender",
            severity: Severity::Low,
            criteria: &["CC7.1"],
            cis: &[],
            policies: &[],
            description: "As defender_high_severity_recommendations_resolved for \
                          properties.metadata.severity Medium: fails when any unhealthy assessment \
                          of the subscription's resources has Medium severity, listing them; \
                          passes otherwise. Missing severity is an error unless another already \
                          fails; the source not collected, or a gap, is an error. Since catalogue 2026.12.0: an assessment without properties.status.code makes the finding an error instead of being counted healthy.",
            rationale: "Medium-severity weaknesses accumulate into exploitable paths; tracking \
                        them separately from High keeps the remediation backlog visible (CC7.1).",
            remediation: "Portal: Microsoft Defender for Cloud > Recommendations > filter Severity \
                          = Medium > remediate or exempt with a justification. CLI: az security \
                          assessment list --query \"[?status.code=='Unhealthy']\"",
            sources: &[SECURITY],
        },
        eval: Eval::SubscriptionCtx(medium_recommendations),
    },
    Check {
        meta: CheckMeta {
            id: "defender_system_updates_applied",
            title: "Defender for Cloud reports no machine with missing system updates",
            service: "defender",
            severity: Severity::High,
            criteria: &["CC7.1"],
            cis: &["2.1.0:2.1.12", "3.0.0:3.1.10"],
            policies: &[],
            description: "Fails when an unhealthy assessment of the subscription's resources is one \
                          of the system-update recommendations, by assessment key: \
                          4ab6e3c5-74dd-8b35-9ab9-f61b30875b27 ('System updates should be installed \
                          on your machines') or e1145ab1-eb4f-43d8-911b-36ddf771d13f (the Azure \
                          Update Manager version), listing the affected machines. Passes when none \
                          is unhealthy. The source not collected, or a gap, is an error. Since catalogue 2026.12.0: an assessment without properties.status.code makes the finding an error instead of being counted healthy.",
            rationale: "Missing operating system security updates are the most common exploitable \
                        vulnerability; Defender reporting them unremediated shows patching is not \
                        keeping up (CC7.1).",
            remediation: "Portal: Microsoft Defender for Cloud > Recommendations > 'System updates \
                          should be installed on your machines' > fix, or schedule patching in \
                          Azure Update Manager. CLI: az vm assess-patches -g <rg> -n <vm>, then az \
                          vm install-patches -g <rg> -n <vm> --maximum-duration PT2H \
                          --reboot-setting IfRequired --classifications-to-include-win Critical \
                          Security",
            sources: &[SECURITY],
        },
        eval: Eval::SubscriptionCtx(system_updates),
    },
];

fn servers(s: &Subscription) -> Verdict {
    plan_verdict(s, "VirtualMachines")
}

fn storage(s: &Subscription) -> Verdict {
    plan_verdict(s, "StorageAccounts")
}

fn sql(s: &Subscription) -> Verdict {
    plan_verdict(s, "SqlServers")
}

fn keyvaults(s: &Subscription) -> Verdict {
    plan_verdict(s, "KeyVaults")
}

fn arm(s: &Subscription) -> Verdict {
    plan_verdict(s, "Arm")
}

/// The one plan evaluation: Standard passes, Free or unlisted fails, unknown is an error.
fn plan_verdict(s: &Subscription, plan: &str) -> Verdict {
    let tier_key = format!("pricings/{plan}.pricingTier");
    let Some(pricings) = &s.defender_pricings else {
        return Verdict::error("Defender for Cloud pricings were not collected")
            .observe(&tier_key, None);
    };
    let Some(entry) = pricings.iter().find(|p| {
        p.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case(plan))
    }) else {
        let listed: Vec<&str> = pricings
            .iter()
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .collect();
        // Azure returns an entry for every plan, enabled or not; a missing one is not enabled.
        return Verdict::fail(format!(
            "plan not listed: {plan} is absent from the pricings"
        ))
        .observe(&tier_key, None)
        .observe_value("plans_listed", json!(listed));
    };

    let tier = props::item_value(PRICING_ITEM, entry, "/pricingTier");
    let v = match tier.and_then(Value::as_str) {
        Some(t) if t.eq_ignore_ascii_case("Standard") => {
            Verdict::pass(format!("the {plan} plan is on (Standard tier)"))
        }
        Some(t) if t.eq_ignore_ascii_case("Free") => {
            Verdict::fail(format!("the {plan} plan is off (Free tier)"))
        }
        Some(t) => Verdict::error(format!("{tier_key} has unexpected value {t}")),
        None => Verdict::error(format!("{tier_key} is not present in the collected data")),
    };
    // Observed only: the plan's tier decides.
    v.observe(&tier_key, tier).observe(
        &format!("pricings/{plan}.subPlan"),
        entry.pointer("/properties/subPlan"),
    )
}

/// The addresses in a contact's `properties.emails` (`a@x;b@y`), trimmed, blanks dropped.
fn emails(contact: &Value) -> Vec<&str> {
    props::item_value(CONTACT_ITEM, contact, "/emails")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split([';', ','])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect()
}

fn security_contact_email(s: &Subscription) -> Verdict {
    let key = "securityContacts";
    let Some(contacts) = &s.security_contacts else {
        return Verdict::error("security contacts were not collected").observe(key, None);
    };
    let summary: Vec<Value> = contacts
        .iter()
        .map(|c| {
            json!({
                "name": c.get("name").cloned().unwrap_or(Value::Null),
                "emails": emails(c),
                "isEnabled": c.pointer("/properties/isEnabled").cloned().unwrap_or(Value::Null),
                "notificationsByRole": c
                    .pointer("/properties/notificationsByRole")
                    .cloned()
                    .unwrap_or(Value::Null),
            })
        })
        .collect();

    let with_emails = || contacts.iter().filter(|c| !emails(c).is_empty());
    let usable: Vec<&Value> = with_emails()
        .filter(|c| contact_enabled(c) == Some(true))
        .collect();
    let v = if let Some(first) = usable.first() {
        Verdict::pass(format!(
            "security alerts are emailed to {}",
            emails(first).join(", ")
        ))
    } else if let Some(c) = contacts.iter().find(|c| !props::item_present(c)) {
        Verdict::error(format!(
            "security contact {} was returned without its properties, so its emails and \
             isEnabled are unknown",
            contact_name(c)
        ))
    } else if with_emails().any(|c| contact_enabled(c).is_none()) {
        Verdict::error(
            "a security contact with an email address has no isEnabled in the collected data, \
             so whether it is switched on is unknown",
        )
    } else if contacts.is_empty() {
        Verdict::fail("no security contact is configured")
    } else {
        Verdict::fail("no enabled security contact has an email address")
    };
    v.observe_value(key, Value::from(summary))
}

fn app_services(s: &Subscription) -> Verdict {
    plan_verdict(s, "AppServices")
}

fn containers(s: &Subscription) -> Verdict {
    plan_verdict(s, "Containers")
}

fn cosmos_dbs(s: &Subscription) -> Verdict {
    plan_verdict(s, "CosmosDbs")
}

fn open_source_dbs(s: &Subscription) -> Verdict {
    plan_verdict(s, "OpenSourceRelationalDatabases")
}

fn sql_vms(s: &Subscription) -> Verdict {
    plan_verdict(s, "SqlServerVirtualMachines")
}

fn cspm(s: &Subscription) -> Verdict {
    plan_verdict(s, "CloudPosture")
}

fn apis(s: &Subscription) -> Verdict {
    plan_verdict(s, "Api")
}

/// The legacy DNS plan, or Defender for Servers Plan 2, which includes DNS detection for
/// subscriptions that can no longer enable the legacy plan.
fn dns(s: &Subscription) -> Verdict {
    let v = plan_verdict(s, "Dns");
    if v.status != FindingStatus::Fail {
        return v;
    }
    let servers_p2 = s.defender_pricings.iter().flatten().find(|p| {
        p.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case("VirtualMachines"))
    });
    let tier = servers_p2.and_then(|p| props::item_value(PRICING_ITEM, p, "/pricingTier"));
    let sub_plan = servers_p2.and_then(|p| props::item_value(PRICING_ITEM, p, "/subPlan"));
    let is = |v: Option<&Value>, want: &str| {
        v.and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case(want))
    };
    let v = if is(tier, "Standard") && sub_plan.is_none() {
        Verdict::error(
            "the legacy Dns plan is not enabled, and pricings/VirtualMachines.subPlan is not \
             present in the collected data, so whether Plan 2 covers DNS is unknown",
        )
    } else if is(tier, "Standard") && is(sub_plan, "P2") {
        Verdict::pass(
            "DNS threat detection is included in Defender for Servers Plan 2 (the legacy Dns \
             plan is not enabled)",
        )
        .observe(
            "pricings/Dns.pricingTier",
            v.observed.get("pricings/Dns.pricingTier"),
        )
    } else {
        v
    };
    v.observe("pricings/VirtualMachines.pricingTier", tier)
        .observe("pricings/VirtualMachines.subPlan", sub_plan)
}

fn auto_provisioning(s: &Subscription) -> Verdict {
    let key = "autoProvisioningSettings/default.autoProvision";
    let Some(settings) = &s.auto_provisioning_settings else {
        return Verdict::error("auto-provisioning settings were not collected").observe(key, None);
    };
    let Some(default) = settings.iter().find(|p| {
        p.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case("default"))
    }) else {
        return Verdict::fail("the default auto-provisioning setting is not configured")
            .observe(key, None);
    };
    let val = props::item_value(AUTO_PROVISIONING_ITEM, default, "/autoProvision");
    let v = match val.and_then(Value::as_str) {
        Some(x) if x.eq_ignore_ascii_case("On") => {
            Verdict::pass("auto-provisioning of the monitoring agent is on")
        }
        Some(x) if x.eq_ignore_ascii_case("Off") => {
            Verdict::fail("auto-provisioning of the monitoring agent is off")
        }
        Some(x) => Verdict::error(format!("{key} has unexpected value {x}")),
        None => Verdict::error(format!("{key} is not present in the collected data")),
    };
    v.observe(key, val)
}

/// A contact's `isEnabled`, read by its row; `None` when it cannot be told.
fn contact_enabled(c: &Value) -> Option<bool> {
    props::item_value(CONTACT_ITEM, c, "/isEnabled").and_then(Value::as_bool)
}

/// The contacts switched on, or the error verdict when contacts were not collected. A contact
/// whose `isEnabled` cannot be read is neither: `Contacts::unknown` names it, so a check that
/// finds no live contact doing what it asks reports an error rather than a fail.
fn live_contacts(s: &Subscription) -> Result<Contacts<'_>, Verdict> {
    let Some(contacts) = &s.security_contacts else {
        return Err(Verdict::error("security contacts were not collected")
            .observe("securityContacts", None));
    };
    let live = contacts
        .iter()
        .filter(|c| contact_enabled(c) == Some(true))
        .collect();
    let unknown = contacts
        .iter()
        .filter(|c| contact_enabled(c).is_none())
        .collect();
    Ok(Contacts {
        all: contacts,
        live,
        unknown,
    })
}

/// A subscription's security contacts by whether they are switched on.
struct Contacts<'a> {
    all: &'a [Value],
    live: Vec<&'a Value>,
    /// Contacts whose `isEnabled` is absent (or not a boolean).
    unknown: Vec<&'a Value>,
}

impl Contacts<'_> {
    /// The verdict when no live contact does what a check asks (`what`): an error while some
    /// contact's state or settings are unknown (`unknown_setting` names contacts whose setting
    /// was absent), else the fail.
    fn none_live(&self, what: &str, setting: &str, unknown_setting: &[&str]) -> Verdict {
        if !self.unknown.is_empty() {
            Verdict::error(format!(
                "no enabled security contact {what}, and {} contact(s) have no isEnabled in the \
                 collected data",
                self.unknown.len()
            ))
        } else if !unknown_setting.is_empty() {
            Verdict::error(format!(
                "no enabled security contact {what}, and for {} {setting} is not present in \
                 the collected data",
                unknown_setting.join(", ")
            ))
        } else if self.all.is_empty() {
            Verdict::fail("no security contact is configured")
        } else {
            Verdict::fail(format!("no enabled security contact {what}"))
        }
    }
}

/// A contact's name for reasons.
fn contact_name(c: &Value) -> &str {
    c.get("name")
        .and_then(Value::as_str)
        .unwrap_or("(unnamed contact)")
}

/// What each contact notifies, for the observed values.
fn notification_summary(contacts: &[Value]) -> Value {
    contacts
        .iter()
        .map(|c| {
            let p = |k: &str| c.pointer(&format!("/properties/{k}")).cloned();
            json!({
                "name": c.get("name"),
                "isEnabled": p("isEnabled"),
                "notificationsSources": p("notificationsSources"),
                "alertNotifications": p("alertNotifications"),
                "notificationsByRole": p("notificationsByRole"),
            })
        })
        .collect()
}

/// Alert severities ordered so that a lower minimum notifies more.
fn severity_rank(s: &str) -> Option<u8> {
    ["Low", "Medium", "High"]
        .iter()
        .position(|x| x.eq_ignore_ascii_case(s))
        .map(|i| i as u8)
}

fn alert_notifications(s: &Subscription) -> Verdict {
    let contacts = match live_contacts(s) {
        Ok(x) => x,
        Err(v) => return v,
    };
    // The minimal severity each live contact emails alerts at, in either API shape; a live
    // contact with neither shape says nothing we can judge.
    let mut levels: Vec<&str> = Vec::new();
    let mut unread: Vec<&str> = Vec::new();
    for c in &contacts.live {
        let sources = props::item_value(CONTACT_ITEM, c, "/notificationsSources");
        let legacy = props::item_value(CONTACT_ITEM, c, "/alertNotifications");
        if sources.is_none() && legacy.is_none() {
            unread.push(contact_name(c));
        }
        for src in sources.and_then(Value::as_array).into_iter().flatten() {
            let is_alert = src
                .get("sourceType")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("Alert"));
            if let Some(sev) = src.get("minimalSeverity").and_then(Value::as_str)
                && is_alert
            {
                levels.push(sev);
            }
        }
        if let Some(legacy) = legacy {
            let on = legacy
                .get("state")
                .and_then(Value::as_str)
                .is_some_and(|x| x.eq_ignore_ascii_case("On"));
            if let Some(sev) = legacy.get("minimalSeverity").and_then(Value::as_str)
                && on
            {
                levels.push(sev);
            }
        }
    }
    let best = levels.iter().filter_map(|l| severity_rank(l)).min();
    let v = match best {
        Some(r) if r <= 1 => Verdict::pass(format!(
            "alerts of {} severity and above are emailed",
            ["Low", "Medium", "High"][r as usize]
        )),
        Some(_) if unread.is_empty() && contacts.unknown.is_empty() => {
            Verdict::fail("only High-severity alerts are emailed; Medium alerts reach no one")
        }
        None if !levels.is_empty() => {
            Verdict::error(format!("unrecognised alert severities {levels:?}"))
        }
        _ => contacts.none_live(
            "emails alerts of Medium severity",
            "notificationsSources",
            &unread,
        ),
    };
    v.observe_value("securityContacts", notification_summary(contacts.all))
        .observe_value("alert_minimal_severities", json!(levels))
}

fn notify_owners(s: &Subscription) -> Verdict {
    let contacts = match live_contacts(s) {
        Ok(x) => x,
        Err(v) => return v,
    };
    let mut unread: Vec<&str> = Vec::new();
    let owners = contacts.live.iter().any(|c| {
        let Some(by_role) = props::item_value(CONTACT_ITEM, c, "/notificationsByRole") else {
            unread.push(contact_name(c));
            return false;
        };
        let on = by_role
            .get("state")
            .and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case("On"));
        let roles = by_role
            .get("roles")
            .and_then(Value::as_array)
            .is_some_and(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .any(|x| x.eq_ignore_ascii_case("Owner"))
            });
        on && roles
    });
    let v = if owners {
        Verdict::pass("alert emails are sent to subscription Owners")
    } else {
        contacts.none_live("notifies the Owner role", "notificationsByRole", &unread)
    };
    v.observe_value("securityContacts", notification_summary(contacts.all))
}

fn attack_path_notifications(s: &Subscription) -> Verdict {
    let contacts = match live_contacts(s) {
        Ok(x) => x,
        Err(v) => return v,
    };
    let mut unread: Vec<&str> = Vec::new();
    let level = contacts.live.iter().find_map(|c| {
        let Some(sources) = props::item_value(CONTACT_ITEM, c, "/notificationsSources") else {
            unread.push(contact_name(c));
            return None;
        };
        sources
            .as_array()?
            .iter()
            .filter(|src| {
                src.get("sourceType")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("AttackPath"))
            })
            .find_map(|src| src.get("minimalRiskLevel").and_then(Value::as_str))
    });
    let v = match level {
        Some(l) => Verdict::pass(format!("attack paths of {l} risk and above are emailed")),
        None => contacts.none_live("emails attack paths", "notificationsSources", &unread),
    };
    v.observe_value("securityContacts", notification_summary(contacts.all))
}

/// The unhealthy assessments of one subscription's resources, after checking the source.
fn unhealthy<'a>(ctx: &Ctx<'a>, sub: &str) -> Result<Vec<&'a Resource>, Verdict> {
    require_source(ctx, SECURITY, Some(&format!("/subscriptions/{sub}")))?;
    let mut out = Vec::new();
    let mut unknown = 0;
    for r in ctx.resources_in(sub, ASSESSMENTS) {
        match props::value(r, "/status/code").and_then(Value::as_str) {
            Some(c) if c.eq_ignore_ascii_case("Unhealthy") => out.push(r),
            Some(_) => {}
            // An assessment without a status could be an unhealthy one.
            None => unknown += 1,
        }
    }
    if unknown > 0 {
        return Err(Verdict::error(format!(
            "{unknown} assessments have no properties.status.code, so whether they are healthy \
             is unknown"
        ))
        .observe_value("without_status", json!(unknown)));
    }
    Ok(out)
}

/// The resource an assessment is about: `resourceDetails.Id` (Resource Graph) or `.id` (ARM),
/// else the part of the assessment id before `/providers/Microsoft.Security/assessments/`.
fn assessed_resource(r: &Resource) -> String {
    if let Some(id) = props::value(r, "/resourceDetails/Id")
        .or_else(|| props::value(r, "/resourceDetails/id"))
        .and_then(Value::as_str)
    {
        return id.to_string();
    }
    let lower = r.id.to_ascii_lowercase();
    match lower.find("/providers/microsoft.security/assessments/") {
        Some(i) => r.id[..i].to_string(),
        None => r.id.clone(),
    }
}

fn recommendation_name(r: &Resource) -> String {
    props::value(r, "/displayName")
        .or_else(|| props::value(r, "/metadata/displayName"))
        .and_then(Value::as_str)
        .unwrap_or(&r.name)
        .to_string()
}

/// Groups unhealthy assessments by recommendation, for reasons and observed values.
fn by_recommendation(rows: &[&Resource]) -> Vec<(String, String, Vec<String>)> {
    let mut groups: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in rows {
        groups
            .entry((recommendation_name(r), r.name.to_ascii_lowercase()))
            .or_default()
            .push(assessed_resource(r));
    }
    groups
        .into_iter()
        .map(|((name, key), resources)| (name, key, resources))
        .collect()
}

fn recommendations_observed(groups: &[(String, String, Vec<String>)]) -> Value {
    groups
        .iter()
        .take(100)
        .map(|(name, key, resources)| {
            json!({
                "recommendation": name,
                "assessmentKey": key,
                "resources": resources.len(),
                "examples": resources.iter().take(5).collect::<Vec<_>>(),
            })
        })
        .collect()
}

fn severity_verdict(s: &Subscription, ctx: &Ctx, severity: &str) -> Verdict {
    let rows = match unhealthy(ctx, &s.id) {
        Ok(r) => r,
        Err(v) => return v.observe("recommendations", None),
    };
    let mut matching = Vec::new();
    let mut unknown = Vec::new();
    for r in &rows {
        match props::value(r, "/metadata/severity").and_then(Value::as_str) {
            Some(x) if x.eq_ignore_ascii_case(severity) => matching.push(*r),
            Some(_) => {}
            None => unknown.push(r.id.as_str()),
        }
    }
    let groups = by_recommendation(&matching);
    let v = if !groups.is_empty() {
        let list: Vec<String> = groups
            .iter()
            .take(20)
            .map(|(name, _, res)| format!("{name} ({} resources)", res.len()))
            .collect();
        Verdict::fail(format!(
            "{} unhealthy {severity}-severity recommendations on {} resources: {}",
            groups.len(),
            matching.len(),
            list.join("; ")
        ))
    } else if !unknown.is_empty() {
        Verdict::error(format!(
            "{} unhealthy assessments have no properties.metadata.severity",
            unknown.len()
        ))
    } else {
        Verdict::pass(format!(
            "no unhealthy {severity}-severity recommendation ({} unhealthy assessments in all)",
            rows.len()
        ))
    };
    v.observe_value("recommendations", recommendations_observed(&groups))
        .observe_value("unhealthy_assessments", json!(rows.len()))
        .observe_value(
            "without_severity",
            json!(unknown.iter().take(100).collect::<Vec<_>>()),
        )
}

fn high_recommendations(s: &Subscription, ctx: &Ctx) -> Verdict {
    severity_verdict(s, ctx, "High")
}

fn medium_recommendations(s: &Subscription, ctx: &Ctx) -> Verdict {
    severity_verdict(s, ctx, "Medium")
}

fn system_updates(s: &Subscription, ctx: &Ctx) -> Verdict {
    let rows = match unhealthy(ctx, &s.id) {
        Ok(r) => r,
        Err(v) => return v.observe("machines", None),
    };
    let machines: Vec<String> = rows
        .iter()
        .filter(|r| {
            SYSTEM_UPDATES
                .iter()
                .any(|k| r.name.eq_ignore_ascii_case(k))
        })
        .map(|r| assessed_resource(r))
        .collect();
    let v = if machines.is_empty() {
        Verdict::pass("no machine is reported with missing system updates")
    } else {
        Verdict::fail(format!(
            "{} machines are missing system updates: {}",
            machines.len(),
            machines
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    v.observe_value(
        "machines",
        json!(machines.iter().take(100).collect::<Vec<_>>()),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::Verdict;
    use crate::checks::testutil::{eval_subscription, fixture, subscription};
    use crate::model::Subscription;

    const PRICINGS: &str = "defender/defender_pricings_list.2024-01-01.json";
    const CONTACTS: &str = "defender/security_contacts_list.2023-12-01-preview.json";

    fn with_pricings(pricings: Option<Vec<Value>>) -> Subscription {
        let mut s = subscription("sub-a");
        s.defender_pricings = pricings;
        s
    }

    /// Microsoft's list: VirtualMachines, SqlServers, StorageAccounts, KeyVaults and Arm are all
    /// Standard; AppServices and others are Free.
    fn example_pricings() -> Vec<Value> {
        fixture(PRICINGS)["value"].as_array().unwrap().clone()
    }

    fn edit_plan(plan: &str, edit: impl Fn(&mut Value)) -> Subscription {
        let mut pricings = example_pricings();
        let entry = pricings.iter_mut().find(|p| p["name"] == plan).unwrap();
        edit(entry);
        with_pricings(Some(pricings))
    }

    fn plan_pass(id: &str, plan: &str) {
        let v = eval_subscription(id, &with_pricings(Some(example_pricings())));
        assert_eq!(v.status, S::Pass, "{id}: {}", v.reason);
        assert_eq!(
            v.observed[&format!("pricings/{plan}.pricingTier")],
            json!("Standard")
        );
    }

    fn plan_fail(id: &str, plan: &str) {
        let v = eval_subscription(
            id,
            &edit_plan(plan, |p| p["properties"]["pricingTier"] = json!("Free")),
        );
        assert_eq!(v.status, S::Fail, "{id}");
        assert!(v.reason.contains("Free"), "{}", v.reason);

        // Azure lists every plan, so an absent entry is not enabled.
        let mut pricings = example_pricings();
        pricings.retain(|p| p["name"] != plan);
        let v: Verdict = eval_subscription(id, &with_pricings(Some(pricings)));
        assert_eq!(v.status, S::Fail, "{id}");
        assert!(v.reason.starts_with("plan not listed"), "{}", v.reason);
        assert_eq!(
            v.observed[&format!("pricings/{plan}.pricingTier")],
            Value::Null
        );
    }

    fn plan_missing(id: &str, plan: &str) {
        let v = eval_subscription(id, &with_pricings(None));
        assert_eq!(v.status, S::Error, "{id}");
        assert!(v.reason.contains("not collected"));

        let v = eval_subscription(
            id,
            &edit_plan(plan, |p| {
                p["properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("pricingTier");
            }),
        );
        assert_eq!(v.status, S::Error, "{id}");
        assert!(v.reason.contains("pricingTier"));
    }

    #[test]
    fn defender_plan_servers_pass() {
        plan_pass("defender_plan_servers", "VirtualMachines");
        let v = eval_subscription(
            "defender_plan_servers",
            &with_pricings(Some(example_pricings())),
        );
        assert_eq!(v.observed["pricings/VirtualMachines.subPlan"], json!("P2"));
    }
    #[test]
    fn defender_plan_servers_fail() {
        plan_fail("defender_plan_servers", "VirtualMachines");
    }
    #[test]
    fn defender_plan_servers_missing() {
        plan_missing("defender_plan_servers", "VirtualMachines");
    }

    #[test]
    fn defender_plan_storage_pass() {
        plan_pass("defender_plan_storage", "StorageAccounts");
    }
    #[test]
    fn defender_plan_storage_fail() {
        plan_fail("defender_plan_storage", "StorageAccounts");
    }
    #[test]
    fn defender_plan_storage_missing() {
        plan_missing("defender_plan_storage", "StorageAccounts");
    }

    #[test]
    fn defender_plan_sql_pass() {
        plan_pass("defender_plan_sql", "SqlServers");
    }
    #[test]
    fn defender_plan_sql_fail() {
        plan_fail("defender_plan_sql", "SqlServers");
    }
    #[test]
    fn defender_plan_sql_missing() {
        plan_missing("defender_plan_sql", "SqlServers");
    }

    #[test]
    fn defender_plan_keyvaults_pass() {
        plan_pass("defender_plan_keyvaults", "KeyVaults");
    }
    #[test]
    fn defender_plan_keyvaults_fail() {
        plan_fail("defender_plan_keyvaults", "KeyVaults");
    }
    #[test]
    fn defender_plan_keyvaults_missing() {
        plan_missing("defender_plan_keyvaults", "KeyVaults");
    }

    #[test]
    fn defender_plan_arm_pass() {
        plan_pass("defender_plan_arm", "Arm");
    }
    #[test]
    fn defender_plan_arm_fail() {
        plan_fail("defender_plan_arm", "Arm");
    }
    #[test]
    fn defender_plan_arm_missing() {
        plan_missing("defender_plan_arm", "Arm");
    }

    fn with_contacts(contacts: Option<Vec<Value>>) -> Subscription {
        let mut s = subscription("sub-a");
        s.security_contacts = contacts;
        s
    }

    fn example_contacts() -> Vec<Value> {
        fixture(CONTACTS)["value"].as_array().unwrap().clone()
    }

    #[test]
    fn defender_security_contact_email_pass() {
        let v = eval_subscription(
            "defender_security_contact_email",
            &with_contacts(Some(example_contacts())),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.reason,
            "security alerts are emailed to john@contoso.com, Jane@contoso.com"
        );
        assert_eq!(
            v.observed["securityContacts"][0]["notificationsByRole"]["roles"],
            json!(["Owner", "Admin"])
        );
    }
    #[test]
    fn defender_security_contact_email_fail() {
        let v = eval_subscription(
            "defender_security_contact_email",
            &with_contacts(Some(vec![])),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "no security contact is configured")
        );

        let mut contacts = example_contacts();
        contacts[0]["properties"]["emails"] = json!(" ; ");
        let v = eval_subscription(
            "defender_security_contact_email",
            &with_contacts(Some(contacts)),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["securityContacts"][0]["emails"], json!([]));

        let mut contacts = example_contacts();
        contacts[0]["properties"]["isEnabled"] = json!(false);
        let v = eval_subscription(
            "defender_security_contact_email",
            &with_contacts(Some(contacts)),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.reason, "no enabled security contact has an email address");
    }
    #[test]
    fn defender_security_contact_email_missing() {
        let v = eval_subscription("defender_security_contact_email", &with_contacts(None));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not collected"));
        assert_eq!(v.observed["securityContacts"], Value::Null);
        // A contact returned without isEnabled, or without its properties, is not evidence.
        let mut contacts = example_contacts();
        contacts[0]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("isEnabled");
        let v = eval_subscription(
            "defender_security_contact_email",
            &with_contacts(Some(contacts)),
        );
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("isEnabled"), "{}", v.reason);
        let mut contacts = example_contacts();
        contacts[0]["properties"] = json!({});
        let v = eval_subscription(
            "defender_security_contact_email",
            &with_contacts(Some(contacts)),
        );
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("without its properties"), "{}", v.reason);
    }
}

/// Tests of the added plans, notifications, auto-provisioning and recommendations.
#[cfg(test)]
mod posture_tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{
        eval_subscription, fixture, fixture_resource, inventory, set_prop, subscription,
    };
    use crate::checks::{Finding, Settings};
    use crate::model::{Gap, Inventory, Resource, Subscription};

    const PRICINGS: &str = "defender/defender_pricings_list.2024-01-01.json";
    const CONTACTS: &str = "defender/security_contacts_list.2023-12-01-preview.json";
    const AUTO: &str = "defender/auto_provisioning_settings_list.2017-08-01-preview.json";
    const ASSESSMENTS: &str = "../handmade/security/assessments_list.2021-06-01.json";
    const SUB: &str = "20ff7fc3-e762-44dd-bd96-b71116dcdc23";

    fn list(path: &str) -> Vec<Value> {
        fixture(path)["value"].as_array().unwrap().clone()
    }

    /// Microsoft's pricings with `plan` set to `tier` (added, cloned from KeyVaults, when the
    /// example does not list it), or removed with `None`.
    fn pricings(plan: &str, tier: Option<&str>) -> Subscription {
        let mut l = list(PRICINGS);
        match tier {
            None => l.retain(|p| p["name"] != plan),
            Some(t) => {
                if !l.iter().any(|p| p["name"] == plan) {
                    let mut e = l.iter().find(|p| p["name"] == "KeyVaults").unwrap().clone();
                    e["name"] = json!(plan);
                    e["id"] = json!(format!(
                        "/subscriptions/{SUB}/providers/Microsoft.Security/pricings/{plan}"
                    ));
                    l.push(e);
                }
                let e = l.iter_mut().find(|p| p["name"] == plan).unwrap();
                e["properties"]["pricingTier"] = json!(t);
            }
        }
        let mut s = subscription(SUB);
        s.defender_pricings = Some(l);
        s
    }

    fn plan_cases(id: &str, plan: &str) -> [crate::checks::Verdict; 4] {
        let mut no_tier = pricings(plan, Some("Standard"));
        let e = no_tier
            .defender_pricings
            .as_mut()
            .unwrap()
            .iter_mut()
            .find(|p| p["name"] == plan)
            .unwrap();
        e["properties"]
            .as_object_mut()
            .unwrap()
            .remove("pricingTier");
        [
            eval_subscription(id, &pricings(plan, Some("Standard"))),
            eval_subscription(id, &pricings(plan, Some("Free"))),
            eval_subscription(id, &subscription(SUB)),
            eval_subscription(id, &no_tier),
        ]
    }

    fn plan_pass(id: &str, plan: &str) {
        let v = &plan_cases(id, plan)[0];
        assert_eq!(v.status, S::Pass, "{id}: {}", v.reason);
        assert_eq!(
            v.observed[&format!("pricings/{plan}.pricingTier")],
            json!("Standard")
        );
    }
    fn plan_fail(id: &str, plan: &str) {
        let v = &plan_cases(id, plan)[1];
        assert_eq!(v.status, S::Fail, "{id}: {}", v.reason);
        assert!(v.reason.contains("Free"), "{}", v.reason);
        let v = eval_subscription(id, &pricings(plan, None));
        assert_eq!(v.status, S::Fail, "{id}: {}", v.reason);
    }
    fn plan_missing(id: &str, plan: &str) {
        let c = plan_cases(id, plan);
        assert_eq!(c[2].status, S::Error, "{id}");
        assert_eq!(c[3].status, S::Error, "{id}");
        assert!(c[3].reason.contains("pricingTier"));
    }

    #[test]
    fn defender_plan_app_services_pass() {
        plan_pass("defender_plan_app_services", "AppServices");
    }
    #[test]
    fn defender_plan_app_services_fail() {
        // Microsoft's example has App Service on Free.
        let mut s = subscription(SUB);
        s.defender_pricings = Some(list(PRICINGS));
        let v = eval_subscription("defender_plan_app_services", &s);
        assert_eq!(v.reason, "the AppServices plan is off (Free tier)");
        plan_fail("defender_plan_app_services", "AppServices");
    }
    #[test]
    fn defender_plan_app_services_missing() {
        plan_missing("defender_plan_app_services", "AppServices");
    }

    #[test]
    fn defender_plan_containers_pass() {
        plan_pass("defender_plan_containers", "Containers");
    }
    #[test]
    fn defender_plan_containers_fail() {
        plan_fail("defender_plan_containers", "Containers");
    }
    #[test]
    fn defender_plan_containers_missing() {
        plan_missing("defender_plan_containers", "Containers");
    }

    #[test]
    fn defender_plan_cosmos_dbs_pass() {
        plan_pass("defender_plan_cosmos_dbs", "CosmosDbs");
    }
    #[test]
    fn defender_plan_cosmos_dbs_fail() {
        // Not listed in Microsoft's example at all.
        let mut s = subscription(SUB);
        s.defender_pricings = Some(list(PRICINGS));
        let v = eval_subscription("defender_plan_cosmos_dbs", &s);
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.starts_with("plan not listed"));
        plan_fail("defender_plan_cosmos_dbs", "CosmosDbs");
    }
    #[test]
    fn defender_plan_cosmos_dbs_missing() {
        plan_missing("defender_plan_cosmos_dbs", "CosmosDbs");
    }

    #[test]
    fn defender_plan_open_source_dbs_pass() {
        plan_pass(
            "defender_plan_open_source_dbs",
            "OpenSourceRelationalDatabases",
        );
    }
    #[test]
    fn defender_plan_open_source_dbs_fail() {
        plan_fail(
            "defender_plan_open_source_dbs",
            "OpenSourceRelationalDatabases",
        );
    }
    #[test]
    fn defender_plan_open_source_dbs_missing() {
        plan_missing(
            "defender_plan_open_source_dbs",
            "OpenSourceRelationalDatabases",
        );
    }

    #[test]
    fn defender_plan_sql_vms_pass() {
        plan_pass("defender_plan_sql_vms", "SqlServerVirtualMachines");
    }
    #[test]
    fn defender_plan_sql_vms_fail() {
        plan_fail("defender_plan_sql_vms", "SqlServerVirtualMachines");
    }
    #[test]
    fn defender_plan_sql_vms_missing() {
        plan_missing("defender_plan_sql_vms", "SqlServerVirtualMachines");
    }

    #[test]
    fn defender_plan_dns_pass() {
        plan_pass("defender_plan_dns", "Dns");
        // Legacy plan off, but Servers Plan 2 (Microsoft's example) includes DNS detection.
        let v = eval_subscription("defender_plan_dns", &pricings("Dns", Some("Free")));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["pricings/VirtualMachines.subPlan"], json!("P2"));
        assert_eq!(v.observed["pricings/Dns.pricingTier"], json!("Free"));
    }
    #[test]
    fn defender_plan_dns_fail() {
        let mut s = pricings("Dns", Some("Free"));
        for p in s.defender_pricings.as_mut().unwrap() {
            if p["name"] == "VirtualMachines" {
                p["properties"]["subPlan"] = json!("P1");
            }
        }
        let v = eval_subscription("defender_plan_dns", &s);
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert_eq!(v.observed["pricings/VirtualMachines.subPlan"], json!("P1"));
    }
    #[test]
    fn defender_plan_dns_missing() {
        plan_missing("defender_plan_dns", "Dns");
        // Legacy plan off and Servers on Standard without a subPlan: Plan 2 is not known.
        let mut s = pricings("Dns", Some("Free"));
        for p in s.defender_pricings.as_mut().unwrap() {
            if p["name"] == "VirtualMachines" {
                p["properties"].as_object_mut().unwrap().remove("subPlan");
            }
        }
        let v = eval_subscription("defender_plan_dns", &s);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("subPlan"), "{}", v.reason);
    }

    #[test]
    fn defender_plan_cspm_pass() {
        plan_pass("defender_plan_cspm", "CloudPosture");
    }
    #[test]
    fn defender_plan_cspm_fail() {
        plan_fail("defender_plan_cspm", "CloudPosture");
    }
    #[test]
    fn defender_plan_cspm_missing() {
        plan_missing("defender_plan_cspm", "CloudPosture");
    }

    #[test]
    fn defender_plan_apis_pass() {
        plan_pass("defender_plan_apis", "Api");
    }
    #[test]
    fn defender_plan_apis_fail() {
        plan_fail("defender_plan_apis", "Api");
    }
    #[test]
    fn defender_plan_apis_missing() {
        plan_missing("defender_plan_apis", "Api");
    }

    fn auto(settings: Option<Vec<Value>>) -> Subscription {
        let mut s = subscription(SUB);
        s.auto_provisioning_settings = settings;
        s
    }

    #[test]
    fn defender_auto_provisioning_on_pass() {
        let v = eval_subscription("defender_auto_provisioning_on", &auto(Some(list(AUTO))));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.observed["autoProvisioningSettings/default.autoProvision"],
            json!("On")
        );
    }
    #[test]
    fn defender_auto_provisioning_on_fail() {
        let mut l = list(AUTO);
        l[0]["properties"]["autoProvision"] = json!("Off");
        let v = eval_subscription("defender_auto_provisioning_on", &auto(Some(l)));
        assert_eq!(v.status, S::Fail);
        let v = eval_subscription("defender_auto_provisioning_on", &auto(Some(vec![])));
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("not configured"));
    }
    #[test]
    fn defender_auto_provisioning_on_missing() {
        let v = eval_subscription("defender_auto_provisioning_on", &auto(None));
        assert_eq!(v.status, S::Error);
        let mut l = list(AUTO);
        l[0]["properties"] = json!({});
        let v = eval_subscription("defender_auto_provisioning_on", &auto(Some(l)));
        assert_eq!(v.status, S::Error);
    }

    fn contacts(edit: impl FnOnce(&mut Vec<Value>)) -> Subscription {
        let mut l = list(CONTACTS);
        edit(&mut l);
        let mut s = subscription(SUB);
        s.security_contacts = Some(l);
        s
    }

    fn alert_source(l: &mut [Value], severity: &str) {
        l[0]["properties"]["notificationsSources"][1]["minimalSeverity"] = json!(severity);
    }

    #[test]
    fn defender_alert_notifications_medium_pass() {
        // Microsoft's example emails alerts of Medium and above.
        let v = eval_subscription("defender_alert_notifications_medium", &contacts(|_| {}));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.reason, "alerts of Medium severity and above are emailed");
        let v = eval_subscription(
            "defender_alert_notifications_medium",
            &contacts(|l| alert_source(l, "Low")),
        );
        assert_eq!(v.status, S::Pass);
        // The older api-version shape.
        let v = eval_subscription(
            "defender_alert_notifications_medium",
            &contacts(|l| {
                let p = l[0]["properties"].as_object_mut().unwrap();
                p.remove("notificationsSources");
                p.insert(
                    "alertNotifications".into(),
                    json!({"state": "On", "minimalSeverity": "Medium"}),
                );
            }),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn defender_alert_notifications_medium_fail() {
        let v = eval_subscription(
            "defender_alert_notifications_medium",
            &contacts(|l| alert_source(l, "High")),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.starts_with("only High-severity alerts"));
        assert_eq!(v.observed["alert_minimal_severities"], json!(["High"]));
        let v = eval_subscription(
            "defender_alert_notifications_medium",
            &contacts(|l| l[0]["properties"]["isEnabled"] = json!(false)),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.reason,
            "no enabled security contact emails alerts of Medium severity"
        );
    }
    #[test]
    fn defender_alert_notifications_medium_missing() {
        let v = eval_subscription("defender_alert_notifications_medium", &subscription(SUB));
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["securityContacts"], Value::Null);
        let v = eval_subscription(
            "defender_alert_notifications_medium",
            &contacts(|l| alert_source(l, "Severe")),
        );
        assert_eq!(v.status, S::Error);
        // A contact that may be switched on, or whose notifications were not returned, is not
        // evidence that alerts reach no one.
        let remove = |field: &'static str| {
            move |l: &mut Vec<Value>| {
                l[0]["properties"].as_object_mut().unwrap().remove(field);
            }
        };
        for (field, named) in [
            ("isEnabled", "isEnabled"),
            ("notificationsSources", "notificationsSources"),
        ] {
            let v = eval_subscription(
                "defender_alert_notifications_medium",
                &contacts(remove(field)),
            );
            assert_eq!(v.status, S::Error, "{field}: {}", v.reason);
            assert!(v.reason.contains(named), "{}", v.reason);
        }
    }

    #[test]
    fn defender_notify_owners_pass() {
        let v = eval_subscription("defender_notify_owners", &contacts(|_| {}));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn defender_notify_owners_fail() {
        let v = eval_subscription(
            "defender_notify_owners",
            &contacts(|l| l[0]["properties"]["notificationsByRole"]["roles"] = json!(["Admin"])),
        );
        assert_eq!(v.status, S::Fail);
        let v = eval_subscription(
            "defender_notify_owners",
            &contacts(|l| l[0]["properties"]["notificationsByRole"]["state"] = json!("Off")),
        );
        assert_eq!(v.status, S::Fail);
        let v = eval_subscription("defender_notify_owners", &contacts(|l| l.clear()));
        assert_eq!(v.reason, "no security contact is configured");
    }
    #[test]
    fn defender_notify_owners_missing() {
        let v = eval_subscription("defender_notify_owners", &subscription(SUB));
        assert_eq!(v.status, S::Error);
        for field in ["isEnabled", "notificationsByRole"] {
            let v = eval_subscription(
                "defender_notify_owners",
                &contacts(|l| {
                    l[0]["properties"].as_object_mut().unwrap().remove(field);
                }),
            );
            assert_eq!(v.status, S::Error, "{field}: {}", v.reason);
            assert!(v.reason.contains(field), "{}", v.reason);
        }
    }

    #[test]
    fn defender_attack_path_notifications_pass() {
        // Microsoft's example misspells the source type ("AttachPath"); the API's enum value
        // is AttackPath.
        let v = eval_subscription(
            "defender_attack_path_notifications",
            &contacts(|l| {
                l[0]["properties"]["notificationsSources"][0]["sourceType"] = json!("AttackPath")
            }),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.reason,
            "attack paths of Critical risk and above are emailed"
        );
    }
    #[test]
    fn defender_attack_path_notifications_fail() {
        // The unrecognised source type of Microsoft's example is not an attack path source.
        let v = eval_subscription("defender_attack_path_notifications", &contacts(|_| {}));
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.reason, "no enabled security contact emails attack paths");
        let v = eval_subscription(
            "defender_attack_path_notifications",
            &contacts(|l| {
                l[0]["properties"]["notificationsSources"]
                    .as_array_mut()
                    .unwrap()
                    .remove(0);
            }),
        );
        assert_eq!(v.status, S::Fail);
    }
    #[test]
    fn defender_attack_path_notifications_missing() {
        let v = eval_subscription("defender_attack_path_notifications", &subscription(SUB));
        assert_eq!(v.status, S::Error);
    }

    /// Microsoft's assessments example, turned unhealthy with a severity.
    fn assessment(index: usize, severity: Option<&str>) -> Resource {
        let mut r = fixture_resource(ASSESSMENTS, index);
        set_prop(&mut r, "/status", json!({"code": "Unhealthy"}));
        if let Some(sev) = severity {
            set_prop(
                &mut r,
                "/metadata",
                json!({"severity": sev, "assessmentType": "BuiltIn",
                       "displayName": "Install endpoint protection solution on virtual machine scale sets"}),
            );
        }
        r
    }

    fn finding(id: &str, inv: &Inventory) -> Finding {
        let check = crate::checks::find(id).unwrap();
        let settings = Settings::default();
        let ctx = crate::checks::Ctx::new(inv, &settings);
        crate::checks::run(check, &ctx)
            .findings
            .into_iter()
            .find(|f| f.resource_id == format!("/subscriptions/{SUB}"))
            .unwrap()
    }

    fn inv(rows: Vec<Resource>) -> Inventory {
        let mut inv = inventory(rows);
        inv.subscriptions.push(subscription(SUB));
        inv
    }

    #[test]
    fn defender_high_severity_recommendations_resolved_pass() {
        // Microsoft's example rows are Healthy and NotApplicable; a Medium one is not High.
        let rows = vec![
            fixture_resource(ASSESSMENTS, 0),
            fixture_resource(ASSESSMENTS, 1),
            assessment(0, Some("Medium")),
        ];
        let f = finding(
            "defender_high_severity_recommendations_resolved",
            &inv(rows),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.observed["unhealthy_assessments"], json!(1));
    }
    #[test]
    fn defender_high_severity_recommendations_resolved_fail() {
        let rows = vec![assessment(0, Some("High")), assessment(1, Some("High"))];
        let f = finding(
            "defender_high_severity_recommendations_resolved",
            &inv(rows),
        );
        assert_eq!(f.status, S::Fail);
        assert_eq!(
            f.reason,
            "1 unhealthy High-severity recommendations on 2 resources: Install endpoint \
             protection solution on virtual machine scale sets (2 resources)"
        );
        assert_eq!(
            f.observed["recommendations"][0]["examples"][1],
            json!(format!(
                "/subscriptions/{SUB}/resourceGroups/myRg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss2"
            ))
        );
    }
    #[test]
    fn defender_high_severity_recommendations_resolved_missing() {
        let f = finding(
            "defender_high_severity_recommendations_resolved",
            &inv(vec![assessment(0, None)]),
        );
        assert_eq!(f.status, S::Error, "{}", f.reason);
        let mut i = inv(vec![]);
        i.sources.retain(|s| s.name != "resource_graph.security");
        let f = finding("defender_high_severity_recommendations_resolved", &i);
        assert_eq!(f.status, S::Error);
        let mut i = inv(vec![]);
        for s in &mut i.sources {
            s.gaps.push(Gap {
                scope: format!("/subscriptions/{SUB}"),
                reason: "throttled".into(),
                read: None,
            });
        }
        let f = finding("defender_high_severity_recommendations_resolved", &i);
        assert_eq!(f.status, S::Error);
    }

    #[test]
    fn defender_medium_severity_recommendations_resolved_pass() {
        let f = finding(
            "defender_medium_severity_recommendations_resolved",
            &inv(vec![
                assessment(0, Some("High")),
                assessment(1, Some("Low")),
            ]),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn defender_medium_severity_recommendations_resolved_fail() {
        let f = finding(
            "defender_medium_severity_recommendations_resolved",
            &inv(vec![assessment(1, Some("Medium"))]),
        );
        assert_eq!(f.status, S::Fail);
        assert!(f.reason.contains("Medium-severity"));
    }
    #[test]
    fn defender_medium_severity_recommendations_resolved_missing() {
        let f = finding(
            "defender_medium_severity_recommendations_resolved",
            &inv(vec![assessment(1, None)]),
        );
        assert_eq!(f.status, S::Error);
        assert_eq!(f.observed["without_severity"].as_array().unwrap().len(), 1);
    }

    fn update_assessment(key: &str) -> Resource {
        let mut r = assessment(0, Some("High"));
        r.id = r.id.replace("21300918-b2e3-0346-785f-c77ff57d243b", key);
        r.name = key.to_string();
        r
    }

    #[test]
    fn defender_system_updates_applied_pass() {
        // An unhealthy recommendation of another kind is not about updates.
        let f = finding(
            "defender_system_updates_applied",
            &inv(vec![assessment(0, Some("High"))]),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn defender_system_updates_applied_fail() {
        for key in [
            "4ab6e3c5-74dd-8b35-9ab9-f61b30875b27",
            "e1145ab1-eb4f-43d8-911b-36ddf771d13f",
        ] {
            let f = finding(
                "defender_system_updates_applied",
                &inv(vec![update_assessment(key)]),
            );
            assert_eq!(f.status, S::Fail, "{key}");
            assert!(f.reason.contains("vmss1"), "{}", f.reason);
        }
    }
    #[test]
    fn defender_system_updates_applied_missing() {
        let mut i = inv(vec![update_assessment(
            "4ab6e3c5-74dd-8b35-9ab9-f61b30875b27",
        )]);
        i.sources.retain(|s| s.name != "resource_graph.security");
        let f = finding("defender_system_updates_applied", &i);
        assert_eq!(f.status, S::Error);
    }
}
