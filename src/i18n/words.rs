//! The closed sets of words in each language, and reading French status
//! words on the command line.
//!
//! Each value of a closed set (an order's status, a payment's status, a
//! provider...) has a catalogue entry `SET-WORD`: `order-payment-status-paid
//! = Payée`, `payment-status-completed = Terminé`. In English each entry is
//! the word itself, so the English screens read as they always did. The
//! French words are the seed's: order payment statuses En attente / Payée /
//! Échouée / Remboursée, payment statuses En attente / Terminé / Échoué /
//! Annulé, order statuses En attente / En cours / Expédiée / Livrée /
//! Annulée.
//!
//! The command line takes the English words, always (scripts rely on them),
//! and the French ones of the same set too ([`parse`]): case, accents,
//! spaces, hyphens and underscores aside, and in either gender (`échoué`,
//! `échouée`), since within one set no two values share a French word.

use crate::domain::{
    DisputeState, IntentState, LogResult, LogSource, MovementKind, MovementSource,
    OrderPaymentStatus, OrderStatus, OrphanState, PaymentStatus, Provider, RefundState,
    SignatureCheck, StatusSource, webhook::EventState,
};

use super::Lang;
use crate::statement::{Format, LineKind, LineStatus};

/// A value of a closed set of words, shown through the catalogue.
pub trait Word: Copy + 'static {
    /// The set's prefix in the catalogue (`order-payment-status`).
    const SET: &'static str;
    /// The value's word (`paid`): the key's last part.
    fn word(self) -> &'static str;
    /// Every value of the set.
    fn all() -> &'static [Self];
    /// The catalogue key: `order-payment-status-paid`.
    fn key(self) -> String {
        format!("{}-{}", Self::SET, self.word())
    }
}

macro_rules! words {
    ($($ty:ty => $set:literal),+ $(,)?) => {
        $(impl Word for $ty {
            const SET: &'static str = $set;
            fn word(self) -> &'static str {
                self.as_str()
            }
            fn all() -> &'static [Self] {
                <$ty>::ALL
            }
        })+

        /// Every key of every set, for the catalogue tests.
        pub fn every_key() -> Vec<String> {
            let mut keys = Vec::new();
            $(keys.extend(<$ty>::ALL.iter().map(|w| w.key()));)+
            keys.extend(ProviderTitle::all().iter().map(|w| w.key()));
            keys
        }
    };
}

words! {
    OrderStatus => "order-status",
    OrderPaymentStatus => "order-payment-status",
    PaymentStatus => "payment-status",
    Provider => "provider",
    LogResult => "log-result",
    EventState => "event-state",
    SignatureCheck => "signature",
    OrphanState => "orphan-state",
    MovementKind => "movement-kind",
    RefundState => "refund-state",
    DisputeState => "dispute-state",
    MovementSource => "movement-source",
    IntentState => "intent-state",
    LineKind => "line-kind",
    LineStatus => "line-status",
    Format => "statement-format",
    LogSource => "log-source",
}

impl Word for StatusSource {
    const SET: &'static str = "status-source";
    fn word(self) -> &'static str {
        self.as_str()
    }
    fn all() -> &'static [Self] {
        &[StatusSource::Owner, StatusSource::Provider]
    }
}

/// A provider's name in a sentence (`Stripe`, `cash` / `espèces`), where
/// [`Provider`] is the word of a table's column (`stripe`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderTitle(pub Provider);

impl Word for ProviderTitle {
    const SET: &'static str = "provider-title";
    fn word(self) -> &'static str {
        self.0.as_str()
    }
    fn all() -> &'static [Self] {
        &[
            ProviderTitle(Provider::Stripe),
            ProviderTitle(Provider::Paypal),
            ProviderTitle(Provider::Wave),
            ProviderTitle(Provider::Cash),
        ]
    }
}

/// A word folded for comparison: lower case, without accents, spaces,
/// hyphens or underscores, and without a final feminine `e` after `é`.
fn fold(text: &str) -> String {
    let mut out: String = text
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '\u{a0}' | '\''))
        .map(|c| match c {
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'à' | 'â' => 'a',
            'î' | 'ï' => 'i',
            'ô' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect();
    // "payée" and "payé", "annulée" and "annulé": one word.
    if out.ends_with("ee") {
        out.pop();
    }
    out
}

/// Reads a value of a closed set from the command line: its English word
/// (what scripts use), or its French one.
pub fn parse<W: Word + std::str::FromStr<Err = crate::domain::ParseStatusError>>(
    text: &str,
) -> Result<W, String> {
    let english = match text.parse::<W>() {
        Ok(w) => return Ok(w),
        Err(e) => e,
    };
    let folded = fold(text);
    let french: Vec<W> = W::all()
        .iter()
        .copied()
        .filter(|w| fold(&Lang::Fr.word(*w)) == folded)
        .collect();
    match french.as_slice() {
        [one] => Ok(*one),
        [] | [_, _, ..] => {
            let words: Vec<String> = W::all().iter().map(|w| Lang::Fr.word(*w)).collect();
            Err(format!(
                "{english} (or in French: {})",
                words
                    .iter()
                    .map(|w| w.to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
    }
}

/// A clap value parser for a status word in either language.
pub fn clap_parser<W>(text: &str) -> Result<W, String>
where
    W: Word + std::str::FromStr<Err = crate::domain::ParseStatusError> + Send + Sync + 'static,
{
    parse::<W>(text)
}

impl Lang {
    /// A movement's kind with its state: `refund pending`.
    pub fn flow(self, flow: crate::domain::Flow) -> String {
        use crate::domain::Flow;
        let kind = self.word(flow.kind());
        let state = match flow {
            Flow::Refund(s) => Some(self.word(s)),
            Flow::Dispute(s) => Some(self.word(s)),
            Flow::Authorised | Flow::Captured | Flow::Released | Flow::Owed => None,
        };
        match state {
            Some(state) => format!("{kind} {state}"),
            None => kind,
        }
    }
}
