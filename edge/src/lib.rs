//! linkpay-edge: the buyer-facing Cloudflare Worker.
//!
//! - `GET /l/{token}`: verifies the link token and renders the pay page without the origin;
//!   or, if the link's display state in KV says it is finished, the page that says so.
//! - `GET /p/{code}`: the same for the link token stored in KV under a short code.
//! - `POST /l/{token}/pay`: verifies again, checks a buyer-chosen amount, starts a checkout at
//!   the origin over the signed channel, and answers `303 See Other` to where the buyer pays
//!   (or an error page).
//! - `GET /r/{result token}`: the result page, from a token the origin sealed.
//! - `GET /preview/{token}`: a sample pay page in a branding the origin sealed (the
//!   dashboard's preview); it cannot be paid.
//! - `GET /healthz`.
//! - `POST /internal/v1/kv`: the origin, signing like the edge does towards it, writes
//!   display state and short links to KV.
//!
//! Everything but `entry` (the runtime glue, compiled for wasm32 only) is plain Rust that
//! runs in native unit tests: [`routes`] picks the page, [`app`] decides the response,
//! [`pages`] renders it with [`i18n`] text, [`checkout`] speaks to the origin, [`headers`]
//! secures every response; [`kv`] and [`state`] say what KV holds, [`form`] and [`amount`]
//! read a buyer's typed amount.

pub mod amount;
pub mod app;
pub mod branding;
pub mod checkout;
pub mod config;
pub mod email;
#[cfg(target_arch = "wasm32")]
mod entry;
pub mod form;
pub mod headers;
pub mod i18n;
pub mod kv;
pub mod methods;
pub mod pages;
pub mod read_cache;
pub mod routes;
pub mod state;
