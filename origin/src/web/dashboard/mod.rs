//! The merchant dashboard: server-rendered pages for people at a desk. Plain HTML forms and
//! no JavaScript; every form carries a CSRF token (`guard`), sessions live in the database
//! (`sessions`), passwords are argon2id (`passwords`).
//!
//! Pages call the same functions as the API, so a rule (a field's limits, who may refund)
//! is written once and a form's error names the same field the API's would.

mod api_calls;
mod batches;
mod charges;
mod cookies;
mod export;
mod format;
mod guard;
mod links;
mod list_page;
mod mode;
mod pages;
mod passwords;
mod rate_limit;
mod search;
mod sessions;
mod settings;
pub mod sign_in;
mod users;

use crate::state::AppState;
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Router, middleware};

pub use sign_in::setup_code;

/// Whether nobody can sign in yet, so the first-run set-up is open.
pub async fn needs_setup(db: &crate::base::db::Db) -> Result<bool, sqlx::Error> {
    Ok(!users::any_exist(db).await?)
}

const CSS: &str = include_str!("../../../../templates/dashboard/dashboard.css");

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/dashboard",
            get(|| async { Redirect::to("/dashboard/links") }),
        )
        .route("/dashboard/dashboard.css", get(stylesheet))
        .route(
            "/dashboard/setup",
            get(sign_in::setup_page).post(sign_in::setup),
        )
        .route(
            "/dashboard/sign-in",
            get(sign_in::page).post(sign_in::sign_in),
        )
        .route("/dashboard/sign-out", post(sign_in::sign_out))
        .route("/dashboard/mode", post(mode::switch))
        .route("/dashboard/links", get(links::list).post(links::create))
        .route("/dashboard/links/new", get(links::new_page))
        .route("/dashboard/links/{id}", get(links::show_link))
        .route("/dashboard/links/{id}/qr.svg", get(links::qr))
        .route("/dashboard/links/{id}/send", post(links::send))
        .route("/dashboard/links/{id}/deactivate", post(links::deactivate))
        .route("/dashboard/charges", get(charges::list))
        .route("/dashboard/charges.csv", get(charges::csv))
        .route("/dashboard/charges/{id}", get(charges::show_charge))
        .route(
            "/dashboard/charges/{id}/{action}",
            get(charges::confirm).post(charges::perform),
        )
        .route(
            "/dashboard/batches",
            get(batches::list).post(batches::upload),
        )
        .route("/dashboard/batches/new", get(batches::new_form))
        .route("/dashboard/batches/sample.csv", get(batches::sample))
        .route("/dashboard/batches/{id}", get(batches::show))
        .route("/dashboard/batches/{id}/results.csv", get(batches::results))
        .merge(settings::router())
        .layer(middleware::from_fn_with_state(state.clone(), guard::layer))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages::headers,
        ))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        CSS,
    )
}
