//! The sandbox payment provider, served under `/sandbox/` as if it were another company:
//! its own records (`sandbox_payments`), its own hosted card, 3-D Secure and wallet pages, its own test cards, and signed
//! notifications.
//! Card numbers typed here are used to decide the outcome and then dropped; only the brand
//! and last four digits are kept, and nothing logs them.

mod pages;

use crate::state::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sandbox/pay/{id}", get(pages::show).post(pages::submit))
        .route(
            "/sandbox/3ds/{id}",
            get(pages::show_challenge).post(pages::submit_challenge),
        )
        .route(
            "/sandbox/wallet/{id}",
            get(pages::show_wallet).post(pages::submit_wallet),
        )
        .route("/sandbox/static/sandbox.css", get(pages::stylesheet))
}
