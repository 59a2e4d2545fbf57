//! Retries, backoff and pacing, apart from the HTTP client that uses them: the retry policy
//! and its decisions (which outcomes are retried, after how long, `Retry-After` and the quota
//! headers' reset times), the seeded jitter, the documented quotas the client paces itself by,
//! and the per-kind call counters. Token requests (`auth`) and data requests (`http`) both draw
//! on these, so neither needs the other's module for them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// How failed requests are retried. Tests set small values; the defaults suit Azure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included (1 = never retry).
    pub max_attempts: u32,
    /// Backoff before the first retry; doubled for each further retry.
    pub backoff_base: Duration,
    /// Upper bound of one backoff.
    pub backoff_cap: Duration,
    /// Upper bound of one wait asked for by `Retry-After` or a quota header.
    pub retry_after_cap: Duration,
    pub jitter: Jitter,
}

/// Randomisation of backoff delays, so concurrent retries do not arrive together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Exact exponential delays (deterministic tests).
    None,
    /// Each delay is drawn from [d/2, d) by a generator with this seed.
    Seeded(u64),
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(30),
            retry_after_cap: Duration::from_secs(60),
            jitter: Jitter::Seeded(0x50c2_e71d),
        }
    }
}

impl RetryPolicy {
    /// The backoff before retry number `retry` (1 = the first retry).
    pub(crate) fn backoff(&self, retry: u32, rng: &mut Rng) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let d = self
            .backoff_base
            .saturating_mul(factor)
            .min(self.backoff_cap);
        match self.jitter {
            Jitter::None => d,
            Jitter::Seeded(_) => d / 2 + rng.below(d / 2),
        }
    }
}

/// SplitMix64: a tiny seeded generator for jitter (no cryptographic use).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A duration in [0, d).
    fn below(&mut self, d: Duration) -> Duration {
        let n = d.as_nanos().min(u64::MAX as u128) as u64;
        if n == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(self.next_u64() % n)
    }
}

/// What one attempt ended with, as far as retrying is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Status {
        status: u16,
        retry_after: Option<Duration>,
    },
    Timeout,
    Connect,
    /// The body broke off (connection closed before the announced length).
    Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Retry(Duration),
    Stop,
}

/// Whether to retry after `attempts` attempts ended with `outcome`, and after how long.
pub(crate) fn decide(
    policy: &RetryPolicy,
    attempts: u32,
    outcome: &Outcome,
    rng: &mut Rng,
) -> Decision {
    let retryable = match outcome {
        Outcome::Status { status, .. } => {
            matches!(status, 408 | 429)
                || (500..=599).contains(status) && !matches!(status, 501 | 505)
        }
        Outcome::Timeout | Outcome::Connect | Outcome::Body => true,
    };
    if !retryable || attempts >= policy.max_attempts {
        return Decision::Stop;
    }
    match outcome {
        Outcome::Status {
            retry_after: Some(d),
            ..
        } => Decision::Retry((*d).min(policy.retry_after_cap)),
        _ => Decision::Retry(policy.backoff(attempts, rng)),
    }
}

/// Parses `Retry-After`: delay-seconds (integer or decimal) or an HTTP date.
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok();
    }
    let at = DateTime::parse_from_rfc2822(v).ok()?;
    Some(
        (at.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// Parses the `hh:mm:ss[.fff]` of `x-ms-user-quota-resets-after`.
pub(crate) fn parse_hms(value: &str) -> Option<Duration> {
    let mut parts = value.trim().split(':');
    let h: u64 = parts.next()?.parse().ok()?;
    let m: u64 = parts.next()?.parse().ok()?;
    let s: f64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    let whole = h.checked_mul(3600)?.checked_add(m.checked_mul(60)?)?;
    Duration::from_secs(whole).checked_add(Duration::try_from_secs_f64(s).ok()?)
}

/// Resource Graph: slow down when this many queries (or fewer) are left in the window.
pub(super) const RG_LOW_WATER: u64 = 1;
/// ARM refills 25 reads a second per subscription and principal: one read per 40 ms. The
/// estimate assumes 42 ms: paced exactly at the refill rate, a read that reaches the service a
/// millisecond early (network jitter) finds the bucket a fraction short and is refused; 5 %
/// slack lets the service's bucket absorb that jitter.
pub(super) const ARM_REFILL_INTERVAL: Duration = Duration::from_millis(42);
/// ARM's documented burst of reads per subscription and principal.
pub(super) const ARM_BURST: f64 = 250.0;

/// Which budget a call draws on; counted separately for benchmarks and the CLI summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallKind {
    /// `POST /providers/Microsoft.ResourceGraph/resources` (one page).
    ResourceGraph,
    /// ARM calls at tenant or subscription scope (`/subscriptions`, Defender, Activity Log…).
    ArmSubscription,
    /// ARM calls below one resource (diagnostic settings, blob service, SQL auditing…).
    ArmResource,
    /// Microsoft Graph.
    Graph,
}

/// API calls made by one collection, by kind. Every HTTP attempt counts, retries included.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CallStats {
    pub resource_graph: u64,
    pub arm_subscription: u64,
    pub arm_resource: u64,
    pub graph: u64,
    /// Token requests (Entra token endpoint, GitHub OIDC); not part of [`CallStats::total`].
    pub token: u64,
    /// Attempts that were retries of an earlier one (included in the kinds above).
    pub retries: u64,
    /// Responses with status 429 (token requests included).
    pub throttled: u64,
}

impl CallStats {
    /// Calls to Azure's data APIs (Resource Graph, ARM, Microsoft Graph).
    pub fn total(&self) -> u64 {
        self.resource_graph + self.arm_subscription + self.arm_resource + self.graph
    }

    /// One line for people: `123 API calls: 4 Resource Graph, …`.
    pub fn summary(&self) -> String {
        format!(
            "{} API calls: {} Resource Graph, {} ARM per-subscription, {} ARM per-resource, {} \
             Microsoft Graph ({} retries, {} throttled); {} token requests",
            self.total(),
            self.resource_graph,
            self.arm_subscription,
            self.arm_resource,
            self.graph,
            self.retries,
            self.throttled,
            self.token
        )
    }
}

/// Live counters behind [`CallStats`], shared by every request of one collection.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    resource_graph: AtomicU64,
    arm_subscription: AtomicU64,
    arm_resource: AtomicU64,
    graph: AtomicU64,
    pub(crate) token: AtomicU64,
    pub(super) retries: AtomicU64,
    /// 429 responses, token requests included.
    pub(crate) throttled: AtomicU64,
}

impl Counters {
    pub(super) fn add(&self, kind: CallKind) {
        let c = match kind {
            CallKind::ResourceGraph => &self.resource_graph,
            CallKind::ArmSubscription => &self.arm_subscription,
            CallKind::ArmResource => &self.arm_resource,
            CallKind::Graph => &self.graph,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> CallStats {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        CallStats {
            resource_graph: g(&self.resource_graph),
            arm_subscription: g(&self.arm_subscription),
            arm_resource: g(&self.arm_resource),
            graph: g(&self.graph),
            token: g(&self.token),
            retries: g(&self.retries),
            throttled: g(&self.throttled),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn policy(jitter: Jitter) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            backoff_base: Duration::from_millis(100),
            backoff_cap: Duration::from_millis(350),
            retry_after_cap: Duration::from_secs(5),
            jitter,
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = policy(Jitter::None);
        let mut rng = Rng::new(1);
        let d: Vec<u128> = (1..=4)
            .map(|n| p.backoff(n, &mut rng).as_millis())
            .collect();
        assert_eq!(d, [100, 200, 350, 350]);
    }

    #[test]
    fn jitter_stays_in_the_upper_half_and_is_reproducible() {
        let p = policy(Jitter::Seeded(7));
        let draw = || {
            let mut rng = Rng::new(7);
            (1..=6).map(|n| p.backoff(n, &mut rng)).collect::<Vec<_>>()
        };
        let a = draw();
        assert_eq!(a, draw());
        for (i, d) in a.iter().enumerate() {
            let full = policy(Jitter::None).backoff(i as u32 + 1, &mut Rng::new(0));
            assert!(*d >= full / 2 && *d < full, "{d:?} vs {full:?}");
        }
    }

    #[test]
    fn retry_decisions() {
        let p = policy(Jitter::None);
        let mut rng = Rng::new(0);
        let status = |s: u16| Outcome::Status {
            status: s,
            retry_after: None,
        };
        for s in [500, 502, 503, 504, 429, 408] {
            assert_eq!(
                decide(&p, 1, &status(s), &mut rng),
                Decision::Retry(Duration::from_millis(100)),
                "{s}"
            );
        }
        for s in [400, 401, 403, 404, 409, 501] {
            assert_eq!(decide(&p, 1, &status(s), &mut rng), Decision::Stop, "{s}");
        }
        for o in [Outcome::Timeout, Outcome::Connect, Outcome::Body] {
            assert_eq!(
                decide(&p, 2, &o, &mut rng),
                Decision::Retry(Duration::from_millis(200))
            );
            assert_eq!(decide(&p, 4, &o, &mut rng), Decision::Stop);
        }
        let throttled = |secs| Outcome::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(secs)),
        };
        assert_eq!(
            decide(&p, 1, &throttled(2), &mut rng),
            Decision::Retry(Duration::from_secs(2))
        );
        // A huge Retry-After is capped.
        assert_eq!(
            decide(&p, 1, &throttled(3600), &mut rng),
            Decision::Retry(Duration::from_secs(5))
        );
        assert_eq!(decide(&p, 4, &throttled(1), &mut rng), Decision::Stop);
    }

    #[test]
    fn retry_after_in_seconds_and_http_dates() {
        let now = Utc.with_ymd_and_hms(2015, 10, 21, 7, 27, 50).unwrap();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after(" 1.5 ", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(10))
        );
        // A date in the past means "now".
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
        // Absurd values are refused, never a panic.
        assert_eq!(parse_retry_after("1e300", now), None);
        assert_eq!(parse_retry_after("NaN", now), None);
    }

    #[test]
    fn quota_reset_times() {
        assert_eq!(parse_hms("00:00:03"), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_hms("01:02:03.5"),
            Some(Duration::from_millis(3_723_500))
        );
        assert_eq!(parse_hms("3"), None);
        assert_eq!(parse_hms("a:b:c"), None);
        assert_eq!(parse_hms("99999999999999999:00:00"), None);
        assert_eq!(parse_hms("00:00:1e300"), None);
    }
}
