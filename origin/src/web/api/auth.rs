//! `Authorization: Bearer sk_…` → the merchant it belongs to.

use crate::base::error::ApiError;
use crate::domain::merchants::{self, Merchant};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

pub struct Authed {
    pub merchant: Merchant,
    pub livemode: bool,
}

/// What the merchant API's handlers start from: the app state and the merchant whose key the
/// request carries (the `State` and `Authed` extractors, taken together in that order).
pub struct Call {
    pub state: AppState,
    pub auth: Authed,
}

impl FromRequestParts<AppState> for Call {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Call, ApiError> {
        let auth = authenticate(state, &parts.headers).await?;
        Ok(Call {
            state: state.clone(),
            auth,
        })
    }
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Authed, ApiError> {
        authenticate(state, &parts.headers).await
    }
}

/// The merchant whose secret key the request carries.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Authed, ApiError> {
    let header = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::unauthorized(
                "api_key_missing",
                "No API key given. Send your secret key as: Authorization: Bearer sk_test_…",
            )
        })?;
    let key = header
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|k| k.starts_with("sk_"))
        .ok_or_else(|| {
            ApiError::unauthorized(
                "api_key_invalid",
                "The Authorization header must be: Bearer sk_test_… (a secret key).",
            )
        })?;
    match merchants::by_key(&state.db, key).await? {
        Some((merchant, livemode)) => Ok(Authed { merchant, livemode }),
        None => Err(ApiError::unauthorized(
            "api_key_invalid",
            "This API key is not valid or has been revoked.",
        )),
    }
}
