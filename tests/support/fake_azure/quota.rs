//! The documented Azure read quotas, time-scaled so tests can run them in milliseconds:
//! Resource Graph 15 queries per 5 s window per user; ARM reads a token bucket of 250 with
//! 25/s refill per subscription and principal; optional Graph bucket.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Quota settings. Durations and rates are the documented ones; `time_scale` converts them to
/// real time (0.01 makes a 5 s window last 50 ms and a 25/s refill run at 2500/s).
#[derive(Debug, Clone)]
pub struct Quotas {
    pub enabled: bool,
    /// Real seconds per documented second.
    pub time_scale: f64,
    pub arg_queries: u32,
    pub arg_window: Duration,
    pub arm_burst: u32,
    pub arm_refill_per_sec: f64,
    /// Graph has no single documented number; `Some((burst, refill/s))` enables a bucket per
    /// principal, `None` leaves Graph throttling to injected faults.
    pub graph: Option<(u32, f64)>,
    /// The Graph bucket starts empty instead of full, as if another client of the principal
    /// had just used it: the first Graph request is refused whatever the timing.
    pub graph_starts_empty: bool,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            enabled: true,
            time_scale: 1.0,
            arg_queries: 15,
            arg_window: Duration::from_secs(5),
            arm_burst: 250,
            arm_refill_per_sec: 25.0,
            graph: None,
            graph_starts_empty: false,
        }
    }
}

impl Quotas {
    pub fn off() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }

    /// The documented numbers, running `factor` times faster than real time.
    pub fn scaled(time_scale: f64) -> Self {
        Self {
            time_scale,
            ..Self::default()
        }
    }

    fn real(&self, d: Duration) -> Duration {
        d.mul_f64(self.time_scale.max(0.0))
    }
}

/// The outcome of one quota check.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decision {
    pub allowed: bool,
    pub remaining: u32,
    /// ARG: until the window resets; ARM/Graph: until one more read is available.
    pub wait: Duration,
}

#[derive(Default)]
pub(crate) struct QuotaState {
    arg: HashMap<String, (Instant, u32)>,
    buckets: HashMap<String, (f64, Instant)>,
}

impl QuotaState {
    pub fn arg(&mut self, q: &Quotas, principal: &str, now: Instant) -> Decision {
        let window = q.real(q.arg_window);
        let entry = self.arg.entry(principal.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        let resets = window.saturating_sub(now.duration_since(entry.0));
        if !q.enabled {
            return Decision {
                allowed: true,
                remaining: q.arg_queries,
                wait: resets,
            };
        }
        if entry.1 < q.arg_queries {
            entry.1 += 1;
            Decision {
                allowed: true,
                remaining: q.arg_queries - entry.1,
                wait: resets,
            }
        } else {
            Decision {
                allowed: false,
                remaining: 0,
                wait: resets,
            }
        }
    }

    /// The Resource Graph quota state of `principal` without using a query (for answers that
    /// are not queries: injected faults).
    pub fn arg_peek(&mut self, q: &Quotas, principal: &str, now: Instant) -> Decision {
        let window = q.real(q.arg_window);
        let (start, used) = self.arg.get(principal).copied().unwrap_or((now, 0));
        let (start, used) = if now.duration_since(start) >= window {
            (now, 0)
        } else {
            (start, used)
        };
        Decision {
            allowed: true,
            remaining: q.arg_queries.saturating_sub(used),
            wait: window.saturating_sub(now.duration_since(start)),
        }
    }

    pub fn bucket(
        &mut self,
        q: &Quotas,
        key: &str,
        burst: u32,
        start: u32,
        refill_per_sec: f64,
        now: Instant,
    ) -> Decision {
        let rate = refill_per_sec / q.time_scale.max(1e-9);
        let entry = self
            .buckets
            .entry(key.to_string())
            .or_insert((start.min(burst) as f64, now));
        let elapsed = now.duration_since(entry.1).as_secs_f64();
        entry.0 = (entry.0 + elapsed * rate).min(burst as f64);
        entry.1 = now;
        if !q.enabled {
            return Decision {
                allowed: true,
                remaining: entry.0 as u32,
                wait: Duration::ZERO,
            };
        }
        if entry.0 >= 1.0 {
            entry.0 -= 1.0;
            Decision {
                allowed: true,
                remaining: entry.0 as u32,
                wait: Duration::ZERO,
            }
        } else {
            Decision {
                allowed: false,
                remaining: 0,
                wait: Duration::from_secs_f64((1.0 - entry.0) / rate),
            }
        }
    }
}
