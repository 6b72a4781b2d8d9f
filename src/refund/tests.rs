//! Tests of the refund room against a fake provider (no network).
