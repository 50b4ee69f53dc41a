//! Webhook endpoints, through the API's handlers: create (the signing secret is shown once),
//! list, delete.

use super::resource::{self, Field, Input, Resource, Row, Spec, data, text};
use crate::domain::webhooks::endpoints::EVENT_TYPES;
use crate::state::AppState;
use crate::web::api;
use crate::web::dashboard::api_calls::{body, call};
use crate::web::dashboard::format::when;
use crate::web::dashboard::guard::SignedIn;
use crate::web::dashboard::pages::PageReply;
use crate::web::dashboard::pages::{FormData, PageError};
use crate::web::dashboard::sessions::Session;
use axum::Router;
use axum::extract::{Path, RawQuery};
use axum::routing::post;
use serde_json::json;

pub struct Webhooks;

impl Resource for Webhooks {
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

    async fn rows(state: &AppState, session: &Session) -> Result<Vec<Row>, PageError> {
        let limit = RawQuery(Some("limit=100".into()));
        let axum::Json(list) = api::webhook_endpoints::list(call(state, session), limit).await?;
        let rows = data(&list).map(|e| Row {
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
            update: None,
        });
        Ok(rows.collect())
    }

    fn fields(typed: &FormData) -> Vec<Field> {
        let mut events = vec![("*".to_owned(), "All events".to_owned())];
        events.extend(EVENT_TYPES.iter().map(|e| (e.to_string(), e.to_string())));
        vec![
            Field::text(
                "url",
                "URL (https)",
                "https://shop.example/webhooks/linkpay",
                typed.get("url").unwrap_or_default(),
            ),
            Field {
                name: "enabled_events",
                label: "Events (choose one or more)",
                input: Input::Multi(events),
                value: typed.get("enabled_events").unwrap_or("*").to_owned(),
            },
            Field::description(typed),
        ]
    }
}

pub fn routes() -> Router<AppState> {
    resource::routes::<Webhooks>(post(create), post(delete))
}

/// `POST /dashboard/settings/webhooks`
pub async fn create(SignedIn { state, session }: SignedIn, form: FormData) -> PageReply {
    let mut events = form.all("enabled_events");
    if events.is_empty() {
        events.push("*");
    }
    let req = resource::with_description(
        json!({"url": form.get("url").unwrap_or_default(), "enabled_events": events}),
        &form,
    );
    let made = api::webhook_endpoints::create(call(&state, &session), body(&req));
    resource::created::<Webhooks>(&state, &session, &form, made.await).await
}

/// `POST /dashboard/settings/webhooks/{id}/delete`
pub async fn delete(SignedIn { state, session }: SignedIn, Path(id): Path<String>) -> PageReply {
    let _deleted = api::webhook_endpoints::delete(call(&state, &session), Path(id)).await?;
    Ok(resource::removed::<Webhooks>())
}
