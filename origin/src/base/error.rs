//! The one JSON error shape every API answer uses:
//! `{"error": {"type": "...", "code": "...", "message": "...", "param": "..."}}`.
//! Internal detail goes to the log, never into a response.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub code: &'static str,
    pub message: String,
    pub param: Option<String>,
}

impl ApiError {
    pub fn invalid(param: &str, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            kind: "invalid_request_error",
            code,
            message: message.into(),
            param: Some(param.to_owned()),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            kind: "invalid_request_error",
            code,
            message: message.into(),
            param: None,
        }
    }

    pub fn unauthorized(code: &'static str, message: &str) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            kind: "authentication_error",
            code,
            message: message.into(),
            param: None,
        }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            kind: "invalid_request_error",
            code,
            message: message.into(),
            param: None,
        }
    }

    /// The 404 for an id in the path that names nothing of the merchant's.
    pub fn no_such(what: &str, id: &str) -> ApiError {
        ApiError::not_found("resource_missing", format!("No such {what}: {id}"))
    }

    pub fn conflict(status: StatusCode, code: &'static str, message: &str) -> ApiError {
        ApiError {
            status,
            kind: "invalid_request_error",
            code,
            message: message.into(),
            param: None,
        }
    }

    /// 409: the request fits the API's document, but the object it acts on is not in a state
    /// that allows it (more than is left to capture, a link with no customer contact).
    pub fn state(param: &str, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::CONFLICT,
            ..ApiError::invalid(param, code, message)
        }
    }

    /// 422: the request fits the API's document, but a rule the document cannot express
    /// refuses it (a minimum above its maximum, a time in the past, a CSV row, a template
    /// that does not parse). 400 is kept for requests that break the document itself.
    pub fn unprocessable(param: &str, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..ApiError::invalid(param, code, message)
        }
    }

    pub fn with_param(mut self, param: &str) -> ApiError {
        self.param = Some(param.to_owned());
        self
    }

    /// Logs the cause and answers a bland 500.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(%cause, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            kind: "api_error",
            code: "internal_error",
            message: "Something went wrong on our side. It has been logged; please retry.".into(),
            param: None,
        }
    }

    pub fn provider(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(%cause, "payment provider error");
        ApiError {
            status: StatusCode::BAD_GATEWAY,
            kind: "api_error",
            code: "provider_unavailable",
            message: "The payment provider could not be reached. Nothing was charged.".into(),
            param: None,
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        ApiError::internal(format_args!("database: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({"type": self.kind, "code": self.code, "message": self.message});
        if let Some(p) = self.param {
            error["param"] = p.into();
        }
        (self.status, Json(json!({ "error": error }))).into_response()
    }
}

/// Answers a route that does not exist with the same JSON shape.
pub async fn not_found() -> ApiError {
    ApiError::not_found("resource_missing", "No such route. See /docs/api.md.")
}
