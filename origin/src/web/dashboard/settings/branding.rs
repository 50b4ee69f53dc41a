//! The pay page's look: a form, a live preview rendered by the edge itself (a sealed,
//! ten-minute URL in a frame), and saving through the API's handler.

use crate::domain::branding;
use crate::state::AppState;
use crate::web::api;
use crate::web::api::branding::TEXT_FIELDS;
use crate::web::dashboard::api_calls::{FieldError, body, call};
use crate::web::dashboard::guard::SignedIn;
use crate::web::dashboard::pages::PageReply;
use crate::web::dashboard::pages::{Chrome, FormData, render_form};
use crate::web::dashboard::sessions::Session;
use askama::Template;
use axum::response::Response;
use linkpay_shared::branding::{Branding, Layout};
use serde_json::{Map, Value};

#[derive(Template)]
#[template(path = "dashboard/branding.html")]
struct BrandingPage {
    chrome: Chrome,
    /// The form's values, as typed.
    values: Vec<(&'static str, &'static str, String)>,
    layout: String,
    layouts: Vec<&'static str>,
    locale: String,
    preview_url: Option<String>,
    notice: Option<&'static str>,
    error: Option<FieldError>,
}

fn label(field: &str) -> &'static str {
    match field {
        "display_name" => "Name shown to buyers (blank: the shop's name)",
        "logo_url" => "Logo URL (https)",
        "primary_color" => "Button and accent colour (#rrggbb)",
        "background_color" => "Background colour (#rrggbb)",
        "text_color" => "Text colour (#rrggbb)",
        "support_email" => "Support email",
        "support_phone" => "Support phone (E.164, e.g. +81312345678)",
        _ => "Support page URL (https)",
    }
}

fn value_of(b: &Branding, field: &str) -> String {
    match field {
        "display_name" => &b.display_name,
        "logo_url" => &b.logo_url,
        "primary_color" => &b.primary_color,
        "background_color" => &b.background_color,
        "text_color" => &b.text_color,
        "support_email" => &b.support_email,
        "support_phone" => &b.support_phone,
        _ => &b.support_url,
    }
    .clone()
    .unwrap_or_default()
}

fn page(
    state: &AppState,
    session: &Session,
    b: &Branding,
    locale: &str,
    preview: bool,
    notice: Option<&'static str>,
    error: Option<FieldError>,
) -> Response {
    let preview_url = preview.then(|| {
        let name = b
            .display_name
            .clone()
            .unwrap_or_else(|| session.merchant.name.clone());
        branding::preview_url(
            &state.config.edge_url,
            state.clock.now(),
            &state.config.edge_secret,
            &name,
            locale,
            b,
        )
    });
    let p = BrandingPage {
        chrome: Chrome::new(session, "settings"),
        values: TEXT_FIELDS
            .iter()
            .map(|f| (*f, label(f), value_of(b, f)))
            .collect(),
        layout: b.layout.as_str().to_owned(),
        layouts: Layout::ALL.iter().map(|l| l.as_str()).collect(),
        locale: locale.to_owned(),
        preview_url,
        notice,
        error,
    };
    render_form(&p, p.error.is_some())
}

/// `GET /dashboard/settings/branding`
pub async fn show(SignedIn { state, session }: SignedIn) -> PageReply {
    let b = branding::get(state.db.reader(), &session.merchant.id).await?;
    Ok(page(
        &state,
        &session,
        &b,
        &session.merchant.default_locale,
        true,
        None,
        None,
    ))
}

/// `POST /dashboard/settings/branding`: `action=preview` shows the typed settings without
/// saving them; `action=save` saves them through the API.
pub async fn update(SignedIn { state, session }: SignedIn, form: FormData) -> PageReply {
    let mut m = Map::new();
    for f in TEXT_FIELDS {
        m.insert(
            (*f).into(),
            Value::String(form.get(f).unwrap_or_default().to_owned()),
        );
    }
    m.insert(
        "layout".into(),
        Value::String(form.get("layout").unwrap_or("standard").to_owned()),
    );
    let locale = form.get("default_locale").unwrap_or("en").to_owned();
    m.insert("default_locale".into(), Value::String(locale.clone()));
    let typed = Branding {
        display_name: form.get("display_name").map(str::to_owned),
        logo_url: form.get("logo_url").map(str::to_owned),
        primary_color: form.get("primary_color").map(str::to_owned),
        background_color: form.get("background_color").map(str::to_owned),
        text_color: form.get("text_color").map(str::to_owned),
        support_email: form.get("support_email").map(str::to_owned),
        support_phone: form.get("support_phone").map(str::to_owned),
        support_url: form.get("support_url").map(str::to_owned),
        layout: form
            .get("layout")
            .and_then(Layout::parse)
            .unwrap_or_default(),
    };
    if form.get("action") == Some("preview") {
        // Unsaved settings are previewed only once they pass the rules the edge applies.
        let error = typed
            .problems()
            .into_iter()
            .next()
            .map(|(f, why)| FieldError {
                field: f.to_owned(),
                message: format!("{f}: {why}."),
            });
        let ok = error.is_none();
        return Ok(page(&state, &session, &typed, &locale, ok, None, error));
    }
    match api::branding::update(call(&state, &session), body(&Value::Object(m))).await {
        Ok(_) => {
            let saved = branding::get(state.db.reader(), &session.merchant.id).await?;
            Ok(page(
                &state,
                &session,
                &saved,
                &locale,
                true,
                Some("Saved. Pay pages show it within seconds."),
                None,
            ))
        }
        Err(e) => Ok(page(
            &state,
            &session,
            &typed,
            &locale,
            false,
            None,
            Some(e.into()),
        )),
    }
}
