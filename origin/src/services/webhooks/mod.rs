//! Webhook work that runs in the background: delivering queued events, and announcing links
//! that expired.

pub mod delivery;
pub mod expiry;
