//! The merchant API under `/v1`: JSON, bearer secret keys, Stripe-style objects and errors.

mod auth;
mod charges;
mod idempotency;
mod links;
mod params;
mod query;
mod webhook_endpoints;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::{Router, middleware};

pub use auth::Authed;

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/links", post(links::create).get(links::list))
        .route("/v1/links/{id}", get(links::retrieve))
        .route("/v1/links/{id}/deactivate", post(links::deactivate))
        .route("/v1/links/{id}/charges", get(links::charges))
        .route("/v1/charges/{id}", get(charges::retrieve))
        .route("/v1/webhook_endpoints", post(webhook_endpoints::create))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
}
