//! The Type 2 period view: how each criterion's status evolved over a period, computed from
//! the runs (evidence snapshots) recorded in it. Pure: the store walks the history and hands
//! over one [`PeriodRun`] per snapshot; every time here comes from a snapshot's `as_of`, never
//! from the clock.
//!
//! A Type 2 auditor asks two things of continuous evidence: was the control operating on every
//! day of the period, and was the evidence collected often enough to say so. The first is the
//! per-criterion day timeline and its count of days failing; the second is the list of
//! cadence gaps, stretches longer than the expected interval with no run at all.
//!
//! Days are UTC calendar days. A criterion's state on a day is the worst state it was in at
//! any moment of that day: the state carried in from the last earlier run, and every run that
//! day. Carrying a failure forward until a run shows otherwise is the conservative reading (a
//! failing control is not assumed fixed without evidence); a pass is carried too, but such a
//! day is marked as having had no run, and the cadence gaps name every such stretch.

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};

use crate::controls::ControlStatus;
use crate::evidence::{EvidenceError, Snapshot};

/// Longest period a view covers: a Type 2 period is at most a year.
pub const MAX_DAYS: i64 = 366;

/// The default expected cadence: a daily run, with slack for a late or slow run.
pub const DEFAULT_MAX_GAP_HOURS: i64 = 36;

/// One recorded run: a snapshot's time, identity and criterion statuses.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRun {
    /// The evidence repository commit holding the snapshot.
    pub commit: String,
    /// The snapshot's `as_of` (inventory collection time).
    pub as_of: DateTime<Utc>,
    pub manifest_sha256: String,
    /// Every criterion in the snapshot's summary, in its order.
    pub criteria: Vec<(String, ControlStatus)>,
}

impl PeriodRun {
    pub fn from_snapshot(
        snapshot: &Snapshot,
        commit: impl Into<String>,
    ) -> Result<Self, EvidenceError> {
        let summary = snapshot.summary()?;
        let manifest_sha256 = snapshot
            .manifest_sha256()
            .ok_or_else(|| EvidenceError::Missing {
                file: crate::evidence::MANIFEST.to_string(),
            })?;
        Ok(Self {
            commit: commit.into(),
            as_of: summary.as_of,
            manifest_sha256,
            criteria: summary
                .criteria
                .iter()
                .map(|c| (c.id.clone(), c.status))
                .collect(),
        })
    }

    pub fn status(&self, id: &str) -> Option<ControlStatus> {
        self.criteria.iter().find(|(c, _)| c == id).map(|(_, s)| *s)
    }

    /// Criteria of the run with status `s`.
    pub fn count(&self, s: ControlStatus) -> usize {
        self.criteria.iter().filter(|(_, st)| *st == s).count()
    }

    pub fn as_of_text(&self) -> String {
        self.as_of.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

/// A stretch longer than the expected cadence without a run.
#[derive(Debug, Clone, PartialEq)]
pub struct CadenceGap {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// True when `from` is a run's time; false when it is the start of the period (no run
    /// before it is known).
    pub from_run: bool,
    /// True when `to` is a run's time; false when it is the end of the period.
    pub to_run: bool,
}

impl CadenceGap {
    pub fn hours(&self) -> i64 {
        (self.to - self.from).num_hours()
    }
}

/// A criterion's state on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCell {
    /// The worst state the criterion was in at any moment of the day; `None` when no run
    /// before or during the day recorded it.
    pub status: Option<ControlStatus>,
    /// At least one run was recorded that day.
    pub observed: bool,
}

/// One criterion over the period.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionTimeline {
    pub id: String,
    /// One cell per day of the period.
    pub days: Vec<DayCell>,
    /// Days on which the criterion was failing at some moment.
    pub days_failing: u32,
    /// Days on which it was incomplete (and not failing).
    pub days_incomplete: u32,
    /// Runs in the period that recorded it failing.
    pub runs_failing: u32,
    /// Its state in the last run of the period.
    pub last: Option<ControlStatus>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period must end after it starts ({from} .. {to})")]
    Backwards { from: String, to: String },
    #[error("the period spans {days} days; at most {MAX_DAYS} are supported")]
    TooLong { days: i64 },
    #[error("no evidence was recorded between {from} and {to}")]
    Empty { from: String, to: String },
    #[error("the expected cadence must be at least one hour, not {hours}")]
    Cadence { hours: i64 },
}

/// The period view: every run in `[from, to)`, the cadence gaps and a timeline per criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodView {
    /// Start of the period (inclusive).
    pub from: DateTime<Utc>,
    /// End of the period (exclusive).
    pub to: DateTime<Utc>,
    /// Longest interval between runs that is not a gap.
    pub max_gap_hours: i64,
    /// The last run before the period, whose states hold until the first run in it.
    pub carried_in: Option<PeriodRun>,
    /// The runs in the period, oldest first.
    pub runs: Vec<PeriodRun>,
    /// The UTC days the period touches, in order.
    pub days: Vec<NaiveDate>,
    /// Days on which no run was recorded.
    pub days_without_run: u32,
    pub gaps: Vec<CadenceGap>,
    /// Criteria that are evaluated by checks (automated) in some run, in the last run's order.
    pub criteria: Vec<CriterionTimeline>,
    /// Criteria never evaluated by checks in the period (manual or inherited), by id.
    pub not_automated: Vec<(String, ControlStatus)>,
}

/// Worst first: the order in which a day's states are combined.
fn severity(s: ControlStatus) -> u8 {
    match s {
        ControlStatus::Fail => 5,
        ControlStatus::Incomplete => 4,
        ControlStatus::Pass => 3,
        ControlStatus::NotApplicable => 2,
        ControlStatus::Manual => 1,
        ControlStatus::Inherited => 0,
    }
}

fn worst(a: Option<ControlStatus>, b: Option<ControlStatus>) -> Option<ControlStatus> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if severity(y) > severity(x) { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

fn automated(s: ControlStatus) -> bool {
    !matches!(s, ControlStatus::Manual | ControlStatus::Inherited)
}

fn text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl PeriodView {
    /// Builds the view of `[from, to)` from `runs` (in any order; runs outside the period are
    /// used only for the state carried into it). A gap is any interval without a run longer
    /// than `max_gap_hours`, including from the start of the period (or the last run before
    /// it) to the first run, and from the last run to the end of the period.
    pub fn build(
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        mut runs: Vec<PeriodRun>,
        max_gap_hours: i64,
    ) -> Result<Self, PeriodError> {
        if to <= from {
            return Err(PeriodError::Backwards {
                from: text(from),
                to: text(to),
            });
        }
        if max_gap_hours < 1 {
            return Err(PeriodError::Cadence {
                hours: max_gap_hours,
            });
        }
        let first_day = from.date_naive();
        let last_day = (to - Duration::seconds(1)).date_naive();
        let span = (last_day - first_day).num_days() + 1;
        if span > MAX_DAYS {
            return Err(PeriodError::TooLong { days: span });
        }
        runs.sort_by(|a, b| (a.as_of, &a.commit).cmp(&(b.as_of, &b.commit)));
        let carried_in = runs.iter().rev().find(|r| r.as_of < from).cloned();
        let runs: Vec<PeriodRun> = runs
            .into_iter()
            .filter(|r| r.as_of >= from && r.as_of < to)
            .collect();
        if runs.is_empty() {
            return Err(PeriodError::Empty {
                from: text(from),
                to: text(to),
            });
        }
        let days: Vec<NaiveDate> = first_day.iter_days().take(span as usize).collect();
        let mut view = PeriodView {
            from,
            to,
            max_gap_hours,
            gaps: gaps(from, to, carried_in.as_ref(), &runs, max_gap_hours),
            carried_in,
            runs,
            days,
            days_without_run: 0,
            criteria: Vec::new(),
            not_automated: Vec::new(),
        };
        // Day i covers [starts[i], starts[i + 1]), clipped to the period.
        let starts = view.day_bounds();
        let observed: Vec<bool> = view.runs_per_day().iter().map(|n| *n > 0).collect();
        view.days_without_run = observed.iter().filter(|o| !**o).count() as u32;
        let (carried_in, runs) = (&view.carried_in, &view.runs);
        #[allow(clippy::expect_used, reason = "an empty period returned early above")]
        let last = runs.last().expect("checked non-empty above");

        // Criteria ids: the last run's order first, then any others by id.
        let mut ids: Vec<String> = last.criteria.iter().map(|(id, _)| id.clone()).collect();
        let mut others: Vec<String> = runs
            .iter()
            .chain(carried_in.iter())
            .flat_map(|r| r.criteria.iter().map(|(id, _)| id.clone()))
            .filter(|id| !ids.contains(id))
            .collect();
        others.sort();
        others.dedup();
        ids.extend(others);

        let mut criteria = Vec::new();
        let mut not_automated = Vec::new();
        for id in ids {
            let ever_automated = runs
                .iter()
                .chain(carried_in.iter())
                .filter_map(|r| r.status(&id))
                .any(automated);
            if !ever_automated {
                let s = last
                    .status(&id)
                    .or_else(|| runs.iter().rev().find_map(|r| r.status(&id)));
                if let Some(s) = s {
                    not_automated.push((id, s));
                }
                continue;
            }
            criteria.push(timeline(&id, carried_in.as_ref(), runs, &starts, &observed));
        }
        view.criteria = criteria;
        view.not_automated = not_automated;
        Ok(view)
    }

    /// The last day of the period (the end is exclusive).
    pub fn last_day(&self) -> NaiveDate {
        (self.to - Duration::seconds(1)).date_naive()
    }

    /// Start of each day (clipped to the period), followed by the end of the period.
    fn day_bounds(&self) -> Vec<DateTime<Utc>> {
        self.days
            .iter()
            .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc().max(self.from))
            .chain(std::iter::once(self.to))
            .collect()
    }

    /// How many runs were recorded on each day.
    pub fn runs_per_day(&self) -> Vec<usize> {
        let b = self.day_bounds();
        (0..self.days.len())
            .map(|i| {
                self.runs
                    .iter()
                    .filter(|r| r.as_of >= b[i] && r.as_of < b[i + 1])
                    .count()
            })
            .collect()
    }

    /// For each day, whether part of it lies inside a cadence gap.
    pub fn gap_days(&self) -> Vec<bool> {
        let b = self.day_bounds();
        (0..self.days.len())
            .map(|i| self.gaps.iter().any(|g| g.from < b[i + 1] && g.to > b[i]))
            .collect()
    }

    /// The period as the report states it, e.g. `2026-11-01 to 2026-11-30 (UTC)`.
    pub fn label(&self) -> String {
        let midnight = |t: DateTime<Utc>| t.time() == chrono::NaiveTime::MIN;
        if midnight(self.from) && midnight(self.to) {
            format!(
                "{} to {} (UTC, {} days)",
                self.from.date_naive(),
                self.last_day(),
                self.days.len()
            )
        } else {
            format!("{} to {} (end exclusive)", text(self.from), text(self.to))
        }
    }
}

fn gaps(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    carried_in: Option<&PeriodRun>,
    runs: &[PeriodRun],
    max_gap_hours: i64,
) -> Vec<CadenceGap> {
    let mut points: Vec<(DateTime<Utc>, bool)> = Vec::new();
    points.push(match carried_in {
        Some(r) => (r.as_of, true),
        None => (from, false),
    });
    points.extend(runs.iter().map(|r| (r.as_of, true)));
    points.push((to, false));
    let limit = Duration::hours(max_gap_hours);
    points
        .windows(2)
        .filter(|w| w[1].0 - w[0].0 > limit)
        .map(|w| CadenceGap {
            from: w[0].0,
            to: w[1].0,
            from_run: w[0].1,
            to_run: w[1].1,
        })
        .collect()
}

fn timeline(
    id: &str,
    carried_in: Option<&PeriodRun>,
    runs: &[PeriodRun],
    starts: &[DateTime<Utc>],
    observed: &[bool],
) -> CriterionTimeline {
    let mut state = carried_in.and_then(|r| r.status(id));
    let mut next = 0;
    let mut days = Vec::with_capacity(observed.len());
    for (i, seen) in observed.iter().enumerate() {
        let mut day = state;
        while next < runs.len() && runs[next].as_of < starts[i + 1] {
            let s = runs[next].status(id);
            day = worst(day, s);
            // A run that does not record the criterion (an older catalogue) leaves it unknown.
            state = s;
            next += 1;
        }
        days.push(DayCell {
            status: day,
            observed: *seen,
        });
    }
    let count = |s: ControlStatus| days.iter().filter(|d| d.status == Some(s)).count() as u32;
    CriterionTimeline {
        id: id.to_string(),
        days_failing: count(ControlStatus::Fail),
        days_incomplete: count(ControlStatus::Incomplete),
        runs_failing: runs
            .iter()
            .filter(|r| r.status(id) == Some(ControlStatus::Fail))
            .count() as u32,
        last: runs.last().and_then(|r| r.status(id)),
        days,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ControlStatus::{Fail, Incomplete, Inherited, Manual, Pass};
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    pub(crate) fn run(d: u32, h: u32, cc61: ControlStatus) -> PeriodRun {
        PeriodRun {
            commit: format!("c{d:02}{h:02}"),
            as_of: at(d, h),
            manifest_sha256: format!("{d:02}{h:02}").repeat(16),
            criteria: vec![
                ("CC6.1".into(), cc61),
                ("CC7.2".into(), Pass),
                ("CC6.4".into(), Inherited),
                ("CC1.1".into(), Manual),
            ],
        }
    }

    #[test]
    fn days_failing_and_cadence_gaps() {
        // Daily at 06:00 from the 1st to the 3rd, then nothing until the 6th: a gap.
        let runs = vec![
            run(3, 6, Pass),
            run(1, 6, Pass),
            run(2, 6, Fail),
            run(6, 6, Pass),
            // Outside the period: ignored.
            run(9, 6, Fail),
        ];
        let v = PeriodView::build(at(1, 0), at(8, 0), runs, DEFAULT_MAX_GAP_HOURS).unwrap();
        assert_eq!(v.days.len(), 7);
        assert_eq!(v.runs.len(), 4);
        assert!(v.runs.windows(2).all(|w| w[0].as_of < w[1].as_of));
        assert_eq!(v.days_without_run, 3, "4th, 5th, 7th");
        // 1st 00:00 to the first run is 6 h: fine. 3rd to 6th: 72 h. 6th 06:00 to the end of
        // the period (8th 00:00): 42 h.
        assert_eq!(
            v.gaps,
            vec![
                CadenceGap {
                    from: at(3, 6),
                    to: at(6, 6),
                    from_run: true,
                    to_run: true
                },
                CadenceGap {
                    from: at(6, 6),
                    to: at(8, 0),
                    from_run: true,
                    to_run: false
                },
            ]
        );
        assert_eq!(v.gaps.len(), 2);
        assert_eq!(v.gaps[0].hours(), 72);

        let ids: Vec<&str> = v.criteria.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["CC6.1", "CC7.2"]);
        assert_eq!(
            v.not_automated,
            vec![
                ("CC6.4".to_string(), Inherited),
                ("CC1.1".to_string(), Manual)
            ]
        );
        let cc61 = &v.criteria[0];
        let states: Vec<Option<ControlStatus>> = cc61.days.iter().map(|d| d.status).collect();
        // Day 1: nothing known before the 06:00 pass. Day 2 fails; day 3 starts failing and
        // passes at 06:00, so it counts as failing too.
        assert_eq!(
            states,
            [
                Some(Pass),
                Some(Fail),
                Some(Fail),
                Some(Pass),
                Some(Pass),
                Some(Pass),
                Some(Pass)
            ]
        );
        assert_eq!(cc61.days_failing, 2);
        assert_eq!(cc61.runs_failing, 1);
        assert_eq!(cc61.last, Some(Pass));
        let seen: Vec<bool> = cc61.days.iter().map(|d| d.observed).collect();
        assert_eq!(seen, [true, true, true, false, false, true, false]);
        assert_eq!(v.label(), "2026-11-01 to 2026-11-07 (UTC, 7 days)");
    }

    #[test]
    fn state_is_carried_in_from_before_the_period() {
        let runs = vec![run(1, 6, Incomplete), run(4, 6, Pass)];
        let v = PeriodView::build(at(3, 0), at(5, 0), runs, 48).unwrap();
        assert_eq!(v.carried_in.as_ref().unwrap().as_of, at(1, 6));
        let cc61 = &v.criteria[0];
        assert_eq!(cc61.days[0].status, Some(Incomplete));
        assert!(!cc61.days[0].observed);
        assert_eq!(cc61.days[1].status, Some(Incomplete), "until the 06:00 run");
        assert_eq!(cc61.days_incomplete, 2);
        // From the carried-in run (1st 06:00) to the first run in the period: 72 h > 48 h.
        assert_eq!(v.gaps.len(), 1);
        assert!(v.gaps[0].from_run && v.gaps[0].to_run);
    }

    #[test]
    fn invalid_periods_are_errors() {
        let e = PeriodView::build(at(5, 0), at(5, 0), vec![run(5, 0, Pass)], 36).unwrap_err();
        assert!(matches!(e, PeriodError::Backwards { .. }));
        let e = PeriodView::build(at(1, 0), at(2, 0), vec![run(3, 0, Pass)], 36).unwrap_err();
        assert!(e.to_string().contains("no evidence was recorded"), "{e}");
        let long = Utc.with_ymd_and_hms(2028, 1, 1, 0, 0, 0).unwrap();
        let e = PeriodView::build(at(1, 0), long, vec![run(3, 0, Pass)], 36).unwrap_err();
        assert!(matches!(e, PeriodError::TooLong { .. }), "{e}");
        let e = PeriodView::build(at(1, 0), at(2, 0), vec![run(1, 1, Pass)], 0).unwrap_err();
        assert!(matches!(e, PeriodError::Cadence { .. }), "{e}");
    }
}
