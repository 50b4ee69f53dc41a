//! `POST /internal/v1/checkouts`: the edge forwards a buyer's Pay over the authenticated
//! channel; this checks the request and hands it to `services::checkout`.

use crate::base::error::ApiError;
use crate::domain::payment_methods::PaymentMethod;
use crate::services::checkout::{PATH, expired, method_unavailable, not_found, start};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use linkpay_shared::channel;
use linkpay_shared::token::TokenError;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct CheckoutRequest {
    token: String,
    /// Minor units, for a link whose buyer chooses the amount (the edge has checked it; the
    /// origin checks again).
    amount: Option<i64>,
    /// What the buyer typed in the pay page's email field, if anything (the edge checked it
    /// lightly; it is checked properly here).
    email: Option<String>,
    /// `card` (the default) or `wallet`: what the buyer chose on the pay page.
    payment_method: Option<String>,
}

/// `POST /internal/v1/checkouts`, called only by the edge worker.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    channel::verify(
        &state.config.edge_secret,
        header(channel::TIMESTAMP_HEADER),
        header(channel::SIGNATURE_HEADER),
        "POST",
        PATH,
        &body,
        state.clock.now(),
    )
    .map_err(|e| {
        tracing::warn!(error = %e, "refused an unauthenticated checkout request");
        ApiError::unauthorized(
            "edge_signature_invalid",
            "This endpoint is for the linkpay edge worker only.",
        )
    })?;
    let req: CheckoutRequest = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request(
            "invalid_json",
            "Expected {\"token\": \"…\", \"amount\": minor units (buyer-chosen links only)}.",
        )
    })?;
    let claims = state
        .config
        .link_keys
        .verify(req.token.as_bytes(), state.clock.now())
        .map_err(|e| match e {
            TokenError::Expired => expired(),
            TokenError::UnknownKey => ApiError::invalid(
                "token",
                "link_key_unknown",
                "This payment link was signed with a key that is unknown here or has been retired.",
            ),
            TokenError::ModeMismatch { claims } => ApiError::invalid(
                "token",
                "livemode_mismatch",
                format!(
                    "This payment link claims {} mode but was signed with a {} key, so it is refused.",
                    if claims { "live" } else { "test" },
                    if claims { "test" } else { "live" },
                ),
            ),
            _ => not_found(),
        })?;
    let amount = claims.amount.resolve(req.amount).map_err(|e| ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        ..ApiError::invalid(
            "amount",
            "amount_invalid",
            format!("{}.", capitalize(&e.to_string())),
        )
    })?;
    let email = buyer_email(req.email.as_deref())?;
    let method = match req.payment_method.as_deref() {
        None | Some("") => PaymentMethod::Card,
        Some(m) => PaymentMethod::parse(m).ok_or_else(|| method_unavailable(m))?,
    };
    let redirect_url = start(
        &state.services,
        &claims,
        &req.token,
        amount,
        email.as_deref(),
        method,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "redirect_url": redirect_url })),
    ))
}

/// An empty field is no email; anything else must be an address.
fn buyer_email(typed: Option<&str>) -> Result<Option<String>, ApiError> {
    match typed.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => crate::base::email_address::check(t)
            .map(Some)
            .map_err(|m| ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                ..ApiError::invalid("email", "email_invalid", m)
            }),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
