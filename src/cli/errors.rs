//! Errors in the owner's language: each cause of an error's chain that has
//! a message in the catalogue is rendered in the language, any other keeps
//! its own (English) text. The error types stay English through `Display`,
//! for logs and for `anyhow`'s `{:#}`; their rooms say how each reads in
//! the catalogue (`localize`).

use std::error::Error;

use crate::i18n::{Failure, Lang};

/// One cause of an error, in `lang` when the catalogue has its message.
pub fn localize(cause: &(dyn Error + 'static), lang: Lang) -> String {
    if let Some(f) = cause.downcast_ref::<Failure>() {
        return lang.text(&f.0);
    }
    cause.to_string()
}
