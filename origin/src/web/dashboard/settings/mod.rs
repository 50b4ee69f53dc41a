//! The settings pages: API keys, webhook endpoints, return URLs, message templates and
//! payment methods (and the pay page's branding).

pub mod api_keys;
pub mod branding;
pub mod payment_methods;
pub mod provider_accounts;
pub mod resource;
pub mod return_urls;
pub mod templates;
pub mod webhooks;

use super::pages::{Chrome, render};
use super::sessions::Session;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};

#[derive(Template)]
#[template(path = "dashboard/settings.html")]
struct IndexPage {
    chrome: Chrome,
}

async fn index(session: Session) -> Response {
    render(&IndexPage {
        chrome: Chrome::new(&session, "settings"),
    })
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard/settings", get(index))
        .merge(api_keys::routes())
        .merge(webhooks::routes())
        .merge(return_urls::routes())
        .merge(provider_accounts::routes())
        .route("/dashboard/settings/templates", get(templates::list))
        .route(
            "/dashboard/settings/templates/{name}",
            get(templates::edit).post(templates::save),
        )
        .route(
            "/dashboard/settings/templates/{name}/reset",
            post(templates::reset),
        )
        .route(
            "/dashboard/settings/branding",
            get(branding::show).post(branding::update),
        )
        .route(
            "/dashboard/settings/payment-methods",
            get(payment_methods::show).post(payment_methods::update),
        )
}
