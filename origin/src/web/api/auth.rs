//! `Authorization: Bearer sk_…` → the merchant it belongs to.

use crate::base::error::ApiError;
use crate::base::listing::Scope;
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

impl Authed {
    /// The data this key may see: its merchant's, in its mode.
    pub fn scope(&self) -> Scope<'_> {
        Scope {
            merchant_id: &self.merchant.id,
            livemode: self.livemode,
        }
    }

    /// `found` if it is of this key's mode. The merchant's own object of the other mode is a
    /// 400 that names both modes, so a mixed-up key is told why (its content stays unseen);
    /// anything else is a 404 for the `noun`.
    pub fn in_mode<T>(
        &self,
        found: Option<T>,
        livemode: impl Fn(&T) -> bool,
        noun: &str,
        id: &str,
    ) -> Result<T, ApiError> {
        match found {
            Some(x) if livemode(&x) == self.livemode => Ok(x),
            Some(_) => Err(mode_mismatch(noun, id, self.livemode)),
            None => Err(ApiError::no_such(noun, id)),
        }
    }
}

/// The 400 for a key used on an object of the other mode.
pub fn mode_mismatch(noun: &str, id: &str, key_is_live: bool) -> ApiError {
    let (object, key, other) = if key_is_live {
        ("test", "live key (sk_live_…)", "a test key (sk_test_…)")
    } else {
        ("live", "test key (sk_test_…)", "a live key (sk_live_…)")
    };
    ApiError::bad_request(
        "livemode_mismatch",
        format!(
            "{noun} {id} exists in {object} mode, but this request was made with a {key}. Use {other} for {object}-mode objects."
        ),
    )
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
