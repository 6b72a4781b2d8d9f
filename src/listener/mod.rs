//! The webhook listener (`tally serve`): verification of provider deliveries.

pub mod verify;
