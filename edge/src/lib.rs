//! linkpay-edge: the buyer-facing Cloudflare Worker.
//!
//! - `GET /l/{token}`: verifies the link token and renders the pay page, without the origin.
//! - `POST /l/{token}/pay`: verifies again, starts a checkout at the origin over the signed
//!   channel, and answers `303 See Other` to where the buyer pays (or an error page).
//! - `GET /r/{result token}`: the result page, from a token the origin sealed.
//! - `GET /healthz`.
//!
//! Everything but [`entry`] is plain Rust that runs in native unit tests: [`routes`] picks
//! the page, [`app`] decides the response, [`pages`] renders it with [`i18n`] text,
//! [`checkout`] speaks to the origin, [`headers`] secures every response.

pub mod amount;
pub mod app;
pub mod checkout;
pub mod config;
mod entry;
pub mod form;
pub mod headers;
pub mod i18n;
pub mod kv;
pub mod pages;
pub mod routes;
pub mod state;
