//! The message catalogues and the messages built from them.
//!
//! `i18n/en.ftl` and `i18n/fr.ftl` are Fluent files, one per language,
//! embedded with `include_str!`. Each is parsed once into a bundle, with
//! Fluent's Unicode isolation marks (U+2068, U+2069) turned off: a
//! terminal counts them as characters and they break column widths.
//!
//! A [`Msg`] is an id and its arguments, built where the facts are and
//! rendered where a person reads them ([`Lang::text`]). Its arguments are
//! rendered in the target language first ([`Arg`]: a status word, an
//! amount, a date, another message), then given to Fluent as text, or as a
//! number for its plural rules. Rendered in English, a message is what the
//! code printed before it was translated: [`Msg`]'s `Display` and
//! `Serialize` are its English text, so JSON does not change with the
//! language.
//!
//! A missing id or argument is a bug the tests catch; at run time it falls
//! back to the English text, then to the id itself, never to a panic.

use std::borrow::Cow;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::{FluentNumber, FluentNumberOptions};
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use super::Lang;
use super::format;
use super::words::Word;
use crate::domain::{Currency, Money, Timestamp};

/// The English catalogue's text.
pub const EN_FTL: &str = include_str!("../../i18n/en.ftl");
/// The French catalogue's text.
pub const FR_FTL: &str = include_str!("../../i18n/fr.ftl");

type Bundle = FluentBundle<FluentResource>;

/// An argument of a message, rendered in the message's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Shown as it is: an order number, a reference, an id, a name.
    Text(String),
    /// A number, shown as the code showed it in English (no grouping) and
    /// with the locale's grouping in French; Fluent's plural rules see it.
    Num(i64),
    /// A count shown with the locale's grouping in both languages
    /// (`1,234`, `1 234`).
    Count(i64),
    /// An amount with its currency (`89.90 EUR`, `89,90 €`).
    Money(Money),
    /// An amount in minor units (a figure that may have gone negative).
    Minor(i64, Currency),
    /// An amount in minor units without its currency (`89.90`, `89,90`).
    Decimal(i64, Currency),
    /// A signed amount in minor units with its currency (a fee, a net:
    /// `-0.77 USD`, `-0,77 €`).
    Signed(i64, Currency),
    /// A signed amount in minor units without its currency (`-0.77`).
    SignedDecimal(i64, Currency),
    /// A word of a closed set: a status, a provider.
    Word(String),
    /// A date to the minute, in the zone it is given with.
    Time(Timestamp, format::Zone),
    /// A day (`2026-11-29`, `29/11/2026`).
    Day(chrono::NaiveDate),
    /// Another message.
    Msg(Box<Msg>),
}

/// A message: its id in the catalogues and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Msg {
    pub fn new(id: &'static str) -> Msg {
        Msg {
            id,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Msg {
        self.args.push((name, value.into()));
        self
    }

    /// The English text.
    pub fn en(&self) -> String {
        Lang::En.text(self)
    }

    /// Whether the English text contains `s` (for tests).
    #[cfg(test)]
    pub fn contains(&self, s: &str) -> bool {
        self.en().contains(s)
    }
}

impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en())
    }
}

impl serde::Serialize for Msg {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.en())
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_owned())
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Num(n)
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Arg {
        Arg::Num(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<u32> for Arg {
    fn from(n: u32) -> Arg {
        Arg::Num(i64::from(n))
    }
}

impl From<Money> for Arg {
    fn from(m: Money) -> Arg {
        Arg::Money(m)
    }
}

impl From<Msg> for Arg {
    fn from(m: Msg) -> Arg {
        Arg::Msg(Box::new(m))
    }
}

impl<W: Word> From<W> for Arg {
    fn from(w: W) -> Arg {
        Arg::Word(w.key())
    }
}

/// A count with the locale's grouping.
pub fn count(n: impl TryInto<i64>) -> Arg {
    Arg::Count(n.try_into().unwrap_or(i64::MAX))
}

/// Messages one after the other, `sep` between them (`"; "`); an empty
/// list is an empty text.
pub fn join(items: impl IntoIterator<Item = Msg>, sep: &str) -> Msg {
    let mut items = items.into_iter();
    let first = items
        .next()
        .unwrap_or_else(|| Msg::new("plain").arg("text", ""));
    items.fold(first, |a, b| {
        Msg::new("join").arg("a", a).arg("sep", sep).arg("b", b)
    })
}

/// Builds a [`Msg`]: `msg!("id")`, `msg!("id", name = value, ...)`, each
/// value anything that is `Into<Arg>`.
#[macro_export]
macro_rules! msg {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::Msg::new($id)$(.arg(stringify!($name), $value))*
    };
}

/// A message's text now, in a language: `tr!(lang, "id", name = value)`.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $lang.text(&$crate::msg!($id $(, $name = $value)*))
    };
}

fn build(lang: Lang) -> Bundle {
    let (source, id) = match lang {
        Lang::En => (EN_FTL, "en"),
        Lang::Fr => (FR_FTL, "fr"),
    };
    let id: unic_langid::LanguageIdentifier = id.parse().unwrap_or_default();
    // A syntax error keeps the entries that parsed; the tests fail on any.
    let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(match lang {
        Lang::En => number_en,
        Lang::Fr => number_fr,
    }));
    // A duplicate id keeps the first; the tests fail on any.
    let _ = bundle.add_resource(resource);
    bundle
}

/// The parsed catalogue of a language, built once.
pub(super) fn bundle(lang: Lang) -> &'static Bundle {
    static EN: OnceLock<Bundle> = OnceLock::new();
    static FR: OnceLock<Bundle> = OnceLock::new();
    match lang {
        Lang::En => EN.get_or_init(|| build(Lang::En)),
        Lang::Fr => FR.get_or_init(|| build(Lang::Fr)),
    }
}

/// Fluent shows numbers through these: grouped or not as [`Arg::Num`] and
/// [`Arg::Count`] ask, with the locale's separators.
fn number_en<M>(value: &FluentValue, _: &M) -> Option<String> {
    number(Lang::En, value)
}

fn number_fr<M>(value: &FluentValue, _: &M) -> Option<String> {
    number(Lang::Fr, value)
}

fn number(lang: Lang, value: &FluentValue) -> Option<String> {
    let FluentValue::Number(n) = value else {
        return None;
    };
    // Counts only: integers well within f64's exact range.
    let int = n.value as i64;
    if !n.options.use_grouping && lang == Lang::En {
        return Some(int.to_string());
    }
    Some(format::integer(lang, int))
}

fn fluent_number(n: i64, grouping: bool) -> FluentValue<'static> {
    FluentValue::Number(FluentNumber::new(
        n as f64,
        FluentNumberOptions {
            use_grouping: grouping,
            ..FluentNumberOptions::default()
        },
    ))
}

impl Lang {
    /// The text of a message without arguments.
    pub fn t(self, id: &'static str) -> String {
        self.text(&Msg::new(id))
    }

    /// The text of a message in this language.
    pub fn text(self, msg: &Msg) -> String {
        let mut args = FluentArgs::new();
        for (name, arg) in &msg.args {
            args.set(*name, self.value(arg));
        }
        match self.lookup(msg.id, &args) {
            Some(text) => text,
            None if self != Lang::En => Lang::En.text(msg),
            None => msg.id.to_owned(),
        }
    }

    fn value(self, arg: &Arg) -> FluentValue<'static> {
        match arg {
            Arg::Text(s) => FluentValue::from(s.clone()),
            Arg::Num(n) => fluent_number(*n, false),
            Arg::Count(n) => fluent_number(*n, true),
            Arg::Money(m) => FluentValue::from(self.money(m)),
            Arg::Minor(minor, c) => FluentValue::from(self.minor(*minor, *c)),
            Arg::Decimal(minor, c) => FluentValue::from(self.decimal_minor(*minor, *c)),
            Arg::Signed(minor, c) => FluentValue::from(self.signed(*minor, *c)),
            Arg::SignedDecimal(minor, c) => FluentValue::from(self.signed_decimal(*minor, *c)),
            Arg::Word(key) => FluentValue::from(self.word_key(key)),
            Arg::Time(ts, zone) => FluentValue::from(self.datetime(*ts, zone)),
            Arg::Day(d) => FluentValue::from(self.naive_day(*d)),
            Arg::Msg(m) => FluentValue::from(self.text(m)),
        }
    }

    fn lookup(self, id: &str, args: &FluentArgs) -> Option<String> {
        let bundle = bundle(self);
        let pattern = bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(args), &mut errors);
        #[cfg(test)]
        assert!(errors.is_empty(), "{id} in {}: {errors:?}", self.code());
        Some(match text {
            Cow::Borrowed(s) => s.to_owned(),
            Cow::Owned(s) => s,
        })
    }

    /// The word a catalogue gives a closed set's value (a status, a
    /// provider); the key itself when missing.
    pub fn word_key(self, key: &str) -> String {
        match self.lookup(key, &FluentArgs::new()) {
            Some(text) => text,
            None if self != Lang::En => Lang::En.word_key(key),
            None => key.to_owned(),
        }
    }

    /// A status or provider word in this language.
    pub fn word(self, w: impl Word) -> String {
        self.word_key(&w.key())
    }
}

/// An error whose message is a [`Msg`]: English through `Display` (what a
/// log or `{:#}` shows), in the owner's language where a person reads it
/// (the command line's error line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub Msg);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Failure {}

impl From<Msg> for Failure {
    fn from(m: Msg) -> Failure {
        Failure(m)
    }
}

/// Returns early with a [`Failure`]: `fail!("id", name = value)`.
#[macro_export]
macro_rules! fail {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        return Err($crate::i18n::Failure($crate::msg!($id $(, $name = $value)*)).into())
    };
}
