//! The switch between test and live data. The session remembers the choice, so every page
//! and every action after it is of one mode until the merchant switches back.

use super::guard::SignedIn;
use super::pages::{FormData, PageReply};
use axum::response::{IntoResponse, Redirect};

/// The sections a switch may return to; anything else goes to the links.
const SECTIONS: &[&str] = &["links", "charges", "batches", "settings"];

/// `POST /dashboard/mode` with `mode=live|test` and the `section` the switch was made on. An
/// object page is of one mode only, so the switch lands on its section's list.
pub async fn switch(SignedIn { state, session }: SignedIn, form: FormData) -> PageReply {
    let livemode = form.get("mode") == Some("live");
    session.set_mode(&state.db, livemode).await?;
    tracing::info!(user = %session.user_id, livemode, "dashboard mode switched");
    let section = form
        .get("section")
        .filter(|s| SECTIONS.contains(s))
        .unwrap_or("links");
    Ok(Redirect::to(&format!("/dashboard/{section}")).into_response())
}
