//! Numbers, money and dates as the owner reads them.
//!
//! Numbers take their separators from ICU4X's CLDR data (`icu_decimal`): in
//! French the decimal comma and a narrow no-break space (U+202F) between
//! thousands. An amount is its decimal string in major units (exact, from
//! the integer count of minor units: no float ever touches money) given to
//! the formatter, then the currency: in English as `tally` always printed
//! it (`89.90 EUR`), in French after a no-break space, with the symbol the
//! catalogue gives (`89,90 €`, `45 000 F CFA`; a currency without one keeps
//! its code). ICU4X's currency formatter is still experimental and heavy to
//! build; the two symbols the shop uses are the catalogue's, from CLDR.
//!
//! Dates shown to a person are in the machine's time zone: `TZ` when it is
//! set, else UTC (what `tally` always showed); JSON stays UTC.

use std::cell::OnceCell;

use chrono::{DateTime, FixedOffset, Local, SecondsFormat};
use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;

use super::Lang;
use crate::domain::{Currency, Money, Timestamp, format_ts, parse_ts};

/// The time zone dates are shown in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Zone {
    /// `TZ` unset (or empty).
    #[default]
    Utc,
    /// The zone `TZ` names (chrono's `Local` reads it).
    Local(String),
    /// A fixed offset, under a name (tests).
    Fixed(FixedOffset, String),
}

impl Zone {
    /// The zone of this process: `TZ`, else UTC.
    pub fn from_env() -> Zone {
        Zone::from_tz(std::env::var("TZ").ok())
    }

    pub fn from_tz(tz: Option<String>) -> Zone {
        match tz {
            Some(name) if !name.trim().is_empty() => {
                let name = name.trim().trim_start_matches(':').to_owned();
                if matches!(name.as_str(), "UTC" | "UTC0" | "Etc/UTC" | "GMT" | "Z") {
                    Zone::Utc
                } else {
                    Zone::Local(name)
                }
            }
            Some(_) | None => Zone::Utc,
        }
    }

    /// What the dashboard's title says.
    pub fn name(&self) -> &str {
        match self {
            Zone::Utc => "UTC",
            Zone::Local(name) | Zone::Fixed(_, name) => name,
        }
    }

    pub fn is_utc(&self) -> bool {
        matches!(self, Zone::Utc)
    }

    /// A UTC timestamp in this zone.
    pub fn at(&self, ts: Timestamp) -> DateTime<FixedOffset> {
        match self {
            Zone::Utc => ts.fixed_offset(),
            Zone::Local(_) => ts.with_timezone(&Local).fixed_offset(),
            Zone::Fixed(offset, _) => ts.with_timezone(offset),
        }
    }
}

thread_local! {
    /// The decimal formatters, built once per thread (ICU4X's data handles
    /// are not shared between threads).
    static FORMATTERS: [OnceCell<Option<DecimalFormatter>>; 2] = const { [OnceCell::new(), OnceCell::new()] };
}

/// A decimal with the locale's separators; the plain text if the locale
/// data is missing.
fn decimal_text(lang: Lang, d: &Decimal, plain: impl FnOnce() -> String) -> String {
    let (i, locale) = match lang {
        Lang::En => (0, icu_locale_core::locale!("en")),
        Lang::Fr => (1, icu_locale_core::locale!("fr")),
    };
    FORMATTERS.with(|all| {
        let f = all[i]
            .get_or_init(|| DecimalFormatter::try_new((&locale).into(), Default::default()).ok());
        match f {
            Some(f) => f.format(d).to_string(),
            None => plain(),
        }
    })
}

/// An integer with the locale's grouping: `1,234`, `1 234`.
pub fn integer(lang: Lang, n: i64) -> String {
    decimal_text(lang, &Decimal::from(n), || n.to_string())
}

/// The no-break space CLDR puts between a French amount and its currency.
const NBSP: char = '\u{a0}';

impl Lang {
    /// A count with the locale's grouping.
    pub fn count(self, n: i64) -> String {
        integer(self, n)
    }

    /// A number as the code always printed it in English (no grouping),
    /// with the locale's grouping in French.
    pub fn num(self, n: i64) -> String {
        match self {
            Lang::En => n.to_string(),
            Lang::Fr => integer(self, n),
        }
    }

    /// An amount without its currency: `89.90` (English, as the command
    /// line takes it), `89,90` or `45 000` (French).
    pub fn decimal(self, m: &Money) -> String {
        match self {
            Lang::En => m.decimal(),
            Lang::Fr => {
                let mut d = Decimal::from(m.minor());
                d.multiply_pow10(-(m.currency().exponent() as i16));
                decimal_text(self, &d, || m.decimal())
            }
        }
    }

    /// An amount with its currency: `89.90 EUR`, `89,90 €`, `45 000 F CFA`.
    pub fn money(self, m: &Money) -> String {
        match self {
            Lang::En => m.to_string(),
            Lang::Fr => format!("{}{NBSP}{}", self.decimal(m), self.currency(m.currency())),
        }
    }

    /// The currency as shown after an amount: its symbol in the catalogue,
    /// else its code.
    pub fn currency(self, c: Currency) -> String {
        match self {
            Lang::En => c.code().to_owned(),
            Lang::Fr => match c.code() {
                "EUR" => self.t("currency-eur"),
                "XOF" => self.t("currency-xof"),
                code => code.to_owned(),
            },
        }
    }

    /// `minor` units with the currency, as [`Money::show_minor`] shows a
    /// count no amount can hold.
    pub fn minor(self, minor: i64, c: Currency) -> String {
        match Money::from_minor(minor, c) {
            Ok(m) => self.money(&m),
            Err(_) => Money::show_minor(minor, c),
        }
    }

    /// A signed amount of `minor` units: `-0.77 USD`, `-0,77 €`.
    pub fn signed(self, minor: i64, c: Currency) -> String {
        if minor < 0 {
            format!("-{}", self.minor(minor.saturating_neg(), c))
        } else {
            self.minor(minor, c)
        }
    }

    /// A signed amount of `minor` units without the currency: `-0.77`.
    pub fn signed_decimal(self, minor: i64, c: Currency) -> String {
        if minor < 0 {
            format!("-{}", self.decimal_minor(minor.saturating_neg(), c))
        } else {
            self.decimal_minor(minor, c)
        }
    }

    /// `minor` units without the currency.
    pub fn decimal_minor(self, minor: i64, c: Currency) -> String {
        match Money::from_minor(minor, c) {
            Ok(m) => self.decimal(&m),
            Err(_) => Money::decimal_minor(minor, c),
        }
    }

    /// A day: `2026-11-29`, `29/11/2026`.
    pub fn naive_day(self, d: chrono::NaiveDate) -> String {
        match self {
            Lang::En => d.format("%Y-%m-%d").to_string(),
            Lang::Fr => d.format("%d/%m/%Y").to_string(),
        }
    }

    /// A date to the minute: `2026-11-29 19:53`, `29/11/2026 19:53`.
    pub fn datetime(self, ts: Timestamp, zone: &Zone) -> String {
        let at = zone.at(ts);
        match self {
            Lang::En => at.format("%Y-%m-%d %H:%M").to_string(),
            Lang::Fr => at.format("%d/%m/%Y %H:%M").to_string(),
        }
    }

    /// A date's day: `2026-11-29`, `29/11/2026`.
    pub fn day(self, ts: Timestamp, zone: &Zone) -> String {
        let at = zone.at(ts);
        match self {
            Lang::En => at.format("%Y-%m-%d").to_string(),
            Lang::Fr => at.format("%d/%m/%Y").to_string(),
        }
    }

    /// A stored timestamp text to the minute (`short_ts`); the text cut to
    /// the minute when it does not parse.
    pub fn stored(self, text: &str, zone: &Zone) -> String {
        match parse_ts(text) {
            Ok(ts) if !(self == Lang::En && zone.is_utc()) => self.datetime(ts, zone),
            Ok(_) | Err(_) => text
                .chars()
                .take(16)
                .map(|c| if c == 'T' { ' ' } else { c })
                .collect(),
        }
    }

    /// A full timestamp in a command's text output: RFC 3339 in English
    /// (UTC as always, or with the local offset when `TZ` is set),
    /// `29/11/2026 19:53:07` in French.
    pub fn stamp(self, ts: Timestamp, zone: &Zone) -> String {
        match (self, zone) {
            (Lang::En, Zone::Utc) => format_ts(ts),
            (Lang::En, Zone::Local(_) | Zone::Fixed(..)) => {
                zone.at(ts).to_rfc3339_opts(SecondsFormat::Millis, false)
            }
            (Lang::Fr, _) => zone.at(ts).format("%d/%m/%Y %H:%M:%S").to_string(),
        }
    }

    /// A stored timestamp text in a command's text output.
    pub fn stored_stamp(self, text: &str, zone: &Zone) -> String {
        match parse_ts(text) {
            Ok(ts) if !(self == Lang::En && zone.is_utc()) => self.stamp(ts, zone),
            Ok(_) | Err(_) => text.to_owned(),
        }
    }
}
