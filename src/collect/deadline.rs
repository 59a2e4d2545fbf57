//! Deadlines of a collection: one per source, running from the source's first request, and one
//! per run, running from the start of the collection. A request, a retry wait, a quota pause
//! or a token request never runs past the earlier of the two; a read a deadline stopped is a
//! gap that names the deadline, and the run goes on to write what it has.
//!
//! Only the arithmetic lives here (pure, on [`Instant`]s handed in); the HTTP layer applies it.

use std::time::Duration;

use tokio::time::Instant;

/// Which bound a deadline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    /// `collect.source_deadline_secs`, from the source's first request.
    Source,
    /// `collect.run_deadline_secs`, from the start of the collection.
    Run,
}

impl Bound {
    fn label(self) -> &'static str {
        match self {
            Bound::Source => "per-source",
            Bound::Run => "per-run",
        }
    }
}

/// One deadline: the instant it passes, and what it is (for gap reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deadline {
    pub(crate) bound: Bound,
    /// The configured length, counted from the bound's start.
    pub(crate) limit: Duration,
    pub(crate) at: Instant,
}

impl Deadline {
    /// The deadline `limit` after `start`. A limit too large for the clock is as good as none
    /// and is kept as about a century.
    pub(crate) fn new(bound: Bound, start: Instant, limit: Duration) -> Self {
        let at = start
            .checked_add(limit)
            .or_else(|| start.checked_add(Duration::from_secs(100 * 365 * 86_400)))
            .unwrap_or(start);
        Self { bound, limit, at }
    }

    /// The earlier of two deadlines; on a tie the per-run one (the wider cause).
    pub(crate) fn earliest(self, other: Deadline) -> Deadline {
        match self.at.cmp(&other.at) {
            std::cmp::Ordering::Less => self,
            std::cmp::Ordering::Greater => other,
            std::cmp::Ordering::Equal if other.bound == Bound::Run => other,
            std::cmp::Ordering::Equal => self,
        }
    }

    /// Time left at `now` (zero once passed).
    pub(crate) fn left(&self, now: Instant) -> Duration {
        self.at.saturating_duration_since(now)
    }

    /// Whether nothing is left at `now`: no request may start.
    pub(crate) fn passed(&self, now: Instant) -> bool {
        now >= self.at
    }

    /// The timeout of one attempt started at `now`: the request timeout, cut to what is left;
    /// `true` when the cut applies (a timeout then means the deadline, not the request timeout).
    pub(crate) fn attempt_timeout(
        &self,
        request_timeout: Duration,
        now: Instant,
    ) -> (Duration, bool) {
        let left = self.left(now);
        if left < request_timeout {
            (left, true)
        } else {
            (request_timeout, false)
        }
    }

    /// A wait of `delay` from `now` (a backoff, a `Retry-After`), cut to what is left: a retry
    /// is never sent after the deadline, and `Retry-After` is never cut short by a retry.
    pub(crate) fn cut_wait(&self, delay: Duration, now: Instant) -> Duration {
        delay.min(self.left(now))
    }

    /// `per-run deadline of 60 s`.
    pub(crate) fn describe(&self) -> String {
        format!("{} deadline of {}", self.bound.label(), secs(self.limit))
    }
}

/// A duration for people: whole seconds as `60 s`, else `1.5 s`.
pub(crate) fn secs(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} s", d.as_secs_f64())
    }
}

/// The provenance note every source carries, so an auditor sees the bound its data was read
/// under.
pub(crate) fn note(source: Duration, run: Duration) -> String {
    format!(
        "collection bounded by a per-source deadline of {} (from the source's first request) \
         and a per-run deadline of {}; a read either deadline stopped is a gap naming it",
        secs(source),
        secs(run)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: Instant, bound: Bound, secs: u64) -> Deadline {
        Deadline::new(bound, start, Duration::from_secs(secs))
    }

    #[test]
    fn time_left_and_passed() {
        let t0 = Instant::now();
        let d = at(t0, Bound::Source, 10);
        assert_eq!(d.left(t0), Duration::from_secs(10));
        assert_eq!(d.left(t0 + Duration::from_secs(4)), Duration::from_secs(6));
        assert_eq!(d.left(t0 + Duration::from_secs(11)), Duration::ZERO);
        assert!(!d.passed(t0 + Duration::from_millis(9_999)));
        assert!(d.passed(t0 + Duration::from_secs(10)));
        assert!(d.passed(t0 + Duration::from_secs(30)));
    }

    #[test]
    fn the_earlier_deadline_wins_and_a_tie_names_the_run() {
        let t0 = Instant::now();
        let run = at(t0, Bound::Run, 60);
        // A source that started 55 s into the run, with 15 s of its own: the run's comes first.
        let late_source = at(t0 + Duration::from_secs(55), Bound::Source, 15);
        assert_eq!(late_source.earliest(run), run);
        assert_eq!(run.earliest(late_source), run);
        let early_source = at(t0, Bound::Source, 15);
        assert_eq!(early_source.earliest(run), early_source);
        assert_eq!(run.earliest(early_source), early_source);
        let tie = at(t0, Bound::Source, 60);
        assert_eq!(tie.earliest(run).bound, Bound::Run);
        assert_eq!(run.earliest(tie).bound, Bound::Run);
    }

    #[test]
    fn an_attempt_is_cut_to_what_is_left() {
        let t0 = Instant::now();
        let d = at(t0, Bound::Run, 10);
        let timeout = Duration::from_secs(30);
        assert_eq!(
            d.attempt_timeout(timeout, t0),
            (Duration::from_secs(10), true)
        );
        assert_eq!(
            d.attempt_timeout(timeout, t0 + Duration::from_secs(7)),
            (Duration::from_secs(3), true)
        );
        assert_eq!(
            d.attempt_timeout(Duration::from_secs(2), t0 + Duration::from_secs(7)),
            (Duration::from_secs(2), false)
        );
        // Exactly what is left: the request timeout governs (the failure is a plain timeout).
        assert_eq!(
            d.attempt_timeout(Duration::from_secs(3), t0 + Duration::from_secs(7)),
            (Duration::from_secs(3), false)
        );
        assert_eq!(
            d.attempt_timeout(timeout, t0 + Duration::from_secs(12)),
            (Duration::ZERO, true)
        );
    }

    #[test]
    fn a_wait_is_cut_to_what_is_left() {
        let t0 = Instant::now();
        let d = at(t0, Bound::Source, 10);
        assert_eq!(
            d.cut_wait(Duration::from_secs(9), t0),
            Duration::from_secs(9)
        );
        // A 30 s Retry-After with 10 s left ends at the deadline, and the read with it.
        assert_eq!(
            d.cut_wait(Duration::from_secs(30), t0),
            Duration::from_secs(10)
        );
        assert_eq!(
            d.cut_wait(Duration::from_secs(30), t0 + Duration::from_secs(8)),
            Duration::from_secs(2)
        );
        assert_eq!(
            d.cut_wait(Duration::MAX, t0 + Duration::from_secs(10)),
            Duration::ZERO
        );
    }

    #[test]
    fn huge_limits_do_not_overflow() {
        let t0 = Instant::now();
        let d = Deadline::new(Bound::Run, t0, Duration::MAX);
        assert!(d.left(t0) > Duration::from_secs(50 * 365 * 86_400));
        assert!(!d.passed(t0));
    }

    #[test]
    fn descriptions_name_the_bound_and_its_length() {
        let t0 = Instant::now();
        assert_eq!(
            at(t0, Bound::Run, 60).describe(),
            "per-run deadline of 60 s"
        );
        assert_eq!(
            Deadline::new(Bound::Source, t0, Duration::from_millis(1500)).describe(),
            "per-source deadline of 1.5 s"
        );
        let n = note(Duration::from_secs(900), Duration::from_secs(2700));
        assert!(
            n.contains("per-source deadline of 900 s") && n.contains("per-run deadline of 2700 s")
        );
    }
}
