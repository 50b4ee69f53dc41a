use crate::api::Authed;
use crate::charges;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
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
