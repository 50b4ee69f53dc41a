use crate::api::Authed;
use crate::charges;
use crate::error::ApiError;
use crate::refunds::{self, RefundError};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;

/// `GET /v1/charges/{id}`
#[utoipa::path(get, path = "/v1/charges/{id}", tag = "charges", summary = "Retrieve a charge",
    params(("id" = String, Path, description = "ch_…")),
    responses(
        (status = 200, description = "The charge", body = super::openapi::Charge),
        (status = 404, description = "No such charge", body = super::openapi::Error),
    ))]
pub async fn retrieve(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let charge = charges::get(state.db.reader(), &id)
        .await?
        .filter(|c| c.merchant_id == auth.merchant.id)
        .ok_or_else(|| ApiError::not_found("resource_missing", format!("No such charge: {id}")))?;
    Ok(Json(charge.to_json()))
}

/// `POST /v1/charges/{id}/refund`
#[utoipa::path(post, path = "/v1/charges/{id}/refund", tag = "charges", summary = "Refund a charge in full",
    description = "Returns the whole amount to the buyer through the provider and announces `charge.update`. The link does not take another payment in its place. Send an Idempotency-Key to retry safely.",
    params(("id" = String, Path, description = "ch_…")),
    responses(
        (status = 200, description = "The refunded charge", body = super::openapi::Charge),
        (status = 404, description = "No such charge", body = super::openapi::Error),
        (status = 409, description = "Refunded already (`charge_already_refunded`) or not paid (`charge_not_refundable`)", body = super::openapi::Error),
    ))]
pub async fn refund(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    // No options yet (partial refunds come later); an empty object is fine.
    super::params::Params::parse_optional(&body, &[])?;
    match refunds::refund_in_full(&state, &auth.merchant.id, &id).await {
        Ok(charge) => Ok(Json(charge.to_json())),
        Err(RefundError::NotFound) => Err(ApiError::not_found(
            "resource_missing",
            format!("No such charge: {id}"),
        )),
        Err(RefundError::AlreadyRefunded) => Err(ApiError::conflict(
            StatusCode::CONFLICT,
            "charge_already_refunded",
            "This charge has been refunded already.",
        )),
        Err(e @ RefundError::NotRefundable(_)) => Err(ApiError::conflict(
            StatusCode::CONFLICT,
            "charge_not_refundable",
            &format!("{e}."),
        )),
        Err(RefundError::Provider(e)) => Err(ApiError::provider(e)),
        Err(RefundError::Db(e)) => Err(e.into()),
    }
}
