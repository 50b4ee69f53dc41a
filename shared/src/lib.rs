//! linkpay-shared: the wire formats that the edge worker and the origin must agree on.
//!
//! Nothing here does I/O or reads a clock: callers pass `now` in, so the same code runs in
//! a Cloudflare Worker (wasm32) and in the origin, and tests can pin time.

pub mod branding;
pub mod channel;
pub mod hex;
pub mod locale;
pub mod metadata;
pub mod money;
pub mod preview;
pub mod redirect;
pub mod result;
pub mod sealed;
pub mod secret;
pub mod token;
#[cfg(test)]
mod vectors;
pub mod webhook;

pub use locale::Locale;
pub use money::{Currency, Money, MoneyError, ParseAmountError};
pub use secret::SecretKey;
