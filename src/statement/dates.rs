//! The dates, times and time zones statement files use.
//!
//! - Stripe writes `2020-01-23 08:26:29` in UTC (`created_utc`); a report
//!   re-saved by a spreadsheet may hold `23/01/2020 08:26`.
//! - PayPal writes the date in the account's locale (`10/01/2019` for a US
//!   account, `29/12/2015` elsewhere), the time apart, and the account's
//!   time zone in its own column: an abbreviation (`PST`, `PDT`, `CET`) in
//!   the activity download, an IANA name (`America/Los_Angeles`) in the
//!   statement.
//! - Wave's API writes RFC 3339 (`2024-01-15T14:41:15Z`).
//!
//! When a file's dates put the day and the month in the same two places
//! (`6/4/2016`), the file itself tells which is which when one of its
//! dates has a first part above 12 (a day) or a second part above 12;
//! otherwise `--date-format` decides, and without it the import is refused
//! rather than guessed.
//!
//! Time zones come from a small table, so that tally carries no time zone
//! database: fixed abbreviations, and the IANA zones of the providers'
//! markets with their daylight-saving rules (the United States' and the
//! European Union's; West Africa has none). A zone outside the table is a
//! problem named by row and column, never a guess.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};

use crate::i18n::{Msg, msg};

/// Where the day, the month and the year stand in a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `29/12/2015`
    DayFirst,
    /// `12/29/2015`
    MonthFirst,
    /// `2015-12-29`
    YearFirst,
}

impl DateOrder {
    /// `--date-format`: `DD/MM/YYYY`, `MM/DD/YYYY`, `YYYY-MM-DD` (any
    /// separator, `D`/`M` for unpadded), or the strftime forms `%d/%m/%Y`,
    /// `%m/%d/%Y`, `%Y-%m-%d`.
    pub fn parse(text: &str) -> Result<DateOrder, String> {
        let letters: String = text
            .to_ascii_uppercase()
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .collect();
        let order = match letters.as_str() {
            "DDMMYYYY" | "DMYYYY" | "DMY" | "DDMMYY" => Some(DateOrder::DayFirst),
            "MMDDYYYY" | "MDYYYY" | "MDY" | "MMDDYY" => Some(DateOrder::MonthFirst),
            "YYYYMMDD" | "YMD" => Some(DateOrder::YearFirst),
            _ => None,
        };
        order.ok_or_else(|| {
            format!(
                "--date-format {text:?} is not a date format tally reads (valid: DD/MM/YYYY, MM/DD/YYYY, YYYY-MM-DD)"
            )
        })
    }

    pub fn example(self) -> &'static str {
        match self {
            DateOrder::DayFirst => "DD/MM/YYYY",
            DateOrder::MonthFirst => "MM/DD/YYYY",
            DateOrder::YearFirst => "YYYY-MM-DD",
        }
    }
}

/// A date's three numbers and whether the year comes first.
fn parts(text: &str) -> Option<(bool, [u32; 3])> {
    let t = text.trim();
    let mut nums = [0u32; 3];
    let mut widths = [0usize; 3];
    let mut n = 0;
    for piece in t.split(['/', '-', '.']) {
        if n == 3 || piece.is_empty() || !piece.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        nums[n] = piece.parse().ok()?;
        widths[n] = piece.len();
        n += 1;
    }
    if n != 3 {
        return None;
    }
    if widths[0] == 4 {
        Some((true, nums))
    } else if widths[2] == 4 {
        Some((false, nums))
    } else {
        None
    }
}

/// What a file's dates say about their order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// A date whose first part can only be a day (`29/12/2015`).
    pub day_first: Option<String>,
    /// A date whose second part can only be a day (`10/19/2019`).
    pub month_first: Option<String>,
    /// Any date with the year last (whose order matters).
    pub year_last: Option<String>,
    pub year_first: bool,
}

impl Evidence {
    /// Adds one date's text.
    pub fn see(&mut self, text: &str) {
        let Some((year_first, [a, b, _])) = parts(text) else {
            return;
        };
        if year_first {
            self.year_first = true;
            return;
        }
        self.year_last.get_or_insert_with(|| text.trim().to_owned());
        if a > 12 {
            self.day_first.get_or_insert_with(|| text.trim().to_owned());
        }
        if b > 12 {
            self.month_first
                .get_or_insert_with(|| text.trim().to_owned());
        }
    }

    /// The order the dates are in: given by `forced`, else told by the
    /// file; `Err` says why it cannot be told.
    pub fn order(&self, forced: Option<DateOrder>) -> Result<DateOrder, Msg> {
        if let Some(order) = forced {
            return Ok(order);
        }
        match (&self.day_first, &self.month_first, &self.year_last) {
            (Some(d), Some(m), _) => Err(msg!(
                "stmtp-dates-disagree",
                day = d.as_str(),
                month = m.as_str()
            )),
            (Some(_), None, _) => Ok(DateOrder::DayFirst),
            (None, Some(_), _) => Ok(DateOrder::MonthFirst),
            (None, None, Some(example)) => {
                Err(msg!("stmtp-dates-ambiguous", example = example.as_str()))
            }
            (None, None, None) => Ok(DateOrder::YearFirst),
        }
    }
}

/// Parses a date in `order`.
pub fn parse_date(text: &str, order: DateOrder) -> Result<NaiveDate, Msg> {
    let bad = || {
        msg!(
            "stmtp-not-date",
            text = format!("{:?}", text.trim()),
            example = order.example()
        )
    };
    let (year_first, [a, b, c]) = parts(text).ok_or_else(bad)?;
    let (y, m, d) = match (year_first, order) {
        (true, _) => (a, b, c),
        (false, DateOrder::DayFirst) => (c, b, a),
        (false, DateOrder::MonthFirst) => (c, a, b),
        (false, DateOrder::YearFirst) => return Err(bad()),
    };
    let year = i32::try_from(y).map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(year, m, d).ok_or_else(bad)
}

/// Parses `HH:MM` or `HH:MM:SS`.
pub fn parse_time(text: &str) -> Result<NaiveTime, Msg> {
    let t = text.trim();
    NaiveTime::parse_from_str(t, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
        .map_err(|_| msg!("stmtp-not-time", text = format!("{t:?}")))
}

/// A moment as a file writes it: with its offset (RFC 3339), or local to a
/// zone the caller knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Utc(DateTime<Utc>),
    Local(NaiveDateTime),
}

/// Parses `DATE`, `DATE TIME`, `DATETTIME` or RFC 3339.
pub fn parse_moment(text: &str, order: DateOrder) -> Result<Moment, Msg> {
    let t = text.trim();
    if let Ok(at) = crate::domain::parse_ts(t) {
        return Ok(Moment::Utc(at));
    }
    let (date, time) = match t.split_once([' ', 'T']) {
        Some((d, rest)) => (d, Some(rest.trim().trim_end_matches('Z'))),
        None => (t, None),
    };
    let date = parse_date(date, order)?;
    let time = match time {
        Some(tm) => parse_time(tm)?,
        None => NaiveTime::MIN,
    };
    Ok(Moment::Local(date.and_time(time)))
}

/// A time zone from the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone {
    /// Standard offset east of UTC, in minutes.
    standard: i32,
    dst: Dst,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dst {
    None,
    UnitedStates,
    EuropeanUnion,
}

/// Fixed abbreviations, as PayPal's activity download writes them.
const ABBREVIATIONS: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("CET", 60),
    ("CEST", 120),
    ("MET", 60),
    ("MEST", 120),
    ("EET", 120),
    ("EEST", 180),
    ("WAT", 60),
    ("HST", -600),
    ("AKST", -540),
    ("AKDT", -480),
    ("PST", -480),
    ("PDT", -420),
    ("MST", -420),
    ("MDT", -360),
    ("CST", -360),
    ("CDT", -300),
    ("EST", -300),
    ("EDT", -240),
    ("JST", 540),
    ("AEST", 600),
    ("AEDT", 660),
];

/// IANA zones of the providers' markets, with their rules.
const IANA: &[(&str, i32, Dst)] = &[
    ("Etc/UTC", 0, Dst::None),
    ("Etc/GMT", 0, Dst::None),
    ("America/Los_Angeles", -480, Dst::UnitedStates),
    ("America/Denver", -420, Dst::UnitedStates),
    ("America/Phoenix", -420, Dst::None),
    ("America/Chicago", -360, Dst::UnitedStates),
    ("America/New_York", -300, Dst::UnitedStates),
    ("America/Toronto", -300, Dst::UnitedStates),
    ("Europe/London", 0, Dst::EuropeanUnion),
    ("Europe/Dublin", 0, Dst::EuropeanUnion),
    ("Europe/Lisbon", 0, Dst::EuropeanUnion),
    ("Europe/Paris", 60, Dst::EuropeanUnion),
    ("Europe/Berlin", 60, Dst::EuropeanUnion),
    ("Europe/Madrid", 60, Dst::EuropeanUnion),
    ("Europe/Rome", 60, Dst::EuropeanUnion),
    ("Europe/Brussels", 60, Dst::EuropeanUnion),
    ("Europe/Amsterdam", 60, Dst::EuropeanUnion),
    ("Europe/Luxembourg", 60, Dst::EuropeanUnion),
    ("Europe/Zurich", 60, Dst::EuropeanUnion),
    ("Europe/Vienna", 60, Dst::EuropeanUnion),
    ("Europe/Athens", 120, Dst::EuropeanUnion),
    ("Africa/Dakar", 0, Dst::None),
    ("Africa/Abidjan", 0, Dst::None),
    ("Africa/Bamako", 0, Dst::None),
    ("Africa/Ouagadougou", 0, Dst::None),
    ("Africa/Conakry", 0, Dst::None),
    ("Africa/Lome", 0, Dst::None),
    ("Africa/Lagos", 60, Dst::None),
    ("Africa/Douala", 60, Dst::None),
    ("Africa/Casablanca", 60, Dst::None),
];

impl Zone {
    /// The zone a file names, from the table; `None` when unknown.
    pub fn named(name: &str) -> Option<Zone> {
        let n = name.trim();
        if let Some((_, minutes)) = ABBREVIATIONS
            .iter()
            .find(|(a, _)| a.eq_ignore_ascii_case(n))
        {
            return Some(Zone {
                standard: *minutes,
                dst: Dst::None,
            });
        }
        IANA.iter()
            .find(|(z, _, _)| z.eq_ignore_ascii_case(n))
            .map(|(_, standard, dst)| Zone {
                standard: *standard,
                dst: *dst,
            })
    }

    /// The zones the table knows, for a message.
    pub fn known() -> String {
        let abbreviations: Vec<&str> = ABBREVIATIONS.iter().map(|(a, _)| *a).collect();
        let zones: Vec<&str> = IANA.iter().map(|(z, _, _)| *z).collect();
        format!("{}, {}", abbreviations.join(", "), zones.join(", "))
    }

    /// The UTC moment of a local time in this zone. A local time that
    /// happens twice (the autumn hour) is taken the first time.
    pub fn to_utc(self, local: NaiveDateTime) -> DateTime<Utc> {
        let standard = Duration::minutes(i64::from(self.standard));
        let at_standard = (local - standard).and_utc();
        let summer = match self.dst {
            Dst::None => false,
            Dst::UnitedStates => us_summer(local),
            Dst::EuropeanUnion => eu_summer(at_standard),
        };
        if summer {
            at_standard - Duration::hours(1)
        } else {
            at_standard
        }
    }
}

/// The `n`th (1-based) `weekday` of a month, or its last with `n` = 0.
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u8) -> Option<NaiveDate> {
    if n == 0 {
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        }?;
        let mut d = next.pred_opt()?;
        while d.weekday() != weekday {
            d = d.pred_opt()?;
        }
        return Some(d);
    }
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
}

/// United States daylight saving, on local time: from 2007 the second
/// Sunday of March at 02:00 to the first Sunday of November at 02:00
/// (01:00 standard); before 2007 the first Sunday of April to the last
/// Sunday of October.
fn us_summer(local: NaiveDateTime) -> bool {
    let year = local.year();
    let (start, end) = if year >= 2007 {
        (
            nth_weekday(year, 3, Weekday::Sun, 2),
            nth_weekday(year, 11, Weekday::Sun, 1),
        )
    } else {
        (
            nth_weekday(year, 4, Weekday::Sun, 1),
            nth_weekday(year, 10, Weekday::Sun, 0),
        )
    };
    let (Some(start), Some(end)) = (start, end) else {
        return false;
    };
    // The autumn hour from 01:00 to 02:00 happens twice: the first time
    // is still summer.
    let two = NaiveTime::from_hms_opt(2, 0, 0).unwrap_or(NaiveTime::MIN);
    local >= start.and_time(two) && local < end.and_time(two)
}

/// European Union summer time, on UTC: the last Sunday of March at 01:00
/// UTC to the last Sunday of October at 01:00 UTC.
fn eu_summer(at: DateTime<Utc>) -> bool {
    let year = at.year();
    let one = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or(NaiveTime::MIN);
    let (Some(start), Some(end)) = (
        nth_weekday(year, 3, Weekday::Sun, 0),
        nth_weekday(year, 10, Weekday::Sun, 0),
    ) else {
        return false;
    };
    let utc = at.naive_utc();
    utc >= start.and_time(one) && utc < end.and_time(one)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn local(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn the_file_tells_the_order_when_one_date_can() {
        let mut e = Evidence::default();
        for d in ["12/02/2016", "29/12/2015", "09/06/2016"] {
            e.see(d);
        }
        assert_eq!(e.order(None), Ok(DateOrder::DayFirst));
        let mut e = Evidence::default();
        for d in ["10/01/2019", "10/19/2019"] {
            e.see(d);
        }
        assert_eq!(e.order(None), Ok(DateOrder::MonthFirst));
        let mut e = Evidence::default();
        e.see("2020-01-23");
        assert_eq!(e.order(None), Ok(DateOrder::YearFirst));
    }

    #[test]
    fn an_ambiguous_file_is_refused_unless_told() {
        let mut e = Evidence::default();
        e.see("6/4/2016");
        let err = e.order(None).unwrap_err();
        assert!(
            err.contains("6/4/2016") && err.contains("--date-format"),
            "{err}"
        );
        assert_eq!(
            e.order(Some(DateOrder::MonthFirst)),
            Ok(DateOrder::MonthFirst)
        );
        let mut e = Evidence::default();
        e.see("13/01/2020");
        e.see("01/13/2020");
        assert!(e.order(None).unwrap_err().contains("disagree"));
    }

    #[test]
    fn date_formats_parse_in_every_spelling() {
        for t in ["DD/MM/YYYY", "%d/%m/%Y", "dd.mm.yyyy", "D/M/YYYY"] {
            assert_eq!(DateOrder::parse(t), Ok(DateOrder::DayFirst), "{t}");
        }
        for t in ["MM/DD/YYYY", "%m/%d/%Y", "M/D/YYYY"] {
            assert_eq!(DateOrder::parse(t), Ok(DateOrder::MonthFirst), "{t}");
        }
        assert_eq!(DateOrder::parse("%Y-%m-%d"), Ok(DateOrder::YearFirst));
        assert!(DateOrder::parse("ddd").unwrap_err().contains("DD/MM/YYYY"));
    }

    #[test]
    fn dates_parse_exactly_or_say_why_not() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(
            parse_date("29/12/2015", DateOrder::DayFirst),
            Ok(d(2015, 12, 29))
        );
        assert_eq!(
            parse_date("6/4/2016", DateOrder::MonthFirst),
            Ok(d(2016, 6, 4))
        );
        assert_eq!(
            parse_date("2020-01-23", DateOrder::DayFirst),
            Ok(d(2020, 1, 23))
        );
        assert!(parse_date("29/12/2015", DateOrder::MonthFirst).is_err());
        assert!(parse_date("31/02/2016", DateOrder::DayFirst).is_err());
        assert!(parse_date("yesterday", DateOrder::DayFirst).is_err());
    }

    #[test]
    fn moments_in_every_form() {
        assert_eq!(
            parse_moment("2020-01-23 08:26:29", DateOrder::YearFirst),
            Ok(Moment::Local(local("2020-01-23 08:26:29")))
        );
        assert_eq!(
            parse_moment("2024-01-15T14:41:15Z", DateOrder::YearFirst),
            Ok(Moment::Utc(utc(2024, 1, 15, 14, 41, 15)))
        );
        assert_eq!(
            parse_moment("23/01/2020 08:26", DateOrder::DayFirst),
            Ok(Moment::Local(local("2020-01-23 08:26:00")))
        );
    }

    #[test]
    fn zones_convert_with_their_daylight_saving() {
        let pdt = Zone::named("PDT").unwrap();
        assert_eq!(
            pdt.to_utc(local("2019-10-01 03:46:20")),
            utc(2019, 10, 1, 10, 46, 20)
        );
        let pst = Zone::named(" pst ").unwrap();
        assert_eq!(
            pst.to_utc(local("2015-12-29 07:45:51")),
            utc(2015, 12, 29, 15, 45, 51)
        );
        let la = Zone::named("America/Los_Angeles").unwrap();
        // September: daylight time, UTC-7.
        assert_eq!(
            la.to_utc(local("2018-09-04 21:15:11")),
            utc(2018, 9, 5, 4, 15, 11)
        );
        // December: standard time, UTC-8.
        assert_eq!(
            la.to_utc(local("2018-12-04 21:15:11")),
            utc(2018, 12, 5, 5, 15, 11)
        );
        // 2018: DST from 11 March 02:00 to 4 November 02:00.
        assert_eq!(
            la.to_utc(local("2018-03-11 01:59:00")),
            utc(2018, 3, 11, 9, 59, 0)
        );
        assert_eq!(
            la.to_utc(local("2018-03-11 03:00:00")),
            utc(2018, 3, 11, 10, 0, 0)
        );
        assert_eq!(
            la.to_utc(local("2018-11-04 00:30:00")),
            utc(2018, 11, 4, 7, 30, 0)
        );
        assert_eq!(
            la.to_utc(local("2018-11-04 02:30:00")),
            utc(2018, 11, 4, 10, 30, 0)
        );
        // Before 2007: the first Sunday of April.
        assert_eq!(
            la.to_utc(local("2006-03-20 12:00:00")),
            utc(2006, 3, 20, 20, 0, 0)
        );
        let paris = Zone::named("Europe/Paris").unwrap();
        assert_eq!(
            paris.to_utc(local("2018-07-01 12:00:00")),
            utc(2018, 7, 1, 10, 0, 0)
        );
        assert_eq!(
            paris.to_utc(local("2018-01-01 12:00:00")),
            utc(2018, 1, 1, 11, 0, 0)
        );
        let dakar = Zone::named("Africa/Dakar").unwrap();
        assert_eq!(
            dakar.to_utc(local("2018-07-01 12:00:00")),
            utc(2018, 7, 1, 12, 0, 0)
        );
        assert!(Zone::named("Mars/Olympus").is_none());
    }
}
