//! Storage account checks (`Microsoft.Storage/storageAccounts`): transport security, network
//! exposure, authorisation (shared keys, Entra ID), encryption, data protection of the blob
//! service (soft delete, versioning, change feed, point-in-time restore), lifecycle disposal,
//! geo-redundancy and blob logging.
//!
//! Where Azure documents the value an absent property stands for (`allowSharedKeyAccess`,
//! `defaultToOAuthAuthentication`), the check applies it and says so; every other absence is an
//! error, never a pass.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::monitor::{
    LogSelector, destinations, enabled_logs, fail_unless_unreadable, settings_list, summarise,
};
use super::netset;
use super::props;
use super::{Check, CheckMeta, Ctx, Eval, Severity, Verdict, require_bool, require_str};
use crate::model::Resource;

const TYPE: &str = "microsoft.storage/storageaccounts";
const RG: &str = "resource_graph.resources";
const BLOB: &str = "arm.blob_services";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "storage_secure_transfer_required",
            title: "Storage accounts accept only HTTPS (secure transfer required)",
            service: "storage",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6", "CC6.7"],
            cis: &[
                "2.1.0:3.1",
                "3.0.0:4.1",
                "4.0.0:10.3.4",
                "5.0.0:9.3.4",
                "6.0.0:9.3.4",
            ],
            policies: &["404c3081-a854-4457-ae30-26a93ef643f9"],
            description: "Passes when properties.supportsHttpsTrafficOnly is true. Since catalogue 2026.12.0: absent properties.supportsHttpsTrafficOnly is its documented default (true) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Plain HTTP exposes data and shared-key signatures in transit; CC6.7 requires \
                        transmission of information to be protected.",
            remediation: "Portal: Storage account > Configuration > Secure transfer required = Enabled. \
                          CLI: az storage account update -n <name> -g <rg> --https-only true",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, secure_transfer),
    },
    Check {
        meta: CheckMeta {
            id: "storage_minimum_tls_1_2",
            title: "Storage accounts require TLS 1.2 or later",
            service: "storage",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.7"],
            cis: &[
                "2.1.0:3.15",
                "3.0.0:4.15",
                "4.0.0:10.3.7",
                "5.0.0:9.3.6",
                "6.0.0:9.3.6",
            ],
            policies: &[],
            description: "Passes when properties.minimumTlsVersion is TLS1_2 or TLS1_3. Absent means \
                          the value was not returned, which is not evidence of compliance. Since catalogue 2026.12.0: absent properties.minimumTlsVersion is its documented default (TLS1_0) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "TLS 1.0 and 1.1 have known weaknesses; CC6.7 requires protected transmission.",
            remediation: "Portal: Storage account > Configuration > Minimum TLS version = 1.2. \
                          CLI: az storage account update -n <name> -g <rg> --min-tls-version TLS1_2",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, minimum_tls),
    },
    Check {
        meta: CheckMeta {
            id: "storage_blob_public_access_disabled",
            title: "Storage accounts forbid anonymous blob access",
            service: "storage",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6", "C1.1"],
            cis: &[
                "2.1.0:3.17",
                "3.0.0:4.17",
                "4.0.0:10.3.9",
                "5.0.0:9.3.8",
                "6.0.0:9.3.8",
            ],
            policies: &[],
            description: "Passes when properties.allowBlobPublicAccess is false.",
            rationale: "Anonymous containers publish data to anyone with the URL, defeating logical \
                        access controls (CC6.1) and confidentiality commitments (C1.1).",
            remediation: "Portal: Storage account > Configuration > Allow Blob anonymous access = \
                          Disabled. CLI: az storage account update -n <name> -g <rg> \
                          --allow-blob-public-access false",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, blob_public_access),
    },
    Check {
        meta: CheckMeta {
            id: "storage_default_network_deny",
            title: "Storage account firewalls deny by default",
            service: "storage",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[
                "2.1.0:3.8",
                "3.0.0:4.7",
                "4.0.0:10.3.2.3",
                "5.0.0:9.3.2.3",
                "6.0.0:9.3.2.3",
            ],
            policies: &[],
            description: "Passes when properties.publicNetworkAccess is Disabled, or when \
                          properties.networkAcls.defaultAction is Deny and the IP rules \
                          (networkAcls.ipRules[].value, addresses or CIDR prefixes) do not together \
                          cover every public IPv4 or IPv6 address. Fails when the default action \
                          is Allow, or when the IP rules together cover the public internet (an \
                          open firewall written as several prefixes). Absent or \
                          unreadable ipRules behind a Deny is an error. Since catalogue \
                          2026.12.0: a Deny default with IP rules that together cover the \
                          internet fails, and absent or unreadable IP rules are an error, where \
                          before a Deny default alone passed.",
            rationale: "A default Allow exposes the data plane to every network; CC6.6 requires \
                        measures against threats from outside the system boundary.",
            remediation: "Portal: Storage account > Networking > Public network access = Enabled from \
                          selected networks or Disabled. CLI: az storage account update -n <name> \
                          -g <rg> --default-action Deny",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, default_network_deny),
    },
    Check {
        meta: CheckMeta {
            id: "storage_blob_soft_delete_enabled",
            title: "Blob soft delete is enabled on storage accounts",
            service: "storage",
            severity: Severity::Medium,
            criteria: &["A1.2", "CC7.5"],
            cis: &[
                "2.1.0:3.11",
                "3.0.0:4.10",
                "4.0.0:10.2.1",
                "4.0.0:10.3.6",
                "5.0.0:9.2.1",
                "6.0.0:9.2.1",
            ],
            policies: &[],
            description: "Reads blobServices/default: passes when deleteRetentionPolicy.enabled is \
                          true with at least 7 days. \
                          Since catalogue 2026.12.0: a blobServices/default answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `name` and `properties`) is a collection gap and makes the \
                          finding an error instead of being read as settings.",
            rationale: "Soft delete lets deleted or overwritten data be recovered after an incident \
                        (CC7.5) and is part of the recovery infrastructure (A1.2).",
            remediation: "Portal: Storage account > Data protection > Enable soft delete for blobs \
                          (7+ days). CLI: az storage account blob-service-properties update \
                          --account-name <name> -g <rg> --enable-delete-retention true \
                          --delete-retention-days 7",
            sources: &[RG, "arm.blob_services"],
        },
        eval: Eval::Resource(TYPE, blob_soft_delete),
    },
    Check {
        meta: CheckMeta {
            id: "storage_shared_key_access_disabled",
            title: "Storage accounts do not allow Shared Key authorisation",
            service: "storage",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.3"],
            cis: &["4.0.0:10.3.1.3", "5.0.0:9.3.1.3", "6.0.0:9.3.1.3"],
            policies: &[],
            description: "Passes when properties.allowSharedKeyAccess is false. true fails; an \
                          absent value fails too, because Azure documents null as equivalent to \
                          true (the observed value is recorded as null). Since catalogue 2026.12.0: absent properties.allowSharedKeyAccess is its documented default (true) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Account keys and the SAS tokens signed with them grant full data access \
                        without an identity, cannot be scoped by role and leave no per-user \
                        audit trail; requiring Microsoft Entra ID ties every request to an \
                        authorised identity with least privilege (CC6.1, CC6.3).",
            remediation: "Portal: Storage account > Configuration > Allow storage account key \
                          access = Disabled (move clients to Entra ID first). CLI: az storage \
                          account update -n <name> -g <rg> --allow-shared-key-access false",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, shared_key_access),
    },
    Check {
        meta: CheckMeta {
            id: "storage_infrastructure_encryption_enabled",
            title: "Storage accounts use infrastructure (double) encryption",
            service: "storage",
            severity: Severity::Low,
            criteria: &["CC6.1"],
            cis: &["2.1.0:3.2", "3.0.0:4.2"],
            policies: &[],
            description: "Passes when properties.encryption.requireInfrastructureEncryption is \
                          true; false fails; absent is an error (Azure documents no default it \
                          stands for). It can only be set when an account is created.",
            rationale: "A second, independent layer of AES-256 encryption at the infrastructure \
                        level protects stored data if one algorithm or key is compromised (CC6.1 \
                        protection of information assets).",
            remediation: "Portal: create a new storage account with Encryption > Enable \
                          infrastructure encryption, then migrate the data. CLI: az storage \
                          account create -n <name> -g <rg> --require-infrastructure-encryption \
                          true",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, infrastructure_encryption),
    },
    Check {
        meta: CheckMeta {
            id: "storage_cmk_encryption",
            title: "Storage accounts encrypt data with a customer-managed key",
            service: "storage",
            severity: Severity::Low,
            criteria: &["CC6.1", "CC6.5"],
            cis: &["2.1.0:3.12", "3.0.0:4.11"],
            policies: &["6fac406b-40ca-413b-bf8e-0bf964659c25"],
            description: "Passes when properties.encryption.keySource is Microsoft.Keyvault \
                          (case-insensitive); Microsoft.Storage (Microsoft-managed keys) fails; \
                          absent is an error. The key vault URI and key name are recorded. Low \
                          severity: data is always encrypted at rest; this is about who controls \
                          the key. Since catalogue 2026.12.0: absent properties.encryption.keySource is its documented default (Microsoft.Storage) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "A customer-managed key lets the organisation control, rotate and revoke \
                        the key protecting stored data, and makes key use auditable in its own \
                        key vault (CC6.1); revoking the key makes data on retired accounts and \
                        media unrecoverable (crypto-shredding, CC6.5).",
            remediation: "Portal: Storage account > Encryption > Customer-managed keys > select a \
                          key vault and key. CLI: az storage account update -n <name> -g <rg> \
                          --encryption-key-source Microsoft.Keyvault --encryption-key-vault \
                          <vault-uri> --encryption-key-name <key>",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, cmk_encryption),
    },
    Check {
        meta: CheckMeta {
            id: "storage_cross_tenant_replication_disabled",
            title: "Storage accounts do not allow cross-tenant object replication",
            service: "storage",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.7", "C1.1"],
            cis: &[
                "2.1.0:3.16",
                "3.0.0:4.16",
                "4.0.0:10.3.8",
                "5.0.0:9.3.7",
                "6.0.0:9.3.7",
            ],
            policies: &[],
            description: "Passes when properties.allowCrossTenantReplication is false; true \
                          fails. Azure changed the documented default from true to false for \
                          accounts created after its 2023 security-defaults rollout (completed in \
                          December 2023); older accounts keep true. Because the default depends \
                          on when the account was created, an absent value is an error, with \
                          properties.creationTime recorded beside it.",
            rationale: "Cross-tenant object replication copies blobs into storage accounts owned \
                        by another Microsoft Entra tenant, outside the organisation's access \
                        control; disallowing it restricts the movement of confidential data \
                        (CC6.7, C1.1).",
            remediation: "Portal: Storage account > Data management > Object replication > \
                          Advanced settings > clear Allow cross-tenant replication. CLI: az \
                          storage account update -n <name> -g <rg> \
                          --allow-cross-tenant-replication false",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, cross_tenant_replication),
    },
    Check {
        meta: CheckMeta {
            id: "storage_public_network_access_disabled",
            title: "Storage accounts disable public network access",
            service: "storage",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[
                "2.1.0:3.7",
                "3.0.0:4.6",
                "4.0.0:10.3.2.2",
                "5.0.0:9.3.2.2",
                "6.0.0:9.3.2.2",
            ],
            policies: &[],
            description: "Passes when properties.publicNetworkAccess is Disabled; Enabled fails. \
                          SecuredByPerimeter is an error: access is then decided by network \
                          security perimeter rules, which are not collected. Absent is an error. \
                          (storage_default_network_deny checks the firewall for accounts that \
                          must stay publicly reachable.) Since catalogue 2026.12.0: absent properties.publicNetworkAccess is its documented default (Enabled) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "With public network access disabled, the data plane is reachable only \
                        through private endpoints, removing internet exposure of the data \
                        altogether (CC6.6, CC6.1).",
            remediation: "Portal: Storage account > Networking > Public network access = \
                          Disabled (create private endpoints first). CLI: az storage account \
                          update -n <name> -g <rg> --public-network-access Disabled",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, public_network_access),
    },
    Check {
        meta: CheckMeta {
            id: "storage_private_endpoint_connected",
            title: "Storage accounts are reached through an approved private endpoint",
            service: "storage",
            severity: Severity::Low,
            criteria: &["CC6.1", "CC6.6", "CC6.7"],
            cis: &[
                "2.1.0:3.10",
                "3.0.0:4.9",
                "4.0.0:10.3.2.1",
                "5.0.0:9.3.2.1",
                "6.0.0:9.3.2.1",
            ],
            policies: &[],
            description: "Passes when properties.privateEndpointConnections has an entry whose \
                          properties.privateLinkServiceConnectionState.status is Approved. An \
                          empty list, or only pending/rejected connections, fails. Azure returns \
                          the list only when connections exist, so an absent list is read as \
                          none and fails (recorded as null). Since catalogue 2026.12.0: absent properties.privateEndpointConnections is off (an empty list) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "A private endpoint keeps traffic to the account on the Microsoft \
                        backbone and inside the virtual network, protecting data in transit \
                        (CC6.7) and allowing public access to be turned off (CC6.6).",
            remediation: "Portal: Storage account > Networking > Private endpoint connections > \
                          + Private endpoint. CLI: az network private-endpoint create -g <rg> -n \
                          <pe> --vnet-name <vnet> --subnet <subnet> --private-connection-resource-id \
                          <account-id> --group-id blob --connection-name <name>",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, private_endpoint),
    },
    Check {
        meta: CheckMeta {
            id: "storage_trusted_services_bypass",
            title: "Storage firewalls let trusted Microsoft services through",
            service: "storage",
            severity: Severity::Low,
            criteria: &["CC6.1", "CC6.8", "CC8.1"],
            cis: &[
                "2.1.0:3.9",
                "3.0.0:4.8",
                "4.0.0:10.3.5",
                "5.0.0:9.3.5",
                "6.0.0:9.3.5",
            ],
            policies: &["c9d007d0-c057-4772-b18c-01e546713bcd"],
            description: "Passes when properties.networkAcls.bypass (a comma-separated list) \
                          contains AzureServices; fails otherwise (e.g. None, or only Logging, \
                          Metrics). Absent networkAcls or bypass is an error. Since catalogue 2026.12.0: absent properties.networkAcls.bypass is its documented default (AzureServices) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "With a restrictive firewall, Azure Backup, Defender for Storage malware \
                        scanning, Event Grid and diagnostic logging can only reach the account \
                        through the trusted-services exception; without it those protections \
                        silently stop (CC6.8 detection of malicious software, CC8.1 and CC6.1 as \
                        Microsoft maps its policy).",
            remediation: "Portal: Storage account > Networking > Exceptions > Allow Azure \
                          services on the trusted services list to access this storage account. \
                          CLI: az storage account update -n <name> -g <rg> --bypass \
                          AzureServices Logging Metrics",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, trusted_services_bypass),
    },
    Check {
        meta: CheckMeta {
            id: "storage_default_oauth_authentication",
            title: "Storage accounts default to Microsoft Entra authorisation in the portal",
            service: "storage",
            severity: Severity::Low,
            criteria: &["CC6.1"],
            cis: &["4.0.0:10.3.3.1", "5.0.0:9.3.3.1", "6.0.0:9.3.3.1"],
            policies: &[],
            description: "Passes when properties.defaultToOAuthAuthentication is true; false \
                          fails, and so does an absent value, which Azure documents as \
                          interpreted as false (recorded as null). Since catalogue 2026.12.0: absent properties.defaultToOAuthAuthentication is its documented default (false) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "When the portal defaults to Entra ID, people browsing data use their own \
                        role assignments instead of the account key, so access is authorised \
                        and logged per person (CC6.1).",
            remediation: "Portal: Storage account > Configuration > Default to Microsoft Entra \
                          authorization in the Azure portal = Enabled. CLI: az storage account \
                          update -n <name> -g <rg> --set \
                          properties.defaultToOAuthAuthentication=true",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, default_oauth),
    },
    Check {
        meta: CheckMeta {
            id: "storage_key_expiration_policy_set",
            title: "Storage accounts have an access key expiration policy of 90 days or less",
            service: "storage",
            severity: Severity::Low,
            criteria: &["CC6.1"],
            cis: &[
                "2.1.0:3.3",
                "3.0.0:4.3",
                "4.0.0:10.3.1.1",
                "5.0.0:9.3.1.1",
                "6.0.0:9.3.1.1",
            ],
            policies: &[],
            description: "Passes when properties.keyPolicy.keyExpirationPeriodInDays is at most \
                          90 (the CIS value for key rotation reminders); longer fails. Azure \
                          returns keyPolicy only when one is set, so its absence fails (recorded \
                          as null). Not applicable when properties.allowSharedKeyAccess is false, \
                          since the keys then authorise nothing. Since catalogue 2026.12.0: absent properties.allowSharedKeyAccess is its documented default (true) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "An expiration policy makes stale account keys visible (Azure flags keys \
                        older than the period), prompting rotation of long-lived credentials \
                        (CC6.1).",
            remediation: "Portal: Storage account > Access keys > Set rotation reminder = 90 \
                          days. CLI: az storage account update -n <name> -g <rg> \
                          --key-exp-days 90",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, key_expiration_policy),
    },
    Check {
        meta: CheckMeta {
            id: "storage_access_keys_rotated",
            title: "Storage account access keys were regenerated within 90 days",
            service: "storage",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.2"],
            cis: &[
                "2.1.0:3.4",
                "3.0.0:4.4",
                "4.0.0:10.3.1.2",
                "5.0.0:9.3.1.2",
                "6.0.0:9.3.1.2",
            ],
            policies: &[],
            description: "Reads properties.keyCreationTime.key1 and key2 and compares them with \
                          the inventory's collection time (never the clock). Passes when both \
                          keys were created or regenerated at most 90 days earlier; fails naming \
                          each older key. Not applicable when properties.allowSharedKeyAccess is \
                          false. An absent or unreadable key creation time (accounts whose keys \
                          predate the property and were never regenerated) is an error. Since catalogue 2026.12.0: absent properties.allowSharedKeyAccess is its documented default (true) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "An account key is a shared, non-expiring credential with full data \
                        access; regular regeneration limits how long a leaked key stays useful \
                        and removes access of people who once held it (CC6.1, CC6.2).",
            remediation: "Portal: Storage account > Access keys > Rotate key (one key at a time, \
                          after moving clients to the other). CLI: az storage account keys renew \
                          -n <name> -g <rg> --key primary",
            sources: &[RG],
        },
        eval: Eval::ResourceCtx(TYPE, access_keys_rotated),
    },
    Check {
        meta: CheckMeta {
            id: "storage_geo_redundant_replication",
            title: "Storage accounts replicate data to a second region",
            service: "storage",
            severity: Severity::Medium,
            criteria: &["A1.2"],
            cis: &["4.0.0:10.3.12", "5.0.0:9.3.11", "6.0.0:9.3.11"],
            policies: &[],
            description: "Reads the top-level sku.name. Passes for geo-redundant SKUs \
                          (Standard_GRS, Standard_RAGRS, Standard_GZRS, Standard_RAGZRS); fails \
                          for locally or zone-redundant ones (Standard_LRS, Standard_ZRS). \
                          Premium SKUs cannot be geo-replicated and are not applicable. Absent sku \
                          is an error. CIS asks this for accounts holding critical data; accounts \
                          that do not are handled with a waiver.",
            rationale: "A regional outage or disaster makes LRS/ZRS data unavailable or lost; a \
                        geo-redundant copy is part of the recovery infrastructure (A1.2).",
            remediation: "Portal: Storage account > Redundancy > Geo-redundant storage (GRS) or \
                          GZRS > Save. CLI: az storage account update -n <name> -g <rg> --sku \
                          Standard_GZRS",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, geo_redundant),
    },
    Check {
        meta: CheckMeta {
            id: "storage_container_soft_delete_enabled",
            title: "Container soft delete is enabled on storage accounts",
            service: "storage",
            severity: Severity::Medium,
            criteria: &["A1.2", "CC7.5"],
            cis: &[
                "2.1.0:3.11",
                "3.0.0:4.10",
                "4.0.0:10.3.6",
                "5.0.0:9.2.2",
                "6.0.0:9.2.2",
            ],
            policies: &[],
            description: "Reads blobServices/default: passes when \
                          containerDeleteRetentionPolicy.enabled is true with at least 7 days; \
                          disabled or fewer days fails; absent settings, or the blob service \
                          not collected, is an error. \
                          Since catalogue 2026.12.0: a blobServices/default answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `name` and `properties`) is a collection gap and makes the \
                          finding an error instead of being read as settings.",
            rationale: "Blob soft delete does not protect against deleting a whole container; \
                        container soft delete keeps deleted containers recoverable after an \
                        incident or mistake (CC7.5, A1.2).",
            remediation: "Portal: Storage account > Data protection > Enable soft delete for \
                          containers (7+ days). CLI: az storage account blob-service-properties \
                          update --account-name <name> -g <rg> \
                          --enable-container-delete-retention true \
                          --container-delete-retention-days 7",
            sources: &[RG, BLOB],
        },
        eval: Eval::Resource(TYPE, container_soft_delete),
    },
    Check {
        meta: CheckMeta {
            id: "storage_blob_versioning_enabled",
            title: "Blob versioning is enabled on storage accounts",
            service: "storage",
            severity: Severity::Low,
            criteria: &["A1.2", "CC7.5"],
            cis: &["4.0.0:10.2.2", "5.0.0:9.2.3", "6.0.0:9.2.3"],
            policies: &[],
            description: "Reads blobServices/default: passes when isVersioningEnabled is true; \
                          false fails; absent, or the blob service not collected, is an error. \
                          Since catalogue 2026.12.0: a blobServices/default answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `name` and `properties`) is a collection gap and makes the \
                          finding an error instead of being read as settings.",
            rationale: "Versioning keeps every previous version of a blob, so data overwritten by \
                        mistake or by ransomware can be restored (CC7.5, A1.2).",
            remediation: "Portal: Storage account > Data protection > Enable versioning for \
                          blobs. CLI: az storage account blob-service-properties update \
                          --account-name <name> -g <rg> --enable-versioning true",
            sources: &[RG, BLOB],
        },
        eval: Eval::Resource(TYPE, blob_versioning),
    },
    Check {
        meta: CheckMeta {
            id: "storage_blob_change_feed_enabled",
            title: "Blob change feed records every change to blobs",
            service: "storage",
            severity: Severity::Low,
            criteria: &["CC7.2", "CC7.3"],
            cis: &[],
            policies: &[],
            description: "Reads blobServices/default: passes when changeFeed.enabled is true \
                          (changeFeed.retentionInDays is recorded; absent means kept \
                          indefinitely); false fails; absent changeFeed, or the blob service not \
                          collected, is an error. \
                          Since catalogue 2026.12.0: a blobServices/default answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `name` and `properties`) is a collection gap and makes the \
                          finding an error instead of being read as settings.",
            rationale: "The change feed is an ordered, durable log of blob creations, \
                        modifications and deletions, the record needed to detect and \
                        investigate tampering with stored data (CC7.2, CC7.3).",
            remediation: "Portal: Storage account > Data protection > Enable blob change feed. \
                          CLI: az storage account blob-service-properties update --account-name \
                          <name> -g <rg> --enable-change-feed true",
            sources: &[RG, BLOB],
        },
        eval: Eval::Resource(TYPE, blob_change_feed),
    },
    Check {
        meta: CheckMeta {
            id: "storage_blob_point_in_time_restore_enabled",
            title: "Point-in-time restore is enabled for block blobs",
            service: "storage",
            severity: Severity::Low,
            criteria: &["A1.2", "CC7.5"],
            cis: &[],
            policies: &[],
            description: "Reads blobServices/default: passes when restorePolicy.enabled is true \
                          (restorePolicy.days recorded); false fails; absent restorePolicy, or \
                          the blob service not collected, is an error. \
                          Since catalogue 2026.12.0: a blobServices/default answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `name` and `properties`) is a collection gap and makes the \
                          finding an error instead of being read as settings.",
            rationale: "Point-in-time restore returns whole containers to an earlier state in \
                        one operation, the fastest recovery from mass corruption or deletion \
                        (CC7.5, A1.2).",
            remediation: "Portal: Storage account > Data protection > Enable point-in-time \
                          restore for containers (requires versioning, change feed and blob soft \
                          delete). CLI: az storage account blob-service-properties update \
                          --account-name <name> -g <rg> --enable-restore-policy true \
                          --restore-days 6 --enable-delete-retention true \
                          --delete-retention-days 7",
            sources: &[RG, BLOB],
        },
        eval: Eval::Resource(TYPE, point_in_time_restore),
    },
    Check {
        meta: CheckMeta {
            id: "storage_lifecycle_policy_deletes_data",
            title: "Storage accounts have a lifecycle policy that deletes data when due",
            service: "storage",
            severity: Severity::Low,
            criteria: &["C1.2", "P4.3"],
            cis: &[],
            policies: &[],
            description: "Reads the child managementPolicies/default. Passes when \
                          properties.policy.rules has an enabled rule with a delete action \
                          (definition.actions.baseBlob.delete, snapshot.delete or version.delete). \
                          Fails when no policy exists (the collector stores Azure's 404 as null), \
                          when no rule is enabled, or when the enabled rules only change tiers. \
                          Not collected is an error. \
                          Since catalogue 2026.12.0: a managementPolicies/default answer that is \
                          not the documented object (a page-shaped `value` list, a bare array, an \
                          object without `name` and `properties`) is a collection gap and makes \
                          the finding an error instead of being read as settings.",
            rationale: "Confidential and personal information must be disposed of when its \
                        retention period ends; a lifecycle rule that deletes blobs after a set \
                        age is the automated disposal control (C1.2, P4.3).",
            remediation: "Portal: Storage account > Data management > Lifecycle management > Add \
                          a rule with a Delete the blob action after the retention period. CLI: \
                          az storage account management-policy create --account-name <name> -g \
                          <rg> --policy @policy.json",
            sources: &[RG, "arm.storage_lifecycle"],
        },
        eval: Eval::Resource(TYPE, lifecycle_policy),
    },
    Check {
        meta: CheckMeta {
            id: "storage_blob_logging_enabled",
            title: "Blob read, write and delete requests are logged to a destination",
            service: "storage",
            severity: Severity::Medium,
            criteria: &["CC7.2", "CC7.3"],
            cis: &["2.1.0:3.13", "3.0.0:4.13"],
            policies: &[],
            description: "Reads the diagnostic settings of the blob service (child \
                          blobServices/default/diagnosticSettings). Passes when StorageRead, \
                          StorageWrite and StorageDelete are each enabled (by category, or \
                          through the audit or allLogs category group) in a setting with a \
                          destination (non-empty workspaceId, storageAccountId, \
                          eventHubAuthorizationRuleId or marketplacePartnerId); the categories \
                          may be spread over several settings. Fails naming the categories not \
                          exported; not collected is an error.",
            rationale: "Resource logs are the only record of who read, changed or deleted which \
                        blob; without them data access cannot be monitored or an exfiltration \
                        investigated (CC7.2, CC7.3).",
            remediation: "Portal: Storage account > Monitoring > Diagnostic settings > blob > Add \
                          diagnostic setting; select StorageRead, StorageWrite and StorageDelete \
                          (or the audit group) and a Log Analytics workspace. CLI: az monitor \
                          diagnostic-settings create -n blob-logs --resource \
                          <account-id>/blobServices/default --workspace <workspace-id> --logs \
                          '[{\"categoryGroup\":\"audit\",\"enabled\":true}]'",
            sources: &[RG, "arm.diagnostic_settings"],
        },
        eval: Eval::Resource(TYPE, blob_logging),
    },
];

fn secure_transfer(r: &Resource) -> Verdict {
    let key = "properties.supportsHttpsTrafficOnly";
    match require_bool(r, "/supportsHttpsTrafficOnly") {
        Ok(true) => Verdict::pass("secure transfer is required"),
        Ok(false) => Verdict::fail("the account accepts plain HTTP"),
        Err(v) => return v,
    }
    .observe_prop(key, r, "/supportsHttpsTrafficOnly")
}

fn minimum_tls(r: &Resource) -> Verdict {
    let key = "properties.minimumTlsVersion";
    match require_str(r, "/minimumTlsVersion") {
        Ok("TLS1_2" | "TLS1_3") => Verdict::pass("minimum TLS version is 1.2 or later"),
        Ok(v) => Verdict::fail(format!("minimum TLS version is {v}")),
        Err(v) => return v,
    }
    .observe_prop(key, r, "/minimumTlsVersion")
}

fn blob_public_access(r: &Resource) -> Verdict {
    let key = "properties.allowBlobPublicAccess";
    match require_bool(r, "/allowBlobPublicAccess") {
        Ok(false) => Verdict::pass("anonymous blob access is disallowed"),
        Ok(true) => Verdict::fail("anonymous blob access is allowed on the account"),
        Err(v) => return v,
    }
    .observe_prop(key, r, "/allowBlobPublicAccess")
}

fn default_network_deny(r: &Resource) -> Verdict {
    let pna = props::value(r, "/publicNetworkAccess");
    let action = props::value(r, "/networkAcls/defaultAction");
    let ip_rules = r.prop("/networkAcls/ipRules");
    let v = match (pna.and_then(Value::as_str), action.and_then(Value::as_str)) {
        (Some("Disabled"), _) => Verdict::pass("public network access is disabled"),
        (_, Some("Deny")) => {
            deny_by_default_verdict(ip_rules, "properties.networkAcls.ipRules", "value", &[])
        }
        (_, Some(a)) => Verdict::fail(format!("the firewall default action is {a}")),
        (_, None) => Verdict::error("properties.networkAcls.defaultAction is not present"),
    };
    v.observe("properties.publicNetworkAccess", pna)
        .observe("properties.networkAcls.defaultAction", action)
        .observe("properties.networkAcls.ipRules", ip_rules)
}

/// A firewall that denies by default is only as closed as its IP allow-list: entries that
/// together cover the public internet make it an open firewall. Absent or unreadable rules
/// are an error, never a pass. Shared by storage, Key Vault and container registries.
pub(super) fn deny_by_default_verdict(
    ip_rules: Option<&Value>,
    key: &str,
    field: &str,
    special: &[&str],
) -> Verdict {
    let Some(list) = ip_rules else {
        return Verdict::error(format!(
            "the firewall denies by default but {key} is not present, so what it admits is unknown"
        ));
    };
    match netset::read_allow_list(list, field, special) {
        Err(why) => Verdict::error(format!("{key} cannot be read: it {why}")),
        Ok(a) if !a.open.is_empty() => Verdict::fail(format!(
            "the firewall denies by default, but its IP rules together admit {}: {}",
            a.describe_open(),
            a.culprits.join(", ")
        )),
        Ok(a) => Verdict::pass(format!(
            "the firewall denies by default; its {} IP rule(s) do not cover the internet",
            a.len
        )),
    }
}

fn blob_soft_delete(r: &Resource) -> Verdict {
    retention_policy(r, "deleteRetentionPolicy", "blob")
}

/// A boolean property where `good` is compliant; absent is an error naming it.
fn flag(r: &Resource, prop: &str, good: bool, on_good: &str, on_bad: &str) -> Verdict {
    let pointer = format!("/{}", prop.replace('.', "/"));
    match require_bool(r, &pointer) {
        Ok(b) if b == good => Verdict::pass(on_good),
        Ok(_) => Verdict::fail(on_bad),
        Err(v) => return v,
    }
    .observe_prop(&format!("properties.{prop}"), r, &pointer)
}

fn shared_key_access(r: &Resource) -> Verdict {
    let key = "properties.allowSharedKeyAccess";
    let value = props::value(r, "/allowSharedKeyAccess");
    match value {
        Some(Value::Bool(false)) => Verdict::pass("Shared Key authorisation is disallowed"),
        Some(Value::Bool(true)) => Verdict::fail("Shared Key authorisation is allowed"),
        None => Verdict::error(props::absent_reason(r, "/allowSharedKeyAccess")),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe_prop(key, r, "/allowSharedKeyAccess")
}

fn infrastructure_encryption(r: &Resource) -> Verdict {
    flag(
        r,
        "encryption.requireInfrastructureEncryption",
        true,
        "infrastructure encryption is enabled",
        "infrastructure encryption is not enabled",
    )
}

fn cmk_encryption(r: &Resource) -> Verdict {
    let key = "properties.encryption.keySource";
    match require_str(r, "/encryption/keySource") {
        Ok(s) if s.eq_ignore_ascii_case("Microsoft.Keyvault") => {
            Verdict::pass("data is encrypted with a customer-managed key")
        }
        Ok(s) => Verdict::fail(format!("data is encrypted with {s}-managed keys")),
        Err(v) => return v,
    }
    .observe_prop(key, r, "/encryption/keySource")
    .observe_prop(
        "properties.encryption.keyvaultproperties.keyvaulturi",
        r,
        "/encryption/keyvaultproperties/keyvaulturi",
    )
    .observe_prop(
        "properties.encryption.keyvaultproperties.keyname",
        r,
        "/encryption/keyvaultproperties/keyname",
    )
}

fn cross_tenant_replication(r: &Resource) -> Verdict {
    let key = "properties.allowCrossTenantReplication";
    let value = props::value(r, "/allowCrossTenantReplication");
    match value {
        Some(Value::Bool(false)) => Verdict::pass("cross-tenant replication is disallowed"),
        Some(Value::Bool(true)) => Verdict::fail("cross-tenant replication is allowed"),
        None => Verdict::error(
            "allowCrossTenantReplication was not returned; Azure's default is false only for \
             accounts created after its 2023 change (true before), so the setting is unknown",
        ),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe(key, value)
    .observe_prop("properties.creationTime", r, "/creationTime")
}

fn public_network_access(r: &Resource) -> Verdict {
    let key = "properties.publicNetworkAccess";
    match require_str(r, "/publicNetworkAccess") {
        Ok(s) if s.eq_ignore_ascii_case("Disabled") => {
            Verdict::pass("public network access is disabled")
        }
        Ok(s) if s.eq_ignore_ascii_case("SecuredByPerimeter") => Verdict::error(
            "public access is decided by a network security perimeter whose rules are not \
             collected",
        ),
        Ok(s) => Verdict::fail(format!("public network access is {s}")),
        Err(v) => return v,
    }
    .observe_prop(key, r, "/publicNetworkAccess")
}

/// Approved private endpoint connections of a resource whose list sits at
/// `properties.privateEndpointConnections` (storage accounts, key vaults, recovery vaults).
pub(super) fn private_endpoint_verdict(r: &Resource) -> Verdict {
    let key = "properties.privateEndpointConnections";
    let list = props::value(r, "/privateEndpointConnections");
    let Some(items) = list.and_then(Value::as_array) else {
        return match list {
            None => Verdict::error(props::absent_reason(r, "/privateEndpointConnections")),
            Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
        }
        .observe_prop(key, r, "/privateEndpointConnections");
    };
    let ty = props::private_endpoint_connection_type(&r.r#type);
    let status = |c: &Value| {
        props::item_value(&ty, c, "/privateLinkServiceConnectionState/status")
            .and_then(Value::as_str)
            .unwrap_or("(unknown)")
            .to_string()
    };
    let unknown = items.iter().filter(|c| status(c) == "(unknown)").count();
    let approved: Vec<&str> = items
        .iter()
        .filter(|c| status(c).eq_ignore_ascii_case("Approved"))
        .filter_map(|c| {
            c.pointer("/properties/privateEndpoint/id")
                .or_else(|| c.get("id"))
                .and_then(Value::as_str)
        })
        .collect();
    let v = if !approved.is_empty() {
        Verdict::pass(format!(
            "approved private endpoint connections: {}",
            approved.join(", ")
        ))
    } else if items.is_empty() {
        Verdict::fail("no private endpoint connections")
    } else if unknown > 0 {
        // A connection whose state was not returned may be the approved one.
        Verdict::error(format!(
            "no private endpoint connection is known to be approved, and {unknown} have no \
             privateLinkServiceConnectionState.status in the collected data"
        ))
    } else {
        Verdict::fail("no private endpoint connection is approved")
    };
    if r.prop("/privateEndpointConnections").is_none() {
        // Absent (read as none): recorded as collected, null.
        return v.observe_prop(key, r, "/privateEndpointConnections");
    }
    v.observe_value(
        key,
        items
            .iter()
            .map(|c| json!({"id": c.get("id"), "status": status(c)}))
            .collect(),
    )
}

fn private_endpoint(r: &Resource) -> Verdict {
    private_endpoint_verdict(r)
}

fn trusted_services_bypass(r: &Resource) -> Verdict {
    let key = "properties.networkAcls.bypass";
    match require_str(r, "/networkAcls/bypass") {
        Ok(b) => {
            if b.split(',')
                .any(|x| x.trim().eq_ignore_ascii_case("AzureServices"))
            {
                Verdict::pass("trusted Microsoft services may bypass the firewall")
            } else {
                Verdict::fail(format!(
                    "the firewall exceptions ({b}) do not include AzureServices"
                ))
            }
        }
        Err(v) => return v,
    }
    .observe_prop(key, r, "/networkAcls/bypass")
}

fn default_oauth(r: &Resource) -> Verdict {
    let key = "properties.defaultToOAuthAuthentication";
    let value = props::value(r, "/defaultToOAuthAuthentication");
    match value {
        Some(Value::Bool(true)) => Verdict::pass("the portal defaults to Microsoft Entra ID"),
        Some(Value::Bool(false)) => Verdict::fail("the portal defaults to the account key"),
        None => Verdict::error(props::absent_reason(r, "/defaultToOAuthAuthentication")),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe_prop(key, r, "/defaultToOAuthAuthentication")
}

/// Shared keys authorise nothing when Shared Key access is explicitly disallowed.
fn shared_keys_disabled(r: &Resource) -> bool {
    props::value(r, "/allowSharedKeyAccess") == Some(&Value::Bool(false))
}

/// CIS's rotation period for account keys, in days.
const KEY_ROTATION_DAYS: i64 = 90;

fn key_expiration_policy(r: &Resource) -> Verdict {
    let key = "properties.keyPolicy.keyExpirationPeriodInDays";
    let days = props::value(r, "/keyPolicy/keyExpirationPeriodInDays");
    if shared_keys_disabled(r) {
        return Verdict::not_applicable("Shared Key access is disabled: keys authorise nothing")
            .observe(key, days);
    }
    match (days, days.and_then(Value::as_i64)) {
        (_, Some(d)) if d <= KEY_ROTATION_DAYS => {
            Verdict::pass(format!("keys expire after {d} days"))
        }
        (_, Some(d)) => Verdict::fail(format!(
            "keys expire after {d} days (more than {KEY_ROTATION_DAYS})"
        )),
        (None, _) if props::body_present(r) => Verdict::fail("no key expiration policy is set"),
        (None, _) => Verdict::error(props::absent_reason(
            r,
            "/keyPolicy/keyExpirationPeriodInDays",
        )),
        (Some(other), None) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe(key, days)
}

fn access_keys_rotated(r: &Resource, ctx: &Ctx) -> Verdict {
    let now = ctx.as_of();
    let times = props::value(r, "/keyCreationTime");
    if shared_keys_disabled(r) {
        return Verdict::not_applicable("Shared Key access is disabled: keys authorise nothing")
            .observe("properties.keyCreationTime", times);
    }
    let mut stale = Vec::new();
    let mut unreadable = Vec::new();
    for k in ["key1", "key2"] {
        let t = times
            .and_then(|t| t.get(k))
            .and_then(Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc));
        match t {
            Some(t) => {
                let age = (now - t).num_days();
                if age > KEY_ROTATION_DAYS {
                    stale.push(format!("{k} ({age} days)"));
                }
            }
            None => unreadable.push(k),
        }
    }
    let v = if !stale.is_empty() {
        Verdict::fail(format!(
            "access keys older than {KEY_ROTATION_DAYS} days: {}",
            stale.join(", ")
        ))
    } else if !unreadable.is_empty() {
        Verdict::error(format!(
            "key creation time is not recorded for {}",
            unreadable.join(", ")
        ))
    } else {
        Verdict::pass(format!(
            "both access keys were regenerated within {KEY_ROTATION_DAYS} days"
        ))
    };
    v.observe("properties.keyCreationTime", times)
        .observe_value("as_of", Value::from(now.to_rfc3339()))
}

fn geo_redundant(r: &Resource) -> Verdict {
    let name = r.sku.as_ref().and_then(|s| s.get("name"));
    let v = match name.and_then(Value::as_str) {
        Some(n) if n.to_ascii_uppercase().starts_with("PREMIUM") => {
            Verdict::not_applicable(format!("{n} accounts cannot be geo-replicated"))
        }
        Some(n)
            if n.to_ascii_uppercase().contains("GRS")
                || n.to_ascii_uppercase().contains("GZRS") =>
        {
            Verdict::pass(format!("{n} replicates data to a secondary region"))
        }
        Some(n) => Verdict::fail(format!("{n} keeps data in a single region")),
        None => Verdict::error("sku.name is not present in the collected data"),
    };
    v.observe("sku.name", name)
        .observe_value("kind", r.kind.clone().map_or(Value::Null, Value::from))
}

/// The child key of the blob service properties.
const BLOB_KEY: &str = "blobServices/default";

/// The blob service properties, or the error verdict saying they were not collected.
fn blob_service(r: &Resource) -> Result<&Value, Verdict> {
    r.child("blobServices/default")
        .filter(|b| !b.is_null())
        .ok_or_else(|| {
            Verdict::error("blob service properties (blobServices/default) were not collected")
                .observe("blobServices/default", None)
        })
}

/// A blob-service retention policy (`deleteRetentionPolicy`, `containerDeleteRetentionPolicy`)
/// enabled with at least 7 days.
fn retention_policy(r: &Resource, policy: &str, what: &str) -> Verdict {
    if let Err(v) = blob_service(r) {
        return v;
    }
    let enabled = props::child_value(r, BLOB_KEY, &format!("/{policy}/enabled"));
    let days = props::child_value(r, BLOB_KEY, &format!("/{policy}/days"));
    let v = match (
        enabled.and_then(Value::as_bool),
        days.and_then(Value::as_u64),
    ) {
        (Some(true), Some(d)) if d >= 7 => {
            Verdict::pass(format!("{what} soft delete keeps deleted items {d} days"))
        }
        (Some(true), Some(d)) => Verdict::fail(format!("{what} soft delete keeps only {d} days")),
        (Some(true), None) => Verdict::error(format!("{policy}.days is not present")),
        (Some(false), _) => Verdict::fail(format!("{what} soft delete is disabled")),
        (None, _) => Verdict::error(format!("{policy}.enabled is not present")),
    };
    v.observe(&format!("blobServices/default.{policy}.enabled"), enabled)
        .observe(&format!("blobServices/default.{policy}.days"), days)
}

fn container_soft_delete(r: &Resource) -> Verdict {
    retention_policy(r, "containerDeleteRetentionPolicy", "container")
}

/// A boolean blob-service property (pointer below `properties`) where true is compliant.
fn blob_flag(r: &Resource, pointer: &str, on: &str, off: &str) -> Verdict {
    if let Err(v) = blob_service(r) {
        return v;
    }
    let key = format!(
        "blobServices/default.{}",
        pointer.trim_start_matches('/').replace('/', ".")
    );
    let value = props::child_value(r, BLOB_KEY, pointer);
    match value {
        Some(Value::Bool(true)) => Verdict::pass(on),
        Some(Value::Bool(false)) => Verdict::fail(off),
        None | Some(Value::Null) => {
            Verdict::error(format!("{key} is not present in the collected data"))
        }
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe(&key, value)
}

fn blob_versioning(r: &Resource) -> Verdict {
    blob_flag(
        r,
        "/isVersioningEnabled",
        "blob versioning is enabled",
        "blob versioning is disabled",
    )
}

fn blob_change_feed(r: &Resource) -> Verdict {
    let v = blob_flag(
        r,
        "/changeFeed/enabled",
        "the blob change feed is enabled",
        "the blob change feed is disabled",
    );
    let days = blob_service(r)
        .ok()
        .and_then(|b| b.pointer("/properties/changeFeed/retentionInDays"));
    v.observe("blobServices/default.changeFeed.retentionInDays", days)
}

fn point_in_time_restore(r: &Resource) -> Verdict {
    let v = blob_flag(
        r,
        "/restorePolicy/enabled",
        "point-in-time restore is enabled",
        "point-in-time restore is disabled",
    );
    let days = blob_service(r)
        .ok()
        .and_then(|b| b.pointer("/properties/restorePolicy/days"));
    v.observe("blobServices/default.restorePolicy.days", days)
}

/// One rule of a lifecycle management policy, the rows of its fields (`props::ROWS`).
pub(super) const LIFECYCLE_RULE: &str =
    "microsoft.storage/storageaccounts/managementpolicies#rules";

/// Whether a lifecycle rule is enabled, read by its row (absent is the documented default,
/// on); `None` when the rule cannot be read.
pub(super) fn lifecycle_rule_enabled(rule: &Value) -> Option<bool> {
    props::object_value(LIFECYCLE_RULE, rule, "/enabled").and_then(Value::as_bool)
}

fn lifecycle_policy(r: &Resource) -> Verdict {
    let key = "managementPolicies/default";
    let Some(body) = r.child(key) else {
        return Verdict::error(
            "the lifecycle management policy (managementPolicies/default) was \
                               not collected",
        )
        .observe(key, None);
    };
    if body.is_null() {
        return Verdict::fail("the account has no lifecycle management policy").observe(key, None);
    }
    let Some(rules) = props::child_value(r, key, "/policy/rules").and_then(Value::as_array) else {
        return Verdict::error("managementPolicies/default has no properties.policy.rules")
            .observe(key, Some(body));
    };
    let name = |rule: &Value| {
        rule.get("name")
            .and_then(Value::as_str)
            .unwrap_or("(unnamed rule)")
            .to_string()
    };
    let enabled: Vec<&Value> = rules
        .iter()
        .filter(|rule| lifecycle_rule_enabled(rule) == Some(true))
        .collect();
    let unreadable: Vec<String> = rules
        .iter()
        .filter(|rule| lifecycle_rule_enabled(rule).is_none())
        .map(|rule| name(rule))
        .collect();
    let deleting: Vec<String> = enabled
        .iter()
        .filter(|rule| {
            ["baseBlob", "snapshot", "version"].iter().any(|target| {
                rule.pointer(&format!("/definition/actions/{target}/delete"))
                    .is_some_and(|d| !d.is_null())
            })
        })
        .map(|rule| name(rule))
        .collect();
    let v = if !deleting.is_empty() {
        Verdict::pass(format!(
            "lifecycle rules delete data when due: {}",
            deleting.join(", ")
        ))
    } else if !unreadable.is_empty() {
        // A rule with an unreadable switch (`enabled` not a boolean, or the rule not an
        // object) may be the one that deletes.
        Verdict::error(format!(
            "no enabled lifecycle rule deletes data, and whether these rules are enabled cannot \
             be read: {}",
            unreadable.join(", ")
        ))
    } else if enabled.is_empty() {
        Verdict::fail("the lifecycle policy has no enabled rule")
    } else {
        Verdict::fail("no enabled lifecycle rule deletes data")
    };
    v.observe_value(
        "enabled_rules",
        enabled.iter().map(|r| Value::from(name(r))).collect(),
    )
    .observe_value("deleting_rules", Value::from(deleting))
}

/// The blob-service log categories CIS asks to be logged.
const BLOB_LOG_CATEGORIES: [&str; 3] = ["StorageRead", "StorageWrite", "StorageDelete"];

fn blob_logging(r: &Resource) -> Verdict {
    let key = "blobServices/default/diagnosticSettings";
    let Some(body) = r.child(key) else {
        return Verdict::error(format!(
            "blob diagnostic settings ({key}) were not collected"
        ))
        .observe(key, None);
    };
    let Some(settings) = settings_list(body) else {
        return Verdict::error(format!("{key} has unexpected value {body}"))
            .observe(key, Some(body));
    };
    let mut logged: Vec<&str> = Vec::new();
    for setting in settings {
        // A setting without a destination keeps nothing, whatever it enables.
        if destinations(setting).is_empty() {
            continue;
        }
        for sel in enabled_logs(setting) {
            for cat in BLOB_LOG_CATEGORIES {
                let covers = match sel {
                    LogSelector::Category(c) => c.eq_ignore_ascii_case(cat),
                    LogSelector::Group(g) => {
                        g.eq_ignore_ascii_case("audit") || g.eq_ignore_ascii_case("allLogs")
                    }
                };
                if covers && !logged.contains(&cat) {
                    logged.push(cat);
                }
            }
        }
    }
    let missing: Vec<&str> = BLOB_LOG_CATEGORIES
        .into_iter()
        .filter(|c| !logged.contains(c))
        .collect();
    let v = if missing.is_empty() {
        Verdict::pass("StorageRead, StorageWrite and StorageDelete are logged to a destination")
    } else if settings.is_empty() {
        Verdict::fail("the blob service has no diagnostic setting")
    } else {
        fail_unless_unreadable(
            settings,
            Verdict::fail(format!(
                "blob log categories not sent to any destination: {}",
                missing.join(", ")
            )),
        )
    };
    v.observe_value(key, settings.iter().map(summarise).collect())
        .observe_value("missing_categories", Value::from(missing))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::checks::testutil::{fixture, fixture_resource, set_prop, without_body};
    use crate::checks::{FindingStatus as S, find, testutil};

    const LIST: &str = "storage/storage_accounts_list.2025-06-01.json";
    /// The create response is the one Microsoft example carrying TLS and public-access fields.
    const FULL: &str = "storage/storage_account_create.2025-06-01.json";

    fn eval(id: &str, r: crate::model::Resource) -> (S, String) {
        let inv = testutil::inventory(vec![r]);
        let res = testutil::run_check(find(id).unwrap(), &inv);
        assert_eq!(res.findings.len(), 1);
        (res.findings[0].status, res.findings[0].reason.clone())
    }

    #[test]
    fn storage_secure_transfer_required_pass() {
        let r = fixture_resource(FULL, 0);
        assert_eq!(eval("storage_secure_transfer_required", r).0, S::Pass);
    }
    #[test]
    fn storage_secure_transfer_required_fail() {
        // Microsoft's list example: the first account has supportsHttpsTrafficOnly = false.
        let (s, why) = eval(
            "storage_secure_transfer_required",
            fixture_resource(LIST, 0),
        );
        assert_eq!(s, S::Fail);
        assert!(why.contains("HTTP"));
    }
    #[test]
    fn storage_secure_transfer_required_missing() {
        let mut r = fixture_resource(FULL, 0);
        set_prop(&mut r, "/supportsHttpsTrafficOnly", json!(null));
        // Absent is the documented default since 2019-04-01: true.
        let (s, why) = eval("storage_secure_transfer_required", r.clone());
        assert_eq!(s, S::Pass);
        assert!(why.contains("supportsHttpsTrafficOnly"));
        let (s, why) = eval("storage_secure_transfer_required", without_body(&r));
        assert_eq!(s, S::Error);
        assert!(why.contains("supportsHttpsTrafficOnly"));
    }

    #[test]
    fn storage_minimum_tls_1_2_pass() {
        assert_eq!(
            eval("storage_minimum_tls_1_2", fixture_resource(FULL, 0)).0,
            S::Pass
        );
    }
    #[test]
    fn storage_minimum_tls_1_2_fail() {
        let mut r = fixture_resource(FULL, 0);
        set_prop(&mut r, "/minimumTlsVersion", json!("TLS1_0"));
        assert_eq!(
            eval("storage_minimum_tls_1_2", r),
            (S::Fail, "minimum TLS version is TLS1_0".into())
        );
    }
    #[test]
    fn storage_minimum_tls_1_2_missing() {
        // The list example omits minimumTlsVersion: documented as null, accepting TLS 1.0.
        assert_eq!(
            eval("storage_minimum_tls_1_2", fixture_resource(LIST, 0)).0,
            S::Fail
        );
        assert_eq!(
            eval(
                "storage_minimum_tls_1_2",
                without_body(&fixture_resource(LIST, 0))
            )
            .0,
            S::Error
        );
    }

    #[test]
    fn storage_blob_public_access_disabled_pass() {
        let mut r = fixture_resource(FULL, 0);
        set_prop(&mut r, "/allowBlobPublicAccess", json!(false));
        assert_eq!(eval("storage_blob_public_access_disabled", r).0, S::Pass);
    }
    #[test]
    fn storage_blob_public_access_disabled_fail() {
        let mut r = fixture_resource(FULL, 0);
        set_prop(&mut r, "/allowBlobPublicAccess", json!(true));
        assert_eq!(eval("storage_blob_public_access_disabled", r).0, S::Fail);
    }
    #[test]
    fn storage_blob_public_access_disabled_missing() {
        assert_eq!(
            eval(
                "storage_blob_public_access_disabled",
                fixture_resource(LIST, 0)
            )
            .0,
            S::Error
        );
        assert_eq!(
            eval(
                "storage_blob_public_access_disabled",
                without_body(&fixture_resource(LIST, 0))
            )
            .0,
            S::Error
        );
    }

    const GET: &str = "storage/storage_account_get.2025-06-01.json";

    #[test]
    fn storage_default_network_deny_pass() {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/networkAcls/defaultAction", json!("Deny"));
        assert_eq!(eval("storage_default_network_deny", r).0, S::Pass);
    }
    #[test]
    fn storage_default_network_deny_fail() {
        // Microsoft's get example: networkAcls.defaultAction = Allow.
        let (s, why) = eval("storage_default_network_deny", fixture_resource(GET, 0));
        assert_eq!(s, S::Fail);
        assert!(why.contains("Allow"));
    }
    #[test]
    fn storage_default_network_deny_missing() {
        // The list example's first account carries no networkAcls at all.
        // Absent networkAcls: the documented default action, Allow.
        let r = fixture_resource(LIST, 0);
        assert_eq!(eval("storage_default_network_deny", r.clone()).0, S::Fail);
        assert_eq!(
            eval("storage_default_network_deny", without_body(&r)).0,
            S::Error
        );
        // A Deny whose IP rules were not returned, or cannot be read, is not a pass.
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/networkAcls/defaultAction", json!("Deny"));
        set_prop(&mut r, "/networkAcls/ipRules", json!(null));
        let (s, why) = eval("storage_default_network_deny", r.clone());
        assert_eq!(s, S::Error, "{why}");
        assert!(why.contains("networkAcls.ipRules is not present"), "{why}");
        set_prop(
            &mut r,
            "/networkAcls/ipRules",
            json!([{"value": "1.2.3.4/x", "action": "Allow"}]),
        );
        let (s, why) = eval("storage_default_network_deny", r);
        assert_eq!(s, S::Error, "{why}");
        assert!(why.contains("\"1.2.3.4/x\""), "{why}");
    }

    #[test]
    fn storage_ip_rules_that_together_cover_the_internet_fail() {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/networkAcls/defaultAction", json!("Deny"));
        let rules = |vals: &[&str]| -> serde_json::Value {
            vals.iter()
                .map(|v| json!({"value": v, "action": "Allow"}))
                .collect()
        };
        set_prop(
            &mut r,
            "/networkAcls/ipRules",
            rules(&["0.0.0.0/1", "128.0.0.0/1"]),
        );
        let (s, why) = eval("storage_default_network_deny", r.clone());
        assert_eq!(s, S::Fail, "{why}");
        assert_eq!(
            why,
            "the firewall denies by default, but its IP rules together admit every public IPv4 \
             address: 0.0.0.0/1, 128.0.0.0/1"
        );
        // Half of IPv4 is a restriction (however broad), not the internet.
        set_prop(
            &mut r,
            "/networkAcls/ipRules",
            rules(&["128.0.0.0/1", "20.1.2.3"]),
        );
        let (s, why) = eval("storage_default_network_deny", r);
        assert_eq!(s, S::Pass, "{why}");
    }

    fn with_blob_service(enabled: bool, days: u64) -> crate::model::Resource {
        let mut r = fixture_resource(LIST, 0);
        let mut blob = fixture("storage/blob_service_properties_get.2025-06-01.json");
        blob["properties"]["deleteRetentionPolicy"] = json!({"enabled": enabled, "days": days});
        r.children.insert("blobServices/default".into(), blob);
        r
    }

    #[test]
    fn storage_blob_soft_delete_enabled_pass() {
        assert_eq!(
            eval(
                "storage_blob_soft_delete_enabled",
                with_blob_service(true, 7)
            )
            .0,
            S::Pass
        );
    }
    #[test]
    fn storage_blob_soft_delete_enabled_fail() {
        assert_eq!(
            eval(
                "storage_blob_soft_delete_enabled",
                with_blob_service(false, 7)
            )
            .0,
            S::Fail
        );
        assert_eq!(
            eval(
                "storage_blob_soft_delete_enabled",
                with_blob_service(true, 3)
            )
            .0,
            S::Fail
        );
    }
    #[test]
    fn storage_blob_soft_delete_enabled_missing() {
        let (s, why) = eval(
            "storage_blob_soft_delete_enabled",
            fixture_resource(LIST, 0),
        );
        assert_eq!(s, S::Error);
        assert!(why.contains("blobServices/default"));
    }
}

#[cfg(test)]
mod protection_tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::network::ctx_eval;
    use crate::checks::testutil::{
        eval_resource, fixture, fixture_resource, set_prop, without_body,
    };
    use crate::model::Resource;

    const LIST: &str = "storage/storage_accounts_list.2025-06-01.json";
    /// Full account: allowSharedKeyAccess true, requireInfrastructureEncryption false,
    /// keySource Microsoft.Storage, keyPolicy 20 days, keys created 2021-03-18, Standard_GRS.
    const FULL: &str = "storage/storage_account_create.2025-06-01.json";
    /// networkAcls bypass AzureServices, defaultAction Allow; no publicNetworkAccess.
    const GET: &str = "storage/storage_account_get.2025-06-01.json";
    const CMK: &str = "storage/storage_account_get_cmk.2025-01-01.json";
    const MGMT: &str =
        include_str!("../../tests/fixtures/handmade/storage/management_policy_get.json");

    fn full(edit: impl FnOnce(&mut Resource)) -> Resource {
        let mut r = fixture_resource(FULL, 0);
        edit(&mut r);
        r
    }

    /// The account with Microsoft's blob service example (soft delete 300 days, versioning and
    /// change feed on, no container soft delete or restore policy) attached, then edited.
    fn with_blob(edit: impl FnOnce(&mut Value)) -> Resource {
        let mut r = fixture_resource(LIST, 0);
        let mut blob = fixture("storage/blob_service_properties_get.2025-06-01.json");
        edit(&mut blob["properties"]);
        r.children.insert("blobServices/default".into(), blob);
        r
    }

    #[test]
    fn storage_shared_key_access_disabled_pass() {
        let v = eval_resource(
            "storage_shared_key_access_disabled",
            &full(|r| set_prop(r, "/allowSharedKeyAccess", json!(false))),
        );
        assert_eq!(v.status, S::Pass);
        assert_eq!(v.observed["properties.allowSharedKeyAccess"], json!(false));
    }
    #[test]
    fn storage_shared_key_access_disabled_fail() {
        let v = eval_resource("storage_shared_key_access_disabled", &full(|_| {}));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "Shared Key authorisation is allowed")
        );
    }
    #[test]
    fn storage_shared_key_access_disabled_missing() {
        // Absent: Azure documents null as equivalent to true, so it fails, recorded as null.
        let v = eval_resource(
            "storage_shared_key_access_disabled",
            &fixture_resource(GET, 0),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("documented default true"), "{}", v.reason);
        assert_eq!(v.observed["properties.allowSharedKeyAccess"], Value::Null);
    }

    #[test]
    fn storage_infrastructure_encryption_enabled_pass() {
        let r = full(|r| {
            set_prop(
                r,
                "/encryption/requireInfrastructureEncryption",
                json!(true),
            )
        });
        let v = eval_resource("storage_infrastructure_encryption_enabled", &r);
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn storage_infrastructure_encryption_enabled_fail() {
        let v = eval_resource("storage_infrastructure_encryption_enabled", &full(|_| {}));
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["properties.encryption.requireInfrastructureEncryption"],
            json!(false)
        );
    }
    #[test]
    fn storage_infrastructure_encryption_enabled_missing() {
        let v = eval_resource(
            "storage_infrastructure_encryption_enabled",
            &fixture_resource(GET, 0),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("requireInfrastructureEncryption"));
    }

    #[test]
    fn storage_cmk_encryption_pass() {
        let v = eval_resource("storage_cmk_encryption", &fixture_resource(CMK, 0));
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["properties.encryption.keyvaultproperties.keyname"],
            json!("wrappingKey")
        );
    }
    #[test]
    fn storage_cmk_encryption_fail() {
        let v = eval_resource("storage_cmk_encryption", &fixture_resource(GET, 0));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Fail,
                "data is encrypted with Microsoft.Storage-managed keys"
            )
        );
    }
    #[test]
    fn storage_cmk_encryption_missing() {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/encryption", json!(null));
        // Absent keySource is the documented default, Microsoft-managed keys.
        let v = eval_resource("storage_cmk_encryption", &r);
        assert_eq!(v.status, S::Fail);
        let v = eval_resource("storage_cmk_encryption", &without_body(&r));
        assert_eq!(v.status, S::Error);
        // require_str names the JSON pointer it could not read.
        assert_eq!(v.observed["properties/encryption/keySource"], Value::Null);
    }

    #[test]
    fn storage_cross_tenant_replication_disabled_pass() {
        let r = full(|r| set_prop(r, "/allowCrossTenantReplication", json!(false)));
        assert_eq!(
            eval_resource("storage_cross_tenant_replication_disabled", &r).status,
            S::Pass
        );
    }
    #[test]
    fn storage_cross_tenant_replication_disabled_fail() {
        let r = full(|r| set_prop(r, "/allowCrossTenantReplication", json!(true)));
        let v = eval_resource("storage_cross_tenant_replication_disabled", &r);
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["properties.creationTime"],
            json!("2017-05-24T13:25:33.4863236Z")
        );
    }
    #[test]
    fn storage_cross_tenant_replication_disabled_missing() {
        // None of Microsoft's examples carry the property; its default depends on account age.
        let v = eval_resource("storage_cross_tenant_replication_disabled", &full(|_| {}));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("2023"), "{}", v.reason);
        assert_eq!(
            v.observed["properties.allowCrossTenantReplication"],
            Value::Null
        );
    }

    #[test]
    fn storage_public_network_access_disabled_pass() {
        let r = full(|r| set_prop(r, "/publicNetworkAccess", json!("Disabled")));
        assert_eq!(
            eval_resource("storage_public_network_access_disabled", &r).status,
            S::Pass
        );
    }
    #[test]
    fn storage_public_network_access_disabled_fail() {
        let r = full(|r| set_prop(r, "/publicNetworkAccess", json!("Enabled")));
        let v = eval_resource("storage_public_network_access_disabled", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "public network access is Enabled")
        );
    }
    #[test]
    fn storage_public_network_access_disabled_missing() {
        // Absent: accounts accept every network by default.
        let v = eval_resource("storage_public_network_access_disabled", &full(|_| {}));
        assert_eq!(v.status, S::Fail);
        let v = eval_resource(
            "storage_public_network_access_disabled",
            &without_body(&full(|_| {})),
        );
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["properties/publicNetworkAccess"], Value::Null);
        let r = full(|r| set_prop(r, "/publicNetworkAccess", json!("SecuredByPerimeter")));
        let v = eval_resource("storage_public_network_access_disabled", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("perimeter"));
    }

    /// One private endpoint connection shaped as ARM returns it.
    fn pe(status: &str) -> Value {
        json!({
            "id": "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sto/privateEndpointConnections/pe1",
            "properties": {
                "privateEndpoint": {"id": "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe1"},
                "privateLinkServiceConnectionState": {"status": status, "description": "", "actionsRequired": "None"},
                "provisioningState": "Succeeded"
            }
        })
    }

    #[test]
    fn storage_private_endpoint_connected_pass() {
        let r = full(|r| set_prop(r, "/privateEndpointConnections", json!([pe("Approved")])));
        let v = eval_resource("storage_private_endpoint_connected", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert!(v.reason.contains("privateEndpoints/pe1"));
    }
    #[test]
    fn storage_private_endpoint_connected_fail() {
        let r = full(|r| set_prop(r, "/privateEndpointConnections", json!([pe("Pending")])));
        let v = eval_resource("storage_private_endpoint_connected", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "no private endpoint connection is approved")
        );
        assert_eq!(
            v.observed["properties.privateEndpointConnections"][0]["status"],
            json!("Pending")
        );
        let r = full(|r| set_prop(r, "/privateEndpointConnections", json!([])));
        assert_eq!(
            eval_resource("storage_private_endpoint_connected", &r).status,
            S::Fail
        );
    }
    #[test]
    fn storage_private_endpoint_connected_missing() {
        // Absent list: Azure returns it only when connections exist, so none: a fail.
        let v = eval_resource("storage_private_endpoint_connected", &full(|_| {}));
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["properties.privateEndpointConnections"],
            Value::Null
        );
        let r = full(|r| set_prop(r, "/privateEndpointConnections", json!("x")));
        assert_eq!(
            eval_resource("storage_private_endpoint_connected", &r).status,
            S::Error
        );
        // A connection whose state was not returned may be the approved one.
        let r = full(|r| {
            set_prop(
                r,
                "/privateEndpointConnections",
                json!([{"id": "pec-1", "properties": {"privateEndpoint": {"id": "pe-1"}}}]),
            )
        });
        let v = eval_resource("storage_private_endpoint_connected", &r);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("status"), "{}", v.reason);
    }

    #[test]
    fn storage_trusted_services_bypass_pass() {
        let v = eval_resource("storage_trusted_services_bypass", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Pass);
        let mut r = fixture_resource(GET, 0);
        set_prop(
            &mut r,
            "/networkAcls/bypass",
            json!("Logging, Metrics, AzureServices"),
        );
        assert_eq!(
            eval_resource("storage_trusted_services_bypass", &r).status,
            S::Pass
        );
    }
    #[test]
    fn storage_trusted_services_bypass_fail() {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/networkAcls/bypass", json!("Logging, Metrics"));
        let v = eval_resource("storage_trusted_services_bypass", &r);
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["properties.networkAcls.bypass"],
            json!("Logging, Metrics")
        );
    }
    #[test]
    fn storage_trusted_services_bypass_missing() {
        // Absent is the documented default, AzureServices.
        let v = eval_resource("storage_trusted_services_bypass", &full(|_| {}));
        assert_eq!(v.status, S::Pass);
        let v = eval_resource(
            "storage_trusted_services_bypass",
            &without_body(&full(|_| {})),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("networkAcls/bypass"), "{}", v.reason);
    }

    #[test]
    fn storage_default_oauth_authentication_pass() {
        let r = full(|r| set_prop(r, "/defaultToOAuthAuthentication", json!(true)));
        assert_eq!(
            eval_resource("storage_default_oauth_authentication", &r).status,
            S::Pass
        );
    }
    #[test]
    fn storage_default_oauth_authentication_fail() {
        let r = full(|r| set_prop(r, "/defaultToOAuthAuthentication", json!(false)));
        assert_eq!(
            eval_resource("storage_default_oauth_authentication", &r).status,
            S::Fail
        );
    }
    #[test]
    fn storage_default_oauth_authentication_missing() {
        let v = eval_resource("storage_default_oauth_authentication", &full(|_| {}));
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("documented default false"),
            "{}",
            v.reason
        );
        assert_eq!(
            v.observed["properties.defaultToOAuthAuthentication"],
            Value::Null
        );
    }

    #[test]
    fn storage_key_expiration_policy_set_pass() {
        // Microsoft's create example: keyExpirationPeriodInDays = 20.
        let v = eval_resource("storage_key_expiration_policy_set", &full(|_| {}));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "keys expire after 20 days")
        );
        // Keys that authorise nothing need no expiry.
        let r = full(|r| {
            set_prop(r, "/allowSharedKeyAccess", json!(false));
            set_prop(r, "/keyPolicy", json!(null));
        });
        assert_eq!(
            eval_resource("storage_key_expiration_policy_set", &r).status,
            S::NotApplicable
        );
    }
    #[test]
    fn storage_key_expiration_policy_set_fail() {
        let r = full(|r| set_prop(r, "/keyPolicy/keyExpirationPeriodInDays", json!(365)));
        let v = eval_resource("storage_key_expiration_policy_set", &r);
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["properties.keyPolicy.keyExpirationPeriodInDays"],
            json!(365)
        );
    }
    #[test]
    fn storage_key_expiration_policy_set_missing() {
        // keyPolicy is returned only when set: absent means no policy, a fail.
        let v = eval_resource(
            "storage_key_expiration_policy_set",
            &fixture_resource(GET, 0),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "no key expiration policy is set")
        );
    }

    #[test]
    fn storage_access_keys_rotated_pass() {
        // The test inventory was collected 2026-11-01.
        let r = full(|r| {
            set_prop(
                r,
                "/keyCreationTime",
                json!({"key1": "2026-09-15T04:42:22.4322836Z", "key2": "2026-10-01T00:00:00Z"}),
            )
        });
        let v = ctx_eval::resource("storage_access_keys_rotated", &r, &[]);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["as_of"], json!("2026-11-01T06:00:00+00:00"));
    }
    #[test]
    fn storage_access_keys_rotated_fail() {
        // Microsoft's example keys were created 2021-03-18.
        let v = ctx_eval::resource("storage_access_keys_rotated", &full(|_| {}), &[]);
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("key1") && v.reason.contains("key2"),
            "{}",
            v.reason
        );
    }
    #[test]
    fn storage_access_keys_rotated_missing() {
        let r = full(|r| {
            set_prop(
                r,
                "/keyCreationTime",
                json!({"key1": null, "key2": "2026-10-01T00:00:00Z"}),
            )
        });
        let v = ctx_eval::resource("storage_access_keys_rotated", &r, &[]);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Error, "key creation time is not recorded for key1")
        );
    }

    #[test]
    fn storage_geo_redundant_replication_pass() {
        let v = eval_resource("storage_geo_redundant_replication", &full(|_| {}));
        assert_eq!(v.status, S::Pass);
        assert_eq!(v.observed["sku.name"], json!("Standard_GRS"));
        assert_eq!(v.observed["kind"], json!("Storage"));
    }
    #[test]
    fn storage_geo_redundant_replication_fail() {
        let r = full(|r| r.sku = Some(json!({"name": "Standard_ZRS", "tier": "Standard"})));
        let v = eval_resource("storage_geo_redundant_replication", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "Standard_ZRS keeps data in a single region")
        );
        let r = full(|r| r.sku = Some(json!({"name": "Premium_LRS", "tier": "Premium"})));
        assert_eq!(
            eval_resource("storage_geo_redundant_replication", &r).status,
            S::NotApplicable
        );
    }
    #[test]
    fn storage_geo_redundant_replication_missing() {
        let v = eval_resource("storage_geo_redundant_replication", &full(|r| r.sku = None));
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["sku.name"], Value::Null);
    }

    #[test]
    fn storage_container_soft_delete_enabled_pass() {
        let r = with_blob(|p| {
            p["containerDeleteRetentionPolicy"] = json!({"enabled": true, "days": 7})
        });
        let v = eval_resource("storage_container_soft_delete_enabled", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn storage_container_soft_delete_enabled_fail() {
        for policy in [
            json!({"enabled": false}),
            json!({"enabled": true, "days": 1}),
        ] {
            let r = with_blob(|p| p["containerDeleteRetentionPolicy"] = policy.clone());
            let v = eval_resource("storage_container_soft_delete_enabled", &r);
            assert_eq!(v.status, S::Fail, "{policy}");
        }
    }
    #[test]
    fn storage_container_soft_delete_enabled_missing() {
        // Microsoft's blob service example has no containerDeleteRetentionPolicy.
        let v = eval_resource("storage_container_soft_delete_enabled", &with_blob(|_| {}));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("containerDeleteRetentionPolicy"));
        let v = eval_resource(
            "storage_container_soft_delete_enabled",
            &fixture_resource(LIST, 0),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not collected"));
    }

    #[test]
    fn storage_blob_versioning_enabled_pass() {
        let v = eval_resource("storage_blob_versioning_enabled", &with_blob(|_| {}));
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["blobServices/default.isVersioningEnabled"],
            json!(true)
        );
    }
    #[test]
    fn storage_blob_versioning_enabled_fail() {
        let r = with_blob(|p| p["isVersioningEnabled"] = json!(false));
        assert_eq!(
            eval_resource("storage_blob_versioning_enabled", &r).status,
            S::Fail
        );
    }
    #[test]
    fn storage_blob_versioning_enabled_missing() {
        let r = with_blob(|p| {
            p.as_object_mut().unwrap().remove("isVersioningEnabled");
        });
        let v = eval_resource("storage_blob_versioning_enabled", &r);
        assert_eq!(v.status, S::Error);
        assert_eq!(
            v.observed["blobServices/default.isVersioningEnabled"],
            Value::Null
        );
    }

    #[test]
    fn storage_blob_change_feed_enabled_pass() {
        let v = eval_resource("storage_blob_change_feed_enabled", &with_blob(|_| {}));
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["blobServices/default.changeFeed.retentionInDays"],
            json!(7)
        );
    }
    #[test]
    fn storage_blob_change_feed_enabled_fail() {
        let r = with_blob(|p| p["changeFeed"] = json!({"enabled": false}));
        let v = eval_resource("storage_blob_change_feed_enabled", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "the blob change feed is disabled")
        );
    }
    #[test]
    fn storage_blob_change_feed_enabled_missing() {
        let r = with_blob(|p| {
            p.as_object_mut().unwrap().remove("changeFeed");
        });
        assert_eq!(
            eval_resource("storage_blob_change_feed_enabled", &r).status,
            S::Error
        );
    }

    #[test]
    fn storage_blob_point_in_time_restore_enabled_pass() {
        let r = with_blob(|p| p["restorePolicy"] = json!({"enabled": true, "days": 6}));
        let v = eval_resource("storage_blob_point_in_time_restore_enabled", &r);
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["blobServices/default.restorePolicy.days"],
            json!(6)
        );
    }
    #[test]
    fn storage_blob_point_in_time_restore_enabled_fail() {
        let r = with_blob(|p| p["restorePolicy"] = json!({"enabled": false}));
        assert_eq!(
            eval_resource("storage_blob_point_in_time_restore_enabled", &r).status,
            S::Fail
        );
    }
    #[test]
    fn storage_blob_point_in_time_restore_enabled_missing() {
        // Microsoft's blob service example has no restorePolicy.
        let v = eval_resource(
            "storage_blob_point_in_time_restore_enabled",
            &with_blob(|_| {}),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("restorePolicy.enabled"), "{}", v.reason);
    }

    fn with_lifecycle(policy: Value) -> Resource {
        let mut r = fixture_resource(LIST, 0);
        r.children
            .insert("managementPolicies/default".into(), policy);
        r
    }

    fn mgmt() -> Value {
        serde_json::from_str(MGMT).unwrap()
    }

    #[test]
    fn storage_lifecycle_policy_deletes_data_pass() {
        let v = eval_resource(
            "storage_lifecycle_policy_deletes_data",
            &with_lifecycle(mgmt()),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["deleting_rules"], json!(["olcmtest"]));
    }
    #[test]
    fn storage_lifecycle_policy_deletes_data_fail() {
        // Azure answered 404: no policy.
        let v = eval_resource(
            "storage_lifecycle_policy_deletes_data",
            &with_lifecycle(Value::Null),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "the account has no lifecycle management policy")
        );
        // A policy that only moves data between tiers disposes of nothing.
        let mut p = mgmt();
        let actions = &mut p["properties"]["policy"]["rules"][0]["definition"]["actions"];
        actions["baseBlob"]
            .as_object_mut()
            .unwrap()
            .remove("delete");
        actions.as_object_mut().unwrap().remove("snapshot");
        let v = eval_resource("storage_lifecycle_policy_deletes_data", &with_lifecycle(p));
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.reason, "no enabled lifecycle rule deletes data");
        // A disabled rule does nothing.
        let mut p = mgmt();
        p["properties"]["policy"]["rules"][0]["enabled"] = json!(false);
        let v = eval_resource("storage_lifecycle_policy_deletes_data", &with_lifecycle(p));
        assert_eq!(v.reason, "the lifecycle policy has no enabled rule");
    }
    #[test]
    fn storage_lifecycle_policy_deletes_data_missing() {
        let v = eval_resource(
            "storage_lifecycle_policy_deletes_data",
            &fixture_resource(LIST, 0),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not collected"));
        assert_eq!(v.observed["managementPolicies/default"], Value::Null);
        // A deleting rule whose switch cannot be read may be on: unknown, not a fail.
        let mut p = mgmt();
        p["properties"]["policy"]["rules"][0]["enabled"] = json!("yes");
        let v = eval_resource("storage_lifecycle_policy_deletes_data", &with_lifecycle(p));
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("olcmtest"), "{}", v.reason);
        // Absent is the documented default, on.
        let mut p = mgmt();
        p["properties"]["policy"]["rules"][0]
            .as_object_mut()
            .unwrap()
            .remove("enabled");
        let v = eval_resource("storage_lifecycle_policy_deletes_data", &with_lifecycle(p));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }

    fn with_blob_diagnostics(edit: impl FnOnce(&mut Value)) -> Resource {
        let mut r = fixture_resource(LIST, 0);
        let mut settings =
            fixture("monitor/diagnostic_settings_list_resource.2021-05-01-preview.json")["value"]
                .clone();
        edit(&mut settings);
        r.children
            .insert("blobServices/default/diagnosticSettings".into(), settings);
        r
    }

    #[test]
    fn storage_blob_logging_enabled_pass() {
        // Microsoft's example: allLogs to a storage account and an event hub.
        let v = eval_resource(
            "storage_blob_logging_enabled",
            &with_blob_diagnostics(|_| {}),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // Categories spread over entries count too.
        let v = eval_resource(
            "storage_blob_logging_enabled",
            &with_blob_diagnostics(|s| {
                s[0]["properties"]["logs"] = json!([
                    {"category": "StorageRead", "enabled": true},
                    {"category": "StorageWrite", "enabled": true},
                    {"category": "StorageDelete", "enabled": true}
                ])
            }),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn storage_blob_logging_enabled_fail() {
        let v = eval_resource(
            "storage_blob_logging_enabled",
            &with_blob_diagnostics(|s| {
                s[0]["properties"]["logs"] = json!([{"category": "StorageWrite", "enabled": true}])
            }),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["missing_categories"],
            json!(["StorageRead", "StorageDelete"])
        );
        let v = eval_resource(
            "storage_blob_logging_enabled",
            &with_blob_diagnostics(|s| *s = json!([])),
        );
        assert_eq!(v.reason, "the blob service has no diagnostic setting");
    }
    #[test]
    fn storage_blob_logging_enabled_missing() {
        let v = eval_resource("storage_blob_logging_enabled", &fixture_resource(LIST, 0));
        assert_eq!(v.status, S::Error);
        assert_eq!(
            v.observed["blobServices/default/diagnosticSettings"],
            Value::Null
        );
    }
}
