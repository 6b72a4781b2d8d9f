//! The owner's language: which one, why, and every text a person reads in
//! it. `tally` speaks English and French.
//!
//! # What is translated, what never is
//! Everything a person reads goes through here: the dashboard, the human
//! output of the commands, error messages. What a script relies on never
//! does: JSON (keys and values), rule ids, the status words the command
//! line accepts (French words are accepted too, [`words::parse`]), exit
//! codes, `tally serve`'s log lines, the database. So a cron job behaves the
//! same in both languages.
//!
//! # The parts
//! - [`Lang`] and [`Choice`]: the language, chosen once by the command line
//!   ([`choose`]: `--lang`, else `TALLY_LANG`, else the locale's `LC_ALL`,
//!   `LC_MESSAGES`, `LANG`, where any `fr*` is French, else English), with
//!   the reason `tally doctor` prints. The choice is a plain `Copy` value
//!   passed down to whoever renders: there is no global "current language".
//! - [`catalogue`]: the message catalogues, `i18n/en.ftl` and `i18n/fr.ftl`
//!   ([Fluent](https://projectfluent.org) files embedded in the binary), and
//!   [`Msg`]: a message id with its arguments, built where the facts are
//!   (a finding, an operation's outcome) and rendered where a person reads
//!   it. A [`Msg`] serialises, and displays, in English: JSON never changes
//!   with the language.
//! - [`format`]: numbers and money (ICU4X's CLDR data: `89,90 €`,
//!   `45 000 F CFA` with a narrow no-break space between thousands), dates
//!   (`29/11/2026 19:53`) in the machine's time zone ([`Zone`]: `TZ`, else
//!   UTC).
//! - [`words`]: the closed sets of words (statuses, providers) in each
//!   language, and reading French status words on the command line.
//!
//! # Adding a text
//! Build it with [`msg!`] (or [`tr!`] for a string now), and add its id to
//! both catalogues. The tests fail on an id used in the code that a
//! catalogue lacks, on an id one catalogue has and the other does not, and
//! on a message whose arguments differ between the two.
//!
//! # Shared state
//! The two parsed catalogues and the two number formatters are built once,
//! on first use (`OnceLock`s, and a `thread_local` for ICU4X's formatters,
//! whose data handles are not `Sync`): immutable data, never a language
//! switch.

pub mod catalogue;
pub mod errors;
pub mod format;
pub mod words;

#[cfg(test)]
mod tests;

pub use crate::{fail, msg, tr};
pub use catalogue::{Arg, Failure, Msg, count, join};
pub use errors::{money_error, refusal, status_error};
pub use format::Zone;
pub use words::Word;

/// A language `tally` speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// The language's code: `en`, `fr`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// Reads a language from a value such as `fr`, `FR`, `fr_FR.UTF-8`,
    /// `en-GB`: its first subtag.
    pub fn parse(value: &str) -> Option<Lang> {
        let primary = value
            .trim()
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" => Ok(Lang::Fr),
            "en" => Ok(Lang::En),
            _ => Err(format!("{s:?} is not a language tally speaks (fr, en)")),
        }
    }
}

/// Why this language: what `tally doctor` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// `--lang`.
    Flag,
    /// `TALLY_LANG=value`.
    TallyLang(String),
    /// The first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set.
    Locale { var: &'static str, value: String },
    /// None of them is set.
    Default,
}

/// The language in use and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub lang: Lang,
    pub reason: Reason,
}

impl Default for Choice {
    fn default() -> Choice {
        Choice {
            lang: Lang::En,
            reason: Reason::Default,
        }
    }
}

/// The locale variables, in the order POSIX reads them for messages.
pub const LOCALE_VARS: [&str; 3] = ["LC_ALL", "LC_MESSAGES", "LANG"];

/// Chooses the language: `--lang`, else `TALLY_LANG` (an error when it is
/// not a language `tally` speaks), else the first locale variable that is
/// set (any `fr*` is French, anything else English), else English. `env`
/// reads a variable (the process environment, or a test's).
pub fn choose(flag: Option<Lang>, env: impl Fn(&str) -> Option<String>) -> Result<Choice, String> {
    if let Some(lang) = flag {
        return Ok(Choice {
            lang,
            reason: Reason::Flag,
        });
    }
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if let Some(value) = set("TALLY_LANG") {
        let lang = Lang::parse(&value).ok_or_else(|| {
            format!("TALLY_LANG={value:?} is not a language tally speaks (fr, en)")
        })?;
        return Ok(Choice {
            lang,
            reason: Reason::TallyLang(value),
        });
    }
    for var in LOCALE_VARS {
        if let Some(value) = set(var) {
            let french = value.trim().to_ascii_lowercase().starts_with("fr");
            return Ok(Choice {
                lang: if french { Lang::Fr } else { Lang::En },
                reason: Reason::Locale { var, value },
            });
        }
    }
    Ok(Choice::default())
}

impl Choice {
    /// "Language: French (TALLY_LANG=fr)", in the chosen language.
    pub fn describe(&self) -> String {
        let (name, why) = self.name_and_why();
        tr!(self.lang, "lang-in-use", name = name, why = why)
    }

    /// The language's name and why it was chosen, in the chosen language.
    pub fn name_and_why(&self) -> (String, String) {
        let l = self.lang;
        let name = l.t(match self.lang {
            Lang::En => "lang-name-en",
            Lang::Fr => "lang-name-fr",
        });
        let why = match &self.reason {
            Reason::Flag => l.t("lang-why-flag"),
            Reason::TallyLang(v) => tr!(l, "lang-why-env", var = "TALLY_LANG", value = v.as_str()),
            Reason::Locale { var, value } => {
                tr!(l, "lang-why-env", var = *var, value = value.as_str())
            }
            Reason::Default => l.t("lang-why-default"),
        };
        (name, why)
    }
}
