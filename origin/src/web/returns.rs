//! Where providers come back to: the buyer's return from a provider's pages, and a
//! provider's own notifications. Both hand the charge to `services::settle`.

use crate::domain::charges;
use crate::providers::{ProviderError, ReturnRef};
use crate::services::settle::{Next, ReturnError, complete, settle};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

/// `GET /return/{provider}?…`: a provider sends the buyer here after its pages. The query
/// only names the payment; what happened is asked of the provider.
pub async fn provider_return(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(provider) = state.services.providers.by_name(&name) else {
        return unknown_payment();
    };
    let charge = match provider.return_ref(&q) {
        Some(ReturnRef::Payment(r)) => {
            charges::by_provider_ref(state.db.reader(), provider.name(), &r).await
        }
        Some(ReturnRef::Charge(id)) => charges::get(state.db.reader(), &id)
            .await
            .map(|c| c.filter(|c| c.provider == provider.name())),
        None => Ok(None),
    };
    let charge = match charge {
        Ok(Some(c)) => c,
        Ok(None) => return unknown_payment(),
        Err(e) => {
            tracing::error!(error = %e, "reading the charge of a provider return");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let charge_id = charge.id.clone();
    match complete(&state.services, provider.as_ref(), charge).await {
        Ok(Next::Result(url)) | Ok(Next::BackToProvider(url)) => Redirect::to(&url).into_response(),
        Ok(Next::Merchant(back)) => super::back::respond(&back),
        Err(ReturnError::Internal(e)) => {
            tracing::error!(error = %e, charge = %charge_id, "settling a provider return");
            (StatusCode::BAD_GATEWAY, "We could not confirm this payment with the provider yet. Reload this page in a moment.")
                .into_response()
        }
    }
}

fn unknown_payment() -> Response {
    (
        StatusCode::NOT_FOUND,
        "This payment is not known here. Nothing was charged by this request.",
    )
        .into_response()
}

/// `POST /providers/{provider}/notifications`: a provider tells us about a payment on its
/// own. A notification whose signature verifies is applied; one that does not is refused,
/// and the payment it names is asked of the provider instead.
pub async fn provider_notification(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(provider) = state.services.providers.by_name(&name) else {
        return (StatusCode::NOT_FOUND, "unknown provider").into_response();
    };
    let (provider_ref, outcome, verified) = match provider.verify_notification(&headers, &body) {
        Ok(n) => (n.provider_ref, Some(n.outcome), true),
        Err(ProviderError::Unverified {
            claimed_ref: Some(r),
        }) => (r, None, false),
        Err(e) => {
            tracing::warn!(provider = %name, error = %e, "refused a provider notification");
            return (StatusCode::BAD_REQUEST, "notification refused").into_response();
        }
    };
    let charge =
        match charges::by_provider_ref(state.db.reader(), provider.name(), &provider_ref).await {
            Ok(Some(c)) => c,
            Ok(None) => return (StatusCode::NOT_FOUND, "unknown payment").into_response(),
            Err(e) => {
                tracing::error!(error = %e, "reading a charge for a notification");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
    let outcome = match outcome {
        Some(o) => Ok(o),
        None => {
            tracing::warn!(provider = %name, payment = %provider_ref, "a provider notification failed its signature; asking the provider instead");
            provider.sync(&provider_ref).await
        }
    };
    let applied = match outcome {
        Ok(o) => settle(&state.services, &charge, &o, provider.capture_window_secs())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match (applied, verified) {
        (Err(e), _) => {
            tracing::error!(error = %e, payment = %provider_ref, "applying a provider notification");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
        (Ok(()), true) => StatusCode::OK.into_response(),
        (Ok(()), false) => (StatusCode::BAD_REQUEST, "signature does not verify").into_response(),
    }
}
