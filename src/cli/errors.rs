//! Errors in the owner's language: each cause of an error's chain that has
//! a message in the catalogue is rendered in the language, any other keeps
//! its own (English) text. The error types stay English through `Display`,
//! for logs and for `anyhow`'s `{:#}`; their rooms, or this module for the
//! store's and the report's, say how each reads in the catalogue.

use std::error::Error;

use crate::domain::{MoneyError, ParseStatusError};
use crate::i18n::{Failure, Lang, money_error, status_error, tr};
use crate::ingest::orphans::OrphanError;
use crate::listener::bind::BindError;
use crate::ops::OpError;
use crate::providers::api::ApiError;
use crate::providers::credentials::CredentialError;
use crate::report::resolve::ResolveError;
use crate::statement::StatementError;
use crate::store::StoreError;
use crate::sync::SyncError;
use crate::sync::clients::ClientError;
use crate::transfer::TransferError;

/// One cause of an error, in `lang` when the catalogue has its message.
pub fn localize(cause: &(dyn Error + 'static), lang: Lang) -> String {
    if let Some(f) = cause.downcast_ref::<Failure>() {
        return lang.text(&f.0);
    }
    if let Some(e) = cause.downcast_ref::<OpError>() {
        return e.localize(lang);
    }
    if let Some(e) = cause.downcast_ref::<OrphanError>() {
        return e.localize(lang);
    }
    if let Some(e) = cause.downcast_ref::<TransferError>() {
        return e.localize(lang);
    }
    if let Some(e) = cause.downcast_ref::<StoreError>() {
        return store(e, lang);
    }
    if let Some(SyncError::Store(e)) = cause.downcast_ref::<SyncError>() {
        return store(e, lang);
    }
    if let Some(e) = cause.downcast_ref::<SyncError>() {
        return lang.text(&e.msg());
    }
    if let Some(e) = cause.downcast_ref::<ClientError>() {
        return lang.text(&e.msg());
    }
    if let Some(e) = cause.downcast_ref::<CredentialError>() {
        return lang.text(&e.msg());
    }
    if let Some(e) = cause.downcast_ref::<ApiError>() {
        return lang.text(&e.msg());
    }
    if let Some(e) = cause.downcast_ref::<StatementError>() {
        return e.localize(lang);
    }
    if let Some(e) = cause.downcast_ref::<BindError>() {
        return lang.text(&e.msg());
    }
    if let Some(e) = cause.downcast_ref::<ResolveError>() {
        return resolve(e, lang);
    }
    if let Some(e) = cause.downcast_ref::<MoneyError>() {
        return lang.text(&money_error(e));
    }
    if let Some(e) = cause.downcast_ref::<ParseStatusError>() {
        return lang.text(&status_error(e));
    }
    cause.to_string()
}

fn store(e: &StoreError, l: Lang) -> String {
    match e {
        StoreError::Missing(path) => tr!(l, "store-missing", path = path.display().to_string()),
        StoreError::Open { path, source } => tr!(
            l,
            "store-open",
            path = path.display().to_string(),
            error = source.to_string()
        ),
        StoreError::Create { path, source } => tr!(
            l,
            "store-create",
            path = path.display().to_string(),
            error = source.to_string()
        ),
        StoreError::TooNew {
            path,
            found,
            supported,
        } => tr!(
            l,
            "store-too-new",
            path = path.display().to_string(),
            found = found.to_string(),
            supported = supported.to_string()
        ),
        StoreError::Migrate { path, to, reason } => tr!(
            l,
            "store-migrate",
            path = path.display().to_string(),
            to = to.to_string(),
            error = reason.as_str()
        ),
        StoreError::Sqlite(e) => tr!(l, "database-error", error = e.to_string()),
    }
}

fn resolve(e: &ResolveError, l: Lang) -> String {
    match e {
        ResolveError::UnknownOrder(n) => tr!(l, "op-unknown-order", number = format!("{n:?}")),
        ResolveError::Fixable(rule) => tr!(l, "resolve-fixable", rule = rule.as_str()),
        ResolveError::NothingOpen { number, rule } => tr!(
            l,
            "resolve-nothing-open",
            number = number.as_str(),
            rule = rule.as_str()
        ),
        ResolveError::Several { number, rule, ids } => tr!(
            l,
            "resolve-several",
            number = number.as_str(),
            rule = rule.as_str(),
            ids = ids.as_str()
        ),
        ResolveError::EmptyNote => l.t("resolve-empty-note"),
        ResolveError::Sqlite(e) => tr!(l, "database-error", error = e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In English, a translated error reads as its `Display`.
    #[test]
    fn a_failed_migration_reads_as_its_display_in_english() {
        let e = StoreError::Migrate {
            path: "shop.db".into(),
            to: 9,
            reason: "table refund_intents already exists".into(),
        };
        assert_eq!(localize(&e, Lang::En), e.to_string());
        let fr = localize(&e, Lang::Fr);
        assert!(fr.contains("vers le schéma 9"), "{fr}");
    }

    #[test]
    fn serve_refusing_an_address_reads_as_its_display_in_english() {
        for e in [
            BindError::Malformed("nope".into()),
            BindError::Resolve {
                addr: "x:1".into(),
                reason: "no such host".into(),
            },
            BindError::Exposed {
                addr: "0.0.0.0:8787".into(),
                ip: "0.0.0.0".into(),
            },
            BindError::Duplicate("127.0.0.1:8787".into()),
        ] {
            assert_eq!(localize(&e, Lang::En), e.to_string());
            assert_ne!(localize(&e, Lang::Fr), e.to_string());
        }
    }
}
