//! The interfaces a browser or a merchant's server reaches: the merchant API (`api`), the
//! dashboard, the sandbox provider's hosted pages, provider returns and notifications, and
//! the checkout the edge forwards. Handlers take the application state and call services.

pub mod api;
mod back;
mod checkout;
pub mod dashboard;
mod returns;
mod sandbox;

use crate::base::error;
use crate::domain::return_urls;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

pub fn app(state: AppState) -> Router {
    let pages = Router::new()
        .merge(sandbox::router())
        .route(
            "/return/{provider}",
            get(returns::provider_return).post(returns::provider_return_form),
        )
        .route(
            "/providers/{provider}/accounts/{account}/webhooks",
            post(returns::account_webhook),
        )
        .route(
            "/providers/{provider}/notifications",
            post(returns::provider_notification),
        )
        .layer(middleware::from_fn_with_state(state.clone(), page_headers));
    Router::new()
        .merge(api::router(&state))
        .merge(dashboard::router(&state))
        .route(crate::services::checkout::PATH, post(checkout::create))
        .route("/healthz", get(|| async { "ok" }))
        .merge(pages)
        .fallback(error::not_found)
        .with_state(state)
}

/// Security headers for the pages the origin serves (the sandbox's). The card form posts to
/// itself and the answer redirects to the edge, and browsers check `form-action` against every
/// hop of that redirect chain, so the edge's origin is allowed too.
/// A card page whose buyer will be redirected on to a merchant's GET return URL allows that
/// origin as well.
async fn page_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let merchant = match req.uri().path().strip_prefix("/sandbox/pay/") {
        Some(payment) => return_urls::back::redirect_origin(&state.db, "sandbox", payment)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "looking up a payment's return URL");
                None
            }),
        None => None,
    };
    let mut resp = next.run(req).await;
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' {}{}; base-uri 'none'; frame-ancestors 'none'",
        crate::base::url::web_origin(&state.config.edge_url),
        merchant.map(|m| format!(" {m}")).unwrap_or_default()
    );
    let h = resp.headers_mut();
    // A page with its own policy (the auto-posting return page) keeps it.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(v) = HeaderValue::from_str(&csp)
    {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}
