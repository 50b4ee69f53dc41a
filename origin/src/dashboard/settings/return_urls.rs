//! Return URLs, through the API's handlers: where buyers go back after paying, with the
//! signing secret of the result shown once at creation.

use super::resource::{Field, Input, ResourcePage, Row, Spec, created_secret, text};
use crate::api;
use crate::dashboard::api_calls::{FieldError, authed, body};
use crate::dashboard::format::when;
use crate::dashboard::pages::{Chrome, FormData, PageError};
use crate::dashboard::sessions::Session;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

fn spec() -> Spec {
    Spec {
        title: "Return URLs",
        intro: "Up to 3 pages of your site that buyers are sent back to after paying, with the signed result (docs/redirects.md). A link names one of them.",
        base: "/dashboard/settings/return-urls",
        columns: &["Id", "URL", "Method", "Description", "Created"],
        create_label: "Add a return URL",
        remove_label: "Delete",
        secret_label: "The signing secret of its results",
    }
}

async fn page(
    state: &AppState,
    session: &Session,
    typed: &FormData,
    revealed: Option<String>,
    error: Option<FieldError>,
) -> Result<Response, PageError> {
    let axum::Json(list) = api::return_urls::list(State(state.clone()), authed(session)).await?;
    let rows = list["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| Row {
            id: text(&r["id"]),
            cells: vec![
                text(&r["id"]),
                text(&r["url"]),
                text(&r["method"]).to_uppercase(),
                text(&r["description"]),
                r["created"].as_i64().map(when).unwrap_or_default(),
            ],
            removable: true,
        })
        .collect();
    Ok(ResourcePage {
        chrome: Chrome::new(session, "settings"),
        spec: spec(),
        rows,
        fields: vec![
            Field {
                name: "url",
                label: "URL (https)",
                input: Input::Text {
                    placeholder: "https://shop.example/paid",
                },
                value: typed.get("url").unwrap_or_default().to_owned(),
            },
            Field {
                name: "method",
                label: "How the buyer is sent",
                input: Input::Select(vec![
                    ("get".into(), "GET (a redirect)".into()),
                    ("post".into(), "POST (an auto-submitted form)".into()),
                ]),
                value: typed.get("method").unwrap_or("get").to_owned(),
            },
            Field {
                name: "description",
                label: "Description (optional)",
                input: Input::Text { placeholder: "" },
                value: typed.get("description").unwrap_or_default().to_owned(),
            },
        ],
        revealed,
        notice: None,
        error,
    }
    .respond())
}

/// `GET /dashboard/settings/return-urls`
pub async fn list(State(state): State<AppState>, session: Session) -> Result<Response, PageError> {
    page(&state, &session, &FormData(Vec::new()), None, None).await
}

/// `POST /dashboard/settings/return-urls`
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, PageError> {
    let mut req = json!({"url": form.get("url").unwrap_or_default(), "method": form.get("method").unwrap_or("get")});
    if let Some(d) = form.get("description") {
        req["description"] = json!(d);
    }
    let made = api::return_urls::create(State(state.clone()), authed(&session), body(&req));
    match created_secret(made.await) {
        Ok(secret) => page(&state, &session, &FormData(Vec::new()), Some(secret), None).await,
        Err(e) => page(&state, &session, &form, None, Some(e)).await,
    }
}

/// `POST /dashboard/settings/return-urls/{id}/delete`
pub async fn delete(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let _deleted =
        api::return_urls::delete(State(state.clone()), authed(&session), Path(id)).await?;
    Ok(Redirect::to("/dashboard/settings/return-urls").into_response())
}
