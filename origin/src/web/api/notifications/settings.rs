//! `GET`/`POST /v1/notification_settings`: which kinds are sent, and the merchant's notice address.

use super::schema;
use crate::domain::notifications::settings::{self, Settings};
use crate::web::api::params::Params;
use crate::web::api::{Call, JsonReply};
use axum::Json;
use axum::body::Bytes;

/// `GET /v1/notification_settings`
#[utoipa::path(get, path = "/v1/notification_settings", operation_id = "notification_settings_retrieve", tag = "notifications",
    summary = "Retrieve notification settings",
    responses((status = 200, description = "The settings", body = schema::NotificationSettings)))]
pub async fn settings_retrieve(Call { state, auth }: Call) -> JsonReply {
    let s = settings::get(state.db.reader(), &auth.merchant.id).await?;
    Ok(Json(s.to_json()))
}

pub(crate) const SETTINGS_FIELDS: &[&str] = &["payment_request", "receipt", "merchant_notice"];

/// `POST /v1/notification_settings` with any of
/// `{"payment_request": {"enabled": b}, "receipt": {"enabled": b}, "merchant_notice": {"enabled": b, "email": "…"}}`.
#[utoipa::path(post, path = "/v1/notification_settings", operation_id = "notification_settings_update", tag = "notifications",
    summary = "Update notification settings",
    description = "Fields not given keep their value. `merchant_notice.email` null or \"\" removes the address (no notices are sent without one).",
    request_body = schema::UpdateNotificationSettings,
    responses(
        (status = 200, description = "The settings", body = schema::NotificationSettings),
        crate::web::api::openapi::BadField,
    ))]
pub async fn settings_update(Call { state, auth }: Call, body: Bytes) -> JsonReply {
    let p = Params::parse(&body, SETTINGS_FIELDS)?;
    let mut s: Settings = settings::get(state.db.reader(), &auth.merchant.id).await?;
    if let Some(on) = p.enabled("payment_request")? {
        s.payment_request = on;
    }
    if let Some(on) = p.enabled("receipt")? {
        s.receipt = on;
    }
    if let Some(o) = p.object("merchant_notice", &["enabled", "email"])? {
        if let Some(b) = o.bool("enabled")? {
            s.merchant_notice = b;
        }
        if o.has("email") {
            s.notice_email = match o.string("email")?.filter(|e| !e.trim().is_empty()) {
                Some(e) => Some(super::check_email("merchant_notice[email]", &e)?),
                None => None,
            };
        }
    }
    settings::save(state.db.writer(), state.clock.now(), &auth.merchant.id, &s).await?;
    let saved = settings::get(state.db.writer(), &auth.merchant.id).await?;
    Ok(Json(saved.to_json()))
}
