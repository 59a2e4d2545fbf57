//! Network checks: network security group exposure (one shared rule evaluator with real
//! priority and Deny shadowing), flow logs and their retention, Network Watcher coverage,
//! virtual network DDoS protection and subnet NSG association, public IP SKU, Application
//! Gateway WAF and TLS policy, and Azure Bastion presence.
//!
//! Every NSG exposure check shares [`exposure_verdict`], parametrised by an [`Exposure`] (the
//! protocol/port spans a check cares about), so SSH, RDP, databases, file sharing and "all
//! ports" can never drift apart in how they read a rule, a source, a port range or a Deny. The
//! rules become address and port sets through [`super::netset`], which also evaluates them in
//! priority order; this module decides which Denies may be credited against which Allow
//! (protocol, destination, source ports) and what "exposed" means for each check.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::netset::{self, AddrSet, IntervalSet, ParseError, PortSet, Source};
use super::props;
use super::{Check, CheckMeta, Ctx, Eval, Severity, Verdict, require_bool};
use crate::model::{Resource, Subscription};

const NSG: &str = "microsoft.network/networksecuritygroups";
const FLOW_LOG: &str = "microsoft.network/networkwatchers/flowlogs";
const WATCHER: &str = "microsoft.network/networkwatchers";
const VNET: &str = "microsoft.network/virtualnetworks";
const PUBLIC_IP: &str = "microsoft.network/publicipaddresses";
const APP_GATEWAY: &str = "microsoft.network/applicationgateways";
/// Not yet in the collector's Resource Graph type list (see the module report); looked up when
/// present so WAF policies are judged on their own settings once collected.
const WAF_POLICY: &str = "microsoft.network/applicationgatewaywebapplicationfirewallpolicies";
const BASTION: &str = "microsoft.network/bastionhosts";
const VM: &str = "microsoft.compute/virtualmachines";
const VMSS: &str = "microsoft.compute/virtualmachinescalesets";
const RG: &str = "resource_graph.resources";

/// Microsoft's "Management ports should be closed on your virtual machines" (Defender for Cloud
/// assessment over NSG rules admitting SSH, RDP and WinRM from any source).
const POLICY_MGMT_PORTS: &str = "22730e10-96f6-4aac-ad84-9383d35b5917";

/// Shared wording of every NSG exposure check's description: how rules are read.
macro_rules! nsg_semantics {
    () => {
        " Reads properties.securityRules and, when collected, properties.defaultSecurityRules \
         (AllowVnetInBound, AllowAzureLoadBalancerInBound and DenyAllInBound at 65500 never admit \
         the internet). Sources, destinations and ports are sets: address prefixes (CIDR, single \
         addresses, IPv4 and IPv6), port specs (*, n, a-b, lists, over the singular and plural \
         fields) and tags (* and Any are every address; Internet is the public internet; \
         VirtualNetwork and application security groups are the entity's private networks; \
         AzureLoadBalancer is 168.63.129.16; any other service tag, such as AzureCloud or \
         Storage, may be internet-wide for an Allow and covers nothing for a Deny; see \
         docs/NETWORK.md). Rules are evaluated as Azure does, by priority, as set subtraction: \
         on each protocol (* counts as Tcp and Udp; ICMP, ESP and AH carry no ports) and port, \
         what the inbound Allow rules admit minus what inbound Deny rules with a lower priority \
         number remove, a Deny counting only when its destination covers the Allow's and its \
         source ports are every port. The ports are exposed when what remains covers every public \
         IPv4 address or every public IPv6 address, however many rules and prefixes it is \
         written as. The rules that make up the exposure are recorded under offending_rules, the \
         exposed protocol/family/ports under exposed, and Allows that Denies cut under \
         shadowed_rules with those Denies. Absent securityRules, or an Allow rule whose access, \
         direction, protocol, source, destination or ports cannot be read, is an error naming \
         the rule and value unless another rule already fails; an unreadable Deny is never \
         credited and is listed under uncredited_deny_rules. Since catalogue 2026.12.0: sources \
         and ports are judged as sets by coverage (several prefixes or rules that together cover \
         the internet expose the port, Denies whose sources together cover it shadow), unknown \
         service tags fail closed, Denies with narrowed source ports are not credited, default \
         rules are read, and unreadable values are errors instead of being skipped. A rule \
         without a priority (user rules take 100 to 4096) is placed both ways: when the \
         exposure appears only with it in the worse place, the finding is an error naming the \
         rule, not a fail (docs/ABSENT_FIELDS.md)."
    };
}

/// Shared remediation of the NSG exposure checks, after the check-specific first sentence.
macro_rules! nsg_remediation {
    () => {
        " Portal: Network security group > Inbound security rules > edit the rule to restrict its \
         source to known address ranges, or delete it (use Azure Bastion, just-in-time VM access \
         or a private endpoint instead of an internet-facing port). CLI: az network nsg rule \
         update -g <rg> --nsg-name <nsg> -n <rule> --source-address-prefixes <cidr> (or az \
         network nsg rule delete -g <rg> --nsg-name <nsg> -n <rule>)"
    };
}

/// One NSG exposure check: metadata from literals, evaluation through [`exposure_verdict`].
macro_rules! nsg_check {
    (
        id: $id:literal,
        title: $title:literal,
        severity: $sev:expr,
        criteria: $crit:expr,
        cis: $cis:expr,
        policies: $pol:expr,
        what: $what:literal,
        rationale: $why:literal,
        exposure: $exp:expr $(,)?
    ) => {
        Check {
            meta: CheckMeta {
                id: $id,
                title: $title,
                service: "network",
                severity: $sev,
                criteria: $crit,
                cis: $cis,
                policies: $pol,
                description: concat!(
                    "Fails when an effective inbound Allow rule admits ",
                    $what,
                    " from the internet.",
                    nsg_semantics!()
                ),
                rationale: $why,
                remediation: concat!("Close ", $what, " to the internet.", nsg_remediation!()),
                sources: &[RG],
            },
            eval: Eval::Resource(NSG, |r| exposure_verdict(r, $exp)),
        }
    };
}

pub(super) const CHECKS: &[Check] = &[
    nsg_check! {
        id: "network_nsg_ssh_restricted",
        title: "Network security groups do not allow SSH from the internet",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.6", "CC6.7"],
        cis: &["2.1.0:6.2", "3.0.0:7.2", "4.0.0:8.2", "5.0.0:7.2", "6.0.0:7.2"],
        policies: &[POLICY_MGMT_PORTS],
        what: "SSH (TCP 22)",
        rationale: "SSH open to the internet invites credential brute force and exploitation of \
                    the daemon; CC6.6 requires logical access measures against threats from \
                    outside the system boundary, CC6.1 restricts access to infrastructure, and \
                    Microsoft maps its management-ports policy to CC6.7 as well.",
        exposure: SSH,
    },
    nsg_check! {
        id: "network_nsg_rdp_restricted",
        title: "Network security groups do not allow RDP from the internet",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.6", "CC6.7"],
        cis: &["2.1.0:6.1", "3.0.0:7.1", "4.0.0:8.1", "5.0.0:7.1", "6.0.0:7.1"],
        policies: &[POLICY_MGMT_PORTS],
        what: "RDP (TCP 3389)",
        rationale: "RDP exposed to the internet is a leading ransomware entry point; CC6.6 \
                    requires protection against threats from outside the system boundary, CC6.1 \
                    restricts access to infrastructure, and Microsoft maps its management-ports \
                    policy to CC6.7 as well.",
        exposure: RDP,
    },
    nsg_check! {
        id: "network_nsg_all_ports_restricted",
        title: "Network security groups do not open every port to the internet",
        severity: Severity::Critical,
        criteria: &["CC6.1", "CC6.6"],
        cis: &[],
        policies: &[],
        what: "every port (the Allow rules together open Tcp or Udp ports 1-65535 to the whole \
               internet, however many rules and ranges that takes, and higher-priority Denies \
               do not close all of it; ICMP, ESP and AH carry no ports and are not counted)",
        rationale: "An any-port inbound rule from the internet removes the network boundary \
                    altogether for everything behind the group; CC6.6 requires measures against \
                    threats from outside the system boundary.",
        exposure: ALL_PORTS,
    },
    nsg_check! {
        id: "network_nsg_sql_server_restricted",
        title: "Network security groups do not allow SQL Server ports from the internet",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.6"],
        cis: &[],
        policies: &[],
        what: "SQL Server (TCP 1433, UDP 1434 browser service)",
        rationale: "A database engine reachable from the internet is exposed to password spraying \
                    and protocol exploits; data stores belong behind private networking (CC6.1 \
                    access to data, CC6.6 threats from outside the boundary).",
        exposure: SQL_SERVER,
    },
    nsg_check! {
        id: "network_nsg_mysql_restricted",
        title: "Network security groups do not allow MySQL from the internet",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.6"],
        cis: &[],
        policies: &[],
        what: "MySQL (TCP 3306)",
        rationale: "A MySQL listener reachable from the internet is a direct path to data for \
                    credential attacks and exploits (CC6.1, CC6.6).",
        exposure: MYSQL,
    },
    nsg_check! {
        id: "network_nsg_postgresql_restricted",
        title: "Network security groups do not allow PostgreSQL from the internet",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.6"],
        cis: &[],
        policies: &[],
        what: "PostgreSQL (TCP 5432)",
        rationale: "A PostgreSQL listener reachable from the internet is a direct path to data for \
                    credential attacks and exploits (CC6.1, CC6.6).",
        exposure: POSTGRESQL,
    },
    nsg_check! {
        id: "network_nsg_redis_restricted",
        title: "Network security groups do not allow Redis from the internet",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.6"],
        cis: &[],
        policies: &[],
        what: "Redis (TCP 6379)",
        rationale: "Self-hosted Redis often runs without authentication and allows command \
                    execution; exposed instances are mass-exploited (CC6.1, CC6.6).",
        exposure: REDIS,
    },
    nsg_check! {
        id: "network_nsg_mongodb_restricted",
        title: "Network security groups do not allow MongoDB from the internet",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.6"],
        cis: &[],
        policies: &[],
        what: "MongoDB (TCP 27017-27019)",
        rationale: "Internet-reachable MongoDB instances are routinely found, dumped and ransomed \
                    (CC6.1 access to data, CC6.6 threats from outside the boundary).",
        exposure: MONGODB,
    },
    nsg_check! {
        id: "network_nsg_smb_restricted",
        title: "Network security groups do not allow SMB from the internet",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.6"],
        cis: &[],
        policies: &[],
        what: "SMB (TCP 445)",
        rationale: "SMB exposed to the internet has carried worms such as WannaCry and leaks \
                    credentials; file sharing belongs on private networks (CC6.1, CC6.6).",
        exposure: SMB,
    },
    nsg_check! {
        id: "network_nsg_ftp_restricted",
        title: "Network security groups do not allow FTP from the internet",
        severity: Severity::Medium,
        criteria: &["CC6.1", "CC6.6", "CC6.7"],
        cis: &[],
        policies: &[],
        what: "FTP (TCP 20-21)",
        rationale: "FTP sends credentials and data in clear text; exposing it to the internet \
                    defeats protection of data in transit (CC6.7) and invites brute force \
                    (CC6.6).",
        exposure: FTP,
    },
    nsg_check! {
        id: "network_nsg_telnet_restricted",
        title: "Network security groups do not allow Telnet from the internet",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.6", "CC6.7"],
        cis: &[],
        policies: &[],
        what: "Telnet (TCP 23)",
        rationale: "Telnet is an unencrypted remote shell: credentials cross the internet in clear \
                    text (CC6.7) and the service is a common brute-force target (CC6.6).",
        exposure: TELNET,
    },
    nsg_check! {
        id: "network_nsg_winrm_restricted",
        title: "Network security groups do not allow WinRM from the internet",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.6", "CC6.7"],
        cis: &[],
        policies: &[POLICY_MGMT_PORTS],
        what: "WinRM (TCP 5985-5986)",
        rationale: "WinRM is remote administration of Windows; exposing it to the internet invites \
                    credential attacks on administrative accounts (CC6.1, CC6.6), and Microsoft \
                    maps its management-ports policy to CC6.7 as well.",
        exposure: WINRM,
    },
    nsg_check! {
        id: "network_nsg_netbios_restricted",
        title: "Network security groups do not allow NetBIOS from the internet",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.6"],
        cis: &[],
        policies: &[],
        what: "NetBIOS (TCP and UDP 137-139)",
        rationale: "NetBIOS name and session services disclose host and user information and are \
                    never meant for the internet (CC6.1, CC6.6).",
        exposure: NETBIOS,
    },
    nsg_check! {
        id: "network_nsg_dns_restricted",
        title: "Network security groups do not allow DNS from the internet",
        severity: Severity::Medium,
        criteria: &["CC6.1", "CC6.6"],
        cis: &[],
        policies: &[],
        what: "DNS (TCP and UDP 53)",
        rationale: "A resolver reachable from the internet is abused for amplification attacks and \
                    cache poisoning; public DNS belongs with Azure DNS, not a VM (CC6.6).",
        exposure: DNS,
    },
    nsg_check! {
        id: "network_nsg_udp_restricted",
        title: "Network security groups do not allow UDP from the internet",
        severity: Severity::Medium,
        criteria: &["CC6.1", "CC6.6"],
        cis: &["2.1.0:6.3", "3.0.0:7.3", "4.0.0:8.3", "5.0.0:7.3", "6.0.0:7.3"],
        policies: &[],
        what: "UDP on any port",
        rationale: "Internet-facing UDP services are reflection and amplification vectors and \
                    rarely intended; CIS asks for every such rule to be evaluated and restricted \
                    (CC6.6).",
        exposure: UDP_ANY,
    },
    Check {
        meta: CheckMeta {
            id: "network_nsg_flow_logs_enabled",
            title: "Network security group traffic is recorded by an enabled flow log",
            service: "network",
            severity: Severity::Medium,
            criteria: &["CC7.2", "CC7.3"],
            cis: &[],
            policies: &[],
            description: "For each NSG, looks for microsoft.network/networkwatchers/flowlogs \
                          resources whose properties.targetResourceId equals (case-insensitively) \
                          the NSG's id, or, since virtual network flow logs replace NSG flow logs \
                          (no new NSG flow logs after 30 June 2025), the id of a virtual network or \
                          subnet the NSG is attached to (properties.subnets[].id and its parent \
                          virtual network) or of an attached network interface \
                          (properties.networkInterfaces[].id). Passes when such a flow log has \
                          properties.enabled true; fails when none exists or all are disabled; a \
                          matching flow log without properties.enabled is an error. Since catalogue 2026.12.0: a flow log without properties.targetResourceId may record any group, so when no enabled flow log is found the finding is an error instead of a fail.",
            rationale: "Flow logs are the record of which addresses reached which ports; without \
                        them an intrusion through the network boundary cannot be detected or \
                        investigated (CC7.2 monitoring, CC7.3 evaluation of security events).",
            remediation: "Portal: Network Watcher > Flow logs > Create; select the virtual network \
                          (or NSG) and a storage account. CLI: az network watcher flow-log create \
                          -l <region> -n <name> -g <rg> --vnet <vnet-id> --storage-account \
                          <storage-id>",
            sources: &[RG],
        },
        eval: Eval::ResourceCtx(NSG, nsg_flow_logs_enabled),
    },
    Check {
        meta: CheckMeta {
            id: "network_flow_log_retention_sufficient",
            title: "Flow logs keep records for at least the minimum log retention",
            service: "network",
            severity: Severity::Low,
            criteria: &["CC7.2", "CC7.3"],
            cis: &[
                "2.1.0:6.5",
                "3.0.0:7.5",
                "4.0.0:8.5",
                "4.0.0:8.8",
                "5.0.0:7.5",
                "5.0.0:7.8",
                "6.0.0:7.5",
                "6.0.0:7.8",
            ],
            policies: &[],
            description: "For each enabled flow log (NSG or virtual network), reads \
                          properties.retentionPolicy. Passes when retentionPolicy.enabled is false \
                          or days is 0 (Microsoft documents both as keeping records in the storage \
                          account indefinitely), or when days is at least the configured \
                          min_log_retention_days (default 90, the CIS value); fails when fewer \
                          days. Disabled flow logs are not applicable; an absent retentionPolicy or \
                          properties.enabled is an error.",
            rationale: "Intrusions are often found weeks after the fact; flow records deleted \
                        before then leave the investigation (CC7.3) and the monitoring evidence \
                        (CC7.2) incomplete.",
            remediation: "Portal: Network Watcher > Flow logs > select the flow log > Retention \
                          days = 90 or more (0 keeps records indefinitely). CLI: az network \
                          watcher flow-log update -l <region> -n <name> --retention 90",
            sources: &[RG],
        },
        eval: Eval::ResourceCtx(FLOW_LOG, flow_log_retention),
    },
    Check {
        meta: CheckMeta {
            id: "network_flow_log_traffic_analytics_enabled",
            title: "Flow logs are sent to Log Analytics with traffic analytics",
            service: "network",
            severity: Severity::Low,
            criteria: &["CC7.2"],
            cis: &[
                "2.1.0:5.1.5",
                "3.0.0:6.1.5",
                "4.0.0:7.1.1.5",
                "4.0.0:7.1.1.7",
                "5.0.0:6.1.1.5",
                "5.0.0:6.1.1.7",
                "6.0.0:6.1.1.5",
                "6.0.0:6.1.1.6",
            ],
            policies: &[],
            description: "For each enabled flow log, passes when properties.flowAnalyticsConfiguration\
                          .networkWatcherFlowAnalyticsConfiguration.enabled is true and a \
                          workspace is named (workspaceResourceId or workspaceId, not empty and \
                          not the placeholder \"-\"); fails otherwise. Disabled flow logs are not \
                          applicable; an absent analytics configuration is an error.",
            rationale: "Flow records in a storage account are evidence, but nobody watches them; \
                        sending them to Log Analytics makes network anomalies queryable and \
                        alertable (CC7.2).",
            remediation: "Portal: Network Watcher > Flow logs > select the flow log > Enable \
                          traffic analytics and choose a Log Analytics workspace. CLI: az network \
                          watcher flow-log update -l <region> -n <name> --traffic-analytics true \
                          --workspace <workspace-id>",
            sources: &[RG],
        },
        eval: Eval::Resource(FLOW_LOG, flow_log_traffic_analytics),
    },
    Check {
        meta: CheckMeta {
            id: "network_watcher_enabled_all_regions",
            title: "Network Watcher is enabled in every region the subscription uses for networking",
            service: "network",
            severity: Severity::Low,
            criteria: &["CC7.2", "CC7.4", "CC7.5"],
            cis: &[
                "2.1.0:6.6",
                "3.0.0:7.6",
                "4.0.0:8.6",
                "5.0.0:7.6",
                "6.0.0:7.6",
            ],
            policies: &["b6e2945c-0b7b-40f5-9233-7a5323b5cdc6"],
            description: "Per subscription, collects the regions (location, lower-cased without \
                          spaces; global excluded) of its virtual networks, NSGs, public IPs, \
                          application gateways, Bastion hosts, virtual machines and scale sets, and \
                          passes when each has a microsoft.network/networkwatchers resource in the \
                          same subscription and region. Fails naming the regions without one; not \
                          applicable when the subscription has no such resources.",
            rationale: "Network Watcher provides flow logs, connection troubleshooting and packet \
                        capture; without it in a region, network incidents there cannot be \
                        monitored (CC7.2) or diagnosed and recovered from (CC7.4, CC7.5).",
            remediation: "Portal: Network Watcher > Overview > enable Network Watcher for the \
                          region. CLI: az network watcher configure -g NetworkWatcherRG -l \
                          <region> --enabled true",
            sources: &[RG],
        },
        eval: Eval::SubscriptionCtx(network_watcher_all_regions),
    },
    Check {
        meta: CheckMeta {
            id: "network_vnet_subnets_have_nsg",
            title: "Virtual network subnets are associated with a network security group",
            service: "network",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6", "CC6.7"],
            cis: &["5.0.0:7.11", "6.0.0:7.11"],
            policies: &["e71308d3-144b-4262-b144-efdc3cc90517"],
            description: "Reads properties.subnets of each virtual network. Fails naming every \
                          subnet without properties.networkSecurityGroup.id, except the \
                          platform subnets on which Azure does not support an NSG (GatewaySubnet, \
                          AzureFirewallSubnet, AzureFirewallManagementSubnet, RouteServerSubnet). \
                          A virtual network without subnets passes; absent properties.subnets is \
                          an error.",
            rationale: "A subnet without an NSG filters nothing: every workload in it relies on \
                        its own host firewall alone (CC6.1 access to infrastructure, CC6.6 \
                        boundary protection, CC6.7 restricting movement of information).",
            remediation: "Portal: Virtual network > Subnets > select the subnet > Network security \
                          group > choose one > Save. CLI: az network vnet subnet update -g <rg> \
                          --vnet-name <vnet> -n <subnet> --network-security-group <nsg>",
            sources: &[RG],
        },
        eval: Eval::Resource(VNET, subnets_have_nsg),
    },
    Check {
        meta: CheckMeta {
            id: "network_vnet_ddos_protection_enabled",
            title: "Virtual networks have Azure DDoS Network Protection enabled",
            service: "network",
            severity: Severity::Low,
            criteria: &["CC6.6"],
            cis: &["5.0.0:8.5", "6.0.0:8.5"],
            policies: &[],
            description: "Passes when properties.enableDdosProtection is true and \
                          properties.ddosProtectionPlan.id names a plan. Azure documents \
                          enableDdosProtection as defaulting to false, so an absent value fails \
                          and is recorded as null. Since catalogue 2026.12.0: absent properties.enableDdosProtection is its documented default (false) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Only the basic infrastructure protection applies without a DDoS \
                        protection plan; volumetric attacks on public endpoints in the network \
                        are not mitigated with adaptive tuning or alerting (CC6.6 protection \
                        against threats from outside the boundary).",
            remediation: "Portal: Virtual network > DDoS protection > Enable and select a DDoS \
                          protection plan. CLI: az network vnet update -g <rg> -n <vnet> \
                          --ddos-protection true --ddos-protection-plan <plan-id>",
            sources: &[RG],
        },
        eval: Eval::Resource(VNET, vnet_ddos_protection),
    },
    Check {
        meta: CheckMeta {
            id: "network_public_ip_standard_sku",
            title: "Public IP addresses use the Standard SKU, not the retired Basic SKU",
            service: "network",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: "Reads the top-level sku.name of each public IP address. Fails when it is \
                          Basic; passes for Standard (or any other SKU). Absent sku is an error.",
            rationale: "Basic public IPs are open to inbound traffic unless an NSG says otherwise \
                        and were retired on 30 September 2025; Standard IPs are closed by default \
                        (CC6.6 boundary protection, CC6.1 secure-by-default infrastructure).",
            remediation: "Portal: Public IP address > Configuration > Upgrade to Standard SKU \
                          (disassociate it first). CLI: az network public-ip update -g <rg> -n \
                          <ip> --sku Standard",
            sources: &[RG],
        },
        eval: Eval::Resource(PUBLIC_IP, public_ip_standard_sku),
    },
    Check {
        meta: CheckMeta {
            id: "network_appgw_waf_enabled",
            title: "Application gateways have a web application firewall enabled",
            service: "network",
            severity: Severity::Medium,
            criteria: &["CC6.6", "CC7.2"],
            cis: &["5.0.0:7.10", "6.0.0:7.10"],
            policies: &["564feb30-bf6a-4854-b4bb-0d2d2d1e6c66"],
            description: "Passes when properties.webApplicationFirewallConfiguration.enabled is \
                          true, or when properties.firewallPolicy.id names a WAF policy whose \
                          properties.policySettings.state is Enabled (the policy is looked up \
                          among collected microsoft.network/\
                          applicationgatewaywebapplicationfirewallpolicies resources; a policy \
                          that was not collected is an error, never a pass). Fails when neither \
                          is configured, the inline WAF is disabled, or the policy is disabled.",
            rationale: "A WAF blocks and records injection, cross-site scripting and other OWASP \
                        attacks before they reach the application (CC6.6 protection at the \
                        boundary, CC7.2 detection of attacks).",
            remediation: "Portal: Application gateway > Web application firewall > upgrade to \
                          the WAF_v2 tier and associate a WAF policy. CLI: az network \
                          application-gateway update -g <rg> -n <gw> --sku WAF_v2 --set \
                          firewallPolicy.id=<waf-policy-id>",
            sources: &[RG],
        },
        eval: Eval::ResourceCtx(APP_GATEWAY, appgw_waf_enabled),
    },
    Check {
        meta: CheckMeta {
            id: "network_appgw_waf_prevention_mode",
            title: "Application gateway web application firewalls run in Prevention mode",
            service: "network",
            severity: Severity::Medium,
            criteria: &["CC6.6"],
            cis: &[],
            policies: &[],
            description: "Reads the mode of the gateway's WAF: the associated WAF policy's \
                          properties.policySettings.mode when properties.firewallPolicy.id is set \
                          (a policy that was not collected is an error), else \
                          properties.webApplicationFirewallConfiguration.firewallMode. Passes for \
                          Prevention, fails for Detection; a gateway without any WAF fails \
                          (see network_appgw_waf_enabled).",
            rationale: "Detection mode only logs attacks; the requests still reach the \
                        application. Prevention mode blocks them at the boundary (CC6.6).",
            remediation: "Portal: WAF policy > Overview > Switch to prevention mode. CLI: az \
                          network application-gateway waf-policy update -g <rg> -n <policy> \
                          --policy-settings mode=Prevention state=Enabled",
            sources: &[RG],
        },
        eval: Eval::ResourceCtx(APP_GATEWAY, appgw_waf_prevention),
    },
    Check {
        meta: CheckMeta {
            id: "network_appgw_min_tls_1_2",
            title: "Application gateway TLS policies require TLS 1.2 or later",
            service: "network",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.7"],
            cis: &["5.0.0:7.12", "6.0.0:7.12"],
            policies: &[],
            description: "Reads properties.sslPolicy and the sslPolicy of every entry in \
                          properties.sslProfiles. A Custom or CustomV2 policy passes with \
                          minProtocolVersion TLSv1_2 or TLSv1_3; a Predefined policy passes when \
                          policyName is AppGwSslPolicy20170401S, AppGwSslPolicy20220101 or \
                          AppGwSslPolicy20220101S (the predefined policies with TLS 1.2 minimum). \
                          Fails naming each policy that allows older protocols. An absent \
                          gateway-level sslPolicy is an error: the policy Azure then applies \
                          depends on the API version the gateway was created with.",
            rationale: "TLS 1.0 and 1.1 have known weaknesses; the gateway terminates client \
                        connections, so its policy decides how data is protected in transit \
                        (CC6.7).",
            remediation: "Portal: Application gateway > Listeners > SSL settings > select \
                          AppGwSslPolicy20220101S or a custom policy with minimum TLS 1.2, and the \
                          same for every SSL profile. CLI: az network application-gateway \
                          ssl-policy set -g <rg> --gateway-name <gw> --policy-type Predefined \
                          --name AppGwSslPolicy20220101S",
            sources: &[RG],
        },
        eval: Eval::Resource(APP_GATEWAY, appgw_min_tls),
    },
    Check {
        meta: CheckMeta {
            id: "network_bastion_host_present",
            title: "Subscriptions with virtual machines have an Azure Bastion host",
            service: "network",
            severity: Severity::Low,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[
                "2.1.0:7.1",
                "3.0.0:8.1",
                "4.0.0:9.4.1",
                "5.0.0:8.4.1",
                "6.0.0:8.4.1",
            ],
            policies: &[],
            description: "Per subscription that contains virtual machines or scale sets, passes \
                          when the subscription also contains a microsoft.network/bastionhosts \
                          resource; fails otherwise. Not applicable without virtual machines. A \
                          Bastion host in a peered hub subscription serves other subscriptions \
                          too: such a design shows as a fail here and is handled with a waiver.",
            rationale: "Bastion gives browser- and Entra-authenticated RDP/SSH without public IPs \
                        or open management ports on the machines (CC6.1 secure access paths, CC6.6 \
                        boundary protection).",
            remediation: "Portal: Bastions > Create, in the virtual network of the machines (an \
                          AzureBastionSubnet is required). CLI: az network bastion create -g <rg> \
                          -n <bastion> --vnet-name <vnet> --public-ip-address <ip> -l <region>",
            sources: &[RG],
        },
        eval: Eval::SubscriptionCtx(bastion_present),
    },
];

// ---------------------------------------------------------------------------------------------
// NSG exposure: one evaluator for every port check.
// ---------------------------------------------------------------------------------------------

/// A transport protocol that carries ports. ICMP, ESP and AH carry none and never match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    const BOTH: [Proto; 2] = [Proto::Tcp, Proto::Udp];
}

/// Inclusive port span on one protocol.
#[derive(Debug, Clone, Copy)]
struct Span {
    proto: Proto,
    lo: u16,
    hi: u16,
}

const fn tcp(lo: u16, hi: u16) -> Span {
    Span {
        proto: Proto::Tcp,
        lo,
        hi,
    }
}

const fn udp(lo: u16, hi: u16) -> Span {
    Span {
        proto: Proto::Udp,
        lo,
        hi,
    }
}

/// Which destination ports a check looks for.
#[derive(Debug, Clone, Copy)]
enum Ports {
    /// Any overlap with one of these spans is exposure.
    Spans(&'static [Span]),
    /// A single rule range covering the whole port space (Tcp or Udp).
    All,
}

/// What one check treats as exposure, and the words used in reasons.
#[derive(Debug, Clone, Copy)]
struct Exposure {
    ports: Ports,
    label: &'static str,
}

const SSH: Exposure = Exposure {
    ports: Ports::Spans(&[tcp(22, 22)]),
    label: "SSH (TCP 22)",
};
const RDP: Exposure = Exposure {
    ports: Ports::Spans(&[tcp(3389, 3389)]),
    label: "RDP (TCP 3389)",
};
const ALL_PORTS: Exposure = Exposure {
    ports: Ports::All,
    label: "all ports",
};
const SQL_SERVER: Exposure = Exposure {
    ports: Ports::Spans(&[tcp(1433, 1433), udp(1434, 1434)]),
    label: "SQL Server (TCP 1433, UDP 1434)",
};
const MYSQL: Exposure = Exposure {
    ports: Ports::Spans(&[tcp(3306, 3306)]),
    label: "MySQL (TCP 3306)",
};
const POSTGRESQL: Exposure = Exposure {
    ports: Ports::Spans(&[tcp(5432, 5432)]),
    label: "PostgreSQL (TCP 5432)",
};
const REDIS: Exposure = Exposure {
    ports: Ports::Spans(&[tcp(6379, 6379)]),
    label: "Redis (TCP 6379)",
};
const MONGODB: Exposure = Exposure {
    ports: Ports::Spans(&[tcp(27017, 27019)]),
    label: "MongoDB (TCP 27017-27019)",
};
const SMB: Exposure = Exposure {
    ports: Ports::Spans(&[tcp(445, 445)]),
    label: "SMB (TCP 445)",
};
const FTP: Exposure = Exposure {
    ports: Ports::Spans(&[tcp(20, 21)]),
    label: "FTP (TCP 20-21)",
};
const TELNET: Exposure = Exposure {
    ports: Ports::Spans(&[tcp(23, 23)]),
    label: "Telnet (TCP 23)",
};
const WINRM: Exposure = Exposure {
    ports: Ports::Spans(&[tcp(5985, 5986)]),
    label: "WinRM (TCP 5985-5986)",
};
const NETBIOS: Exposure = Exposure {
    ports: Ports::Spans(&[tcp(137, 139), udp(137, 139)]),
    label: "NetBIOS (TCP/UDP 137-139)",
};
const DNS: Exposure = Exposure {
    ports: Ports::Spans(&[tcp(53, 53), udp(53, 53)]),
    label: "DNS (TCP/UDP 53)",
};
const UDP_ANY: Exposure = Exposure {
    ports: Ports::Spans(&[udp(0, u16::MAX)]),
    label: "UDP (any port)",
};

/// The protocols a rule's `protocol` value carries ports for; `Err` for a value Azure does not
/// define (never silently read as "no ports").
fn rule_protos(protocol: &str) -> Result<Vec<Proto>, String> {
    let is = |t: &str| protocol.eq_ignore_ascii_case(t);
    if protocol == "*" || is("Any") {
        Ok(Proto::BOTH.to_vec())
    } else if is("Tcp") {
        Ok(vec![Proto::Tcp])
    } else if is("Udp") {
        Ok(vec![Proto::Udp])
    } else if is("Icmp") || is("Esp") || is("Ah") {
        Ok(Vec::new())
    } else {
        Err(format!(
            "protocol {protocol:?} is not Tcp, Udp, Icmp, Esp, Ah or *"
        ))
    }
}

/// The rule's fields, whether ARM nested them under `properties` or a collector flattened them.
fn rule_props(rule: &Value) -> &Value {
    rule.get("properties").unwrap_or(rule)
}

fn rule_name(rule: &Value) -> String {
    rule.get("name")
        .or_else(|| rule.get("id"))
        .and_then(Value::as_str)
        .unwrap_or("(unnamed rule)")
        .to_string()
}

/// The first and last priority a user-defined security rule can have (Network REST spec:
/// "between 100 and 4096").
const MIN_USER_PRIORITY: i64 = 100;
const MAX_USER_PRIORITY: i64 = 4096;

/// Where rules without a priority are placed in one evaluation.
#[derive(Debug, Clone, Copy)]
struct Unplaced {
    /// The priority an Allow without one is given.
    allow: i64,
    /// The priority a Deny without one is credited at; `None`: not credited.
    deny: Option<i64>,
}

/// The ARM type of a security rule, the rows of its fields (`props::ROWS`).
const NSG_RULE: &str = "microsoft.network/networksecuritygroups/securityrules";

/// A field of a security rule's properties, read by its row.
fn rule_field<'a>(p: &'a Value, key: &str) -> Option<&'a Value> {
    props::object_value(NSG_RULE, p, &format!("/{key}"))
}

/// A singular string field and its plural array form, as ARM returns them side by side.
fn strings<'a>(p: &'a Value, single: &str, plural: &str) -> Vec<&'a str> {
    let one = rule_field(p, single).and_then(Value::as_str);
    let many = rule_field(p, plural)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    one.into_iter()
        .chain(many)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Ids of the application security groups in `key`, lower-cased for comparison.
fn asg_ids(p: &Value, key: &str) -> Vec<String> {
    rule_field(p, key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("id").and_then(Value::as_str))
        .map(str::to_ascii_lowercase)
        .collect()
}

/// A port field and its plural as one set; `None` when neither is present.
fn port_field(p: &Value, single: &str, plural: &str) -> Result<Option<PortSet>, String> {
    let specs = strings(p, single, plural);
    if specs.is_empty() {
        return Ok(None);
    }
    // The API takes lists as an array; the parser also accepts commas a collector joined.
    specs
        .iter()
        .try_fold(PortSet::empty(), |acc, s| {
            Ok(acc.union(&netset::parse_ports(s)?))
        })
        .map(Some)
        .map_err(|e: ParseError| format!("{single}: {e}"))
}

/// The destination ports of a rule; `Err` names what could not be read.
fn rule_ports(p: &Value) -> Result<PortSet, String> {
    port_field(p, "destinationPortRange", "destinationPortRanges")?
        .ok_or_else(|| "no destination port range".to_string())
}

/// A rule's destination: addresses, plus tags and application security groups kept as names
/// (the same name is the same set, whatever it contains).
#[derive(Debug)]
struct Dest {
    all: bool,
    addrs: AddrSet,
    names: BTreeSet<String>,
}

impl Dest {
    fn read(p: &Value) -> Result<Dest, String> {
        let tokens = strings(p, "destinationAddressPrefix", "destinationAddressPrefixes");
        let asgs = asg_ids(p, "destinationApplicationSecurityGroups");
        if tokens.is_empty() && asgs.is_empty() {
            return Err("no destination address prefix".into());
        }
        let mut d = Dest {
            all: false,
            addrs: AddrSet::empty(),
            names: asgs.into_iter().map(|id| format!("asg:{id}")).collect(),
        };
        for t in tokens {
            if t == "*" || t.eq_ignore_ascii_case("Any") {
                d.all = true;
            } else if let Ok(set) = netset::parse_address(t) {
                d.addrs = d.addrs.union(&set);
            } else if netset::is_tag(t) {
                d.names.insert(t.to_ascii_lowercase());
            } else {
                return Err(format!(
                    "destinationAddressPrefix: {}",
                    ParseError::Address(t.to_string())
                ));
            }
        }
        d.all |= d.addrs.is_all();
        Ok(d)
    }

    /// Whether a Deny on `self` certainly applies to every destination of an Allow on `a`.
    fn covers(&self, a: &Dest) -> bool {
        self.all || (!a.all && self.addrs.covers(&a.addrs) && a.names.is_subset(&self.names))
    }
}

/// One inbound rule that matters to an exposure, read in full.
#[derive(Debug)]
struct NsgRule {
    name: String,
    allow: bool,
    priority: Option<i64>,
    protos: Vec<Proto>,
    /// Sources: what an Allow may admit, what a Deny certainly covers.
    source: Source,
    /// Service-tag readings, for reasons.
    assumptions: Vec<String>,
    /// Whether the source ports cover every port (absent counts as no for a Deny).
    all_source_ports: bool,
    ports: PortSet,
    dest: Dest,
}

/// How one rule reads for one exposure.
enum Parsed {
    /// Outbound, or carries none of the exposure's protocols.
    Skip,
    Rule(Box<NsgRule>),
    /// A field could not be read: for an Allow an error, for a Deny never credited.
    Bad {
        allow: bool,
        why: String,
    },
}

/// The one rule reader: access, direction and protocol first (so a rule that cannot matter
/// to this exposure is skipped), then sources, ports and destination.
fn parse_rule(rule: &Value, e: Exposure) -> Parsed {
    let p = rule_props(rule);
    let field = |k: &str| {
        rule_field(p, k)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{k} is not present"))
    };
    let head = || -> Result<Option<(bool, Vec<Proto>)>, String> {
        let access = field("access")?;
        let allow = if access.eq_ignore_ascii_case("Allow") {
            true
        } else if access.eq_ignore_ascii_case("Deny") {
            false
        } else {
            return Err(format!("access {access:?} is not Allow or Deny"));
        };
        let direction = field("direction")?;
        if direction.eq_ignore_ascii_case("Outbound") {
            return Ok(None);
        }
        if !direction.eq_ignore_ascii_case("Inbound") {
            return Err(format!(
                "direction {direction:?} is not Inbound or Outbound"
            ));
        }
        let protos: Vec<Proto> = rule_protos(field("protocol")?)?
            .into_iter()
            .filter(|pr| e.carries(*pr))
            .collect();
        Ok((!protos.is_empty()).then_some((allow, protos)))
    };
    // Access is read first on its own so a bad Deny is told apart from a bad Allow.
    let looks_allow = rule_field(p, "access")
        .and_then(Value::as_str)
        .is_none_or(|a| !a.eq_ignore_ascii_case("Deny"));
    let (allow, protos) = match head() {
        Ok(Some(h)) => h,
        Ok(None) => return Parsed::Skip,
        Err(why) => {
            return Parsed::Bad {
                allow: looks_allow,
                why,
            };
        }
    };
    let body = || -> Result<NsgRule, String> {
        let tokens = strings(p, "sourceAddressPrefix", "sourceAddressPrefixes");
        let asgs = asg_ids(p, "sourceApplicationSecurityGroups");
        if tokens.is_empty() && asgs.is_empty() {
            return Err("no source address prefix".into());
        }
        let mut source = Source {
            may: AddrSet::empty(),
            must: AddrSet::empty(),
            assumption: None,
        };
        let mut assumptions = Vec::new();
        let parsed = tokens
            .iter()
            .map(|t| Source::parse(t).map_err(|e| format!("sourceAddressPrefix: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        // An application security group holds network interfaces of the entity's networks.
        let asg = (!asgs.is_empty()).then(Source::own_network);
        for s in parsed.into_iter().chain(asg) {
            source.may = source.may.union(&s.may);
            source.must = source.must.union(&s.must);
            assumptions.extend(s.assumption);
        }
        let source_ports = port_field(p, "sourcePortRange", "sourcePortRanges")?;
        Ok(NsgRule {
            name: rule_name(rule),
            allow,
            priority: rule_field(p, "priority").and_then(Value::as_i64),
            protos,
            source,
            assumptions,
            all_source_ports: source_ports.is_some_and(|s| s.is_full()),
            ports: rule_ports(p)?,
            dest: Dest::read(p)?,
        })
    };
    match body() {
        Ok(r) => Parsed::Rule(Box::new(r)),
        Err(why) => Parsed::Bad { allow, why },
    }
}

impl Exposure {
    fn carries(self, pr: Proto) -> bool {
        match self.ports {
            Ports::Spans(spans) => spans.iter().any(|s| s.proto == pr),
            Ports::All => true,
        }
    }

    /// The ports of this exposure on one protocol.
    fn ports_on(self, pr: Proto) -> PortSet {
        match self.ports {
            Ports::Spans(spans) => {
                PortSet::from_ranges(spans.iter().filter(|s| s.proto == pr).map(|s| (s.lo, s.hi)))
            }
            // Port 0 is reserved and never reachable, so 1-65535 is the whole usable space.
            Ports::All => PortSet::range(1, u16::MAX),
        }
    }

    /// Whether the ports reachable from the whole internet make this exposure: `covered` after
    /// the Denies, `raw` before them. "Every port" is judged on the Allows (they open every
    /// port) and fails while any of it stays open: a Deny on a few ports does not make an
    /// any-port opening acceptable.
    fn hit(self, pr: Proto, covered: &PortSet, raw: &PortSet) -> bool {
        let want = self.ports_on(pr);
        match self.ports {
            Ports::Spans(_) => covered.overlaps(&want),
            Ports::All => raw.covers(&want) && covered.overlaps(&want),
        }
    }
}

impl Proto {
    fn name(self) -> &'static str {
        match self {
            Proto::Tcp => "Tcp",
            Proto::Udp => "Udp",
        }
    }
}

/// What the evaluation of one protocol and family found.
#[derive(Default)]
struct Findings {
    /// Allow rules whose remaining sources reach the exposed ports, by rule index.
    offending: BTreeSet<usize>,
    /// Allow rules that would have exposed the ports, and the Denies that cut them.
    cut: BTreeMap<usize, BTreeSet<usize>>,
    /// `{protocol, family, ports}` reachable from the whole internet.
    exposed: Vec<Value>,
}

/// Evaluates the rules carrying `pr` in one address family: every Allow minus the
/// higher-priority Denies credited against it, then coverage of the public space.
fn evaluate_family<A: netset::Point>(
    rules: &[NsgRule],
    e: Exposure,
    pr: Proto,
    family: &'static str,
    pick: impl Fn(&AddrSet) -> &IntervalSet<A>,
    unplaced: Unplaced,
    out: &mut Findings,
) {
    let idx: Vec<usize> = (0..rules.len())
        .filter(|&i| rules[i].protos.contains(&pr))
        .filter(|&i| {
            let r = &rules[i];
            // A Deny is credited only with a known (or, for the best case, assumed) priority
            // and every source port.
            r.allow || (r.priority.or(unplaced.deny).is_some() && r.all_source_ports)
        })
        .collect();
    let generic: Vec<netset::Rule<A, u16>> = idx
        .iter()
        .map(|&i| {
            let r = &rules[i];
            netset::Rule {
                // Without its own priority an Allow's place in the order is unknown: the
                // caller places it first (no Deny credited) and, to see whether that matters,
                // last (every credited Deny first).
                priority: r
                    .priority
                    .or(unplaced.deny.filter(|_| !r.allow))
                    .unwrap_or(unplaced.allow),
                allow: r.allow,
                sources: pick(if r.allow {
                    &r.source.may
                } else {
                    &r.source.must
                })
                .clone(),
                ports: r.ports.clone(),
            }
        })
        .collect();
    let want = e.ports_on(pr);
    let segments = netset::evaluate(&generic, &want, |d, a| {
        rules[idx[d]].dest.covers(&rules[idx[a]].dest)
    });
    let internet = AddrSet::internet();
    let target = pick(&internet);
    let relevant = |s: &netset::Segment<A, u16>| want.overlaps(&PortSet::range(s.lo, s.hi));

    let covered = netset::covered_ports(&segments, target, false);
    let raw = netset::covered_ports(&segments, target, true);
    if e.hit(pr, &covered, &raw) {
        let ports = covered.intersect(&want);
        out.exposed.push(json!({
            "protocol": pr.name(), "family": family, "ports": ports.to_string()
        }));
        for s in &segments {
            if relevant(s) && ports.overlaps(&PortSet::range(s.lo, s.hi)) {
                let parts = s.allows.iter().map(|p| (p.rule, p.remaining.clone()));
                out.offending
                    .extend(netset::culprits(parts, target).into_iter().map(|i| idx[i]));
            }
        }
    }
    // Which Allows the Denies cut where, without Denies, the internet would reach the ports.
    if e.hit(pr, &raw, &raw) {
        for s in &segments {
            if relevant(s) && raw.overlaps(&PortSet::range(s.lo, s.hi)) {
                let parts = s.allows.iter().map(|p| (p.rule, p.sources.clone()));
                for i in netset::culprits(parts, target) {
                    #[allow(clippy::expect_used, reason = "culprits returns rules of `parts`")]
                    let part = s.allows.iter().find(|p| p.rule == i).expect("chosen part");
                    if !part.cut_by.is_empty() {
                        out.cut
                            .entry(idx[i])
                            .or_default()
                            .extend(part.cut_by.iter().map(|&d| idx[d]));
                    }
                }
            }
        }
    }
}

/// The rules of one list property: `Ok(None)` when absent.
fn rule_list<'a>(r: &'a Resource, prop: &str) -> Result<Option<&'a [Value]>, Verdict> {
    let key = format!("properties.{prop}");
    match r.prop(&format!("/{prop}")) {
        Some(Value::Array(rules)) => Ok(Some(rules)),
        None => Ok(None),
        Some(other) => Err(
            Verdict::error(format!("{key} has unexpected value {other}"))
                .observe(&key, Some(other)),
        ),
    }
}

/// Evaluates every rule of the group (user rules and, when collected, the default rules)
/// against one exposure, in priority order, as set subtraction.
fn exposure_verdict(r: &Resource, e: Exposure) -> Verdict {
    let key = "properties.securityRules";
    let user = match rule_list(r, "securityRules") {
        Ok(Some(rules)) => rules,
        Ok(None) => {
            return Verdict::error(format!("{key} is not present in the collected data"))
                .observe(key, None);
        }
        Err(v) => return v,
    };
    let defaults = match rule_list(r, "defaultSecurityRules") {
        Ok(d) => d.unwrap_or_default(),
        Err(v) => return v,
    };

    let mut rules = Vec::new();
    let mut unreadable = Vec::new();
    let mut uncredited = Vec::new();
    for rule in user.iter().chain(defaults) {
        match parse_rule(rule, e) {
            Parsed::Skip => {}
            Parsed::Rule(nr) => rules.push(*nr),
            Parsed::Bad { allow: true, why } => {
                unreadable.push(format!("{}: {why}", rule_name(rule)));
            }
            Parsed::Bad { allow: false, why } => {
                uncredited.push(format!("{}: {why}", rule_name(rule)));
            }
        }
    }
    // Denies with narrowed source ports are read but never credited: say so.
    for nr in rules.iter().filter(|nr| !nr.allow) {
        if nr.priority.is_none() {
            uncredited.push(format!("{}: priority is not present", nr.name));
        } else if !nr.all_source_ports {
            uncredited.push(format!("{}: source ports are not every port", nr.name));
        }
    }

    let evaluate = |at: Unplaced| {
        let mut found = Findings::default();
        for pr in Proto::BOTH.into_iter().filter(|pr| e.carries(*pr)) {
            evaluate_family(&rules, e, pr, "IPv4", |s| &s.v4, at, &mut found);
            evaluate_family(&rules, e, pr, "IPv6", |s| &s.v6, at, &mut found);
        }
        found
    };
    // Worst case: an Allow without a priority comes first and a Deny without one is not
    // credited.
    let found = evaluate(Unplaced {
        allow: i64::MIN,
        deny: None,
    });
    // An Allow without a priority exposes for certain only if it does so even after every
    // credited Deny; otherwise the verdict hangs on the missing priority.
    let unplaced: Vec<&str> = rules
        .iter()
        .filter(|nr| nr.priority.is_none())
        .map(|nr| nr.name.as_str())
        .collect();
    // Best case: the API admits user-rule priorities 100 to 4096 only, so an unplaced Allow
    // comes at the latest at 4096 (before the default rules, 65000 and up) and an unplaced
    // Deny at the earliest at 100. If only the best case is clear, the missing priority
    // decides.
    let hangs_on_priority = !found.offending.is_empty()
        && !unplaced.is_empty()
        && evaluate(Unplaced {
            allow: MAX_USER_PRIORITY,
            deny: Some(MIN_USER_PRIORITY),
        })
        .offending
        .is_empty();

    let offending: Vec<String> = found
        .offending
        .iter()
        .map(|&i| rules[i].name.clone())
        .collect();
    let shadowed: Vec<Value> = found
        .cut
        .iter()
        .filter(|(i, _)| !found.offending.contains(i))
        .map(|(&i, by)| {
            let by: BTreeSet<&str> = by.iter().map(|&d| rules[d].name.as_str()).collect();
            json!({"rule": rules[i].name, "shadowed_by": by})
        })
        .collect();
    let assumptions: BTreeSet<&str> = found
        .offending
        .iter()
        .flat_map(|&i| rules[i].assumptions.iter().map(String::as_str))
        .collect();

    let v = if hangs_on_priority {
        Verdict::error(format!(
            "inbound rules may allow {} from the internet: whether a Deny rule comes first \
             depends on the priority of {}, which is not present in the collected data",
            e.label,
            unplaced.join(", ")
        ))
    } else if !offending.is_empty() {
        // A readable rule that exposes the port decides the finding, whatever else is
        // unreadable.
        let mut why = format!(
            "inbound rules allow {} from the internet: {}",
            e.label,
            offending.join(", ")
        );
        if !assumptions.is_empty() {
            let list: Vec<&str> = assumptions.into_iter().collect();
            why.push_str(&format!(" ({})", list.join("; ")));
        }
        Verdict::fail(why)
    } else if !unreadable.is_empty() {
        Verdict::error(format!(
            "could not evaluate every rule for {}: {}",
            e.label,
            unreadable.join("; ")
        ))
    } else {
        let mut why = if shadowed.is_empty() {
            format!("no inbound Allow rule admits {} from the internet", e.label)
        } else {
            let names: Vec<&str> = shadowed.iter().filter_map(|s| s["rule"].as_str()).collect();
            format!(
                "no effective inbound Allow rule admits {} from the internet; higher-priority \
                 Deny rules shadow: {}",
                e.label,
                names.join(", ")
            )
        };
        if !uncredited.is_empty() {
            why.push_str(&format!(
                "; Deny rules not credited: {}",
                uncredited.join("; ")
            ));
        }
        Verdict::pass(why)
    };
    let mut v = v
        .observe_value("offending_rules", Value::from(offending))
        .observe_value("exposed", Value::Array(found.exposed))
        .observe_value("shadowed_rules", Value::Array(shadowed))
        .observe_value("unreadable_rules", Value::from(unreadable))
        .observe_value("uncredited_deny_rules", Value::from(uncredited))
        .observe_value("securityRules.count", Value::from(user.len()));
    if r.prop("/defaultSecurityRules").is_some() {
        v = v.observe_value("defaultSecurityRules.count", Value::from(defaults.len()));
    }
    v
}

// ---------------------------------------------------------------------------------------------
// Flow logs and Network Watcher.
// ---------------------------------------------------------------------------------------------

/// Ids of every resource whose flow log records the NSG's traffic: the NSG, the subnets it is
/// attached to and their virtual networks, and attached network interfaces (lower-cased).
fn flow_log_targets(nsg: &Resource) -> BTreeSet<String> {
    let mut t = BTreeSet::new();
    t.insert(nsg.id.to_ascii_lowercase());
    let ids = |key: &str| -> Vec<String> {
        props::value(nsg, key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|x| x.get("id").and_then(Value::as_str))
            .map(str::to_ascii_lowercase)
            .collect()
    };
    for subnet in ids("/subnets") {
        if let Some((vnet, _)) = subnet.split_once("/subnets/") {
            t.insert(vnet.to_string());
        }
        t.insert(subnet);
    }
    t.extend(ids("/networkInterfaces"));
    t
}

/// The resource a flow log records, for [`Ctx::lookup`]; a flow log without one (the property
/// is required, so absent means it was not read) could record any group and matches every key.
fn flow_log_target(f: &Resource) -> Option<Vec<String>> {
    props::value(f, "/targetResourceId")
        .and_then(Value::as_str)
        .map(|t| vec![t.to_ascii_lowercase()])
}

fn nsg_flow_logs_enabled(r: &Resource, ctx: &Ctx) -> Verdict {
    let targets = flow_log_targets(r);
    let (matching, untargeted): (Vec<&Resource>, Vec<&Resource>) = ctx
        .lookup("network.flow_logs", FLOW_LOG, flow_log_target)
        .get(targets.iter().map(String::as_str))
        .into_iter()
        .partition(|f| props::value(f, "/targetResourceId").is_some());
    let with_state = |state: Option<bool>| -> Vec<&str> {
        matching
            .iter()
            .filter(|f| props::value(f, "/enabled").and_then(Value::as_bool) == state)
            .map(|f| f.name.as_str())
            .collect()
    };
    let (enabled, disabled, unknown) = (
        with_state(Some(true)),
        with_state(Some(false)),
        with_state(None),
    );
    let v = if !enabled.is_empty() {
        Verdict::pass(format!(
            "enabled flow logs record the group's traffic: {}",
            enabled.join(", ")
        ))
    } else if !unknown.is_empty() {
        Verdict::error(format!(
            "properties.enabled is not present on flow logs: {}",
            unknown.join(", ")
        ))
    } else if !untargeted.is_empty() {
        Verdict::error(format!(
            "properties.targetResourceId is not present on flow logs, which may record the \
             group: {}",
            untargeted
                .iter()
                .take(20)
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    } else if !disabled.is_empty() {
        Verdict::fail(format!(
            "the flow logs for the group are disabled: {}",
            disabled.join(", ")
        ))
    } else {
        Verdict::fail(
            "no flow log targets the group, its subnets, their virtual networks or its network \
             interfaces",
        )
    };
    v.observe_value("flow_log_targets", Value::from_iter(targets))
        .observe_value(
            "flow_logs",
            matching
                .iter()
                .map(|f| json!({"id": f.id, "enabled": props::value(f, "/enabled")}))
                .collect(),
        )
}

fn flow_log_retention(r: &Resource, ctx: &Ctx) -> Verdict {
    let min = ctx.settings.min_log_retention_days;
    match require_bool(r, "/enabled") {
        Ok(true) => {}
        Ok(false) => {
            return Verdict::not_applicable("the flow log is disabled").observe_prop(
                "properties.enabled",
                r,
                "/enabled",
            );
        }
        Err(v) => return v,
    }
    let enabled = props::value(r, "/retentionPolicy/enabled");
    let days = props::value(r, "/retentionPolicy/days");
    let v = match (
        enabled.and_then(Value::as_bool),
        days.and_then(Value::as_u64),
    ) {
        (Some(false), _) => Verdict::pass(
            "no retention limit is set: records are kept in the storage account indefinitely",
        ),
        (Some(true), Some(0)) => {
            Verdict::pass("retention of 0 days keeps records in the storage account indefinitely")
        }
        (Some(true), Some(d)) if d >= u64::from(min) => {
            Verdict::pass(format!("flow records are kept {d} days (minimum {min})"))
        }
        (Some(true), Some(d)) => Verdict::fail(format!(
            "flow records are kept only {d} days (minimum {min})"
        )),
        (Some(true), None) => {
            Verdict::error("properties.retentionPolicy.days is not present in the collected data")
        }
        (None, _) => Verdict::error(
            "properties.retentionPolicy.enabled is not present in the collected data",
        ),
    };
    v.observe("properties.retentionPolicy.enabled", enabled)
        .observe("properties.retentionPolicy.days", days)
        .observe_value("min_log_retention_days", Value::from(min))
}

fn flow_log_traffic_analytics(r: &Resource) -> Verdict {
    match require_bool(r, "/enabled") {
        Ok(true) => {}
        Ok(false) => {
            return Verdict::not_applicable("the flow log is disabled").observe_prop(
                "properties.enabled",
                r,
                "/enabled",
            );
        }
        Err(v) => return v,
    }
    let base = "/flowAnalyticsConfiguration/networkWatcherFlowAnalyticsConfiguration";
    let key = "properties.flowAnalyticsConfiguration.networkWatcherFlowAnalyticsConfiguration";
    let Some(cfg) = props::value(r, base) else {
        return Verdict::error(format!("{key} is not present in the collected data"))
            .observe(key, None);
    };
    let workspace = ["workspaceResourceId", "workspaceId"]
        .iter()
        .filter_map(|k| cfg.get(*k).and_then(Value::as_str))
        .map(str::trim)
        .find(|w| !w.is_empty() && *w != "-");
    let v = match (cfg.get("enabled").and_then(Value::as_bool), workspace) {
        (Some(true), Some(w)) => Verdict::pass(format!("traffic analytics sends flows to {w}")),
        (Some(true), None) => Verdict::fail("traffic analytics is enabled without a workspace"),
        (Some(false), _) => Verdict::fail("traffic analytics is disabled"),
        (None, _) => Verdict::error(format!(
            "{key}.enabled is not present in the collected data"
        )),
    };
    v.observe(key, Some(cfg))
}

/// Resource types whose presence means a region carries network traffic worth watching.
const NETWORK_BEARING: [&str; 7] = [VNET, NSG, PUBLIC_IP, APP_GATEWAY, BASTION, VM, VMSS];

/// `West US` and `westus` are the same region.
fn region(r: &Resource) -> Option<String> {
    let l: String = r
        .location
        .as_deref()?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    (!l.is_empty() && l != "global").then_some(l)
}

fn network_watcher_all_regions(s: &Subscription, ctx: &Ctx) -> Verdict {
    let in_use: BTreeSet<String> = NETWORK_BEARING
        .iter()
        .flat_map(|ty| ctx.resources_in(&s.id, ty))
        .filter_map(region)
        .collect();
    let watched: BTreeSet<String> = ctx
        .resources_in(&s.id, WATCHER)
        .filter_map(region)
        .collect();
    let missing: Vec<&String> = in_use.difference(&watched).collect();
    let v = if in_use.is_empty() {
        Verdict::not_applicable("the subscription has no network resources")
    } else if missing.is_empty() {
        Verdict::pass("every region with network resources has a Network Watcher")
    } else {
        Verdict::fail(format!(
            "regions with network resources but no Network Watcher: {}",
            missing
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    v.observe_value("regions_in_use", Value::from_iter(in_use.iter().cloned()))
        .observe_value("watcher_regions", Value::from_iter(watched.iter().cloned()))
        .observe_value(
            "missing_regions",
            Value::from_iter(missing.into_iter().cloned()),
        )
}

fn bastion_present(s: &Subscription, ctx: &Ctx) -> Verdict {
    let machines = ctx.resources_in(&s.id, VM).count() + ctx.resources_in(&s.id, VMSS).count();
    let bastions: Vec<&str> = ctx
        .resources_in(&s.id, BASTION)
        .map(|b| b.id.as_str())
        .collect();
    let v = if machines == 0 {
        Verdict::not_applicable("the subscription has no virtual machines or scale sets")
    } else if bastions.is_empty() {
        Verdict::fail(format!(
            "{machines} virtual machines or scale sets but no Azure Bastion host"
        ))
    } else {
        Verdict::pass(format!(
            "an Azure Bastion host serves the subscription: {}",
            bastions.join(", ")
        ))
    };
    v.observe_value("virtual_machines_and_scale_sets", Value::from(machines))
        .observe_value("bastion_hosts", Value::from(bastions))
}

// ---------------------------------------------------------------------------------------------
// Virtual networks and public IPs.
// ---------------------------------------------------------------------------------------------

/// Subnets on which Azure does not support (or forbids) a network security group.
const NSG_EXEMPT_SUBNETS: [&str; 4] = [
    "GatewaySubnet",
    "AzureFirewallSubnet",
    "AzureFirewallManagementSubnet",
    "RouteServerSubnet",
];

fn subnets_have_nsg(r: &Resource) -> Verdict {
    let key = "properties.subnets";
    let subnets = match props::value(r, "/subnets") {
        Some(Value::Array(s)) => s,
        Some(other) => {
            return Verdict::error(format!("{key} has unexpected value {other}"))
                .observe(key, Some(other));
        }
        None => {
            return Verdict::error(format!("{key} is not present in the collected data"))
                .observe(key, None);
        }
    };
    let name = |s: &Value| {
        s.get("name")
            .and_then(Value::as_str)
            .unwrap_or("(unnamed subnet)")
            .to_string()
    };
    let mut without = Vec::new();
    let mut exempt = Vec::new();
    for s in subnets {
        let n = name(s);
        if NSG_EXEMPT_SUBNETS
            .iter()
            .any(|x| x.eq_ignore_ascii_case(&n))
        {
            exempt.push(n);
        } else if rule_props(s)
            .pointer("/networkSecurityGroup/id")
            .and_then(Value::as_str)
            .is_none_or(|id| id.trim().is_empty())
        {
            without.push(n);
        }
    }
    let v = if without.is_empty() {
        Verdict::pass(format!(
            "every subnet that supports an NSG has one ({} subnets)",
            subnets.len()
        ))
    } else {
        Verdict::fail(format!(
            "subnets without a network security group: {}",
            without.join(", ")
        ))
    };
    v.observe_value("subnets_without_nsg", Value::from(without))
        .observe_value("exempt_subnets", Value::from(exempt))
        .observe_value("subnets.count", Value::from(subnets.len()))
}

fn vnet_ddos_protection(r: &Resource) -> Verdict {
    let enabled = props::value(r, "/enableDdosProtection");
    let plan = props::value(r, "/ddosProtectionPlan/id");
    let v = match (enabled, plan.and_then(Value::as_str)) {
        (Some(Value::Bool(true)), Some(p)) if !p.trim().is_empty() => {
            Verdict::pass(format!("DDoS Network Protection is enabled with plan {p}"))
        }
        (Some(Value::Bool(true)), _) => {
            Verdict::fail("enableDdosProtection is true but no DDoS protection plan is associated")
        }
        (Some(Value::Bool(false)), _) => Verdict::fail("DDoS Network Protection is disabled"),
        (None, _) => Verdict::error(props::absent_reason(r, "/enableDdosProtection")),
        (Some(other), _) => Verdict::error(format!(
            "properties.enableDdosProtection has unexpected value {other}"
        )),
    };
    v.observe_prop(
        "properties.enableDdosProtection",
        r,
        "/enableDdosProtection",
    )
    .observe_prop(
        "properties.ddosProtectionPlan.id",
        r,
        "/ddosProtectionPlan/id",
    )
}

fn public_ip_standard_sku(r: &Resource) -> Verdict {
    let name = r.sku.as_ref().and_then(|s| s.get("name"));
    let v = match name.and_then(Value::as_str) {
        Some(n) if n.eq_ignore_ascii_case("Basic") => {
            Verdict::fail("the public IP uses the retired Basic SKU")
        }
        Some(n) => Verdict::pass(format!("the public IP uses the {n} SKU")),
        None => Verdict::error("sku.name is not present in the collected data"),
    };
    v.observe("sku.name", name)
}

// ---------------------------------------------------------------------------------------------
// Application gateways.
// ---------------------------------------------------------------------------------------------

/// How a gateway's WAF is configured, as far as the inventory can tell.
enum Waf<'a> {
    /// A WAF policy resource was found for `firewallPolicy.id`.
    Policy(&'a Resource),
    /// `firewallPolicy.id` is set but the policy is not in the inventory.
    PolicyNotCollected(&'a str),
    /// The legacy inline `webApplicationFirewallConfiguration`.
    Inline(&'a Value),
    None,
}

fn waf_of<'a>(r: &'a Resource, ctx: &'a Ctx) -> Waf<'a> {
    if let Some(id) = props::value(r, "/firewallPolicy/id")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
    {
        return match ctx.resource(id).filter(|p| p.r#type == WAF_POLICY) {
            Some(p) => Waf::Policy(p),
            None => Waf::PolicyNotCollected(id),
        };
    }
    match props::value(r, "/webApplicationFirewallConfiguration") {
        Some(cfg) => Waf::Inline(cfg),
        None => Waf::None,
    }
}

fn appgw_waf_enabled(r: &Resource, ctx: &Ctx) -> Verdict {
    if !props::body_present(r) {
        return Verdict::error(props::absent_reason(r, "/firewallPolicy/id"));
    }
    match waf_of(r, ctx) {
        Waf::Policy(p) => {
            let state = props::value(p, "/policySettings/state");
            match state.and_then(Value::as_str) {
                Some(s) if s.eq_ignore_ascii_case("Enabled") => {
                    Verdict::pass(format!("WAF policy {} is enabled", p.name))
                }
                Some(s) => Verdict::fail(format!("WAF policy {} is {s}", p.name)),
                None => Verdict::error(format!(
                    "policySettings.state of WAF policy {} is not present",
                    p.name
                )),
            }
            .observe_value("firewallPolicy.id", Value::from(p.id.as_str()))
            .observe("waf_policy.policySettings.state", state)
        }
        Waf::PolicyNotCollected(id) => Verdict::error(format!(
            "WAF policy {id} is associated but was not collected; its state is unknown"
        ))
        .observe_value("firewallPolicy.id", Value::from(id)),
        Waf::Inline(cfg) => {
            let enabled = cfg.get("enabled");
            match enabled.and_then(Value::as_bool) {
                Some(true) => Verdict::pass("the gateway's web application firewall is enabled"),
                Some(false) => Verdict::fail("the gateway's web application firewall is disabled"),
                None => Verdict::error(
                    "webApplicationFirewallConfiguration.enabled is not present in the collected \
                     data",
                ),
            }
            .observe(
                "properties.webApplicationFirewallConfiguration.enabled",
                enabled,
            )
        }
        Waf::None => Verdict::fail("the gateway has neither a WAF policy nor a WAF configuration")
            .observe("properties.firewallPolicy.id", None)
            .observe("properties.webApplicationFirewallConfiguration", None)
            .observe_prop("properties.sku.tier", r, "/sku/tier"),
    }
}

fn appgw_waf_prevention(r: &Resource, ctx: &Ctx) -> Verdict {
    if !props::body_present(r) {
        return Verdict::error(props::absent_reason(r, "/firewallPolicy/id"));
    }
    let judge = |mode: Option<&Value>, whose: String| match mode.and_then(Value::as_str) {
        Some(m) if m.eq_ignore_ascii_case("Prevention") => {
            Verdict::pass(format!("{whose} runs in Prevention mode"))
        }
        Some(m) => Verdict::fail(format!("{whose} runs in {m} mode: attacks are only logged")),
        None => Verdict::error(format!("the mode of {whose} is not present")),
    };
    match waf_of(r, ctx) {
        Waf::Policy(p) => {
            let mode = props::value(p, "/policySettings/mode");
            judge(mode, format!("WAF policy {}", p.name))
                .observe_value("firewallPolicy.id", Value::from(p.id.as_str()))
                .observe("waf_policy.policySettings.mode", mode)
        }
        Waf::PolicyNotCollected(id) => Verdict::error(format!(
            "WAF policy {id} is associated but was not collected; its mode is unknown"
        ))
        .observe_value("firewallPolicy.id", Value::from(id)),
        Waf::Inline(cfg) => {
            let mode = cfg.get("firewallMode");
            judge(mode, "the gateway's web application firewall".into()).observe(
                "properties.webApplicationFirewallConfiguration.firewallMode",
                mode,
            )
        }
        Waf::None => Verdict::fail("the gateway has no web application firewall")
            .observe("properties.firewallPolicy.id", None)
            .observe("properties.webApplicationFirewallConfiguration", None),
    }
}

/// Predefined Application Gateway TLS policies whose minimum protocol is TLS 1.2.
const TLS12_PREDEFINED: [&str; 3] = [
    "AppGwSslPolicy20170401S",
    "AppGwSslPolicy20220101",
    "AppGwSslPolicy20220101S",
];

/// `Ok(true)` when an Application Gateway sslPolicy object requires TLS 1.2 or later.
fn ssl_policy_ok(policy: &Value) -> Result<bool, String> {
    let ty = policy.get("policyType").and_then(Value::as_str);
    let min = policy.get("minProtocolVersion").and_then(Value::as_str);
    let name = policy.get("policyName").and_then(Value::as_str);
    match (ty, name, min) {
        (Some(t), Some(n), _) if t.eq_ignore_ascii_case("Predefined") => {
            Ok(TLS12_PREDEFINED.iter().any(|p| p.eq_ignore_ascii_case(n)))
        }
        (_, _, Some(m)) => {
            Ok(m.eq_ignore_ascii_case("TLSv1_2") || m.eq_ignore_ascii_case("TLSv1_3"))
        }
        (Some(t), None, None) if t.eq_ignore_ascii_case("Predefined") => {
            Err("a Predefined policy without policyName".into())
        }
        _ => Err("neither a predefined policy name nor minProtocolVersion".into()),
    }
}

fn appgw_min_tls(r: &Resource) -> Verdict {
    let gateway_policy = props::value(r, "/sslPolicy");
    let profiles = props::value(r, "/sslProfiles")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut policies: Vec<(String, Option<&Value>)> = Vec::new();
    if let Some(p) = gateway_policy {
        policies.push(("gateway sslPolicy".into(), Some(p)));
    }
    for prof in profiles {
        let name = prof
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("(unnamed profile)");
        policies.push((
            format!("SSL profile {name}"),
            rule_props(prof).get("sslPolicy"),
        ));
    }
    let mut weak = Vec::new();
    let mut unreadable = Vec::new();
    for (label, policy) in policies {
        match policy.map(ssl_policy_ok) {
            Some(Ok(true)) => {}
            Some(Ok(false)) => weak.push(label),
            Some(Err(why)) => unreadable.push(format!("{label}: {why}")),
            None => unreadable.push(format!("{label}: no sslPolicy")),
        }
    }
    let v = if !weak.is_empty() {
        Verdict::fail(format!(
            "TLS policies allow protocols older than TLS 1.2: {}",
            weak.join(", ")
        ))
    } else if gateway_policy.is_none() {
        Verdict::error(
            "properties.sslPolicy was not returned; the default Azure applies depends on the API \
             version the gateway was created with",
        )
    } else if !unreadable.is_empty() {
        Verdict::error(format!(
            "could not read every TLS policy: {}",
            unreadable.join("; ")
        ))
    } else {
        Verdict::pass("every TLS policy requires TLS 1.2 or later")
    };
    v.observe("properties.sslPolicy", gateway_policy)
        .observe_value(
            "sslProfiles",
            profiles
                .iter()
                .map(
                    |p| json!({"name": p.get("name"), "sslPolicy": rule_props(p).get("sslPolicy")}),
                )
                .collect(),
        )
        .observe_value("weak_policies", Value::from(weak))
}

/// Test helpers for context-aware checks, shared by the modules of this helper's checks.
#[cfg(test)]
pub(super) mod ctx_eval {
    use crate::checks::{Ctx, Eval, Settings, Verdict, find, testutil};
    use crate::model::Resource;

    /// Calls a context-aware resource check on `r`, with `others` and `r` in the inventory.
    pub fn resource(id: &str, r: &Resource, others: &[Resource]) -> Verdict {
        let mut all = others.to_vec();
        all.push(r.clone());
        let inv = testutil::inventory(all);
        let settings = Settings::default();
        let ctx = Ctx::new(&inv, &settings);
        match find(id)
            .unwrap_or_else(|| panic!("unknown check {id}"))
            .eval
        {
            Eval::ResourceCtx(ty, f) => {
                assert_eq!(ty, r.r#type, "{id} targets {ty}, not {}", r.r#type);
                f(r, &ctx)
            }
            _ => panic!("{id} is not a context-aware resource check"),
        }
    }

    /// Calls a context-aware subscription check on subscription `sub` of the test inventory.
    pub fn subscription(id: &str, sub: &str, resources: Vec<Resource>) -> Verdict {
        let inv = testutil::inventory(resources);
        let settings = Settings::default();
        let ctx = Ctx::new(&inv, &settings);
        let s = inv
            .subscriptions
            .iter()
            .find(|s| s.id == sub)
            .unwrap_or_else(|| panic!("no subscription {sub}"));
        match find(id)
            .unwrap_or_else(|| panic!("unknown check {id}"))
            .eval
        {
            Eval::SubscriptionCtx(f) => f(s, &ctx),
            _ => panic!("{id} is not a context-aware subscription check"),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::ctx_eval;
    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{
        self, eval_resource, fixture_resource, resource, set_prop, without_body,
    };
    use crate::checks::{Verdict, find};
    use crate::model::Resource;

    /// Microsoft's NSG example: one custom rule, rule1, Allow Inbound * from * to port 80,
    /// priority 130.
    const GET: &str = "network/network_security_group_get.2025-01-01.json";

    fn handmade(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }
    const APPGW: &str =
        include_str!("../../tests/fixtures/handmade/network/application_gateway_get.json");
    const WAF: &str = include_str!("../../tests/fixtures/handmade/network/waf_policy_get.json");
    const WATCHERS: &str =
        include_str!("../../tests/fixtures/handmade/network/network_watchers_list.json");
    const FLOW_LOG: &str = include_str!("../../tests/fixtures/handmade/network/flow_log_get.json");
    const BASTION: &str =
        include_str!("../../tests/fixtures/handmade/network/bastion_host_get.json");

    /// The example NSG with rule1's properties changed (`null` removes a field).
    fn with_rule1(changes: Value) -> Resource {
        let mut r = fixture_resource(GET, 0);
        let rule = r
            .properties
            .pointer_mut("/securityRules/0/properties")
            .unwrap()
            .as_object_mut()
            .unwrap();
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                rule.remove(k);
            } else {
                rule.insert(k.clone(), v.clone());
            }
        }
        r
    }

    /// The example NSG with rule1 changed and more rules appended (ARM shape).
    fn with_rules(rule1: Value, extra: Value) -> Resource {
        let mut r = with_rule1(rule1);
        let rules = r
            .properties
            .pointer_mut("/securityRules")
            .unwrap()
            .as_array_mut()
            .unwrap();
        for x in extra.as_array().unwrap() {
            rules.push(x.clone());
        }
        r
    }

    fn deny(name: &str, priority: i64, protocol: &str, source: &str, ports: &str) -> Value {
        json!({"name": name, "properties": {
            "protocol": protocol, "sourcePortRange": "*", "destinationPortRange": ports,
            "sourceAddressPrefix": source, "destinationAddressPrefix": "*",
            "access": "Deny", "priority": priority, "direction": "Inbound"
        }})
    }

    fn offending(v: &Verdict) -> Value {
        v.observed["offending_rules"].clone()
    }

    /// The unmodified example (port 80 only) passes, and so do the near misses given.
    fn nsg_passes(id: &str, near_misses: &[Value]) {
        let v = eval_resource(id, &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Pass, "{id}: {}", v.reason);
        assert_eq!(offending(&v), json!([]));
        assert_eq!(v.observed["securityRules.count"], json!(1));
        for change in near_misses {
            let v = eval_resource(id, &with_rule1(change.clone()));
            assert_eq!(v.status, S::Pass, "{id} {change}: {}", v.reason);
        }
    }

    /// Each change makes rule1 offend, and the reason names the exposure and the rule.
    fn nsg_fails(id: &str, label: &str, changes: &[Value]) {
        for change in changes {
            let v = eval_resource(id, &with_rule1(change.clone()));
            assert_eq!(v.status, S::Fail, "{id} {change}: {}", v.reason);
            assert_eq!(offending(&v), json!(["rule1"]));
            assert_eq!(
                v.reason,
                format!("inbound rules allow {label} from the internet: rule1")
            );
        }
    }

    /// Absent rules, or an Allow rule that cannot be read, is an error, never a pass.
    fn nsg_missing(id: &str, port: &str) {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/securityRules", json!(null));
        let v = eval_resource(id, &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("securityRules"));
        assert_eq!(v.observed["properties.securityRules"], Value::Null);

        let v = eval_resource(
            id,
            &with_rule1(json!({"destinationPortRange": port, "sourceAddressPrefix": null})),
        );
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(
            v.reason.contains("rule1: no source address prefix"),
            "{}",
            v.reason
        );
    }

    #[test]
    fn network_nsg_ssh_restricted_pass() {
        nsg_passes(
            "network_nsg_ssh_restricted",
            &[
                // UDP 22 is not SSH, a private source is not the internet, and Deny or
                // outbound rules admit nothing.
                json!({"destinationPortRange": "22", "protocol": "Udp"}),
                json!({"destinationPortRange": "22", "sourceAddressPrefix": "10.0.0.0/8"}),
                json!({"destinationPortRange": "22", "access": "Deny"}),
                json!({"destinationPortRange": "22", "direction": "Outbound"}),
            ],
        );
    }
    #[test]
    fn network_nsg_ssh_restricted_fail() {
        nsg_fails(
            "network_nsg_ssh_restricted",
            "SSH (TCP 22)",
            &[
                json!({"destinationPortRange": "22"}),
                json!({"destinationPortRange": "20-25", "protocol": "Tcp"}),
                json!({"destinationPortRange": "*", "sourceAddressPrefix": "Internet"}),
                json!({
                    "destinationPortRange": null,
                    "destinationPortRanges": ["443", "22"],
                    "sourceAddressPrefix": null,
                    "sourceAddressPrefixes": ["10.0.0.0/8", "0.0.0.0/0"],
                }),
            ],
        );
    }
    #[test]
    fn network_nsg_ssh_restricted_missing() {
        nsg_missing("network_nsg_ssh_restricted", "22");
        // A rule without its access field cannot be judged: error, not pass.
        let v = eval_resource(
            "network_nsg_ssh_restricted",
            &with_rule1(json!({"access": null})),
        );
        assert_eq!(v.status, S::Error);
        assert!(
            v.reason.contains("rule1: access is not present"),
            "{}",
            v.reason
        );
    }

    #[test]
    fn shadowed_allow_passes_and_is_recorded() {
        let open = json!({"destinationPortRange": "22"});
        let r = with_rules(
            open,
            json!([deny("deny-ssh", 100, "Tcp", "Internet", "22")]),
        );
        let v = eval_resource("network_nsg_ssh_restricted", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert!(
            v.reason.contains("shadow") && v.reason.contains("rule1"),
            "{}",
            v.reason
        );
        assert_eq!(
            v.observed["shadowed_rules"],
            json!([{"rule": "rule1", "shadowed_by": ["deny-ssh"]}])
        );
        assert_eq!(offending(&v), json!([]));

        // Several Deny rules together cover the Allow's exposed ports (FTP is 20-21).
        let r = with_rules(
            json!({"destinationPortRange": "20-25", "protocol": "Tcp"}),
            json!([
                deny("deny-20", 110, "*", "*", "20"),
                deny("deny-21", 120, "Tcp", "*", "21"),
            ]),
        );
        let v = eval_resource("network_nsg_ftp_restricted", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.observed["shadowed_rules"][0]["shadowed_by"],
            json!(["deny-20", "deny-21"])
        );
        // The same rule still exposes Telnet (23): those Denies do not cover it.
        let v = eval_resource("network_nsg_telnet_restricted", &r);
        assert_eq!(v.status, S::Fail, "{}", v.reason);

        // A Deny on the same named destination shadows; one on another destination does not.
        let mut on_host = deny("deny-host", 100, "Tcp", "*", "22");
        on_host["properties"]["destinationAddressPrefix"] = json!("10.0.0.4");
        let r = with_rules(
            json!({"destinationPortRange": "22", "destinationAddressPrefix": "10.0.0.4"}),
            json!([on_host.clone()]),
        );
        assert_eq!(
            eval_resource("network_nsg_ssh_restricted", &r).status,
            S::Pass
        );
        let r = with_rules(json!({"destinationPortRange": "22"}), json!([on_host]));
        assert_eq!(
            eval_resource("network_nsg_ssh_restricted", &r).status,
            S::Fail
        );
    }

    #[test]
    fn partial_or_lower_priority_denies_do_not_shadow() {
        let open = || json!({"destinationPortRange": "22"});
        for (why, d) in [
            // Evaluated after the Allow (higher number = lower priority).
            ("lower priority", deny("late", 200, "Tcp", "*", "22")),
            // IPv4 only, while the Allow's * also admits IPv6.
            ("IPv4 only", deny("v4", 100, "Tcp", "0.0.0.0/0", "22")),
            // Only part of the internet.
            (
                "partial source",
                deny("some", 100, "Tcp", "203.0.113.0/24", "22"),
            ),
            // Other protocol.
            ("other protocol", deny("udp", 100, "Udp", "*", "22")),
            // Other ports.
            ("other ports", deny("rdp", 100, "Tcp", "*", "3389")),
        ] {
            let v = eval_resource(
                "network_nsg_ssh_restricted",
                &with_rules(open(), json!([d])),
            );
            assert_eq!(v.status, S::Fail, "{why}: {}", v.reason);
            assert_eq!(v.observed["shadowed_rules"], json!([]), "{why}");
        }
        // IPv4 and IPv6 Denies together cover the * source.
        let v = eval_resource(
            "network_nsg_ssh_restricted",
            &with_rules(
                open(),
                json!([
                    deny("v4", 100, "Tcp", "0.0.0.0/0", "22"),
                    deny("v6", 101, "Tcp", "::/0", "22")
                ]),
            ),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // A Deny without a priority is never credited; where it would shadow the Allow if it
        // came first, the verdict hangs on the missing priority: an error naming it.
        let mut d = deny("no-prio", 100, "Tcp", "*", "22");
        d["properties"].as_object_mut().unwrap().remove("priority");
        let v = eval_resource(
            "network_nsg_ssh_restricted",
            &with_rules(open(), json!([d])),
        );
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("no-prio"), "{}", v.reason);
        // When the Allow's own priority is unknown and a Deny would shadow it if it came
        // first, the verdict hangs on the missing priority: an error naming it.
        let v = eval_resource(
            "network_nsg_ssh_restricted",
            &with_rules(
                json!({"destinationPortRange": "22", "priority": null}),
                json!([deny("d", 100, "Tcp", "*", "22")]),
            ),
        );
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("priority"), "{}", v.reason);
        // Without a Deny that could shadow it, the Allow exposes whatever its priority.
        let v = eval_resource(
            "network_nsg_ssh_restricted",
            &with_rules(
                json!({"destinationPortRange": "22", "priority": null}),
                json!([deny("d", 100, "Tcp", "*", "3389")]),
            ),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
    }

    #[test]
    fn network_nsg_rdp_restricted_pass() {
        nsg_passes(
            "network_nsg_rdp_restricted",
            &[json!({"destinationPortRange": "3380-3388"})],
        );
    }
    #[test]
    fn network_nsg_rdp_restricted_fail() {
        nsg_fails(
            "network_nsg_rdp_restricted",
            "RDP (TCP 3389)",
            &[json!({"destinationPortRange": "3389", "sourceAddressPrefix": "Any"})],
        );
    }
    #[test]
    fn network_nsg_rdp_restricted_missing() {
        nsg_missing("network_nsg_rdp_restricted", "3389");
        let v = eval_resource(
            "network_nsg_rdp_restricted",
            &with_rule1(json!({"destinationPortRange": "rdp"})),
        );
        assert_eq!(v.status, S::Error);
        assert!(
            v.reason
                .contains("rule1: destinationPortRange: \"rdp\" is not a port"),
            "{}",
            v.reason
        );
    }

    #[test]
    fn network_nsg_all_ports_restricted_pass() {
        // ICMP has no ports; the API requires "*" for it, which is not an all-ports opening.
        nsg_passes(
            "network_nsg_all_ports_restricted",
            &[
                json!({"destinationPortRange": "*", "protocol": "Icmp"}),
                json!({"destinationPortRange": "2-65535"}),
            ],
        );
    }
    #[test]
    fn network_nsg_all_ports_restricted_fail() {
        for ports in ["*", "0-65535", "1-65535"] {
            nsg_fails(
                "network_nsg_all_ports_restricted",
                "all ports",
                &[json!({"destinationPortRange": ports, "sourceAddressPrefix": "::/0"})],
            );
        }
        // A Deny for a few ports leaves nearly everything open: still a fail.
        let v = eval_resource(
            "network_nsg_all_ports_restricted",
            &with_rules(
                json!({"destinationPortRange": "*"}),
                json!([deny("ssh", 100, "*", "*", "22")]),
            ),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
    }
    #[test]
    fn network_nsg_all_ports_restricted_missing() {
        nsg_missing("network_nsg_all_ports_restricted", "*");
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/securityRules", json!("not a list"));
        let v = eval_resource("network_nsg_all_ports_restricted", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("unexpected value"));
    }

    #[test]
    fn network_nsg_sql_server_restricted_pass() {
        nsg_passes(
            "network_nsg_sql_server_restricted",
            &[
                json!({"destinationPortRange": "1433", "protocol": "Udp"}),
                json!({"destinationPortRange": "1434", "protocol": "Tcp"}),
            ],
        );
    }
    #[test]
    fn network_nsg_sql_server_restricted_fail() {
        nsg_fails(
            "network_nsg_sql_server_restricted",
            "SQL Server (TCP 1433, UDP 1434)",
            &[
                json!({"destinationPortRange": "1433", "protocol": "Tcp"}),
                json!({"destinationPortRange": "1434", "protocol": "Udp"}),
                json!({"destinationPortRange": "1000-2000"}),
            ],
        );
    }
    #[test]
    fn network_nsg_sql_server_restricted_missing() {
        nsg_missing("network_nsg_sql_server_restricted", "1433");
    }

    #[test]
    fn network_nsg_mysql_restricted_pass() {
        nsg_passes(
            "network_nsg_mysql_restricted",
            &[json!({"destinationPortRange": "3306", "sourceAddressPrefix": "VirtualNetwork"})],
        );
    }
    #[test]
    fn network_nsg_mysql_restricted_fail() {
        nsg_fails(
            "network_nsg_mysql_restricted",
            "MySQL (TCP 3306)",
            &[json!({"destinationPortRanges": ["3306"], "destinationPortRange": null})],
        );
    }
    #[test]
    fn network_nsg_mysql_restricted_missing() {
        nsg_missing("network_nsg_mysql_restricted", "3306");
    }

    #[test]
    fn network_nsg_postgresql_restricted_pass() {
        nsg_passes(
            "network_nsg_postgresql_restricted",
            &[json!({"destinationPortRange": "5433"})],
        );
    }
    #[test]
    fn network_nsg_postgresql_restricted_fail() {
        nsg_fails(
            "network_nsg_postgresql_restricted",
            "PostgreSQL (TCP 5432)",
            &[json!({"destinationPortRange": "5432", "sourceAddressPrefix": "Internet"})],
        );
    }
    #[test]
    fn network_nsg_postgresql_restricted_missing() {
        nsg_missing("network_nsg_postgresql_restricted", "5432");
    }

    #[test]
    fn network_nsg_redis_restricted_pass() {
        nsg_passes(
            "network_nsg_redis_restricted",
            &[json!({"destinationPortRange": "6380"})],
        );
    }
    #[test]
    fn network_nsg_redis_restricted_fail() {
        nsg_fails(
            "network_nsg_redis_restricted",
            "Redis (TCP 6379)",
            &[json!({"destinationPortRange": "6379"})],
        );
    }
    #[test]
    fn network_nsg_redis_restricted_missing() {
        nsg_missing("network_nsg_redis_restricted", "6379");
    }

    #[test]
    fn network_nsg_mongodb_restricted_pass() {
        nsg_passes(
            "network_nsg_mongodb_restricted",
            &[json!({"destinationPortRange": "27020-27030"})],
        );
    }
    #[test]
    fn network_nsg_mongodb_restricted_fail() {
        nsg_fails(
            "network_nsg_mongodb_restricted",
            "MongoDB (TCP 27017-27019)",
            &[
                json!({"destinationPortRange": "27017"}),
                json!({"destinationPortRange": "27019-27100"}),
            ],
        );
    }
    #[test]
    fn network_nsg_mongodb_restricted_missing() {
        nsg_missing("network_nsg_mongodb_restricted", "27017");
    }

    #[test]
    fn network_nsg_smb_restricted_pass() {
        nsg_passes(
            "network_nsg_smb_restricted",
            &[json!({"destinationPortRange": "445", "protocol": "Udp"})],
        );
    }
    #[test]
    fn network_nsg_smb_restricted_fail() {
        nsg_fails(
            "network_nsg_smb_restricted",
            "SMB (TCP 445)",
            &[json!({"destinationPortRange": "445"})],
        );
    }
    #[test]
    fn network_nsg_smb_restricted_missing() {
        nsg_missing("network_nsg_smb_restricted", "445");
    }

    #[test]
    fn network_nsg_ftp_restricted_pass() {
        nsg_passes(
            "network_nsg_ftp_restricted",
            &[json!({"destinationPortRange": "22"})],
        );
    }
    #[test]
    fn network_nsg_ftp_restricted_fail() {
        nsg_fails(
            "network_nsg_ftp_restricted",
            "FTP (TCP 20-21)",
            &[
                json!({"destinationPortRange": "21"}),
                json!({"destinationPortRange": "20"}),
            ],
        );
    }
    #[test]
    fn network_nsg_ftp_restricted_missing() {
        nsg_missing("network_nsg_ftp_restricted", "21");
    }

    #[test]
    fn network_nsg_telnet_restricted_pass() {
        nsg_passes(
            "network_nsg_telnet_restricted",
            &[json!({"destinationPortRange": "22"})],
        );
    }
    #[test]
    fn network_nsg_telnet_restricted_fail() {
        nsg_fails(
            "network_nsg_telnet_restricted",
            "Telnet (TCP 23)",
            &[json!({"destinationPortRange": "23"})],
        );
    }
    #[test]
    fn network_nsg_telnet_restricted_missing() {
        nsg_missing("network_nsg_telnet_restricted", "23");
    }

    #[test]
    fn network_nsg_winrm_restricted_pass() {
        nsg_passes(
            "network_nsg_winrm_restricted",
            &[json!({"destinationPortRange": "5987"})],
        );
    }
    #[test]
    fn network_nsg_winrm_restricted_fail() {
        nsg_fails(
            "network_nsg_winrm_restricted",
            "WinRM (TCP 5985-5986)",
            &[
                json!({"destinationPortRange": "5986"}),
                json!({"destinationPortRange": "5985"}),
            ],
        );
    }
    #[test]
    fn network_nsg_winrm_restricted_missing() {
        nsg_missing("network_nsg_winrm_restricted", "5985");
    }

    #[test]
    fn network_nsg_netbios_restricted_pass() {
        nsg_passes(
            "network_nsg_netbios_restricted",
            &[json!({"destinationPortRange": "140"})],
        );
    }
    #[test]
    fn network_nsg_netbios_restricted_fail() {
        nsg_fails(
            "network_nsg_netbios_restricted",
            "NetBIOS (TCP/UDP 137-139)",
            &[
                json!({"destinationPortRange": "137", "protocol": "Udp"}),
                json!({"destinationPortRange": "139", "protocol": "Tcp"}),
            ],
        );
    }
    #[test]
    fn network_nsg_netbios_restricted_missing() {
        nsg_missing("network_nsg_netbios_restricted", "137");
    }

    #[test]
    fn network_nsg_dns_restricted_pass() {
        nsg_passes(
            "network_nsg_dns_restricted",
            &[json!({"destinationPortRange": "53", "protocol": "Icmp"})],
        );
    }
    #[test]
    fn network_nsg_dns_restricted_fail() {
        nsg_fails(
            "network_nsg_dns_restricted",
            "DNS (TCP/UDP 53)",
            &[
                json!({"destinationPortRange": "53", "protocol": "Udp"}),
                json!({"destinationPortRange": "53"}),
            ],
        );
    }
    #[test]
    fn network_nsg_dns_restricted_missing() {
        nsg_missing("network_nsg_dns_restricted", "53");
    }

    #[test]
    fn network_nsg_udp_restricted_pass() {
        // The unmodified example is protocol "*" (so UDP too); restricted to TCP it passes.
        for change in [
            json!({"protocol": "Tcp"}),
            json!({"protocol": "Udp", "sourceAddressPrefix": "192.168.0.0/16"}),
        ] {
            let v = eval_resource("network_nsg_udp_restricted", &with_rule1(change.clone()));
            assert_eq!(v.status, S::Pass, "{change}: {}", v.reason);
        }
    }
    #[test]
    fn network_nsg_udp_restricted_fail() {
        // The example's rule1 is protocol "*" to port 80: that includes UDP 80.
        let v = eval_resource("network_nsg_udp_restricted", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        nsg_fails(
            "network_nsg_udp_restricted",
            "UDP (any port)",
            &[json!({"destinationPortRange": "500", "protocol": "Udp"})],
        );
    }
    #[test]
    fn network_nsg_udp_restricted_missing() {
        nsg_missing("network_nsg_udp_restricted", "500");
    }

    #[test]
    fn the_list_example_has_no_custom_rules_and_passes() {
        let r = fixture_resource(
            "network/network_security_groups_list_all.2024-07-01.json",
            0,
        );
        assert_eq!(
            eval_resource("network_nsg_ssh_restricted", &r).status,
            S::Pass
        );
    }

    #[test]
    fn application_security_group_sources_are_not_the_internet() {
        let r = with_rule1(json!({
            "destinationPortRange": "*", "sourceAddressPrefix": null,
            "sourceApplicationSecurityGroups": [{"id": "/subscriptions/s/asg"}]
        }));
        for id in [
            "network_nsg_all_ports_restricted",
            "network_nsg_ssh_restricted",
        ] {
            let v = eval_resource(id, &r);
            assert_eq!(v.status, S::Pass, "{id}: {}", v.reason);
        }
    }

    /// The destination of a rule may be given by prefix, by prefix list or by application
    /// security groups; a rule with none of them cannot be read (an error naming it).
    #[test]
    fn every_destination_form_is_read() {
        let open_to = |dest: Value| {
            let mut rule = json!({
                "destinationPortRange": "22", "sourceAddressPrefix": "*",
                "destinationAddressPrefix": null
            });
            for (k, v) in dest.as_object().unwrap() {
                rule[k] = v.clone();
            }
            eval_resource("network_nsg_ssh_restricted", &with_rule1(rule))
        };
        for dest in [
            json!({"destinationAddressPrefixes": ["10.0.0.0/24", "10.0.1.0/24"]}),
            json!({"destinationApplicationSecurityGroups": [{"id": "/subscriptions/s/asg-web"}]}),
        ] {
            let v = open_to(dest.clone());
            assert_eq!(v.status, S::Fail, "{dest}: {}", v.reason);
        }
        let v = open_to(json!({}));
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(
            v.reason.contains("no destination address prefix"),
            "{}",
            v.reason
        );
    }

    // --- set semantics: the trap classes ---------------------------------------------------

    fn allow(name: &str, priority: i64, protocol: &str, sources: Value, ports: Value) -> Value {
        json!({"name": name, "properties": {
            "protocol": protocol, "sourcePortRange": "*", "destinationPortRanges": ports,
            "sourceAddressPrefixes": sources, "destinationAddressPrefix": "*",
            "access": "Allow", "priority": priority, "direction": "Inbound"
        }})
    }

    /// rule1 of the example made harmless (port 80 from a private range), plus `extra`.
    fn nsg_with(extra: Value) -> Resource {
        with_rules(json!({"sourceAddressPrefix": "10.0.0.0/8"}), extra)
    }

    #[test]
    fn prefixes_that_together_cover_the_internet_are_the_internet() {
        for (why, sources) in [
            ("IPv4 halves", json!(["0.0.0.0/1", "128.0.0.0/1"])),
            ("IPv6 halves", json!(["::/1", "8000::/1"])),
            // Every public IPv4 block without the private ones is just as open.
            (
                "public IPv4 only",
                json!([
                    "1.0.0.0/8",
                    "2.0.0.0/7",
                    "4.0.0.0/6",
                    "8.0.0.0/7",
                    "11.0.0.0/8",
                    "12.0.0.0/6",
                    "16.0.0.0/4",
                    "32.0.0.0/3",
                    "64.0.0.0/2",
                    "128.0.0.0/1"
                ]),
            ),
        ] {
            let r = nsg_with(json!([allow("open", 300, "Tcp", sources, json!(["22"]))]));
            let v = eval_resource("network_nsg_ssh_restricted", &r);
            assert_eq!(v.status, S::Fail, "{why}: {}", v.reason);
            assert_eq!(offending(&v), json!(["open"]), "{why}");
        }
        // Two rules, each half of IPv4, on the same port together expose it.
        let r = nsg_with(json!([
            allow("low", 300, "Tcp", json!(["0.0.0.0/1"]), json!(["3389"])),
            allow("high", 310, "*", json!(["128.0.0.0/1"]), json!(["3389"])),
        ]));
        let v = eval_resource("network_nsg_rdp_restricted", &r);
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert_eq!(offending(&v), json!(["low", "high"]));
        assert_eq!(
            v.observed["exposed"],
            json!([{"protocol": "Tcp", "family": "IPv4", "ports": "3389"}])
        );
        // Half of the internet alone, or halves on different ports, is not the internet.
        for extra in [
            json!([allow(
                "low",
                300,
                "Tcp",
                json!(["0.0.0.0/1"]),
                json!(["22"])
            )]),
            json!([
                allow("low", 300, "Tcp", json!(["0.0.0.0/1"]), json!(["22"])),
                allow("high", 310, "Tcp", json!(["128.0.0.0/1"]), json!(["23"])),
            ]),
        ] {
            let v = eval_resource("network_nsg_ssh_restricted", &nsg_with(extra));
            assert_eq!(v.status, S::Pass, "{}", v.reason);
        }
    }

    #[test]
    fn port_ranges_that_together_cover_every_port_are_all_ports() {
        let r = nsg_with(json!([allow(
            "split",
            300,
            "Tcp",
            json!(["*"]),
            json!(["0-32767", "32768-65535"])
        )]));
        let v = eval_resource("network_nsg_all_ports_restricted", &r);
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert_eq!(offending(&v), json!(["split"]));
        // The same split over two rules, and a list that skips one port.
        let r = nsg_with(json!([
            allow("a", 300, "Tcp", json!(["Internet"]), json!(["1-1000"])),
            allow("b", 301, "Tcp", json!(["Internet"]), json!(["1001-65535"])),
        ]));
        assert_eq!(
            eval_resource("network_nsg_all_ports_restricted", &r).status,
            S::Fail
        );
        let r = nsg_with(json!([allow(
            "gap",
            300,
            "Tcp",
            json!(["*"]),
            json!(["1-442", "444-65535"])
        )]));
        let v = eval_resource("network_nsg_all_ports_restricted", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // Denies that close every port to the internet, written as two ranges, shadow it.
        let r = nsg_with(json!([
            allow("all", 300, "*", json!(["*"]), json!(["*"])),
            deny("low", 200, "*", "Internet", "0-1023"),
            deny("high", 210, "*", "Internet", "1024-65535"),
        ]));
        let v = eval_resource("network_nsg_all_ports_restricted", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.observed["shadowed_rules"],
            json!([{"rule": "all", "shadowed_by": ["high", "low"]}])
        );
    }

    #[test]
    fn denies_whose_sources_together_cover_the_internet_shadow() {
        let mut d1 = deny("deny-v4", 100, "Tcp", "x", "22");
        d1["properties"]["sourceAddressPrefix"] = Value::Null;
        d1["properties"]["sourceAddressPrefixes"] = json!(["0.0.0.0/1", "128.0.0.0/1"]);
        let mut d2 = deny("deny-v6", 110, "Tcp", "x", "22");
        d2["properties"]["sourceAddressPrefix"] = Value::Null;
        d2["properties"]["sourceAddressPrefixes"] = json!(["::/1", "8000::/1"]);
        let open = json!({"destinationPortRange": "22"});
        let v = eval_resource(
            "network_nsg_ssh_restricted",
            &with_rules(open.clone(), json!([d1.clone(), d2])),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.observed["shadowed_rules"],
            json!([{"rule": "rule1", "shadowed_by": ["deny-v4", "deny-v6"]}])
        );
        // The IPv4 halves alone leave IPv6 open.
        let v = eval_resource(
            "network_nsg_ssh_restricted",
            &with_rules(open.clone(), json!([d1])),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert_eq!(
            v.observed["exposed"],
            json!([{"protocol": "Tcp", "family": "IPv6", "ports": "22"}])
        );
        // A Deny from Internet shadows: what is left of * is private space.
        let v = eval_resource(
            "network_nsg_ssh_restricted",
            &with_rules(open, json!([deny("no-inet", 100, "*", "Internet", "*")])),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }

    #[test]
    fn unknown_service_tags_fail_closed() {
        // An Allow from a service tag may be internet-wide.
        let v = eval_resource(
            "network_nsg_ssh_restricted",
            &with_rule1(json!({"destinationPortRange": "22", "sourceAddressPrefix": "AzureCloud"})),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert!(
            v.reason
                .contains("service tag AzureCloud may include any internet address"),
            "{}",
            v.reason
        );
        // VirtualNetwork and AzureLoadBalancer are not the internet.
        for tag in ["VirtualNetwork", "AzureLoadBalancer"] {
            let v = eval_resource(
                "network_nsg_ssh_restricted",
                &with_rule1(json!({"destinationPortRange": "22", "sourceAddressPrefix": tag})),
            );
            assert_eq!(v.status, S::Pass, "{tag}: {}", v.reason);
        }
        // A Deny from a service tag covers nothing.
        let v = eval_resource(
            "network_nsg_ssh_restricted",
            &with_rules(
                json!({"destinationPortRange": "22"}),
                json!([deny("tag", 100, "Tcp", "Storage", "22")]),
            ),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        // A Deny whose source ports are narrowed is never credited, and says so on a pass.
        let mut narrow = deny("narrow", 100, "Tcp", "*", "22");
        narrow["properties"]["sourcePortRange"] = json!("1024-65535");
        let v = eval_resource(
            "network_nsg_ssh_restricted",
            &with_rules(
                json!({"destinationPortRange": "22"}),
                json!([narrow.clone()]),
            ),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        let v = eval_resource("network_nsg_ssh_restricted", &nsg_with(json!([narrow])));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert!(v.reason.contains("narrow: source ports"), "{}", v.reason);
    }

    #[test]
    fn unparseable_values_are_errors_naming_the_value() {
        for (change, bad) in [
            (json!({"destinationPortRange": "22-x"}), "\"22-x\""),
            (
                json!({"sourceAddressPrefix": "10.0.0.300/8", "destinationPortRange": "22"}),
                "\"10.0.0.300/8\"",
            ),
            (json!({"protocol": "Gre"}), "\"Gre\""),
            (
                json!({"destinationAddressPrefix": "10.0.0.0/40"}),
                "\"10.0.0.0/40\"",
            ),
        ] {
            let v = eval_resource("network_nsg_ssh_restricted", &with_rule1(change.clone()));
            assert_eq!(v.status, S::Error, "{change}: {}", v.reason);
            assert!(
                v.reason.contains("rule1") && v.reason.contains(bad),
                "{change}: {}",
                v.reason
            );
        }
    }

    /// Source tokens and, per token, which atoms it covers: the four IPv4 /2 blocks (each
    /// meets the public internet, so IPv4 is exposed exactly when all four are admitted) and
    /// the IPv6 half ::/1 (which holds all of 2000::/3, the public IPv6 space).
    const TOKENS: [(&str, [bool; 5]); 9] = [
        ("*", [true, true, true, true, true]),
        ("0.0.0.0/0", [true, true, true, true, false]),
        ("0.0.0.0/1", [true, true, false, false, false]),
        ("128.0.0.0/1", [false, false, true, true, false]),
        ("64.0.0.0/2", [false, true, false, false, false]),
        ("192.0.0.0/2", [false, false, false, true, false]),
        ("::/1", [false, false, false, false, true]),
        ("8000::/1", [false; 5]),
        ("10.0.0.0/8", [false; 5]),
    ];
    const PORTS: [(&str, bool); 5] = [
        ("22", true),
        ("*", true),
        ("20-23", true),
        ("23-65535", false),
        ("0-21", false),
    ];
    const PROTOS: [(&str, bool); 3] = [("Tcp", true), ("*", true), ("Udp", false)];

    proptest::proptest! {
        /// End to end through the JSON reader: random Allow/Deny rules with protocols, split
        /// prefixes and port specs, judged by the SSH check, against first-match evaluation
        /// of every (atom, TCP 22) by hand.
        #[test]
        fn nsg_ssh_verdict_matches_first_match_on_atoms(
            rules in proptest::collection::vec(
                (proptest::bool::ANY, 0..3usize, proptest::collection::vec(0..9usize, 1..3), 0..5usize),
                0..6,
            )
        ) {
            let mut extra = Vec::new();
            let mut admitted = [false; 5];
            let mut decided = [false; 5];
            for (i, (allow, proto, srcs, port)) in rules.iter().enumerate() {
                let prefixes: Vec<&str> = srcs.iter().map(|&t| TOKENS[t].0).collect();
                let priority = 100 + i as i64;
                extra.push(json!({"name": format!("r{i}"), "properties": {
                    "protocol": PROTOS[*proto].0, "sourcePortRange": "*",
                    "destinationPortRange": PORTS[*port].0,
                    "sourceAddressPrefixes": prefixes, "destinationAddressPrefix": "*",
                    "access": if *allow { "Allow" } else { "Deny" },
                    "priority": priority, "direction": "Inbound"
                }}));
                // Rules are generated in priority order: the first match decides each atom.
                if PROTOS[*proto].1 && PORTS[*port].1 {
                    for atom in 0..5 {
                        if !decided[atom] && srcs.iter().any(|&t| TOKENS[t].1[atom]) {
                            decided[atom] = true;
                            admitted[atom] = *allow;
                        }
                    }
                }
            }
            let exposed = admitted[..4].iter().all(|&a| a) || admitted[4];
            let v = eval_resource("network_nsg_ssh_restricted", &nsg_with(Value::from(extra)));
            let want = if exposed { S::Fail } else { S::Pass };
            proptest::prop_assert_eq!(v.status, want, "{}", v.reason);
        }
    }

    #[test]
    fn default_rules_are_evaluated_and_never_expose() {
        let r = fixture_resource(GET, 0);
        assert!(r.prop("/defaultSecurityRules").is_some());
        let v = eval_resource("network_nsg_all_ports_restricted", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["defaultSecurityRules.count"], json!(6));
        // DenyAllInBound (65500) comes after every user rule: it shadows nothing.
        let v = eval_resource(
            "network_nsg_ssh_restricted",
            &with_rule1(json!({"destinationPortRange": "22"})),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
    }

    // --- flow logs -------------------------------------------------------------------------

    /// Microsoft's flow log example targets `.../networkSecurityGroups/vm5-nsg`.
    const FLOW_TARGET: &str = "/subscriptions/subid/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/vm5-nsg";

    fn flow_log(edit: impl FnOnce(&mut Resource)) -> Resource {
        let mut f = resource(handmade(FLOW_LOG));
        edit(&mut f);
        f
    }

    fn nsg_at(id: &str) -> Resource {
        let mut n = fixture_resource(GET, 0);
        n.id = id.to_string();
        n
    }

    #[test]
    fn network_nsg_flow_logs_enabled_pass() {
        // Case differs from the flow log's target: ids compare case-insensitively.
        let nsg = nsg_at(&FLOW_TARGET.to_uppercase());
        let v = ctx_eval::resource("network_nsg_flow_logs_enabled", &nsg, &[flow_log(|_| {})]);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert!(v.reason.contains("flowLog1"));

        // A virtual network flow log covers an NSG attached to one of its subnets.
        let mut nsg = fixture_resource(GET, 0);
        set_prop(
            &mut nsg,
            "/subnets",
            json!([{"id": "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/test-vnet/subnets/subnet1"}]),
        );
        let vnet_log = flow_log(|f| {
            set_prop(
                f,
                "/targetResourceId",
                json!(
                    "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/test-vnet"
                ),
            )
        });
        let v = ctx_eval::resource("network_nsg_flow_logs_enabled", &nsg, &[vnet_log]);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn network_nsg_flow_logs_enabled_fail() {
        let nsg = nsg_at(FLOW_TARGET);
        let v = ctx_eval::resource(
            "network_nsg_flow_logs_enabled",
            &nsg,
            &[flow_log(|f| set_prop(f, "/enabled", json!(false)))],
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("disabled"), "{}", v.reason);
        assert_eq!(v.observed["flow_logs"][0]["enabled"], json!(false));

        // The example NSG (testnsg) is not the flow log's target.
        let v = ctx_eval::resource(
            "network_nsg_flow_logs_enabled",
            &fixture_resource(GET, 0),
            &[flow_log(|_| {})],
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.starts_with("no flow log targets"), "{}", v.reason);
    }
    #[test]
    fn network_nsg_flow_logs_enabled_missing() {
        let v = ctx_eval::resource(
            "network_nsg_flow_logs_enabled",
            &nsg_at(FLOW_TARGET),
            &[flow_log(|f| set_prop(f, "/enabled", json!(null)))],
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("properties.enabled"), "{}", v.reason);
    }

    #[test]
    fn network_flow_log_retention_sufficient_pass() {
        // The example: retentionPolicy {days: 0, enabled: false} keeps records indefinitely.
        let f = flow_log(|_| {});
        let v = ctx_eval::resource("network_flow_log_retention_sufficient", &f, &[]);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert!(v.reason.contains("indefinitely"));
        let f = flow_log(|f| set_prop(f, "/retentionPolicy", json!({"days": 90, "enabled": true})));
        let v = ctx_eval::resource("network_flow_log_retention_sufficient", &f, &[]);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["min_log_retention_days"], json!(90));
    }
    #[test]
    fn network_flow_log_retention_sufficient_fail() {
        let f = flow_log(|f| set_prop(f, "/retentionPolicy", json!({"days": 30, "enabled": true})));
        let v = ctx_eval::resource("network_flow_log_retention_sufficient", &f, &[]);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "flow records are kept only 30 days (minimum 90)")
        );
        assert_eq!(v.observed["properties.retentionPolicy.days"], json!(30));
    }
    #[test]
    fn network_flow_log_retention_sufficient_missing() {
        let f = flow_log(|f| set_prop(f, "/retentionPolicy", json!(null)));
        let v = ctx_eval::resource("network_flow_log_retention_sufficient", &f, &[]);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("retentionPolicy"), "{}", v.reason);
        // A disabled flow log keeps nothing to retain.
        let f = flow_log(|f| set_prop(f, "/enabled", json!(false)));
        let v = ctx_eval::resource("network_flow_log_retention_sufficient", &f, &[]);
        assert_eq!(v.status, S::NotApplicable);
    }

    #[test]
    fn network_flow_log_traffic_analytics_enabled_pass() {
        let f = flow_log(|f| {
            set_prop(
                f,
                "/flowAnalyticsConfiguration/networkWatcherFlowAnalyticsConfiguration",
                json!({"enabled": true, "workspaceResourceId": "/subscriptions/subid/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws", "trafficAnalyticsInterval": 10}),
            )
        });
        let v = eval_resource("network_flow_log_traffic_analytics_enabled", &f);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn network_flow_log_traffic_analytics_enabled_fail() {
        // The example: analytics disabled, workspace "-".
        let v = eval_resource(
            "network_flow_log_traffic_analytics_enabled",
            &flow_log(|_| {}),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "traffic analytics is disabled")
        );
        let f = flow_log(|f| {
            set_prop(
                f,
                "/flowAnalyticsConfiguration/networkWatcherFlowAnalyticsConfiguration/enabled",
                json!(true),
            )
        });
        let v = eval_resource("network_flow_log_traffic_analytics_enabled", &f);
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("without a workspace"));
    }
    #[test]
    fn network_flow_log_traffic_analytics_enabled_missing() {
        let f = flow_log(|f| set_prop(f, "/flowAnalyticsConfiguration", json!(null)));
        let v = eval_resource("network_flow_log_traffic_analytics_enabled", &f);
        assert_eq!(v.status, S::Error);
        assert_eq!(
            v.observed["properties.flowAnalyticsConfiguration.networkWatcherFlowAnalyticsConfiguration"],
            Value::Null
        );
    }

    // --- Network Watcher and Bastion -----------------------------------------------------

    fn in_sub(mut r: Resource, sub: &str) -> Resource {
        r.subscription_id = sub.to_string();
        r
    }

    fn watchers() -> Vec<Resource> {
        handmade(WATCHERS)["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| in_sub(resource(w.clone()), "sub-a"))
            .collect()
    }

    const VNET_GET: &str = "network/virtual_network_get.2025-01-01.json";
    const VM_GET: &str = "compute/virtual_machine_get.2025-04-01.json";

    #[test]
    fn network_watcher_enabled_all_regions_pass() {
        // The VNet is in westus; the VM's "West US" is the same region.
        let mut all = watchers();
        all.push(in_sub(fixture_resource(VNET_GET, 0), "sub-a"));
        all.push(in_sub(fixture_resource(VM_GET, 0), "sub-a"));
        let v = ctx_eval::subscription("network_watcher_enabled_all_regions", "sub-a", all);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["regions_in_use"], json!(["westus"]));
        assert_eq!(v.observed["watcher_regions"], json!(["eastus", "westus"]));
    }
    #[test]
    fn network_watcher_enabled_all_regions_fail() {
        let mut all = watchers();
        let mut vnet = in_sub(fixture_resource(VNET_GET, 0), "sub-a");
        vnet.location = Some("North Europe".into());
        all.push(vnet);
        // A watcher in another subscription does not count.
        let mut other = in_sub(fixture_resource(VNET_GET, 0), "sub-b");
        other.location = Some("northeurope".into());
        let mut w = other.clone();
        w.r#type = "microsoft.network/networkwatchers".into();
        w.id = "/subscriptions/sub-b/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/nw".into();
        all.push(w);
        let v = ctx_eval::subscription("network_watcher_enabled_all_regions", "sub-a", all);
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["missing_regions"], json!(["northeurope"]));
        assert!(v.reason.contains("northeurope"));
    }
    #[test]
    fn network_watcher_enabled_all_regions_missing() {
        // No network resources at all: nothing to watch.
        let v = ctx_eval::subscription("network_watcher_enabled_all_regions", "sub-a", watchers());
        assert_eq!(v.status, S::NotApplicable);
        // Resource Graph not collected: every subscription is an error.
        let mut inv = testutil::inventory(vec![]);
        inv.sources.retain(|s| s.name != "resource_graph.resources");
        let r = testutil::run_check(find("network_watcher_enabled_all_regions").unwrap(), &inv);
        assert_eq!(r.status, S::Error);
    }

    #[test]
    fn network_bastion_host_present_pass() {
        let all = vec![
            in_sub(fixture_resource(VM_GET, 0), "sub-a"),
            in_sub(resource(handmade(BASTION)), "sub-a"),
        ];
        let v = ctx_eval::subscription("network_bastion_host_present", "sub-a", all);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["virtual_machines_and_scale_sets"], json!(1));
    }
    #[test]
    fn network_bastion_host_present_fail() {
        let all = vec![
            in_sub(fixture_resource(VM_GET, 0), "sub-a"),
            in_sub(resource(handmade(BASTION)), "sub-b"),
        ];
        let v = ctx_eval::subscription("network_bastion_host_present", "sub-a", all);
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["bastion_hosts"], json!([]));
    }
    #[test]
    fn network_bastion_host_present_missing() {
        let v = ctx_eval::subscription("network_bastion_host_present", "sub-a", vec![]);
        assert_eq!(v.status, S::NotApplicable);
        // Resource Graph not collected: the gap is an error, never a pass.
        let mut inv = testutil::inventory(vec![]);
        inv.sources.clear();
        let r = testutil::run_check(find("network_bastion_host_present").unwrap(), &inv);
        assert_eq!(r.status, S::Error);
        assert!(r.findings.iter().all(|f| f.status != S::Pass));
    }

    // --- virtual networks and public IPs -------------------------------------------------

    #[test]
    fn network_vnet_subnets_have_nsg_pass() {
        let mut r = fixture_resource(VNET_GET, 0);
        set_prop(
            &mut r,
            "/subnets/0/properties/networkSecurityGroup",
            json!({"id": "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/nsg1"}),
        );
        let v = eval_resource("network_vnet_subnets_have_nsg", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // The list example's vnet2 has no subnets.
        let v = eval_resource(
            "network_vnet_subnets_have_nsg",
            &fixture_resource("network/virtual_networks_list_all.2024-07-01.json", 1),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // A gateway subnet cannot carry an NSG and is exempt.
        let mut r = fixture_resource(VNET_GET, 0);
        set_prop(&mut r, "/subnets/0/name", json!("GatewaySubnet"));
        let v = eval_resource("network_vnet_subnets_have_nsg", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["exempt_subnets"], json!(["GatewaySubnet"]));
    }
    #[test]
    fn network_vnet_subnets_have_nsg_fail() {
        // Microsoft's example: subnet1 has no networkSecurityGroup.
        let v = eval_resource(
            "network_vnet_subnets_have_nsg",
            &fixture_resource(VNET_GET, 0),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "subnets without a network security group: subnet1")
        );
        assert_eq!(v.observed["subnets_without_nsg"], json!(["subnet1"]));
    }
    #[test]
    fn network_vnet_subnets_have_nsg_missing() {
        let mut r = fixture_resource(VNET_GET, 0);
        set_prop(&mut r, "/subnets", json!(null));
        let v = eval_resource("network_vnet_subnets_have_nsg", &r);
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["properties.subnets"], Value::Null);
    }

    #[test]
    fn network_vnet_ddos_protection_enabled_pass() {
        let mut r = fixture_resource(VNET_GET, 0);
        set_prop(&mut r, "/enableDdosProtection", json!(true));
        set_prop(
            &mut r,
            "/ddosProtectionPlan",
            json!({"id": "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/ddosProtectionPlans/test-plan"}),
        );
        let v = eval_resource("network_vnet_ddos_protection_enabled", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn network_vnet_ddos_protection_enabled_fail() {
        let mut r = fixture_resource(VNET_GET, 0);
        set_prop(&mut r, "/enableDdosProtection", json!(false));
        let v = eval_resource("network_vnet_ddos_protection_enabled", &r);
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["properties.enableDdosProtection"], json!(false));
        // Enabled without a plan protects nothing.
        set_prop(&mut r, "/enableDdosProtection", json!(true));
        let v = eval_resource("network_vnet_ddos_protection_enabled", &r);
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("no DDoS protection plan"));
    }
    #[test]
    fn network_vnet_ddos_protection_enabled_missing() {
        // Microsoft's example omits enableDdosProtection; Azure documents false as default.
        let v = eval_resource(
            "network_vnet_ddos_protection_enabled",
            &fixture_resource(VNET_GET, 0),
        );
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("documented default false"),
            "{}",
            v.reason
        );
        assert_eq!(v.observed["properties.enableDdosProtection"], Value::Null);
        let v = eval_resource(
            "network_vnet_ddos_protection_enabled",
            &without_body(&fixture_resource(VNET_GET, 0)),
        );
        assert_eq!(v.status, S::Error);
        let mut r = fixture_resource(VNET_GET, 0);
        set_prop(&mut r, "/enableDdosProtection", json!("yes"));
        assert_eq!(
            eval_resource("network_vnet_ddos_protection_enabled", &r).status,
            S::Error
        );
    }

    const PIP: &str = "network/public_ip_address_get.2025-01-01.json";

    #[test]
    fn network_public_ip_standard_sku_pass() {
        let mut r = fixture_resource(PIP, 0);
        r.sku = Some(json!({"name": "Standard", "tier": "Regional"}));
        let v = eval_resource("network_public_ip_standard_sku", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["sku.name"], json!("Standard"));
    }
    #[test]
    fn network_public_ip_standard_sku_fail() {
        let mut r = fixture_resource(PIP, 0);
        r.sku = Some(json!({"name": "Basic", "tier": "Regional"}));
        let v = eval_resource("network_public_ip_standard_sku", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "the public IP uses the retired Basic SKU")
        );
    }
    #[test]
    fn network_public_ip_standard_sku_missing() {
        // Microsoft's get example carries no sku.
        let v = eval_resource("network_public_ip_standard_sku", &fixture_resource(PIP, 0));
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["sku.name"], Value::Null);
    }

    // --- application gateways ------------------------------------------------------------

    fn appgw(edit: impl FnOnce(&mut Resource)) -> Resource {
        let mut r = resource(handmade(APPGW));
        edit(&mut r);
        r
    }

    const WAF_ID: &str = "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/Policy1";

    fn waf_policy(edit: impl FnOnce(&mut Resource)) -> Resource {
        let mut p = resource(handmade(WAF));
        edit(&mut p);
        p
    }

    fn with_policy(r: &mut Resource) {
        set_prop(r, "/sku", json!({"name": "WAF_v2", "tier": "WAF_v2"}));
        set_prop(r, "/firewallPolicy", json!({"id": WAF_ID.to_lowercase()}));
    }

    #[test]
    fn network_appgw_waf_enabled_pass() {
        let v = ctx_eval::resource(
            "network_appgw_waf_enabled",
            &appgw(with_policy),
            &[waf_policy(|_| {})],
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.observed["waf_policy.policySettings.state"],
            json!("Enabled")
        );
        let inline = appgw(|r| {
            set_prop(
                r,
                "/webApplicationFirewallConfiguration",
                json!({"enabled": true, "firewallMode": "Detection"}),
            )
        });
        let v = ctx_eval::resource("network_appgw_waf_enabled", &inline, &[]);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn network_appgw_waf_enabled_fail() {
        // Microsoft's example: Standard tier, no WAF at all.
        let v = ctx_eval::resource("network_appgw_waf_enabled", &appgw(|_| {}), &[]);
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["properties.sku.tier"], json!("Standard"));
        let v = ctx_eval::resource(
            "network_appgw_waf_enabled",
            &appgw(with_policy),
            &[waf_policy(|p| {
                set_prop(p, "/policySettings/state", json!("Disabled"))
            })],
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "WAF policy Policy1 is Disabled")
        );
    }
    #[test]
    fn network_appgw_waf_enabled_missing() {
        // The policy is associated but was not collected: unknown, not a pass.
        let v = ctx_eval::resource("network_appgw_waf_enabled", &appgw(with_policy), &[]);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not collected"), "{}", v.reason);
    }

    #[test]
    fn network_appgw_waf_prevention_mode_pass() {
        let v = ctx_eval::resource(
            "network_appgw_waf_prevention_mode",
            &appgw(with_policy),
            &[waf_policy(|_| {})],
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.observed["waf_policy.policySettings.mode"],
            json!("Prevention")
        );
    }
    #[test]
    fn network_appgw_waf_prevention_mode_fail() {
        let inline = appgw(|r| {
            set_prop(
                r,
                "/webApplicationFirewallConfiguration",
                json!({"enabled": true, "firewallMode": "Detection"}),
            )
        });
        let v = ctx_eval::resource("network_appgw_waf_prevention_mode", &inline, &[]);
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("Detection"), "{}", v.reason);
        let v = ctx_eval::resource("network_appgw_waf_prevention_mode", &appgw(|_| {}), &[]);
        assert_eq!(v.status, S::Fail);
    }
    #[test]
    fn network_appgw_waf_prevention_mode_missing() {
        let v = ctx_eval::resource(
            "network_appgw_waf_prevention_mode",
            &appgw(with_policy),
            &[waf_policy(|p| {
                set_prop(p, "/policySettings/mode", json!(null))
            })],
        );
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["waf_policy.policySettings.mode"], Value::Null);
    }

    fn tls12_gateway(r: &mut Resource) {
        set_prop(
            r,
            "/sslPolicy",
            json!({"policyType": "Predefined", "policyName": "AppGwSslPolicy20220101S"}),
        );
    }

    #[test]
    fn network_appgw_min_tls_1_2_pass() {
        let r = appgw(|r| {
            tls12_gateway(r);
            set_prop(
                r,
                "/sslProfiles/0/properties/sslPolicy/minProtocolVersion",
                json!("TLSv1_2"),
            );
        });
        let v = eval_resource("network_appgw_min_tls_1_2", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["weak_policies"], json!([]));
    }
    #[test]
    fn network_appgw_min_tls_1_2_fail() {
        // Microsoft's example: SSL profile sslProfile1 allows TLS 1.1.
        let v = eval_resource("network_appgw_min_tls_1_2", &appgw(tls12_gateway));
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["weak_policies"],
            json!(["SSL profile sslProfile1"])
        );
        let r = appgw(|r| {
            set_prop(
                r,
                "/sslPolicy",
                json!({"policyType": "Predefined", "policyName": "AppGwSslPolicy20150501"}),
            );
            set_prop(
                r,
                "/sslProfiles/0/properties/sslPolicy/minProtocolVersion",
                json!("TLSv1_2"),
            );
        });
        let v = eval_resource("network_appgw_min_tls_1_2", &r);
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("gateway sslPolicy"), "{}", v.reason);
    }
    #[test]
    fn network_appgw_min_tls_1_2_missing() {
        // No gateway-level sslPolicy: Azure's default depends on the creation API version.
        let r = appgw(|r| {
            set_prop(
                r,
                "/sslProfiles/0/properties/sslPolicy/minProtocolVersion",
                json!("TLSv1_2"),
            )
        });
        let v = eval_resource("network_appgw_min_tls_1_2", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("API version"), "{}", v.reason);
        assert_eq!(v.observed["properties.sslPolicy"], Value::Null);
    }
}
