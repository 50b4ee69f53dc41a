//! Return URLs, through the API's handlers: where buyers go back after paying, with the
//! signing secret of the result shown once at creation.

use super::resource::{self, Field, Input, Resource, Row, Spec, data, text};
use crate::state::AppState;
use crate::web::api;
use crate::web::dashboard::api_calls::{body, call};
use crate::web::dashboard::format::when;
use crate::web::dashboard::guard::SignedIn;
use crate::web::dashboard::pages::PageReply;
use crate::web::dashboard::pages::{FormData, PageError};
use crate::web::dashboard::sessions::Session;
use axum::Router;
use axum::extract::Path;
use axum::routing::post;
use serde_json::json;

pub struct ReturnUrls;

impl Resource for ReturnUrls {
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

    async fn rows(state: &AppState, session: &Session) -> Result<Vec<Row>, PageError> {
        let axum::Json(list) = api::return_urls::list(call(state, session)).await?;
        let rows = data(&list).map(|r| Row {
            id: text(&r["id"]),
            cells: vec![
                text(&r["id"]),
                text(&r["url"]),
                text(&r["method"]).to_uppercase(),
                text(&r["description"]),
                r["created"].as_i64().map(when).unwrap_or_default(),
            ],
            removable: true,
            update: None,
        });
        Ok(rows.collect())
    }

    fn fields(typed: &FormData) -> Vec<Field> {
        vec![
            Field::text(
                "url",
                "URL (https)",
                "https://shop.example/paid",
                typed.get("url").unwrap_or_default(),
            ),
            Field {
                name: "method",
                label: "How the buyer is sent",
                input: Input::Select(vec![
                    ("get".into(), "GET (a redirect)".into()),
                    ("post".into(), "POST (an auto-submitted form)".into()),
                ]),
                value: typed.get("method").unwrap_or("get").to_owned(),
            },
            Field::description(typed),
        ]
    }
}

pub fn routes() -> Router<AppState> {
    resource::routes::<ReturnUrls>(post(create), post(delete))
}

/// `POST /dashboard/settings/return-urls`
pub async fn create(SignedIn { state, session }: SignedIn, form: FormData) -> PageReply {
    let req = resource::with_description(
        json!({"url": form.get("url").unwrap_or_default(), "method": form.get("method").unwrap_or("get")}),
        &form,
    );
    let made = api::return_urls::create(call(&state, &session), body(&req));
    resource::created::<ReturnUrls>(&state, &session, &form, made.await).await
}

/// `POST /dashboard/settings/return-urls/{id}/delete`
pub async fn delete(SignedIn { state, session }: SignedIn, Path(id): Path<String>) -> PageReply {
    let _deleted = api::return_urls::delete(call(&state, &session), Path(id)).await?;
    Ok(resource::removed::<ReturnUrls>())
}
