//! The merchant API under `/v1`: JSON, bearer secret keys, Stripe-style objects and errors.

mod auth;
pub(crate) mod batches;
pub(crate) mod branding;
pub(crate) mod charges;
mod events;
mod idempotency;
pub(crate) mod links;
mod list;
pub(crate) mod notifications;
mod openapi;
mod params;
pub(crate) mod payment_methods;
pub(crate) mod provider_accounts;
pub mod provider_credentials;
mod query;
pub(crate) mod return_urls;
pub(crate) mod webhook_endpoints;

use crate::base::error::ApiError;
use crate::state::AppState;
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use serde_json::Value;

pub use auth::{Authed, Call};

/// What most handlers answer: a JSON object, or the API's error.
pub type JsonReply = Result<Json<Value>, ApiError>;

/// A JSON object with its status (`201 Created`, `202 Accepted`), or the API's error.
pub type StatusReply = Result<(axum::http::StatusCode, Json<Value>), ApiError>;

/// The OpenAPI document `GET /v1/openapi.json` serves; `linkpay openapi` prints it.
pub fn openapi_document() -> &'static serde_json::Value {
    openapi::document_json()
}

/// Every API route, for the test that checks each is described in the OpenAPI document.
pub const ROUTES: &[(&str, &str)] = &[
    ("/v1/links", "POST"),
    ("/v1/links", "GET"),
    ("/v1/links/{id}", "GET"),
    ("/v1/links/{id}/deactivate", "POST"),
    ("/v1/links/{id}/charges", "GET"),
    ("/v1/links/{id}/qr.svg", "GET"),
    ("/v1/links/{id}/qr.png", "GET"),
    ("/v1/charges", "GET"),
    ("/v1/charges/{id}", "GET"),
    ("/v1/charges/{id}/refund", "POST"),
    ("/v1/charges/{id}/capture", "POST"),
    ("/v1/charges/{id}/void", "POST"),
    ("/v1/charges/{id}/refunds", "GET"),
    ("/v1/batches", "POST"),
    ("/v1/batches", "GET"),
    ("/v1/batches/sample.csv", "GET"),
    ("/v1/batches/{id}", "GET"),
    ("/v1/batches/{id}/results.csv", "GET"),
    ("/v1/branding", "GET"),
    ("/v1/branding", "POST"),
    ("/v1/payment_method_settings", "GET"),
    ("/v1/payment_method_settings", "POST"),
    ("/v1/provider_accounts", "POST"),
    ("/v1/provider_accounts", "GET"),
    ("/v1/provider_accounts/{id}", "GET"),
    ("/v1/provider_accounts/{id}", "POST"),
    ("/v1/provider_accounts/{id}", "DELETE"),
    ("/v1/webhook_endpoints", "POST"),
    ("/v1/webhook_endpoints", "GET"),
    ("/v1/webhook_endpoints/{id}", "GET"),
    ("/v1/webhook_endpoints/{id}", "POST"),
    ("/v1/webhook_endpoints/{id}", "DELETE"),
    ("/v1/webhook_endpoints/{id}/rotate_secret", "POST"),
    ("/v1/events", "GET"),
    ("/v1/events/{id}", "GET"),
    ("/v1/events/{id}/deliveries", "GET"),
    ("/v1/events/{id}/resend", "POST"),
    ("/v1/return_urls", "POST"),
    ("/v1/return_urls", "GET"),
    ("/v1/return_urls/{id}", "GET"),
    ("/v1/return_urls/{id}", "DELETE"),
    ("/v1/links/{id}/send", "POST"),
    ("/v1/notifications", "GET"),
    ("/v1/notifications/{id}", "GET"),
    ("/v1/notification_settings", "GET"),
    ("/v1/notification_settings", "POST"),
    ("/v1/notification_templates", "GET"),
    ("/v1/notification_templates/{name}", "GET"),
    ("/v1/notification_templates/{name}", "POST"),
    ("/v1/notification_templates/{name}", "DELETE"),
    ("/v1/notification_templates/{name}/preview", "POST"),
];

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/openapi.json", get(openapi::document))
        .route("/v1/links", post(links::create).get(links::list))
        .route("/v1/links/{id}", get(links::retrieve))
        .route("/v1/links/{id}/deactivate", post(links::deactivate))
        .route("/v1/links/{id}/charges", get(links::charges))
        .route("/v1/links/{id}/qr.svg", get(links::qr_svg))
        .route("/v1/links/{id}/qr.png", get(links::qr_png))
        .route("/v1/charges", get(charges::list))
        .route("/v1/charges/{id}", get(charges::retrieve))
        .route("/v1/charges/{id}/refund", post(charges::refund))
        .route("/v1/charges/{id}/capture", post(charges::capture))
        .route("/v1/charges/{id}/void", post(charges::void))
        .route("/v1/charges/{id}/refunds", get(charges::list_refunds))
        .route(
            "/v1/branding",
            get(branding::retrieve).post(branding::update),
        )
        .route("/v1/batches", post(batches::create).get(batches::list))
        .route("/v1/batches/sample.csv", get(batches::sample))
        .route("/v1/batches/{id}", get(batches::retrieve))
        .route("/v1/batches/{id}/results.csv", get(batches::results))
        .route(
            "/v1/payment_method_settings",
            get(payment_methods::retrieve).post(payment_methods::update),
        )
        .route(
            "/v1/provider_accounts",
            post(provider_accounts::create).get(provider_accounts::list),
        )
        .route(
            "/v1/provider_accounts/{id}",
            get(provider_accounts::retrieve)
                .post(provider_accounts::update)
                .delete(provider_accounts::delete),
        )
        .route(
            "/v1/webhook_endpoints",
            post(webhook_endpoints::create).get(webhook_endpoints::list),
        )
        .route(
            "/v1/webhook_endpoints/{id}",
            get(webhook_endpoints::retrieve)
                .post(webhook_endpoints::update)
                .delete(webhook_endpoints::delete),
        )
        .route(
            "/v1/webhook_endpoints/{id}/rotate_secret",
            post(webhook_endpoints::rotate_secret),
        )
        .route("/v1/events", get(events::list))
        .route("/v1/events/{id}", get(events::retrieve))
        .route("/v1/events/{id}/deliveries", get(events::deliveries))
        .route("/v1/events/{id}/resend", post(events::resend))
        .route(
            "/v1/return_urls",
            post(return_urls::create).get(return_urls::list),
        )
        .route(
            "/v1/return_urls/{id}",
            get(return_urls::retrieve).delete(return_urls::delete),
        )
        .merge(notifications::router())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
}
