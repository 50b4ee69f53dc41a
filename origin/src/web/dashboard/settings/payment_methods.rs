//! Which payment methods pay pages offer, through the API's handler.

use crate::state::AppState;
use crate::web::api;
use crate::web::dashboard::api_calls::{FieldError, body, call};
use crate::web::dashboard::guard::SignedIn;
use crate::web::dashboard::pages::PageReply;
use crate::web::dashboard::pages::{Chrome, FormData, render_form};
use crate::web::dashboard::sessions::Session;
use askama::Template;
use serde_json::json;

#[derive(Template)]
#[template(path = "dashboard/payment_methods.html")]
struct MethodsPage {
    chrome: Chrome,
    card: bool,
    wallet: bool,
    provider: String,
    /// (name, configured on this origin)
    providers: Vec<(&'static str, bool)>,
    notice: Option<&'static str>,
    error: Option<FieldError>,
}

async fn page(
    state: &AppState,
    session: &Session,
    notice: Option<&'static str>,
    error: Option<FieldError>,
) -> PageReply {
    let axum::Json(s) = api::payment_methods::retrieve(call(state, session)).await?;
    let page = MethodsPage {
        chrome: Chrome::new(session, "settings"),
        card: s["card"]["enabled"].as_bool().unwrap_or(true),
        wallet: s["wallet"]["enabled"].as_bool().unwrap_or(false),
        provider: s["wallet"]["provider"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        providers: state.services.providers.wallet_providers(),
        notice,
        error,
    };
    Ok(render_form(&page, page.error.is_some()))
}

/// `GET /dashboard/settings/payment-methods`
pub async fn show(SignedIn { state, session }: SignedIn) -> PageReply {
    page(&state, &session, None, None).await
}

/// `POST /dashboard/settings/payment-methods`
pub async fn update(SignedIn { state, session }: SignedIn, form: FormData) -> PageReply {
    let mut wallet = json!({"enabled": form.get("wallet").is_some()});
    if let Some(p) = form.get("provider") {
        wallet["provider"] = json!(p);
    }
    let req = json!({"card": {"enabled": form.get("card").is_some()}, "wallet": wallet});
    match api::payment_methods::update(call(&state, &session), body(&req)).await {
        Ok(_) => {
            page(
                &state,
                &session,
                Some("Saved. Pay pages show the change within seconds."),
                None,
            )
            .await
        }
        Err(e) => page(&state, &session, None, Some(e.into())).await,
    }
}
