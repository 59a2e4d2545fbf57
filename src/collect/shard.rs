//! Sharded collection for large estates: `collect --shard i/n` collects only the subscriptions
//! assigned to shard `i` of `n`. Pure: the assignment is a function of the subscription id and
//! `n` alone.
//!
//! Assignment: FNV-1a (64-bit) of the trimmed, lower-cased subscription id, modulo `n`, plus
//! one. It depends on nothing but the id, so it is stable across runs and across parallel jobs
//! that list subscriptions at slightly different moments: every subscription lands in exactly
//! one shard even if a subscription appears or disappears while the matrix runs. Tenant-wide
//! sources (Microsoft Graph identity) are collected by shard 1 only.

use std::fmt;
use std::str::FromStr;

/// Shard `index` of `count` (1-based), parsed from `i/n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The shard a subscription id belongs to, `1..=count`.
    pub fn of(subscription_id: &str, count: u32) -> u32 {
        let count = count.max(1);
        (fnv1a(subscription_id.trim().to_ascii_lowercase().as_bytes()) % u64::from(count)) as u32
            + 1
    }

    /// Whether this shard collects the subscription.
    pub fn owns(&self, subscription_id: &str) -> bool {
        Self::of(subscription_id, self.count) == self.index
    }

    /// Whether this shard collects the tenant-wide sources (Microsoft Graph identity).
    pub fn collects_tenant_sources(&self) -> bool {
        self.index == 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a shard: expected i/n with 1 <= i <= n, e.g. 2/4");
        let (i, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count || count > 256 {
            return Err(bad());
        }
        Ok(Self { index, count })
    }
}

/// FNV-1a, 64-bit: tiny, fixed forever (unlike `std`'s hasher, which may change between
/// releases and is randomly seeded).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("{:08x}-0000-4000-8000-{:012x}", i * 7919, i))
            .collect()
    }

    #[test]
    fn every_subscription_lands_in_exactly_one_shard() {
        let subs = ids(200);
        for count in 1..=8 {
            let shards: Vec<Shard> = (1..=count).map(|index| Shard { index, count }).collect();
            for s in &subs {
                let owners = shards.iter().filter(|sh| sh.owns(s)).count();
                assert_eq!(owners, 1, "{s} in {owners} of {count} shards");
            }
            // Roughly balanced over many ids: no shard is empty.
            for sh in &shards {
                assert!(subs.iter().any(|s| sh.owns(s)), "shard {sh} is empty");
            }
        }
    }

    #[test]
    fn assignment_is_stable_and_ignores_case_and_other_subscriptions() {
        let id = "3F2B9A10-0C4E-4D8B-A1F5-6E7D8C9B0A11";
        let a = Shard::of(id, 4);
        assert_eq!(a, Shard::of(&id.to_ascii_lowercase(), 4));
        assert_eq!(a, Shard::of(&format!(" {id} "), 4));
        // Pinned: the assignment must never change between releases.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(Shard::of(id, 1), 1);
    }

    #[test]
    fn parses_i_of_n() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/2", "3/2", "1/0", "x/2", "2", "1/2/3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(Shard { index: 1, count: 3 }.to_string(), "1/3");
        assert!(Shard { index: 1, count: 3 }.collects_tenant_sources());
        assert!(!Shard { index: 2, count: 3 }.collects_tenant_sources());
    }
}
