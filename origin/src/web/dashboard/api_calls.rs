//! The dashboard acts through the API's own handlers, as the signed-in merchant in the
//! session's mode, so every rule and every error message is the API's. A form's fields become the
//! JSON body the API takes.

use super::sessions::Session;
use crate::base::error::ApiError;
use crate::state::AppState;
use crate::web::api::{Authed, Call};
use axum::body::Bytes;
use serde_json::Value;

pub fn authed(session: &Session) -> Authed {
    Authed {
        merchant: session.merchant.clone(),
        livemode: session.livemode,
    }
}

/// The API handlers' `Call` as the signed-in merchant.
pub fn call(state: &AppState, session: &Session) -> Call {
    Call {
        state: state.clone(),
        auth: authed(session),
    }
}

pub fn body(v: &Value) -> Bytes {
    Bytes::from(v.to_string())
}

/// An API refusal as a form shows it: the field it names (if any) and its message.
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl From<ApiError> for FieldError {
    fn from(e: ApiError) -> FieldError {
        if e.status.is_server_error() {
            // Already logged by ApiError; the person gets the bland message.
            return FieldError {
                field: String::new(),
                message: e.message,
            };
        }
        FieldError {
            field: e.param.unwrap_or_default(),
            message: e.message,
        }
    }
}
