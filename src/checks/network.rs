//! Network security group checks (`Microsoft.Network/networkSecurityGroups`): inbound rules
//! that expose remote-administration ports, or every port, to the internet.
//!
//! All three checks share one rule matcher ([`rule_admits`]) parametrised by an [`Exposure`],
//! so SSH, RDP and "all ports" can never drift apart in how they read a rule.

use serde_json::Value;

use super::{Check, CheckMeta, Eval, Severity, Verdict};
use crate::model::Resource;

const TYPE: &str = "microsoft.network/networksecuritygroups";
const RG: &str = "resource_graph.resources";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "network_nsg_ssh_restricted",
            title: "Network security groups do not allow SSH from the internet",
            service: "network",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[
                "2.1.0:6.2",
                "3.0.0:7.2",
                "4.0.0:8.2",
                "5.0.0:7.2",
                "6.0.0:7.2",
            ],
            policies: &[],
            description: "Reads properties.securityRules (the user-defined rules; the fixed default \
                          rules never admit internet traffic). Fails when any rule with access Allow \
                          and direction Inbound, protocol Tcp or *, a source in \
                          sourceAddressPrefix/sourceAddressPrefixes that means the internet (*, \
                          Internet, Any, 0.0.0.0, or any /0 prefix such as 0.0.0.0/0 or ::/0) and a \
                          destination port in destinationPortRange/destinationPortRanges covering 22 \
                          (a single port, a range such as 20-25, or *). The offending rule names are \
                          recorded. Higher-priority Deny rules are not credited, so a shadowed Allow \
                          still fails: the rule is one edit away from exposure. Absent \
                          securityRules is an error.",
            rationale: "SSH open to the internet invites credential brute force and exploitation \
                        of the daemon; CC6.6 requires logical access measures against threats from \
                        outside the system boundary, and CC6.1 restricts access to infrastructure.",
            remediation: "Portal: Network security group > Inbound security rules > edit or delete \
                          the rule; restrict the source to known addresses, or use Azure Bastion or \
                          just-in-time VM access instead. CLI: az network nsg rule update -g <rg> \
                          --nsg-name <nsg> -n <rule> --source-address-prefixes <cidr> (or az network \
                          nsg rule delete -g <rg> --nsg-name <nsg> -n <rule>)",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, ssh_restricted),
    },
    Check {
        meta: CheckMeta {
            id: "network_nsg_rdp_restricted",
            title: "Network security groups do not allow RDP from the internet",
            service: "network",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[
                "2.1.0:6.1",
                "3.0.0:7.1",
                "4.0.0:8.1",
                "5.0.0:7.1",
                "6.0.0:7.1",
            ],
            policies: &[],
            description: "Reads properties.securityRules. Fails when any rule with access Allow and \
                          direction Inbound, protocol Tcp or *, an internet source (*, Internet, \
                          Any, 0.0.0.0, or any /0 prefix) in sourceAddressPrefix/\
                          sourceAddressPrefixes and a destination port covering 3389 (single port, \
                          range or *, in destinationPortRange/destinationPortRanges). The offending \
                          rule names are recorded. Higher-priority Deny rules are not credited. \
                          Absent securityRules is an error.",
            rationale: "RDP exposed to the internet is a leading ransomware entry point; CC6.6 \
                        requires protection against threats from outside the system boundary and \
                        CC6.1 restricts access to infrastructure.",
            remediation: "Portal: Network security group > Inbound security rules > edit or delete \
                          the rule; use Azure Bastion or just-in-time VM access for administration. \
                          CLI: az network nsg rule update -g <rg> --nsg-name <nsg> -n <rule> \
                          --source-address-prefixes <cidr> (or az network nsg rule delete -g <rg> \
                          --nsg-name <nsg> -n <rule>)",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, rdp_restricted),
    },
    Check {
        meta: CheckMeta {
            id: "network_nsg_all_ports_restricted",
            title: "Network security groups do not open every port to the internet",
            service: "network",
            severity: Severity::Critical,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: "Reads properties.securityRules. Fails when any rule with access Allow and \
                          direction Inbound, protocol Tcp, Udp or * (ICMP, ESP and AH carry no ports \
                          and are not counted), an internet source (*, Internet, Any, 0.0.0.0, or \
                          any /0 prefix) and a destination port range covering the whole port space \
                          (*, 0-65535 or 1-65535). The offending rule names are recorded. Absent \
                          securityRules is an error.",
            rationale: "An any-port inbound rule from the internet removes the network boundary \
                        altogether for everything behind the group; CC6.6 requires measures against \
                        threats from outside the system boundary.",
            remediation: "Portal: Network security group > Inbound security rules > replace the rule \
                          with rules for the specific ports and sources the workload needs. CLI: az \
                          network nsg rule delete -g <rg> --nsg-name <nsg> -n <rule>",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, all_ports_restricted),
    },
];

/// Which destination ports a check looks for.
#[derive(Debug, Clone, Copy)]
enum Ports {
    One(u16),
    /// The whole port space.
    All,
}

/// What one check treats as exposure: the ports, the protocols that carry them, and the words
/// used in reasons.
#[derive(Debug, Clone, Copy)]
struct Exposure {
    ports: Ports,
    /// `*` always counts: it includes every protocol listed here.
    protocols: &'static [&'static str],
    label: &'static str,
}

const SSH: Exposure = Exposure {
    ports: Ports::One(22),
    protocols: &["Tcp"],
    label: "SSH (TCP 22)",
};
const RDP: Exposure = Exposure {
    ports: Ports::One(3389),
    protocols: &["Tcp"],
    label: "RDP (TCP 3389)",
};
const ALL_PORTS: Exposure = Exposure {
    ports: Ports::All,
    protocols: &["Tcp", "Udp"],
    label: "all ports",
};

fn ssh_restricted(r: &Resource) -> Verdict {
    exposure_verdict(r, SSH)
}

fn rdp_restricted(r: &Resource) -> Verdict {
    exposure_verdict(r, RDP)
}

fn all_ports_restricted(r: &Resource) -> Verdict {
    exposure_verdict(r, ALL_PORTS)
}

/// Evaluates every user-defined rule of the group against one exposure.
fn exposure_verdict(r: &Resource, e: Exposure) -> Verdict {
    let key = "properties.securityRules";
    let rules = match r.prop("/securityRules") {
        Some(Value::Array(rules)) => rules,
        Some(other) => {
            return Verdict::error(format!("{key} has unexpected value {other}"))
                .observe(key, Some(other));
        }
        None => {
            return Verdict::error(format!("{key} is not present in the collected data"))
                .observe(key, None);
        }
    };

    let mut offending = Vec::new();
    let mut unreadable = Vec::new();
    for rule in rules {
        let name = rule_name(rule);
        match rule_admits(rule, e) {
            Ok(true) => offending.push(name),
            Ok(false) => {}
            Err(why) => unreadable.push(format!("{name}: {why}")),
        }
    }

    let v = if !offending.is_empty() {
        // A rule we could read that exposes the port decides the finding, whatever else is
        // unreadable.
        Verdict::fail(format!(
            "inbound rules allow {} from the internet: {}",
            e.label,
            offending.join(", ")
        ))
    } else if !unreadable.is_empty() {
        Verdict::error(format!(
            "could not evaluate every rule for {}: {}",
            e.label,
            unreadable.join("; ")
        ))
    } else {
        Verdict::pass(format!(
            "no inbound Allow rule admits {} from the internet",
            e.label
        ))
    };
    v.observe_value("offending_rules", Value::from(offending))
        .observe_value("unreadable_rules", Value::from(unreadable))
        .observe_value("securityRules.count", Value::from(rules.len()))
}

fn rule_name(rule: &Value) -> String {
    rule.get("name")
        .or_else(|| rule.get("id"))
        .and_then(Value::as_str)
        .unwrap_or("(unnamed rule)")
        .to_string()
}

/// The one rule matcher: does this rule let internet traffic reach the exposure's ports?
/// `Err` names the field that was missing or unreadable, so the finding can say why it could
/// not decide.
fn rule_admits(rule: &Value, e: Exposure) -> Result<bool, String> {
    // ARM nests rule fields under `properties`; tolerate a flattened rule too.
    let p = rule.get("properties").unwrap_or(rule);
    let field = |k: &str| {
        p.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{k} is not present"))
    };

    let access = field("access")?;
    let direction = field("direction")?;
    if !access.eq_ignore_ascii_case("Allow") || !direction.eq_ignore_ascii_case("Inbound") {
        return Ok(false);
    }

    let protocol = field("protocol")?;
    if protocol != "*" && !e.protocols.iter().any(|x| x.eq_ignore_ascii_case(protocol)) {
        return Ok(false);
    }

    let sources = strings(p, "sourceAddressPrefix", "sourceAddressPrefixes");
    if sources.is_empty() {
        // A rule scoped to application security groups has no address prefix, and an ASG is
        // never the internet.
        let asgs = p
            .get("sourceApplicationSecurityGroups")
            .and_then(Value::as_array);
        if asgs.is_some_and(|a| !a.is_empty()) {
            return Ok(false);
        }
        return Err("no source address prefix".into());
    }
    if !sources.iter().any(|s| is_internet(s)) {
        return Ok(false);
    }

    let specs = strings(p, "destinationPortRange", "destinationPortRanges");
    if specs.is_empty() {
        return Err("no destination port range".into());
    }
    let mut hit = false;
    // The API takes lists as an array; commas are tolerated in case a collector joined them.
    for spec in specs.iter().flat_map(|s| s.split(',')) {
        let (lo, hi) = port_range(spec.trim())
            .ok_or_else(|| format!("unreadable destination port range {spec:?}"))?;
        hit |= match e.ports {
            Ports::One(port) => lo <= port && port <= hi,
            // Port 0 is reserved and never reachable, so 1-65535 is the whole usable space.
            Ports::All => lo <= 1 && hi == u16::MAX,
        };
    }
    Ok(hit)
}

/// A singular string field and its plural array form, as ARM returns them side by side.
fn strings<'a>(p: &'a Value, single: &str, plural: &str) -> Vec<&'a str> {
    let one = p.get(single).and_then(Value::as_str);
    let many = p
        .get(plural)
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

/// True for every address prefix NSGs accept that means "anywhere on the internet".
fn is_internet(prefix: &str) -> bool {
    ["*", "Internet", "Any", "0.0.0.0"]
        .iter()
        .any(|x| x.eq_ignore_ascii_case(prefix))
        || prefix.ends_with("/0")
}

/// `*`, `22` or `20-25` as an inclusive range.
fn port_range(spec: &str) -> Option<(u16, u16)> {
    if spec == "*" {
        return Some((0, u16::MAX));
    }
    match spec.split_once('-') {
        Some((lo, hi)) => {
            let (lo, hi) = (lo.trim().parse().ok()?, hi.trim().parse().ok()?);
            (lo <= hi).then_some((lo, hi))
        }
        None => spec.parse().ok().map(|p| (p, p)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{ALL_PORTS, SSH, port_range, rule_admits};
    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{eval_resource, fixture_resource, set_prop};
    use crate::model::Resource;

    /// Microsoft's NSG example: one custom rule, rule1, Allow Inbound * from * to port 80.
    const GET: &str = "network/network_security_group_get.2025-01-01.json";

    /// The example NSG with rule1's properties changed.
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

    fn offending(v: &crate::checks::Verdict) -> Value {
        v.observed["offending_rules"].clone()
    }

    #[test]
    fn network_nsg_ssh_restricted_pass() {
        // The unmodified example only opens port 80.
        let v = eval_resource("network_nsg_ssh_restricted", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(offending(&v), json!([]));
        assert_eq!(v.observed["securityRules.count"], json!(1));

        // UDP 22 is not SSH, and a private source is not the internet.
        for change in [
            json!({"destinationPortRange": "22", "protocol": "Udp"}),
            json!({"destinationPortRange": "22", "sourceAddressPrefix": "10.0.0.0/8"}),
            json!({"destinationPortRange": "22", "access": "Deny"}),
            json!({"destinationPortRange": "22", "direction": "Outbound"}),
        ] {
            let v = eval_resource("network_nsg_ssh_restricted", &with_rule1(change.clone()));
            assert_eq!(v.status, S::Pass, "{change}: {}", v.reason);
        }
    }
    #[test]
    fn network_nsg_ssh_restricted_fail() {
        for change in [
            json!({"destinationPortRange": "22"}),
            json!({"destinationPortRange": "20-25", "protocol": "Tcp"}),
            json!({"destinationPortRange": "*", "sourceAddressPrefix": "Internet"}),
            json!({
                "destinationPortRange": null,
                "destinationPortRanges": ["443", "22"],
                "sourceAddressPrefix": null,
                "sourceAddressPrefixes": ["10.0.0.0/8", "0.0.0.0/0"],
            }),
        ] {
            let v = eval_resource("network_nsg_ssh_restricted", &with_rule1(change.clone()));
            assert_eq!(v.status, S::Fail, "{change}: {}", v.reason);
            assert_eq!(offending(&v), json!(["rule1"]));
            assert!(v.reason.contains("SSH") && v.reason.contains("rule1"));
        }
    }
    #[test]
    fn network_nsg_ssh_restricted_missing() {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/securityRules", json!(null));
        let v = eval_resource("network_nsg_ssh_restricted", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("securityRules"));
        assert_eq!(v.observed["properties.securityRules"], Value::Null);

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
    fn network_nsg_rdp_restricted_pass() {
        let v = eval_resource("network_nsg_rdp_restricted", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        let v = eval_resource(
            "network_nsg_rdp_restricted",
            &with_rule1(json!({"destinationPortRange": "3380-3388"})),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn network_nsg_rdp_restricted_fail() {
        let v = eval_resource(
            "network_nsg_rdp_restricted",
            &with_rule1(json!({"destinationPortRange": "3389", "sourceAddressPrefix": "Any"})),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.reason,
            "inbound rules allow RDP (TCP 3389) from the internet: rule1"
        );
        assert_eq!(offending(&v), json!(["rule1"]));
    }
    #[test]
    fn network_nsg_rdp_restricted_missing() {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/securityRules", json!(null));
        assert_eq!(
            eval_resource("network_nsg_rdp_restricted", &r).status,
            S::Error
        );
        let v = eval_resource(
            "network_nsg_rdp_restricted",
            &with_rule1(json!({"destinationPortRange": "rdp"})),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("unreadable destination port range"));
    }

    #[test]
    fn network_nsg_all_ports_restricted_pass() {
        let v = eval_resource(
            "network_nsg_all_ports_restricted",
            &fixture_resource(GET, 0),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // ICMP has no ports; the API requires "*" for it, which is not an all-ports opening.
        let v = eval_resource(
            "network_nsg_all_ports_restricted",
            &with_rule1(json!({"destinationPortRange": "*", "protocol": "Icmp"})),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn network_nsg_all_ports_restricted_fail() {
        for ports in ["*", "0-65535", "1-65535"] {
            let v = eval_resource(
                "network_nsg_all_ports_restricted",
                &with_rule1(json!({"destinationPortRange": ports, "sourceAddressPrefix": "::/0"})),
            );
            assert_eq!(v.status, S::Fail, "{ports}: {}", v.reason);
            assert_eq!(offending(&v), json!(["rule1"]));
        }
    }
    #[test]
    fn network_nsg_all_ports_restricted_missing() {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/securityRules", json!("not a list"));
        let v = eval_resource("network_nsg_all_ports_restricted", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("unexpected value"));
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
    fn port_ranges_parse() {
        assert_eq!(port_range("*"), Some((0, 65535)));
        assert_eq!(port_range("22"), Some((22, 22)));
        assert_eq!(port_range("20-25"), Some((20, 25)));
        assert_eq!(port_range("25-20"), None);
        assert_eq!(port_range("70000"), None);
    }

    #[test]
    fn application_security_group_sources_are_not_the_internet() {
        let rule = json!({"name": "asg", "properties": {
            "access": "Allow", "direction": "Inbound", "protocol": "*",
            "sourceApplicationSecurityGroups": [{"id": "/subscriptions/s/asg"}],
            "destinationPortRange": "*"
        }});
        assert_eq!(rule_admits(&rule, ALL_PORTS), Ok(false));
        assert_eq!(rule_admits(&rule, SSH), Ok(false));
    }
}
