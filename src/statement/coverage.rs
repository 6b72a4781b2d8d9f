//! Which days statements cover, and where tally may expect money to show.
//!
//! Each imported file covers a period of whole UTC days: from the day of
//! its first line to the day of its last, or what `--period FROM..TO` says.
//! A provider's periods are merged when they overlap or touch (January's
//! file and February's cover both months). Absence is judged only inside
//! the merged periods, [`GRACE_DAYS`] away from their edges: a capture at
//! 23:59 UTC can land on the next day's statement, and a file's first and
//! last days may be partial.

use std::fmt;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use crate::domain::Timestamp;

/// Days at each edge of a covered period where absence is not judged.
pub const GRACE_DAYS: i64 = 2;

/// A run of whole UTC days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// `FROM..TO`, dates as `YYYY-MM-DD`, both included.
    pub fn parse(text: &str) -> Result<Period, String> {
        let bad =
            || format!("{text:?} is not a period: give FROM..TO, e.g. 2026-11-01..2026-11-30");
        let (a, b) = text.trim().split_once("..").ok_or_else(bad)?;
        let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| bad());
        let (from, to) = (day(a)?, day(b)?);
        if to < from {
            return Err(format!("{text:?}: the period ends before it starts"));
        }
        Ok(Period { from, to })
    }

    /// The days of the first and last of `moments`.
    pub fn spanning(moments: impl IntoIterator<Item = Timestamp>) -> Option<Period> {
        let mut span: Option<Period> = None;
        for at in moments {
            let d = at.date_naive();
            span = Some(match span {
                None => Period { from: d, to: d },
                Some(p) => Period {
                    from: p.from.min(d),
                    to: p.to.max(d),
                },
            });
        }
        span
    }

    pub fn start(&self) -> Timestamp {
        self.from.and_time(NaiveTime::MIN).and_utc()
    }

    /// The first instant after the period.
    pub fn end(&self) -> Timestamp {
        self.start() + Duration::days(self.days())
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    pub fn contains(&self, at: Timestamp) -> bool {
        at >= self.start() && at < self.end()
    }

    /// The instants where absence is judged: [`GRACE_DAYS`] in from each
    /// edge; `None` for a period too short to have any.
    pub fn interior(&self) -> Option<(Timestamp, Timestamp)> {
        let from = self.start() + Duration::days(GRACE_DAYS);
        let to = self.end() - Duration::days(GRACE_DAYS);
        (from < to).then_some((from, to))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

/// Merges periods that overlap or touch; the result is sorted.
pub fn merge(mut periods: Vec<Period>) -> Vec<Period> {
    periods.sort();
    let mut out: Vec<Period> = Vec::new();
    for p in periods {
        match out.last_mut() {
            Some(last) if p.from <= last.to + Duration::days(1) => last.to = last.to.max(p.to),
            _ => out.push(p),
        }
    }
    out
}

/// Whether `at` lies where absence is judged, in any of `merged`.
pub fn judged(merged: &[Period], at: DateTime<Utc>) -> bool {
    merged
        .iter()
        .filter_map(Period::interior)
        .any(|(from, to)| at >= from && at < to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn p(text: &str) -> Period {
        Period::parse(text).unwrap()
    }

    fn at(y: i32, m: u32, d: u32, h: u32, mi: u32) -> Timestamp {
        Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()
    }

    #[test]
    fn periods_parse_and_refuse_nonsense() {
        assert_eq!(p("2026-11-01..2026-11-30").days(), 30);
        assert_eq!(
            p("2026-11-01..2026-11-30").to_string(),
            "2026-11-01..2026-11-30"
        );
        assert!(
            Period::parse("2026-11-30..2026-11-01")
                .unwrap_err()
                .contains("ends before")
        );
        assert!(Period::parse("november").unwrap_err().contains("FROM..TO"));
        assert!(Period::parse("2026-11-01..2026-13-01").is_err());
    }

    #[test]
    fn a_file_spans_the_days_of_its_lines() {
        let span = Period::spanning([at(2020, 1, 23, 8, 26), at(2020, 1, 25, 23, 59)]).unwrap();
        assert_eq!(span, p("2020-01-23..2020-01-25"));
        assert!(Period::spanning([]).is_none());
    }

    #[test]
    fn absence_is_judged_two_days_inside_the_edges() {
        let nov = [p("2026-11-01..2026-11-30")];
        assert!(!judged(&nov, at(2026, 11, 2, 23, 59)));
        assert!(judged(&nov, at(2026, 11, 3, 0, 0)));
        assert!(judged(&nov, at(2026, 11, 28, 23, 59)));
        assert!(!judged(&nov, at(2026, 11, 29, 0, 0)));
        assert!(!judged(&nov, at(2026, 12, 15, 0, 0)));
        // Three days leave nothing to judge.
        assert!(p("2026-11-01..2026-11-03").interior().is_none());
    }

    #[test]
    fn touching_and_overlapping_periods_merge() {
        let merged = merge(vec![
            p("2026-12-01..2026-12-31"),
            p("2026-11-01..2026-11-30"),
            p("2027-02-01..2027-02-28"),
            p("2026-12-20..2027-01-05"),
        ]);
        assert_eq!(
            merged,
            [p("2026-11-01..2027-01-05"), p("2027-02-01..2027-02-28")]
        );
        // The month boundary is judged once the two months are merged.
        assert!(judged(&merged, at(2026, 11, 30, 23, 59)));
        assert!(!judged(&merged, at(2027, 1, 4, 0, 0)));
    }
}
