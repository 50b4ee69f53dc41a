use super::params::Params;
use crate::api::Authed;
use crate::error::ApiError;
use crate::state::AppState;
use crate::webhooks::endpoints;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;

/// `POST /v1/webhook_endpoints` with `{"url": "https://…"}`. The answer holds the signing
/// secret; it is not shown again.
#[utoipa::path(post, path = "/v1/webhook_endpoints", tag = "webhooks",
    summary = "Register a webhook endpoint",
    request_body = super::openapi::CreateWebhookEndpoint,
    responses(
        (status = 201, description = "Created; the secret is shown only here", body = super::openapi::WebhookEndpoint),
        (status = 400, description = "The URL is not acceptable", body = super::openapi::Error),
    ))]
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let p = Params::parse(&body, &["url"])?;
    let url = p.required("url", Params::string)?;
    endpoints::check_url(&url).map_err(|m| ApiError::invalid("url", "url_invalid", m))?;
    let created = endpoints::create(&state.db, &auth.merchant.id, &url).await?;
    tracing::info!(endpoint = %created.id, merchant = %auth.merchant.id, "webhook endpoint created");
    Ok((StatusCode::CREATED, Json(created.to_json())))
}
