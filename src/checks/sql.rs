//! Azure SQL checks on logical servers (`Microsoft.Sql/servers`) and their databases
//! (`Microsoft.Sql/servers/databases`): auditing and its retention, server firewall, transport
//! security, network exposure, Entra authentication, Defender for SQL, vulnerability
//! assessment, encryption at rest (TDE and its key), and backup and zone resilience.
//!
//! Server and database settings that Resource Graph lacks are fetched from ARM into the
//! resource's children (`auditingSettings/default`, `firewallRules`, `administrators`,
//! `securityAlertPolicies/Default`, `vulnerabilityAssessments/Default`,
//! `encryptionProtector/current`, `transparentDataEncryption/current`,
//! `backupLongTermRetentionPolicies/default`). An absent child means "not collected", never
//! "not configured"; a `null` child means Azure said the setting does not exist.
//!
//! None of Microsoft's automated SOC 2 policies tests the exact settings of the original five
//! server checks (auditing state, the two firewall rules, minimal TLS, public network access),
//! so their `policies` are empty by design.

use std::net::Ipv4Addr;

use serde_json::Value;

use super::netset::{self, AddrSet};
use super::props;
use super::{Check, CheckMeta, Ctx, Eval, Severity, Verdict, require_bool, require_str};
use crate::model::Resource;

const TYPE: &str = "microsoft.sql/servers";
const RG: &str = "resource_graph.resources";
const TYPE_DB: &str = "microsoft.sql/servers/databases";
// The one read of the multi-read ARM sources each check needs: a failed read of another child
// of the same server or database does not make the check incomplete (checks::gap_concerns).
const AUDITING: &str = "arm.sql_server_settings:auditingSettings/default";
const FIREWALL: &str = "arm.sql_server_settings:firewallRules";
const ADMINS: &str = "arm.sql_server_settings:administrators";
const ALERTS: &str = "arm.sql_server_settings:securityAlertPolicies/Default";
const ASSESSMENT: &str = "arm.sql_server_settings:vulnerabilityAssessments/Default";
const PROTECTOR: &str = "arm.sql_server_settings:encryptionProtector/current";
const TDE: &str = "arm.sql_database_settings:transparentDataEncryption/current";
const LTR: &str = "arm.sql_database_settings:backupLongTermRetentionPolicies/default";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "sql_auditing_enabled",
            title: "SQL servers have auditing enabled",
            service: "sql",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &["2.1.0:4.1.1", "3.0.0:5.1.1"],
            policies: &[],
            description: "Reads the server's blob auditing policy (ARM servers/{server}/\
                          auditingSettings/default). Passes when properties.state is Enabled; \
                          Disabled fails; a policy not collected, or without state, is an error. \
                          Server-level auditing covers every database on the server. \
                          Since catalogue 2026.12.0: only a failed read of \
                          auditingSettings/default makes the finding an error, not a failed read \
                          of another setting of the server, and a auditingSettings/default answer \
                          of another shape than documented is a gap (error), never settings.",
            rationale: "SQL audit logs record logins, permission changes and data access; without \
                        them, anomalous or malicious database activity cannot be detected or \
                        investigated (CC7.2).",
            remediation: "Portal: SQL server > Security > Auditing > Enable Azure SQL Auditing, \
                          choose a Log Analytics workspace or storage account. CLI: az sql server \
                          audit-policy update -g <rg> -n <server> --state Enabled \
                          --log-analytics-target-state Enabled \
                          --log-analytics-workspace-resource-id <workspace-id>",
            sources: &[RG, AUDITING],
        },
        eval: Eval::Resource(TYPE, auditing),
    },
    Check {
        meta: CheckMeta {
            id: "sql_no_allow_all_firewall",
            title: "SQL server firewalls do not admit every IPv4 address",
            service: "sql",
            severity: Severity::Critical,
            criteria: &["CC6.1", "CC6.6"],
            cis: &["2.1.0:4.1.2", "3.0.0:5.1.2"],
            policies: &[],
            description: "Reads the server's firewall rules (ARM servers/{server}/firewallRules), \
                          each the IPv4 range properties.startIpAddress to \
                          properties.endIpAddress. Fails when the rules together cover every \
                          public IPv4 address (all of IPv4 outside private, loopback, link-local, \
                          documentation, multicast and reserved blocks), however they are split: \
                          0.0.0.0-255.255.255.255 alone, or 0.0.0.0-127.255.255.255 with \
                          128.0.0.0-255.255.255.255; the rules that make the coverage are \
                          recorded. The 0.0.0.0-0.0.0.0 'Allow Azure \
                          services' rule is judged by its own check, \
                          sql_no_allow_azure_services_rule, so that this one keeps meaning \
                          'open to the internet'. The rule is judged even when public network \
                          access is disabled: it takes effect again the moment access is \
                          re-enabled. Rules not collected, or a rule whose address cannot be \
                          read, is an error naming it. Since catalogue 2026.12.0: coverage is \
                          computed over the union of all rules, so an open firewall split across \
                          several rules fails where before only the single \
                          0.0.0.0-255.255.255.255 rule did, an unreadable address is an error, \
                          only a failed read of firewallRules makes the finding an error (not a \
                          failed read of another setting of the server), and a firewallRules \
                          answer of another shape than documented is a gap (error), never \
                          settings.",
            rationale: "A 0.0.0.0-255.255.255.255 rule leaves only SQL authentication between the \
                        internet and the data; CC6.6 requires logical access measures against \
                        threats from outside the system boundary.",
            remediation: "Portal: SQL server > Security > Networking > Firewall rules > delete the \
                          rule and add only the client ranges that need access. CLI: az sql server \
                          firewall-rule delete -g <rg> -s <server> -n <rule>",
            sources: &[RG, FIREWALL],
        },
        eval: Eval::Resource(TYPE, no_allow_all),
    },
    Check {
        meta: CheckMeta {
            id: "sql_no_allow_azure_services_rule",
            title: "SQL server firewalls do not admit all Azure services",
            service: "sql",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &["2.1.0:4.1.2", "3.0.0:5.1.2"],
            policies: &[],
            description: "Reads the server's firewall rules (ARM servers/{server}/firewallRules). \
                          Fails when a rule has properties.startIpAddress and \
                          properties.endIpAddress both 0.0.0.0: the portal's 'Allow Azure services \
                          and resources to access this server' switch (usually named \
                          AllowAllWindowsAzureIps), which admits connections from any Azure \
                          address, including other customers' subscriptions. Rules not collected \
                          is an error. Since catalogue 2026.12.0: a rule whose start or end is \
                          not an IPv4 address is an error naming it, never skipped; only a failed \
                          read of firewallRules makes the finding an error (not a failed read of \
                          another setting of the server), and a firewallRules answer of another \
                          shape than documented is a gap (error), never settings.",
            rationale: "The rule trusts every workload hosted in Azure, not only the entity's own, \
                        so the network boundary no longer separates the server from other tenants \
                        (CC6.6, CC6.1). Private endpoints or virtual network rules give the \
                        entity's services access without it.",
            remediation: "Portal: SQL server > Security > Networking > Exceptions > clear 'Allow \
                          Azure services and resources to access this server'; use private \
                          endpoints or virtual network rules instead. CLI: az sql server \
                          firewall-rule delete -g <rg> -s <server> -n AllowAllWindowsAzureIps",
            sources: &[RG, FIREWALL],
        },
        eval: Eval::Resource(TYPE, no_azure_services_rule),
    },
    Check {
        meta: CheckMeta {
            id: "sql_minimal_tls_1_2",
            title: "SQL servers require TLS 1.2 or later",
            service: "sql",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.7"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.minimalTlsVersion is 1.2 or 1.3; 1.0, 1.1 and None \
                          (any version accepted) fail; absent, or a value not among these, is an \
                          error.",
            rationale: "TLS 1.0 and 1.1 have known weaknesses; CC6.7 requires the transmission of \
                        data to be protected.",
            remediation: "Portal: SQL server > Security > Networking > Connectivity > Minimum TLS \
                          version = 1.2. CLI: az sql server update -g <rg> -n <server> \
                          --minimal-tls-version 1.2",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, minimal_tls),
    },
    Check {
        meta: CheckMeta {
            id: "sql_public_network_access_disabled",
            title: "SQL servers disable public network access",
            service: "sql",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &["3.0.0:5.1.7"],
            policies: &[],
            description: "Passes when properties.publicNetworkAccess is Disabled (only private \
                          endpoints reach the server). Enabled, and SecuredByPerimeter, fail with \
                          the value recorded; absent is an error.",
            rationale: "With public access disabled the server has no internet-facing endpoint at \
                        all, so firewall mistakes cannot expose it (CC6.6).",
            remediation: "Portal: SQL server > Security > Networking > Public access = Disable \
                          (create private endpoints first). CLI: az sql server update -g <rg> -n \
                          <server> --enable-public-network false",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, public_network_access),
    },
    Check {
        meta: CheckMeta {
            id: "sql_database_tde_enabled",
            title: "SQL databases have transparent data encryption enabled",
            service: "sql",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.5"],
            cis: &["2.1.0:4.1.5", "3.0.0:5.1.5"],
            policies: &["17k78e20-9358-41c9-923c-fb736d382a12"],
            description: "Reads each database's TDE configuration (ARM servers/{server}/databases/\
                          {db}/transparentDataEncryption/current). Passes when properties.state is \
                          Enabled; Disabled fails; a configuration not collected, returned as absent, \
                          or without state is an error. The master database is not applicable: \
                          Azure does not allow TDE on system databases. \
                          Since catalogue 2026.12.0: only a failed read of \
                          transparentDataEncryption/current makes the finding an error, not a \
                          failed read of another setting of the database, and a \
                          transparentDataEncryption/current answer of another shape than \
                          documented is a gap (error), never settings.",
            rationale: "TDE encrypts the database, its backups and its log files at rest, so media or \
                        backup copies are unreadable without the key; CC6.1 expects encryption to \
                        protect information assets, and CC6.5 that media leaving service cannot be \
                        read.",
            remediation: "Portal: SQL database > Security > Transparent data encryption > Data \
                          encryption = On. CLI: az sql db tde set -g <rg> -s <server> -d <database> \
                          --status Enabled",
            sources: &[RG, TDE],
        },
        eval: Eval::Resource(TYPE_DB, database_tde),
    },
    Check {
        meta: CheckMeta {
            id: "sql_entra_admin_configured",
            title: "SQL servers have a Microsoft Entra administrator",
            service: "sql",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.2"],
            cis: &["2.1.0:4.1.4", "3.0.0:5.1.4"],
            policies: &[],
            description: "Reads the server's administrators (ARM servers/{server}/administrators, a \
                          list). Passes when an entry has properties.administratorType \
                          ActiveDirectory; the administrator's login is recorded. An empty list \
                          fails; a list not collected is an error. \
                          Since catalogue 2026.12.0: only a failed read of administrators makes \
                          the finding an error, not a failed read of another setting of the \
                          server, and a administrators answer of another shape than documented is \
                          a gap (error), never settings.",
            rationale: "An Entra administrator lets database access be granted to Entra identities \
                        and groups, so joiners, movers and leavers are handled in one directory with \
                        MFA and conditional access, instead of in per-server SQL logins (CC6.1, \
                        CC6.2).",
            remediation: "Portal: SQL server > Settings > Microsoft Entra ID > Set admin. CLI: az sql \
                          server ad-admin create -g <rg> -s <server> -u <display-name> -i \
                          <object-id>",
            sources: &[RG, ADMINS],
        },
        eval: Eval::Resource(TYPE, entra_admin),
    },
    Check {
        meta: CheckMeta {
            id: "sql_entra_only_authentication",
            title: "SQL servers accept Microsoft Entra authentication only",
            service: "sql",
            severity: Severity::Medium,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &[],
            description: "Reads the server's administrators (ARM servers/{server}/administrators). \
                          Passes when the ActiveDirectory administrator has \
                          properties.azureADOnlyAuthentication true, which disables SQL \
                          authentication (including the server admin login). false fails; no Entra \
                          administrator fails, since Entra-only authentication then cannot be on; \
                          the flag absent from the administrator, or the list not collected, is an \
                          error. \
                          Since catalogue 2026.12.0: only a failed read of administrators makes \
                          the finding an error, not a failed read of another setting of the \
                          server, and a administrators answer of another shape than documented is \
                          a gap (error), never settings.",
            rationale: "SQL logins are passwords outside the directory: no MFA, no conditional access, \
                        no central disablement. Entra-only authentication removes them, so every \
                        database login is an identified, centrally managed identity (CC6.1).",
            remediation: "Portal: SQL server > Settings > Microsoft Entra ID > Support only Microsoft \
                          Entra authentication for this server. CLI: az sql server ad-only-auth \
                          enable -g <rg> -n <server>",
            sources: &[RG, ADMINS],
        },
        eval: Eval::Resource(TYPE, entra_only),
    },
    Check {
        meta: CheckMeta {
            id: "sql_defender_enabled",
            title: "SQL servers have Microsoft Defender for SQL (threat detection) enabled",
            service: "sql",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &[],
            policies: &["abfb4388-5bf4-4ad7-ba82-2cd2f41ceae9"],
            description: "Reads the server's security alert policy (ARM servers/{server}/\
                          securityAlertPolicies/Default). Passes when properties.state is Enabled; \
                          Disabled fails, and so does a policy Azure returns as absent; a policy not \
                          collected, or without state, is an error. Alert types listed in \
                          properties.disabledAlerts are recorded. \
                          Since catalogue 2026.12.0: only a failed read of \
                          securityAlertPolicies/Default makes the finding an error, not a failed \
                          read of another setting of the server, and a \
                          securityAlertPolicies/Default answer of another shape than documented is \
                          a gap (error), never settings.",
            rationale: "Defender for SQL raises alerts on SQL injection, anomalous access and \
                        brute-force logins; without it, attacks on the database go unnoticed (CC7.2).",
            remediation: "Portal: SQL server > Security > Microsoft Defender for Cloud > Enable \
                          Microsoft Defender for SQL. CLI: az sql server \
                          advanced-threat-protection-setting update -g <rg> -n <server> --state \
                          Enabled",
            sources: &[RG, ALERTS],
        },
        eval: Eval::Resource(TYPE, defender),
    },
    Check {
        meta: CheckMeta {
            id: "sql_vulnerability_assessment_enabled",
            title: "SQL servers run recurring vulnerability assessment scans",
            service: "sql",
            severity: Severity::Medium,
            criteria: &["CC3.2", "CC7.1"],
            cis: &[],
            policies: &["ef2a8f2a-b3d9-49cd-a8a8-9a3aaaf647d9"],
            description: "Reads the server's classic vulnerability assessment (ARM servers/{server}/\
                          vulnerabilityAssessments/Default). Passes when \
                          properties.recurringScans.isEnabled is true; false fails, and so does an \
                          assessment Azure returns as absent; not collected, or without the flag, is \
                          an error. The express configuration (servers/{server}/\
                          sqlVulnerabilityAssessments/default) is not read by this check. \
                          Since catalogue 2026.12.0: only a failed read of \
                          vulnerabilityAssessments/Default makes the finding an error, not a \
                          failed read of another setting of the server, and a \
                          vulnerabilityAssessments/Default answer of another shape than documented \
                          is a gap (error), never settings.",
            rationale: "Recurring scans find misconfigurations, excessive permissions and unprotected \
                        sensitive data in every database, which is how new vulnerabilities are \
                        identified (CC7.1) and fed into risk assessment (CC3.2).",
            remediation: "Portal: SQL server > Security > Microsoft Defender for Cloud > Vulnerability \
                          assessment settings > Periodic recurring scans = On. CLI: az rest --method \
                          put --url https://management.azure.com/<server-id>/vulnerabilityAssessments/\
                          default?api-version=2023-08-01 --body '{\"properties\":{\"storageContainerPath\":\
                          \"https://<account>.blob.core.windows.net/vulnerability-assessment\",\
                          \"recurringScans\":{\"isEnabled\":true}}}'",
            sources: &[RG, ASSESSMENT],
        },
        eval: Eval::Resource(TYPE, vulnerability_assessment),
    },
    Check {
        meta: CheckMeta {
            id: "sql_auditing_retention",
            title: "SQL server audit logs in storage are kept at least the minimum retention",
            service: "sql",
            severity: Severity::Medium,
            criteria: &["CC7.2", "CC7.3"],
            cis: &["2.1.0:4.1.6", "3.0.0:5.1.6"],
            policies: &[],
            description: "Reads the server's blob auditing policy (ARM servers/{server}/\
                          auditingSettings/default). When properties.state is Enabled and \
                          properties.storageEndpoint names a storage account, passes when \
                          properties.retentionDays is 0 (kept for ever) or at least the \
                          min_log_retention_days setting (default 90). Auditing disabled fails; \
                          auditing only to Azure Monitor or Event Hubs (no storageEndpoint) is not \
                          applicable, because retention is then set on the destination; a policy not \
                          collected, or without the values, is an error. \
                          Since catalogue 2026.12.0: only a failed read of \
                          auditingSettings/default makes the finding an error, not a failed read \
                          of another setting of the server, and a auditingSettings/default answer \
                          of another shape than documented is a gap (error), never settings.",
            rationale: "Audit records must outlive the time it takes to notice an incident, or the \
                        investigation has nothing to read; CC7.2 and CC7.3 rely on retained logs.",
            remediation: "Portal: SQL server > Security > Auditing > Storage > Advanced properties > \
                          Retention (days) = 90 or more (0 keeps logs for ever). CLI: az sql server \
                          audit-policy update -g <rg> -n <server> --state Enabled \
                          --blob-storage-target-state Enabled --storage-account <account> \
                          --retention-days 90",
            sources: &[RG, AUDITING],
        },
        eval: Eval::ResourceCtx(TYPE, auditing_retention),
    },
    Check {
        meta: CheckMeta {
            id: "sql_tde_customer_managed_key",
            title: "SQL server TDE protectors use a customer-managed key",
            service: "sql",
            severity: Severity::Low,
            criteria: &["CC6.1"],
            cis: &["2.1.0:4.1.3", "3.0.0:5.1.3"],
            policies: &["0a370ff3-6cab-4e85-8995-295fd854c5b8"],
            description: "Reads the server's encryption protector (ARM servers/{server}/\
                          encryptionProtector/current). Passes when properties.serverKeyType is \
                          AzureKeyVault; ServiceManaged fails; not collected, returned as absent, or \
                          without serverKeyType is an error. The key URI is recorded. \
                          Since catalogue 2026.12.0: only a failed read of \
                          encryptionProtector/current makes the finding an error, not a failed \
                          read of another setting of the server, and a encryptionProtector/current \
                          answer of another shape than documented is a gap (error), never \
                          settings.",
            rationale: "A key held in the entity's own Key Vault lets it control, rotate, audit and \
                        revoke access to the encryption of every database on the server (CC6.1). \
                        Low severity: service-managed TDE already encrypts the data.",
            remediation: "Portal: SQL server > Security > Transparent data encryption > Customer-managed \
                          key > select a Key Vault key. CLI: az sql server tde-key set -g <rg> -s \
                          <server> --server-key-type AzureKeyVault --kid <key-uri>",
            sources: &[RG, PROTECTOR],
        },
        eval: Eval::Resource(TYPE, tde_customer_key),
    },
    Check {
        meta: CheckMeta {
            id: "sql_database_long_term_retention",
            title: "SQL databases keep long-term retention backups",
            service: "sql",
            severity: Severity::Low,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Reads each database's long-term retention policy (ARM servers/{server}/\
                          databases/{db}/backupLongTermRetentionPolicies/default). Passes when any of \
                          properties.weeklyRetention, monthlyRetention or yearlyRetention is an ISO \
                          8601 duration other than PT0S. All three PT0S fails, and so does \
                          a policy Azure returns as absent; not collected is an error. The master \
                          database is not applicable. \
                          Since catalogue 2026.12.0: only a failed read of \
                          backupLongTermRetentionPolicies/default makes the finding an error, not \
                          a failed read of another setting of the database, and a \
                          backupLongTermRetentionPolicies/default answer of another shape than \
                          documented is a gap (error), never settings; when none of the three \
                          keeps backups, an absent one is an error naming it (the API documents \
                          no default), where absent read as not kept and failed.",
            rationale: "Point-in-time restore covers at most 35 days; long-term retention keeps full \
                        backups for months or years, so data corrupted or deleted unnoticed can still \
                        be recovered (A1.2).",
            remediation: "Portal: SQL server > Data management > Backups > Retention policies > select \
                          the database > Configure policies. CLI: az sql db ltr-policy set -g <rg> -s \
                          <server> -n <database> --weekly-retention P4W --monthly-retention P12M",
            sources: &[RG, LTR],
        },
        eval: Eval::Resource(TYPE_DB, long_term_retention),
    },
    Check {
        meta: CheckMeta {
            id: "sql_database_zone_redundant",
            title: "SQL databases are zone redundant",
            service: "sql",
            severity: Severity::Low,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Passes when the database's properties.zoneRedundant is true (replicas spread \
                          across availability zones); false fails; absent is an error. The master \
                          database is not applicable.",
            rationale: "A zone-redundant database survives the loss of a datacentre in its region \
                        without a restore; A1.2 covers the recovery infrastructure that supports \
                        availability commitments.",
            remediation: "Portal: SQL database > Settings > Compute + storage > Would you like to make \
                          this database zone redundant? = Yes. CLI: az sql db update -g <rg> -s \
                          <server> -n <database> --zone-redundant true",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE_DB, zone_redundant),
    },
    Check {
        meta: CheckMeta {
            id: "sql_outbound_network_restricted",
            title: "SQL servers restrict outbound network access",
            service: "sql",
            severity: Severity::Low,
            criteria: &["CC6.7"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.restrictOutboundNetworkAccess is Enabled (the server \
                          may only reach the FQDNs on its outbound firewall list); Disabled fails; \
                          absent is an error.",
            rationale: "Without outbound restriction, anyone able to run T-SQL can push data to any \
                        external endpoint (for example through BACKUP TO URL); CC6.7 restricts the \
                        transmission of data to authorised destinations.",
            remediation: "Portal: SQL server > Security > Networking > Outbound networking > Restrict \
                          outbound networking, then add the allowed FQDNs. CLI: az sql server update \
                          -g <rg> -n <server> --restrict-outbound-network-access true",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, outbound_restricted),
    },
];

fn auditing(r: &Resource) -> Verdict {
    let child = "auditingSettings/default";
    let key = "auditingSettings/default.state";
    let Some(policy) = r.child(child) else {
        return Verdict::error(format!("the auditing policy ({child}) was not collected"))
            .observe(key, None);
    };
    let state = props::child_value(r, child, "/state");
    let v = match state.and_then(Value::as_str) {
        Some(s) if s.eq_ignore_ascii_case("Enabled") => Verdict::pass("server auditing is enabled"),
        Some(s) if s.eq_ignore_ascii_case("Disabled") => {
            Verdict::fail("server auditing is disabled")
        }
        Some(s) => Verdict::error(format!("{key} has unexpected value {s}")),
        None => Verdict::error(format!("{key} is not present in the collected data")),
    };
    v.observe(key, state)
        .observe(
            "auditingSettings/default.isAzureMonitorTargetEnabled",
            policy.pointer("/properties/isAzureMonitorTargetEnabled"),
        )
        .observe(
            "auditingSettings/default.retentionDays",
            policy.pointer("/properties/retentionDays"),
        )
}

/// One collected firewall rule, read as a set of addresses.
/// The ARM type of a server firewall rule, the rows of its properties.
const FIREWALL_RULE: &str = "microsoft.sql/servers/firewallrules";

/// The ARM type of a server administrator, the rows of its properties.
const ADMINISTRATOR: &str = "microsoft.sql/servers/administrators";

struct FirewallRule<'a> {
    name: &'a str,
    /// `0.0.0.0-0.0.0.0`: the "Allow Azure services" switch, not the address 0.0.0.0.
    azure_services: bool,
    addrs: AddrSet,
}

/// The collected firewall rules, or the error verdict when they were not collected or a rule
/// cannot be read (a bad address is named, never skipped).
fn firewall_rules(r: &Resource) -> Result<Vec<FirewallRule<'_>>, Verdict> {
    let key = "firewallRules";
    let Some(body) = r.child(key) else {
        return Err(
            Verdict::error("the firewall rules (firewallRules) were not collected")
                .observe(key, None),
        );
    };
    // The collector stores the ARM list body; tolerate a bare array as well.
    let items = match body {
        Value::Array(items) => Some(items),
        other => other.get("value").and_then(Value::as_array),
    };
    let Some(items) = items else {
        return Err(
            Verdict::error(format!("firewallRules has unexpected value {body}"))
                .observe(key, Some(body)),
        );
    };
    let mut rules = Vec::with_capacity(items.len());
    for item in items {
        let name = item
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("(unnamed rule)");
        let start =
            props::item_value(FIREWALL_RULE, item, "/startIpAddress").and_then(Value::as_str);
        let end = props::item_value(FIREWALL_RULE, item, "/endIpAddress").and_then(Value::as_str);
        let (Some(start), Some(end)) = (start, end) else {
            return Err(Verdict::error(format!(
                "firewall rule {name} has no startIpAddress/endIpAddress"
            ))
            .observe(key, Some(item)));
        };
        let bad = |e: netset::ParseError| {
            Verdict::error(format!("firewall rule {name} cannot be read: {e}"))
                .observe(key, Some(item))
        };
        let lo: Ipv4Addr = start
            .trim()
            .parse()
            .map_err(|_| bad(netset::ParseError::Address(start.to_string())))?;
        let hi: Ipv4Addr = end
            .trim()
            .parse()
            .map_err(|_| bad(netset::ParseError::Address(end.to_string())))?;
        let addrs = netset::parse_address(&format!("{lo}-{hi}")).map_err(bad)?;
        rules.push(FirewallRule {
            name,
            azure_services: lo.is_unspecified() && hi.is_unspecified(),
            addrs,
        });
    }
    Ok(rules)
}

/// Fails naming `offending` when it is not empty; observes the rule count and access setting.
fn firewall_verdict(
    r: &Resource,
    rules: &[FirewallRule<'_>],
    offending: Vec<&str>,
    fail_what: &str,
    pass_what: &str,
) -> Verdict {
    let v = if offending.is_empty() {
        Verdict::pass(pass_what)
    } else {
        Verdict::fail(format!("{fail_what}: {}", offending.join(", ")))
    };
    v.observe_value("offending_rules", Value::from(offending))
        .observe_value("firewallRules.count", Value::from(rules.len()))
        .observe_prop("properties.publicNetworkAccess", r, "/publicNetworkAccess")
}

/// Fails when the rules, taken together, admit every public IPv4 address, however many rules
/// they are split into. The Azure-services switch is judged by its own check.
fn no_allow_all(r: &Resource) -> Verdict {
    let rules = match firewall_rules(r) {
        Ok(rules) => rules,
        Err(v) => return v,
    };
    let internet = AddrSet::internet();
    let parts = rules
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.azure_services)
        .map(|(i, f)| (i, f.addrs.v4.clone()));
    let offending = netset::culprits(parts, &internet.v4)
        .into_iter()
        .map(|i| rules[i].name)
        .collect();
    firewall_verdict(
        r,
        &rules,
        offending,
        "firewall rules together admit every public IPv4 address",
        "the firewall rules do not admit every public IPv4 address",
    )
}

fn no_azure_services_rule(r: &Resource) -> Verdict {
    let rules = match firewall_rules(r) {
        Ok(rules) => rules,
        Err(v) => return v,
    };
    let offending = rules
        .iter()
        .filter(|f| f.azure_services)
        .map(|f| f.name)
        .collect();
    firewall_verdict(
        r,
        &rules,
        offending,
        "firewall rules admit all Azure services (0.0.0.0-0.0.0.0)",
        "no firewall rule admits all Azure services",
    )
}

fn minimal_tls(r: &Resource) -> Verdict {
    let key = "properties.minimalTlsVersion";
    match require_str(r, "/minimalTlsVersion") {
        Ok("1.2" | "1.3") => Verdict::pass("minimum TLS version is 1.2 or later"),
        Ok(v @ ("1.0" | "1.1")) => Verdict::fail(format!("minimum TLS version is {v}")),
        Ok("None") => Verdict::fail("no minimum TLS version is enforced (None)"),
        Ok(v) => Verdict::error(format!("{key} has unexpected value {v}")),
        Err(v) => return v,
    }
    .observe_prop(key, r, "/minimalTlsVersion")
}

fn public_network_access(r: &Resource) -> Verdict {
    let key = "properties.publicNetworkAccess";
    match require_str(r, "/publicNetworkAccess") {
        Ok("Disabled") => Verdict::pass("public network access is disabled"),
        Ok(v) => Verdict::fail(format!("public network access is {v}")),
        Err(v) => return v,
    }
    .observe_prop(key, r, "/publicNetworkAccess")
}

/// The master database is a system database: Azure manages it and allows neither TDE nor
/// long-term retention or zone settings on it, so database checks skip it.
fn is_master(r: &Resource) -> bool {
    r.name.eq_ignore_ascii_case("master")
}

fn master_not_applicable() -> Verdict {
    Verdict::not_applicable("master is a system database managed by Azure")
}

/// A singleton child setting: `Err` (an error verdict) when it was not collected, `Ok(None)`
/// when Azure said it does not exist (a `null` child), `Ok(Some(body))` otherwise.
fn singleton<'a>(r: &'a Resource, key: &str) -> Result<Option<&'a Value>, Verdict> {
    match r.child(key) {
        None => Err(Verdict::error(format!("{key} was not collected")).observe(key, None)),
        Some(Value::Null) => Ok(None),
        Some(body) => Ok(Some(body)),
    }
}

/// A property of a collected child that decides a verdict, as (observed key, value), read by
/// its row in the absent-field table ([`props::child_value`]).
fn child_str<'a>(r: &'a Resource, key: &str, field: &str) -> (String, Option<&'a Value>) {
    (
        format!("{key}.{field}"),
        props::child_value(r, key, &format!("/{field}")),
    )
}

/// A child property that is only observed, never judged, as (observed key, value).
fn child_observed<'a>(body: &'a Value, key: &str, field: &str) -> (String, Option<&'a Value>) {
    (
        format!("{key}.{field}"),
        body.pointer(&format!("/properties/{field}"))
            .filter(|v| !v.is_null()),
    )
}

fn database_tde(r: &Resource) -> Verdict {
    if is_master(r) {
        return master_not_applicable();
    }
    let key = "transparentDataEncryption/current";
    match singleton(r, key) {
        Ok(Some(_)) => {}
        Ok(None) => {
            return Verdict::error(format!("Azure returned no {key} for the database"))
                .observe(key, None);
        }
        Err(v) => return v,
    }
    let (obs, state) = child_str(r, key, "state");
    match state.and_then(Value::as_str) {
        Some(s) if s.eq_ignore_ascii_case("Enabled") => {
            Verdict::pass("transparent data encryption is enabled")
        }
        Some(s) if s.eq_ignore_ascii_case("Disabled") => {
            Verdict::fail("transparent data encryption is disabled")
        }
        Some(s) => Verdict::error(format!("{obs} has unexpected value {s}")),
        None => Verdict::error(format!("{obs} is not present in the collected data")),
    }
    .observe(&obs, state)
}

/// The server's administrators list: the Entra (ActiveDirectory) entry, if any, with the whole
/// list's size. A `null` child is a collected, empty list.
fn entra_administrator(r: &Resource) -> Result<(Option<&Value>, usize), Verdict> {
    let key = "administrators";
    let items: &[Value] = match r.child(key) {
        None => {
            return Err(Verdict::error(
                "the server administrators (administrators) were not collected",
            )
            .observe(key, None));
        }
        Some(Value::Null) => &[],
        Some(Value::Array(items)) => items,
        Some(body) => match body.get("value").and_then(Value::as_array) {
            Some(items) => items,
            None => {
                return Err(
                    Verdict::error(format!("administrators has unexpected value {body}"))
                        .observe(key, Some(body)),
                );
            }
        },
    };
    let mut entra = None;
    for a in items {
        match props::item_value(ADMINISTRATOR, a, "/administratorType").and_then(Value::as_str) {
            Some(t) if t.eq_ignore_ascii_case("ActiveDirectory") => {
                entra.get_or_insert(a);
            }
            Some(_) => {}
            // An administrator of unknown type may be the Entra one: not evidence either way.
            None => {
                return Err(Verdict::error(
                    "a server administrator has no administratorType in the collected data",
                )
                .observe(key, Some(a)));
            }
        }
    }
    Ok((entra, items.len()))
}

fn entra_admin(r: &Resource) -> Verdict {
    let (admin, count) = match entra_administrator(r) {
        Ok(found) => found,
        Err(v) => return v,
    };
    let login = admin.and_then(|a| a.pointer("/properties/login"));
    match admin {
        Some(_) => Verdict::pass(format!(
            "an Entra administrator is set ({})",
            login
                .and_then(Value::as_str)
                .unwrap_or("login not returned")
        )),
        None => Verdict::fail("no Microsoft Entra administrator is set"),
    }
    .observe("administrators.ActiveDirectory.login", login)
    .observe_value("administrators.count", Value::from(count))
}

fn entra_only(r: &Resource) -> Verdict {
    let key = "administrators.ActiveDirectory.azureADOnlyAuthentication";
    let admin = match entra_administrator(r) {
        Ok((Some(admin), _)) => admin,
        Ok((None, _)) => {
            return Verdict::fail(
                "no Microsoft Entra administrator is set, so SQL authentication stays enabled",
            )
            .observe(key, None);
        }
        Err(v) => return v,
    };
    let flag = props::item_value(ADMINISTRATOR, admin, "/azureADOnlyAuthentication");
    match flag {
        Some(Value::Bool(true)) => Verdict::pass("only Microsoft Entra authentication is accepted"),
        Some(Value::Bool(false)) => {
            Verdict::fail("SQL authentication is accepted alongside Microsoft Entra authentication")
        }
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
        None => Verdict::error(format!("{key} is not present in the collected data")),
    }
    .observe(key, flag)
}

fn defender(r: &Resource) -> Verdict {
    let key = "securityAlertPolicies/Default";
    let body = match singleton(r, key) {
        Ok(Some(body)) => body,
        Ok(None) => {
            return Verdict::fail("the server has no security alert policy").observe(key, None);
        }
        Err(v) => return v,
    };
    let (obs, state) = child_str(r, key, "state");
    let (disabled_key, disabled) = child_observed(body, key, "disabledAlerts");
    match state.and_then(Value::as_str) {
        Some(s) if s.eq_ignore_ascii_case("Enabled") => {
            Verdict::pass("Microsoft Defender for SQL threat detection is enabled")
        }
        Some(s) if s.eq_ignore_ascii_case("Disabled") => {
            Verdict::fail("Microsoft Defender for SQL threat detection is disabled")
        }
        Some(s) => Verdict::error(format!("{obs} has unexpected value {s}")),
        None => Verdict::error(format!("{obs} is not present in the collected data")),
    }
    .observe(&obs, state)
    .observe(&disabled_key, disabled)
}

fn vulnerability_assessment(r: &Resource) -> Verdict {
    let key = "vulnerabilityAssessments/Default";
    let obs = "vulnerabilityAssessments/Default.recurringScans.isEnabled";
    match singleton(r, key) {
        Ok(Some(_)) => {}
        Ok(None) => {
            return Verdict::fail("the server has no vulnerability assessment").observe(obs, None);
        }
        Err(v) => return v,
    }
    let flag = props::child_value(r, key, "/recurringScans/isEnabled");
    match flag {
        Some(Value::Bool(true)) => Verdict::pass("recurring vulnerability scans are enabled"),
        Some(Value::Bool(false)) => Verdict::fail("recurring vulnerability scans are disabled"),
        Some(other) => Verdict::error(format!("{obs} has unexpected value {other}")),
        None => Verdict::error(format!("{obs} is not present in the collected data")),
    }
    .observe(obs, flag)
}

fn auditing_retention(r: &Resource, ctx: &Ctx) -> Verdict {
    let key = "auditingSettings/default";
    let min = ctx.settings.min_log_retention_days;
    match singleton(r, key) {
        Ok(Some(_)) => {}
        Ok(None) => {
            return Verdict::error(format!("Azure returned no {key} for the server"))
                .observe(key, None);
        }
        Err(v) => return v,
    }
    let (state_key, state) = child_str(r, key, "state");
    let (days_key, days) = child_str(r, key, "retentionDays");
    let (endpoint_key, endpoint) = child_str(r, key, "storageEndpoint");
    let storage = endpoint
        .and_then(Value::as_str)
        .is_some_and(|e| !e.trim().is_empty());
    let v = match (state.and_then(Value::as_str), days.and_then(Value::as_u64)) {
        (None, _) => Verdict::error(format!("{state_key} is not present in the collected data")),
        (Some(s), _) if s.eq_ignore_ascii_case("Disabled") => {
            Verdict::fail("server auditing is disabled, so no audit log is retained")
        }
        (Some(s), _) if !s.eq_ignore_ascii_case("Enabled") => {
            Verdict::error(format!("{state_key} has unexpected value {s}"))
        }
        _ if !storage => Verdict::not_applicable(
            "auditing writes to Azure Monitor or Event Hubs only; retention is set on that \
             destination",
        ),
        (_, None) => Verdict::error(format!("{days_key} is not present in the collected data")),
        (_, Some(0)) => Verdict::pass("audit logs in storage are kept for ever (retentionDays 0)"),
        (_, Some(d)) if d >= u64::from(min) => Verdict::pass(format!(
            "audit logs in storage are kept {d} days (minimum {min})"
        )),
        (_, Some(d)) => Verdict::fail(format!(
            "audit logs in storage are kept only {d} days (minimum {min})"
        )),
    };
    v.observe(&state_key, state)
        .observe(&days_key, days)
        .observe(&endpoint_key, endpoint)
        .observe_value("min_log_retention_days", Value::from(min))
}

fn tde_customer_key(r: &Resource) -> Verdict {
    let key = "encryptionProtector/current";
    let body = match singleton(r, key) {
        Ok(Some(body)) => body,
        Ok(None) => {
            return Verdict::error(format!("Azure returned no {key} for the server"))
                .observe(key, None);
        }
        Err(v) => return v,
    };
    let (obs, kind) = child_str(r, key, "serverKeyType");
    let (uri_key, uri) = child_observed(body, key, "uri");
    match kind.and_then(Value::as_str) {
        Some(k) if k.eq_ignore_ascii_case("AzureKeyVault") => {
            Verdict::pass("the TDE protector is a customer-managed Key Vault key")
        }
        Some(k) if k.eq_ignore_ascii_case("ServiceManaged") => {
            Verdict::fail("the TDE protector is a service-managed key")
        }
        Some(k) => Verdict::error(format!("{obs} has unexpected value {k}")),
        None => Verdict::error(format!("{obs} is not present in the collected data")),
    }
    .observe(&obs, kind)
    .observe(&uri_key, uri)
}

fn long_term_retention(r: &Resource) -> Verdict {
    if is_master(r) {
        return master_not_applicable();
    }
    let key = "backupLongTermRetentionPolicies/default";
    let fields = ["weeklyRetention", "monthlyRetention", "yearlyRetention"];
    match singleton(r, key) {
        Ok(Some(_)) => {}
        Ok(None) => {
            return Verdict::fail("the database has no long-term retention policy")
                .observe(key, None);
        }
        Err(v) => return v,
    }
    let values: Vec<(String, Option<&Value>)> =
        fields.iter().map(|f| child_str(r, key, f)).collect();
    // PT0S is how Azure writes "not kept"; anything else is a retention period.
    let kept: Vec<String> = fields
        .iter()
        .zip(&values)
        .filter_map(|(f, (_, v))| {
            let d = v.and_then(Value::as_str)?.trim();
            (!d.is_empty() && !d.eq_ignore_ascii_case("PT0S")).then(|| format!("{f} {d}"))
        })
        .collect();
    // An absent period is not "not kept": only a present one decides, unless another keeps.
    let absent: Vec<&str> = fields
        .iter()
        .zip(&values)
        .filter(|(_, (_, v))| v.is_none())
        .map(|(f, _)| *f)
        .collect();
    let v = if kept.is_empty() && !absent.is_empty() {
        Verdict::error(format!(
            "{} not present in the collected data ({key}), and no other period keeps backups",
            absent.join(", ")
        ))
    } else if kept.is_empty() {
        Verdict::fail("no weekly, monthly or yearly long-term retention is configured")
    } else {
        Verdict::pass(format!("long-term retention keeps {}", kept.join(", ")))
    };
    values.iter().fold(v, |v, (k, val)| v.observe(k, *val))
}

fn zone_redundant(r: &Resource) -> Verdict {
    if is_master(r) {
        return master_not_applicable();
    }
    match require_bool(r, "/zoneRedundant") {
        Ok(true) => Verdict::pass("the database is zone redundant"),
        Ok(false) => Verdict::fail("the database is not zone redundant"),
        Err(v) => return v,
    }
    .observe_prop("properties.zoneRedundant", r, "/zoneRedundant")
}

fn outbound_restricted(r: &Resource) -> Verdict {
    let key = "properties.restrictOutboundNetworkAccess";
    match require_str(r, "/restrictOutboundNetworkAccess") {
        Ok("Enabled") => Verdict::pass("outbound network access is restricted"),
        Ok("Disabled") => Verdict::fail("outbound network access is not restricted"),
        Ok(v) => Verdict::error(format!("{key} has unexpected value {v}")),
        Err(v) => return v,
    }
    .observe_prop(key, r, "/restrictOutboundNetworkAccess")
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::testutil::{self, eval_resource, fixture, fixture_resource, set_prop};
    use crate::checks::{Ctx, Eval, FindingStatus as S, Settings, Verdict, find};
    use crate::model::Resource;

    const GET: &str = "sql/sql_server_get.2023-08-01.json";
    /// state = Disabled in Microsoft's example.
    const AUDITING: &str = "sql/sql_server_auditing_settings_get.2023-08-01.json";
    /// Four rules: 0.0.0.0-0.0.0.0 (Allow Azure services) and three single addresses.
    const FIREWALL: &str = "sql/sql_firewall_rules_list.2023-08-01.json";

    fn server_with(child: &str, body: Value) -> Resource {
        let mut r = fixture_resource(GET, 0);
        r.children.insert(child.into(), body);
        r
    }

    #[test]
    fn sql_auditing_enabled_pass() {
        let mut body = fixture(AUDITING);
        body["properties"]["state"] = json!("Enabled");
        let v = eval_resource(
            "sql_auditing_enabled",
            &server_with("auditingSettings/default", body),
        );
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["auditingSettings/default.state"],
            json!("Enabled")
        );
    }
    #[test]
    fn sql_auditing_enabled_fail() {
        let v = eval_resource(
            "sql_auditing_enabled",
            &server_with("auditingSettings/default", fixture(AUDITING)),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "server auditing is disabled")
        );
        assert_eq!(
            v.observed["auditingSettings/default.state"],
            json!("Disabled")
        );
    }
    #[test]
    fn sql_auditing_enabled_missing() {
        let v = eval_resource("sql_auditing_enabled", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("auditingSettings/default"));
        assert_eq!(v.observed["auditingSettings/default.state"], Value::Null);

        let mut body = fixture(AUDITING);
        body["properties"].as_object_mut().unwrap().remove("state");
        let v = eval_resource(
            "sql_auditing_enabled",
            &server_with("auditingSettings/default", body),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not present"));
    }

    #[test]
    fn sql_no_allow_all_firewall_pass() {
        // The example's 0.0.0.0-0.0.0.0 rule is the Azure-services rule, not an open firewall.
        let v = eval_resource(
            "sql_no_allow_all_firewall",
            &server_with("firewallRules", fixture(FIREWALL)),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["firewallRules.count"], json!(4));
        assert_eq!(v.observed["offending_rules"], json!([]));
    }
    #[test]
    fn sql_no_allow_all_firewall_fail() {
        let mut body = fixture(FIREWALL);
        body["value"].as_array_mut().unwrap().push(json!({
            "name": "open-to-all",
            "type": "Microsoft.Sql/servers/firewallRules",
            "properties": {"startIpAddress": "0.0.0.0", "endIpAddress": "255.255.255.255"}
        }));
        let v = eval_resource(
            "sql_no_allow_all_firewall",
            &server_with("firewallRules", body),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.reason,
            "firewall rules together admit every public IPv4 address: open-to-all"
        );
        assert_eq!(v.observed["offending_rules"], json!(["open-to-all"]));
        assert_eq!(
            v.observed["properties.publicNetworkAccess"],
            json!("Enabled")
        );
    }

    fn rules(ranges: &[(&str, &str, &str)]) -> Value {
        let value: Vec<Value> = ranges
            .iter()
            .map(|(name, start, end)| {
                json!({"name": name, "type": "Microsoft.Sql/servers/firewallRules",
                       "properties": {"startIpAddress": start, "endIpAddress": end}})
            })
            .collect();
        json!({ "value": value })
    }

    #[test]
    fn sql_firewall_rules_that_together_cover_ipv4_fail() {
        let check = |rs: &[(&str, &str, &str)]| {
            eval_resource(
                "sql_no_allow_all_firewall",
                &server_with("firewallRules", rules(rs)),
            )
        };
        let v = check(&[
            ("low", "0.0.0.0", "127.255.255.255"),
            ("office", "203.0.113.7", "203.0.113.7"),
            ("high", "128.0.0.0", "255.255.255.255"),
        ]);
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert_eq!(v.observed["offending_rules"], json!(["low", "high"]));
        // Every public address while leaving out the private blocks is just as open.
        let v = check(&[
            ("a", "1.0.0.0", "9.255.255.255"),
            ("b", "11.0.0.0", "172.15.255.255"),
            ("c", "172.32.0.0", "192.167.255.255"),
            ("d", "192.169.0.0", "223.255.255.255"),
        ]);
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        // One address short of the public space passes, and so does the Azure-services
        // switch next to half of IPv4: 0.0.0.0-0.0.0.0 is not the address 0.0.0.0.
        let v = check(&[
            ("a", "1.0.0.0", "8.8.8.7"),
            ("b", "8.8.8.9", "223.255.255.255"),
        ]);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        let v = check(&[
            ("AllowAllWindowsAzureIps", "0.0.0.0", "0.0.0.0"),
            ("high", "128.0.0.0", "255.255.255.255"),
        ]);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // An unreadable or reversed range is an error naming the rule and value.
        let v = check(&[("typo", "10.0.0.300", "10.0.0.1")]);
        assert_eq!(v.status, S::Error);
        assert!(
            v.reason.contains("typo") && v.reason.contains("10.0.0.300"),
            "{}",
            v.reason
        );
        let v = check(&[("reversed", "10.0.0.9", "10.0.0.1")]);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("reversed"), "{}", v.reason);
    }
    #[test]
    fn sql_no_allow_all_firewall_missing() {
        let v = eval_resource("sql_no_allow_all_firewall", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("firewallRules"));
        assert_eq!(v.observed["firewallRules"], Value::Null);

        let mut body = fixture(FIREWALL);
        body["value"][1]["properties"] = json!({});
        let v = eval_resource(
            "sql_no_allow_all_firewall",
            &server_with("firewallRules", body),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("firewallrulecrudtest-3927"));
    }

    #[test]
    fn sql_no_allow_azure_services_rule_pass() {
        let mut body = fixture(FIREWALL);
        body["value"].as_array_mut().unwrap().remove(0);
        let v = eval_resource(
            "sql_no_allow_azure_services_rule",
            &server_with("firewallRules", body),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // An empty rule list is a collected, closed firewall.
        let v = eval_resource(
            "sql_no_allow_azure_services_rule",
            &server_with("firewallRules", json!({"value": []})),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn sql_no_allow_azure_services_rule_fail() {
        let v = eval_resource(
            "sql_no_allow_azure_services_rule",
            &server_with("firewallRules", fixture(FIREWALL)),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["offending_rules"],
            json!(["firewallrulecrudtest-2304"])
        );
    }
    #[test]
    fn sql_no_allow_azure_services_rule_missing() {
        let v = eval_resource(
            "sql_no_allow_azure_services_rule",
            &fixture_resource(GET, 0),
        );
        assert_eq!(v.status, S::Error);
        let v = eval_resource(
            "sql_no_allow_azure_services_rule",
            &server_with("firewallRules", json!("oops")),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("unexpected value"));
    }

    #[test]
    fn sql_minimal_tls_1_2_pass() {
        for tls in ["1.2", "1.3"] {
            let mut r = fixture_resource(GET, 0);
            set_prop(&mut r, "/minimalTlsVersion", json!(tls));
            let v = eval_resource("sql_minimal_tls_1_2", &r);
            assert_eq!(v.status, S::Pass);
            assert_eq!(v.observed["properties.minimalTlsVersion"], json!(tls));
        }
    }
    #[test]
    fn sql_minimal_tls_1_2_fail() {
        for (tls, why) in [
            ("1.0", "minimum TLS version is 1.0"),
            ("1.1", "minimum TLS version is 1.1"),
            ("None", "no minimum TLS version is enforced (None)"),
        ] {
            let mut r = fixture_resource(GET, 0);
            set_prop(&mut r, "/minimalTlsVersion", json!(tls));
            let v = eval_resource("sql_minimal_tls_1_2", &r);
            assert_eq!((v.status, v.reason.as_str()), (S::Fail, why));
        }
    }
    #[test]
    fn sql_minimal_tls_1_2_missing() {
        // Microsoft's server example carries no minimalTlsVersion.
        let v = eval_resource("sql_minimal_tls_1_2", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("minimalTlsVersion"));
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/minimalTlsVersion", json!("TLS1_2"));
        assert_eq!(eval_resource("sql_minimal_tls_1_2", &r).status, S::Error);
    }

    #[test]
    fn sql_public_network_access_disabled_pass() {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/publicNetworkAccess", json!("Disabled"));
        assert_eq!(
            eval_resource("sql_public_network_access_disabled", &r).status,
            S::Pass
        );
    }
    #[test]
    fn sql_public_network_access_disabled_fail() {
        let v = eval_resource(
            "sql_public_network_access_disabled",
            &fixture_resource(GET, 0),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "public network access is Enabled")
        );
        assert_eq!(
            v.observed["properties.publicNetworkAccess"],
            json!("Enabled")
        );
    }
    #[test]
    fn sql_public_network_access_disabled_missing() {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/publicNetworkAccess", json!(null));
        let v = eval_resource("sql_public_network_access_disabled", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("publicNetworkAccess"));
    }

    // ---- Handmade fixtures: Microsoft spec examples absent from the shared set. ----

    fn handmade(path: &str) -> Value {
        fixture(&format!("../handmade/sql/{path}"))
    }
    const ADMINS: &str = "sql_server_administrators_list.2023-08-01.json";
    const ALERTS: &str = "sql_server_security_alert_policy_get.2023-08-01.json";
    const VA: &str = "sql_server_vulnerability_assessment_get.2023-08-01.json";
    const PROTECTOR: &str = "sql_server_encryption_protector_get.2023-08-01.json";
    const DATABASE: &str = "sql_database_get.2023-08-01.json";
    const LTR: &str = "sql_database_ltr_policy_get.2023-08-01.json";
    const TDE: &str = "sql/sql_database_tde_get.2023-08-01.json";

    fn database() -> Resource {
        crate::checks::testutil::resource(handmade(DATABASE))
    }
    fn database_with(child: &str, body: Value) -> Resource {
        let mut r = database();
        r.children.insert(child.into(), body);
        r
    }
    fn master() -> Resource {
        let mut r = database();
        r.name = "master".into();
        r.id = r.id.replace("/databases/testdb", "/databases/master");
        r
    }

    fn eval_ctx(id: &str, r: &Resource, settings: &Settings) -> Verdict {
        let Eval::ResourceCtx(ty, f) = find(id).unwrap().eval else {
            panic!("{id} is not a context-aware resource check");
        };
        assert_eq!(ty, r.r#type);
        let inv = testutil::inventory(vec![r.clone()]);
        f(r, &Ctx::new(&inv, settings))
    }

    #[test]
    fn sql_database_tde_enabled_pass() {
        let v = eval_resource(
            "sql_database_tde_enabled",
            &database_with("transparentDataEncryption/current", fixture(TDE)),
        );
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["transparentDataEncryption/current.state"],
            json!("Enabled")
        );
        let v = eval_resource("sql_database_tde_enabled", &master());
        assert_eq!(v.status, S::NotApplicable);
    }
    #[test]
    fn sql_database_tde_enabled_fail() {
        let mut body = fixture(TDE);
        body["properties"]["state"] = json!("Disabled");
        let v = eval_resource(
            "sql_database_tde_enabled",
            &database_with("transparentDataEncryption/current", body),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "transparent data encryption is disabled")
        );
    }
    #[test]
    fn sql_database_tde_enabled_missing() {
        let v = eval_resource("sql_database_tde_enabled", &database());
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("transparentDataEncryption/current"));
        let v = eval_resource(
            "sql_database_tde_enabled",
            &database_with("transparentDataEncryption/current", Value::Null),
        );
        assert_eq!(v.status, S::Error);
        let mut body = fixture(TDE);
        body["properties"] = json!({});
        let v = eval_resource(
            "sql_database_tde_enabled",
            &database_with("transparentDataEncryption/current", body),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not present"));
    }

    #[test]
    fn sql_entra_admin_configured_pass() {
        let v = eval_resource(
            "sql_entra_admin_configured",
            &server_with("administrators", handmade(ADMINS)),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "an Entra administrator is set (bob@contoso.com)")
        );
        assert_eq!(v.observed["administrators.count"], json!(1));
    }
    #[test]
    fn sql_entra_admin_configured_fail() {
        for empty in [json!({"value": []}), json!([]), Value::Null] {
            let v = eval_resource(
                "sql_entra_admin_configured",
                &server_with("administrators", empty),
            );
            assert_eq!(
                (v.status, v.reason.as_str()),
                (S::Fail, "no Microsoft Entra administrator is set")
            );
            assert_eq!(
                v.observed["administrators.ActiveDirectory.login"],
                Value::Null
            );
        }
    }
    #[test]
    fn sql_entra_admin_configured_missing() {
        let v = eval_resource("sql_entra_admin_configured", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("administrators"));
        let v = eval_resource(
            "sql_entra_admin_configured",
            &server_with("administrators", json!("oops")),
        );
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn sql_entra_only_authentication_pass() {
        let v = eval_resource(
            "sql_entra_only_authentication",
            &server_with("administrators", handmade(ADMINS)),
        );
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["administrators.ActiveDirectory.azureADOnlyAuthentication"],
            json!(true)
        );
    }
    #[test]
    fn sql_entra_only_authentication_fail() {
        let mut body = handmade(ADMINS);
        body["value"][0]["properties"]["azureADOnlyAuthentication"] = json!(false);
        let v = eval_resource(
            "sql_entra_only_authentication",
            &server_with("administrators", body),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("SQL authentication is accepted"));
        let v = eval_resource(
            "sql_entra_only_authentication",
            &server_with("administrators", json!({"value": []})),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("no Microsoft Entra administrator"));
    }
    #[test]
    fn sql_entra_only_authentication_missing() {
        let v = eval_resource("sql_entra_only_authentication", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Error);
        let mut body = handmade(ADMINS);
        body["value"][0]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("azureADOnlyAuthentication");
        let v = eval_resource(
            "sql_entra_only_authentication",
            &server_with("administrators", body),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("azureADOnlyAuthentication"));
    }

    #[test]
    fn sql_defender_enabled_pass() {
        let v = eval_resource(
            "sql_defender_enabled",
            &server_with("securityAlertPolicies/Default", handmade(ALERTS)),
        );
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["securityAlertPolicies/Default.disabledAlerts"],
            json!(["Access_Anomaly"])
        );
    }
    #[test]
    fn sql_defender_enabled_fail() {
        let mut body = handmade(ALERTS);
        body["properties"]["state"] = json!("Disabled");
        let v = eval_resource(
            "sql_defender_enabled",
            &server_with("securityAlertPolicies/Default", body),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Fail,
                "Microsoft Defender for SQL threat detection is disabled"
            )
        );
        let v = eval_resource(
            "sql_defender_enabled",
            &server_with("securityAlertPolicies/Default", Value::Null),
        );
        assert_eq!(v.status, S::Fail);
    }
    #[test]
    fn sql_defender_enabled_missing() {
        let v = eval_resource("sql_defender_enabled", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("securityAlertPolicies/Default"));
        let mut body = handmade(ALERTS);
        body["properties"].as_object_mut().unwrap().remove("state");
        let v = eval_resource(
            "sql_defender_enabled",
            &server_with("securityAlertPolicies/Default", body),
        );
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn sql_vulnerability_assessment_enabled_pass() {
        let v = eval_resource(
            "sql_vulnerability_assessment_enabled",
            &server_with("vulnerabilityAssessments/Default", handmade(VA)),
        );
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["vulnerabilityAssessments/Default.recurringScans.isEnabled"],
            json!(true)
        );
    }
    #[test]
    fn sql_vulnerability_assessment_enabled_fail() {
        let mut body = handmade(VA);
        body["properties"]["recurringScans"]["isEnabled"] = json!(false);
        let v = eval_resource(
            "sql_vulnerability_assessment_enabled",
            &server_with("vulnerabilityAssessments/Default", body),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "recurring vulnerability scans are disabled")
        );
        let v = eval_resource(
            "sql_vulnerability_assessment_enabled",
            &server_with("vulnerabilityAssessments/Default", Value::Null),
        );
        assert_eq!(v.status, S::Fail);
    }
    #[test]
    fn sql_vulnerability_assessment_enabled_missing() {
        let v = eval_resource(
            "sql_vulnerability_assessment_enabled",
            &fixture_resource(GET, 0),
        );
        assert_eq!(v.status, S::Error);
        let v = eval_resource(
            "sql_vulnerability_assessment_enabled",
            &server_with(
                "vulnerabilityAssessments/Default",
                json!({"properties": {}}),
            ),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("isEnabled"));
    }

    fn auditing(state: &str, days: u64, storage: &str) -> Resource {
        let mut body = fixture(AUDITING);
        body["properties"]["state"] = json!(state);
        body["properties"]["retentionDays"] = json!(days);
        body["properties"]["storageEndpoint"] = json!(storage);
        server_with("auditingSettings/default", body)
    }
    const BLOB: &str = "https://audits.blob.core.windows.net/";

    #[test]
    fn sql_auditing_retention_pass() {
        let settings = Settings::default();
        let v = eval_ctx(
            "sql_auditing_retention",
            &auditing("Enabled", 90, BLOB),
            &settings,
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Pass,
                "audit logs in storage are kept 90 days (minimum 90)"
            )
        );
        let v = eval_ctx(
            "sql_auditing_retention",
            &auditing("Enabled", 0, BLOB),
            &settings,
        );
        assert_eq!(v.status, S::Pass);
        assert!(v.reason.contains("for ever"));
        // Only to Azure Monitor: retention lives on the workspace, not here.
        let v = eval_ctx(
            "sql_auditing_retention",
            &auditing("Enabled", 0, ""),
            &settings,
        );
        assert_eq!(v.status, S::NotApplicable);
    }
    #[test]
    fn sql_auditing_retention_fail() {
        let settings = Settings {
            min_log_retention_days: 365,
            ..Settings::default()
        };
        let v = eval_ctx(
            "sql_auditing_retention",
            &auditing("Enabled", 90, BLOB),
            &settings,
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Fail,
                "audit logs in storage are kept only 90 days (minimum 365)"
            )
        );
        assert_eq!(v.observed["min_log_retention_days"], json!(365));
        // Microsoft's example: auditing disabled.
        let v = eval_ctx(
            "sql_auditing_retention",
            &server_with("auditingSettings/default", fixture(AUDITING)),
            &settings,
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("disabled"));
    }
    #[test]
    fn sql_auditing_retention_missing() {
        let settings = Settings::default();
        let v = eval_ctx(
            "sql_auditing_retention",
            &fixture_resource(GET, 0),
            &settings,
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("auditingSettings/default"));
        let mut r = auditing("Enabled", 90, BLOB);
        r.children.get_mut("auditingSettings/default").unwrap()["properties"]
            .as_object_mut()
            .unwrap()
            .remove("retentionDays");
        let v = eval_ctx("sql_auditing_retention", &r, &settings);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("retentionDays"));
    }

    #[test]
    fn sql_tde_customer_managed_key_pass() {
        let v = eval_resource(
            "sql_tde_customer_managed_key",
            &server_with("encryptionProtector/current", handmade(PROTECTOR)),
        );
        assert_eq!(v.status, S::Pass);
        assert!(
            v.observed["encryptionProtector/current.uri"]
                .as_str()
                .unwrap()
                .starts_with("https://someVault")
        );
    }
    #[test]
    fn sql_tde_customer_managed_key_fail() {
        let mut body = handmade(PROTECTOR);
        body["properties"]["serverKeyType"] = json!("ServiceManaged");
        let v = eval_resource(
            "sql_tde_customer_managed_key",
            &server_with("encryptionProtector/current", body),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "the TDE protector is a service-managed key")
        );
    }
    #[test]
    fn sql_tde_customer_managed_key_missing() {
        let v = eval_resource("sql_tde_customer_managed_key", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Error);
        let v = eval_resource(
            "sql_tde_customer_managed_key",
            &server_with("encryptionProtector/current", Value::Null),
        );
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn sql_database_long_term_retention_pass() {
        let v = eval_resource(
            "sql_database_long_term_retention",
            &database_with("backupLongTermRetentionPolicies/default", handmade(LTR)),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Pass,
                "long-term retention keeps weeklyRetention P1M, monthlyRetention P1Y, \
                 yearlyRetention P5Y"
            )
        );
        assert_eq!(
            eval_resource("sql_database_long_term_retention", &master()).status,
            S::NotApplicable
        );
    }
    #[test]
    fn sql_database_long_term_retention_fail() {
        let mut body = handmade(LTR);
        for f in ["weeklyRetention", "monthlyRetention", "yearlyRetention"] {
            body["properties"][f] = json!("PT0S");
        }
        let v = eval_resource(
            "sql_database_long_term_retention",
            &database_with("backupLongTermRetentionPolicies/default", body),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["backupLongTermRetentionPolicies/default.yearlyRetention"],
            json!("PT0S")
        );
        let v = eval_resource(
            "sql_database_long_term_retention",
            &database_with("backupLongTermRetentionPolicies/default", Value::Null),
        );
        assert_eq!(v.status, S::Fail);
    }
    #[test]
    fn sql_database_long_term_retention_missing() {
        let v = eval_resource("sql_database_long_term_retention", &database());
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("backupLongTermRetentionPolicies/default"));
        // An absent period with the others PT0S is unknown, not "not kept".
        let mut body = handmade(LTR);
        body["properties"]["weeklyRetention"] = json!("PT0S");
        body["properties"]["monthlyRetention"] = json!("PT0S");
        body["properties"]
            .as_object_mut()
            .unwrap()
            .remove("yearlyRetention");
        let v = eval_resource(
            "sql_database_long_term_retention",
            &database_with("backupLongTermRetentionPolicies/default", body.clone()),
        );
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("yearlyRetention"), "{}", v.reason);
        // Another period that keeps backups decides, whatever the absent one is.
        body["properties"]["monthlyRetention"] = json!("P1Y");
        let v = eval_resource(
            "sql_database_long_term_retention",
            &database_with("backupLongTermRetentionPolicies/default", body),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }

    #[test]
    fn sql_database_zone_redundant_pass() {
        let mut r = database();
        set_prop(&mut r, "/zoneRedundant", json!(true));
        assert_eq!(
            eval_resource("sql_database_zone_redundant", &r).status,
            S::Pass
        );
    }
    #[test]
    fn sql_database_zone_redundant_fail() {
        // Microsoft's database example: zoneRedundant false.
        let v = eval_resource("sql_database_zone_redundant", &database());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "the database is not zone redundant")
        );
        assert_eq!(v.observed["properties.zoneRedundant"], json!(false));
    }
    #[test]
    fn sql_database_zone_redundant_missing() {
        let mut r = database();
        set_prop(&mut r, "/zoneRedundant", Value::Null);
        let v = eval_resource("sql_database_zone_redundant", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("zoneRedundant"));
    }

    #[test]
    fn sql_outbound_network_restricted_pass() {
        // Microsoft's server example restricts outbound access.
        let v = eval_resource("sql_outbound_network_restricted", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["properties.restrictOutboundNetworkAccess"],
            json!("Enabled")
        );
    }
    #[test]
    fn sql_outbound_network_restricted_fail() {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/restrictOutboundNetworkAccess", json!("Disabled"));
        let v = eval_resource("sql_outbound_network_restricted", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "outbound network access is not restricted")
        );
    }
    #[test]
    fn sql_outbound_network_restricted_missing() {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/restrictOutboundNetworkAccess", Value::Null);
        assert_eq!(
            eval_resource("sql_outbound_network_restricted", &r).status,
            S::Error
        );
    }
}
