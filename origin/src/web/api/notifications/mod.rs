//! Notification API: sending a link's payment request and the notifications sent. Settings
//! and templates have their own modules.

pub mod schema;
pub mod settings;
pub mod templates;

use super::list;
use super::params::Params;
use super::query::Query;
use crate::base::email_address;
use crate::base::error::ApiError;
use crate::domain::notifications::outbox::{self, Filter};
use crate::domain::notifications::phone;
use crate::domain::notifications::settings as notify_settings;
use crate::domain::notifications::{Channel, Customer, Kind};
use crate::state::AppState;
use crate::web::api::{Authed, Call, JsonReply, StatusReply};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;

pub const MAX_CUSTOMER_NAME_CHARS: usize = 100;

/// An address whose shape is wrong breaks the OpenAPI document's pattern (400); one too long
/// in a part fits it, and is refused by a rule it cannot express (422).
fn check_email(param: &str, value: &str) -> Result<String, ApiError> {
    email_address::examine(value).map_err(|r| {
        let message = format!("{param} {value:?} is not an email address: {}", r.message());
        match r {
            email_address::Refusal::Shape(_) => ApiError::invalid(param, "email_invalid", message),
            email_address::Refusal::Length(_) => {
                ApiError::unprocessable(param, "email_invalid", message)
            }
        }
    })
}

fn e164(param: &str, value: &str) -> Result<String, ApiError> {
    phone::parse_e164(value)
        .map_err(|m| ApiError::invalid(param, "phone_invalid", format!("{param}: {m}")))
}

/// A notification kind the merchant switched off: a conflict with their settings.
fn disabled(kind: Kind, param: Option<&str>) -> ApiError {
    let e = ApiError::state(
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
        && !notify_settings::get(state.db.reader(), &auth.merchant.id)
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

/// `POST /v1/links/{id}/send` with `{"channel": "email"|"sms", "to": …}`.
#[utoipa::path(post, path = "/v1/links/{id}/send", operation_id = "links_send", tag = "notifications",
    summary = "Send a link's payment request",
    description = "Queues the payment request by email or SMS, to `to` or else the link's customer_email / customer_phone, and answers the queued notification (for SMS with its segments and encoding).",
    params(("id" = String, Path, description = "lnk_…")),
    request_body = schema::SendLink,
    responses(
        (status = 201, description = "Queued", body = schema::Notification),
        (status = 400, description = "A field is wrong or missing; `param` names it", body = super::openapi::Error),
        super::openapi::NoSuchLink,
        (status = 409, description = "The link no longer takes payments, or payment requests are switched off", body = super::openapi::Error),
    ))]
pub async fn send_link(
    Call { state, auth }: Call,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusReply {
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
    let link = super::links::find(&state, &auth, &id).await?;
    let to = match (channel, to) {
        (Channel::Email, Some(to)) => check_email("to", &to)?,
        (Channel::Sms, Some(to)) => e164("to", &to)?,
        (Channel::Email, None) => link.customer_email.clone().ok_or_else(|| {
            ApiError::state(
                "to",
                "parameter_missing",
                "The link has no customer_email: give to.",
            )
        })?,
        (Channel::Sms, None) => link.customer_phone.clone().ok_or_else(|| {
            ApiError::state(
                "to",
                "parameter_missing",
                "The link has no customer_phone: give to.",
            )
        })?,
    };
    if link.status_at(state.clock.now()) != "active" {
        return Err(ApiError::conflict(
            StatusCode::CONFLICT,
            "link_not_active",
            "This link no longer takes payments (used, expired or deactivated); there is nothing to ask for.",
        ));
    }
    if !notify_settings::get(state.db.reader(), &auth.merchant.id)
        .await?
        .payment_request
    {
        let mut e = disabled(Kind::PaymentRequest, None);
        e.status = StatusCode::CONFLICT;
        return Err(e);
    }
    let mut tx = state.db.begin().await?;
    let n = outbox::payment_request(
        &mut tx,
        state.clock.now(),
        &state.config.edge_url,
        &link,
        channel,
        &to,
    )
    .await?;
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

/// The states a notification can be listed by.
pub const STATUSES: &[&str] = &["pending", "sent", "failed"];

/// `GET /v1/notifications?link=&charge=&status=`
#[utoipa::path(get, path = "/v1/notifications", operation_id = "notifications_list", tag = "notifications",
    summary = "List notifications, newest first",
    params(
        ("link" = Option<String>, Query, description = "Only this link's (lnk_…)"),
        ("charge" = Option<String>, Query, description = "Only this charge's (ch_…)"),
        ("status" = Option<String>, Query, description = "pending, sent or failed"),
        super::openapi::NotificationPage,
    ),
    responses(
        (status = 200, description = "A page of notifications", body = schema::NotificationList),
        super::openapi::BadParam,
    ))]
pub async fn list(Call { state, auth }: Call, RawQuery(raw): RawQuery) -> JsonReply {
    let q = Query::parse(raw.as_deref(), LIST_PARAMS)?;
    let filter = Filter {
        status: q.one_of("status", STATUSES)?,
        link: q.string("link"),
        charge: q.string("charge"),
    };
    let (db, merchant) = (&state.db, &auth.merchant.id);
    let page = list::fetch(
        &q,
        "notification",
        async |id| Ok(outbox::get(db, merchant, id).await?.map(|n| n.created_at)),
        async |cursor, limit| {
            outbox::list(db, merchant, auth.livemode, &filter, cursor, limit).await
        },
    )
    .await?;
    Ok(list::page("/v1/notifications", &page, |n| n.to_json()))
}

/// `GET /v1/notifications/{id}`
#[utoipa::path(get, path = "/v1/notifications/{id}", operation_id = "notifications_retrieve", tag = "notifications",
    summary = "Retrieve a notification",
    params(("id" = String, Path, description = "ntf_…")),
    responses(
        (status = 200, description = "The notification", body = schema::Notification),
        (status = 404, description = "No such notification", body = super::openapi::Error),
    ))]
pub async fn retrieve(Call { state, auth }: Call, Path(id): Path<String>) -> JsonReply {
    let found = outbox::get(&state.db, &auth.merchant.id, &id).await?;
    Ok(Json(
        auth.in_mode(found, |n| n.livemode, "notification", &id)?
            .to_json(),
    ))
}

pub fn router() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/v1/links/{id}/send", post(send_link))
        .route("/v1/notifications", get(list))
        .route("/v1/notifications/{id}", get(retrieve))
        .route(
            "/v1/notification_settings",
            get(settings::settings_retrieve).post(settings::settings_update),
        )
        .route("/v1/notification_templates", get(templates::templates_list))
        .route(
            "/v1/notification_templates/{name}",
            get(templates::template_retrieve)
                .post(templates::template_save)
                .delete(templates::template_delete),
        )
        .route(
            "/v1/notification_templates/{name}/preview",
            post(templates::template_preview),
        )
}
