//! Checkout: a buyer on the edge pressed Pay. The edge forwards the link token over the
//! authenticated channel; the origin re-verifies it, claims the link, opens a charge and asks
//! the provider for a page to send the buyer to.
//!
//! Single use is enforced here, in one write transaction with a conditional update: a
//! single-use link is *reserved* by one checkout while its buyer is at the provider, so racing
//! buyers get "in progress" and never reach the provider. A decline or an expired provider
//! session releases the reservation; a success marks the link used.

use crate::clock::now;
use crate::db::Flag;
use crate::error::ApiError;
use crate::ids;
use crate::providers::sandbox::SandboxConnector;
use crate::providers::{Provider, StartPayment};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use linkpay_shared::token::{LinkClaims, TokenError};
use linkpay_shared::{Money, channel};
use serde::Deserialize;
use serde_json::{Value, json};

pub const PATH: &str = "/internal/v1/checkouts";

/// Longer than the provider's own session, so a reservation never lapses while the buyer can
/// still complete payment on the provider's page.
pub const RESERVATION_SECS: i64 = crate::sandbox::PAYMENT_TTL_SECS + 5 * 60;

#[derive(Deserialize)]
struct CheckoutRequest {
    token: String,
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
        now(),
    )
    .map_err(|e| {
        tracing::warn!(error = %e, "refused an unauthenticated checkout request");
        ApiError::unauthorized(
            "edge_signature_invalid",
            "This endpoint is for the linkpay edge worker only.",
        )
    })?;
    let req: CheckoutRequest = serde_json::from_slice(&body)
        .map_err(|_| ApiError::bad_request("invalid_json", "Expected {\"token\": \"…\"}."))?;
    let claims = state
        .config
        .link_keys
        .verify(req.token.as_bytes(), now())
        .map_err(|e| match e {
            TokenError::Expired => ApiError::conflict(
                StatusCode::GONE,
                "link_expired",
                "This payment link has expired.",
            ),
            _ => ApiError::not_found("link_not_found", "This payment link is not valid."),
        })?;
    let redirect_url = start(&state, &claims).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "redirect_url": redirect_url })),
    ))
}

/// The link row as the checkout sees it.
#[derive(sqlx::FromRow)]
struct LinkState {
    merchant_id: String,
    #[sqlx(try_from = "Flag")]
    livemode: bool,
    amount: i64,
    currency: String,
    #[sqlx(try_from = "Flag")]
    single_use: bool,
    status: String,
    expires_at: i64,
    reserved_charge_id: Option<String>,
    reserved_until: Option<i64>,
}

pub async fn start(state: &AppState, claims: &LinkClaims) -> Result<String, ApiError> {
    let now = now();
    let charge_id = ids::new_id("ch");
    let mut tx = state.db.begin().await?;
    let link: LinkState = sqlx::query_as(
        "SELECT merchant_id, livemode, amount, currency, single_use, status, expires_at, reserved_charge_id, reserved_until
           FROM links WHERE id = $1",
    )
    .bind(&claims.link_id)
    .fetch_optional(&mut *tx)
    .await?
    // A genuine token for a link this origin never stored (e.g. another deployment's key).
    .filter(|l: &LinkState| l.merchant_id == claims.merchant_id && claims.amount.fixed().map(|m| m.minor()) == Some(l.amount) && l.currency == claims.amount.currency().code())
    .ok_or_else(|| ApiError::not_found("link_not_found", "This payment link is not valid."))?;

    match link.status.as_str() {
        "used" => return Err(already_paid()),
        "deactivated" => {
            return Err(ApiError::conflict(
                StatusCode::GONE,
                "link_deactivated",
                "This payment link has been deactivated by the merchant.",
            ));
        }
        _ if now >= link.expires_at => {
            return Err(ApiError::conflict(
                StatusCode::GONE,
                "link_expired",
                "This payment link has expired.",
            ));
        }
        _ => {}
    }
    if link.single_use {
        let claimed = sqlx::query(
            "UPDATE links SET reserved_charge_id = $1, reserved_until = $2
              WHERE id = $3 AND status = 'active' AND (reserved_until IS NULL OR reserved_until <= $4)",
        )
        .bind(&charge_id)
        .bind(now + RESERVATION_SECS)
        .bind(&claims.link_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            return Err(ApiError::conflict(
                StatusCode::CONFLICT,
                "link_in_progress",
                "Someone is paying this link right now. If that payment does not complete, the link becomes available again.",
            ));
        }
        // A lapsed reservation's charge can no longer complete: its provider session is over.
        if let (Some(stale), Some(until)) = (&link.reserved_charge_id, link.reserved_until)
            && until <= now
        {
            sqlx::query("UPDATE charges SET status = 'expired', updated_at = $1 WHERE id = $2 AND status = 'pending'")
                .bind(now)
                .bind(stale)
                .execute(&mut *tx)
                .await?;
        }
    }
    sqlx::query(
        "INSERT INTO charges (id, link_id, merchant_id, livemode, amount, currency, status, provider, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9)",
    )
    .bind(&charge_id)
    .bind(&claims.link_id)
    .bind(&link.merchant_id)
    .bind(i64::from(link.livemode))
    .bind(link.amount)
    .bind(&link.currency)
    .bind(SandboxConnector::NAME)
    .bind(now)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;

    // Never hold a transaction across a provider call.
    let provider = SandboxConnector {
        db: state.db.clone(),
        base_url: format!("{}/sandbox", state.config.public_url),
    };
    let started = provider
        .start(StartPayment {
            charge_id: &charge_id,
            amount: Money::new(link.amount, claims.amount.currency())
                .map_err(|e| ApiError::internal(e))?,
            merchant_name: &claims.merchant_name,
            description: &claims.title,
            return_url: format!(
                "{}/return/{}",
                state.config.public_url,
                SandboxConnector::NAME
            ),
        })
        .await;
    match started {
        Ok(s) => {
            sqlx::query("UPDATE charges SET provider_ref = $1, updated_at = $2 WHERE id = $3")
                .bind(&s.provider_ref)
                .bind(crate::clock::now())
                .bind(&charge_id)
                .execute(state.db.writer())
                .await?;
            tracing::info!(charge = %charge_id, link = %claims.link_id, "checkout started");
            Ok(s.redirect_url)
        }
        Err(e) => {
            release_failed_start(state, &claims.link_id, &charge_id).await?;
            Err(ApiError::provider(e))
        }
    }
}

async fn release_failed_start(
    state: &AppState,
    link_id: &str,
    charge_id: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE charges SET status = 'failed', failure_code = 'provider_unavailable', updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(charge_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE links SET reserved_charge_id = NULL, reserved_until = NULL WHERE id = $1 AND reserved_charge_id = $2")
        .bind(link_id)
        .bind(charge_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

fn already_paid() -> ApiError {
    ApiError::conflict(
        StatusCode::CONFLICT,
        "link_already_paid",
        "This payment link has already been paid.",
    )
}
