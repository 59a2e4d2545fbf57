//! Address and port sets: the one engine every check that reasons about network rules uses
//! (NSG rules, SQL server firewall rules, storage / Key Vault / Cosmos DB / container registry
//! IP rules, AKS authorised ranges). Pure, no I/O.
//!
//! It owns:
//! - [`IntervalSet`], a normalised set of inclusive intervals over any unsigned width
//!   (`u16` ports, `u32` IPv4, `u128` IPv6; `u8` in the property tests), with union,
//!   intersection, subtraction, complement and coverage;
//! - [`AddrSet`], an IPv4 set and an IPv6 set side by side, and [`AddrSet::internet`], the public
//!   address space "from the internet" is measured against;
//! - parsing of address prefixes (CIDR, single addresses, `a-b` ranges, IPv4 and IPv6) and of
//!   port specs (`*`, `n`, `a-b`, comma lists) with a [`ParseError`] naming the bad value;
//! - [`Source`], what an NSG address token (prefix or service tag) may and must contain;
//! - [`evaluate`], rules in priority order as set subtraction: what each Allow admits minus what
//!   higher-priority Deny rules remove, per port segment.
//!
//! Meaning of the tokens (see docs/NETWORK.md for the reasoning):
//! - `*` and `Any`: every address of both families. `0.0.0.0/0`: every IPv4 address; `::/0`:
//!   every IPv6 address (they are ordinary prefixes).
//! - `Internet`: Azure's tag for the address space outside the virtual network reachable from
//!   the public internet. An Allow from it may admit anything; a Deny from it certainly covers
//!   the public space ([`AddrSet::internet`]).
//! - `VirtualNetwork` (and application security groups): the entity's own private networks. An
//!   Allow from them is not the internet (assumed to lie outside the public space); a Deny from
//!   them covers nothing of the internet.
//! - `AzureLoadBalancer`: the platform health probe address 168.63.129.16 for an Allow; nothing
//!   for a Deny.
//! - Every other service tag (`AzureCloud`, `Storage`, `Sql.WestEurope`, …) and any tag this
//!   module does not know: fail closed. An Allow from it may admit the whole internet (the
//!   tag's addresses are published weekly, not collected, and `AzureCloud` is open to any Azure
//!   customer); a Deny from it covers nothing.
//!
//! "From the internet" is coverage: a set of sources reaches a port from the internet when it
//! covers the whole public space of IPv4 or of IPv6, however many prefixes it is written as.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

/// A bad value in a rule, named so the finding can say which one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{0:?} is not an IP address, CIDR prefix, address range or service tag")]
    Address(String),
    #[error("{0:?} is not a port, port range (a-b) or *")]
    Port(String),
    #[error("address range {0:?} mixes IPv4 and IPv6 or ends before it starts")]
    Range(String),
}

/// An unsigned integer width an [`IntervalSet`] ranges over.
pub trait Point: Copy + Ord + fmt::Debug {
    const MIN: Self;
    const MAX: Self;
    /// `self + 1`; only called below `MAX`.
    fn next(self) -> Self;
    /// `self - 1`; only called above `MIN`.
    fn prev(self) -> Self;
    /// The value widened, to measure sizes.
    fn wide(self) -> u128;
}

macro_rules! point {
    ($($t:ty),*) => {$(
        impl Point for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            fn next(self) -> Self {
                self + 1
            }
            fn prev(self) -> Self {
                self - 1
            }
            fn wide(self) -> u128 {
                u128::from(self)
            }
        }
    )*};
}
point!(u8, u16, u32, u128);

/// A set of values as sorted, disjoint, non-adjacent inclusive intervals.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IntervalSet<T: Point> {
    ranges: Vec<(T, T)>,
}

impl<T: Point> IntervalSet<T> {
    pub fn empty() -> Self {
        Self { ranges: Vec::new() }
    }

    pub fn full() -> Self {
        Self::range(T::MIN, T::MAX)
    }

    /// `lo..=hi`; empty when `lo > hi`.
    pub fn range(lo: T, hi: T) -> Self {
        Self::from_ranges([(lo, hi)])
    }

    pub fn from_ranges(ranges: impl IntoIterator<Item = (T, T)>) -> Self {
        let mut rs: Vec<(T, T)> = ranges.into_iter().filter(|(lo, hi)| lo <= hi).collect();
        rs.sort();
        let mut out: Vec<(T, T)> = Vec::with_capacity(rs.len());
        for (lo, hi) in rs {
            match out.last_mut() {
                // Overlapping or adjacent: extend. `last.1 == MAX` absorbs everything after.
                Some(last) if last.1 == T::MAX || lo <= last.1.next() => {
                    last.1 = last.1.max(hi);
                }
                _ => out.push((lo, hi)),
            }
        }
        Self { ranges: out }
    }

    pub fn ranges(&self) -> &[(T, T)] {
        &self.ranges
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.ranges == [(T::MIN, T::MAX)]
    }

    pub fn contains(&self, x: T) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= x && x <= hi)
    }

    pub fn union(&self, other: &Self) -> Self {
        Self::from_ranges(self.ranges.iter().chain(&other.ranges).copied())
    }

    pub fn complement(&self) -> Self {
        let mut out = Vec::new();
        let mut start = Some(T::MIN);
        for &(lo, hi) in &self.ranges {
            if let Some(s) = start
                && s < lo
            {
                out.push((s, lo.prev()));
            }
            start = (hi < T::MAX).then(|| hi.next());
        }
        if let Some(s) = start {
            out.push((s, T::MAX));
        }
        Self { ranges: out }
    }

    pub fn intersect(&self, other: &Self) -> Self {
        let (a, b) = (&self.ranges, &other.ranges);
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < a.len() && j < b.len() {
            let lo = a[i].0.max(b[j].0);
            let hi = a[i].1.min(b[j].1);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a[i].1 < b[j].1 { i += 1 } else { j += 1 }
        }
        Self { ranges: out }
    }

    pub fn subtract(&self, other: &Self) -> Self {
        self.intersect(&other.complement())
    }

    /// Whether every value of `other` is in `self`.
    pub fn covers(&self, other: &Self) -> bool {
        other.subtract(self).is_empty()
    }

    pub fn overlaps(&self, other: &Self) -> bool {
        !self.intersect(other).is_empty()
    }

    /// Number of values, saturating at `u128::MAX` (the full IPv6 space is one more).
    pub fn size(&self) -> u128 {
        self.ranges.iter().fold(0u128, |acc, &(lo, hi)| {
            acc.saturating_add((hi.wide() - lo.wide()).saturating_add(1))
        })
    }
}

/// A port set; `ports.to_string()` renders it as `22`, `20-25` and `, ` between ranges.
pub type PortSet = IntervalSet<u16>;

impl fmt::Display for IntervalSet<u16> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(lo, hi)) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            if lo == hi {
                write!(f, "{lo}")?;
            } else {
                write!(f, "{lo}-{hi}")?;
            }
        }
        Ok(())
    }
}

/// Addresses of both families.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddrSet {
    pub v4: IntervalSet<u32>,
    pub v6: IntervalSet<u128>,
}

/// IPv4 blocks that are never a source on the public internet (IANA special-purpose registry,
/// "globally reachable: false", plus multicast and the reserved 240/4).
const NOT_PUBLIC_V4: [&str; 14] = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
];

/// IPv6 global unicast (all of today's internet) minus the documentation block.
const PUBLIC_V6: &str = "2000::/3";
const NOT_PUBLIC_V6: [&str; 1] = ["2001:db8::/32"];

/// The Azure platform address behind the `AzureLoadBalancer` tag (health probes).
const AZURE_LOAD_BALANCER: &str = "168.63.129.16";

impl AddrSet {
    pub fn empty() -> Self {
        Self::default()
    }

    /// Every address of both families.
    pub fn all() -> Self {
        Self {
            v4: IntervalSet::full(),
            v6: IntervalSet::full(),
        }
    }

    /// The public address space: what "the internet" means when a check asks whether a set of
    /// sources covers it. Narrower than "every address" on purpose: rules that admit every
    /// public address but leave out, say, 10.0.0.0/8 are just as open.
    pub fn internet() -> Self {
        #[allow(clippy::expect_used, reason = "constant prefixes, parsed by the tests")]
        let parse = |s: &str| parse_address(s).expect("built-in prefix parses");
        let v4_out = NOT_PUBLIC_V4
            .iter()
            .fold(AddrSet::empty(), |acc, p| acc.union(&parse(p)));
        let v6_out = NOT_PUBLIC_V6
            .iter()
            .fold(AddrSet::empty(), |acc, p| acc.union(&parse(p)));
        Self {
            v4: v4_out.v4.complement(),
            v6: parse(PUBLIC_V6).v6.subtract(&v6_out.v6),
        }
    }

    /// Everything outside [`AddrSet::internet`]: private, loopback, link-local, documentation.
    pub fn not_internet() -> Self {
        Self::all().subtract(&Self::internet())
    }

    pub fn union(&self, o: &Self) -> Self {
        Self {
            v4: self.v4.union(&o.v4),
            v6: self.v6.union(&o.v6),
        }
    }

    pub fn subtract(&self, o: &Self) -> Self {
        Self {
            v4: self.v4.subtract(&o.v4),
            v6: self.v6.subtract(&o.v6),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    pub fn covers(&self, o: &Self) -> bool {
        self.v4.covers(&o.v4) && self.v6.covers(&o.v6)
    }

    pub fn is_all(&self) -> bool {
        self.v4.is_full() && self.v6.is_full()
    }

    /// The families whose whole public space this set covers (`IPv4`, `IPv6`).
    pub fn internet_families(&self) -> Vec<&'static str> {
        let net = Self::internet();
        let mut out = Vec::new();
        if self.v4.covers(&net.v4) {
            out.push("IPv4");
        }
        if self.v6.covers(&net.v6) {
            out.push("IPv6");
        }
        out
    }
}

fn v4(a: Ipv4Addr) -> u32 {
    u32::from(a)
}

fn v6(a: Ipv6Addr) -> u128 {
    u128::from(a)
}

#[allow(clippy::expect_used, reason = "both ends are `a`, so one family")]
fn single(a: IpAddr) -> AddrSet {
    range_set(a, a).expect("same family")
}

/// `lo..=hi` as a set; `None` when the families differ.
fn range_set(lo: IpAddr, hi: IpAddr) -> Option<AddrSet> {
    let mut s = AddrSet::empty();
    match (lo, hi) {
        (IpAddr::V4(a), IpAddr::V4(b)) => s.v4 = IntervalSet::range(v4(a), v4(b)),
        (IpAddr::V6(a), IpAddr::V6(b)) => s.v6 = IntervalSet::range(v6(a), v6(b)),
        _ => return None,
    }
    Some(s)
}

/// One address value: a CIDR prefix (host bits are ignored, as Azure normalises them), a
/// single address, or an `a-b` range, IPv4 or IPv6. Service tags are not addresses (see
/// [`Source::parse`]).
pub fn parse_address(value: &str) -> Result<AddrSet, ParseError> {
    let s = value.trim();
    // Microsoft's own Key Vault example returns a value wrapped in single quotes
    // ("'10.91.4.0/24'"); quotes around a whole value change nothing about its meaning.
    let s = ['\'', '"']
        .iter()
        .find_map(|q| s.strip_prefix(*q).and_then(|x| x.strip_suffix(*q)))
        .unwrap_or(s);
    if let Ok(net) = s.parse::<IpNet>() {
        #[allow(clippy::expect_used, reason = "a prefix's bounds share its family")]
        let set = range_set(net.network(), net.broadcast()).expect("one family");
        return Ok(set);
    }
    if let Ok(a) = s.parse::<IpAddr>() {
        return Ok(single(a));
    }
    if let Some((lo, hi)) = s.split_once('-') {
        let (lo, hi) = (lo.trim().parse::<IpAddr>(), hi.trim().parse::<IpAddr>());
        if let (Ok(lo), Ok(hi)) = (lo, hi) {
            return match range_set(lo, hi) {
                Some(set) if !set.is_empty() => Ok(set),
                _ => Err(ParseError::Range(value.to_string())),
            };
        }
    }
    Err(ParseError::Address(value.to_string()))
}

/// The union of a list of address values; the first bad one is the error.
pub fn parse_addresses<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<AddrSet, ParseError> {
    values
        .into_iter()
        .try_fold(AddrSet::empty(), |acc, v| Ok(acc.union(&parse_address(v)?)))
}

/// A port spec: `*`, `n`, `a-b`, or a comma-separated list of those.
pub fn parse_ports(value: &str) -> Result<PortSet, ParseError> {
    let bad = || ParseError::Port(value.to_string());
    let mut set = PortSet::empty();
    for part in value.split(',') {
        let part = part.trim();
        let one = if part == "*" {
            PortSet::full()
        } else if let Some((lo, hi)) = part.split_once('-') {
            let lo: u16 = lo.trim().parse().map_err(|_| bad())?;
            let hi: u16 = hi.trim().parse().map_err(|_| bad())?;
            if lo > hi {
                return Err(bad());
            }
            PortSet::range(lo, hi)
        } else {
            let p: u16 = part.parse().map_err(|_| bad())?;
            PortSet::range(p, p)
        };
        set = set.union(&one);
    }
    Ok(set)
}

/// What an NSG address token stands for: what an Allow from it may admit (over-approximation)
/// and what a Deny from it certainly covers (under-approximation). Equal for plain addresses;
/// apart for tags whose members are not collected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub may: AddrSet,
    pub must: AddrSet,
    /// How the token was read, for reasons: `None` for addresses and the fixed tags.
    pub assumption: Option<String>,
}

impl Source {
    fn exact(set: AddrSet) -> Self {
        Self {
            may: set.clone(),
            must: set,
            assumption: None,
        }
    }

    /// The private networks of the entity (`VirtualNetwork`, application security groups).
    pub fn own_network() -> Self {
        Self {
            may: AddrSet::not_internet(),
            must: AddrSet::empty(),
            assumption: None,
        }
    }

    /// Reads one token of an NSG-style address field (see the module doc for the tags).
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let s = value.trim();
        let is = |t: &str| s.eq_ignore_ascii_case(t);
        if is("*") || is("Any") {
            return Ok(Self::exact(AddrSet::all()));
        }
        if is("Internet") {
            return Ok(Self {
                may: AddrSet::all(),
                must: AddrSet::internet(),
                assumption: None,
            });
        }
        if is("VirtualNetwork") {
            return Ok(Self::own_network());
        }
        if is("AzureLoadBalancer") {
            return Ok(Self {
                may: parse_address(AZURE_LOAD_BALANCER)?,
                must: AddrSet::empty(),
                assumption: None,
            });
        }
        if s == "0.0.0.0" {
            // Accepted by NSGs and read as "any IPv4 source" by tools; assume the wider meaning
            // for an Allow and credit nothing for a Deny.
            return Ok(Self {
                may: parse_address("0.0.0.0/0")?,
                must: AddrSet::empty(),
                assumption: Some("0.0.0.0 read as any IPv4 address".into()),
            });
        }
        match parse_address(s) {
            Ok(set) => Ok(Self::exact(set)),
            Err(e) if is_tag(s) => {
                let _ = e;
                Ok(Self {
                    may: AddrSet::all(),
                    must: AddrSet::empty(),
                    assumption: Some(format!("service tag {s} may include any internet address")),
                })
            }
            Err(e) => Err(e),
        }
    }
}

/// Service tag syntax: a letter, then letters, digits, `.`, `_` or `-` (`Sql.EastUS2`,
/// `AzureFrontDoor.Backend`, `AzureCloud`). Anything else that is not an address is an error.
pub fn is_tag(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// One rule for [`evaluate`]: the generic shape of an NSG rule once its protocol, direction
/// and fields have been read. `sources` is the may-set for an Allow, the must-set for a Deny.
#[derive(Debug, Clone)]
pub struct Rule<A: Point, P: Point> {
    /// Lower numbers are evaluated first. A rule with no readable priority is given
    /// `i64::MIN` by callers when it is an Allow, so no Deny is credited against it.
    pub priority: i64,
    pub allow: bool,
    pub sources: IntervalSet<A>,
    pub ports: IntervalSet<P>,
}

/// What one Allow admits on one port segment after the Denies that apply to it.
#[derive(Debug, Clone)]
pub struct AllowPart<A: Point> {
    /// Index of the Allow rule in the input.
    pub rule: usize,
    /// Its sources before any Deny.
    pub sources: IntervalSet<A>,
    /// Its sources no higher-priority Deny removes.
    pub remaining: IntervalSet<A>,
    /// Indices of the Deny rules that removed something from it here.
    pub cut_by: Vec<usize>,
}

/// A maximal port interval on which every rule either applies fully or not at all.
#[derive(Debug, Clone)]
pub struct Segment<A: Point, P: Point> {
    pub lo: P,
    pub hi: P,
    /// Sources admitted on these ports: the union of the Allows' remaining parts.
    pub exposed: IntervalSet<A>,
    /// Sources the Allows would admit if no Deny existed.
    pub raw: IntervalSet<A>,
    pub allows: Vec<AllowPart<A>>,
}

/// Rules in priority order as set subtraction. A packet (source, port) is admitted when some
/// Allow matches it and no Deny that `applies(deny, allow)` with a lower priority number
/// matches it. With `applies` always true this is exactly Azure's first-match evaluation;
/// callers narrow it (protocol, destination, source ports) so that only Denies certain to cover
/// the Allow's traffic are credited. Only port segments that meet `within` are evaluated (a
/// check about TCP 22 need not subtract sets on the other 65535 ports of a large group).
/// Returns the port segments some Allow reaches, in order.
pub fn evaluate<A: Point, P: Point>(
    rules: &[Rule<A, P>],
    within: &IntervalSet<P>,
    applies: impl Fn(usize, usize) -> bool,
) -> Vec<Segment<A, P>> {
    // Cut the port space at every rule boundary so each rule covers a segment fully or not.
    let mut cuts: Vec<P> = vec![P::MIN];
    for r in rules {
        for &(lo, hi) in r.ports.ranges() {
            cuts.push(lo);
            if hi < P::MAX {
                cuts.push(hi.next());
            }
        }
    }
    cuts.sort();
    cuts.dedup();

    let mut out = Vec::new();
    for (i, &lo) in cuts.iter().enumerate() {
        let hi = cuts.get(i + 1).map_or(P::MAX, |n| n.prev());
        if !within.overlaps(&IntervalSet::range(lo, hi)) {
            continue;
        }
        let on = |r: &Rule<A, P>| r.ports.contains(lo);
        let mut seg = Segment {
            lo,
            hi,
            exposed: IntervalSet::empty(),
            raw: IntervalSet::empty(),
            allows: Vec::new(),
        };
        for (ai, a) in rules.iter().enumerate() {
            if !a.allow || !on(a) || a.sources.is_empty() {
                continue;
            }
            let mut remaining = a.sources.clone();
            let mut cut_by = Vec::new();
            for (di, d) in rules.iter().enumerate() {
                if d.allow || !on(d) || d.priority >= a.priority || !applies(di, ai) {
                    continue;
                }
                if remaining.overlaps(&d.sources) {
                    remaining = remaining.subtract(&d.sources);
                    cut_by.push(di);
                }
            }
            seg.raw = seg.raw.union(&a.sources);
            seg.exposed = seg.exposed.union(&remaining);
            seg.allows.push(AllowPart {
                rule: ai,
                sources: a.sources.clone(),
                remaining,
                cut_by,
            });
        }
        if !seg.allows.is_empty() {
            out.push(seg);
        }
    }
    out
}

/// Which of `parts` (index, set) to name for covering `target`: the largest contributions
/// first until their union covers it, so a rule adding one address to an already open port is
/// not named as the cause. Empty when the parts do not cover `target` at all.
pub fn culprits<A: Point>(
    parts: impl IntoIterator<Item = (usize, IntervalSet<A>)>,
    target: &IntervalSet<A>,
) -> Vec<usize> {
    let mut parts: Vec<(usize, IntervalSet<A>)> = parts
        .into_iter()
        .map(|(i, s)| (i, s.intersect(target)))
        .filter(|(_, s)| !s.is_empty())
        .collect();
    let mut chosen = Vec::new();
    let mut union = IntervalSet::empty();
    while !union.covers(target) {
        // The part adding the most not yet covered; ties go to the earlier rule.
        let best = parts
            .iter()
            .enumerate()
            .map(|(k, (_, s))| (k, s.subtract(&union).size()))
            .filter(|&(_, n)| n > 0)
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((k, _)) = best else {
            return Vec::new();
        };
        let (i, s) = parts.swap_remove(k);
        union = union.union(&s);
        chosen.push(i);
    }
    chosen.sort_unstable();
    chosen
}

/// The ports on which the exposed sources cover `target` (with `raw`, before any Deny).
pub fn covered_ports<A: Point, P: Point>(
    segments: &[Segment<A, P>],
    target: &IntervalSet<A>,
    raw: bool,
) -> IntervalSet<P> {
    IntervalSet::from_ranges(segments.iter().filter_map(|s| {
        let set = if raw { &s.raw } else { &s.exposed };
        set.covers(target).then_some((s.lo, s.hi))
    }))
}

/// What an IP allow-list (a firewall's `ipRules`) admits, judged by coverage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowList {
    /// Number of entries read.
    pub len: usize,
    /// The families (`IPv4`, `IPv6`) whose whole public space the entries together admit.
    pub open: Vec<&'static str>,
    /// The entries that make up that coverage, as written.
    pub culprits: Vec<String>,
}

/// Reads an allow-list as Azure firewalls return it, `[{"<field>": "203.0.113.0/24"}, …]`.
/// Values in `special` have a meaning other than their address (Cosmos DB's `0.0.0.0`, "accept
/// connections from Azure datacenters") and are left out of the union. `Err` says which entry
/// or value could not be read.
pub fn read_allow_list(
    list: &serde_json::Value,
    field: &str,
    special: &[&str],
) -> Result<AllowList, String> {
    let items = list
        .as_array()
        .ok_or_else(|| format!("is not a list but {list}"))?;
    let mut values = Vec::with_capacity(items.len());
    for item in items {
        let value = item
            .get(field)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| format!("has an entry without {field}: {item}"))?;
        if special.contains(&value.trim()) {
            continue;
        }
        values.push((
            value.to_string(),
            parse_address(value).map_err(|e| e.to_string())?,
        ));
    }
    let net = AddrSet::internet();
    let mut open = Vec::new();
    let mut chosen = std::collections::BTreeSet::new();
    let v4 = culprits(
        values.iter().map(|(_, s)| s.v4.clone()).enumerate(),
        &net.v4,
    );
    if !v4.is_empty() {
        open.push("IPv4");
        chosen.extend(v4);
    }
    let v6 = culprits(
        values.iter().map(|(_, s)| s.v6.clone()).enumerate(),
        &net.v6,
    );
    if !v6.is_empty() {
        open.push("IPv6");
        chosen.extend(v6);
    }
    Ok(AllowList {
        len: items.len(),
        open,
        culprits: chosen.into_iter().map(|i| values[i].0.clone()).collect(),
    })
}

impl AllowList {
    /// "every public IPv4 address" (or IPv6, or both), for reasons.
    pub fn describe_open(&self) -> String {
        format!("every public {} address", self.open.join(" and "))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    impl AddrSet {
        fn covers_internet(&self) -> bool {
            !self.internet_families().is_empty()
        }
        fn overlaps(&self, o: &Self) -> bool {
            self.v4.overlaps(&o.v4) || self.v6.overlaps(&o.v6)
        }
    }

    // --- unit tests on full widths ------------------------------------------------------------

    #[test]
    fn prefixes_and_ranges_parse() {
        let s = parse_address("10.0.0.0/8").unwrap();
        assert_eq!(s.v4.ranges(), &[(0x0a00_0000, 0x0aff_ffff)]);
        assert!(s.v6.is_empty());
        // Host bits are ignored, as Azure normalises them.
        assert_eq!(parse_address("10.1.2.3/8").unwrap(), s);
        assert_eq!(
            parse_address("192.0.2.1").unwrap().v4.ranges(),
            &[(0xc000_0201, 0xc000_0201)]
        );
        assert_eq!(
            parse_address("10.0.0.1-10.0.0.9").unwrap().v4.ranges(),
            &[(0x0a00_0001, 0x0a00_0009)]
        );
        assert!(parse_address("::/0").unwrap().v6.is_full());
        assert!(parse_address("0.0.0.0/0").unwrap().v4.is_full());
        for bad in [
            "10.0.0.300",
            "10.0.0.0/33",
            "fe80::/129",
            "10.0.0.9-10.0.0.1",
            "10.0.0.1-::1",
            "",
            "x",
        ] {
            assert!(parse_address(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_address("10.0.0.300").unwrap_err().to_string(),
            "\"10.0.0.300\" is not an IP address, CIDR prefix, address range or service tag"
        );
    }

    #[test]
    fn ports_parse() {
        assert!(parse_ports("*").unwrap().is_full());
        assert_eq!(parse_ports("22").unwrap().ranges(), &[(22, 22)]);
        assert_eq!(parse_ports("20-25").unwrap().ranges(), &[(20, 25)]);
        assert_eq!(parse_ports("22, 20-21,23").unwrap().ranges(), &[(20, 23)]);
        assert!(parse_ports("0-32767,32768-65535").unwrap().is_full());
        for bad in ["25-20", "70000", "", "ssh", "1-", "-1", "22,"] {
            assert_eq!(
                parse_ports(bad),
                Err(ParseError::Port(bad.to_string())),
                "{bad}"
            );
        }
        assert_eq!(parse_ports("20-25, 80").unwrap().to_string(), "20-25, 80");
    }

    #[test]
    fn halves_cover_the_internet_in_each_family() {
        let v4 = parse_addresses(["0.0.0.0/1", "128.0.0.0/1"]).unwrap();
        assert_eq!(v4.internet_families(), ["IPv4"]);
        let v6 = parse_addresses(["::/1", "8000::/1"]).unwrap();
        assert_eq!(v6.internet_families(), ["IPv6"]);
        // Every public address but none of the private ones is still the internet.
        let public = AddrSet::internet();
        assert_eq!(public.internet_families(), ["IPv4", "IPv6"]);
        assert!(!AddrSet::not_internet().covers_internet());
        // One half alone, or the internet minus one public address, is not.
        assert!(!parse_address("0.0.0.0/1").unwrap().covers_internet());
        let hole = public.subtract(&parse_addresses(["8.8.8.8", "2606:4700::1"]).unwrap());
        assert!(!hole.covers_internet());
        // Private and documentation blocks are outside it.
        for p in [
            "10.0.0.0/8",
            "192.168.1.0/24",
            "203.0.113.0/24",
            "fd00::/8",
            "2001:db8::/32",
        ] {
            assert!(!public.overlaps(&parse_address(p).unwrap()), "{p}");
        }
    }

    #[test]
    fn tokens_read_as_documented() {
        let all = Source::parse("*").unwrap();
        assert!(all.may.is_all() && all.must.is_all());
        assert_eq!(Source::parse("any").unwrap(), all);
        let inet = Source::parse("Internet").unwrap();
        assert!(inet.must.covers(&AddrSet::internet()) && inet.may.is_all());
        let vnet = Source::parse("VirtualNetwork").unwrap();
        assert!(!vnet.may.covers_internet() && vnet.must.is_empty());
        let lb = Source::parse("AzureLoadBalancer").unwrap();
        assert!(!lb.may.covers_internet() && lb.must.is_empty());
        // Unknown tags fail closed: an Allow may be internet-wide, a Deny covers nothing.
        for tag in [
            "AzureCloud",
            "Storage",
            "Sql.EastUS2",
            "AzureFrontDoor.Backend",
            "NotATag",
        ] {
            let t = Source::parse(tag).unwrap();
            assert!(t.may.covers_internet() && t.must.is_empty(), "{tag}");
            assert!(t.assumption.unwrap().contains(tag));
        }
        let zero = Source::parse("0.0.0.0").unwrap();
        assert_eq!(zero.may.internet_families(), ["IPv4"]);
        assert!(zero.must.is_empty());
        assert!(Source::parse("10.0.0.256/24").is_err());
        assert!(Source::parse("1nternet").is_err());
    }

    #[test]
    fn allow_lists_are_judged_by_coverage() {
        let list = serde_json::json!([
            {"value": "0.0.0.0/1"}, {"value": "203.0.113.9"}, {"value": "128.0.0.0/1"}
        ]);
        let a = read_allow_list(&list, "value", &[]).unwrap();
        assert_eq!(a.open, ["IPv4"]);
        assert_eq!(a.culprits, ["0.0.0.0/1", "128.0.0.0/1"]);
        assert_eq!(a.describe_open(), "every public IPv4 address");
        let closed = read_allow_list(
            &serde_json::json!([{"value": "0.0.0.0"}, {"value": "128.0.0.0/1"}]),
            "value",
            &["0.0.0.0"],
        )
        .unwrap();
        assert!(closed.open.is_empty() && closed.culprits.is_empty() && closed.len == 2);
        let err =
            read_allow_list(&serde_json::json!([{"value": "1.2.3"}]), "value", &[]).unwrap_err();
        assert!(err.contains("\"1.2.3\""), "{err}");
        assert!(read_allow_list(&serde_json::json!([{"x": 1}]), "value", &[]).is_err());
        assert!(read_allow_list(&serde_json::json!("1.2.3.4"), "value", &[]).is_err());
    }

    #[test]
    fn evaluation_subtracts_higher_priority_denies() {
        let all = IntervalSet::<u32>::full();
        let half = IntervalSet::<u32>::range(0, u32::MAX / 2);
        let rules = [
            Rule {
                priority: 100,
                allow: false,
                sources: half.clone(),
                ports: PortSet::range(22, 22),
            },
            Rule {
                priority: 200,
                allow: true,
                sources: all.clone(),
                ports: PortSet::full(),
            },
            Rule {
                priority: 300,
                allow: false,
                sources: all.clone(),
                ports: PortSet::full(),
            },
        ];
        let segs = evaluate(&rules, &IntervalSet::full(), |_, _| true);
        assert!(covered_ports(&segs, &all, true).is_full());
        let covered = covered_ports(&segs, &all, false);
        assert_eq!(covered.ranges(), &[(0, 21), (23, 65535)]);
        let at22 = segs.iter().find(|s| s.lo <= 22 && 22 <= s.hi).unwrap();
        assert_eq!(at22.exposed, all.subtract(&half));
        assert_eq!(at22.allows[0].cut_by, vec![0]);
    }

    // --- property tests against brute force on small universes ------------------------------

    fn set8(ranges: &[(u8, u8)]) -> IntervalSet<u8> {
        IntervalSet::from_ranges(ranges.iter().map(|&(a, b)| (a.min(b), a.max(b))))
    }

    fn members(s: &IntervalSet<u8>) -> BTreeSet<u8> {
        (0..=255u8).filter(|&x| s.contains(x)).collect()
    }

    fn brute(ranges: &[(u8, u8)]) -> BTreeSet<u8> {
        ranges
            .iter()
            .flat_map(|&(a, b)| a.min(b)..=a.max(b))
            .collect()
    }

    fn ranges8() -> impl Strategy<Value = Vec<(u8, u8)>> {
        prop::collection::vec((any::<u8>(), any::<u8>()), 0..5)
    }

    /// A random rule on the small universe: priority unique per index (Azure's rule), access,
    /// a "destination" group that decides whether a Deny applies to an Allow.
    #[derive(Debug, Clone)]
    struct R {
        priority: i64,
        allow: bool,
        dest: u8,
        sources: Vec<(u8, u8)>,
        ports: Vec<(u8, u8)>,
    }

    fn rules8() -> impl Strategy<Value = Vec<R>> {
        prop::collection::vec(
            (any::<bool>(), 0u8..3, ranges8(), ranges8(), 0i64..1000),
            0..7,
        )
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                // Unique priorities: the random part orders them, the index breaks ties.
                .map(|(i, (allow, dest, sources, ports, p))| R {
                    priority: p * 10 + i as i64,
                    allow,
                    dest,
                    sources,
                    ports,
                })
                .collect()
        })
    }

    fn engine_rules(rs: &[R]) -> Vec<Rule<u8, u8>> {
        rs.iter()
            .map(|r| Rule {
                priority: r.priority,
                allow: r.allow,
                sources: set8(&r.sources),
                ports: set8(&r.ports),
            })
            .collect()
    }

    /// Destination group 0 stands for `*`: a Deny on it applies to every Allow; otherwise only
    /// to Allows on the same group.
    fn applies(rs: &[R], d: usize, a: usize) -> bool {
        rs[d].dest == 0 || rs[d].dest == rs[a].dest
    }

    /// A subset of the u8 universe as a 256-bit map (bit `x` of word `x / 128`), for the oracle.
    type Bits = [u128; 2];

    fn bits(rs: &[(u8, u8)]) -> Bits {
        let mut b = [0u128; 2];
        for x in brute(rs) {
            b[usize::from(x / 128)] |= 1 << (x % 128);
        }
        b
    }

    fn has(b: &Bits, x: u8) -> bool {
        b[usize::from(x / 128)] & (1 << (x % 128)) != 0
    }

    /// The oracle, by enumeration of every (address, port): admitted when some Allow matches
    /// and no applicable higher-priority Deny does. Returns, per port, the admitted addresses.
    fn admitted(rs: &[R]) -> Vec<Bits> {
        let src: Vec<Bits> = rs.iter().map(|r| bits(&r.sources)).collect();
        let ports: Vec<Bits> = rs.iter().map(|r| bits(&r.ports)).collect();
        (0..=255u8)
            .map(|port| {
                let mut out = [0u128; 2];
                for (ai, a) in rs.iter().enumerate() {
                    if !a.allow || !has(&ports[ai], port) {
                        continue;
                    }
                    let mut blocked = [0u128; 2];
                    for (di, d) in rs.iter().enumerate() {
                        if !d.allow
                            && d.priority < a.priority
                            && applies(rs, di, ai)
                            && has(&ports[di], port)
                        {
                            blocked = [blocked[0] | src[di][0], blocked[1] | src[di][1]];
                        }
                    }
                    for w in 0..2 {
                        out[w] |= src[ai][w] & !blocked[w];
                    }
                }
                out
            })
            .collect()
    }

    /// Azure's own first-match evaluation, for the case where every Deny applies.
    fn first_match(rs: &[R], addr: u8, port: u8) -> bool {
        let within =
            |rs: &[(u8, u8)], x: u8| rs.iter().any(|&(a, b)| a.min(b) <= x && x <= a.max(b));
        let matches = |r: &R| within(&r.sources, addr) && within(&r.ports, port);
        rs.iter()
            .filter(|r| matches(r))
            .min_by_key(|r| r.priority)
            .is_some_and(|r| r.allow)
    }

    fn exposed_at(segs: &[Segment<u8, u8>], port: u8) -> IntervalSet<u8> {
        segs.iter()
            .find(|s| s.lo <= port && port <= s.hi)
            .map_or_else(IntervalSet::empty, |s| s.exposed.clone())
    }

    proptest! {
            #[test]
            fn set_operations_match_brute_force(a in ranges8(), b in ranges8()) {
                let (sa, sb) = (set8(&a), set8(&b));
                let (ba, bb) = (brute(&a), brute(&b));
                prop_assert_eq!(members(&sa), ba.clone());
                prop_assert_eq!(members(&sa.union(&sb)), &ba | &bb);
                prop_assert_eq!(members(&sa.intersect(&sb)), &ba & &bb);
                prop_assert_eq!(members(&sa.subtract(&sb)), &ba - &bb);
                let all: BTreeSet<u8> = (0..=255).collect();
                prop_assert_eq!(members(&sa.complement()), &all - &ba);
                prop_assert_eq!(sa.covers(&sb), bb.is_subset(&ba));
                prop_assert_eq!(sa.overlaps(&sb), !ba.is_disjoint(&bb));
                prop_assert_eq!(sa.is_full(), ba.len() == 256);
                // Normal form: sorted, disjoint, not adjacent.
                for w in sa.ranges().windows(2) {
                    prop_assert!(u16::from(w[0].1) + 1 < u16::from(w[1].0));
                }
            }

            #[test]
            fn evaluation_matches_enumeration(rs in rules8(), target in ranges8(), within in ranges8()) {
                let rules = engine_rules(&rs);
                let segs = evaluate(&rules, &IntervalSet::full(), |d, a| applies(&rs, d, a));
                // Restricted to some ports, the answer on those ports is the same.
                let within = set8(&within);
                let part = evaluate(&rules, &within, |d, a| applies(&rs, d, a));
                for port in members(&within) {
                    prop_assert_eq!(exposed_at(&part, port), exposed_at(&segs, port));
                }
                let target = set8(&target);
                let oracle = admitted(&rs);
                let mut covered = BTreeSet::new();
                for port in 0..=255u8 {
    let want: BTreeSet<u8> = (0..=255u8)
                        .filter(|&x| has(&oracle[usize::from(port)], x))
                        .collect();
                    prop_assert_eq!(members(&exposed_at(&segs, port)), want.clone(), "port {}", port);
                    if members(&target).is_subset(&want) && !want.is_empty() {
                        covered.insert(port);
                    }
                }
                // Coverage of a target (the "internet") is decided per port, like the checks do.
                let engine: BTreeSet<u8> = members(&covered_ports(&segs, &target, false))
                    .into_iter()
                    .filter(|&p| !exposed_at(&segs, p).is_empty())
                    .collect();
                prop_assert_eq!(engine, covered);
            }

            #[test]
            fn evaluation_is_first_match_when_every_deny_applies(rs in rules8()) {
                let segs = evaluate(&engine_rules(&rs), &IntervalSet::full(), |_, _| true);
                for port in (0..=255u8).step_by(3) {
                    let exposed = exposed_at(&segs, port);
                    for addr in 0..=255u8 {
                        prop_assert_eq!(exposed.contains(addr), first_match(&rs, addr, port));
                    }
                }
            }

            /// Full-width IPv4: a random partition of the whole space into ranges, written as
            /// `a-b` values, covers it; dropping any one piece leaves a hole.
            #[test]
            fn ipv4_partitions_cover_everything(mut cuts in prop::collection::btree_set(1u32.., 1..6), drop in any::<prop::sample::Index>()) {
                cuts.insert(0);
                let cuts: Vec<u32> = cuts.into_iter().collect();
                let pieces: Vec<String> = cuts.iter().enumerate().map(|(i, &lo)| {
                    let hi = cuts.get(i + 1).map_or(u32::MAX, |n| n - 1);
                    format!("{}-{}", Ipv4Addr::from(lo), Ipv4Addr::from(hi))
                }).collect();
                let set = parse_addresses(pieces.iter().map(String::as_str)).unwrap();
                prop_assert!(set.v4.is_full());
                let i = drop.index(pieces.len());
                let rest = parse_addresses(pieces.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, s)| s.as_str())).unwrap();
                prop_assert!(!rest.v4.is_full());
                prop_assert_eq!(rest.v4.complement(), parse_address(&pieces[i]).unwrap().v4);
            }

            /// Full-width IPv6 as CIDR prefixes: splitting ::/0 at random depth into prefixes covers
            /// it, and each prefix is the interval its bits say.
            #[test]
            fn ipv6_prefix_splits_cover_everything(path in prop::collection::vec(any::<bool>(), 1..40)) {
                // Walk down the prefix tree: at each depth keep the sibling as a piece and descend
                // into the chosen half; the leaf and all siblings partition the space.
                let mut pieces = Vec::new();
                let mut base: u128 = 0;
                for (depth, &right) in path.iter().enumerate() {
                    let bit = 1u128 << (127 - depth);
                    let (keep, sibling) = if right { (base | bit, base) } else { (base, base | bit) };
                    pieces.push(format!("{}/{}", Ipv6Addr::from(sibling), depth + 1));
                    base = keep;
                }
                pieces.push(format!("{}/{}", Ipv6Addr::from(base), path.len()));
                let set = parse_addresses(pieces.iter().map(String::as_str)).unwrap();
                prop_assert!(set.v6.is_full() && set.v4.is_empty());
                let leaf = parse_address(pieces.last().unwrap()).unwrap().v6;
                let size = 1u128 << (128 - path.len());
                prop_assert_eq!(leaf.ranges(), &[(base, base + (size - 1))]);
                prop_assert!(!parse_addresses(pieces[1..].iter().map(String::as_str)).unwrap().v6.is_full());
            }
        }
}
