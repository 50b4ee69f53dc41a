//! OpenAPI descriptions of the notification objects (see `api/openapi/`).
#![allow(dead_code)] // Read by utoipa only.

use crate::web::api::openapi::list_schema;
use utoipa::ToSchema;

#[derive(ToSchema)]
pub struct SendLink {
    /// `email` or `sms`.
    channel: String,
    /// An email address or E.164 number; default the link's customer_email / customer_phone.
    to: Option<String>,
}

/// One message to a buyer or the merchant, rendered when it was queued.
#[derive(ToSchema)]
pub struct Notification {
    /// `ntf_…`
    id: String,
    /// Always `notification`.
    object: String,
    /// `payment_request`, `receipt` or `merchant_notice`.
    kind: String,
    /// `email` or `sms`.
    channel: String,
    /// The address or E.164 number.
    to: String,
    locale: String,
    /// Email only.
    subject: Option<String>,
    /// The text part; for SMS the message.
    text: String,
    /// Email only.
    html: Option<String>,
    /// SMS only: how many segments the message takes.
    segments: Option<i64>,
    /// SMS only: `gsm7` (160 / 153 per part) or `ucs2` (70 / 67 per part).
    encoding: Option<String>,
    link: Option<String>,
    charge: Option<String>,
    /// `pending`, `sent` or `failed`.
    status: String,
    attempts: i64,
    /// While pending: when the next attempt is due (unix seconds).
    next_attempt_at: Option<i64>,
    /// Why the last attempt failed.
    last_error: Option<String>,
    /// The `Message-ID` of an email, or the gateway's message id (Twilio `SM…`).
    provider_message_id: Option<String>,
    livemode: bool,
    created: i64,
    sent_at: Option<i64>,
}

list_schema!(NotificationList of Notification);

#[derive(ToSchema)]
pub struct KindSetting {
    enabled: bool,
}

#[derive(ToSchema)]
pub struct MerchantNoticeSetting {
    enabled: bool,
    /// Where notices go; none are sent without it.
    email: Option<String>,
}

#[derive(ToSchema)]
pub struct NotificationSettings {
    /// Always `notification_settings`.
    object: String,
    payment_request: KindSetting,
    receipt: KindSetting,
    merchant_notice: MerchantNoticeSetting,
    /// Unix seconds of the last change; null while all are defaults.
    updated: Option<i64>,
}

#[derive(ToSchema)]
pub struct UpdateNotificationSettings {
    payment_request: Option<KindSetting>,
    receipt: Option<KindSetting>,
    merchant_notice: Option<MerchantNoticeSetting>,
}

#[derive(ToSchema)]
pub struct NotificationTemplate {
    /// Always `notification_template`.
    object: String,
    /// `email_payment_request`, `email_receipt`, `email_merchant_notice` or `sms_payment_request`.
    name: String,
    kind: String,
    channel: String,
    /// `ja` or `en`.
    locale: String,
    /// Email only.
    subject: Option<String>,
    /// The text part; for SMS the message.
    text: String,
    /// Email only; values are HTML-escaped.
    html: Option<String>,
    /// True when the merchant saved it; false for the built-in default.
    customized: bool,
    /// The variables this template may use.
    variables: Vec<String>,
}

list_schema!(NotificationTemplateList of NotificationTemplate);

#[derive(ToSchema)]
pub struct SaveNotificationTemplate {
    /// `ja` or `en`; default the merchant's.
    locale: Option<String>,
    /// Email only; at most 300 characters.
    subject: Option<String>,
    /// At most 20,000 characters (SMS: 1,000).
    text: Option<String>,
    /// Email only; at most 20,000 characters.
    html: Option<String>,
}

#[derive(ToSchema)]
pub struct PreviewNotificationTemplate {
    locale: Option<String>,
    subject: Option<String>,
    text: Option<String>,
    html: Option<String>,
    /// A link (`lnk_…`) whose data to use instead of sample data.
    link: Option<String>,
}

#[derive(ToSchema)]
pub struct NotificationPreview {
    /// Always `notification_preview`.
    object: String,
    name: String,
    locale: String,
    subject: Option<String>,
    text: String,
    html: Option<String>,
    /// SMS only.
    segments: Option<i64>,
    /// SMS only: `gsm7` or `ucs2`.
    encoding: Option<String>,
}
