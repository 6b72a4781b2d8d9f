//! The vocabulary of received provider events: what became of a request
//! (the webhook log), of an event id (de-duplication), and of an orphan.
//!
//! Each is a closed set of words stored as text; the schema's `CHECK`
//! constraints allow exactly these.

use super::status::closed_enum;

closed_enum! {
    /// What became of a request (`webhook_log.result`).
    LogResult, "webhook result" {
        Applied => "applied",
        Duplicate => "duplicate",
        Stale => "stale",
        Orphan => "orphan",
        Ignored => "ignored",
        Rejected => "rejected",
        Error => "error",
    }
}

closed_enum! {
    /// The outcome of the signature check (`webhook_log.signature`).
    SignatureCheck, "signature check" {
        Verified => "verified",
        Invalid => "invalid",
        Missing => "missing",
        Expired => "expired",
        Unconfigured => "unconfigured",
        NotChecked => "not_checked",
    }
}

impl SignatureCheck {
    /// Whether a request's raw body may be stored: only a verified one (or
    /// a replay of one, which is not checked again).
    pub fn keeps_body(self) -> bool {
        match self {
            SignatureCheck::Verified | SignatureCheck::NotChecked => true,
            SignatureCheck::Invalid
            | SignatureCheck::Missing
            | SignatureCheck::Expired
            | SignatureCheck::Unconfigured => false,
        }
    }
}

closed_enum! {
    /// Where a webhook log row came from (`webhook_log.source`): the
    /// listener (the provider delivered it), a replay or link of a stored
    /// delivery, or `tally sync` (fetched from the provider's API).
    LogSource, "log source" {
        Webhook => "webhook",
        Replay => "replay",
        Sync => "sync",
    }
}

closed_enum! {
    /// What became of one provider event id (`provider_events.state`).
    EventState, "event state" {
        Applied => "applied",
        Duplicate => "duplicate",
        Stale => "stale",
        Orphan => "orphan",
        Ignored => "ignored",
        Failed => "failed",
    }
}

closed_enum! {
    /// Where an orphan stands (`orphans.state`).
    OrphanState, "orphan state" {
        Open => "open",
        Linked => "linked",
        Dismissed => "dismissed",
    }
}
