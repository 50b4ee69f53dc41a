//! One page shape for the settings that are a list of things with a create form and a
//! delete (or revoke) button: API keys, webhook endpoints, return URLs. A secret made by a
//! create is shown on the page that answers it, once, and never again.

use super::super::api_calls::FieldError;
use super::super::pages::{Chrome, FormData, PageError, render_form};
use super::super::sessions::Session;
use crate::state::AppState;
use crate::web::dashboard::guard::SignedIn;
use crate::web::dashboard::pages::PageReply;
use askama::Template;
use axum::Json;
use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get};
use serde_json::Value;

/// What differs between the resources: the words, the rows and the create form.
pub trait Resource {
    fn spec() -> Spec;

    /// The rows of the list.
    fn rows(
        state: &AppState,
        session: &Session,
    ) -> impl Future<Output = Result<Vec<Row>, PageError>> + Send;

    /// The create form's fields, showing what was `typed` where the form keeps it.
    fn fields(typed: &FormData) -> Vec<Field>;
}

/// `{base}`: the page and its create form; `{base}/{id}/delete`: a row's button.
pub fn routes<R: Resource + 'static>(
    create: MethodRouter<AppState>,
    remove: MethodRouter<AppState>,
) -> Router<AppState> {
    let base = R::spec().base;
    Router::new()
        .route(base, get(list::<R>).merge(create))
        .route(&format!("{base}/{{id}}/delete"), remove)
}

/// `GET {base}`
async fn list<R: Resource>(SignedIn { state, session }: SignedIn) -> PageReply {
    page::<R>(&state, &session, &FormData(Vec::new()), None, None).await
}

/// The page: the list, the create form, and the secret a create made just now or why the
/// form was refused.
pub async fn page<R: Resource>(
    state: &AppState,
    session: &Session,
    typed: &FormData,
    revealed: Option<String>,
    error: Option<FieldError>,
) -> PageReply {
    let page = ResourcePage {
        rows: R::rows(state, session).await?,
        chrome: Chrome::new(session, "settings"),
        spec: R::spec(),
        fields: R::fields(typed),
        revealed,
        notice: None,
        error,
    };
    Ok(render_form(&page, page.error.is_some()))
}

/// The answer to a create through the API: the page with the new signing secret (shown
/// once), or the form again with what was typed and the refusal beside it.
pub async fn created<R: Resource>(
    state: &AppState,
    session: &Session,
    typed: &FormData,
    result: crate::web::api::StatusReply,
) -> PageReply {
    match result {
        Ok((_, Json(made))) => {
            let secret = Some(text(&made["secret"])).filter(|s| !s.is_empty());
            page::<R>(state, session, &FormData(Vec::new()), secret, None).await
        }
        Err(e) => page::<R>(state, session, typed, None, Some(e.into())).await,
    }
}

/// The API request of a create form: `req`, with the description the form holds, if any.
pub fn with_description(mut req: Value, form: &FormData) -> Value {
    if let Some(d) = form.get("description") {
        req["description"] = Value::from(d);
    }
    req
}

/// Back to the list once a row is gone.
pub fn removed<R: Resource>() -> Response {
    Redirect::to(R::spec().base).into_response()
}

/// A string field of an API object, or "".
pub fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// The objects of an API list.
pub fn data(list: &Value) -> impl Iterator<Item = &Value> {
    list["data"].as_array().into_iter().flatten()
}

pub struct Row {
    pub id: String,
    pub cells: Vec<String>,
    /// Whether the row still has a delete/revoke button.
    pub removable: bool,
    /// A one-field form beside the row, posting to `{base}/{id}/{action}`.
    pub update: Option<RowForm>,
}

pub struct RowForm {
    pub action: &'static str,
    pub field: &'static str,
    pub label: &'static str,
    pub button: &'static str,
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

impl Field {
    pub fn text(
        name: &'static str,
        label: &'static str,
        placeholder: &'static str,
        value: &str,
    ) -> Field {
        Field {
            name,
            label,
            input: Input::Text { placeholder },
            value: value.to_owned(),
        }
    }

    /// The optional description the API keeps beside an object, as typed.
    pub fn description(typed: &FormData) -> Field {
        let typed = typed.get("description").unwrap_or_default();
        Field::text("description", "Description (optional)", "", typed)
    }
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
struct ResourcePage {
    chrome: Chrome,
    spec: Spec,
    rows: Vec<Row>,
    fields: Vec<Field>,
    revealed: Option<String>,
    notice: Option<String>,
    error: Option<FieldError>,
}
