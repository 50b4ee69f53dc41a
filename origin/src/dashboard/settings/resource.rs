//! One page shape for the settings that are a list of things with a create form and a
//! delete (or revoke) button: API keys, webhook endpoints, return URLs. A secret made by a
//! create is shown on the page that answers it, once, and never again.

use super::super::api_calls::FieldError;
use super::super::pages::{Chrome, render};
use crate::error::ApiError;
use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// A string field of an API object, or "".
pub fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// What a create through the API gives the page: the new signing secret (shown once), or
/// the refusal to show beside the form.
pub fn created_secret(
    result: Result<(StatusCode, Json<Value>), ApiError>,
) -> Result<String, FieldError> {
    result
        .map(|(_, Json(created))| text(&created["secret"]))
        .map_err(FieldError::from)
}

pub struct Row {
    pub id: String,
    pub cells: Vec<String>,
    /// Whether the row still has a delete/revoke button.
    pub removable: bool,
}

pub enum Input {
    Text { placeholder: &'static str },
    Select(Vec<(String, String)>),
    Multi(Vec<(String, String)>),
}

pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub value: String,
}

/// What differs between the resources.
pub struct Spec {
    pub title: &'static str,
    pub intro: &'static str,
    /// `/dashboard/settings/webhooks`: the page, its create form's action, and
    /// `{base}/{id}/delete`.
    pub base: &'static str,
    pub columns: &'static [&'static str],
    pub create_label: &'static str,
    pub remove_label: &'static str,
    /// What the revealed secret is, e.g. "Signing secret".
    pub secret_label: &'static str,
}

#[derive(Template)]
#[template(path = "dashboard/settings_resource.html")]
pub struct ResourcePage {
    pub chrome: Chrome,
    pub spec: Spec,
    pub rows: Vec<Row>,
    pub fields: Vec<Field>,
    pub revealed: Option<String>,
    pub notice: Option<String>,
    pub error: Option<FieldError>,
}

impl ResourcePage {
    pub fn respond(self) -> Response {
        let status = if self.error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        (status, render(&self)).into_response()
    }
}
