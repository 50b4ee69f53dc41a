//! Webhook endpoints, through the API's handlers: create (the signing secret is shown once),
//! list, delete.

use super::resource::{Field, Input, ResourcePage, Row, Spec, created_secret, text};
use crate::api;
use crate::dashboard::api_calls::{FieldError, authed, body};
use crate::dashboard::format::when;
use crate::dashboard::pages::{Chrome, FormData, PageError};
use crate::dashboard::sessions::Session;
use crate::state::AppState;
use crate::webhooks::endpoints::EVENT_TYPES;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

fn spec() -> Spec {
    Spec {
        title: "Webhook endpoints",
        intro: "Your server hears of payments and links here, signed (Standard Webhooks) and retried until it answers 2xx. See docs/webhooks.md.",
        base: "/dashboard/settings/webhooks",
        columns: &["URL", "Events", "Status", "Created"],
        create_label: "Add an endpoint",
        remove_label: "Delete",
        secret_label: "The endpoint's signing secret",
    }
}

async fn page(
    state: &AppState,
    session: &Session,
    typed: &FormData,
    revealed: Option<String>,
    error: Option<FieldError>,
) -> Result<Response, PageError> {
    let axum::Json(list) = api::webhook_endpoints::list(
        State(state.clone()),
        authed(session),
        axum::extract::RawQuery(Some("limit=100".into())),
    )
    .await?;
    let rows = list["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| Row {
            id: text(&e["id"]),
            cells: vec![
                text(&e["url"]),
                e["enabled_events"]
                    .as_array()
                    .map(|a| a.iter().map(text).collect::<Vec<_>>().join(", "))
                    .unwrap_or_default(),
                text(&e["status"]),
                e["created"].as_i64().map(when).unwrap_or_default(),
            ],
            removable: true,
        })
        .collect();
    let mut events = vec![("*".to_owned(), "All events".to_owned())];
    events.extend(EVENT_TYPES.iter().map(|e| (e.to_string(), e.to_string())));
    Ok(ResourcePage {
        chrome: Chrome::new(session, "settings"),
        spec: spec(),
        rows,
        fields: vec![
            Field {
                name: "url",
                label: "URL (https)",
                input: Input::Text {
                    placeholder: "https://shop.example/webhooks/linkpay",
                },
                value: typed.get("url").unwrap_or_default().to_owned(),
            },
            Field {
                name: "enabled_events",
                label: "Events (choose one or more)",
                input: Input::Multi(events),
                value: typed.get("enabled_events").unwrap_or("*").to_owned(),
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

/// `GET /dashboard/settings/webhooks`
pub async fn list(State(state): State<AppState>, session: Session) -> Result<Response, PageError> {
    page(&state, &session, &FormData(Vec::new()), None, None).await
}

/// `POST /dashboard/settings/webhooks`
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, PageError> {
    let mut events = form.all("enabled_events");
    if events.is_empty() {
        events.push("*");
    }
    let mut req = json!({"url": form.get("url").unwrap_or_default(), "enabled_events": events});
    if let Some(d) = form.get("description") {
        req["description"] = json!(d);
    }
    let made = api::webhook_endpoints::create(State(state.clone()), authed(&session), body(&req));
    match created_secret(made.await) {
        Ok(secret) => page(&state, &session, &FormData(Vec::new()), Some(secret), None).await,
        Err(e) => page(&state, &session, &form, None, Some(e)).await,
    }
}

/// `POST /dashboard/settings/webhooks/{id}/delete`
pub async fn delete(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let _deleted =
        api::webhook_endpoints::delete(State(state.clone()), authed(&session), Path(id)).await?;
    Ok(Redirect::to("/dashboard/settings/webhooks").into_response())
}
