//! The merchant API under `/v1`: JSON, bearer secret keys, Stripe-style objects and errors.

mod auth;
mod charges;
mod links;
mod params;
mod webhook_endpoints;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

pub use auth::Authed;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/links", post(links::create))
        .route("/v1/links/{id}", get(links::retrieve))
        .route("/v1/charges/{id}", get(charges::retrieve))
        .route("/v1/webhook_endpoints", post(webhook_endpoints::create))
}
