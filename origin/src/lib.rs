//! linkpay origin: the merchant API, checkout, the sandbox provider and webhook delivery.
//! `app()` builds the whole router so tests can drive it without a port.

pub mod api;
pub mod batch;
pub mod branding;
pub mod charges;
pub mod checkout;
pub mod cli;
pub mod clock;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod edge_sync;
pub mod email_address;
pub mod error;
pub mod housekeeping;
pub mod ids;
pub mod jobs;
pub mod links;
pub mod listing;
pub mod merchants;
pub mod notify;
pub mod outbox;
pub mod payment_methods;
pub mod payments;
pub mod providers;
pub mod qr;
pub mod return_urls;
pub mod sandbox;
pub mod settle;
pub mod state;
pub mod webhooks;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use state::AppState;

pub fn app(state: AppState) -> Router {
    let pages = Router::new()
        .merge(sandbox::router())
        .route("/return/{provider}", get(settle::provider_return))
        .route(
            "/providers/{provider}/notifications",
            post(settle::provider_notification),
        )
        .layer(middleware::from_fn_with_state(state.clone(), page_headers));
    Router::new()
        .merge(api::router(&state))
        .merge(dashboard::router(&state))
        .route(checkout::PATH, post(checkout::create))
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
        web_origin(&state.config.edge_url),
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

/// `https://pay.example.com/base` → `https://pay.example.com`.
pub(crate) fn web_origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn web_origin_drops_the_path() {
        assert_eq!(
            super::web_origin("https://a.example/x/y"),
            "https://a.example"
        );
        assert_eq!(
            super::web_origin("http://127.0.0.1:8787"),
            "http://127.0.0.1:8787"
        );
    }
}
