//! The one shape every error answer has.
#![allow(dead_code)] // Read by utoipa only.

use utoipa::ToSchema;

/// Every error answer.
#[derive(ToSchema)]
pub struct Error {
    error: ErrorDetail,
}

#[derive(ToSchema)]
pub struct ErrorDetail {
    /// `invalid_request_error`, `authentication_error`, `api_error` …
    r#type: String,
    /// Stable, machine-readable, e.g. `parameter_missing`, `amount_invalid`,
    /// `idempotency_key_reused`, `resource_missing`.
    code: String,
    /// For people: says what is wrong and what to do.
    message: String,
    /// The field at fault, e.g. `amount`, `custom_amount[minimum]`, `metadata[cart]`.
    param: Option<String>,
}
