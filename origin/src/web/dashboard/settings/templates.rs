//! Message templates, through the API's handlers: the list with what is customised, an edit
//! form per template and locale (checked whole before saving), and "back to the default".

use super::resource::{data, text};
use crate::state::AppState;
use crate::web::api;
use crate::web::dashboard::api_calls::{FieldError, body, call};
use crate::web::dashboard::guard::SignedIn;
use crate::web::dashboard::pages::{Chrome, FormData, PageError, render, render_form};
use crate::web::dashboard::pages::{PageReply, QueryMap};
use crate::web::dashboard::sessions::Session;
use askama::Template;
use axum::extract::{Path, Query, RawQuery};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};
use std::collections::HashMap;

pub struct TemplateRow {
    pub name: String,
    pub locale: String,
    pub channel: String,
    pub customized: bool,
}

#[derive(Template)]
#[template(path = "dashboard/templates.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<TemplateRow>,
}

/// `GET /dashboard/settings/templates`
pub async fn list(SignedIn { state, session }: SignedIn) -> PageReply {
    let axum::Json(all) =
        api::notifications::templates::templates_list(call(&state, &session)).await?;
    let rows = data(&all)
        .map(|t| TemplateRow {
            name: text(&t["name"]),
            locale: text(&t["locale"]),
            channel: text(&t["channel"]),
            customized: t["customized"].as_bool().unwrap_or(false),
        })
        .collect();
    Ok(render(&ListPage {
        chrome: Chrome::new(&session, "settings"),
        rows,
    }))
}

#[derive(Template)]
#[template(path = "dashboard/template_edit.html")]
struct EditPage {
    chrome: Chrome,
    name: String,
    locale: String,
    email: bool,
    subject: String,
    text: String,
    html: String,
    variables: Vec<String>,
    customized: bool,
    notice: Option<&'static str>,
    error: Option<FieldError>,
}

fn locale_of(q: &HashMap<String, String>) -> String {
    q.get("locale").cloned().unwrap_or_else(|| "en".into())
}

async fn current(
    state: &AppState,
    session: &Session,
    name: &str,
    locale: &str,
) -> Result<Value, PageError> {
    let axum::Json(t) = api::notifications::templates::template_retrieve(
        call(state, session),
        Path(name.to_owned()),
        RawQuery(Some(format!("locale={locale}"))),
    )
    .await?;
    Ok(t)
}

fn edit_page(
    session: &Session,
    t: &Value,
    notice: Option<&'static str>,
    error: Option<FieldError>,
) -> Response {
    let page = EditPage {
        chrome: Chrome::new(session, "settings"),
        name: text(&t["name"]),
        locale: text(&t["locale"]),
        email: t["channel"] == "email",
        subject: text(&t["subject"]),
        text: text(&t["text"]),
        html: text(&t["html"]),
        variables: t["variables"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect(),
        customized: t["customized"].as_bool().unwrap_or(false),
        notice,
        error,
    };
    render_form(&page, page.error.is_some())
}

/// `GET /dashboard/settings/templates/{name}?locale=ja`
pub async fn edit(
    SignedIn { state, session }: SignedIn,
    Path(name): Path<String>,
    Query(q): QueryMap,
) -> PageReply {
    let t = current(&state, &session, &name, &locale_of(&q)).await?;
    let notice = match q.get("done").map(String::as_str) {
        Some("saved") => Some("Saved. New messages use it from now on."),
        Some("reset") => Some("Back to the built-in default."),
        _ => None,
    };
    Ok(edit_page(&session, &t, notice, None))
}

/// `POST /dashboard/settings/templates/{name}`: saves all parts, or shows what is wrong.
pub async fn save(
    SignedIn { state, session }: SignedIn,
    Path(name): Path<String>,
    form: FormData,
) -> PageReply {
    let locale = form.get("locale").unwrap_or("en").to_owned();
    let parts = typed_parts(&form);
    let mut req = json!({"locale": locale});
    for (part, v) in &parts {
        req[*part] = json!(v);
    }
    let (c, path) = (call(&state, &session), Path(name.clone()));
    match api::notifications::templates::template_save(c, path, body(&req)).await {
        Ok(_) => Ok(back(&name, &locale, "saved")),
        Err(e) => {
            let mut t = current(&state, &session, &name, &locale).await?;
            // Show what was typed, not what is stored, next to the error.
            for (part, v) in parts {
                t[part] = json!(v);
            }
            Ok(edit_page(&session, &t, None, Some(e.into())))
        }
    }
}

/// `POST /dashboard/settings/templates/{name}/reset`
pub async fn reset(
    SignedIn { state, session }: SignedIn,
    Path(name): Path<String>,
    form: FormData,
) -> PageReply {
    let locale = form.get("locale").unwrap_or("en").to_owned();
    let (c, path) = (call(&state, &session), Path(name.clone()));
    let query = RawQuery(Some(format!("locale={locale}")));
    let _default = api::notifications::templates::template_delete(c, path, query).await?;
    Ok(back(&name, &locale, "reset"))
}

/// The parts of a template as typed (untrimmed), with a browser's CRLF line ends as LF.
fn typed_parts(form: &FormData) -> Vec<(&'static str, String)> {
    ["subject", "text", "html"]
        .into_iter()
        .filter_map(|part| {
            let (_, v) = form.0.iter().find(|(n, _)| n == part)?;
            Some((part, v.replace("\r\n", "\n")))
        })
        .collect()
}

/// Back to the template's edit page in `locale`, which says what was `done`.
fn back(name: &str, locale: &str, done: &str) -> Response {
    Redirect::to(&format!(
        "/dashboard/settings/templates/{name}?locale={locale}&done={done}"
    ))
    .into_response()
}
