//! Where providers come back to: the buyer's return from a provider's pages, and a
//! provider's own notifications. Both hand the charge to `services::settle`.

use crate::domain::{charges, provider_accounts, provider_events};
use crate::providers::{Notification, Provider, ProviderError, ReturnRef};
use crate::services::settle::{Next, ReturnError, complete, settle};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

/// `GET /return/{provider}?…`: a provider sends the buyer here after its pages. The query
/// only names the payment; what happened is asked of the provider that holds the charge.
pub async fn provider_return(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    returned(&state, &name, &q).await
}

/// `POST /return/{provider}`: the same, for a provider whose page posts the buyer back with
/// a form (GMO-PG's `result`).
pub async fn provider_return_form(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let q: HashMap<String, String> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    returned(&state, &name, &q).await
}

async fn returned(state: &AppState, name: &str, q: &HashMap<String, String>) -> Response {
    let providers = &state.services.providers;
    let charge = match providers.return_ref(name, q) {
        Some(ReturnRef::Payment(r)) => charges::by_provider_ref(state.db.reader(), name, &r).await,
        Some(ReturnRef::Charge(id)) => charges::get(state.db.reader(), &id)
            .await
            .map(|c| c.filter(|c| c.provider == name)),
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
    let provider = match providers.for_charge(&charge).await {
        Ok(Some(p)) => p,
        Ok(None) => return unknown_payment(),
        Err(e) => {
            tracing::error!(error = %e, "reading the provider of a provider return");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let said = match provider.verify_return(q) {
        Ok(said) => said,
        Err(e) => {
            tracing::warn!(provider = %name, charge = %charge.id, error = %e, "refused a provider return that does not verify");
            return (
                StatusCode::BAD_REQUEST,
                "This return from the payment page could not be verified, so nothing was changed. If you paid, the shop will still be told by the payment provider.",
            )
                .into_response();
        }
    };
    let charge_id = charge.id.clone();
    match complete(&state.services, provider.as_ref(), charge, said).await {
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
    apply(&state, provider.as_ref(), None, &headers, &body).await
}

/// `POST /providers/{provider}/accounts/{account}/webhooks`: a merchant's provider account's
/// events (the URL the merchant gives the provider). Verified with that account's secret, and
/// applied only to charges made through that account.
pub async fn account_webhook(
    State(state): State<AppState>,
    Path((name, account_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let account = match provider_accounts::of_charge(&state.db, &account_id).await {
        Ok(Some(a)) if a.provider == name => a,
        Ok(_) => return (StatusCode::NOT_FOUND, "unknown provider account").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading a provider account for a webhook");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let provider = match state.services.providers.for_account(&account) {
        Ok(p) => p,
        Err(problem) => {
            tracing::error!(account = %account.id, %problem, "a provider account cannot verify its webhooks");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    apply(
        &state,
        provider.as_ref(),
        Some(&account.id),
        &headers,
        &body,
    )
    .await
}

/// Verifies a notification and settles the charge it names. Without a verified outcome the
/// provider is asked (`sync`); an unverified notification changes nothing it says and is
/// answered 400, though the payment it names is synced. A verified event applied before is
/// acknowledged and not applied again.
async fn apply(
    state: &AppState,
    provider: &dyn Provider,
    account: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let name = provider.name();
    let (notification, verified) = match provider.verify_notification(headers, body) {
        Ok(Some(n)) => (n, true),
        // Genuine, about nothing we act on.
        Ok(None) => return (StatusCode::OK, provider.notification_ack()).into_response(),
        Err(ProviderError::Unverified {
            claimed_ref: Some(r),
        }) => {
            tracing::warn!(provider = %name, payment = %r, "a provider notification failed its signature; asking the provider instead");
            let claimed = Notification {
                provider_ref: r,
                outcome: None,
                event_id: None,
            };
            (claimed, false)
        }
        Err(e) => {
            tracing::warn!(provider = %name, error = %e, "refused a provider notification");
            return (StatusCode::BAD_REQUEST, "notification refused").into_response();
        }
    };
    let seen = match (account, &notification.event_id) {
        (Some(a), Some(e)) if verified => match provider_events::seen(&state.db, a, e).await {
            Ok(seen) => seen,
            Err(e) => {
                tracing::error!(error = %e, "reading provider events");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
        _ => false,
    };
    if seen {
        tracing::info!(provider = %name, event = ?notification.event_id, "a provider event was delivered again; applied once already");
        return (StatusCode::OK, provider.notification_ack()).into_response();
    }
    let provider_ref = notification.provider_ref.clone();
    let charge = match charges::by_provider_ref(state.db.reader(), name, &provider_ref).await {
        Ok(Some(c)) if c.provider_account_id.as_deref() == account => c,
        Ok(_) => return (StatusCode::NOT_FOUND, "unknown payment").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading a charge for a notification");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let outcome = match notification.outcome {
        Some(o) => Ok(o),
        None => provider.sync(&provider_ref).await,
    };
    let applied = match outcome {
        Ok(o) => settle(&state.services, &charge, &o, provider.capture_window_secs())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    if applied.is_ok()
        && let (Some(a), Some(e)) = (account, &notification.event_id)
        && let Err(err) = provider_events::record(&state.db, state.clock.now(), a, e).await
    {
        tracing::warn!(error = %err, "recording a provider event");
    }
    match (applied, verified) {
        (Err(e), _) => {
            tracing::error!(error = %e, payment = %provider_ref, "applying a provider notification");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
        (Ok(()), true) => (StatusCode::OK, provider.notification_ack()).into_response(),
        (Ok(()), false) => (StatusCode::BAD_REQUEST, "signature does not verify").into_response(),
    }
}
