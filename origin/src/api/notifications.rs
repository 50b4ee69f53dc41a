//! Notification API: sending a link's payment request, the notifications sent, per-kind
//! settings, and the merchant's templates (save, reset, preview).

use super::links::{cursor, list_json};
use super::params::Params;
use super::query::Query;
use crate::api::Authed;
use crate::email_address;
use crate::error::ApiError;
use crate::links::{self, Link};
use crate::notify::outbox::{self, Filter};
use crate::notify::settings::{self, Settings};
use crate::notify::sms::{phone, segments};
use crate::notify::templates::{self, Name, Template};
use crate::notify::{Channel, Customer, Kind};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

pub const MAX_CUSTOMER_NAME_CHARS: usize = 100;

fn check_email(param: &str, value: &str) -> Result<String, ApiError> {
    email_address::check(value).map_err(|m| {
        ApiError::invalid(
            param,
            "email_invalid",
            format!("{param} {value:?} is not an email address: {m}"),
        )
    })
}

fn e164(param: &str, value: &str) -> Result<String, ApiError> {
    phone::parse_e164(value)
        .map_err(|m| ApiError::invalid(param, "phone_invalid", format!("{param}: {m}")))
}

fn disabled(kind: Kind, param: Option<&str>) -> ApiError {
    let e = ApiError::invalid(
        "send",
        "notification_kind_disabled",
        format!(
            "{} notifications are switched off in your notification settings; switch them on with POST /v1/notification_settings.",
            kind.as_str()
        ),
    );
    match param {
        Some(p) => e.with_param(p),
        None => ApiError { param: None, ..e },
    }
}

/// `customer_email`, `customer_phone`, `customer_name` and `send` on a new link, all checked
/// before anything is saved.
pub async fn read_customer(
    state: &AppState,
    auth: &Authed,
    p: &Params,
) -> Result<Customer, ApiError> {
    let some = |name: &str| -> Result<Option<String>, ApiError> {
        Ok(p.string(name)?.filter(|s| !s.trim().is_empty()))
    };
    let email = some("customer_email")?
        .map(|e| check_email("customer_email", &e))
        .transpose()?;
    let phone = some("customer_phone")?
        .map(|n| e164("customer_phone", &n))
        .transpose()?;
    let name = some("customer_name")?;
    if let Some(n) = &name {
        let count = n.chars().count();
        if count > MAX_CUSTOMER_NAME_CHARS || n.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                "customer_name",
                "parameter_invalid",
                format!(
                    "customer_name must be at most {MAX_CUSTOMER_NAME_CHARS} characters on one line."
                ),
            ));
        }
    }
    let mut send = Vec::new();
    for s in p.string_list("send")?.unwrap_or_default() {
        let channel = Channel::parse(&s).ok_or_else(|| {
            ApiError::invalid(
                "send",
                "parameter_invalid",
                format!("send may hold \"email\" and \"sms\", not {s:?}."),
            )
        })?;
        let (has, field) = match channel {
            Channel::Email => (email.is_some(), "customer_email"),
            Channel::Sms => (phone.is_some(), "customer_phone"),
        };
        if !has {
            return Err(ApiError::invalid(
                field,
                "parameter_missing",
                format!("send includes {s:?}, so give {field}."),
            ));
        }
        if !send.contains(&channel) {
            send.push(channel);
        }
    }
    if !send.is_empty()
        && !settings::get(state.db.reader(), &auth.merchant.id)
            .await?
            .payment_request
    {
        return Err(disabled(Kind::PaymentRequest, Some("send")));
    }
    Ok(Customer {
        email,
        phone,
        name,
        send,
    })
}

async fn find_link(state: &AppState, auth: &Authed, id: &str) -> Result<Link, ApiError> {
    links::get(&state.db, &auth.merchant.id, id)
        .await?
        .filter(|l| l.livemode == auth.livemode)
        .ok_or_else(|| ApiError::not_found("resource_missing", format!("No such link: {id}")))
}

/// `POST /v1/links/{id}/send` with `{"channel": "email"|"sms", "to": …}`.
#[utoipa::path(post, path = "/v1/links/{id}/send", tag = "notifications",
    summary = "Send a link's payment request",
    description = "Queues the payment request by email or SMS, to `to` or else the link's customer_email / customer_phone, and answers the queued notification (for SMS with its segments and encoding).",
    params(("id" = String, Path, description = "lnk_…")),
    request_body = schema::SendLink,
    responses(
        (status = 201, description = "Queued", body = schema::Notification),
        (status = 400, description = "A field is wrong or missing; `param` names it", body = super::openapi::Error),
        (status = 404, description = "No such link", body = super::openapi::Error),
        (status = 409, description = "The link no longer takes payments, or payment requests are switched off", body = super::openapi::Error),
    ))]
pub async fn send_link(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let p = Params::parse(&body, &["channel", "to"])?;
    let channel = p.required("channel", Params::string)?;
    let channel = Channel::parse(&channel).ok_or_else(|| {
        ApiError::invalid(
            "channel",
            "parameter_invalid",
            format!("channel {channel:?} must be \"email\" or \"sms\"."),
        )
    })?;
    let to = p.string("to")?.filter(|s| !s.trim().is_empty());
    let link = find_link(&state, &auth, &id).await?;
    let to = match (channel, to) {
        (Channel::Email, Some(to)) => check_email("to", &to)?,
        (Channel::Sms, Some(to)) => e164("to", &to)?,
        (Channel::Email, None) => link.customer_email.clone().ok_or_else(|| {
            ApiError::invalid(
                "to",
                "parameter_missing",
                "The link has no customer_email: give to.",
            )
        })?,
        (Channel::Sms, None) => link.customer_phone.clone().ok_or_else(|| {
            ApiError::invalid(
                "to",
                "parameter_missing",
                "The link has no customer_phone: give to.",
            )
        })?,
    };
    if link.status_at(crate::clock::now()) != "active" {
        return Err(ApiError::conflict(
            StatusCode::CONFLICT,
            "link_not_active",
            "This link no longer takes payments (used, expired or deactivated); there is nothing to ask for.",
        ));
    }
    if !settings::get(state.db.reader(), &auth.merchant.id)
        .await?
        .payment_request
    {
        let mut e = disabled(Kind::PaymentRequest, None);
        e.status = StatusCode::CONFLICT;
        return Err(e);
    }
    let mut tx = state.db.begin().await?;
    let n = outbox::payment_request(&mut tx, &state.config.edge_url, &link, channel, &to).await?;
    tx.commit().await?;
    tracing::info!(notification = %n.id, link = %link.id, channel = channel.as_str(), "payment request queued");
    Ok((StatusCode::CREATED, Json(n.to_json())))
}

const LIST_PARAMS: &[&str] = &[
    "limit",
    "starting_after",
    "ending_before",
    "link",
    "charge",
    "status",
];

/// `GET /v1/notifications?link=&charge=&status=`
#[utoipa::path(get, path = "/v1/notifications", tag = "notifications",
    summary = "List notifications, newest first",
    params(
        ("link" = Option<String>, Query, description = "Only this link's (lnk_…)"),
        ("charge" = Option<String>, Query, description = "Only this charge's (ch_…)"),
        ("status" = Option<String>, Query, description = "pending, sent or failed"),
        ("limit" = Option<i64>, Query, description = "1-100, default 10"),
        ("starting_after" = Option<String>, Query, description = "A notification id: the page after it"),
        ("ending_before" = Option<String>, Query, description = "A notification id: the page before it"),
    ),
    responses(
        (status = 200, description = "A page of notifications", body = schema::NotificationList),
        (status = 400, description = "A parameter is wrong; `param` names it", body = super::openapi::Error),
    ))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let q = Query::parse(raw.as_deref(), LIST_PARAMS)?;
    let status = q.string("status");
    if let Some(s) = &status
        && !["pending", "sent", "failed"].contains(&s.as_str())
    {
        return Err(ApiError::invalid(
            "status",
            "parameter_invalid",
            format!("status {s:?} is not one of pending, sent, failed."),
        ));
    }
    let filter = Filter {
        link: q.string("link"),
        charge: q.string("charge"),
        status,
    };
    let cursor = match q.cursor_id()? {
        Some((param, id)) => {
            let n = outbox::get(&state.db, &auth.merchant.id, &id)
                .await?
                .ok_or_else(|| {
                    ApiError::invalid(
                        param,
                        "resource_missing",
                        format!("No such notification: {id}"),
                    )
                })?;
            Some(cursor(param, n.created_at, id))
        }
        None => None,
    };
    let page = outbox::list(
        &state.db,
        &auth.merchant.id,
        auth.livemode,
        &filter,
        cursor,
        q.limit()?,
    )
    .await?;
    let data = page.items.iter().map(|n| n.to_json()).collect();
    Ok(Json(list_json("/v1/notifications", data, page.has_more)))
}

/// `GET /v1/notifications/{id}`
#[utoipa::path(get, path = "/v1/notifications/{id}", tag = "notifications",
    summary = "Retrieve a notification",
    params(("id" = String, Path, description = "ntf_…")),
    responses(
        (status = 200, description = "The notification", body = schema::Notification),
        (status = 404, description = "No such notification", body = super::openapi::Error),
    ))]
pub async fn retrieve(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    outbox::get(&state.db, &auth.merchant.id, &id)
        .await?
        .filter(|n| n.livemode == auth.livemode)
        .map(|n| Json(n.to_json()))
        .ok_or_else(|| {
            ApiError::not_found("resource_missing", format!("No such notification: {id}"))
        })
}

/// `GET /v1/notification_settings`
#[utoipa::path(get, path = "/v1/notification_settings", tag = "notifications",
    summary = "Retrieve notification settings",
    responses((status = 200, description = "The settings", body = schema::NotificationSettings)))]
pub async fn settings_retrieve(
    State(state): State<AppState>,
    auth: Authed,
) -> Result<Json<Value>, ApiError> {
    let s = settings::get(state.db.reader(), &auth.merchant.id).await?;
    Ok(Json(s.to_json()))
}

pub(crate) const SETTINGS_FIELDS: &[&str] = &["payment_request", "receipt", "merchant_notice"];

/// `POST /v1/notification_settings` with any of
/// `{"payment_request": {"enabled": b}, "receipt": {"enabled": b}, "merchant_notice": {"enabled": b, "email": "…"}}`.
#[utoipa::path(post, path = "/v1/notification_settings", tag = "notifications",
    summary = "Update notification settings",
    description = "Fields not given keep their value. `merchant_notice.email` null or \"\" removes the address (no notices are sent without one).",
    request_body = schema::UpdateNotificationSettings,
    responses(
        (status = 200, description = "The settings", body = schema::NotificationSettings),
        (status = 400, description = "A field is wrong; `param` names it", body = super::openapi::Error),
    ))]
pub async fn settings_update(
    State(state): State<AppState>,
    auth: Authed,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let p = Params::parse(&body, SETTINGS_FIELDS)?;
    let mut s: Settings = settings::get(state.db.reader(), &auth.merchant.id).await?;
    if let Some(o) = p.object("payment_request", &["enabled"])?
        && let Some(b) = o.bool("enabled")?
    {
        s.payment_request = b;
    }
    if let Some(o) = p.object("receipt", &["enabled"])?
        && let Some(b) = o.bool("enabled")?
    {
        s.receipt = b;
    }
    if let Some(o) = p.object("merchant_notice", &["enabled", "email"])? {
        if let Some(b) = o.bool("enabled")? {
            s.merchant_notice = b;
        }
        if o.has("email") {
            s.notice_email = match o.string("email")?.filter(|e| !e.trim().is_empty()) {
                Some(e) => Some(check_email("merchant_notice[email]", &e)?),
                None => None,
            };
        }
    }
    settings::save(state.db.writer(), &auth.merchant.id, &s).await?;
    let saved = settings::get(state.db.writer(), &auth.merchant.id).await?;
    Ok(Json(saved.to_json()))
}

fn template_name(name: &str) -> Result<Name, ApiError> {
    Name::parse(name).ok_or_else(|| {
        let all: Vec<&str> = Name::ALL.iter().map(|n| n.as_str()).collect();
        ApiError::not_found(
            "resource_missing",
            format!("No such template: {name}. Templates: {}.", all.join(", ")),
        )
    })
}

fn locale(param: &str, value: Option<String>, default: &str) -> Result<String, ApiError> {
    let l = value.unwrap_or_else(|| default.to_owned());
    match l.as_str() {
        "ja" | "en" => Ok(l),
        other => Err(ApiError::invalid(
            param,
            "parameter_invalid",
            format!("locale {other:?} is not supported: use \"ja\" or \"en\"."),
        )),
    }
}

fn template_json(name: Name, locale: &str, t: &Template, customized: bool) -> Value {
    json!({
        "object": "notification_template",
        "name": name.as_str(),
        "kind": name.kind().as_str(),
        "channel": name.channel().as_str(),
        "locale": locale,
        "subject": t.subject,
        "text": t.text,
        "html": t.html,
        "customized": customized,
        "variables": name.variables(),
    })
}

fn template_error(e: templates::TemplateError) -> ApiError {
    ApiError::invalid(e.part, e.code, e.message)
}

/// `GET /v1/notification_templates`
#[utoipa::path(get, path = "/v1/notification_templates", tag = "notifications",
    summary = "List the templates in effect",
    description = "Every template name in both locales: the merchant's own where saved (`customized: true`), else the built-in default.",
    responses((status = 200, description = "All templates", body = schema::NotificationTemplateList)))]
pub async fn templates_list(
    State(state): State<AppState>,
    auth: Authed,
) -> Result<Json<Value>, ApiError> {
    let mut data = Vec::new();
    for name in Name::ALL {
        for locale in ["ja", "en"] {
            let (t, customized) =
                outbox::effective_template(state.db.reader(), &auth.merchant.id, name, locale)
                    .await?;
            data.push(template_json(name, locale, &t, customized));
        }
    }
    Ok(Json(list_json("/v1/notification_templates", data, false)))
}

/// `GET /v1/notification_templates/{name}?locale=ja`
#[utoipa::path(get, path = "/v1/notification_templates/{name}", tag = "notifications",
    summary = "Retrieve a template in effect",
    params(
        ("name" = String, Path, description = "email_payment_request, email_receipt, email_merchant_notice or sms_payment_request"),
        ("locale" = Option<String>, Query, description = "ja or en; default the merchant's"),
    ),
    responses(
        (status = 200, description = "The template", body = schema::NotificationTemplate),
        (status = 404, description = "No such template name", body = super::openapi::Error),
    ))]
pub async fn template_retrieve(
    State(state): State<AppState>,
    auth: Authed,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let q = Query::parse(raw.as_deref(), &["locale"])?;
    let name = template_name(&name)?;
    let locale = locale("locale", q.string("locale"), &auth.merchant.default_locale)?;
    let (t, customized) =
        outbox::effective_template(state.db.reader(), &auth.merchant.id, name, &locale).await?;
    Ok(Json(template_json(name, &locale, &t, customized)))
}

pub(crate) const TEMPLATE_FIELDS: &[&str] = &["locale", "subject", "text", "html"];

/// The template in effect with the parts given in `p` replaced.
async fn merged(
    state: &AppState,
    auth: &Authed,
    name: Name,
    locale: &str,
    p: &Params,
) -> Result<Template, ApiError> {
    let (mut t, _) =
        outbox::effective_template(state.db.reader(), &auth.merchant.id, name, locale).await?;
    if let Some(s) = p.string("subject")? {
        t.subject = Some(s);
    }
    if let Some(s) = p.string("text")? {
        t.text = s;
    }
    if let Some(s) = p.string("html")? {
        t.html = Some(s);
    }
    Ok(t)
}

/// `POST /v1/notification_templates/{name}` with `{"locale", "subject", "text", "html"}`.
#[utoipa::path(post, path = "/v1/notification_templates/{name}", tag = "notifications",
    summary = "Save a template",
    description = "Parts not given keep their current value. All parts are checked before anything is saved: a syntax error answers 400 `template_syntax_error` with `param` (subject, text or html) and the line and column; a variable the kind does not have answers 400 `template_unknown_variable` naming it and listing the allowed ones.",
    params(("name" = String, Path, description = "email_payment_request, email_receipt, email_merchant_notice or sms_payment_request")),
    request_body = schema::SaveNotificationTemplate,
    responses(
        (status = 200, description = "The saved template", body = schema::NotificationTemplate),
        (status = 400, description = "A part is wrong; `param` names it", body = super::openapi::Error),
        (status = 404, description = "No such template name", body = super::openapi::Error),
    ))]
pub async fn template_save(
    State(state): State<AppState>,
    auth: Authed,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let name = template_name(&name)?;
    let p = Params::parse(&body, TEMPLATE_FIELDS)?;
    let locale = locale("locale", p.string("locale")?, &auth.merchant.default_locale)?;
    let t = merged(&state, &auth, name, &locale, &p).await?;
    templates::validate(name, &t).map_err(template_error)?;
    // One statement: all parts are saved together or not at all.
    sqlx::query(
        "INSERT INTO notification_templates (merchant_id, name, locale, subject, text_body, html_body, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (merchant_id, name, locale) DO UPDATE SET
            subject = excluded.subject, text_body = excluded.text_body,
            html_body = excluded.html_body, updated_at = excluded.updated_at",
    )
    .bind(&auth.merchant.id)
    .bind(name.as_str())
    .bind(&locale)
    .bind(&t.subject)
    .bind(&t.text)
    .bind(&t.html)
    .bind(crate::clock::now())
    .execute(state.db.writer())
    .await?;
    tracing::info!(merchant = %auth.merchant.id, template = name.as_str(), %locale, "template saved");
    Ok(Json(template_json(name, &locale, &t, true)))
}

/// `DELETE /v1/notification_templates/{name}?locale=ja`: back to the built-in default.
#[utoipa::path(delete, path = "/v1/notification_templates/{name}", tag = "notifications",
    summary = "Go back to the default template",
    params(
        ("name" = String, Path, description = "Template name"),
        ("locale" = Option<String>, Query, description = "ja or en; default the merchant's"),
    ),
    responses(
        (status = 200, description = "The default template, now in effect", body = schema::NotificationTemplate),
        (status = 404, description = "No such template name", body = super::openapi::Error),
    ))]
pub async fn template_delete(
    State(state): State<AppState>,
    auth: Authed,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let q = Query::parse(raw.as_deref(), &["locale"])?;
    let name = template_name(&name)?;
    let locale = locale("locale", q.string("locale"), &auth.merchant.default_locale)?;
    sqlx::query(
        "DELETE FROM notification_templates WHERE merchant_id = $1 AND name = $2 AND locale = $3",
    )
    .bind(&auth.merchant.id)
    .bind(name.as_str())
    .bind(&locale)
    .execute(state.db.writer())
    .await?;
    Ok(Json(template_json(
        name,
        &locale,
        &templates::default(name, &locale),
        false,
    )))
}

pub(crate) const PREVIEW_FIELDS: &[&str] = &["locale", "subject", "text", "html", "link"];

/// `POST /v1/notification_templates/{name}/preview`
#[utoipa::path(post, path = "/v1/notification_templates/{name}/preview", tag = "notifications",
    summary = "Preview a template",
    description = "Renders the template in effect, with any parts given in the body replacing it (checked as on save), against sample data or the named link's data. Nothing is saved or sent.",
    params(("name" = String, Path, description = "Template name")),
    request_body = schema::PreviewNotificationTemplate,
    responses(
        (status = 200, description = "The rendered message", body = schema::NotificationPreview),
        (status = 400, description = "A part is wrong; `param` names it", body = super::openapi::Error),
        (status = 404, description = "No such template name", body = super::openapi::Error),
    ))]
pub async fn template_preview(
    State(state): State<AppState>,
    auth: Authed,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let name = template_name(&name)?;
    let p = if body.iter().all(u8::is_ascii_whitespace) {
        Params::parse(b"{}", PREVIEW_FIELDS)?
    } else {
        Params::parse(&body, PREVIEW_FIELDS)?
    };
    let link = match p.string("link")? {
        Some(id) => Some(
            find_link(&state, &auth, &id)
                .await
                .map_err(|e| e.with_param("link"))?,
        ),
        None => None,
    };
    let default_locale = link
        .as_ref()
        .map_or(auth.merchant.default_locale.as_str(), |l| l.locale.as_str());
    let locale = locale("locale", p.string("locale")?, default_locale)?;
    let t = merged(&state, &auth, name, &locale, &p).await?;
    templates::validate(name, &t).map_err(template_error)?;
    let mut vars = templates::sample(name, &auth.merchant.name, &locale);
    if let Some(link) = &link {
        // The link's own values over the sample; charge values stay sample ones.
        let from_link =
            outbox::link_vars(link, &auth.merchant.name, &state.config.edge_url, &locale);
        for (k, v) in from_link {
            if vars.contains_key(&k) {
                vars.insert(k, v);
            }
        }
    }
    let r = templates::render(&t, &vars).map_err(template_error)?;
    let (segments, encoding) = match name.channel() {
        Channel::Sms => {
            let c = segments::count(&r.text);
            let enc = match c.encoding {
                segments::Encoding::Gsm7 => "gsm7",
                segments::Encoding::Ucs2 => "ucs2",
            };
            (Some(c.segments), Some(enc))
        }
        Channel::Email => (None, None),
    };
    Ok(Json(json!({
        "object": "notification_preview",
        "name": name.as_str(),
        "locale": locale,
        "subject": r.subject,
        "text": r.text,
        "html": r.html,
        "segments": segments,
        "encoding": encoding,
    })))
}

pub fn router() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/v1/links/{id}/send", post(send_link))
        .route("/v1/notifications", get(list))
        .route("/v1/notifications/{id}", get(retrieve))
        .route(
            "/v1/notification_settings",
            get(settings_retrieve).post(settings_update),
        )
        .route("/v1/notification_templates", get(templates_list))
        .route(
            "/v1/notification_templates/{name}",
            get(template_retrieve)
                .post(template_save)
                .delete(template_delete),
        )
        .route(
            "/v1/notification_templates/{name}/preview",
            post(template_preview),
        )
}

/// OpenAPI descriptions of the objects above (see `openapi.rs`).
#[allow(dead_code)]
pub mod schema {
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

    #[derive(ToSchema)]
    pub struct NotificationList {
        object: String,
        url: String,
        has_more: bool,
        data: Vec<Notification>,
    }

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

    #[derive(ToSchema)]
    pub struct NotificationTemplateList {
        object: String,
        url: String,
        has_more: bool,
        data: Vec<NotificationTemplate>,
    }

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
}
